"""Events in the database: registration rules, requests, scheduling through the solver, replanning after
a cancellation, outcomes and intention orders followed to contracts, and the event report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kechuang.events import selectors, services
from kechuang.events.models import EventKind, Meeting, MeetingRequest, ParticipantRole, ScheduleRun
from kechuang.orgs.choices import OrgKind
from kechuang.orgs.models import Organization

START = timezone.make_aware(dt.datetime(2026, 5, 20, 9, 0))


@pytest.fixture
def fair(db: Any) -> dict[str, Any]:
    event = services.create_event(
        title="第二届晋江市科技成果转化对接洽谈会",
        kind=EventKind.FAIR,
        starts_at=START,
        ends_at=START + dt.timedelta(hours=8),
        venue="晋江国际会展中心",
    )
    slots = services.add_slots(event=event, first_start=START, minutes=30, count=4, tables=2)
    orgs = [Organization.objects.create(kind=OrgKind.ENTERPRISE, name=f"单位{i}") for i in range(6)]
    regs = [
        services.register(
            event=event,
            organization=o,
            role=ParticipantRole.ENTERPRISE if i % 2 else ParticipantRole.EXHIBITOR,
            user=None,
            contact_name="联系人",
            max_meetings=3,
        )
        for i, o in enumerate(orgs)
    ]
    for reg in regs:
        services.review_registration(registration=reg, approve=True)
    return {"event": event, "slots": slots, "orgs": orgs, "regs": regs}


def test_overlapping_event_at_the_same_venue_is_refused(fair: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="时间重叠"):
        services.create_event(
            title="另一场",
            kind=EventKind.SALON,
            starts_at=START + dt.timedelta(hours=1),
            ends_at=START + dt.timedelta(hours=2),
            venue="晋江国际会展中心",
        )


def test_registering_twice_is_refused(fair: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="请勿重复报名"):
        services.register(
            event=fair["event"],
            organization=fair["orgs"][0],
            role=ParticipantRole.EXHIBITOR,
            user=None,
            contact_name="x",
        )


def test_requests_need_two_approved_parties_once(fair: dict[str, Any]) -> None:
    a, b = fair["regs"][0], fair["regs"][1]
    services.request_meeting(requester=a, invitee=b)
    with pytest.raises(ValidationError, match="已有洽谈请求"):
        services.request_meeting(requester=b, invitee=a)
    with pytest.raises(ValidationError, match="自己"):
        services.request_meeting(requester=a, invitee=a)


def test_schedule_places_accepted_meetings_and_reports_quality(fair: dict[str, Any]) -> None:
    regs = fair["regs"]
    pairs = [(0, 1), (0, 3), (2, 1), (2, 3), (4, 5), (4, 1)]
    for i, j in pairs:
        request = services.request_meeting(requester=regs[i], invitee=regs[j])
        services.respond_to_request(meeting_request=request, accept=True)
    run = services.schedule_event(event=fair["event"], time_limit_s=5)
    assert run.placed == 6 and run.accepted_placed == 6 and run.unplaced == []
    assert (
        run.lp_bound is not None and run.value <= run.lp_bound + 1e-6 and run.value >= run.greedy_value - 1e-6
    )
    meetings = list(Meeting.objects.select_related("request", "slot"))
    per_slot_person: set[tuple[int, int]] = set()
    for m in meetings:
        for person in (m.request.requester_id, m.request.invitee_id):
            assert (m.slot_id, person) not in per_slot_person  # one meeting per person per slot
            per_slot_person.add((m.slot_id, person))
        assert 1 <= m.table <= m.slot.tables


def test_impossible_schedule_lists_what_could_not_be_placed(fair: dict[str, Any]) -> None:
    regs = fair["regs"]
    regs[0].max_meetings = 1
    regs[0].save()
    for j in (1, 3, 5):
        services.respond_to_request(
            meeting_request=services.request_meeting(requester=regs[0], invitee=regs[j]), accept=True
        )
    run = services.schedule_event(event=fair["event"], time_limit_s=5)
    assert run.placed == 1 and len(run.unplaced) == 2
    assert all(u["accepted"] and u["reason"] for u in run.unplaced)


def test_replan_after_a_cancellation_keeps_other_meetings(fair: dict[str, Any]) -> None:
    regs = fair["regs"]
    for i, j in [(0, 1), (2, 3), (4, 5), (0, 3)]:
        services.respond_to_request(
            meeting_request=services.request_meeting(requester=regs[i], invitee=regs[j]), accept=True
        )
    services.schedule_event(event=fair["event"], time_limit_s=5)
    before = {m.request_id: (m.slot_id, m.table) for m in Meeting.objects.all()}
    cancelled = Meeting.objects.first()
    assert cancelled is not None
    services.cancel_meeting(meeting=cancelled)
    run = services.replan_event(event=fair["event"], time_limit_s=5)
    after = {
        m.request_id: (m.slot_id, m.table) for m in Meeting.objects.filter(status=Meeting.Status.SCHEDULED)
    }
    assert run.kind == "replan" and run.moves == 0
    assert all(after[k] == v for k, v in before.items() if k != cancelled.request_id)
    assert ScheduleRun.objects.count() == 2


def test_orders_followed_to_contracts_feed_the_report(fair: dict[str, Any]) -> None:
    regs = fair["regs"]
    request = services.request_meeting(requester=regs[0], invitee=regs[1])
    services.respond_to_request(meeting_request=request, accept=True)
    services.schedule_event(event=fair["event"], time_limit_s=5)
    meeting = Meeting.objects.get(request=request)
    services.check_in(registration=regs[0])
    services.record_meeting_outcome(
        meeting=meeting, held=True, interest=Meeting.Interest.HIGH, notes="意向强烈"
    )
    order = services.create_order(
        event=fair["event"],
        supplier=fair["orgs"][0],
        buyer=fair["orgs"][1],
        cooperation="许可",
        intended_amount=Decimal("120"),
        meeting=meeting,
    )
    services.create_order(
        event=fair["event"],
        supplier=fair["orgs"][2],
        buyer=fair["orgs"][3],
        cooperation="转让",
        intended_amount=Decimal("30"),
    )
    with pytest.raises(ValidationError, match="须先登记合同"):
        services.advance_order(order=order, stage="landed", landed_on=dt.date(2026, 9, 1))
    services.advance_order(
        order=order,
        stage="contract",
        contract_type="licence",
        contract_amount=Decimal("100"),
        signed_on=dt.date(2026, 7, 1),
        contract_no="2026350582000001",
    )
    services.advance_order(order=order, stage="landed", landed_on=dt.date(2026, 9, 1))
    report = selectors.event_report(event=fair["event"])
    assert report["orders"] == 2 and report["intended_amount"] == 150.0
    assert report["contracts"] == 1 and report["landed"] == 1 and report["to_contract"] == 0.5
    assert report["meetings"]["held"] == 1 and report["checked_in"] == 1
    assert report["participants"]["企业"] == 3
    assert MeetingRequest.objects.get(pk=request.pk).status == MeetingRequest.Status.ACCEPTED


def test_engine_suggests_meetings_without_overriding_requests(fair: dict[str, Any]) -> None:
    from kechuang.achievements.models import Achievement

    regs = fair["regs"]  # even indexes are exhibitors, odd ones enterprises
    sole = Achievement.objects.create(title="高耐磨鞋底橡胶配方", abstract="纳米白炭黑改性提高鞋底耐磨性")
    kiln = Achievement.objects.create(title="陶瓷窑炉余热回收", abstract="窑炉烟气余热用于干燥，节能明显")
    regs[0].achievements.add(sole)
    regs[2].achievements.add(kiln)
    regs[1].offer = "寻找提高运动鞋底耐磨性能的橡胶配方"
    regs[1].save()
    regs[3].offer = "陶瓷厂窑炉节能改造，希望回收余热"
    regs[3].save()
    services.request_meeting(requester=regs[1], invitee=regs[2])  # a person's own request stays as it is
    created = services.suggest_meetings(event=fair["event"], per_participant=1)
    suggested = {(m.requester_id, m.invitee_id) for m in MeetingRequest.objects.filter(status="suggested")}
    assert created == len(suggested) >= 2
    assert (regs[1].pk, regs[0].pk) in suggested and (regs[3].pk, regs[2].pk) in suggested
    assert MeetingRequest.objects.get(requester=regs[1], invitee=regs[2]).status == "requested"
    run = services.schedule_event(event=fair["event"], time_limit_s=5)
    assert run.placed >= 2  # suggested meetings are scheduled by value after accepted ones
