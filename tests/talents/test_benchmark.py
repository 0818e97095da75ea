"""`kechuang bench talents --json` keeps its keys at a small scale: parallel submissions never pass the
places left, and the talent list answers with a bounded number of queries."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_talents_benchmark_at_a_small_scale(monkeypatch: Any, tmp_path: Path) -> None:
    from django.db import connection

    from kechuang.talents.models import Person

    monkeypatch.setenv("KECHUANG_BENCH_SCALE", "0.01")
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks import talents
    finally:
        sys.path.remove(str(ROOT))
    result = talents.run(tmp_path)
    json.dumps(result, ensure_ascii=False)
    figures = result[connection.vendor]
    assert (figures["attempts"], figures["quota"]) == (8, 2)
    assert figures["succeeded"] == 2 and figures["refusals_say_used_up"] == 6
    assert figures["quota_used_after"] == figures["quota_places"] == 12
    assert figures["certifications_holding_places"] == 2 and figures["seconds"] > 0
    assert result["list_persons"] == Person.objects.count() == 1000 + 8
    assert result["list_status"] == 200 and 0 < result["list_queries"] <= 15
