"""Park projects: signed and producing enterprises, status rules, and figures computed from records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kechuang.carriers import selectors, services
from kechuang.carriers.models import CarrierKind
from tests import factories as f


def test_park_figures_count_signed_producing_and_output(db: Any) -> None:
    town = f.township("陈埭镇")
    a, b = f.enterprise("甲公司", town=town), f.enterprise("乙公司", town=town)
    f.figure(a, 2024, "5000", "100")
    f.figure(b, 2024, "3000", "50")
    park = services.save_park_project(
        actor=None,
        name="鞋服产业园",
        township=town,
        planned_m2=Decimal(50000),
        built_m2=Decimal(40000),
        status="leasing",
    )
    ta = services.sign_park_tenancy(actor=None, project=park, enterprise=a, signed_on=dt.date(2024, 3, 1))
    services.sign_park_tenancy(actor=None, project=park, enterprise=b, signed_on=dt.date(2024, 4, 1))
    with pytest.raises(ValidationError, match="已签约"):
        services.sign_park_tenancy(actor=None, project=park, enterprise=a, signed_on=dt.date(2024, 5, 1))
    with pytest.raises(ValidationError, match="不能早于签约日期"):
        services.start_park_production(actor=None, tenancy=ta, producing_since=dt.date(2024, 1, 1))
    services.start_park_production(actor=None, tenancy=ta, producing_since=dt.date(2024, 9, 1))
    park.refresh_from_db()
    assert park.status == "producing" and park.history.count() == 2
    out = selectors.park_figures()
    assert (out["projects"], out["signed"], out["producing"]) == (1, 2, 1)
    assert out["built_m2"] == Decimal(40000) and out["output_year"] == 2024
    assert out["output_wan"] == Decimal(5000)  # only the producing firm's revenue


def test_a_built_status_needs_built_area(db: Any) -> None:
    with pytest.raises(ValidationError, match="已建成面积"):
        services.save_park_project(actor=None, name="新园", planned_m2=Decimal(100), status="built")


def test_carrier_figures_grow_from_leases(db: Any) -> None:
    carrier = services.create_carrier(actor=None, name="三创园", kind=CarrierKind.INCUBATOR, level="national")
    building = services.add_building(actor=None, carrier=carrier, name="A栋")
    old = services.add_unit(
        actor=None, building=building, code="101", area_m2=Decimal(100), available_from=dt.date(2021, 1, 1)
    )
    new = services.add_unit(
        actor=None, building=building, code="102", area_m2=Decimal(50), available_from=dt.date(2024, 6, 1)
    )
    services.sign_lease(actor=None, unit=old, starts_on=dt.date(2021, 3, 1), ends_on=None, tenant_name="甲")
    lease = services.sign_lease(
        actor=None, unit=new, starts_on=dt.date(2024, 7, 1), ends_on=None, tenant_name="乙"
    )
    services.end_lease(actor=None, lease=lease, moved_out_on=dt.date(2025, 3, 1), graduated=True)
    out = selectors.carrier_figures(as_of=dt.date(2025, 6, 30))
    assert out["carriers"] == 1 and out["national"] == 1
    assert out["area_m2"] == 150.0 and out["leased_m2"] == 100.0 and out["tenants"] == 1
    assert out["graduates"] == 1 and out["area_growth_pct"] == pytest.approx(0.5)
    assert [g["year"] for g in out["growth"]] == [2022, 2023, 2024, 2025]
    rows = selectors.occupancy_by_carrier(months=12, as_of=dt.date(2025, 6, 30))
    assert rows[0]["occupancy"][-1] == pytest.approx(100 / 150)
