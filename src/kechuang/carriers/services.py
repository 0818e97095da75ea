"""Writes for carriers: carriers, buildings, units and leases. A unit never holds two leases at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from kechuang.carriers.models import Building, Carrier, Lease, ParkProject, ParkStatus, ParkTenancy, SpaceUnit
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


def update_carrier(*, actor: User | None, carrier: Carrier, **values: Any) -> Carrier:
    for field, value in values.items():
        setattr(carrier, field, value)
    return _saved(carrier, actor, "修改载体信息")


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


# ---- park projects (园区标准化项目) ----------------------------------------------------------------------


def _check_park(project: ParkProject) -> None:
    if project.built_m2 is not None and project.planned_m2 and project.built_m2 > project.planned_m2 * 2:
        raise ValidationError({"built_m2": "已建成面积超过规划面积的两倍，请核对"})
    if project.status != ParkStatus.BUILDING and not project.built_m2:
        raise ValidationError({"status": "“建成、招商、投产”的项目应填写已建成面积"})
    if project.completed_on and project.started_on and project.completed_on < project.started_on:
        raise ValidationError({"completed_on": "建成日期不能早于开工日期"})


def save_park_project(
    *, actor: User | None, project: ParkProject | None = None, **values: Any
) -> ParkProject:
    """Register or update a park project; status and areas are checked against each other."""
    creating = project is None
    project = project or ParkProject()
    for field, value in values.items():
        setattr(project, field, value)
    _check_park(project)
    producing = creating is False and project.tenancies.filter(producing_since__isnull=False).exists()
    if project.status == ParkStatus.PRODUCING and not producing:
        raise ValidationError({"status": "尚无投产企业，不能标记为“投产”（请先登记企业投产日期）"})
    return _saved(project, actor, "登记园区项目" if creating else "修改园区项目")


@transaction.atomic
def sign_park_tenancy(
    *, actor: User | None, project: ParkProject, enterprise: Enterprise, signed_on: dt.date
) -> ParkTenancy:
    locked = ParkProject.objects.select_for_update().get(pk=project.pk)
    if ParkTenancy.objects.filter(project=locked, enterprise=enterprise).exists():
        raise ValidationError(f"“{enterprise}”已签约入驻该项目")
    return _saved(
        ParkTenancy(project=locked, enterprise=enterprise, signed_on=signed_on), actor, "企业签约入驻"
    )


@transaction.atomic
def start_park_production(
    *, actor: User | None, tenancy: ParkTenancy, producing_since: dt.date
) -> ParkTenancy:
    """The enterprise starts producing; the project becomes 投产 with its first producing tenant."""
    tenancy = ParkTenancy.objects.select_for_update().select_related("project").get(pk=tenancy.pk)
    if producing_since < tenancy.signed_on:
        raise ValidationError({"producing_since": "投产日期不能早于签约日期"})
    tenancy.producing_since = producing_since
    _saved(tenancy, actor, "企业投产")
    project = tenancy.project
    if project.status != ParkStatus.PRODUCING:
        project.status = ParkStatus.PRODUCING
        if not project.built_m2:
            raise ValidationError({"producing_since": "项目尚未登记建成面积，不能投产"})
        _saved(project, actor, "首家企业投产")
    return tenancy
