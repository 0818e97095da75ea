"""The quota is never exceeded under parallel submissions: 20 threads (each its own connection) submit
against 5 places; exactly 5 certifications exist afterwards and the others got the Chinese refusal.
Runs on SQLite (file database, WAL) and, via tests/run_with_postgres.py, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from kechuang.talents import services
from kechuang.talents.models import Certification, Quota
from tests import factories as f
from tests.talents.support import authorise, catalogue, person

D = dt.date(2025, 3, 3)


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_submissions_against_five_places() -> None:
    ent = f.enterprise("并发测试企业")
    cat = catalogue()
    authorise(ent, [cat["C"]], places=5)
    people = [person(k, ent) for k in range(20)]
    basis = cat["items"]["C"]
    barrier = threading.Barrier(len(people))

    def submit(p: Any) -> str:
        try:
            barrier.wait(timeout=30)
            services.submit_self_certification(actor=None, enterprise=ent, person=p, basis=basis, on=D)
            return "ok"
        except ValidationError as exc:
            return "；".join(exc.messages)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        results = list(pool.map(submit, people))
    assert results.count("ok") == 5, results
    refusals = [r for r in results if r != "ok"]
    assert len(refusals) == 15 and all("名额已用完" in r and "名额 5 个，已用 5 个" in r for r in refusals)
    quota = Quota.objects.get(enterprise=ent, year=2025)
    assert (quota.places, quota.used) == (5, 5)
    assert Certification.objects.filter(enterprise=ent, holds_place=True).count() == 5
