"""Reads for carriers: occupancy by carrier and month, computed from units and leases."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from kechuang.carriers.models import Carrier, Lease, SpaceUnit
from kechuang.carriers.occupancy import Occupancy, last_day_in_force, monthly_occupancy


def carriers() -> QuerySet[Carrier]:
    return Carrier.objects.select_related("township")


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
