"""Demo tech finance for Jinjiang, written through the finance services.

The seed: 2 产业母基金 and 15 政府引导基金 (总规模超500亿元) drawing 40+ funds into tech projects, and a
"政府+银行+基金+信贷" system. The registry demo already holds those funds (under the demo fund managers);
this places each in the fund system (母基金 / 政府引导基金 / 合作子基金), records investments (the demo
roadshow interests that reached 已投资 linked, not retyped), publishes credit products of the four demo
banks with eligibility in the rule language, files ~40 financing demands that are routed, ~25 loans granted
from them (some repaid, two defaulted and compensated by the risk pool) and interest subsidies. Every
figure on the finance pages is then computed from these records.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import F, Min, Q
from django.test.utils import override_settings
from django.utils import timezone

from kechuang.demands.models import Demand, DemandEvent, Routing
from kechuang.demands.services import acknowledge_routing
from kechuang.demo.generator import DEMO_EMAIL_DOMAIN, DEMO_SUFFIX
from kechuang.events.models import InvestorInterest
from kechuang.finance import services
from kechuang.finance.eligibility import evaluate
from kechuang.finance.models import (
    Compensation,
    CreditProduct,
    FinancingRequest,
    FundInvestment,
    FundProfile,
    FundTier,
    InterestSubsidy,
    Loan,
    LoanStatus,
    RiskPool,
)
from kechuang.orgs.choices import InvestorKind
from kechuang.orgs.models import Enterprise, Fund, Investor

D = Decimal

# bank name (without the demo suffix) -> its products:
# (name, kind, max 万元, rate %, max months, eligibility, terms)
PRODUCTS: dict[str, list[tuple[str, str, int, str, int, str, str]]] = {
    "闽南科技银行晋江分行": [
        (
            "科创e贷",
            "tech",
            1000,
            "3.45",
            36,
            "revenue >= 2000 and years_registered() >= 2",
            "面向科技型企业的信用贷款，随借随还，可叠加县级贴息。",
        ),
        (
            "知识产权质押融资贷",
            "ip",
            500,
            "3.80",
            24,
            "invention_patents + utility_patents >= 1",
            "以有效发明、实用新型专利质押，评估值的50%以内放款。",
        ),
    ],
    "泉海商业银行晋江支行": [
        ("人才创业贷", "talent", 300, "3.65", 36, "tech_staff >= 10", "面向高层次人才创办企业，免抵押。"),
        ("技改信用贷", "other", 2000, "3.90", 60, "revenue >= 5000", "支持规上企业智能化、绿色化技术改造。"),
    ],
    "东南发展银行晋江科技支行": [
        (
            "科技成长贷",
            "tech",
            3000,
            "3.30",
            36,
            "holds('high_tech') and revenue >= 10000 and rd_spend >= 300",
            "面向高新技术企业的中长期研发与扩产贷款。",
        ),
    ],
    "刺桐农村商业银行科技金融部": [
        ("科技小微贷", "tech", 200, "4.20", 24, "", "面向小微科技企业的普惠信用贷款，线上申请。"),
        ("知易贷", "ip", 300, "4.00", 36, "invention_patents >= 1", "以发明专利质押的小额贷款。"),
    ],
}

TITLES = {
    "working_capital": ("订单增长流动资金融资", "原材料备货流动资金需求"),
    "equipment": ("智能生产线设备购置融资", "自动化检测设备购置融资"),
    "rd": ("新产品研发投入融资", "研发中心建设资金需求"),
    "plant": ("新厂房建设融资", "标准化厂房改造融资"),
    "other": ("数字化改造资金需求", "品牌升级资金需求"),
}
COLLATERALS = ("credit", "ip_pledge", "property", "equipment", "guarantee", "none")
REQUESTS = 40
LOANS = 25
SUBSIDIES = 12


def _bounded(day: dt.date, as_of: dt.date) -> dt.date:
    return min(day, as_of)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


def _backdate(request: FinancingRequest, when: dt.datetime) -> None:
    """Move a demand's whole timeline (filing, routing, close) to its filing day, keeping the gaps."""
    events = DemandEvent.objects.filter(demand_id=request.demand_id)
    first = events.aggregate(first=Min("created_at"))["first"]
    if first is None:
        return
    shift = when - first
    events.update(created_at=F("created_at") + shift)
    submitted = events.filter(to_status="submitted").order_by("created_at", "pk").first()
    Demand.objects.filter(pk=request.demand_id).update(
        created_at=F("created_at") + shift,
        submitted_at=submitted.created_at if submitted else when,
        status_changed_at=F("status_changed_at") + shift,
    )
    FinancingRequest.objects.filter(pk=request.pk).update(created_at=when)


