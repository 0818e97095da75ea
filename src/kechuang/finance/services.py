"""Every write of the finance app. Money rules are checked here, under row locks where two people could
race (the pool's remaining balance), and a refusal writes nothing.

A financing request is filed as a demands.Demand of type "financing" and routed with the demands
services, so acknowledgement deadlines and feedback are the demands app's; granting a loan from a request
closes that demand with the outcome and tells the enterprise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from kechuang.core.audit import record_money_decision
from kechuang.demands import services as demands
from kechuang.demands.choices import CloseReason, Confidentiality, DemandType, Status, TargetKind
from kechuang.events.models import InvestorInterest
from kechuang.finance.eligibility import EligibilityError, compile_eligibility
from kechuang.finance.models import (
    Channel,
    Collateral,
    Compensation,
    CreditProduct,
    FinancingRequest,
    FundInvestment,
    FundProfile,
    FundTier,
    InterestSubsidy,
    Loan,
    LoanStatus,
    LoanUse,
    ProductKind,
    RiskPool,
)
from kechuang.notifications.services import notify
from kechuang.orgs.choices import InvestorKind
from kechuang.orgs.models import Enterprise, Fund, Investor

CENT = Decimal("0.01")


def _saved(obj: Any, actor: User | None, reason: str) -> Any:
    obj.full_clean()
    obj._history_user = actor
    obj._change_reason = reason
    obj.save()
    return obj


def _wan(value: Decimal) -> str:
    return f"{value.quantize(CENT):,}".rstrip("0").rstrip(".")


# ---- funds ---------------------------------------------------------------------------------------------


@transaction.atomic
def save_fund(
    *,
    actor: User | None,
    investor: Investor,
    name: str,
    tier: str,
    size_wan: Decimal | None = None,
    focus: str = "",
    manager: str = "",
    established_on: dt.date | None = None,
    parent: Fund | None = None,
    fund: Fund | None = None,
    is_demo: bool = False,
) -> Fund:
    """Register (or update) a fund with its tier; guidance and parent funds are government-guided."""
    if tier not in FundTier.values:
        raise ValidationError({"tier": "请选择基金层级"})
    if not name.strip():
        raise ValidationError({"name": "请填写基金名称"})
    if parent is not None and fund is not None and parent.pk == fund.pk:
        raise ValidationError({"parent": "基金不能以自身为上级母基金"})
    creating = fund is None
    fund = fund or Fund()
    fund.investor = investor
    fund.name = name.strip()
    fund.size = size_wan
    fund.focus = focus
    fund.is_government_guided = tier in (FundTier.PARENT, FundTier.GUIDANCE)
    _saved(fund, actor, "登记基金" if creating else "修改基金")
    profile_fund(
        actor=actor,
        fund=fund,
        tier=tier,
        manager=manager,
        established_on=established_on,
        parent=parent,
        is_demo=is_demo,
    )
    return fund


def profile_fund(
    *,
    actor: User | None,
    fund: Fund,
    tier: str,
    manager: str = "",
    established_on: dt.date | None = None,
    parent: Fund | None = None,
    is_demo: bool = False,
) -> FundProfile:
    """Place a registry fund in the county's fund system (tier, manager, parent) without retyping it."""
    if tier not in FundTier.values:
        raise ValidationError({"tier": "请选择基金层级"})
    if parent is not None and parent.pk == fund.pk:
        raise ValidationError({"parent": "基金不能以自身为上级母基金"})
    profile = FundProfile.objects.filter(fund=fund).first()
    creating = profile is None
    profile = profile or FundProfile(fund=fund, is_demo=is_demo)
    profile.tier = tier
    profile.manager = manager or fund.investor.organization.name
    profile.established_on = established_on
    profile.parent = parent
    return _saved(profile, actor, "登记基金档案" if creating else "修改基金档案")


def record_fund_investment(
    *,
    actor: User | None,
    fund: Fund,
    enterprise: Enterprise,
    amount_wan: Decimal,
    invested_on: dt.date,
    round: str = "",
    note: str = "",
    interest: InvestorInterest | None = None,
    is_demo: bool = False,
) -> FundInvestment:
    if amount_wan is None or amount_wan <= 0:
        raise ValidationError({"amount_wan": "投资金额应大于 0 万元"})
    investment = FundInvestment(
        fund=fund,
        enterprise=enterprise,
        amount_wan=amount_wan,
        invested_on=invested_on,
        round=round,
        note=note[:500],
        interest=interest,
        is_demo=is_demo,
    )
    _saved(investment, actor, "登记基金投资")
    record_money_decision(
        actor=actor,
        target=investment,
        action="finance.investment",
        summary=f"登记基金投资：{fund}投资{enterprise}{_wan(amount_wan)}万元",
    )
    return investment


