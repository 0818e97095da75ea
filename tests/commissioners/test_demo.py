"""The demo loader writes through the services, is deterministic, and its delete leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kechuang.commissioners import selectors
from kechuang.commissioners.models import Assignment, Commissioner, ServiceLink
from kechuang.demo.commissioners import delete_demo_commissioners, load_demo_commissioners
from kechuang.orgs.models import Enterprise, Expert
from kechuang.techservices.models import ServiceClaim
from tests import factories as f

pytestmark = pytest.mark.django_db


def _snapshot() -> list[Any]:
    return list(
        ServiceLink.objects.order_by("claim__served_on", "claim__enterprise_id").values_list(
            "commissioner__name", "claim__enterprise_id", "claim__served_on", "claim__status"
        )
    )


def test_demo_loads_deterministically_and_deletes_cleanly(world: Any) -> None:
    for n in range(4):
        f.expert(f"演示专家{n}", world.institution)
    Enterprise.objects.update(is_demo=True)
    Expert.objects.update(is_demo=True)
    counts = load_demo_commissioners(seed=7, as_of=dt.date(2025, 6, 30))
    assert counts["科技特派员·特派员"] == 6 and counts["科技特派员·派驻"] == 12
    assert counts["科技特派员·服务记录"] == ServiceLink.objects.count() > 0
    first = _snapshot()
    # written through the services: one history row per assignment create, claims are commissioner claims
    assert Assignment.history.filter(history_type="+").count() == 12
    assert set(ServiceClaim.objects.values_list("provider_kind", flat=True)) == {"commissioner"}
    figures = selectors.commissioner_figures(today=dt.date(2025, 6, 30))
    assert figures["confirmed_visits"] == ServiceLink.objects.filter(claim__status="confirmed").count()
    assert figures["confirmed_visits"] > 0
    delete_demo_commissioners()
    assert not Commissioner.objects.exists() and not Assignment.objects.exists()
    assert not ServiceClaim.objects.exists() and not ServiceClaim.history.exists()
    assert not Assignment.history.exists() and not Commissioner.history.exists()
    load_demo_commissioners(seed=7, as_of=dt.date(2025, 6, 30))
    assert _snapshot() == first
