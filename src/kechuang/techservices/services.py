"""Writes for technology services: IP cases and their steps, pilot platforms, equipment and bookings, and
the service ledger. Every refusal is a ValidationError in Chinese and writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.demands.models import Demand, DockingMeeting, TechContract
from kechuang.orgs.models import Enclave, Enterprise, Institution, Organization, Township
from kechuang.techservices import ledger
from kechuang.techservices.models import (
    Booking,
    BookingStatus,
    CaseStatus,
    ClaimStatus,
    Equipment,
    IPCase,
    IPCaseStep,
    Outcome,
    PilotPlatform,
    ProviderKind,
    ReferredTo,
    ServiceClaim,
    StepKind,
)


def _saved(obj: Any, actor: User | None, reason: str) -> Any:
    obj.full_clean()
    obj._history_user = actor
    obj._change_reason = reason
    obj.save()
    return obj


def _today() -> dt.date:
    return timezone.localdate()


# ---- IP protection cases ----------------------------------------------------------------------------


def _check_step_date(case: IPCase, on: dt.date, field: str = "on") -> None:
    if on < case.intake_on:
        raise ValidationError({field: f"日期不能早于受理日期（{case.intake_on:%Y年%m月%d日}）"})
    if on > _today():
        raise ValidationError({field: "日期不能晚于今天"})


def _step(case: IPCase, actor: User | None, on: dt.date, kind: str, note: str) -> IPCaseStep:
    return _saved(
        IPCaseStep(case=case, on=on, kind=kind, note=note.strip(), actor=actor),
        actor,
        f"维权案件{StepKind(kind).label}",
    )


@transaction.atomic
def open_case(
    *,
    actor: User | None,
    enterprise: Enterprise,
    case_type: str,
    title: str,
    intake_on: dt.date,
    description: str = "",
    amount_involved_wan: Decimal | None = None,
    is_demo: bool = False,
) -> IPCase:
    """Take in a case (受理); its first step is the intake."""
    if intake_on > _today():
        raise ValidationError({"intake_on": "受理日期不能晚于今天"})
    case = IPCase(
        enterprise=enterprise,
        case_type=case_type,
        title=title.strip(),
        description=description.strip(),
        intake_on=intake_on,
        amount_involved_wan=amount_involved_wan,
        is_demo=is_demo,
    )
    _saved(case, actor, "受理维权案件")
    _step(case, actor, intake_on, StepKind.INTAKE, description[:2000] or "受理")
    return case


def _locked_case(case: IPCase) -> IPCase:
    locked = IPCase.objects.select_for_update().get(pk=case.pk)
    if locked.status == CaseStatus.CLOSED:
        raise ValidationError("案件已结案，不能再办理")
    return locked


@transaction.atomic
def start_mediation(*, actor: User | None, case: IPCase, on: dt.date, note: str = "") -> IPCase:
    locked = _locked_case(case)
    if locked.status != CaseStatus.INTAKE:
        raise ValidationError(f"案件当前为“{locked.get_status_display()}”，只有受理中的案件可以启动调解")
    _check_step_date(locked, on)
    locked.status = CaseStatus.MEDIATION
    _saved(locked, actor, "启动调解")
    _step(locked, actor, on, StepKind.MEDIATION, note or "启动调解")
    return locked


@transaction.atomic
def refer_case(*, actor: User | None, case: IPCase, on: dt.date, referred_to: str, note: str = "") -> IPCase:
    """Hand the case to a court, the market regulator or arbitration (from intake or a failed mediation)."""
    locked = _locked_case(case)
    if referred_to not in ReferredTo.values:
        raise ValidationError({"referred_to": "请选择移送机关（法院、市场监管部门或仲裁机构）"})
    if locked.status == CaseStatus.REFERRED:
        raise ValidationError(f"案件已移送{locked.get_referred_to_display()}")
    _check_step_date(locked, on)
    locked.status = CaseStatus.REFERRED
    locked.referred_to = referred_to
    _saved(locked, actor, f"移送{ReferredTo(referred_to).label}")
    _step(locked, actor, on, StepKind.REFERRAL, note or f"移送{ReferredTo(referred_to).label}")
    return locked


@transaction.atomic
def add_case_step(*, actor: User | None, case: IPCase, on: dt.date, note: str) -> IPCaseStep:
    locked = _locked_case(case)
    if not note.strip():
        raise ValidationError({"note": "请填写进展说明"})
    _check_step_date(locked, on)
    return _step(locked, actor, on, StepKind.PROGRESS, note)


@transaction.atomic
def close_case(
    *, actor: User | None, case: IPCase, on: dt.date, outcome: str, outcome_note: str = ""
) -> IPCase:
    locked = _locked_case(case)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "请选择结案结果"})
    if outcome == Outcome.MEDIATED and locked.status != CaseStatus.MEDIATION:
        raise ValidationError({"outcome": "案件未进入调解，结果不能是“调解成功”"})
    if outcome == Outcome.OTHER and not outcome_note.strip():
        raise ValidationError({"outcome_note": "结果为“其他”时请填写结案说明"})
    _check_step_date(locked, on)
    locked.status = CaseStatus.CLOSED
    locked.outcome = outcome
    locked.outcome_note = outcome_note.strip()
    locked.closed_on = on
    _saved(locked, actor, f"结案：{Outcome(outcome).label}")
    _step(locked, actor, on, StepKind.CLOSE, outcome_note or Outcome(outcome).label)
    return locked


# ---- pilot platforms, equipment, bookings ------------------------------------------------------------


def create_platform(
    *,
    actor: User | None,
    name: str,
    operator: Organization | None = None,
    township: Township | None = None,
    field: str = "",
    description: str = "",
    is_demo: bool = False,
) -> PilotPlatform:
    platform = PilotPlatform(
        name=name.strip(),
        operator=operator,
        township=township,
        field=field.strip(),
        description=description.strip(),
        is_demo=is_demo,
    )
    return _saved(platform, actor, "登记中试平台")


def add_equipment(
    *,
    actor: User | None,
    platform: PilotPlatform,
    name: str,
    fee_yuan_per_hour: Decimal,
    capacity: str = "",
    is_active: bool = True,
) -> Equipment:
    if fee_yuan_per_hour is None or fee_yuan_per_hour < 0:
        raise ValidationError({"fee_yuan_per_hour": "收费标准不能为负数"})
    if Equipment.objects.filter(platform=platform, name=name.strip()).exists():
        raise ValidationError({"name": f"平台已有名为“{name.strip()}”的设备"})
    equipment = Equipment(
        platform=platform,
        name=name.strip(),
        capacity=capacity.strip(),
        fee_yuan_per_hour=fee_yuan_per_hour,
        is_active=is_active,
    )
    return _saved(equipment, actor, "登记中试设备")


@transaction.atomic
def book_equipment(
    *,
    actor: User | None,
    equipment: Equipment,
    enterprise: Enterprise,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    purpose: str,
    allow_past: bool = False,
) -> Booking:
    """Book a piece of equipment; refused when any live booking of it overlaps (under a row lock)."""
    locked = Equipment.objects.select_for_update().get(pk=equipment.pk)
    if not locked.is_active:
        raise ValidationError(f"设备“{locked.name}”目前不接受预约")
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "结束时间应晚于开始时间"})
    hours = ledger.hours_between(starts_at, ends_at)
    if hours > ledger.MAX_BOOKING_HOURS:
        raise ValidationError({"ends_at": "单次预约不能超过31天，请分次预约"})
    if not allow_past and starts_at < timezone.now():
        raise ValidationError({"starts_at": "开始时间已过，请预约今后的时段"})
    if not purpose.strip():
        raise ValidationError({"purpose": "请填写用途"})
    taken = (
        Booking.objects.filter(equipment=locked, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(status=BookingStatus.CANCELLED)
        .values_list("starts_at", "ends_at")
    )
    clash = ledger.first_clash(starts_at, ends_at, list(taken))
    if clash is not None:
        local = [timezone.localtime(t) for t in clash]
        raise ValidationError(f"该设备在 {ledger.period_text(local[0], local[1])} 已被预约，请选择其他时段")
    booking = Booking(
        equipment=locked,
        enterprise=enterprise,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=purpose.strip(),
        fee_yuan=ledger.booking_fee(starts_at, ends_at, locked.fee_yuan_per_hour),
        booked_by=actor,
    )
    return _saved(booking, actor, "预约设备")


def _locked_booking(booking: Booking) -> Booking:
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    if locked.status != BookingStatus.BOOKED:
        raise ValidationError(f"预约已{locked.get_status_display().removeprefix('已')}，不能再操作")
    return locked


@transaction.atomic
def cancel_booking(*, actor: User | None, booking: Booking) -> Booking:
    locked = _locked_booking(booking)
    locked.status = BookingStatus.CANCELLED
    return _saved(locked, actor, "取消预约")


@transaction.atomic
def complete_booking(*, actor: User | None, booking: Booking, used_hours: Decimal) -> Booking:
    """Record the use (实际使用小时); the fee stays the one computed at booking."""
    locked = _locked_booking(booking)
    if used_hours is None or used_hours <= 0:
        raise ValidationError({"used_hours": "实际使用小时数应大于 0"})
    if used_hours > ledger.MAX_BOOKING_HOURS:
        raise ValidationError({"used_hours": "实际使用小时数超过单次预约上限"})
    if locked.starts_at > timezone.now():
        raise ValidationError("预约时段尚未开始，不能登记完成")
    locked.status = BookingStatus.COMPLETED
    locked.used_hours = used_hours
    return _saved(locked, actor, "登记使用完成")


# ---- the service ledger -----------------------------------------------------------------------------


def _linked_enterprise_and_date(
    *,
    demand: Demand | None,
    meeting: DockingMeeting | None,
    contract: TechContract | None,
    booking: Booking | None,
) -> tuple[list[tuple[str, Enterprise]], dt.date | None]:
    """The enterprises the linked records belong to (with what each link is), and the service date they
    imply (the meeting, contract signing or booking day; a demand only gives its enterprise)."""
    linked: list[tuple[str, Enterprise]] = []
    served_on: dt.date | None = None
    if demand is not None:
        linked.append((f"技术需求“{demand.title}”", demand.enterprise))
    if meeting is not None:
        linked.append((f"{meeting.met_on:%Y年%m月%d日}的对接记录", meeting.demand.enterprise))
        served_on = meeting.met_on
    if contract is not None:
        linked.append((f"{contract.signed_on:%Y年%m月%d日}签订的技术合同", contract.demand.enterprise))
        served_on = served_on or contract.signed_on
    if booking is not None:
        linked.append(("设备预约", booking.enterprise))
        served_on = served_on or timezone.localtime(booking.starts_at).date()
    return linked, served_on


@transaction.atomic
def record_claim(
    *,
    actor: User | None,
    provider_kind: str,
    provider_name: str,
    problem: str,
    action: str,
    enterprise: Enterprise | None = None,
    served_on: dt.date | None = None,
    result: str = "",
    value_claimed_wan: Decimal | None = None,
    solved: bool = False,
    institution: Institution | None = None,
    enclave: Enclave | None = None,
    demand: Demand | None = None,
    meeting: DockingMeeting | None = None,
    contract: TechContract | None = None,
    booking: Booking | None = None,
    is_demo: bool = False,
) -> ServiceClaim:
    """A provider records a service. Linked records supply the firm and the date (not typed twice); a
    claim naming a firm other than the linked record's is refused."""
    linked, linked_on = _linked_enterprise_and_date(
        demand=demand, meeting=meeting, contract=contract, booking=booking
    )
    for what, owner in linked:
        if enterprise is None:
            enterprise = owner
        elif owner.pk != enterprise.pk:
            raise ValidationError(
                {"enterprise": f"关联的{what}属于“{owner}”，与所填服务企业“{enterprise}”不一致"}
            )
    if enterprise is None:
        raise ValidationError({"enterprise": "请填写服务企业，或关联需求、对接、合同或设备预约"})
    served_on = served_on or linked_on
    if served_on is None:
        raise ValidationError({"served_on": "请填写服务日期"})
    if served_on > _today():
        raise ValidationError({"served_on": "服务日期不能晚于今天"})
    if provider_kind not in ProviderKind.values:
        raise ValidationError({"provider_kind": "请选择服务方类型"})
    name = provider_name.strip() or (str(institution) if institution else str(enclave) if enclave else "")
    if not name:
        raise ValidationError({"provider_name": "请填写服务方名称"})
    if not problem.strip():
        raise ValidationError({"problem": "请填写企业的问题或需求"})
    if not action.strip():
        raise ValidationError({"action": "请填写做了哪些服务"})
    value = value_claimed_wan if value_claimed_wan is not None else Decimal(0)
    if value < 0:
        raise ValidationError({"value_claimed_wan": "创造价值不能为负数"})
    claim = ServiceClaim(
        provider_kind=provider_kind,
        provider_name=name[:120],
        institution=institution,
        enclave=enclave,
        enterprise=enterprise,
        served_on=served_on,
        problem=problem.strip(),
        action=action.strip(),
        result=result.strip(),
        value_claimed_wan=value,
        solved=solved,
        demand=demand,
        meeting=meeting,
        contract=contract,
        booking=booking,
        recorded_by=actor,
        is_demo=is_demo,
    )
    return _saved(claim, actor, "登记服务记录")


