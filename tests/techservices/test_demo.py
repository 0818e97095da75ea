"""The demo loader writes through the services, is deterministic, and its delete leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kechuang.demo.techservices import delete_demo_techservices, load_demo_techservices
from kechuang.orgs.models import Enterprise
from kechuang.techservices import selectors
from kechuang.techservices.models import Booking, IPCase, PilotPlatform, ServiceClaim

pytestmark = pytest.mark.django_db


def _snapshot() -> list[Any]:
    return list(
        ServiceClaim.objects.order_by("pk").values_list("enterprise_id", "status", "value_claimed_wan")
    )


def test_demo_loads_deterministically_and_deletes_cleanly(world: Any) -> None:
    Enterprise.objects.update(is_demo=True)
    counts = load_demo_techservices(seed=7, as_of=dt.date(2025, 6, 30))
    assert counts["科技服务·服务台账记录"] == 300 and counts["科技服务·知识产权维权案件"] == 8
    first = [(e, s, v) for e, s, v in _snapshot()]
    figures = selectors.ledger_figures()
    assert figures["confirmed_visits"] + figures["pending_visits"] + figures["disputed_visits"] == 300
    assert figures["confirmed_visits"] > figures["pending_visits"] > figures["disputed_visits"] > 0
    assert ServiceClaim.history.filter(history_type="+").count() == 300  # written through the services
    live = list(
        Booking.objects.exclude(status="cancelled").values_list("equipment_id", "starts_at", "ends_at")
    )
    for i, (eq, start, end) in enumerate(live):  # no double booking anywhere
        assert not any(e == eq and s < end and start < t for e, s, t in live[i + 1 :])
    delete_demo_techservices()
    assert not ServiceClaim.objects.exists() and not IPCase.objects.exists()
    assert not PilotPlatform.objects.exists() and not ServiceClaim.history.exists()
    load_demo_techservices(seed=7, as_of=dt.date(2025, 6, 30))
    assert [(e, s, v) for e, s, v in _snapshot()] == first
