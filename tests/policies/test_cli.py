"""`kechuang policies evaluate` — the JSON contract, the documented example file, refused input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "enterprise.json"


def kechuang(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kechuang.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_evaluate_prints_the_contract_json_for_the_documented_example() -> None:
    done = kechuang("policies", "evaluate", "--input", str(EXAMPLE), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["data_year"] == 2024
    ids = {m["id"] for m in out["measures"]}
    assert {"hnte.certification", "tsme.2017", "tsme.2022", "demo.rd_subsidy"} <= ids
    for m in out["measures"]:
        assert {"id", "title", "result", "amount_yuan", "conditions"} <= set(m)
        assert m["result"] in {"met", "not_met", "unknown"}
        for c in m["conditions"]:
            assert {"text", "result", "value", "threshold", "gap", "cites"} <= set(c)
    subsidy = next(m for m in out["measures"] if m["id"] == "demo.rd_subsidy")
    assert subsidy["result"] == "met" and subsidy["amount_yuan"] == 130_000


def test_evaluate_refuses_bad_files_with_chinese_messages(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"years": {"2024": {"revenue": -1}}}), encoding="utf-8")
    done = kechuang("policies", "evaluate", "--input", str(bad), "--json")
    assert done.returncode != 0
    assert "不能为负数" in done.stderr
    library = tmp_path / "lib.json"
    library.write_text('{"policies": [], "measures": [{"id": "x"}]}', encoding="utf-8")
    done = kechuang("policies", "evaluate", "--input", str(EXAMPLE), "--library", str(library))
    assert done.returncode != 0
    assert "所属政策" in done.stderr and "至少需要一个条件" in done.stderr
    done = kechuang("policies", "check", str(library))
    assert done.returncode != 0
