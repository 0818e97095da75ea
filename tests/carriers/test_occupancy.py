"""Occupancy from leases: month-end rule at its edges, core vs. brute force, overlapping leases refused."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from kechuang.carriers import selectors, services
from kechuang.carriers.models import CarrierKind, Lease
from kechuang.carriers.occupancy import last_day_in_force, month_end, monthly_occupancy
from tests import factories as f

D = dt.date


def test_month_end_rule_at_its_edges() -> None:
    units = [(1, 10, 100.0, None), (2, 10, 50.0, D(2025, 3, 15))]
    leases = [
        (1, D(2025, 1, 31), D(2025, 3, 30)),  # in force on Jan 31 and Feb 28, not on Mar 31
        (2, D(2025, 3, 15), None),  # from March on, open-ended
    ]
    occ = monthly_occupancy(
        carrier_ids=[10], units=units, leases=leases, first=D(2025, 1, 1), last=D(2025, 4, 30)
    )
    assert occ.months == [D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 31), D(2025, 4, 30)]
    assert occ.leased_m2[0].tolist() == [100, 100, 50, 50]
    assert occ.lettable_m2[0].tolist() == [100, 100, 150, 150]  # unit 2 lettable from March
    assert occ.units_leased[0].tolist() == [1, 1, 1, 1]
    assert np.allclose(occ.rate[0], [1.0, 1.0, 1 / 3, 1 / 3])
    assert month_end(2024 * 12 + 1) == D(2024, 2, 29)
    assert last_day_in_force(D(2025, 12, 31), D(2025, 6, 1)) == D(2025, 5, 31)
    assert last_day_in_force(None, None) is None


def test_core_matches_a_brute_force_count() -> None:
    rng = random.Random(7)
    units = [(u, u % 5, float(rng.randint(20, 300)), None) for u in range(60)]
    leases = []
    for u in range(60):
        day = D(2022, 1, 1) + dt.timedelta(days=rng.randint(0, 200))
        while day < D(2026, 1, 1):
            until = day + dt.timedelta(days=rng.randint(20, 500))
            leases.append((u, day, until if rng.random() < 0.9 else None))
            if leases[-1][2] is None:
                break
            day = until + dt.timedelta(days=rng.randint(1, 90))
    occ = monthly_occupancy(
        carrier_ids=list(range(5)), units=units, leases=leases, first=D(2022, 1, 1), last=D(2025, 12, 31)
    )
    for k, end in enumerate(occ.months):
        for c in range(5):
            expected = sum(
                area
                for uid, carrier, area, _ in units
                if carrier == c
                and any(lu == uid and s <= end and (e is None or e >= end) for lu, s, e in leases)
            )
            assert occ.leased_m2[c, k] == expected


def test_overlapping_leases_are_refused_and_occupancy_reads_the_records(db: Any) -> None:
    town = f.township("陈埭镇")
    carrier = services.create_carrier(
        actor=None, name="晋江市测试孵化器", kind=CarrierKind.INCUBATOR, township=town
    )
    building = services.add_building(actor=None, carrier=carrier, name="1号楼")
    unit = services.add_unit(actor=None, building=building, code="301", area_m2=Decimal("120.5"))
    with pytest.raises(ValidationError, match="面积应大于 0"):
        services.add_unit(actor=None, building=building, code="302", area_m2=Decimal("0"))
    ent = f.enterprise("甲鞋业", town=town)
    lease = services.sign_lease(
        actor=None, unit=unit, starts_on=D(2024, 1, 1), ends_on=D(2025, 12, 31), enterprise=ent
    )
    with pytest.raises(ValidationError, match="租期不能重叠"):
        services.sign_lease(
            actor=None, unit=unit, starts_on=D(2025, 6, 1), ends_on=None, tenant_name="乙团队"
        )
    with pytest.raises(ValidationError, match="到期日期不能早于起租日期"):
        services.sign_lease(
            actor=None, unit=unit, starts_on=D(2027, 6, 1), ends_on=D(2027, 1, 1), tenant_name="丙"
        )
    services.end_lease(actor=None, lease=lease, moved_out_on=D(2025, 4, 1), graduated=True)
    services.sign_lease(actor=None, unit=unit, starts_on=D(2025, 6, 1), ends_on=None, tenant_name="乙团队")
    assert Lease.objects.count() == 2 and Lease.history.filter(id=lease.pk).count() == 2
    occ = selectors.occupancy(first=D(2025, 3, 1), last=D(2025, 6, 30))
    assert occ.leased_m2[0].tolist() == [120.5, 0, 0, 120.5]  # moved out Apr 1; next tenant from June
