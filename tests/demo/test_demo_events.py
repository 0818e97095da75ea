"""Demo events: the past fair went the whole way (registrations, requests, a real schedule, check-ins,
outcomes, orders to contracts and landings), the roadshow has investor interest at several stages, the
upcoming session is open, dates are consistent, and deleting the demo removes all of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from kechuang.accounts.selectors import principal_for
from kechuang.demo.events import FAIR_DAY, delete_demo_events, load_demo_events
from kechuang.demo.loader import delete_demo, load_demo
from kechuang.events import selectors
from kechuang.events.models import (
    Event,
    EventKind,
    IntentionOrder,
    InvestorInterest,
    Meeting,
    MeetingRequest,
    MeetingSlot,
    Registration,
    ScheduleRun,
)

SEED = 5


@pytest.fixture
def demo(db: Any) -> dict[str, Event]:
    result = load_demo(enterprises=80, achievements_limit=120, seed=SEED, as_of=dt.date.today())
    assert result.loaded
    events = {e.kind: e for e in Event.objects.filter(is_demo=True)}
    assert set(events) == {EventKind.FAIR, EventKind.ROADSHOW, EventKind.FACE_TO_FACE}
    return events


def test_the_fair_went_from_registration_to_landed_projects(demo: dict[str, Event]) -> None:
    fair = demo[EventKind.FAIR]
    assert fair.starts_at.date() == FAIR_DAY and not fair.registration_open
    approved = fair.registrations.filter(status=Registration.Status.APPROVED)
    roles = {role: approved.filter(role=role).count() for role in ("exhibitor", "enterprise", "investor")}
    assert roles["exhibitor"] >= 15 and roles["enterprise"] == 30 and roles["investor"] == 8
    assert fair.registrations.filter(status=Registration.Status.REJECTED).count() == 1
    assert approved.filter(role="exhibitor", achievements__isnull=False).distinct().count() >= 10
    assert approved.filter(role="enterprise", demands__isnull=False).distinct().count() >= 15

    requests = fair.meeting_requests
    for status in MeetingRequest.Status.values:
        assert requests.filter(status=status).exists(), status
    assert all("推荐" in r.reason for r in requests.filter(status=MeetingRequest.Status.SUGGESTED))

    runs = list(fair.schedule_runs.order_by("created_at"))
    assert [r.kind for r in runs] == ["schedule", "replan"]
    assert runs[0].placed >= 60 and runs[0].accepted_placed >= runs[0].accepted_total - 3
    assert runs[0].unplaced and all(u["reason"] for u in runs[0].unplaced)  # explained to the bureau
    assert runs[0].placed + len(runs[0].unplaced) == runs[0].requested
    assert runs[0].lp_bound is not None and runs[0].value <= runs[0].lp_bound + 1e-6
    meetings = Meeting.objects.filter(request__event=fair)
    held = meetings.filter(status=Meeting.Status.HELD)
    assert held.count() >= 50 and meetings.filter(status=Meeting.Status.NO_SHOW).count() >= 1
    assert meetings.filter(status=Meeting.Status.CANCELLED).count() == 1
    assert not meetings.filter(status=Meeting.Status.SCHEDULED).exists()  # every outcome is recorded
    assert set(held.values_list("interest", flat=True)) == {"high", "medium", "low"}
    # No participant is at two tables at once, no table holds two meetings.
    seen: set[tuple[int, int]] = set()
    for m in meetings.exclude(status=Meeting.Status.CANCELLED).select_related("request"):
        for party in (m.request.requester_id, m.request.invitee_id):
            assert (m.slot_id, party) not in seen
            seen.add((m.slot_id, party))
    absent = approved.filter(checked_in_at__isnull=True)
    assert absent.count() == 1
    assert not held.filter(request__requester__in=absent).exists()
    assert not held.filter(request__invitee__in=absent).exists()

    orders = fair.orders.all()
    assert orders.count() >= 25 and orders.filter(meeting__isnull=False).exists()
    assert orders.filter(meeting__isnull=True).exists()
    contracts = orders.filter(stage__in=["contract", "landed"])
    assert contracts.count() >= 8 and orders.filter(stage="landed").count() == 2
    assert orders.filter(stage="dropped").count() == 3
    assert len(set(contracts.values_list("contract_type", flat=True))) >= 3
    today = timezone.localdate()
    for order in contracts:
        assert order.contract_amount and order.contract_amount > 0
        assert order.signed_on and FAIR_DAY < order.signed_on <= today
        assert len(order.contract_no) == 16 and order.contract_no[4:10] == "350582"
        assert timezone.localdate(order.created_at) == FAIR_DAY
    for order in orders.filter(stage="landed"):
        assert order.landed_on and order.signed_on and order.signed_on < order.landed_on <= today
        assert list(order.history.order_by("history_date").values_list("stage", flat=True)) == [  # type: ignore[attr-defined]
            "intention",
            "contract",
            "landed",
        ]

    # The calendar: registered weeks before, requests days before, checked in on the day.
    assert approved.filter(created_at__date__gte=FAIR_DAY).count() == 0
    assert requests.filter(created_at__gte=fair.starts_at).count() == 0
    for r in requests.select_related("requester", "invitee"):
        assert r.created_at > max(r.requester.created_at, r.invitee.created_at)
    assert not meetings.filter(updated_at__gt=fair.ends_at).exists()
    assert not meetings.filter(created_at__gte=fair.starts_at).exists()
    assert all(timezone.localdate(r.checked_in_at) == FAIR_DAY for r in approved.exclude(checked_in_at=None))
    slots = MeetingSlot.objects.filter(event=fair)
    assert all(fair.starts_at <= s.starts_at < s.ends_at <= fair.ends_at for s in slots)

    report = selectors.event_report(event=fair)
    assert report["orders"] == orders.count() and report["landed"] == 2
    assert report["meetings"]["held"] == held.count() and report["checked_in"] == approved.count() - 1


def test_roadshow_interest_and_upcoming_session(demo: dict[str, Event]) -> None:
    roadshow = demo[EventKind.ROADSHOW]
    interests = InvestorInterest.objects.filter(event=roadshow)
    stages = {s: interests.filter(stage=s).count() for s in InvestorInterest.Stage.values}
    assert stages["invested"] >= 1 and stages["due_diligence"] >= 1 and stages["dropped"] >= 1
    assert stages["intention"] >= 1
    assert all(i.invested_amount for i in interests.filter(stage="invested"))
    assert all(i.stage_note for i in interests.filter(stage="dropped"))
    report = selectors.event_report(event=roadshow)
    assert report["investor_interests"] == interests.count() >= 8 and report["invested"] == stages["invested"]

    # The demo accounts have something to look at.
    users = {
        u.username: principal_for(u)
        for u in get_user_model().objects.filter(username__in=["investor", "enterprise"])
    }
    own = selectors.investor_interests(principal=users["investor"], event=roadshow)
    assert (
        own.exists() and not own.exclude(investor__organization_id=users["investor"].organization_id).exists()
    )
    pitched = selectors.investor_interests(principal=users["enterprise"], event=roadshow)
    assert pitched.exists()
    assert not pitched.exclude(presenter__organization_id=users["enterprise"].organization_id).exists()
    fair = demo[EventKind.FAIR]
    mine = fair.registrations.get(organization_id=users["enterprise"].organization_id)
    assert len(selectors.agenda(registration=mine)) >= 2

    upcoming = demo[EventKind.FACE_TO_FACE]
    assert upcoming.registration_open and upcoming.starts_at > timezone.now()
    assert upcoming.slots.count() == 5
    assert upcoming.registrations.filter(status=Registration.Status.PENDING).count() == 1
    assert not upcoming.registrations.filter(organization_id=users["enterprise"].organization_id).exists()


def test_delete_and_reset(demo: dict[str, Event]) -> None:
    def snapshot() -> list[tuple[str, int, int, int]]:
        return [
            (e.title, e.registrations.count(), e.orders.count(), e.investor_interests.count())
            for e in Event.objects.filter(is_demo=True).order_by("starts_at")
        ]

    first = snapshot()
    kept = Event.objects.create(
        title="真实活动",
        kind=EventKind.SALON,
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert IntentionOrder.history.exists()  # type: ignore[attr-defined]
    deleted = delete_demo_events()
    assert deleted["events"] == 3 and deleted["intention_orders"] == first[0][2]
    assert deleted["registrations"] == sum(row[1] for row in first)
    assert list(Event.objects.all()) == [kept]
    for model in (Registration, MeetingRequest, Meeting, MeetingSlot, ScheduleRun, IntentionOrder):
        assert not model.objects.exists(), model
    assert not InvestorInterest.objects.exists()
    assert not IntentionOrder.history.exists()  # type: ignore[attr-defined]
    assert not InvestorInterest.history.exists()  # type: ignore[attr-defined]
    assert list(Event.history.values_list("id", flat=True).distinct()) == [kept.pk]  # type: ignore[attr-defined]

    counts = load_demo_events(seed=SEED)
    assert counts["对接活动"] == 3 and counts["对接会·已落地"] == 2
    assert snapshot() == first

    assert load_demo(enterprises=80, achievements_limit=120, seed=SEED, reset=True).loaded
    assert snapshot() == first
    delete_demo()
    assert list(Event.objects.all()) == [kept] and not Registration.objects.exists()
