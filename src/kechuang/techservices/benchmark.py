"""Service-ledger benchmark support: fill a scratch database with n claims quickly, and time the county
figures over them (target: selectors.ledger_figures over 200,000 claims in ≤ 500 ms).

`bulk_ledger_for_benchmark` writes with bulk_create in batches of 5,000 and no history rows (a benchmark
database, not a record anyone will read); it creates 500 enterprises of its own when fewer than 50 exist.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from typing import Any

from django.db import transaction

from kechuang.orgs.choices import OrgKind
from kechuang.orgs.models import Enterprise, Organization
from kechuang.techservices.models import ClaimStatus, ProviderKind, ServiceClaim

BATCH = 5000
PROVIDERS = {
    ProviderKind.RESEARCH_PLATFORM: [
        "福州大学晋江科教园",
        "香港理工大学晋江技术创新研究院",
        "晋江市鞋服产业研究院",
    ],
    ProviderKind.ENCLAVE: ["晋江(武汉)离岸创新孵化中心", "晋江市湾区创新创意中心", "晋江(西安)离岸创新中心"],
    ProviderKind.INSTITUTION: ["华侨大学", "泉州师范学院", "黎明职业大学"],
    ProviderKind.COMMISSIONER: ["科技特派员 陈工", "科技特派员 林工"],
    ProviderKind.CARRIER: ["晋江三创园", "晋江国际鞋纺城众创空间"],
    ProviderKind.PILOT_PLATFORM: ["晋江市中试熟化平台"],
}


def _enterprise_ids(rng: random.Random) -> list[int]:
    ids = list(Enterprise.objects.values_list("pk", flat=True)[:5000])
    if len(ids) >= 50:
        return ids
    orgs = Organization.objects.bulk_create(
        [Organization(kind=OrgKind.ENTERPRISE, name=f"晋江市基准测试企业{i:04d}") for i in range(500)]
    )
    Enterprise.objects.bulk_create([Enterprise(organization=o) for o in orgs])
    return list(Enterprise.objects.values_list("pk", flat=True))


@transaction.atomic
def bulk_ledger_for_benchmark(n: int, seed: int) -> None:
    """Write n claims (about 80% confirmed, 15% pending, 5% disputed) over five years, deterministically."""
    rng = random.Random(seed)
    enterprises = _enterprise_ids(rng)
    kinds = list(PROVIDERS)
    start = dt.date(2020, 1, 1)
    batch: list[ServiceClaim] = []
    for _ in range(n):
        kind = rng.choice(kinds)
        roll = rng.random()
        status = (
            ClaimStatus.CONFIRMED
            if roll < 0.8
            else ClaimStatus.CLAIMED
            if roll < 0.95
            else ClaimStatus.DISPUTED
        )
        batch.append(
            ServiceClaim(
                provider_kind=kind,
                provider_name=rng.choice(PROVIDERS[kind]),
                enterprise_id=rng.choice(enterprises),
                served_on=start + dt.timedelta(days=rng.randrange(5 * 365)),
                problem="基准测试：企业技术问题",
                action="基准测试：服务内容",
                value_claimed_wan=Decimal(rng.randrange(0, 50000)) / 100,
                solved=rng.random() < 0.3,
                status=status,
                dispute_reason="基准测试异议" if status == ClaimStatus.DISPUTED else "",
            )
        )
        if len(batch) >= BATCH:
            ServiceClaim.objects.bulk_create(batch)
            batch = []
    if batch:
        ServiceClaim.objects.bulk_create(batch)


def time_ledger_figures(*, repeats: int = 5, year: int | None = None) -> dict[str, Any]:
    """Median and worst time of ledger_figures over what is in the database, with the sizes."""
    from kechuang.techservices.selectors import ledger_figures

    times, figures = [], {}
    for _ in range(repeats):
        started = time.perf_counter()
        figures = ledger_figures(year=year)
        times.append(time.perf_counter() - started)
    times.sort()
    return {
        "claims": ServiceClaim.objects.count(),
        "enterprises": Enterprise.objects.count(),
        "ledger_figures_median_ms": round(times[len(times) // 2] * 1000, 1),
        "ledger_figures_max_ms": round(times[-1] * 1000, 1),
        "confirmed_visits": figures.get("confirmed_visits"),
        "target_ms": 500,
    }