@transaction.atomic
def record_investment_from_interest(
    *,
    actor: User | None,
    interest: InvestorInterest,
    fund: Fund,
    invested_on: dt.date,
    note: str = "",
    is_demo: bool = False,
) -> FundInvestment:
    """A roadshow interest that reached 已投资 becomes the fund's investment, linked, not typed twice."""
    interest = (
        InvestorInterest.objects.select_for_update()
        .select_related("investor", "presenter__organization")
        .get(pk=interest.pk)
    )
    if interest.stage != InvestorInterest.Stage.INVESTED or not interest.invested_amount:
        raise ValidationError("该投资意向尚未进入“已投资”阶段或未填写实际投资金额，不能登记为基金投资")
    if FundInvestment.objects.filter(interest=interest).exists():
        raise ValidationError("该路演投资意向已登记为基金投资，不能重复登记")
    if fund.investor.organization_id != interest.investor.organization_id:
        raise ValidationError({"fund": "所选基金不属于作出该投资的机构"})
    enterprise = Enterprise.objects.filter(organization_id=interest.presenter.organization_id).first()
    if enterprise is None:
        raise ValidationError("路演项目方不是平台登记的企业，不能登记为企业投资")
    return record_fund_investment(
        actor=actor,
        fund=fund,
        enterprise=enterprise,
        amount_wan=interest.invested_amount,
        invested_on=invested_on,
        round=interest.funding_round,
        note=note or f"来自路演“{interest.event}”的投资意向",
        interest=interest,
        is_demo=is_demo,
    )


# ---- credit products -----------------------------------------------------------------------------------


def _check_product(product: CreditProduct) -> None:
    errors: dict[str, str] = {}
    if product.bank_id and product.bank.kind != InvestorKind.BANK:
        errors["bank"] = "信贷产品只能由银行发布，所选机构不是银行"
    if product.kind not in ProductKind.values:
        errors["kind"] = "请选择产品类型"
    if product.max_amount_wan is None or product.max_amount_wan <= 0:
        errors["max_amount_wan"] = "单户最高额度应大于 0 万元"
    try:
        compile_eligibility(product.eligibility)
    except EligibilityError as exc:
        errors["eligibility"] = str(exc)
    if errors:
        raise ValidationError(errors)


def save_product(
    *, actor: User | None, product: CreditProduct | None = None, is_demo: bool = False, **values: Any
) -> CreditProduct:
    """Publish or change a bank's credit product; its eligibility must compile in the rule language."""
    creating = product is None
    product = product or CreditProduct(is_demo=is_demo)
    for name, value in values.items():
        setattr(product, name, value)
    product.eligibility = (product.eligibility or "").strip()
    _check_product(product)
    return _saved(product, actor, "发布信贷产品" if creating else "修改信贷产品")


# ---- financing demands ---------------------------------------------------------------------------------


