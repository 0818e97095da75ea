"""The matching benchmark keeps the JSON contract of `kechuang bench matching --json` (issue #4)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_matching_benchmark_prints_the_contract_keys_for_a_platform_shaped_index(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks import matching
    finally:
        sys.path.remove(str(ROOT))
    result = matching.run(tmp_path, sizes=(2_500,))
    json.dumps(result)  # one JSON object
    tier = result["2500"]
    assert {"p50_ms", "p95_ms", "brute_force_p95_ms"} <= set(tier)
    assert {"lexical_docs_per_s", "dense_docs_per_s", "peak_mb"} <= set(result)
    # every kind has its own mean, so a search over several kinds runs one dense search per kind
    assert tier["kind_means"] == ["achievement", "enterprise", "expert", "institution"]
    for shape in ("three_kinds", "all_kinds"):
        assert 0 < tier[f"{shape}_p50_ms"] <= tier[f"{shape}_p95_ms"]
    # the shipped vectors of the 2,000 demo papers are the anchors: nothing embedded but the speed probe
    assert "from 2000 real e5 vectors" in result["notes"]
