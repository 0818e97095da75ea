"""Carriers and service-ledger benchmark (issue #18): 500 carriers, 20,000 units and 50,000 leases over five
years — month-end occupancy by carrier for three years (target ≤ 1 s); the service ledger's county figures
over 200,000 claims (target ≤ 500 ms).

Run: ``kechuang bench carriers --json`` (a scratch database; ``--database-url`` for PostgreSQL).
``KECHUANG_BENCH_SCALE`` shrinks every size (tests use 0.01). Records are bulk-written (seeded,
deterministic); ``occupancy_seconds`` times the selector the dashboard calls (three queries and the numpy
core), ``occupancy_core_seconds`` the core alone, ``ledger_seconds`` the selector behind the headline
"服务企业 X 家次 / 解决难题 Y 项 / 创造价值 Z 亿元". Each is the median of five runs after one warm-up.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

SEED = 20241218
CARRIERS, UNITS, LEASES, CLAIMS = 500, 20_000, 50_000, 200_000
AS_OF = dt.date(2025, 12, 31)
FIRST_DAY = dt.date(2021, 1, 1)  # five years of leases up to AS_OF
KINDS = ("maker_space", "incubator", "accelerator", "park")


def _median_seconds(fn: Any, repeats: int = 5) -> tuple[float, Any]:
    result = fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _build_carriers(rng: random.Random, n_carriers: int, n_units: int, n_leases: int) -> int:
    from kechuang.carriers.models import Building, Carrier, Lease, SpaceUnit

    carriers = Carrier.objects.bulk_create(
        Carrier(name=f"基准载体{i:04d}", kind=KINDS[i % len(KINDS)], operator="基准运营")
        for i in range(n_carriers)
    )
    buildings = Building.objects.bulk_create(Building(carrier=c, name="1号楼") for c in carriers)
    units = SpaceUnit.objects.bulk_create(
        (
            SpaceUnit(
                building=buildings[i % len(buildings)],
                code=f"{i:06d}",
                area_m2=Decimal(rng.randint(20, 400)),
                available_from=FIRST_DAY + dt.timedelta(days=rng.randint(0, 700)) if i % 5 == 0 else None,
            )
            for i in range(n_units)
        ),
        batch_size=5000,
    )
    leases = []
    per_unit, extra = divmod(n_leases, len(units))
    span = (AS_OF - FIRST_DAY).days
    for k, unit in enumerate(units):
        count = per_unit + (1 if k < extra else 0)
        day = unit.available_from or FIRST_DAY
        for j in range(count):
            day += dt.timedelta(days=rng.randint(0, 90))
            length = rng.randint(90, max(91, span // max(count, 1)))
            ends = day + dt.timedelta(days=length)
            open_ended = j == count - 1 and rng.random() < 0.2
            early = ends - dt.timedelta(days=rng.randint(1, 60)) if rng.random() < 0.1 else None
            leases.append(
                Lease(
                    unit=unit,
                    tenant_name=f"基准租户{len(leases)}",
                    starts_on=day,
                    ends_on=None if open_ended else ends,
                    ended_early_on=early if not open_ended and early and early > day else None,
                    graduated=rng.random() < 0.05,
                )
            )
            day = ends + dt.timedelta(days=1)
    Lease.objects.bulk_create(leases, batch_size=5000)
    return len(leases)


def run(scratch_dir: Path | None = None) -> dict[str, Any]:
    from kechuang.carriers import selectors
    from kechuang.carriers.occupancy import month_index, monthly_occupancy
    from kechuang.techservices.benchmark import bulk_ledger_for_benchmark
    from kechuang.techservices.selectors import ledger_figures

    scale = float(os.environ.get("KECHUANG_BENCH_SCALE", "1"))
    n_carriers = max(4, round(CARRIERS * scale))
    n_units, n_leases, n_claims = (max(8, round(x * scale)) for x in (UNITS, LEASES, CLAIMS))
    rng = random.Random(SEED)

    start = time.perf_counter()
    leases_written = _build_carriers(rng, n_carriers, n_units, n_leases)
    build_seconds = time.perf_counter() - start

    occupancy_seconds, rows = _median_seconds(lambda: selectors.occupancy_by_carrier(months=36, as_of=AS_OF))
    # the core alone, on the same rows the selector reads (what the numpy part costs)
    first_month = month_index(AS_OF) - 35
    first = dt.date(first_month // 12, first_month % 12 + 1, 1)
    from kechuang.carriers.models import Carrier, Lease, SpaceUnit
    from kechuang.carriers.occupancy import last_day_in_force

    ids = list(Carrier.objects.values_list("pk", flat=True))
    units = [
        (pk, c, float(a), s)
        for pk, c, a, s in SpaceUnit.objects.values_list(
            "pk", "building__carrier_id", "area_m2", "available_from"
        )
    ]
    lease_rows = [
        (u, s, last_day_in_force(e, x))
        for u, s, e, x in Lease.objects.values_list("unit_id", "starts_on", "ends_on", "ended_early_on")
    ]
    core_seconds, _ = _median_seconds(
        lambda: monthly_occupancy(carrier_ids=ids, units=units, leases=lease_rows, first=first, last=AS_OF)
    )
    mean_occupancy = [v for r in rows for v in r["occupancy"] if v is not None]

    start = time.perf_counter()
    bulk_ledger_for_benchmark(n_claims, SEED)
    ledger_build_seconds = time.perf_counter() - start
    ledger_seconds, figures = _median_seconds(ledger_figures)
    return {
        "carriers": n_carriers,
        "units": n_units,
        "leases": leases_written,
        "months": len(rows[0]["months"]) if rows else 0,
        "build_seconds": round(build_seconds, 2),
        "occupancy_seconds": round(occupancy_seconds, 4),
        "occupancy_core_seconds": round(core_seconds, 4),
        "occupancy_target_seconds": 1.0,
        "mean_month_end_occupancy": round(statistics.fmean(mean_occupancy), 4) if mean_occupancy else None,
        "ledger_claims": n_claims,
        "ledger_build_seconds": round(ledger_build_seconds, 2),
        "ledger_seconds": round(ledger_seconds, 4),
        "ledger_target_seconds": 0.5,
        "ledger_confirmed_visits": figures["confirmed_visits"],
        "ledger_pending_visits": figures["pending_visits"],
    }
