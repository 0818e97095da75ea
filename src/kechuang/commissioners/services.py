"""Writes for commissioners: the registry, assignments and service records. Every refusal is a
ValidationError in Chinese and writes nothing.

Assignments are made under a row lock on the commissioner, so two officers assigning the same person at
the same moment cannot both use the last place. A service record is written to the service ledger
(techservices.services.record_claim, provider_kind "commissioner") and linked here in one transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.commissioners import rules
from kechuang.commissioners.models import Assignment, AssignmentStatus, Commissioner, ServiceLink
from kechuang.orgs.models import Enterprise, Expert
from kechuang.techservices import services as ledger
from kechuang.techservices.models import ProviderKind

EDITABLE = (
    "expert",
    "name",
    "field",
    "expertise",
    "institution",
    "phone",
    "max_enterprises",
    "available_from",
    "available_until",
    "is_active",
)


def _saved(obj: Any, actor: User | None, reason: str) -> Any:
    obj.full_clean()
    obj._history_user = actor
    obj._change_reason = reason
    obj.save()
    return obj


def _check_commissioner(c: Commissioner) -> None:
    if c.available_from and c.available_until and c.available_until < c.available_from:
        raise ValidationError({"available_until": "可服务截止日期不能早于起始日期"})
    if c.expert_id is not None:
        taken = Commissioner.objects.filter(expert_id=c.expert_id).exclude(pk=c.pk).first()
        if taken is not None:
            raise ValidationError({"expert": f"该专家已登记为科技特派员（{taken.name}），请勿重复登记"})
    if not c.name.strip():
        raise ValidationError({"name": "请填写姓名，或选择专家档案"})


@transaction.atomic
def save_commissioner(
    *, actor: User | None, commissioner: Commissioner | None = None, **values: Any
) -> Commissioner:
    """Register a commissioner or change one; name and institution default to the expert's."""
    unknown = set(values) - set(EDITABLE) - {"is_demo"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    creating = commissioner is None
    c = commissioner or Commissioner()
    for name, value in values.items():
        setattr(c, name, value.strip() if isinstance(value, str) else value)
    expert: Expert | None = c.expert
    if expert is not None:
        c.name = c.name or expert.name
        if c.institution_id is None and expert.institution_id is not None:
            c.institution_id = expert.institution_id
        c.phone = c.phone or expert.phone
    _check_commissioner(c)
    _saved(c, actor, "登记科技特派员" if creating else "修改科技特派员信息")
    if expert is not None and not expert.is_tech_commissioner:  # the expert registry says so too
        expert.is_tech_commissioner = True
        _saved(expert, actor, "登记为科技特派员")
    return c


@transaction.atomic
def assign(
    *,
    actor: User | None,
    commissioner: Commissioner,
    enterprise: Enterprise,
    goals: str,
    starts_on: dt.date,
    ends_on: dt.date,
) -> Assignment:
    """Send a commissioner to an enterprise. Refused for an overlapping active assignment of the same
    pair, and when the commissioner already carries the most enterprises allowed on a day of the period."""
    locked = Commissioner.objects.select_for_update().get(pk=commissioner.pk)
    if not goals.strip():
        raise ValidationError({"goals": "请填写服务目标"})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "派驻截止日期不能早于起始日期"})
    if not locked.is_active:
        raise ValidationError(f"{locked.name}已不在册，不能派驻")
    if locked.available_from and starts_on < locked.available_from:
        raise ValidationError({"starts_on": f"{locked.name}自{locked.available_from:%Y年%m月%d日}起才可派驻"})
    if locked.available_until and ends_on > locked.available_until:
        raise ValidationError(
            {"ends_on": f"{locked.name}的可服务期至{locked.available_until:%Y年%m月%d日}，派驻不能超出"}
        )
    period = (starts_on, ends_on)
    active = list(
        Assignment.objects.filter(
            commissioner=locked,
            status=AssignmentStatus.ACTIVE,
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        ).select_related("enterprise__organization")
    )
    for other in active:
        if other.enterprise_id == enterprise.pk:
            held = rules.period_text((other.starts_on, other.ends_on))
            raise ValidationError(f"{locked.name}已派驻“{enterprise}”（{held}），同一企业的派驻期不能重叠")
    if rules.peak_load(period, [(a.starts_on, a.ends_on) for a in active]) >= locked.max_enterprises:
        raise ValidationError(
            f"{locked.name}在该时段已服务{locked.max_enterprises}家企业，达到同时服务上限，请调整时段或另选特派员"
        )
    assignment = Assignment(
        commissioner=locked,
        enterprise=enterprise,
        goals=goals.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    return _saved(assignment, actor, "派驻科技特派员")


@transaction.atomic
def close_assignment(
    *, actor: User | None, assignment: Assignment, status: str, note: str = ""
) -> Assignment:
    """End an assignment (已结束) or cancel it (已取消); either frees the commissioner's place."""
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if status not in (AssignmentStatus.FINISHED, AssignmentStatus.CANCELLED):
        raise ValidationError({"status": "请选择“结束”或“取消”"})
    if locked.status != AssignmentStatus.ACTIVE:
        raise ValidationError(f"该派驻已{locked.get_status_display().removeprefix('已')}，不能再变更")
    if status == AssignmentStatus.CANCELLED and locked.service_links.exists():
        raise ValidationError({"status": "该派驻已有服务记录，不能取消，请选择“结束”"})
    locked.status = status
    locked.close_note = note.strip()[:500]
    return _saved(locked, actor, f"派驻{AssignmentStatus(status).label}")


@transaction.atomic
def record_service(
    *,
    actor: User | None,
    assignment: Assignment,
    served_on: dt.date,
    problem: str,
    action: str,
    result: str = "",
    value_claimed_wan: Decimal | None = None,
    solved: bool = False,
    is_demo: bool = False,
) -> ServiceLink:
    """A commissioner reports one service to the assigned enterprise: a ledger claim the enterprise then
    confirms or disputes (on the service-ledger pages), linked to the assignment."""
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("commissioner__institution", "enterprise")
        .get(pk=assignment.pk)
    )
    if locked.status == AssignmentStatus.CANCELLED:
        raise ValidationError("该派驻已取消，不能登记服务记录")
    if served_on is None:
        raise ValidationError({"served_on": "请填写服务日期"})
    if not locked.starts_on <= served_on <= locked.ends_on:
        raise ValidationError(
            {"served_on": f"服务日期应在派驻期内（{rules.period_text((locked.starts_on, locked.ends_on))}）"}
        )
    if served_on > timezone.localdate():
        raise ValidationError({"served_on": "服务日期不能晚于今天"})
    commissioner = locked.commissioner
    claim = ledger.record_claim(
        actor=actor,
        provider_kind=ProviderKind.COMMISSIONER,
        provider_name=commissioner.name,
        enterprise=locked.enterprise,
        served_on=served_on,
        problem=problem,
        action=action,
        result=result,
        value_claimed_wan=value_claimed_wan,
        solved=solved,
        institution=commissioner.institution,
        is_demo=is_demo,
    )
    link = ServiceLink(commissioner=commissioner, assignment=locked, claim=claim)
    link.full_clean()
    link.save()
    return link
