"""Writes for events: registration, meeting requests, scheduling with the solver, outcomes, orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kechuang.events import scheduling
from kechuang.events.models import (
    Event,
    IntentionOrder,
    Meeting,
    MeetingRequest,
    MeetingSlot,
    Registration,
    ScheduleRun,
)
from kechuang.orgs.models import Organization

ACCEPTED_VALUE = 10.0  # accepted requests also carry a value; the solver places them first regardless


def create_event(
    *,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue: str = "",
    online: bool = False,
    capacity: int = 300,
    organisers: str = "",
    agenda: str = "",
) -> Event:
    """A new event; refuses one at the same venue that overlaps another in time."""
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "结束时间应晚于开始时间"})
    if venue and not online:
        clash = Event.objects.filter(
            venue=venue, online=False, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).first()
        if clash is not None:
            raise ValidationError({"venue": f"该场地已有活动“{clash.title}”与此时间重叠"})
    return Event.objects.create(
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        online=online,
        capacity=capacity,
        organisers=organisers,
        agenda=agenda,
    )


def add_slots(
    *, event: Event, first_start: dt.datetime, minutes: int, count: int, tables: int, gap_minutes: int = 0
) -> list[MeetingSlot]:
    if not (event.starts_at <= first_start and minutes > 0 and count > 0 and tables > 0):
        raise ValidationError("时段须在活动时间内，时长、场次和桌数须大于0")
    slots: list[MeetingSlot] = []
    start = first_start
    for _ in range(count):
        end = start + dt.timedelta(minutes=minutes)
        if end > event.ends_at:
            raise ValidationError(f"第{len(slots) + 1}个时段超出活动结束时间")
        slots.append(MeetingSlot(event=event, starts_at=start, ends_at=end, tables=tables))
        start = end + dt.timedelta(minutes=gap_minutes)
    return MeetingSlot.objects.bulk_create(slots)


def register(
    *,
    event: Event,
    organization: Organization,
    role: str,
    user: User | None,
    contact_name: str,
    contact_phone: str = "",
    offer: str = "",
    max_meetings: int = 8,
    available: list[MeetingSlot] | None = None,
) -> Registration:
    if not event.registration_open:
        raise ValidationError("该活动已停止报名")
    if Registration.objects.filter(event=event, organization=organization).exists():
        raise ValidationError(f"“{organization.name}”已报名该活动，请勿重复报名")
    if event.registrations.exclude(status=Registration.Status.REJECTED).count() >= event.capacity:
        raise ValidationError("报名人数已满")
    registration = Registration.objects.create(
        event=event,
        organization=organization,
        role=role,
        user=user,
        contact_name=contact_name,
        contact_phone=contact_phone,
        offer=offer,
        max_meetings=max_meetings,
    )
    if available:
        registration.available_slots.set(available)
    return registration


def review_registration(*, registration: Registration, approve: bool) -> Registration:
    registration.status = Registration.Status.APPROVED if approve else Registration.Status.REJECTED
    registration.save(update_fields=["status", "updated_at"])
    return registration


def request_meeting(*, requester: Registration, invitee: Registration, message: str = "") -> MeetingRequest:
    if requester.pk == invitee.pk:
        raise ValidationError("不能向自己发起洽谈")
    if requester.event_id != invitee.event_id:
        raise ValidationError("双方须参加同一活动")
    if (
        Registration.Status.APPROVED not in (requester.status, invitee.status)
        or requester.status != invitee.status
    ):
        raise ValidationError("双方报名均通过审核后才能预约洽谈")
    pair = Q(requester=requester, invitee=invitee) | Q(requester=invitee, invitee=requester)
    existing = MeetingRequest.objects.filter(pair, event_id=requester.event_id).first()
    if existing is not None and existing.status != MeetingRequest.Status.SUGGESTED:
        raise ValidationError(f"双方已有洽谈请求（{existing.get_status_display()}）")
    if existing is not None:  # a system suggestion becomes a real request
        existing.status, existing.message = MeetingRequest.Status.REQUESTED, message[:500]
        existing.save(update_fields=["status", "message", "updated_at"])
        return existing
    return MeetingRequest.objects.create(
        event_id=requester.event_id, requester=requester, invitee=invitee, message=message[:500]
    )


def respond_to_request(*, meeting_request: MeetingRequest, accept: bool) -> MeetingRequest:
    if meeting_request.status not in (MeetingRequest.Status.REQUESTED, MeetingRequest.Status.SUGGESTED):
        raise ValidationError("该请求已处理")
    meeting_request.status = MeetingRequest.Status.ACCEPTED if accept else MeetingRequest.Status.DECLINED
    if accept:
        meeting_request.value = max(meeting_request.value, ACCEPTED_VALUE)
    meeting_request.save(update_fields=["status", "value", "updated_at"])
    return meeting_request


def _instance(event: Event) -> tuple[scheduling.Instance, list[MeetingSlot]]:
    slots = list(event.slots.all())
    index_of = {slot.pk: i for i, slot in enumerate(slots)}
    registrations = list(
        event.registrations.filter(status=Registration.Status.APPROVED)
        .prefetch_related("available_slots")
        .select_related("organization")
    )
    participants = []
    for reg in registrations:
        chosen = frozenset(index_of[s.pk] for s in reg.available_slots.all() if s.pk in index_of)
        participants.append(
            scheduling.Participant(
                id=str(reg.pk),
                name=reg.organization.name,
                cap=reg.max_meetings,
                available=chosen or None,
                role=reg.role,
            )
        )
    approved = {str(r.pk) for r in registrations}
    wanted = event.meeting_requests.filter(
        status__in=[MeetingRequest.Status.ACCEPTED, MeetingRequest.Status.SUGGESTED]
    )
    requests = [
        scheduling.MeetingRequest(
            id=str(r.pk),
            a=str(r.requester_id),
            b=str(r.invitee_id),
            value=r.value,
            accepted=r.status == MeetingRequest.Status.ACCEPTED,
        )
        for r in wanted
        if str(r.requester_id) in approved and str(r.invitee_id) in approved
    ]
    return scheduling.Instance.build(
        [scheduling.Slot(str(s), s.tables) for s in slots], participants, requests
    ), slots


def _store(
    event: Event, result: scheduling.ScheduleResult, slots: list[MeetingSlot], kind: str
) -> ScheduleRun:
    with transaction.atomic():
        Meeting.objects.filter(request__event=event, status=Meeting.Status.SCHEDULED).delete()
        Meeting.objects.bulk_create(
            [
                Meeting(request_id=int(mid), slot=slots[p.slot], table=p.table)
                for mid, p in result.placed.items()
            ]
        )
        return ScheduleRun.objects.create(
            event=event,
            kind=kind,
            requested=result.requested,
            placed=len(result.placed),
            value=result.value,
            lp_bound=result.lp_bound,
            greedy_value=result.greedy_value,
            accepted_placed=result.accepted_placed,
            accepted_total=result.accepted_total,
            moves=result.moves,
            seconds=result.seconds,
            status=result.status,
            unplaced=[
                {"request": int(u.meeting_id), "accepted": u.accepted, "reason": u.reason}
                for u in result.unplaced
            ],
        )


def schedule_event(*, event: Event, time_limit_s: float = 25) -> ScheduleRun:
    """Place accepted requests first, then suggested ones by value, into slots and tables."""
    if Meeting.objects.filter(request__event=event).exclude(status=Meeting.Status.SCHEDULED).exists():
        raise ValidationError("活动已开始记录洽谈结果，请使用“调整排期”，以免打乱已发出的日程")
    instance, slots = _instance(event)
    if not slots:
        raise ValidationError("请先设置洽谈时段和桌数")
    return _store(event, scheduling.schedule(instance, time_limit_s=time_limit_s), slots, "schedule")


def replan_event(*, event: Event, time_limit_s: float = 10) -> ScheduleRun:
    """Re-plan after late changes (cancellations, no-shows, withdrawn registrations) moving few meetings."""
    instance, slots = _instance(event)
    index_of = {slot.pk: i for i, slot in enumerate(slots)}
    previous = {
        str(m.request_id): scheduling.Placement(index_of[m.slot_id], m.table)
        for m in Meeting.objects.filter(request__event=event, status=Meeting.Status.SCHEDULED)
        if str(m.request_id) in instance.request
    }
    return _store(event, scheduling.replan(instance, previous, time_limit_s=time_limit_s), slots, "replan")


def cancel_meeting(*, meeting: Meeting, no_show: bool = False) -> Meeting:
    """Cancel a meeting (or mark a no-show); its request leaves the plan so a replan can reuse the slot."""
    meeting.status = Meeting.Status.NO_SHOW if no_show else Meeting.Status.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    MeetingRequest.objects.filter(pk=meeting.request_id).update(status=MeetingRequest.Status.DECLINED)
    return meeting


def check_in(*, registration: Registration) -> Registration:
    if registration.status != Registration.Status.APPROVED:
        raise ValidationError("报名未通过审核，不能签到")
    registration.checked_in_at = registration.checked_in_at or timezone.now()
    registration.save(update_fields=["checked_in_at", "updated_at"])
    return registration


def record_meeting_outcome(*, meeting: Meeting, held: bool, interest: str = "", notes: str = "") -> Meeting:
    meeting.status = Meeting.Status.HELD if held else Meeting.Status.NO_SHOW
    meeting.interest = interest if held else ""
    meeting.notes = notes[:3000]
    meeting.save(update_fields=["status", "interest", "notes", "updated_at"])
    return meeting


def create_order(
    *,
    event: Event,
    supplier: Organization,
    buyer: Organization,
    cooperation: str,
    intended_amount: Decimal | None = None,
    meeting: Meeting | None = None,
    **links: Any,
) -> IntentionOrder:
    if supplier.pk == buyer.pk:
        raise ValidationError("成果方与需求方不能是同一单位")
    if intended_amount is not None and intended_amount < 0:
        raise ValidationError({"intended_amount": "意向金额不能为负"})
    return IntentionOrder.objects.create(
        event=event,
        supplier=supplier,
        buyer=buyer,
        cooperation=cooperation,
        intended_amount=intended_amount,
        meeting=meeting,
        **links,
    )


def advance_order(
    *,
    order: IntentionOrder,
    stage: str,
    contract_type: str = "",
    contract_amount: Decimal | None = None,
    contract_no: str = "",
    signed_on: dt.date | None = None,
    landed_on: dt.date | None = None,
    note: str = "",
    actor: User | None = None,
) -> IntentionOrder:
    """Follow an intention to a contract and a landing (or record why it stopped)."""
    order_of: list[str] = [
        IntentionOrder.Stage.INTENTION,
        IntentionOrder.Stage.CONTRACT,
        IntentionOrder.Stage.LANDED,
    ]
    problem = {
        IntentionOrder.Stage.CONTRACT: (
            contract_amount is None or not contract_type or signed_on is None,
            "登记合同须填写合同类型、金额和签订日期",
        ),
        IntentionOrder.Stage.LANDED: (
            order.stage != IntentionOrder.Stage.CONTRACT or landed_on is None,
            "须先登记合同，并填写落地日期",
        ),
        IntentionOrder.Stage.DROPPED: (not note.strip(), "终止时请说明原因"),
    }.get(IntentionOrder.Stage(stage))
    if problem is not None and problem[0]:
        raise ValidationError(problem[1])
    if stage in order_of and order.stage in order_of and order_of.index(stage) < order_of.index(order.stage):
        raise ValidationError("进展不能倒退")
    order.stage = stage
    for name, value in {
        "contract_type": contract_type,
        "contract_amount": contract_amount,
        "contract_no": contract_no,
        "signed_on": signed_on,
        "landed_on": landed_on,
        "note": note,
    }.items():
        if value not in (None, ""):
            setattr(order, name, value)
    if actor is not None:
        order._history_user = actor  # type: ignore[attr-defined]
    order.save()
    return order


def _texts(registration: Registration) -> list[str]:
    """What a participant brings, as texts the matching engine can compare."""
    texts = [registration.offer] if registration.offer.strip() else []
    texts += [f"{a.title}。{a.abstract}" for a in registration.achievements.all()]
    texts += [f"{d.title}。{d.description}" for d in registration.demands.all()]
    return texts or [registration.organization.name]


def suggest_meetings(*, event: Event, per_participant: int = 5, min_score: float = 0.3) -> int:
    """Propose meetings between enterprises/investors and exhibitors, ranked by the matching engine.

    Each enterprise or investor is a query (its demands and stated interests); exhibitors are entities made
    of their achievements (`rank_entities`: an exhibitor's three best texts count). Suggestions never
    override a request people made themselves. Runs in the background worker (embedding is slow)."""
    from django.conf import settings

    from kechuang.matching.engine import rank_entities

    approved = list(
        event.registrations.filter(status=Registration.Status.APPROVED)
        .select_related("organization")
        .prefetch_related("achievements", "demands")
    )
    exhibitors = {str(r.pk): _texts(r) for r in approved if r.role == "exhibitor"}
    seekers = [r for r in approved if r.role != "exhibitor"]
    if not exhibitors or not seekers:
        return 0
    existing = {frozenset((m.requester_id, m.invitee_id)) for m in event.meeting_requests.all()}
    cache = Path(settings.DATA_DIR) / "matching" / "embeddings"
    created = 0
    for seeker in seekers:
        ranked = rank_entities(
            " ".join(_texts(seeker))[:2000],
            exhibitors,
            backend=settings.KECHUANG_MATCHING_BACKEND,
            cache_dir=cache,
        )
        for exhibitor_id, score in ranked[:per_participant]:
            pair = frozenset((seeker.pk, int(exhibitor_id)))
            if score < min_score or pair in existing:
                continue
            MeetingRequest.objects.create(
                event=event,
                requester=seeker,
                invitee_id=int(exhibitor_id),
                status=MeetingRequest.Status.SUGGESTED,
                value=round(score, 4),
                reason=f"匹配引擎推荐（相对得分 {score:.2f}）",
            )
            existing.add(pair)
            created += 1
    return created
