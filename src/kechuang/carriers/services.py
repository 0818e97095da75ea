"""Writes for carriers: carriers, buildings, units and leases. A unit never holds two leases at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from kechuang.carriers.models import Building, Carrier, Lease, SpaceUnit
from kechuang.carriers.occupancy import last_day_in_force
from kechuang.incubation.models import Project
from kechuang.orgs.models import Enterprise


def _saved(obj: Any, actor: User | None, reason: str) -> Any:
    obj.full_clean()
    obj._history_user = actor
    obj._change_reason = reason
    obj.save()
    return obj


def create_carrier(*, actor: User | None, **values: Any) -> Carrier:
    return _saved(Carrier(**values), actor, "登记载体")


def add_building(*, actor: User | None, carrier: Carrier, name: str, floors: int | None = None) -> Building:
    return _saved(Building(carrier=carrier, name=name.strip(), floors=floors), actor, "登记楼栋")


def add_unit(
    *,
    actor: User | None,
    building: Building,
    code: str,
    area_m2: Decimal,
    use: str = "office",
    rent_yuan_m2_month: Decimal | None = None,
    available_from: dt.date | None = None,
) -> SpaceUnit:
    if area_m2 is None or area_m2 <= 0:
        raise ValidationError({"area_m2": "面积应大于 0 平方米"})
    unit = SpaceUnit(
        building=building,
        code=code.strip(),
        area_m2=area_m2,
        use=use,
        rent_yuan_m2_month=rent_yuan_m2_month,
        available_from=available_from,
    )
    return _saved(unit, actor, "登记房源")


def lease_until(lease: Lease) -> dt.date | None:
    return last_day_in_force(lease.ends_on, lease.ended_early_on)


def _overlaps(a_start: dt.date, a_until: dt.date | None, b_start: dt.date, b_until: dt.date | None) -> bool:
    return (a_until is None or b_start <= a_until) and (b_until is None or a_start <= b_until)


@transaction.atomic
def sign_lease(
    *,
    actor: User | None,
    unit: SpaceUnit,
    starts_on: dt.date,
    ends_on: dt.date | None,
    enterprise: Enterprise | None = None,
    project: Project | None = None,
    tenant_name: str = "",
) -> Lease:
    """A tenant moves into a unit; refused when another lease holds the unit for any day of the period."""
    locked = SpaceUnit.objects.select_for_update().get(pk=unit.pk)
    name = tenant_name.strip() or (
        enterprise.organization.name if enterprise else project.name if project else ""
    )
    if not name:
        raise ValidationError({"tenant_name": "请填写入驻主体（企业、孵化项目或名称）"})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": "到期日期不能早于起租日期"})
    if locked.available_from and starts_on < locked.available_from:
        raise ValidationError({"starts_on": f"该房源自{locked.available_from:%Y年%m月%d日}起才可出租"})
    for other in Lease.objects.filter(unit=locked):
        if _overlaps(starts_on, ends_on, other.starts_on, lease_until(other)):
            until = lease_until(other)
            period = (
                f"{other.starts_on:%Y年%m月%d日}至{until:%Y年%m月%d日}"
                if until
                else f"{other.starts_on:%Y年%m月%d日}起"
            )
            raise ValidationError(f"房源 {locked.code} 在{period}已租给“{other.tenant_name}”，租期不能重叠")
    lease = Lease(
        unit=locked,
        enterprise=enterprise,
        project=project,
        tenant_name=name[:120],
        starts_on=starts_on,
        ends_on=ends_on,
    )
    return _saved(lease, actor, "签订租约")


@transaction.atomic
def end_lease(*, actor: User | None, lease: Lease, moved_out_on: dt.date, graduated: bool = False) -> Lease:
    """An early move-out (or a graduation): the unit is free from ``moved_out_on``."""
    lease = Lease.objects.select_for_update().get(pk=lease.pk)
    if moved_out_on <= lease.starts_on:
        raise ValidationError({"moved_out_on": "退租日期应晚于起租日期"})
    if lease.ends_on is not None and moved_out_on > lease.ends_on + dt.timedelta(days=1):
        raise ValidationError({"moved_out_on": "退租日期晚于租约到期日，租约已自然到期"})
    lease.ended_early_on = moved_out_on
    lease.graduated = graduated
    return _saved(lease, actor, "毕业迁出" if graduated else "提前退租")
