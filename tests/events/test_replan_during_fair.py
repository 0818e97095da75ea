"""Re-planning once the fair has begun: meetings already held stay put (their table, their participants'
time and caps), a cancelled meeting gives its table back, and nothing is placed twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kechuang.events import services
from kechuang.events.models import EventKind, Meeting, MeetingRequest
from kechuang.orgs.choices import OrgKind
from kechuang.orgs.models import Organization

START = timezone.make_aware(dt.datetime(2026, 5, 21, 9, 0))


def _accepted(a: Any, b: Any) -> MeetingRequest:
    request = services.request_meeting(requester=a, invitee=b)
    return services.respond_to_request(meeting_request=request, accept=True)


@pytest.mark.parametrize("cap_of_a", [8, 1])
def test_replan_after_held_and_cancelled_meetings(db: Any, cap_of_a: int) -> None:
    event = services.create_event(
        title="对接会", kind=EventKind.FAIR, starts_at=START, ends_at=START + dt.timedelta(hours=2)
    )
    first, second = services.add_slots(event=event, first_start=START, minutes=30, count=2, tables=1)
    regs = []
    for i, name in enumerate("ABCD"):
        org = Organization.objects.create(kind=OrgKind.ENTERPRISE, name=f"单位{name}")
        reg = services.register(
            event=event,
            organization=org,
            role="exhibitor" if i % 2 == 0 else "enterprise",
            user=None,
            contact_name="x",
            max_meetings=cap_of_a if name == "A" else 8,
        )
        services.review_registration(registration=reg, approve=True)
        regs.append(reg)
    a, b, c, d = regs
    ab, cd = _accepted(a, b), _accepted(c, d)
    services.schedule_event(event=event, time_limit_s=5)
    early = Meeting.objects.get(slot=first)
    late = Meeting.objects.get(slot=second)
    services.record_meeting_outcome(meeting=early, held=True, interest="high")
    services.cancel_meeting(meeting=late)
    # A new request between someone from the held meeting and someone from the cancelled one.
    held_party = a if early.request_id == ab.pk else c
    other_party = d if held_party == a else b
    if held_party == c:
        held_party.max_meetings = cap_of_a
        held_party.save()
    new = _accepted(held_party, other_party)

    run = services.replan_event(event=event, time_limit_s=5)

    early.refresh_from_db()
    assert (early.status, early.slot, early.table) == ("held", first, 1)
    assert Meeting.objects.filter(request=late.request, status="cancelled").count() == 1
    assert run.requested == 1  # the held and the cancelled requests are not placed again
    if cap_of_a == 1:  # the held meeting used up the participant's only meeting
        assert run.placed == 0 and not Meeting.objects.filter(request=new).exists()
    else:  # the cancelled meeting's table in the second slot is reused
        placed = Meeting.objects.get(request=new)
        assert (placed.slot, placed.table, placed.status) == (second, 1, "scheduled")
        assert run.placed == 1 and run.unplaced == []
    assert {ab.pk, cd.pk} == {early.request_id, late.request_id}


def test_full_schedule_is_refused_after_a_cancellation_with_the_right_reason(db: Any) -> None:
    from django.core.exceptions import ValidationError

    event = services.create_event(
        title="对接会", kind=EventKind.FAIR, starts_at=START, ends_at=START + dt.timedelta(hours=2)
    )
    services.add_slots(event=event, first_start=START, minutes=30, count=2, tables=1)
    regs = []
    for i, name in enumerate("AB"):
        org = Organization.objects.create(kind=OrgKind.ENTERPRISE, name=f"单位{name}")
        reg = services.register(
            event=event,
            organization=org,
            role="exhibitor" if i == 0 else "enterprise",
            user=None,
            contact_name="x",
        )
        services.review_registration(registration=reg, approve=True)
        regs.append(reg)
    _accepted(*regs)
    services.schedule_event(event=event, time_limit_s=5)
    services.cancel_meeting(meeting=Meeting.objects.get())
    with pytest.raises(ValidationError, match="已有洽谈被取消"):
        services.schedule_event(event=event, time_limit_s=5)
    assert services.replan_event(event=event, time_limit_s=5).status