@transaction.atomic
def file_financing_demand(
    *,
    actor: User | None,
    enterprise: Enterprise,
    title: str,
    description: str,
    amount_wan: Decimal,
    use: str,
    collateral: str,
    term_months: int | None = None,
    channel: str = Channel.LOAN,
    contact_name: str = "",
    contact_phone: str = "",
    is_demo: bool = False,
) -> FinancingRequest:
    """File a financing demand: a Demand of type 融资需求 (submitted for triage) and its money facts."""
    errors: dict[str, str] = {}
    if amount_wan is None or amount_wan <= 0:
        errors["amount_wan"] = "融资金额应大于 0 万元"
    if use not in LoanUse.values:
        errors["use"] = "请选择资金用途"
    if collateral not in Collateral.values:
        errors["collateral"] = "请选择担保方式"
    if channel not in Channel.values:
        errors["channel"] = "请选择意向融资渠道"
    if term_months is not None and not 1 <= term_months <= 360:
        errors["term_months"] = "期限应在 1–360 个月之间"
    try:
        demands.check_demand_data(_demand_data(title, description, contact_name, contact_phone))
    except ValidationError as exc:
        errors.update({k: "；".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    demand = demands.file_demand(
        actor=actor,
        enterprise=enterprise,
        data=_demand_data(title, description, contact_name, contact_phone),
    )
    if is_demo:
        type(demand).objects.filter(pk=demand.pk).update(is_demo=True)
    request = FinancingRequest(
        demand=demand,
        enterprise=enterprise,
        amount_wan=amount_wan,
        use=use,
        term_months=term_months,
        collateral=collateral,
        channel=channel,
        is_demo=is_demo,
    )
    return _saved(request, actor, "提交融资需求")


def _demand_data(title: str, description: str, contact_name: str, contact_phone: str) -> demands.DemandData:
    return demands.DemandData(
        title=title,
        description=description,
        demand_type=DemandType.FINANCING,
        contact_name=contact_name,
        contact_phone=contact_phone,
        confidentiality=Confidentiality.PRIVATE,
    )


def route_financing_request(
    *, actor: User | None, request: FinancingRequest, investors: Iterable[Investor], note: str = ""
) -> list[Any]:
    """Send the demand to banks and funds through the demands routing (accepting it first if needed)."""
    targets: list[tuple[str, int]] = [(str(TargetKind.INVESTOR), inv.pk) for inv in investors]
    if not targets:
        raise ValidationError({"investors": "请至少选择一家银行或投资机构"})
    with transaction.atomic():
        demand = request.demand
        if demand.status == Status.SUBMITTED:
            demands.accept_demand(actor=actor, demand=demand, comment="融资需求受理")
        return demands.route_demand(actor=actor, demand=demand, targets=targets, note=note)


# ---- loans ---------------------------------------------------------------------------------------------


CLOSABLE = demands.STEPS["close"].sources


@transaction.atomic
def grant_loan(
    *,
    actor: User | None,
    product: CreditProduct,
    amount_wan: Decimal,
    term_months: int,
    granted_on: dt.date,
    rate_pct: Decimal | None = None,
    financing_request: FinancingRequest | None = None,
    enterprise: Enterprise | None = None,
    is_demo: bool = False,
) -> Loan:
    """Record a loan; above the product's limit or term it is refused and nothing is written."""
    product = CreditProduct.objects.select_related("bank__organization").get(pk=product.pk)
    if financing_request is not None:
        financing_request = (
            FinancingRequest.objects.select_for_update().select_related("demand").get(pk=financing_request.pk)
        )
        if enterprise is not None and enterprise.pk != financing_request.enterprise_id:
            raise ValidationError("贷款企业与融资需求的企业不一致")
        enterprise = financing_request.enterprise
    if enterprise is None:
        raise ValidationError({"enterprise": "请选择借款企业"})
    errors: dict[str, str] = {}
    if not product.is_active:
        errors["product"] = f"信贷产品“{product.name}”已停售"
    if amount_wan is None or amount_wan <= 0:
        errors["amount_wan"] = "贷款金额应大于 0 万元"
    elif amount_wan > product.max_amount_wan:
        errors["amount_wan"] = (
            f"贷款金额 {_wan(amount_wan)} 万元超过产品“{product.name}”单户最高额度 "
            f"{_wan(product.max_amount_wan)} 万元"
        )
    if term_months is None or term_months < 1:
        errors["term_months"] = "贷款期限应至少 1 个月"
    elif term_months > product.max_term_months:
        errors["term_months"] = (
            f"贷款期限 {term_months} 个月超过产品“{product.name}”最长期限 {product.max_term_months} 个月"
        )
    rate = product.rate_pct if rate_pct is None else rate_pct
    if rate < 0:
        errors["rate_pct"] = "年利率不能为负"
    if errors:
        raise ValidationError(errors)
    loan = Loan(
        financing_request=financing_request,
        enterprise=enterprise,
        product=product,
        amount_wan=amount_wan,
        rate_pct=rate,
        term_months=term_months,
        granted_on=granted_on,
        is_demo=is_demo,
    )
    _saved(loan, actor, "登记放款")
    record_money_decision(
        actor=actor,
        target=loan,
        action="finance.loan.grant",
        summary=f"登记放款：{enterprise}获{product.name}{_wan(amount_wan)}万元，{term_months}个月，年利率{rate.normalize()}%",
    )
    if financing_request is not None:
        _close_the_loop(actor, financing_request, loan)
    return loan


def _close_the_loop(actor: User | None, request: FinancingRequest, loan: Loan) -> None:
    """The demand's outcome: closed with the deal (which notifies its parties), or a notice if it cannot."""
    demand = request.demand
    outcome = (
        f"融资到位：{loan.product.bank}“{loan.product.name}”放款 {_wan(loan.amount_wan)} 万元，"
        f"期限 {loan.term_months} 个月，年利率 {loan.rate_pct.normalize()}%"
    )
    if demand.status in CLOSABLE:
        demands.close_demand(actor=actor, demand=demand, reason=CloseReason.FINANCED, note=outcome)
    else:
        notify(
            recipients=demands.enterprise_users(demand),
            title=f"融资需求“{demand.title}”已获放款",
            body=outcome,
            url=demands.demand_url(demand),
        )


@transaction.atomic
def repay_loan(*, actor: User | None, loan: Loan, repaid_on: dt.date) -> Loan:
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    if loan.status != LoanStatus.ACTIVE:
        raise ValidationError(f"贷款当前状态为“{loan.get_status_display()}”，不能登记结清")
    if repaid_on < loan.granted_on:
        raise ValidationError({"repaid_on": "结清日期不能早于放款日期"})
    loan.status = LoanStatus.REPAID
    loan.repaid_on = repaid_on
    return _saved(loan, actor, "贷款结清")


@transaction.atomic
def default_loan(
    *, actor: User | None, loan: Loan, defaulted_on: dt.date, default_amount_wan: Decimal
) -> Loan:
    """A loan goes bad: the date and the unpaid amount (at most the loan) are what a pool compensates."""
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    errors: dict[str, str] = {}
    if loan.status != LoanStatus.ACTIVE:
        raise ValidationError(f"贷款当前状态为“{loan.get_status_display()}”，不能登记违约")
    if defaulted_on < loan.granted_on:
        errors["defaulted_on"] = "违约日期不能早于放款日期"
    if default_amount_wan is None or default_amount_wan <= 0:
        errors["default_amount_wan"] = "违约金额应大于 0 万元"
    elif default_amount_wan > loan.amount_wan:
        errors["default_amount_wan"] = (
            f"违约金额 {_wan(default_amount_wan)} 万元超过贷款金额 {_wan(loan.amount_wan)} 万元"
        )
    if errors:
        raise ValidationError(errors)
    loan.status = LoanStatus.DEFAULTED
    loan.defaulted_on = defaulted_on
    loan.default_amount_wan = default_amount_wan
    _saved(loan, actor, "登记违约")
    record_money_decision(
        actor=actor,
        target=loan,
        action="finance.loan.default",
        summary=f"登记违约：{loan.enterprise}贷款违约{_wan(default_amount_wan)}万元",
    )
    return loan


# ---- interest subsidies --------------------------------------------------------------------------------


def subsidy_amount(
    *, principal_wan: Decimal, rate_pct: Decimal, months: int, cap_wan: Decimal | None = None
) -> Decimal:
    """本金 × 贴息率 × 月数/12, to the cent (half up), and no more than the per-loan cap."""
    amount = (principal_wan * rate_pct / Decimal(100) * Decimal(months) / Decimal(12)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    return min(amount, cap_wan) if cap_wan is not None else amount


@transaction.atomic
def approve_subsidy(
    *,
    actor: User | None,
    loan: Loan,
    rate_pct: Decimal,
    approved_on: dt.date,
    months: int | None = None,
    cap_wan: Decimal | None = None,
    is_demo: bool = False,
) -> InterestSubsidy:
    """贴息 for one loan: the subsidised rate cannot exceed the loan's, nor the months its term."""
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    months = loan.term_months if months is None else months
    errors: dict[str, str] = {}
    if InterestSubsidy.objects.filter(loan=loan).exists():
        raise ValidationError("该笔贷款已批准过贴息")
    if loan.status == LoanStatus.DEFAULTED:
        raise ValidationError("违约贷款不予贴息")
    if rate_pct is None or rate_pct <= 0:
        errors["rate_pct"] = "贴息率应大于 0"
    elif rate_pct > loan.rate_pct:
        errors["rate_pct"] = f"贴息率 {rate_pct.normalize()}% 不能高于贷款年利率 {loan.rate_pct.normalize()}%"
    if months < 1 or months > loan.term_months:
        errors["months"] = f"贴息月数应在 1–{loan.term_months} 个月之间（不超过贷款期限）"
    if cap_wan is not None and cap_wan <= 0:
        errors["cap_wan"] = "贴息上限应大于 0 万元（不设上限请留空）"
    if approved_on < loan.granted_on:
        errors["approved_on"] = "批准日期不能早于放款日期"
    if errors:
        raise ValidationError(errors)
    subsidy = InterestSubsidy(
        loan=loan,
        rate_pct=rate_pct,
        months=months,
        cap_wan=cap_wan,
        amount_wan=subsidy_amount(
            principal_wan=loan.amount_wan, rate_pct=rate_pct, months=months, cap_wan=cap_wan
        ),
        approved_on=approved_on,
        is_demo=is_demo,
    )
    _saved(subsidy, actor, "批准贴息")
    record_money_decision(
        actor=actor,
        target=subsidy,
        action="finance.subsidy.approve",
        summary=f"批准贴息：{loan.enterprise}贴息{_wan(subsidy.amount_wan)}万元（{rate_pct.normalize()}%，{months}个月）",
    )
    return subsidy


# ---- risk-compensation pool ----------------------------------------------------------------------------


@transaction.atomic
def create_pool(
    *,
    actor: User | None,
    name: str,
    size_wan: Decimal,
    share_pct: Decimal,
    banks: Iterable[Investor] = (),
    established_on: dt.date | None = None,
    is_demo: bool = False,
) -> RiskPool:
    errors: dict[str, str] = {}
    if size_wan is None or size_wan <= 0:
        errors["size_wan"] = "资金池规模应大于 0 万元"
    if share_pct is None or not Decimal(0) < share_pct <= Decimal(100):
        errors["share_pct"] = "补偿比例应在 0–100% 之间"
    banks = list(banks)
    if any(b.kind != InvestorKind.BANK for b in banks):
        errors["banks"] = "合作机构只能是银行"
    if errors:
        raise ValidationError(errors)
    pool = RiskPool(
        name=name.strip(),
        size_wan=size_wan,
        share_pct=share_pct,
        established_on=established_on,
        is_demo=is_demo,
    )
    _saved(pool, actor, "设立风险补偿资金池")
    record_money_decision(
        actor=actor,
        target=pool,
        action="finance.pool.create",
        summary=f"设立风险补偿资金池“{pool.name}”{_wan(size_wan)}万元",
    )
    if banks:
        pool.banks.set(banks)
    return pool


def pool_used(pool: RiskPool) -> Decimal:
    return Compensation.objects.filter(pool=pool).aggregate(s=Sum("amount_wan"))["s"] or Decimal(0)


def compensation_for(pool: RiskPool, loan: Loan) -> Decimal:
    """违约金额 × 补偿比例, to the cent."""
    return (Decimal(loan.default_amount_wan or 0) * pool.share_pct / Decimal(100)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


@transaction.atomic
def compensate(
    *,
    actor: User | None,
    pool: RiskPool,
    loan: Loan,
    paid_on: dt.date,
    note: str = "",
    is_demo: bool = False,
) -> Compensation:
    """Pay a bank its share of a defaulted loan, refused when more than the pool has left.

    The pool row is locked first, so two compensations at the same moment are decided one after the
    other against the remaining balance the first one left.
    """
    pool = RiskPool.objects.select_for_update().get(pk=pool.pk)
    loan = Loan.objects.select_for_update().select_related("product__bank__organization").get(pk=loan.pk)
    if loan.status != LoanStatus.DEFAULTED or not loan.default_amount_wan:
        raise ValidationError("只有已登记违约的贷款才能申请风险补偿")
    if Compensation.objects.filter(loan=loan).exists():
        raise ValidationError("该笔违约贷款已获补偿，不能重复补偿")
    bank_ids = set(pool.banks.values_list("pk", flat=True))
    if bank_ids and loan.product.bank_id not in bank_ids:
        raise ValidationError(f"{loan.product.bank}不是资金池“{pool.name}”的合作银行")
    if paid_on < loan.defaulted_on:  # type: ignore[operator]
        raise ValidationError({"paid_on": "补偿日期不能早于违约日期"})
    amount = compensation_for(pool, loan)
    remaining = pool.size_wan - pool_used(pool)
    if amount > remaining:
        raise ValidationError(
            f"补偿金额 {_wan(amount)} 万元（违约金额 {_wan(loan.default_amount_wan)} 万元 × "
            f"{pool.share_pct.normalize()}%）超过资金池“{pool.name}”剩余额度 {_wan(remaining)} 万元"
        )
    compensation = Compensation(
        pool=pool, loan=loan, amount_wan=amount, paid_on=paid_on, note=note[:500], is_demo=is_demo
    )
    _saved(compensation, actor, "风险补偿")
    record_money_decision(
        actor=actor,
        target=compensation,
        action="finance.compensation",
        summary=f"风险补偿：从“{pool.name}”补偿{loan.product.bank}{_wan(amount)}万元（{loan.enterprise}违约）",
    )
    return compensation
