"""The policies benchmark prints its contract keys (on a small county, so the test stays fast)."""

from __future__ import annotations

from typing import Any

from benchmarks import policies


def test_benchmark_reports_sizes_and_times(monkeypatch: Any) -> None:
    monkeypatch.setenv("KECHUANG_BENCH_ENTERPRISES", "300")
    out = policies.run()
    assert out["enterprises"] == 300 and out["measures"] == 30
    assert out["seconds"] > 0 and out["round_seconds"] > 0
    assert sum(out["results"].values()) == 300 * 30
    assert 0 < out["round_candidates"] < 300


def test_database_part_times_the_real_services(db: Any) -> None:
    import random

    rng = random.Random(policies.SEED)
    out = policies.run_database([policies._enterprise(rng, i) for i in range(200)])
    assert out["db_enterprises"] == 200
    assert out["round_db_candidates"] == out["round_db_compare_candidates"] > 0
    assert out["tier_list_rows"] > 0 and out["calculator_page_ms_median"] > 0
