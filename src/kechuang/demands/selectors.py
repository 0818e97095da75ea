"""Reads of demands, always through the access rules; the funnel and per-party figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from kechuang.core.access import Principal, may, require, scope
from kechuang.core.workdays import add_workdays
from kechuang.demands.choices import FUNNEL, OPEN_STATUSES, RoutingStatus, Status, TargetKind
from kechuang.demands.models import (
    Campaign,
    Demand,
    DemandEvent,
    FieldVisit,
    Holiday,
    Interest,
    Routing,
    VisitPlanItem,
)
from kechuang.demands.services import TRIAGE_WORKDAYS
from kechuang.orgs.models import Enterprise, Township


@dataclass(frozen=True)
class DemandFilters:
    q: str = ""
    status: str = ""
    demand_type: str = ""
    township: int | None = None
    campaign: int | None = None
    industry: str = ""
    overdue: bool = False
    since: dt.date | None = None
    until: dt.date | None = None


def _filtered(qs: QuerySet[Demand], f: DemandFilters) -> QuerySet[Demand]:
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(enterprise__organization__name__icontains=f.q))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.demand_type:
        qs = qs.filter(demand_type=f.demand_type)
    if f.township:
        qs = qs.filter(township_id=f.township)
    if f.campaign:
        qs = qs.filter(campaign_id=f.campaign)
    if f.industry:
        qs = qs.filter(industry_code__startswith=f.industry)
    if f.since:
        qs = qs.filter(submitted_at__date__gte=f.since)
    if f.until:
        qs = qs.filter(submitted_at__date__lte=f.until)
    if f.overdue:
        qs = qs.filter(overdue_q())
    return qs


def _holidays() -> dict[dt.date, bool]:
    return dict(Holiday.objects.values_list("date", "is_workday"))


def triage_cutoff() -> dt.datetime:
    """Demands submitted before this moment have waited longer than the triage deadline."""
    today = timezone.localdate()
    # Walk back: the latest submission date whose deadline has already passed.
    day = today
    holidays = _holidays()
    while add_workdays(day, TRIAGE_WORKDAYS, holidays) >= today:
        day -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def overdue_q() -> Q:
    """Overdue: waiting for triage past the deadline, or routed with an acknowledgement past due."""
    routing_late = Routing.objects.filter(
        demand=OuterRef("pk"), status=RoutingStatus.PENDING, ack_due__lt=timezone.localdate()
    )
    return Q(status=Status.SUBMITTED, submitted_at__lt=triage_cutoff()) | Q(
        Exists(routing_late), status__in=OPEN_STATUSES
    )


def demand_list(*, principal: Principal, filters: DemandFilters) -> QuerySet[Demand]:
    """Demands the principal works with (full access), for the working list."""
    qs = scope(principal, Demand.objects.all(), "demand.list")
    return (
        _filtered(qs, filters)
        .select_related("enterprise__organization", "township")
        .order_by(F("submitted_at").desc(nulls_first=True), "-pk")
    )


def attach_overdue(demands: list[Demand]) -> None:
    """Mark each demand on a page as overdue or not (one query for the page)."""
    ids = {d.pk for d in demands}
    late = set(Demand.objects.filter(pk__in=ids).filter(overdue_q()).values_list("pk", flat=True))
    for demand in demands:
        demand.is_overdue = demand.pk in late  # type: ignore[attr-defined]


def public_demands(*, principal: Principal, q: str = "", demand_type: str = "") -> QuerySet[Demand]:
    """Published demands for the demand hall; private ones never appear here, whoever asks."""
    from kechuang.demands.access import published_q

    qs = Demand.objects.filter(published_q())
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(public_summary__icontains=q)
            | Q(confidentiality="public", description__icontains=q)
        )
    if demand_type:
        qs = qs.filter(demand_type=demand_type)
    return qs.select_related("township").order_by("-submitted_at", "-pk")


def demand_get(*, principal: Principal, pk: int) -> tuple[Demand, bool]:
    """The demand and whether the principal may see all of it (else only the approved public summary)."""
    require(principal, "demand.view")
    demand = (
        scope(principal, Demand.objects.all(), "demand.view")
        .select_related(
            "enterprise__organization", "township", "campaign", "merged_into", "chain", "filed_by"
        )
        .filter(pk=pk)
        .first()
    )
    if demand is None:
        raise Http404("需求不存在或无权查看")
    return demand, may(principal, "demand.view_full", demand)


def demand_for_action(*, principal: Principal, pk: int, action: str) -> Demand:
    """Load a demand for a write; 404 when outside the principal's scope for that action."""
    require(principal, action)
    demand = (
        scope(principal, Demand.objects.all(), action)
        .select_related("enterprise__organization")
        .filter(pk=pk)
        .first()
    )
    if demand is None:
        raise Http404("需求不存在或无权操作")
    return demand


def timeline(demand: Demand) -> list[DemandEvent]:
    labels = dict(Status.choices)
    events = list(demand.events.select_related("actor__profile"))
    for event in events:
        event.to_label = labels.get(event.to_status, "")  # type: ignore[attr-defined]
    return events


