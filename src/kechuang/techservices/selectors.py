"""Reads for technology services: lists scoped to the viewer, the week calendar, and the figures the
dashboard shows (ledger_figures, ip_figures, pilot_figures), computed with database aggregates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from kechuang.core.access import Principal, scope
from kechuang.techservices import ledger
from kechuang.techservices.models import (
    OPEN_CASE_STATUSES,
    Booking,
    BookingStatus,
    CaseStatus,
    CaseType,
    ClaimStatus,
    Equipment,
    IPCase,
    Outcome,
    PilotPlatform,
    ProviderKind,
    ServiceClaim,
)

ZERO = Decimal(0)


# ---- IP cases ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    case_type: str = ""
    q: str = ""


def ipcase_list(*, principal: Principal, filters: CaseFilters) -> QuerySet[IPCase]:
    rows = scope(principal, IPCase.objects.select_related("enterprise__organization"), "ipcase.view")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.case_type:
        rows = rows.filter(case_type=filters.case_type)
    if filters.q:
        rows = rows.filter(
            Q(title__icontains=filters.q) | Q(enterprise__organization__name__icontains=filters.q)
        )
    return rows


def ipcase_get(*, principal: Principal, pk: int) -> IPCase:
    """The case, or 404 when it does not exist or lies outside the viewer's scope."""
    case = ipcase_list(principal=principal, filters=CaseFilters()).filter(pk=pk).first()
    if case is None:
        raise Http404("未找到该维权案件")
    return case


def days_open(case: IPCase, today: dt.date | None = None) -> int:
    return ledger.days_open(case.intake_on, case.closed_on, today or timezone.localdate())


def with_days_open(cases: Any, today: dt.date | None = None) -> list[IPCase]:
    """The cases with `days_open` set on each (closed_on or today − intake_on)."""
    day = today or timezone.localdate()
    rows = list(cases)
    for case in rows:
        case.days_open = days_open(case, day)  # type: ignore[attr-defined]
    return rows