def _locked_claim(claim: ServiceClaim, enterprise: Enterprise) -> ServiceClaim:
    locked = ServiceClaim.objects.select_for_update().get(pk=claim.pk)
    if locked.enterprise_id != enterprise.pk:
        raise ValidationError("只能确认或提出异议本企业接受的服务")
    return locked


@transaction.atomic
def confirm_claim(
    *, actor: User | None, claim: ServiceClaim, enterprise: Enterprise, at: dt.datetime | None = None
) -> ServiceClaim:
    """The served firm confirms; only then does the claim count in the county figures."""
    locked = _locked_claim(claim, enterprise)
    if locked.status == ClaimStatus.CONFIRMED:
        raise ValidationError("该服务记录已确认，无需重复确认")
    if locked.status == ClaimStatus.DISPUTED:
        raise ValidationError("该服务记录已提出异议，不能再确认；如服务确有其事，请服务方重新登记")
    locked.status = ClaimStatus.CONFIRMED
    locked.confirmed_by = actor
    locked.confirmed_at = at or timezone.now()
    return _saved(locked, actor, "企业确认服务")


@transaction.atomic
def dispute_claim(
    *,
    actor: User | None,
    claim: ServiceClaim,
    enterprise: Enterprise,
    reason: str,
    at: dt.datetime | None = None,
) -> ServiceClaim:
    """The served firm disputes; the claim never counts, and stays in the ledger with the reason."""
    if not reason.strip():
        raise ValidationError({"reason": "请填写异议理由"})
    locked = _locked_claim(claim, enterprise)
    if locked.status == ClaimStatus.CONFIRMED:
        raise ValidationError("该服务记录已确认，不能再提出异议")
    if locked.status == ClaimStatus.DISPUTED:
        raise ValidationError("该服务记录已提出异议")
    locked.status = ClaimStatus.DISPUTED
    locked.dispute_reason = reason.strip()
    locked.confirmed_by = actor
    locked.confirmed_at = at or timezone.now()
    return _saved(locked, actor, "企业提出异议")