class Builder:
    def __init__(self, seed: int, as_of: dt.date) -> None:
        self.rng = random.Random(seed + 18)
        self.as_of = as_of
        self.counts: dict[str, int] = {}
        users = (
            get_user_model()
            .objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}")
            .select_related("profile")
        )
        self.staff = next((u for u in users if u.username == "staff"), None)
        self.user_of_org = {
            u.profile.organization_id: u
            for u in users
            if hasattr(u, "profile") and u.profile.organization_id and u.profile.role == "enterprise"
        }
        self.enterprises = list(
            Enterprise.objects.filter(is_demo=True, is_above_scale=True)
            .select_related("organization")
            .order_by("pk")
        )
        self.banks = {
            b.organization.name.removesuffix(DEMO_SUFFIX): b
            for b in Investor.objects.filter(is_demo=True, kind=InvestorKind.BANK).select_related(
                "organization"
            )
        }
        self.fund_managers = list(
            Investor.objects.filter(is_demo=True)
            .exclude(kind=InvestorKind.BANK)
            .select_related("organization")
        )

    # -- funds ---------------------------------------------------------------------------------------

    def funds(self) -> None:
        funds = list(Fund.objects.filter(investor__is_demo=True).select_related("investor__organization"))
        parents = [f for f in funds if "母基金" in f.name]
        profiled = 0
        for k, fund in enumerate(sorted(funds, key=lambda f: f.pk)):
            if fund in parents:
                tier, parent = FundTier.PARENT, None
            elif fund.is_government_guided:
                tier = FundTier.GUIDANCE
                same_manager = [p for p in parents if p.investor_id == fund.investor_id]
                parent = same_manager[0] if same_manager else (parents[0] if parents else None)
            else:
                tier, parent = FundTier.PARTNER, parents[k % len(parents)] if parents else None
            services.profile_fund(
                actor=self.staff,
                fund=fund,
                tier=tier,
                established_on=dt.date(2016 + k % 7, 1 + k % 12, 1),
                parent=parent,
                is_demo=True,
            )
            profiled += 1
        self.counts["科技金融·基金档案"] = profiled
        investing = [f for f in funds if f not in parents]
        made = 0
        for fund in investing:
            for _ in range(self.rng.randint(2, 4)):
                enterprise = self.rng.choice(self.enterprises)
                services.record_fund_investment(
                    actor=self.staff,
                    fund=fund,
                    enterprise=enterprise,
                    amount_wan=D(self.rng.randrange(200, 5000, 100)),
                    invested_on=_bounded(
                        dt.date(2021, 1, 1) + dt.timedelta(days=self.rng.randint(0, 1500)), self.as_of
                    ),
                    round=self.rng.choice(("angel", "pre_a", "a", "b", "strategic")),
                    note="基金投资",
                    is_demo=True,
                )
                made += 1
        linked = 0
        fund_of = {f.investor.organization_id: f for f in sorted(investing, key=lambda f: f.pk)}
        for interest in InvestorInterest.objects.filter(
            stage=InvestorInterest.Stage.INVESTED, fund_investment__isnull=True
        ).select_related("investor", "presenter"):
            found = fund_of.get(interest.investor.organization_id)
            has_enterprise = Enterprise.objects.filter(
                organization_id=interest.presenter.organization_id
            ).exists()
            if found is None or not has_enterprise:
                continue
            services.record_investment_from_interest(
                actor=self.staff,
                interest=interest,
                fund=found,
                invested_on=_bounded(timezone.localdate(interest.updated_at), self.as_of),
                is_demo=True,
            )
            linked += 1
        self.counts["科技金融·基金投资"] = made + linked
        self.counts["科技金融·路演投资转基金投资"] = linked

    # -- banks and products ------------------------------------------------------------------------------

    def products(self) -> list[CreditProduct]:
        out = []
        for bank_name, rows in PRODUCTS.items():
            bank = self.banks.get(bank_name)
            if bank is None:
                continue
            for name, kind, top, rate, months, condition, terms in rows:
                out.append(
                    services.save_product(
                        actor=self.staff,
                        bank=bank,
                        name=name,
                        kind=kind,
                        max_amount_wan=D(top),
                        rate_pct=D(rate),
                        max_term_months=months,
                        eligibility=condition,
                        terms=terms,
                        is_demo=True,
                    )
                )
        self.counts["科技金融·信贷产品"] = len(out)
        return out

    # -- financing demands → loans ---------------------------------------------------------------------

    def requests_and_loans(self, products: list[CreditProduct]) -> list[Loan]:
        from kechuang.policies.selectors import facts_for_enterprises

        rng = self.rng
        # the demo enterprise account's firm files the first demand, so its pages have one
        own = list(
            Enterprise.objects.filter(is_demo=True, organization_id__in=list(self.user_of_org))
            .select_related("organization")
            .order_by("pk")[:1]
        )
        others = [e for e in self.enterprises if e not in own]
        firms = own + rng.sample(others, min(REQUESTS - len(own), len(others)))
        facts = {f.ref: f for f in facts_for_enterprises(firms, as_of=self.as_of)}
        equity_targets = sorted(self.fund_managers, key=lambda i: i.pk)
        loans: list[Loan] = []
        backdate: list[tuple[FinancingRequest, dt.datetime]] = []
        routed = 0
        for k, firm in enumerate(firms):
            use = rng.choice(list(TITLES))
            channel = "equity" if k % 5 == 4 else "loan"
            filed = self.as_of - dt.timedelta(days=rng.randint(70, 480))
            request = services.file_financing_demand(
                actor=self.user_of_org.get(firm.organization_id),
                enterprise=firm,
                title=rng.choice(TITLES[use]),
                description=f"{firm.organization.name}计划{rng.choice(TITLES[use])}，资金缺口约在申请金额以内，"
                "希望对接合作银行或基金。",
                amount_wan=D(rng.randrange(100, 1600, 50)),
                use=use,
                collateral=rng.choice(COLLATERALS),
                term_months=rng.choice((12, 24, 36)),
                channel=channel,
                is_demo=True,
            )
            backdate.append((request, timezone.make_aware(dt.datetime.combine(filed, dt.time(9, 30)))))
            if k >= REQUESTS - 4:
                continue  # the last few still wait for triage
            if channel == "equity":
                targets = rng.sample(equity_targets, min(2, len(equity_targets)))
            else:
                targets = rng.sample(list(self.banks.values()), min(2, len(self.banks)))
            services.route_financing_request(
                actor=self.staff, request=request, investors=targets, note="请于期限内确认并反馈授信意向"
            )
            routed += 1
            if channel != "loan" or len(loans) >= LOANS:
                continue
            bank_ids = {t.pk for t in targets}
            offered = [p for p in products if p.bank_id in bank_ids] or products
            fitting = [p for p in offered if evaluate(p.eligibility, facts[firm.pk]).eligible]
            if not fitting:
                continue
            product = max(fitting, key=lambda p: p.max_amount_wan)
            routing = Routing.objects.get(demand_id=request.demand_id, investor_id=product.bank_id)
            acknowledge_routing(actor=None, routing=routing)
            loans.append(
                services.grant_loan(
                    actor=self.staff,
                    product=product,
                    amount_wan=min(request.amount_wan, product.max_amount_wan),
                    term_months=min(request.term_months or 12, product.max_term_months),
                    granted_on=_bounded(filed + dt.timedelta(days=rng.randint(20, 60)), self.as_of),
                    financing_request=request,
                    is_demo=True,
                )
            )
        for request, when in backdate:
            _backdate(request, when)
        self.counts["科技金融·融资需求"] = len(firms)
        self.counts["科技金融·已分派融资需求"] = routed
        self.counts["科技金融·贷款"] = len(loans)
        return loans

    def outcomes(self, loans: list[Loan]) -> None:
        rng = self.rng
        repaid = defaulted = 0
        bad: list[Loan] = []
        for i, loan in enumerate(loans):
            due = _add_months(loan.granted_on, loan.term_months)
            if due <= self.as_of:
                loans[i] = services.repay_loan(actor=self.staff, loan=loan, repaid_on=due)
                repaid += 1
        active = [loan for loan in loans if loan.status == LoanStatus.ACTIVE]
        for loan in active[:2]:
            day = _bounded(_add_months(loan.granted_on, rng.randint(6, 12)), self.as_of)
            share = D(rng.choice(("0.6", "0.7", "0.8")))
            bad.append(
                services.default_loan(
                    actor=self.staff,
                    loan=loan,
                    defaulted_on=max(day, loan.granted_on),
                    default_amount_wan=(loan.amount_wan * share).quantize(D("0.01")),
                )
            )
            defaulted += 1
        subsidised = 0
        bad_ids = {b.pk for b in bad}
        for loan in loans:
            if subsidised >= SUBSIDIES or loan.pk in bad_ids:
                continue
            if loan.product.kind not in ("tech", "talent", "ip"):
                continue
            services.approve_subsidy(
                actor=self.staff,
                loan=loan,
                rate_pct=min(D("1.5"), loan.rate_pct),
                cap_wan=D("20"),
                approved_on=_bounded(loan.granted_on + dt.timedelta(days=30), self.as_of),
                is_demo=True,
            )
            subsidised += 1
        pool = services.create_pool(
            actor=self.staff,
            name="晋江市科技信贷风险补偿资金池",
            size_wan=D("5000"),
            share_pct=D("50"),
            banks=list(self.banks.values()),
            established_on=dt.date(2022, 6, 1),
            is_demo=True,
        )
        for loan in bad:
            assert loan.defaulted_on is not None
            services.compensate(
                actor=self.staff,
                pool=pool,
                loan=loan,
                paid_on=_bounded(loan.defaulted_on + dt.timedelta(days=45), self.as_of),
                note="经审核，按违约本金的50%予以补偿",
                is_demo=True,
            )
        self.counts["科技金融·结清贷款"] = repaid
        self.counts["科技金融·违约贷款"] = defaulted
        self.counts["科技金融·贴息"] = subsidised
        self.counts["科技金融·风险补偿"] = len(bad)


