"""Permission cases for the carriers app's routes (collected by tests/test_permission_matrix.py).

A township officer sees the carriers and park projects of its own township (the other's are 404); only
the bureau changes them; an enterprise sees its own leases.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.matrix_support import BUREAU, Case, expect, u

VIEW = BUREAU | {"township_officer"}

CASES: list[Case] = [
    Case("carriers:list", u("carriers:list"), expect(VIEW)),
    Case("carriers:create", u("carriers:create"), expect(BUREAU)),
    Case("carriers:detail", u("carriers:detail", lambda w: w.own_carrier.pk), expect(VIEW)),
    Case(
        "carriers:detail other",
        u("carriers:detail", lambda w: w.other_carrier.pk),
        expect(VIEW, scoped_out={"township_officer"}),
    ),
    Case("carriers:edit", u("carriers:edit", lambda w: w.own_carrier.pk), expect(BUREAU)),
    Case("carriers:building_add", u("carriers:building_add", lambda w: w.own_carrier.pk), expect(BUREAU)),
    Case("carriers:unit_add", u("carriers:unit_add", lambda w: w.own_carrier.pk), expect(BUREAU)),
    Case("carriers:lease_sign", u("carriers:lease_sign", lambda w: w.own_carrier.pk), expect(BUREAU)),
    Case(
        "carriers:lease_sign post",
        u("carriers:lease_sign", lambda w: w.own_carrier.pk),
        expect(BUREAU),  # the unit is taken: the form comes back with the refusal (200), nothing written
        method="post",
        data={"unit": "0", "starts_on": "2026-01-01"},
    ),
    Case("carriers:lease_end", u("carriers:lease_end", lambda w: w.own_lease.pk), expect(BUREAU)),
    Case("carriers:my_leases", u("carriers:my_leases"), expect({"enterprise"})),
    Case("carriers:park_list", u("carriers:park_list"), expect(VIEW)),
    Case("carriers:park_create", u("carriers:park_create"), expect(BUREAU)),
    Case("carriers:park_detail", u("carriers:park_detail", lambda w: w.own_park.pk), expect(VIEW)),
    Case(
        "carriers:park_detail other",
        u("carriers:park_detail", lambda w: w.other_park.pk),
        expect(VIEW, scoped_out={"township_officer"}),
    ),
    Case("carriers:park_edit", u("carriers:park_edit", lambda w: w.own_park.pk), expect(BUREAU)),
    Case("carriers:park_sign", u("carriers:park_sign", lambda w: w.own_park.pk), expect(BUREAU)),
    Case("carriers:park_produce", u("carriers:park_produce", lambda w: w.own_tenancy.pk), expect(BUREAU)),
]


def setup(world: Any) -> None:
    """Add the objects these cases need to the shared matrix world."""
    from kechuang.carriers import services

    w = world
    w.own_carrier = services.create_carrier(actor=None, name="测试孵化器", kind="incubator", township=w.town)
    w.other_carrier = services.create_carrier(
        actor=None, name="别镇众创空间", kind="maker_space", township=w.other_town
    )
    building = services.add_building(actor=None, carrier=w.own_carrier, name="1号楼")
    unit = services.add_unit(actor=None, building=building, code="101", area_m2=Decimal("120"))
    w.own_lease = services.sign_lease(
        actor=None, unit=unit, starts_on=dt.date(2025, 1, 1), ends_on=None, enterprise=w.own_enterprise
    )
    w.own_park = services.save_park_project(
        actor=None, name="测试标准化园区", township=w.town, planned_m2=Decimal("50000")
    )
    w.other_park = services.save_park_project(
        actor=None, name="别镇标准化园区", township=w.other_town, planned_m2=Decimal("30000")
    )
    w.own_tenancy = services.sign_park_tenancy(
        actor=None, project=w.own_park, enterprise=w.own_enterprise, signed_on=dt.date(2025, 3, 1)
    )