def ip_figures(*, principal: Principal | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """Cases, open/closed, mediated successfully, mean days open and counts by type."""
    rows = IPCase.objects.all()
    if principal is not None:
        rows = scope(principal, rows, "ipcase.view")
    day = today or timezone.localdate()
    dates = list(rows.values_list("intake_on", "closed_on", "status", "outcome", "case_type"))
    spans = [ledger.days_open(i, c, day) for i, c, *_ in dates]
    labels = dict(CaseType.choices)
    by_type: dict[str, dict[str, Any]] = {}
    for _, _, status, _, kind in dates:
        entry = by_type.setdefault(
            kind, {"type": kind, "label": labels.get(kind, kind), "cases": 0, "open": 0}
        )
        entry["cases"] += 1
        entry["open"] += status in OPEN_CASE_STATUSES
    return {
        "cases": len(dates),
        "open": sum(1 for d in dates if d[2] in OPEN_CASE_STATUSES),
        "closed": sum(1 for d in dates if d[2] == CaseStatus.CLOSED),
        "mediated_ok": sum(1 for d in dates if d[3] == Outcome.MEDIATED),
        "avg_days_open": round(sum(spans) / len(spans), 1) if spans else None,
        "by_type": sorted(by_type.values(), key=lambda e: (-e["cases"], e["type"])),
    }


# ---- pilot platforms --------------------------------------------------------------------------------


def platform_list() -> QuerySet[PilotPlatform]:
    return PilotPlatform.objects.select_related("operator", "township").annotate(
        equipment_count=Count("equipment", distinct=True)
    )


def platform_get(pk: int) -> PilotPlatform:
    platform = PilotPlatform.objects.select_related("operator", "township").filter(pk=pk).first()
    if platform is None:
        raise Http404("未找到该中试平台")
    return platform


def equipment_get(pk: int) -> Equipment:
    equipment = Equipment.objects.select_related("platform").filter(pk=pk).first()
    if equipment is None:
        raise Http404("未找到该设备")
    return equipment


def booking_get(*, principal: Principal, pk: int, action: str = "pilot.book") -> Booking:
    rows = Booking.objects.select_related("equipment__platform", "enterprise__organization")
    booking = scope(principal, rows, action).filter(pk=pk).first()
    if booking is None:
        raise Http404("未找到该预约")
    return booking


def parse_week(value: str, today: dt.date | None = None) -> dt.date:
    """The Monday of ?week=YYYY-MM-DD (this week when missing or malformed)."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        day = today or timezone.localdate()
    return ledger.monday_of(day)


def week_calendar(*, platform: PilotPlatform, week: dt.date, principal: Principal) -> dict[str, Any]:
    """Rows per active equipment, a cell per day listing the live bookings that touch it. Names of other
    enterprises are shown to the bureau only; an enterprise sees its own bookings by name."""
    days = ledger.week_days(week)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(days[0], dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=7)
    equipment = list(platform.equipment.all())
    bookings = (
        Booking.objects.filter(equipment__platform=platform, starts_at__lt=end, ends_at__gt=start)
        .exclude(status=BookingStatus.CANCELLED)
        .select_related("enterprise__organization")
    )
    own_org = principal.organization_id if not principal.is_bureau else None
    cells: dict[tuple[int, dt.date], list[dict[str, Any]]] = {}
    for b in bookings:
        local_start, local_end = timezone.localtime(b.starts_at), timezone.localtime(b.ends_at)
        mine = own_org is not None and b.enterprise.organization_id == own_org
        who = str(b.enterprise) if principal.is_bureau or mine else "已预约"
        for day in ledger.days_touched(local_start, local_end):
            if days[0] <= day <= days[-1]:
                cells.setdefault((b.equipment_id, day), []).append(
                    {
                        "booking": b,
                        "who": who,
                        "mine": mine,
                        "period": ledger.period_text(local_start, local_end),
                    }
                )
    rows = [{"equipment": e, "cells": [cells.get((e.pk, d), []) for d in days]} for e in equipment]
    return {
        "days": days,
        "rows": rows,
        "previous": days[0] - dt.timedelta(days=7),
        "next": days[0] + dt.timedelta(days=7),
        "count": bookings.count(),
    }


def bookings_for(*, principal: Principal, platform: PilotPlatform | None = None) -> QuerySet[Booking]:
    """Bookings the viewer may act on: an enterprise its own, the bureau all (newest first)."""
    rows = Booking.objects.select_related("equipment__platform", "enterprise__organization").order_by(
        "-starts_at"
    )
    if platform is not None:
        rows = rows.filter(equipment__platform=platform)
    return scope(principal, rows, "pilot.book")


def pilot_figures() -> dict[str, Any]:
    """Platforms, equipment, live bookings, hours used and fees (completed bookings, in 万元)."""
    used = Booking.objects.filter(status=BookingStatus.COMPLETED).aggregate(
        hours=Sum("used_hours"), fees=Sum("fee_yuan")
    )
    return {
        "platforms": PilotPlatform.objects.count(),
        "equipment": Equipment.objects.count(),
        "bookings": Booking.objects.exclude(status=BookingStatus.CANCELLED).count(),
        "hours_used": used["hours"] or ZERO,
        "fees_wan": (used["fees"] or ZERO) / Decimal(10000),
    }


# ---- the service ledger -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilters:
    status: str = ""
    provider_kind: str = ""
    year: int | None = None
    q: str = ""
    solved: bool = False  # only claims that solved a technical problem (the 解决技术难题 headline)


def _year_range(rows: QuerySet[ServiceClaim], year: int | None) -> QuerySet[ServiceClaim]:
    """A range on served_on (uses the index) rather than a year extraction."""
    if year is None:
        return rows
    return rows.filter(served_on__gte=dt.date(year, 1, 1), served_on__lt=dt.date(year + 1, 1, 1))


def claim_list(*, principal: Principal, filters: LedgerFilters) -> QuerySet[ServiceClaim]:
    rows = scope(
        principal,
        ServiceClaim.objects.select_related("enterprise__organization", "demand", "contract", "booking"),
        "ledger.view",
    )
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.provider_kind:
        rows = rows.filter(provider_kind=filters.provider_kind)
    rows = _year_range(rows, filters.year)
    if filters.solved:
        rows = rows.filter(solved=True)
    if filters.q:
        rows = rows.filter(
            Q(provider_name__icontains=filters.q)
            | Q(enterprise__organization__name__icontains=filters.q)
            | Q(problem__icontains=filters.q)
        )
    return rows


def claim_get(*, principal: Principal, pk: int, action: str = "ledger.view") -> ServiceClaim:
    rows = ServiceClaim.objects.select_related(
        "enterprise__organization",
        "demand",
        "meeting__demand",
        "contract",
        "booking__equipment",
        "recorded_by",
    )
    claim = scope(principal, rows, action).filter(pk=pk).first()
    if claim is None:
        raise Http404("未找到该服务记录")
    return claim


def my_claims(*, principal: Principal) -> QuerySet[ServiceClaim]:
    """Claims about the signed-in enterprise, the ones waiting for its answer first."""
    rows = scope(principal, ServiceClaim.objects.select_related("recorded_by"), "ledger.confirm")
    return rows.order_by("status", "-served_on", "-pk")


def recorded_by(*, user_id: int | None, limit: int = 20) -> list[ServiceClaim]:
    """The latest claims a provider recorded (shown under the claim form)."""
    if user_id is None:
        return []
    rows = ServiceClaim.objects.filter(recorded_by_id=user_id).select_related("enterprise__organization")
    return list(rows.order_by("-pk")[:limit])


def ledger_figures(
    *, year: int | None = None, principal: Principal | None = None, provider_kind: str = ""
) -> dict[str, Any]:
    """The county's service figures: 服务企业 X 家次 / 解决难题 Y 项 / 创造价值 Z 万元 from confirmed claims
    only, the unconfirmed and disputed apart. Two aggregate queries, whatever the number of claims."""
    rows = ServiceClaim.objects.all()
    if principal is not None:
        rows = scope(principal, rows, "ledger.view")
    if provider_kind:
        rows = rows.filter(provider_kind=provider_kind)
    rows = _year_range(rows, year)
    confirmed = Q(status=ClaimStatus.CONFIRMED)
    pending = Q(status=ClaimStatus.CLAIMED)
    totals = rows.aggregate(
        confirmed_visits=Count("pk", filter=confirmed),
        confirmed_firms=Count("enterprise_id", filter=confirmed, distinct=True),
        solved_problems=Count("pk", filter=confirmed & Q(solved=True)),
        value_wan=Sum("value_claimed_wan", filter=confirmed),
        pending_visits=Count("pk", filter=pending),
        pending_value_wan=Sum("value_claimed_wan", filter=pending),
        disputed_visits=Count("pk", filter=Q(status=ClaimStatus.DISPUTED)),
    )
    labels = dict(ProviderKind.choices)
    # Grouped by status too (not filtered on it), so the scan stays on the covering index claim_figures.
    groups = [
        g
        for g in rows.order_by()
        .values("status", "provider_kind")
        .annotate(visits=Count("pk"), value=Sum("value_claimed_wan"))
        if g["status"] == ClaimStatus.CONFIRMED
    ]
    by_kind = sorted(
        (
            {
                "kind": g["provider_kind"],
                "label": labels.get(g["provider_kind"], g["provider_kind"]),
                "visits": g["visits"],
                "value_wan": g["value"] or ZERO,
            }
            for g in groups
        ),
        key=lambda e: (-e["visits"], e["kind"]),
    )
    return {
        "confirmed_visits": totals["confirmed_visits"],
        "confirmed_firms": totals["confirmed_firms"],
        "solved_problems": totals["solved_problems"],
        "value_wan": totals["value_wan"] or ZERO,
        "pending_visits": totals["pending_visits"],
        "pending_value_wan": totals["pending_value_wan"] or ZERO,
        "disputed_visits": totals["disputed_visits"],
        "by_provider_kind": by_kind,
    }


def ledger_years() -> list[int]:
    """Years that have claims, newest first (for the year filter)."""
    dates = ServiceClaim.objects.dates("served_on", "year", order="DESC")
    return [d.year for d in dates]
