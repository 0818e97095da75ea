"""`kechuang bench carriers --json` keeps its keys, and its figures agree with the records it wrote."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_carriers_benchmark_at_a_small_scale(monkeypatch: Any, tmp_path: Path) -> None:
    from kechuang.carriers.models import Carrier, Lease, SpaceUnit
    from kechuang.techservices.models import ServiceClaim

    monkeypatch.setenv("KECHUANG_BENCH_SCALE", "0.01")
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks import carriers
    finally:
        sys.path.remove(str(ROOT))
    result = carriers.run(tmp_path)
    json.dumps(result)
    assert (
        (result["carriers"], result["units"])
        == (Carrier.objects.count(), SpaceUnit.objects.count())
        == (5, 200)
    )
    assert result["leases"] == Lease.objects.count() >= 400
    assert result["months"] == 36
    assert 0 < result["mean_month_end_occupancy"] < 1
    assert result["ledger_claims"] == ServiceClaim.objects.count() == 2000
    assert result["ledger_confirmed_visits"] == ServiceClaim.objects.filter(status="confirmed").count() > 0
    for key in ("occupancy_seconds", "occupancy_core_seconds", "ledger_seconds"):
        assert result[key] > 0