def load_demo_finance(*, seed: int, as_of: dt.date) -> dict[str, int]:
    builder = Builder(seed, as_of)
    if not builder.enterprises:
        return {}
    builder.funds()
    products = builder.products()
    loans = builder.requests_and_loans(products) if products else []
    if loans:
        builder.outcomes(loans)
    return builder.counts


def delete_demo_finance() -> dict[str, int]:
    """Delete the demo finance records and their history (the demo demands go with the demands demo)."""
    demo = Q(is_demo=True)
    loans = Loan.objects.filter(demo | Q(enterprise__is_demo=True))
    Compensation.history.filter(loan_id__in=loans.values("pk")).delete()  # type: ignore[attr-defined]
    InterestSubsidy.history.filter(loan_id__in=loans.values("pk")).delete()  # type: ignore[attr-defined]
    Loan.history.filter(id__in=loans.values("pk")).delete()  # type: ignore[attr-defined]
    for model in (FinancingRequest, RiskPool, CreditProduct, FundInvestment, FundProfile):
        model.history.filter(is_demo=True).delete()  # type: ignore[attr-defined]
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        deleted = {
            "finance_compensations": Compensation.objects.filter(loan__in=loans).delete()[0],
            "finance_subsidies": InterestSubsidy.objects.filter(loan__in=loans).delete()[0],
        }
        deleted["finance_loans"] = loans.delete()[0]
        deleted["finance_requests"] = FinancingRequest.objects.filter(demo).delete()[0]
        deleted["finance_pools"] = RiskPool.objects.filter(demo).delete()[0]
        deleted["finance_products"] = CreditProduct.objects.filter(demo).delete()[0]
        deleted["finance_investments"] = FundInvestment.objects.filter(demo).delete()[0]
        deleted["finance_fund_profiles"] = FundProfile.objects.filter(demo).delete()[0]
    return deleted
