"""Talents benchmark (issue #17): 200 parallel self-certification submissions (threads, each its own
connection) against a quota with 50 places left — exactly 50 must succeed, the rest get the Chinese
refusal; and the talent list over 100,000 persons (list selector + first page render, target ≤ 200 ms,
with its query count).

Run: ``kechuang bench talents --json`` (scratch SQLite) and
``kechuang bench talents --json --database-url postgresql://...``; for a throw-away PostgreSQL:
``python tests/run_with_postgres.py sh -c 'kechuang bench talents --json \
--database-url "$KECHUANG_DATABASE_URL"'``.
On PostgreSQL the threads are capped at ``max_connections - 20``; for 200 at once start the server with
``KECHUANG_PG_SETTINGS="max_connections=300"``. The figures go under the key of the database the run
used (``sqlite`` or ``postgresql``).
``KECHUANG_BENCH_SCALE`` shrinks the person count and the number of threads (tests use 0.01).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

SEED = 20250317
ATTEMPTS, PLACES_LEFT, PERSONS = 200, 50, 100_000
ON = dt.date(2025, 3, 3)


def _id(k: int) -> str:
    from kechuang.core.pii import check_char

    born = dt.date(1960, 1, 1) + dt.timedelta(days=k % 14_000)
    first17 = f"3505{k // 14_000 % 100:02d}{born:%Y%m%d}{k % 1000:03d}"
    return first17 + check_char(first17)


def _setup_quota(attempts: int, places_left: int) -> tuple[Any, Any, list[Any]]:
    """One authorised enterprise, its quota with ``places_left`` places left, ``attempts`` employees."""
    from kechuang.orgs.models import Enterprise, Organization
    from kechuang.talents import services
    from kechuang.talents.models import Quota

    org = Organization.objects.create(kind="enterprise", name="基准测试鞋业有限公司")
    ent = Enterprise.objects.create(organization=org)
    level = services.save_level(actor=None, code="C", name="省级领军人才", rank=3)
    basis = services.save_catalogue_item(actor=None, level=level, code="C-01", text="省级人才计划入选者")
    used = 10
    services.save_quota_rule(actor=None, name="基准", year=ON.year, bands=[[0, used + places_left]], cap=500)
    services.save_authorization(
        actor=None,
        enterprise=ent,
        valid_from=dt.date(ON.year, 1, 1),
        valid_until=dt.date(ON.year, 12, 31),
        levels=[level],
    )
    quota = services.ensure_quota(ent, ON.year)
    Quota.objects.filter(pk=quota.pk).update(used=used)  # places already used earlier in the year
    people = [
        services.register_person(
            actor=None, name=f"申报人{k:03d}", id_number=_id(k), source="local", enterprise=ent
        )
        for k in range(attempts)
    ]
    return ent, basis, people


def _parallel_submissions(attempts: int, places_left: int) -> dict[str, Any]:
    from django.core.exceptions import ValidationError
    from django.db import connection

    from kechuang.talents import services
    from kechuang.talents.models import Certification, Quota

    ent, basis, people = _setup_quota(attempts, places_left)
    workers = len(people)
    if connection.vendor == "postgresql":  # one connection per thread: stay under the server's limit
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_connections")
            workers = min(workers, int(cursor.fetchone()[0]) - 20)
    go = threading.Event()

    def submit(person: Any) -> str:
        try:
            go.wait(timeout=60)
            services.submit_self_certification(actor=None, enterprise=ent, person=person, basis=basis, on=ON)
            return "ok"
        except ValidationError as exc:
            return "；".join(exc.messages)
        finally:
            connection.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(submit, p) for p in people]
        go.set()
        results = [f.result() for f in futures]
    seconds = time.perf_counter() - start
    quota = Quota.objects.get(enterprise=ent, year=ON.year)
    refusals = [r for r in results if r != "ok"]
    return {
        "attempts": attempts,
        "succeeded": results.count("ok"),
        "quota": places_left,
        "seconds": round(seconds, 3),
        "threads": workers,
        "refused": len(refusals),
        "refusals_say_used_up": sum("名额已用完" in r for r in refusals),
        "busy_refusals": sum("系统繁忙" in r for r in refusals),
        "quota_used_after": quota.used,
        "quota_places": quota.places,
        "certifications_holding_places": Certification.objects.filter(
            enterprise=ent, holds_place=True
        ).count(),
    }


def _bulk_persons(n: int, rng: random.Random) -> None:
    """Persons written in bulk (hash and mask computed, no encryption per row: the list never decrypts)."""
    from kechuang.core import pii
    from kechuang.orgs.models import Township
    from kechuang.talents.models import Person, Source

    towns = [
        Township.objects.get_or_create(name=f"基准镇{k}", defaults={"kind": "town"})[0] for k in range(19)
    ]
    cipher = pii.encrypt_id(_id(0))
    sources = [s for s, _ in Source.choices]
    batch: list[Person] = []
    for k in range(n):
        number = _id(1_000_000 + k)
        batch.append(
            Person(
                name=f"基准人才{k:06d}",
                id_hash=pii.id_lookup_hash(number),
                id_cipher=cipher,
                id_masked=pii.mask_id(number),
                source=sources[k % len(sources)],
                employer_name=f"基准企业{rng.randint(0, 999):03d}",
                township=towns[k % len(towns)],
                field="新材料",
                registered_on=ON,
            )
        )
        if len(batch) == 5000:
            Person.objects.bulk_create(batch)
            batch = []
    Person.objects.bulk_create(batch)


def _list_timing() -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from kechuang.accounts.models import Profile

    user = User.objects.create_user(username="bench-staff", password="bench-password-123")  # noqa: S106
    Profile.objects.create(user=user, role="bureau_staff", display_name="基准")
    client = Client()
    client.force_login(user)
    times: list[float] = []
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
        client.get("/talents/")  # warm-up
        for _ in range(5):
            start = time.perf_counter()
            response = client.get("/talents/")
            times.append(time.perf_counter() - start)
        executed: list[str] = []

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get("/talents/")
        filtered_start = time.perf_counter()
        client.get("/talents/?source=flexible&q=基准人才0999")
        filtered = time.perf_counter() - filtered_start
    return {
        "status": response.status_code,
        "seconds": round(statistics.median(times), 4),
        "queries": len(executed),
        "filtered_seconds": round(filtered, 4),
    }


def run(scratch_dir: Path | None = None) -> dict[str, Any]:
    from django.db import connection

    from kechuang.talents.models import Person

    scale = float(os.environ.get("KECHUANG_BENCH_SCALE", "1"))
    attempts = max(8, round(ATTEMPTS * scale)) if scale < 1 else ATTEMPTS
    places_left = max(2, round(PLACES_LEFT * scale)) if scale < 1 else PLACES_LEFT
    persons = max(200, round(PERSONS * scale))
    vendor = "postgresql" if connection.vendor == "postgresql" else connection.vendor
    concurrency = _parallel_submissions(attempts, places_left)
    start = time.perf_counter()
    _bulk_persons(persons, random.Random(SEED))
    build_seconds = time.perf_counter() - start
    listing = _list_timing()
    return {
        vendor: concurrency,
        "database": vendor,
        "list_persons": Person.objects.count(),
        "list_build_seconds": round(build_seconds, 2),
        "list_first_page_seconds": listing["seconds"],
        "list_filtered_seconds": listing["filtered_seconds"],
        "list_target_seconds": 0.2,
        "list_queries": listing["queries"],
        "list_status": listing["status"],
    }
