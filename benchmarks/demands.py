"""Demands benchmark: 100,000 demands with their timelines; filtered list page and funnel figures.

Run with `kechuang bench demands --json` (scratch database). Targets (issue #3): filtered list ≤ 200 ms
server time, funnel ≤ 500 ms. Rows are bulk-inserted (the services are exercised by the tests; here we
measure reads at volume).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

DEMANDS = int(os.environ.get("KECHUANG_BENCH_DEMANDS", "100000"))
ENTERPRISES = 2000
PATHS = [  # (final status, statuses passed through)
    ("submitted", ["submitted"]),
    ("returned", ["submitted", "returned"]),
    ("rejected", ["submitted", "rejected"]),
    ("accepted", ["submitted", "accepted"]),
    ("routed", ["submitted", "accepted", "routed"]),
    ("answered", ["submitted", "accepted", "routed", "answered"]),
    ("docking", ["submitted", "accepted", "routed", "answered", "docking"]),
    ("contracted", ["submitted", "accepted", "routed", "answered", "docking", "contracted"]),
    ("landed", ["submitted", "accepted", "routed", "answered", "docking", "contracted", "landed"]),
    ("closed", ["submitted", "accepted", "routed", "closed"]),
]
WEIGHTS = [8, 2, 2, 6, 20, 15, 10, 8, 4, 25]


def _populate() -> None:
    from django.utils import timezone

    from kechuang.core.validators import credit_code_check_char
    from kechuang.demands.choices import STAGE_OF_STATUS, Confidentiality, DemandType
    from kechuang.demands.models import Demand, DemandEvent
    from kechuang.orgs.models import Enterprise, Organization, Township

    rng = random.Random(7)
    towns = [Township.objects.create(name=f"镇{i}", kind="town", sort_order=i) for i in range(19)]
    orgs = []
    for i in range(ENTERPRISES):
        body = f"91350582{i:09d}"
        orgs.append(
            Organization(
                kind="enterprise",
                name=f"基准企业{i}",
                credit_code=body + credit_code_check_char(body),
                township=towns[i % 19],
            )
        )
    Organization.objects.bulk_create(orgs, batch_size=1000)
    enterprises = Enterprise.objects.bulk_create(
        [Enterprise(organization=o, township=o.township, industry_code="1952") for o in orgs], batch_size=1000
    )
    types = [t.value for t in DemandType]
    confidentiality = [c.value for c in Confidentiality]
    now = timezone.now()
    for start in range(0, DEMANDS, 5000):
        batch, paths = [], []
        for _ in range(min(5000, DEMANDS - start)):
            enterprise = rng.choice(enterprises)
            final, path = rng.choices(PATHS, WEIGHTS)[0]
            submitted = now - dt.timedelta(days=rng.uniform(1, 700))
            batch.append(
                Demand(
                    enterprise=enterprise,
                    township_id=enterprise.township_id,
                    title=f"基准需求{start}",
                    description="提升鞋底材料耐磨性能与回弹性能的配方研究",
                    demand_type=rng.choice(types),
                    industry_code="1952",
                    confidentiality=rng.choice(confidentiality),
                    status=final,
                    submitted_at=submitted,
                    status_changed_at=submitted,
                    stage_reached=max(STAGE_OF_STATUS.get(s, 0) for s in path),
                )
            )
            paths.append((submitted, path))
        Demand.objects.bulk_create(batch, batch_size=1000)
        events = []
        for demand, (submitted, path) in zip(batch, paths, strict=True):
            at, previous = submitted, "draft"
            for index, status in enumerate(path):
                stay = rng.uniform(0.5, 20) * 86400
                last = index == len(path) - 1
                events.append(
                    DemandEvent(
                        demand=demand,
                        action=status,
                        from_status=previous,
                        to_status=status,
                        created_at=at,
                        seconds_in_status=None if last else int(stay),
                    )
                )
                at += dt.timedelta(seconds=stay)
                previous = status
        DemandEvent.objects.bulk_create(events, batch_size=2000)


def _time(fn: Any, repeat: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


def run(scratch_dir: Path) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    from kechuang.accounts.models import Profile
    from kechuang.core.access import Principal, Role
    from kechuang.demands.selectors import DemandFilters, funnel

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    started = time.perf_counter()
    _populate()
    populate_s = time.perf_counter() - started
    user = User.objects.create_user("bench")
    Profile.objects.create(user=user, role="bureau_staff")
    client = Client()
    client.force_login(user)

    def get(url: str) -> None:
        assert client.get(url).status_code == 200

    list_ms, list_queries = _time(lambda: get("/demands/?status=routed&township=3"), 7)
    unfiltered_ms, _ = _time(lambda: get("/demands/"), 5)
    principal = Principal(role=Role.BUREAU_STAFF, user_id=user.pk)
    funnel_ms, funnel_queries = _time(lambda: funnel(principal=principal, filters=DemandFilters()), 5)
    funnel_page_ms, _ = _time(lambda: get("/demands/funnel/"), 3)
    return {
        "demands": DEMANDS,
        "list_ms": round(list_ms, 1),
        "list_queries": list_queries,
        "unfiltered_list_ms": round(unfiltered_ms, 1),
        "funnel_ms": round(funnel_ms, 1),
        "funnel_queries": funnel_queries,
        "funnel_page_ms": round(funnel_page_ms, 1),
        "populate_s": round(populate_s, 1),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }
