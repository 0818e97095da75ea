"""Carrier pages: a lease signed through the form, an overlapping one refused with the input kept, figures
and exports computed from the records, and bounded query counts on the list pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from kechuang.carriers import services
from kechuang.carriers.models import Lease

pytestmark = pytest.mark.django_db


def _carrier(world: Any, name: str = "测试孵化器", units: int = 2) -> Any:
    carrier = services.create_carrier(actor=None, name=name, kind="incubator", township=world.town)
    building = services.add_building(actor=None, carrier=carrier, name="A栋")
    for k in range(units):
        services.add_unit(actor=None, building=building, code=f"{k + 1:03d}", area_m2=Decimal("100"))
    return carrier


def test_staff_sign_a_lease_and_an_overlap_comes_back_with_what_was_typed(
    world: Any, client_for: Any
) -> None:
    carrier = _carrier(world)
    unit = carrier.buildings.get().units.order_by("code").first()
    staff = client_for("bureau_staff")
    url = reverse("carriers:lease_sign", args=[carrier.pk])
    code = world.own_enterprise.organization.credit_code
    response = staff.post(
        url, {"unit": unit.pk, "enterprise": code, "starts_on": "2025-01-01", "ends_on": "2026-12-31"}
    )
    assert response.status_code == 302
    lease = Lease.objects.get()
    assert lease.enterprise == world.own_enterprise and lease.history.count() == 1

    response = staff.post(
        url,
        {"unit": unit.pk, "tenant_name": "后来的项目", "starts_on": "2026-06-01", "ends_on": "2027-05-31"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "租期不能重叠" in body and "后来的项目" in body  # the message, and the input kept
    assert Lease.objects.count() == 1

    response = staff.post(
        url, {"unit": unit.pk, "enterprise": "91350582MA00000000", "starts_on": "2025-01-01"}
    )
    assert "企业库中没有统一社会信用代码" in response.content.decode() and Lease.objects.count() == 1


def test_list_figures_and_export_come_from_leases(world: Any, client_for: Any) -> None:
    carrier = _carrier(world, units=4)
    first = carrier.buildings.get().units.order_by("code").first()
    services.sign_lease(actor=None, unit=first, starts_on=dt.date(2024, 1, 1), ends_on=None, tenant_name="甲")
    staff = client_for("bureau_staff")
    body = staff.get(reverse("carriers:list")).content.decode()
    assert "25.0%" in body  # 100 of 400 ㎡ let
    export = staff.get(reverse("carriers:list") + "?export=xlsx")
    rows = CalamineWorkbook.from_filelike(BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert rows[1][0] == "测试孵化器" and rows[1][5] == 400 and rows[1][7] == 0.25


def test_carrier_list_queries_do_not_grow_with_carriers(world: Any, client_for: Any) -> None:
    staff = client_for("bureau_staff")
    _carrier(world, "载体1")
    with CaptureQueriesContext(connection) as few:
        assert staff.get(reverse("carriers:list")).status_code == 200
    for k in range(2, 12):
        _carrier(world, f"载体{k}")
    with CaptureQueriesContext(connection) as many:
        assert staff.get(reverse("carriers:list")).status_code == 200
    assert len(many) == len(few)


def test_township_officer_sees_only_its_township(world: Any, client_for: Any) -> None:
    _carrier(world, "本镇孵化器")
    services.create_carrier(actor=None, name="别镇众创空间", kind="maker_space", township=world.other_town)
    body = client_for("township_officer").get(reverse("carriers:list")).content.decode()
    assert "本镇孵化器" in body and "别镇众创空间" not in body


def test_an_enterprise_sees_its_own_leases_only(world: Any, client_for: Any) -> None:
    carrier = _carrier(world)
    a, b = carrier.buildings.get().units.order_by("code")
    services.sign_lease(
        actor=None, unit=a, starts_on=dt.date(2025, 1, 1), ends_on=None, enterprise=world.own_enterprise
    )
    services.sign_lease(
        actor=None, unit=b, starts_on=dt.date(2025, 1, 1), ends_on=None, enterprise=world.other_enterprise
    )
    body = client_for("enterprise").get(reverse("carriers:my_leases")).content.decode()
    assert body.count("测试孵化器") == 1 and "A栋 001" in body and "A栋 002" not in body
