"""Reads for carriers and parks: occupancy by carrier and month, tenants, growth and park figures, all
computed from units, leases, park tenancies and the enterprises' yearly figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum

from kechuang.carriers.models import (
    Carrier,
    CarrierKind,
    Lease,
    ParkProject,
    ParkStatus,
    ParkTenancy,
    SpaceUnit,
)
from kechuang.carriers.occupancy import Occupancy, last_day_in_force, month_index, monthly_occupancy
from kechuang.core.access import Principal, scope
from kechuang.orgs.choices import Level
from kechuang.orgs.models import EnterpriseYearFigure

INCUBATING_KINDS = (CarrierKind.MAKER_SPACE, CarrierKind.INCUBATOR)


def carriers() -> QuerySet[Carrier]:
    return Carrier.objects.select_related("township")


def visible_carriers(principal: Principal) -> QuerySet[Carrier]:
    return scope(principal, carriers(), "carrier.view")


def occupancy(*, first: dt.date, last: dt.date, carrier_ids: list[int] | None = None) -> Occupancy:
    """Month-end occupancy for every carrier (or those given) between two dates, in three queries."""
    ids = carrier_ids if carrier_ids is not None else list(Carrier.objects.values_list("pk", flat=True))
    units = (
        SpaceUnit.objects.filter(building__carrier_id__in=ids)
        if carrier_ids is not None
        else SpaceUnit.objects
    )
    unit_rows = [
        (pk, carrier, float(area), since)
        for pk, carrier, area, since in units.values_list(
            "pk", "building__carrier_id", "area_m2", "available_from"
        )
    ]
    leases = Lease.objects.filter(starts_on__lte=last).exclude(ends_on__lt=first)
    if carrier_ids is not None:
        leases = leases.filter(unit__building__carrier_id__in=ids)
    lease_rows = [
        (unit_id, starts_on, last_day_in_force(ends_on, early))
        for unit_id, starts_on, ends_on, early in leases.values_list(
            "unit_id", "starts_on", "ends_on", "ended_early_on"
        )
    ]
    return monthly_occupancy(carrier_ids=ids, units=unit_rows, leases=lease_rows, first=first, last=last)


def in_force_on(day: dt.date) -> Q:
    """Leases holding their unit on ``day`` (an early move-out frees the unit on the move-out day)."""
    return (
        Q(starts_on__lte=day)
        & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        & (Q(ended_early_on__isnull=True) | Q(ended_early_on__gt=day))
    )


def _available_on(day: dt.date) -> Q:
    return Q(available_from__isnull=True) | Q(available_from__lte=day)


def carrier_rows(carrier_list: list[Carrier], *, as_of: dt.date) -> list[dict[str, Any]]:
    """Area, leased area, occupancy, tenants and graduates per carrier, in three grouped queries."""
    ids = [c.pk for c in carrier_list]
    area = dict(
        SpaceUnit.objects.filter(_available_on(as_of), building__carrier_id__in=ids)
        .values_list("building__carrier_id")
        .annotate(total=Sum("area_m2"))
    )
    current: dict[int, dict[str, Any]] = {
        row["unit__building__carrier_id"]: dict(row)
        for row in Lease.objects.filter(in_force_on(as_of), unit__building__carrier_id__in=ids)
        .values("unit__building__carrier_id")
        .annotate(leased=Sum("unit__area_m2"), tenants=Count("pk"))
    }
    graduates = dict(
        Lease.objects.filter(graduated=True, unit__building__carrier_id__in=ids)
        .values_list("unit__building__carrier_id")
        .annotate(n=Count("pk"))
    )
    rows = []
    for c in carrier_list:
        total = area.get(c.pk) or Decimal(0)
        leased = (current.get(c.pk) or {}).get("leased") or Decimal(0)
        rows.append(
            {
                "carrier": c,
                "area_m2": total,
                "leased_m2": leased,
                "occupancy": float(leased / total) if total else None,
                "tenants": (current.get(c.pk) or {}).get("tenants", 0),
                "graduates": graduates.get(c.pk, 0),
            }
        )
    return rows


def carrier_units(carrier: Carrier, *, as_of: dt.date) -> list[dict[str, Any]]:
    """Each unit of a carrier with the lease holding it today (two queries)."""
    units = list(
        SpaceUnit.objects.filter(building__carrier=carrier)
        .select_related("building")
        .order_by("building", "code")
    )
    holding = {
        lease.unit_id: lease
        for lease in Lease.objects.filter(in_force_on(as_of), unit__building__carrier=carrier).select_related(
            "enterprise__organization", "project"
        )
    }
    return [{"unit": u, "lease": holding.get(u.pk)} for u in units]


def carrier_leases(carrier: Carrier) -> QuerySet[Lease]:
    return (
        Lease.objects.filter(unit__building__carrier=carrier)
        .select_related("unit__building", "enterprise__organization", "project")
        .order_by("-starts_on")
    )


def enterprise_leases(principal: Principal) -> QuerySet[Lease]:
    """The leases of the signed-in enterprise (我的入驻), newest first."""
    return (
        Lease.objects.filter(enterprise__organization_id=principal.organization_id or 0)
        .select_related("unit__building__carrier")
        .order_by("-starts_on")
    )


def _year_points(as_of: dt.date) -> list[dt.date]:
    """The last three year ends before ``as_of`` and ``as_of`` itself: four points, three years of growth."""
    return [dt.date(as_of.year - k, 12, 31) for k in (3, 2, 1)] + [as_of]


def carrier_figures(*, as_of: dt.date) -> dict[str, Any]:
    """County carrier figures today and at the last three year ends (for 近三年面积/在孵企业增长)."""
    growth = []
    for day in _year_points(as_of):
        area = SpaceUnit.objects.filter(_available_on(day)).aggregate(s=Sum("area_m2"))["s"] or Decimal(0)
        leases = Lease.objects.filter(in_force_on(day))
        counts = leases.aggregate(
            tenants=Count("pk"),
            incubatees=Count(
                "pk", filter=Q(project__isnull=False) | Q(unit__building__carrier__kind__in=INCUBATING_KINDS)
            ),
        )
        growth.append({"year": day.year, "day": day, "area_m2": float(area), **counts})
    kinds = dict(CarrierKind.choices)
    by_kind = [
        (kinds.get(k, k), n)
        for k, n in Carrier.objects.values_list("kind").annotate(n=Count("pk")).order_by("kind")
    ]
    today = growth[-1]
    leased = Lease.objects.filter(in_force_on(as_of)).aggregate(s=Sum("unit__area_m2"))["s"] or Decimal(0)
    base = growth[0]
    return {
        "carriers": Carrier.objects.count(),
        "by_kind": by_kind,
        "national": Carrier.objects.filter(level=Level.NATIONAL).count(),
        "area_m2": today["area_m2"],
        "leased_m2": float(leased),
        "occupancy_pct": float(leased) / today["area_m2"] if today["area_m2"] else None,
        "tenants": today["tenants"],
        "graduates": Lease.objects.filter(graduated=True).count(),
        "growth": growth,
        "area_growth_pct": (today["area_m2"] - base["area_m2"]) / base["area_m2"]
        if base["area_m2"]
        else None,
        "tenant_growth_pct": (
            (today["incubatees"] - base["incubatees"]) / base["incubatees"] if base["incubatees"] else None
        ),
    }


def occupancy_by_carrier(*, months: int, as_of: dt.date) -> list[dict[str, Any]]:
    """Month-end occupancy of each carrier over the last ``months`` months (None before it has space)."""
    start = month_index(as_of) - months + 1
    first = dt.date(start // 12, start % 12 + 1, 1)
    carrier_list = list(Carrier.objects.order_by("kind", "name"))
    result = occupancy(first=first, last=as_of, carrier_ids=[c.pk for c in carrier_list])
    kinds = dict(CarrierKind.choices)
    rate = result.rate
    return [
        {
            "id": c.pk,
            "name": c.name,
            "kind": c.kind,
            "kind_label": kinds.get(c.kind, c.kind),
            "months": result.months,
            "occupancy": [None if v != v else float(v) for v in rate[i]],  # NaN: no space yet
        }
        for i, c in enumerate(carrier_list)
    ]


# ---- park projects ------------------------------------------------------------------------------------


def park_projects() -> QuerySet[ParkProject]:
    return (
        ParkProject.objects.select_related("township")
        .annotate(
            signed=Count("tenancies"),
            producing=Count("tenancies", filter=Q(tenancies__producing_since__isnull=False)),
        )
        .order_by("name")
    )


def park_tenancies(project: ParkProject) -> QuerySet[ParkTenancy]:
    return project.tenancies.select_related("enterprise__organization").order_by("signed_on")


def park_figures() -> dict[str, Any]:
    """The 标准化项目 figures: projects, areas, signed and producing firms, and the producing firms' output in
    the latest year their figures were reported (from the yearly figures, not typed)."""
    totals = ParkProject.objects.aggregate(n=Count("pk"), planned=Sum("planned_m2"), built=Sum("built_m2"))
    labels = dict(ParkStatus.choices)
    by_status = dict(ParkProject.objects.values_list("status").annotate(n=Count("pk")))
    producing_ids = ParkTenancy.objects.filter(producing_since__isnull=False).values("enterprise_id")
    figures = EnterpriseYearFigure.objects.filter(enterprise_id__in=producing_ids)
    output_year = figures.filter(revenue__isnull=False).aggregate(y=Max("year"))["y"]
    output = (
        figures.filter(year=output_year).aggregate(s=Sum("revenue"))["s"] if output_year else None
    ) or Decimal(0)
    return {
        "projects": totals["n"],
        "planned_m2": totals["planned"] or Decimal(0),
        "built_m2": totals["built"] or Decimal(0),
        "by_status": [(labels[s], by_status.get(s, 0)) for s in ParkStatus.values],
        "signed": ParkTenancy.objects.values("enterprise_id").distinct().count(),
        "producing": ParkTenancy.objects.filter(producing_since__isnull=False)
        .values("enterprise_id")
        .distinct()
        .count(),
        "output_wan": output,
        "output_year": output_year,
    }
