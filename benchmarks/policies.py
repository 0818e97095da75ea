"""Policy evaluation benchmark: 30 measures × 50,000 enterprises with five years of figures (target ≤ 10 s),
and a 免申即享 candidate list for one measure over the same county (target ≤ 2 s).

Run: ``kechuang bench policies --json`` or ``python -m benchmarks.policies``.

No database: enterprises are generated in memory (seeded, deterministic) in the documented input format
and read with ``facts_from_json``, as the CLI and the API read them. The library is the shipped one (the
高企 and 科小 texts and the 演示 measures) plus variants of the money measures (other rates, caps,
townships and qualification levels) up to 30 measures. ``seconds`` covers building the fact table and
evaluating every measure; reading the inputs is timed apart (``read_seconds``), as a database load would
replace it. ``KECHUANG_BENCH_ENTERPRISES`` changes the county's size (tests use a small one).

Under ``kechuang bench`` (a scratch database) the same county is also written to the registry and the real
services are timed: ``round_db_load_seconds`` (enterprises and facts from the database),
``round_db_compare_seconds`` (that plus the comparison: the candidate list), ``round_db_seconds``
(``start_round`` whole: compare, explain and store every listed firm's reasons), a tier-cultivation list,
and the calculator page for one enterprise (median and worst of ten).
"""

from __future__ import annotations

import copy
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

_SRC = Path(__file__).resolve().parents[1] / "src"
if str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))

from kechuang.policies.library import SHIPPED_LIBRARY  # noqa: E402
from kechuang.policies.rules import FactTable, evaluate_table, facts_from_json, parse_library  # noqa: E402

SEED = 20250630
TOWNSHIPS = ("陈埭镇", "磁灶镇", "青阳街道", "安海镇", "西滨镇", "池店镇", "内坑镇", "英林镇")
KINDS = ("high_tech", "tech_sme", "rd_center", "tech_center", "specialised")
LEVELS = ("national", "provincial", "municipal")


def _library(measures: int) -> Any:
    raw = json.loads(SHIPPED_LIBRARY.read_text(encoding="utf-8"))
    base = [m for m in raw["measures"] if m["kind"] == "money"]
    k = 0
    while len(raw["measures"]) < measures:
        variant = copy.deepcopy(base[k % len(base)])
        k += 1
        variant["id"] = f"{variant['id']}.v{k}"
        variant["title"] = f"{variant['title']}（变体{k}）"
        township = TOWNSHIPS[k % len(TOWNSHIPS)]
        variant["conditions"].append(
            {
                "id": "township",
                "text": f"位于{township}",
                "test": f"township_in('{township}')",
                "cites": "演示",
            }
        )
        if variant["id"].startswith("demo.rd_subsidy"):
            rate, cap = 0.05 + 0.01 * (k % 10), 20 + 10 * (k % 5)
            variant["amount"]["formula"] = f"min({rate:.2f} * rd_increment, {cap})"
        raw["measures"].append(variant)
    return parse_library(raw)