def routings_for(demand: Demand) -> list[Routing]:
    today = timezone.localdate()
    routings = list(
        demand.routings.select_related(
            "enclave", "institution__organization", "expert", "investor__organization"
        ).prefetch_related("responses")
    )
    for routing in routings:
        routing.is_overdue = routing.status == RoutingStatus.PENDING and routing.ack_due < today  # type: ignore[attr-defined]
    return routings


def own_routing(*, principal: Principal, demand: Demand) -> Routing | None:
    """The routing through which this principal (a routed party) answers the demand."""
    from kechuang.demands.access import routed_q

    if not Demand.objects.filter(routed_q(principal), pk=demand.pk).exists():
        return None
    condition = Q(enclave_id=principal.enclave_id) if principal.enclave_id else Q(pk__in=[])
    if principal.expert_id:
        condition |= Q(expert_id=principal.expert_id)
    if principal.organization_id:
        condition |= Q(institution__organization_id=principal.organization_id)
        condition |= Q(investor__organization_id=principal.organization_id)
    return demand.routings.filter(condition).first()


def interests_for(demand: Demand) -> QuerySet[Interest]:
    return demand.interests.select_related("user__profile")


def near_duplicates(demand: Demand, *, limit: int = 5) -> list[tuple[Demand, float]]:
    """Open demands whose title shares most words with this one (same enterprise first)."""
    from kechuang.demands.text import similarity

    candidates = Demand.objects.exclude(pk=demand.pk).exclude(
        status__in=[Status.MERGED, Status.REJECTED, Status.DRAFT]
    )
    candidates = candidates.filter(
        Q(enterprise_id=demand.enterprise_id) | Q(industry_code=demand.industry_code)
    )
    scored = []
    for other in candidates.select_related("enterprise__organization").order_by("-pk")[:500]:
        score = similarity(
            f"{demand.title} {demand.description[:200]}", f"{other.title} {other.description[:200]}"
        )
        if other.enterprise_id == demand.enterprise_id:
            score += 0.1
        if score >= 0.35:
            scored.append((other, min(score, 1.0)))
    return sorted(scored, key=lambda pair: -pair[1])[:limit]


# ---- the funnel ---------------------------------------------------------------------------------------


@dataclass
class Funnel:
    stages: list[dict[str, Any]]
    total: int
    by_status: list[dict[str, Any]]
    days_in_status: list[dict[str, Any]]
    close_reasons: list[dict[str, Any]]
    contracts_amount: float
    contracts_count: int


def funnel(*, principal: Principal, filters: DemandFilters) -> Funnel:
    """filed → triaged → routed → answered → docked → contracted → landed, with conversion and time spent."""
    demands = _filtered(scope(principal, Demand.objects.all(), "demand.list"), filters).filter(
        stage_reached__gte=1
    )
    reached = dict(demands.values("stage_reached").annotate(n=Count("pk")).values_list("stage_reached", "n"))
    total = sum(reached.values())
    stages, previous = [], None
    for number, label, _ in FUNNEL:
        count = sum(n for stage, n in reached.items() if stage >= number)
        stages.append(
            {
                "stage": number,
                "label": label,
                "count": count,
                "share": count / total if total else None,
                "conversion": count / previous if previous else None,
            }
        )
        previous = count or None
    labels = dict(Status.choices)
    by_status = [
        {"status": s, "label": labels[s], "count": n}
        for s, n in demands.values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
        .order_by("status")
    ]
    spans = (
        DemandEvent.objects.filter(demand__in=demands.values("pk"), seconds_in_status__isnull=False)
        .values("to_status")
        .annotate(avg=Avg("seconds_in_status"), n=Count("pk"))
    )
    days = [
        {
            "status": row["to_status"],
            "label": labels[row["to_status"]],
            "days": row["avg"] / 86400,
            "samples": row["n"],
        }
        for row in spans
        if row["to_status"] in OPEN_STATUSES
    ]
    days.sort(key=lambda d: list(labels).index(d["status"]))
    reasons = [
        {"reason": r, "count": n}
        for r, n in demands.filter(status=Status.CLOSED)
        .values("close_reason")
        .annotate(n=Count("pk"))
        .values_list("close_reason", "n")
    ]
    from kechuang.demands.models import TechContract

    money = TechContract.objects.filter(demand__in=demands.values("pk")).aggregate(
        total=Sum("amount"), n=Count("pk")
    )
    return Funnel(
        stages=stages,
        total=total,
        by_status=by_status,
        days_in_status=days,
        close_reasons=reasons,
        contracts_amount=float(money["total"] or 0),
        contracts_count=money["n"],
    )


