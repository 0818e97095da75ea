"""Writes for events: registration, meeting requests, scheduling with the solver, outcomes, orders, and
investors' interest in the projects presented at roadshows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kechuang.events import scheduling
from kechuang.events.models import (
    Event,
    EventKind,
    IntentionOrder,
    InvestorInterest,
    Meeting,
    MeetingRequest,
    MeetingSlot,
    ParticipantRole,
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


def _instance(event: Event) -> tuple[scheduling.Instance, list[MeetingSlot], list[list[int]]]:
    """The solver's view of an event, and for each slot the table numbers still free.

    Meetings already held or missed (no-show) stay where they are: their tables and their participants'
    time are taken, held ones count towards the participants' caps, and their requests are not placed
    again; a cancelled meeting frees its table and time."""
    slots = list(event.slots.all())
    index_of = {slot.pk: i for i, slot in enumerate(slots)}
    past = list(
        Meeting.objects.filter(request__event=event)
        .exclude(status=Meeting.Status.SCHEDULED)
        .select_related("request")
    )
    taken: dict[int, set[int]] = {}  # slot index -> tables
    busy: dict[int, set[int]] = {}  # registration -> slot indexes
    held: dict[int, int] = {}
    for m in past:
        if m.status == Meeting.Status.CANCELLED:
            continue
        taken.setdefault(index_of[m.slot_id], set()).add(m.table)
        for party in (m.request.requester_id, m.request.invitee_id):
            busy.setdefault(party, set()).add(index_of[m.slot_id])
            held[party] = held.get(party, 0) + (m.status == Meeting.Status.HELD)
    free = [[t for t in range(1, s.tables + 1) if t not in taken.get(i, set())] for i, s in enumerate(slots)]
    registrations = list(
        event.registrations.filter(status=Registration.Status.APPROVED)
        .prefetch_related("available_slots")
        .select_related("organization")
    )
    participants = []
    everywhere = frozenset(range(len(slots)))
    for reg in registrations:
        chosen = frozenset(index_of[s.pk] for s in reg.available_slots.all() if s.pk in index_of)
        available = chosen or None
        if reg.pk in busy:
            available = (available or everywhere) - busy[reg.pk]
        participants.append(
            scheduling.Participant(
                id=str(reg.pk),
                name=reg.organization.name,
                cap=max(0, reg.max_meetings - held.get(reg.pk, 0)),
                available=available,
                role=reg.role,
            )
        )
    approved = {str(r.pk) for r in registrations}
    done = {m.request_id for m in past}
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
        if str(r.requester_id) in approved and str(r.invitee_id) in approved and r.pk not in done
    ]
    instance = scheduling.Instance.build(
        [scheduling.Slot(str(s), len(free[i])) for i, s in enumerate(slots)], participants, requests
    )
    return instance, slots, free


def _store(
    event: Event,
    result: scheduling.ScheduleResult,
    slots: list[MeetingSlot],
    free: list[list[int]],
    kind: str,
) -> ScheduleRun:
    with transaction.atomic():
        Meeting.objects.filter(request__event=event, status=Meeting.Status.SCHEDULED).delete()
        Meeting.objects.bulk_create(
            [
                Meeting(request_id=int(mid), slot=slots[p.slot], table=free[p.slot][p.table - 1])
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
    settled = set(
        Meeting.objects.filter(request__event=event)
        .exclude(status=Meeting.Status.SCHEDULED)
        .values_list("status", flat=True)
    )
    if settled - {Meeting.Status.CANCELLED}:
        raise ValidationError("活动已开始记录洽谈结果，请使用“调整排期”，以免打乱已发出的日程")
    if settled:
        raise ValidationError("已有洽谈被取消，请使用“调整排期”：只改动受影响的洽谈，已发出的日程尽量不变")
    instance, slots, free = _instance(event)
    if not slots:
        raise ValidationError("请先设置洽谈时段和桌数")
    result = scheduling.schedule(instance, time_limit_s=time_limit_s)
    return _store(event, result, slots, free, "schedule")


def replan_event(*, event: Event, time_limit_s: float = 10) -> ScheduleRun:
    """Re-plan after late changes (cancellations, no-shows, withdrawn registrations) moving few meetings."""
    instance, slots, free = _instance(event)
    index_of = {slot.pk: i for i, slot in enumerate(slots)}
    previous = {  # in the solver's table numbering: the n-th free table of the slot is table n
        str(m.request_id): scheduling.Placement(
            index_of[m.slot_id], free[index_of[m.slot_id]].index(m.table) + 1
        )
        for m in Meeting.objects.filter(request__event=event, status=Meeting.Status.SCHEDULED)
        if str(m.request_id) in instance.request and m.table in free[index_of[m.slot_id]]
    }
    result = scheduling.replan(instance, previous, time_limit_s=time_limit_s)
    return _store(event, result, slots, free, "replan")


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


ROADSHOW_KINDS = (EventKind.ROADSHOW, EventKind.PROMOTION)


def record_investor_interest(
    *,
    investor: Registration,
    presenter: Registration,
    level: str,
    amount: Decimal | None = None,
    funding_round: str = "",
    note: str = "",
    actor: User | None = None,
) -> InvestorInterest:
    """An investor at a roadshow notes its interest in a presented project (once per project)."""
    if investor.event_id != presenter.event_id:
        raise ValidationError("投资机构与路演项目须属于同一活动")
    event = investor.event
    if event.kind not in ROADSHOW_KINDS:
        raise ValidationError("只有投融资路演和项目推介活动可以登记投资意向")
    if investor.role != ParticipantRole.INVESTOR or investor.status != Registration.Status.APPROVED:
        raise ValidationError("投资意向须由本活动报名审核通过的投资机构登记")
    if presenter.role == ParticipantRole.INVESTOR:
        raise ValidationError("路演项目须为企业或成果方，不能是投资机构")
    if presenter.status != Registration.Status.APPROVED:
        raise ValidationError("该路演项目的报名尚未通过审核")
    if level not in InvestorInterest.Level.values:
        raise ValidationError({"level": "请选择意向程度（强烈/一般/观望）"})
    if funding_round and funding_round not in InvestorInterest.Round.values:
        raise ValidationError({"funding_round": "轮次无效"})
    if amount is not None and amount < 0:
        raise ValidationError({"amount": "意向投资金额不能为负"})
    if InvestorInterest.objects.filter(investor=investor, presenter=presenter).exists():
        raise ValidationError(
            f"“{investor.organization.name}”已登记对“{presenter.organization.name}”的投资意向，"
            "请在列表中更新进展"
        )
    interest = InvestorInterest(
        event=event,
        investor=investor,
        presenter=presenter,
        level=level,
        amount=amount,
        funding_round=funding_round,
        note=note[:500],
    )
    if actor is not None:
        interest._history_user = actor  # type: ignore[attr-defined]
    interest.save()
    return interest


INTEREST_FLOW: list[str] = [
    InvestorInterest.Stage.INTENTION,
    InvestorInterest.Stage.DUE_DILIGENCE,
    InvestorInterest.Stage.INVESTED,
]


def advance_investor_interest(
    *,
    interest: InvestorInterest,
    stage: str,
    invested_amount: Decimal | None = None,
    funding_round: str = "",
    note: str = "",
    actor: User | None = None,
) -> InvestorInterest:
    """Follow an interest: 意向 → 尽调 → 已投资, or 放弃 (with a reason) before an investment."""
    stages = InvestorInterest.Stage
    if stage not in stages.values:
        raise ValidationError("跟进阶段无效")
    if interest.stage in (stages.INVESTED, stages.DROPPED):
        raise ValidationError(f"该投资意向已{interest.get_stage_display()}，不能再变更进展")
    if stage in INTEREST_FLOW and INTEREST_FLOW.index(stage) < INTEREST_FLOW.index(interest.stage):
        raise ValidationError("进展不能倒退")
    if funding_round and funding_round not in InvestorInterest.Round.values:
        raise ValidationError({"funding_round": "轮次无效"})
    if invested_amount is not None and invested_amount < 0:
        raise ValidationError({"invested_amount": "投资金额不能为负"})
    if stage == stages.INVESTED and invested_amount is None:
        raise ValidationError("登记已投资须填写实际投资金额（万元）")
    if stage == stages.DROPPED and not note.strip():
        raise ValidationError("放弃时请说明原因")
    interest.stage = stage
    if stage == stages.INVESTED:
        interest.invested_amount = invested_amount
    if funding_round:
        interest.funding_round = funding_round
    if note.strip():
        interest.stage_note = note.strip()[:500]
    if actor is not None:
        interest._history_user = actor  # type: ignore[attr-defined]
    interest.save()
    return interest


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
    from kechuang.matching.engine import rank_entities
    from kechuang.matching.selectors import engine_options

    approved = list(
        event.registrations.filter(status=Registration.Status.APPROVED)
        .select_related("organization")
        .prefetch_related("achievements", "demands")
    )
    by_pk = {r.pk: r for r in approved}
    exhibitors = {str(r.pk): _texts(r) for r in approved if r.role == "exhibitor"}
    seekers = [r for r in approved if r.role != "exhibitor"]
    if not exhibitors or not seekers:
        return 0
    existing = {frozenset((m.requester_id, m.invitee_id)) for m in event.meeting_requests.all()}
    picked: list[tuple[Registration, Registration, float]] = []
    for seeker in seekers:
        ranked = rank_entities(" ".join(_texts(seeker))[:2000], exhibitors, **engine_options())
        for exhibitor_id, score in ranked[:per_participant]:
            pair = frozenset((seeker.pk, int(exhibitor_id)))
            if score < min_score or pair in existing:
                continue
            picked.append((seeker, by_pk[int(exhibitor_id)], score))
            existing.add(pair)
    created = 0
    # Ranked first, stored in one transaction: a worker stopped or killed mid-way leaves no part of a run.
    with transaction.atomic():
        for seeker, exhibitor, score in picked:
            suggestion = suggest_meeting(
                requester=seeker,
                invitee=exhibitor,
                value=round(score, 4),
                reason=f"匹配引擎推荐（相对得分 {score:.2f}）",
            )
            created += suggestion is not None
    return created


def suggest_meeting(
    *, requester: Registration, invitee: Registration, value: float, reason: str
) -> MeetingRequest | None:
    """One system-suggested meeting, scheduled by `value` after accepted ones. A request the two parties
    already have (made, answered or suggested) stays as it is: then nothing is created (None)."""
    if requester.pk == invitee.pk or requester.event_id != invitee.event_id:
        raise ValidationError("推荐的洽谈须是同一活动的两个不同单位")
    if value < 0:
        raise ValidationError("推荐价值不能为负")
    pair = Q(requester=requester, invitee=invitee) | Q(requester=invitee, invitee=requester)
    if MeetingRequest.objects.filter(pair, event_id=requester.event_id).exists():
        return None
    return MeetingRequest.objects.create(
        event_id=requester.event_id,
        requester=requester,
        invitee=invitee,
        status=MeetingRequest.Status.SUGGESTED,
        value=value,
        reason=reason[:500],
    )
