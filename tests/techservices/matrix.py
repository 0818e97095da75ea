"""Permission cases for the techservices app's routes (collected by tests/test_permission_matrix.py).

Object-scoped rules: an enterprise sees only its own IP cases and cancels only its own bookings; a
township officer reads only its township's ledger claims; an enterprise confirms only its own claims.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tests.matrix_support import BUREAU, SIGNED_IN, Case, expect, u

TODAY = timezone.localdate().isoformat()
ENT = {"enterprise"}


def pk(name: str) -> Any:
    return lambda w: getattr(w, name).pk


CASES: list[Case] = [
    Case("techservices:ipcase_list", u("techservices:ipcase_list"), expect(BUREAU | ENT)),
    Case("techservices:ipcase_create", u("techservices:ipcase_create"), expect(BUREAU)),
    Case(
        "techservices:ipcase_detail",
        u("techservices:ipcase_detail", pk("ts_own_case")),
        expect(BUREAU | ENT),
    ),
    Case(
        "techservices:ipcase_detail other",
        u("techservices:ipcase_detail", pk("ts_other_case")),
        expect(BUREAU, scoped_out=ENT),
    ),
    Case(
        "techservices:ipcase_act",
        u("techservices:ipcase_act", pk("ts_own_case"), lambda w: "step"),
        expect(BUREAU, ok=302),
        method="post",
        data={"step-on": TODAY, "step-note": "电话沟通侵权方"},
    ),
    Case("techservices:platform_list", u("techservices:platform_list"), expect(SIGNED_IN)),
    Case("techservices:platform_create", u("techservices:platform_create"), expect(BUREAU)),
    Case(
        "techservices:platform_detail",
        u("techservices:platform_detail", pk("ts_platform")),
        expect(SIGNED_IN),
    ),
    Case(
        "techservices:equipment_add",
        u("techservices:equipment_add", pk("ts_platform")),
        expect(BUREAU, ok=302),
        method="post",
        data={"name": "新增检测仪", "capacity": "", "fee_yuan_per_hour": "100"},
    ),
    Case(
        "techservices:booking_create",
        u("techservices:booking_create", pk("ts_equipment")),
        expect(BUREAU | ENT),
    ),
    Case(
        "techservices:booking_cancel",
        u("techservices:booking_cancel", pk("ts_own_booking")),
        expect(BUREAU | ENT, ok=302),
        method="post",
    ),
    Case(
        "techservices:booking_cancel other",
        u("techservices:booking_cancel", pk("ts_other_booking")),
        expect(BUREAU, ok=302, scoped_out=ENT),
        method="post",
    ),
    Case(
        "techservices:booking_complete",
        u("techservices:booking_complete", pk("ts_past_booking")),
        expect(BUREAU, ok=302),
        method="post",
        data={"used_hours": "3"},
    ),
    Case("techservices:ledger", u("techservices:ledger"), expect(BUREAU | {"township_officer"})),
    Case(
        "techservices:claim_create",
        u("techservices:claim_create"),
        expect(BUREAU | {"enclave_operator", "expert"}),
    ),
    Case("techservices:my_claims", u("techservices:my_claims"), expect(ENT)),
    Case(
        "techservices:claim_detail",
        u("techservices:claim_detail", pk("ts_own_claim")),
        expect(BUREAU | {"township_officer"}),
    ),
    Case(
        "techservices:claim_detail other",
        u("techservices:claim_detail", pk("ts_other_claim")),
        expect(BUREAU, scoped_out={"township_officer"}),
    ),
    Case(
        "techservices:claim_confirm",
        u("techservices:claim_confirm", pk("ts_own_claim")),
        expect(ENT, ok=302),
        method="post",
    ),
    Case(
        "techservices:claim_confirm other",
        u("techservices:claim_confirm", pk("ts_other_claim")),
        expect(set(), scoped_out=ENT),
        method="post",
    ),
    Case(
        "techservices:claim_dispute",
        u("techservices:claim_dispute", pk("ts_own_claim")),
        expect(ENT, ok=400),  # no reason posted: refused, the page comes back with the error
        method="post",
    ),
    Case(
        "techservices:claim_dispute other",
        u("techservices:claim_dispute", pk("ts_other_claim")),
        expect(set(), scoped_out=ENT),
        method="post",
    ),
]


def setup(world: Any) -> None:
    """Add the objects these cases need to the shared matrix world."""
    from kechuang.techservices import services
    from tests.techservices import factories as fx

    world.ts_own_case = services.open_case(
        actor=None,
        enterprise=world.own_enterprise,
        case_type="trademark",
        title="商标被仿冒",
        intake_on=dt.date(2024, 3, 1),
    )
    world.ts_other_case = services.open_case(
        actor=None,
        enterprise=world.other_enterprise,
        case_type="patent",
        title="专利被侵权",
        intake_on=dt.date(2024, 3, 1),
    )
    world.ts_platform = fx.platform()
    world.ts_equipment = fx.equipment(world.ts_platform)
    day = fx.future_day()

    def book(enterprise: Any, hour: int, when: dt.date = day) -> Any:
        return services.book_equipment(
            actor=None,
            equipment=world.ts_equipment,
            enterprise=enterprise,
            starts_at=fx.aware(when, hour),
            ends_at=fx.aware(when, hour + 2),
            purpose="试制",
            allow_past=True,
        )

    world.ts_own_booking = book(world.own_enterprise, 9)
    world.ts_other_booking = book(world.other_enterprise, 13)
    world.ts_past_booking = book(world.own_enterprise, 9, dt.date(2024, 3, 1))
    world.ts_own_claim = fx.claim(world.own_enterprise, value_claimed_wan=Decimal("12"))
    world.ts_other_claim = fx.claim(world.other_enterprise, value_claimed_wan=Decimal("8"))
