"""Reads of the finance app: scoped lists, eligibility of products for an enterprise, the pool's balance and
the figures the dashboard shows (aggregated in the database, a fixed number of queries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from kechuang.core.access import Principal, scope
from kechuang.events.models import InvestorInterest
from kechuang.finance.eligibility import Verdict, evaluate
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
    ProductKind,
    RiskPool,
)
from kechuang.orgs.choices import InvestorKind, QualificationKind
from kechuang.orgs.models import Enterprise, Fund, Investor

ZERO = Decimal(0)
MONEY = DecimalField(max_digits=16, decimal_places=2)
EMPTY: dict[str, Any] = {}


def _zero() -> Value:
    return Value(ZERO, output_field=MONEY)


# ---- funds ---------------------------------------------------------------------------------------------


def funds(principal: Principal, *, tier: str = "") -> QuerySet[Fund]:
    """Funds with a profile (the county's fund system), with their investments summed."""
    invested = (
        FundInvestment.objects.filter(fund=OuterRef("pk"))
        .values("fund")
        .annotate(s=Sum("amount_wan"))
        .values("s")
    )
    qs = (
        Fund.objects.filter(profile__isnull=False)
        .select_related("investor__organization", "profile__parent")
        .annotate(
            invested_wan=Coalesce(Subquery(invested, output_field=MONEY), _zero()),
            investments_count=Count("investments"),
        )
        .order_by("profile__tier", "-size", "name")
    )
    if tier in FundTier.values:
        qs = qs.filter(profile__tier=tier)
    return scope(principal, qs, "finance.view")


def fund_get(principal: Principal, pk: int) -> Fund:
    fund = funds(principal).filter(pk=pk).first()
    if fund is None:
        raise Http404("基金不存在或无权查看")
    return fund


def fund_investments(fund: Fund) -> QuerySet[FundInvestment]:
    return fund.investments.select_related("enterprise__organization", "interest__event").order_by(
        "-invested_on", "-pk"
    )


def tier_summary(principal: Principal) -> list[dict[str, Any]]:
    rows = {
        r["profile__tier"]: r
        for r in scope(principal, Fund.objects.filter(profile__isnull=False), "finance.view")
        .values("profile__tier")
        .annotate(count=Count("pk"), size_wan=Coalesce(Sum("size"), _zero()))
    }
    return [
        {
            "tier": tier.value,
            "label": tier.label,
            "count": rows.get(tier.value, EMPTY).get("count", 0),
            "size_wan": rows.get(tier.value, EMPTY).get("size_wan", ZERO),
        }
        for tier in FundTier
    ]


def fund_managers() -> QuerySet[Investor]:
    return Investor.objects.exclude(kind=InvestorKind.BANK).select_related("organization")


def invested_interests_unrecorded() -> QuerySet[InvestorInterest]:
    """Roadshow interests at 已投资 not yet recorded as a fund investment (to be linked, not retyped)."""
    return (
        InvestorInterest.objects.filter(
            stage=InvestorInterest.Stage.INVESTED, invested_amount__gt=0, fund_investment__isnull=True
        )
        .select_related("event", "investor__organization", "presenter__organization")
        .order_by("-pk")
    )


# ---- credit products -----------------------------------------------------------------------------------


def products(principal: Principal, *, kind: str = "") -> QuerySet[CreditProduct]:
    qs = CreditProduct.objects.select_related("bank__organization").annotate(
        loans_count=Count("loans"), loans_wan=Coalesce(Sum("loans__amount_wan"), _zero())
    )
    if kind in ProductKind.values:
        qs = qs.filter(kind=kind)
    return scope(principal, qs, "product.view").order_by("-is_active", "kind", "bank__organization__name")


def product_get(principal: Principal, pk: int) -> CreditProduct:
    product = products(principal).filter(pk=pk).first()
    if product is None:
        raise Http404("信贷产品不存在或无权查看")
    return product


def active_products() -> QuerySet[CreditProduct]:
    return CreditProduct.objects.filter(is_active=True).select_related("bank__organization")


def banks() -> QuerySet[Investor]:
    return Investor.objects.filter(kind=InvestorKind.BANK).select_related("organization")


@dataclass
class ProductEligibility:
    product: CreditProduct
    verdict: Verdict


QUALIFICATION_LABELS = dict(QualificationKind.choices)


def eligibility_of(product: CreditProduct, enterprise: Enterprise, *, facts: Any = None) -> Verdict:
    from kechuang.policies.selectors import facts_for_enterprise

    facts = facts or facts_for_enterprise(enterprise)
    return evaluate(product.eligibility, facts, QUALIFICATION_LABELS)


def eligible_products(
    enterprise: Enterprise, *, only_eligible: bool = False, as_of: dt.date | None = None
) -> list[ProductEligibility]:
    """Every product on sale for this enterprise, eligible ones first, each with its reasons."""
    from kechuang.policies.selectors import facts_for_enterprise

    facts = facts_for_enterprise(enterprise, as_of=as_of)
    rows = [
        ProductEligibility(p, evaluate(p.eligibility, facts, QUALIFICATION_LABELS))
        for p in CreditProduct.objects.filter(is_active=True).select_related("bank__organization")
    ]
    order = {"met": 0, "unknown": 1, "not_met": 2}
    rows.sort(key=lambda r: (order[r.verdict.result], -r.product.max_amount_wan, r.product.pk))
    return [r for r in rows if r.verdict.eligible] if only_eligible else rows


# ---- financing requests --------------------------------------------------------------------------------


def requests(principal: Principal, *, q: str = "", status: str = "") -> QuerySet[FinancingRequest]:
    from kechuang.demands.models import Routing

    routed = (
        Routing.objects.filter(demand=OuterRef("demand_id"))
        .values("demand")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = FinancingRequest.objects.select_related("demand", "enterprise__organization").annotate(
        loans_wan=Coalesce(Sum("loans__amount_wan"), _zero()),
        routings_count=Coalesce(Subquery(routed), Value(0)),
    )
    if q:
        qs = qs.filter(Q(demand__title__icontains=q) | Q(enterprise__organization__name__icontains=q))
    if status:
        qs = qs.filter(demand__status=status)
    return scope(principal, qs, "financing.view").order_by("-created_at", "-pk")


def request_get(principal: Principal, pk: int) -> FinancingRequest:
    request = (
        scope(
            principal,
            FinancingRequest.objects.select_related("demand", "enterprise__organization"),
            "financing.view",
        )
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404("融资需求不存在或无权查看")
    return request


def routings_of(request: FinancingRequest) -> list[Any]:
    return list(request.demand.routings.select_related("investor__organization").order_by("pk"))


# ---- loans ---------------------------------------------------------------------------------------------


def loans(
    principal: Principal,
    *,
    status: str = "",
    kind: str = "",
    bank: int | None = None,
    year: int | None = None,
) -> QuerySet[Loan]:
    qs = Loan.objects.select_related(
        "enterprise__organization", "product__bank__organization", "financing_request__demand"
    ).annotate(
        subsidy_wan=Coalesce(Sum("subsidy__amount_wan"), _zero()),
        compensation_wan=Coalesce(Sum("compensation__amount_wan"), _zero()),
    )
    if status in LoanStatus.values:
        qs = qs.filter(status=status)
    if kind in ProductKind.values:
        qs = qs.filter(product__kind=kind)
    if bank:
        qs = qs.filter(product__bank_id=bank)
    if year:
        qs = qs.filter(granted_on__year=year)
    return scope(principal, qs, "loan.view").order_by("-granted_on", "-pk")


def loan_get(principal: Principal, pk: int) -> Loan:
    loan = loans(principal).filter(pk=pk).first()
    if loan is None:
        raise Http404("贷款不存在或无权查看")
    return loan


def subsidy_of(loan: Loan) -> InterestSubsidy | None:
    return InterestSubsidy.objects.filter(loan=loan).first()


def compensation_of(loan: Loan) -> Compensation | None:
    return Compensation.objects.filter(loan=loan).select_related("pool").first()


# ---- risk pool -----------------------------------------------------------------------------------------


def pools() -> QuerySet[RiskPool]:
    used = (
        Compensation.objects.filter(pool=OuterRef("pk"))
        .values("pool")
        .annotate(s=Sum("amount_wan"))
        .values("s")
    )
    return (
        RiskPool.objects.annotate(
            used_wan=Coalesce(Subquery(used, output_field=MONEY), _zero()),
            compensations_count=Count("compensations"),
        )
        .prefetch_related("banks__organization")
        .order_by("name")
    )


def pool_get(pk: int) -> RiskPool:
    pool = pools().filter(pk=pk).first()
    if pool is None:
        raise Http404("资金池不存在")
    pool.remaining_wan = pool.size_wan - pool.used_wan  # type: ignore[attr-defined]
    return pool


def pool_compensations(pool: RiskPool) -> QuerySet[Compensation]:
    return pool.compensations.select_related(
        "loan__enterprise__organization", "loan__product__bank__organization"
    ).order_by("-paid_on", "-pk")


def compensable_loans(pool: RiskPool) -> QuerySet[Loan]:
    """Defaulted loans of the pool's banks (any bank when it names none) not yet compensated."""
    qs = Loan.objects.filter(status=LoanStatus.DEFAULTED, compensation__isnull=True).select_related(
        "enterprise__organization", "product__bank__organization"
    )
    bank_ids = [b.pk for b in pool.banks.all()]
    if bank_ids:
        qs = qs.filter(product__bank_id__in=bank_ids)
    return qs.order_by("-defaulted_on", "-pk")


# ---- figures (the dashboard's contract) ----------------------------------------------------------------


CHANNEL_FUND = "fund"
CHANNEL_ROADSHOW = "roadshow"


def finance_figures(*, year: int | None = None) -> dict[str, Any]:
    """The finance figures, all computed from records (amounts in 万元, Decimal), in ten queries.

    Roadshow investments already recorded as a fund investment count once in ``raised_by_channel`` (under
    funds); ``roadshow_investment_amount_wan`` is every invested roadshow interest, as the events app has it.
    """
    loans_qs = Loan.objects.all()
    investments = FundInvestment.objects.all()
    interests = InvestorInterest.objects.filter(stage=InvestorInterest.Stage.INVESTED)
    subsidies = InterestSubsidy.objects.all()
    defaults = Loan.objects.filter(status=LoanStatus.DEFAULTED)
    compensations = Compensation.objects.all()
    if year is not None:
        loans_qs = loans_qs.filter(granted_on__year=year)
        investments = investments.filter(invested_on__year=year)
        interests = interests.filter(event__starts_at__year=year)
        subsidies = subsidies.filter(approved_on__year=year)
        defaults = defaults.filter(defaulted_on__year=year)
        compensations = compensations.filter(paid_on__year=year)

    by_kind = {
        r["product__kind"]: r
        for r in loans_qs.values("product__kind").annotate(n=Count("pk"), s=Sum("amount_wan")).order_by()
    }
    fund_total = investments.aggregate(s=Coalesce(Sum("amount_wan"), _zero()))["s"]
    roadshow = interests.aggregate(
        s=Coalesce(Sum("invested_amount"), _zero()),
        unlinked=Coalesce(Sum("invested_amount", filter=Q(fund_investment__isnull=True)), _zero()),
    )
    channels: list[dict[str, Any]] = [
        {
            "channel": kind.value,
            "label": kind.label,
            "amount_wan": by_kind.get(kind.value, EMPTY).get("s") or ZERO,
        }
        for kind in ProductKind
    ]
    channels.append({"channel": CHANNEL_FUND, "label": "基金投资", "amount_wan": fund_total})
    channels.append(
        {"channel": CHANNEL_ROADSHOW, "label": "路演对接投资", "amount_wan": roadshow["unlinked"]}
    )

    loan_ent = loans_qs.filter(enterprise=OuterRef("pk"))
    inv_ent = investments.filter(enterprise=OuterRef("pk"))
    roadshow_ent = interests.filter(presenter__organization_id=OuterRef("organization_id"))
    financed = Enterprise.objects.filter(Exists(loan_ent) | Exists(inv_ent) | Exists(roadshow_ent)).count()

    pool_size = RiskPool.objects.aggregate(s=Coalesce(Sum("size_wan"), _zero()))["s"]
    pool_used = Compensation.objects.aggregate(s=Coalesce(Sum("amount_wan"), _zero()))["s"]
    tiers = {
        r["tier"]: r
        for r in FundProfile.objects.values("tier")
        .annotate(count=Count("pk"), size_wan=Coalesce(Sum("fund__size"), _zero()))
        .order_by()
    }
    return {
        "year": year,
        "loans_count": sum(r["n"] for r in by_kind.values()),
        "loans_amount_wan": sum((r["s"] or ZERO for r in by_kind.values()), ZERO),
        "fund_investment_amount_wan": fund_total,
        "roadshow_investment_amount_wan": roadshow["s"],
        "subsidy_amount_wan": subsidies.aggregate(s=Coalesce(Sum("amount_wan"), _zero()))["s"],
        "raised_by_channel": channels,
        "enterprises_financed": financed,
        "defaulted_amount_wan": defaults.aggregate(s=Coalesce(Sum("default_amount_wan"), _zero()))["s"],
        "compensation_amount_wan": compensations.aggregate(s=Coalesce(Sum("amount_wan"), _zero()))["s"],
        "pool_remaining_wan": pool_size - pool_used,
        "funds_by_tier": [
            {
                "tier": tier.value,
                "label": tier.label,
                "count": tiers.get(tier.value, EMPTY).get("count", 0),
                "size_wan": tiers.get(tier.value, EMPTY).get("size_wan", ZERO),
            }
            for tier in FundTier
        ],
    }