def _enterprise(rng: random.Random, i: int) -> dict[str, Any]:
    revenue = rng.lognormvariate(8.5, 1.2)
    employees = rng.randint(8, 900)
    years = {}
    for offset in range(5):
        year = 2024 - offset
        r = revenue * (0.85 + 0.3 * rng.random()) ** offset
        row: dict[str, Any] = {
            "revenue": round(r, 2),
            "rd_spend": round(r * rng.uniform(0, 0.08), 2),
            "hightech_revenue": round(r * rng.uniform(0, 0.9), 2),
            "employees": employees,
            "tech_staff": rng.randint(0, employees // 3),
        }
        if rng.random() < 0.8:
            row["rd_spend_domestic"] = round(row["rd_spend"] * rng.uniform(0.4, 1), 2)
        if rng.random() < 0.7:
            row["total_assets"] = round(r * rng.uniform(0.5, 2), 2)
            row["total_cost"] = round(r * rng.uniform(0.6, 0.95), 2)
        row["invention_patents"] = rng.randint(0, 3)
        row["utility_patents"] = rng.randint(0, 8)
        if rng.random() < 0.05:  # a gap in the series
            del row["rd_spend"]
        years[str(year)] = row
    quals = []
    for kind in rng.sample(KINDS, rng.randint(0, 2)):
        start = 2019 + rng.randint(0, 6)
        quals.append(
            {
                "kind": kind,
                "level": rng.choice(LEVELS) if kind in ("rd_center", "tech_center") else "",
                "valid_from": f"{start}-12-01",
                "valid_until": f"{start + 3}-11-30",
            }
        )
    return {
        "name": f"企业{i:05d}",
        "as_of": "2025-06-30",
        "data_year": 2024,
        "founded_on": f"{rng.randint(1995, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "township": rng.choice(TOWNSHIPS),
        "industry_code": rng.choice(("1952", "1810", "3921", "2927", "3311")),
        "innovation_score": rng.randint(40, 95) if rng.random() < 0.5 else None,
        "flags": {"major_incident": rng.random() < 0.01, "in_supported_field": rng.random() < 0.6},
        "qualifications": quals,
        "years": years,
    }


def _populate(raw: list[dict[str, Any]]) -> None:
    """The same county in the registry: organisations, enterprises, five years of figures, qualifications."""
    import datetime as dt
    from decimal import Decimal

    from kechuang.core.validators import credit_code_check_char
    from kechuang.orgs.choices import OrgKind
    from kechuang.orgs.models import Enterprise, EnterpriseYearFigure, Organization, Qualification, Township
    from kechuang.policies.selectors import FIGURE_INPUTS

    towns = {name: Township.objects.get_or_create(name=name)[0] for name in TOWNSHIPS}
    orgs = []
    for i, r in enumerate(raw):
        body = f"91350582{i:09d}"
        orgs.append(
            Organization(
                kind=OrgKind.ENTERPRISE,
                name=r["name"],
                credit_code=body + credit_code_check_char(body),
                township=towns[r["township"]],
            )
        )
    Organization.objects.bulk_create(orgs, batch_size=2000)
    orgs = list(Organization.objects.filter(kind=OrgKind.ENTERPRISE).order_by("pk"))
    enterprises = [
        Enterprise(
            organization=org,
            township=org.township,
            industry_code=r["industry_code"],
            founded_on=dt.date.fromisoformat(r["founded_on"]),
            in_supported_field=r["flags"]["in_supported_field"],
            innovation_score=r["innovation_score"],
        )
        for org, r in zip(orgs, raw, strict=True)
    ]
    Enterprise.objects.bulk_create(enterprises, batch_size=2000)
    by_org = dict(Enterprise.objects.values_list("organization_id", "pk"))
    figures, quals = [], []
    for org, r in zip(orgs, raw, strict=True):
        for year, row in r["years"].items():
            figures.append(
                EnterpriseYearFigure(
                    enterprise_id=by_org[org.pk],
                    year=int(year),
                    major_incident=r["flags"]["major_incident"] if year == "2024" else None,
                    **{
                        k: (Decimal(str(v)) if isinstance(v, float) else v)
                        for k, v in row.items()
                        if k in FIGURE_INPUTS
                    },
                )
            )
        for q in r["qualifications"]:
            quals.append(
                Qualification(
                    organization=org,
                    kind=q["kind"],
                    level=q["level"],
                    valid_from=dt.date.fromisoformat(q["valid_from"]),
                    valid_until=dt.date.fromisoformat(q["valid_until"]),
                )
            )
    EnterpriseYearFigure.objects.bulk_create(figures, batch_size=5000)
    Qualification.objects.bulk_create(quals, batch_size=5000)


def run_database(raw: list[dict[str, Any]]) -> dict[str, Any]:
    """The real services on the registry: a 免申即享 round from data comparison (start_round, which also
    stores each listed firm's reasons), a tier-cultivation list, and the calculator page for one firm."""
    import datetime as dt

    from django.contrib.auth.models import User
    from django.test import Client

    from kechuang.accounts.models import Profile
    from kechuang.orgs.models import Enterprise
    from kechuang.policies import selectors, services

    started = time.perf_counter()
    _populate(raw)
    populate_seconds = time.perf_counter() - started

    from kechuang.policies.rules import FactTable as Table
    from kechuang.policies.rules import evaluate_table as evaluate

    started = time.perf_counter()
    enterprises = list(Enterprise.objects.select_related("organization"))
    facts = selectors.facts_for_enterprises(enterprises, as_of=dt.date(2025, 6, 30))
    load_seconds = time.perf_counter() - started
    (outcome,) = evaluate(selectors.library_in_force()[1], Table(facts, data_year=2024), ["demo.rd_subsidy"])
    compare_seconds = time.perf_counter() - started
    del enterprises, facts

    staff = User.objects.create_user("bench-staff", password="x")  # noqa: S106 - scratch database
    Profile.objects.update_or_create(user=staff, defaults={"role": "bureau_staff"})
    started = time.perf_counter()
    round_ = services.start_round(
        actor=staff,
        measure_id="demo.rd_subsidy",
        year=2024,
        deadline=dt.date.today() + dt.timedelta(days=15),
        as_of=dt.date(2025, 6, 30),
    )
    round_db_seconds = time.perf_counter() - started

    from kechuang.accounts.selectors import principal_for

    principal = principal_for(staff)
    started = time.perf_counter()
    data = selectors.tier_data(principal)
    rows = selectors.tier_list(data, step_id="high_tech", limit=200)
    tier_seconds = time.perf_counter() - started

    owner = User.objects.create_user("bench-owner", password="x")  # noqa: S106 - scratch database
    first = Enterprise.objects.order_by("pk").first()
    assert first is not None
    Profile.objects.update_or_create(
        user=owner, defaults={"role": "enterprise", "organization_id": first.organization_id}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(owner)
    times = []
    for _ in range(10):
        t0 = time.perf_counter()
        response = client.get("/policies/calculator/")
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
    times.sort()
    return {
        "db_enterprises": Enterprise.objects.count(),
        "populate_seconds": round(populate_seconds, 1),
        "round_db_load_seconds": round(load_seconds, 3),
        "round_db_compare_seconds": round(compare_seconds, 3),
        "round_db_compare_candidates": int((outcome.results == "met").sum()),
        "round_db_seconds": round(round_db_seconds, 3),
        "round_db_candidates": round_.candidates.count(),
        "tier_list_seconds": round(tier_seconds, 3),
        "tier_list_rows": len(rows),
        "calculator_page_ms_median": round(times[len(times) // 2] * 1000, 1),
        "calculator_page_ms_max": round(times[-1] * 1000, 1),
    }


def run(scratch_dir: Path | None = None) -> dict[str, Any]:
    n = int(os.environ.get("KECHUANG_BENCH_ENTERPRISES", "50000"))
    rng = random.Random(SEED)
    library = _library(30)
    raw = [_enterprise(rng, i) for i in range(n)]
    started = time.perf_counter()
    facts = [facts_from_json(r) for r in raw]
    read_seconds = time.perf_counter() - started

    started = time.perf_counter()
    table = FactTable(facts)
    table_seconds = time.perf_counter() - started
    results = evaluate_table(library, table)
    seconds = time.perf_counter() - started

    started = time.perf_counter()
    round_table = FactTable(facts)
    (subsidy,) = evaluate_table(library, round_table, measures=["demo.rd_subsidy"])
    candidates = int((subsidy.results == "met").sum())
    round_seconds = time.perf_counter() - started

    counts = {label: 0 for label in ("met", "not_met", "unknown")}
    for r in results:
        for label in counts:
            counts[label] += int((r.results == label).sum())
    database = run_database(raw) if scratch_dir is not None else {}
    return {
        "enterprises": n,
        "measures": len(library.measures),
        "years": 5,
        "seconds": round(seconds, 3),
        "table_seconds": round(table_seconds, 3),
        "read_seconds": round(read_seconds, 3),
        "round_candidates": candidates,
        "round_seconds": round(round_seconds, 3),
        "results": counts,
        **database,
    }


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False))