def party_figures(*, since: dt.date | None = None, until: dt.date | None = None) -> list[dict[str, Any]]:
    """Per routed party: routed, answered, answer rate, acknowledged on time, accepted, contracts.

    These feed the enclaves' KPI assessment later (需求响应率与及时率)."""
    qs = Routing.objects.all()
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    rows = []
    for kind in TargetKind:
        name_field = {
            "enclave": "enclave__name",
            "expert": "expert__name",
            "institution": "institution__organization__name",
            "investor": "investor__organization__name",
        }[kind.value]
        grouped = (
            qs.filter(target_kind=kind)
            .values(f"{kind.value}_id", name_field)
            .annotate(
                routed=Count("pk", distinct=True),
                answered=Count("pk", filter=Q(status=RoutingStatus.ANSWERED), distinct=True),
                declined=Count("pk", filter=Q(status=RoutingStatus.DECLINED), distinct=True),
                on_time=Count("pk", filter=Q(acknowledged_at__date__lte=F("ack_due")), distinct=True),
                accepted=Count("responses", filter=Q(responses__accepted=True), distinct=True),
                ratings=Avg("responses__rating"),
            )
        )
        for row in grouped:
            routed = row["routed"]
            rows.append(
                {
                    "kind": kind.value,
                    "kind_label": kind.label,
                    "id": row[f"{kind.value}_id"],
                    "name": row[name_field],
                    "routed": routed,
                    "answered": row["answered"],
                    "declined": row["declined"],
                    "answer_rate": row["answered"] / routed if routed else None,
                    "on_time_rate": row["on_time"] / routed if routed else None,
                    "accepted": row["accepted"],
                    "avg_rating": row["ratings"],
                }
            )
    from kechuang.demands.models import TechContract

    contracts = (
        TechContract.objects.exclude(response__isnull=True)
        .values(
            "response__routing__target_kind",
            "response__routing__enclave_id",
            "response__routing__expert_id",
            "response__routing__institution_id",
            "response__routing__investor_id",
        )
        .annotate(n=Count("pk"), amount=Sum("amount"))
    )
    by_target: dict[tuple[str, int], tuple[int, float]] = {}
    for c in contracts:
        contract_row: dict[str, Any] = dict(c)
        target_kind = contract_row["response__routing__target_kind"]
        key = (target_kind, contract_row[f"response__routing__{target_kind}_id"])
        by_target[key] = (contract_row["n"], float(contract_row["amount"] or 0))
    for row in rows:
        row["contracts"], row["contract_amount"] = by_target.get((row["kind"], row["id"]), (0, 0.0))
    return sorted(rows, key=lambda r: (-r["routed"], r["name"] or ""))


# ---- campaigns ----------------------------------------------------------------------------------------


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.annotate(
        demand_count=Count("demands", distinct=True), visit_count=Count("visits", distinct=True)
    )


def campaign_get(*, pk: int) -> Campaign:
    campaign = Campaign.objects.prefetch_related("chains", "townships").filter(pk=pk).first()
    if campaign is None:
        raise Http404("征集活动不存在")
    return campaign


def campaign_progress(*, principal: Principal, campaign: Campaign) -> list[dict[str, Any]]:
    """Per township: visits recorded and demands collected against the campaign's target."""
    townships = list(campaign.townships.all()) or list(Township.objects.all())
    if principal.township_id:
        townships = [t for t in townships if t.pk == principal.township_id]
    visits = dict(
        FieldVisit.objects.filter(campaign=campaign)
        .values("township_id")
        .annotate(n=Count("enterprise_id", distinct=True))
        .values_list("township_id", "n")
    )
    demands = dict(
        Demand.objects.filter(campaign=campaign)
        .exclude(status=Status.DRAFT)
        .values("township_id")
        .annotate(n=Count("pk"))
        .values_list("township_id", "n")
    )
    target = campaign.target_per_township
    return [
        {
            "township": t,
            "visits": visits.get(t.pk, 0),
            "demands": demands.get(t.pk, 0),
            "target": target,
            "completion": min(1.0, visits.get(t.pk, 0) / target) if target else None,
        }
        for t in townships
    ]


def visits_for(*, principal: Principal, campaign: Campaign) -> QuerySet[FieldVisit]:
    qs = FieldVisit.objects.filter(campaign=campaign).select_related(
        "enterprise__organization", "township", "officer"
    )
    if principal.township_id:
        qs = qs.filter(township_id=principal.township_id)
    return qs


def visit_plan(*, principal: Principal, campaign: Campaign) -> QuerySet[VisitPlanItem]:
    """The campaign's planned visits (a township officer: his township's), each marked visited or not."""
    visited = FieldVisit.objects.filter(campaign=campaign, enterprise_id=OuterRef("enterprise_id"))
    qs = (
        VisitPlanItem.objects.filter(campaign=campaign)
        .select_related("enterprise__organization", "township")
        .annotate(visited=Exists(visited))
    )
    if principal.township_id:
        qs = qs.filter(township_id=principal.township_id)
    return qs


def fileable_enterprises(*, principal: Principal) -> QuerySet[Enterprise]:
    """Enterprises the principal may file a demand for."""
    if principal.is_bureau:
        return Enterprise.objects.select_related("organization")
    return scope(principal, Enterprise.objects.all(), "enterprise.view").select_related("organization")
