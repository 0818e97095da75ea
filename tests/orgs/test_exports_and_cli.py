"""Exports neutralise formulas; the CLI import and the benchmark command run end to end."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from kechuang.orgs.models import Organization
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]


def test_export_neutralises_formula_injection(client_for: Any, world: Any) -> None:
    org = world.own_enterprise.organization
    org.name = '=HYPERLINK("http://evil","点我")'
    org.contact_name = "@SUM(1)"
    org.save()
    response = client_for("bureau_staff").get("/orgs/enterprises/export/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row]
    assert '\'=HYPERLINK("http://evil","点我")' in values and "'@SUM(1)" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_township_export_contains_only_its_township(client_for: Any, world: Any) -> None:
    response = client_for("township_officer").get("/orgs/enterprises/export/")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"晋江市甲鞋业有限公司", "晋江市乙服饰有限公司"}


def test_cli_import_reports_errors_and_writes_nothing(db: Any, tmp_path: Path) -> None:
    f.township("陈埭镇")
    workbook = Workbook()
    workbook.active.append(["统一社会信用代码", "企业名称", "所在镇街"])
    workbook.active.append([f.credit_code(), "命令行导入企业", "陈埭镇"])
    workbook.active.append(["123", "坏行", "陈埭镇"])
    path = tmp_path / "企业.xlsx"
    workbook.save(path)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="未导入"):
        call_command("import", "enterprise", str(path))
    assert not Organization.objects.exists()
    workbook.active.delete_rows(3)
    workbook.save(path)
    call_command("import", "enterprise", str(path))
    assert Organization.objects.filter(name="命令行导入企业").exists()


@pytest.mark.slow
def test_bench_registry_prints_one_json_object(tmp_path: Path) -> None:
    env = {**os.environ, "KECHUANG_BENCH_ROWS": "300", "KECHUANG_DATA_DIR": str(tmp_path)}
    env.pop("KECHUANG_DATABASE_URL", None)  # the bench makes its own scratch database
    out = subprocess.run(
        [sys.executable, "-m", "kechuang.cli", "bench", "registry", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert set(result) >= {"import_rows", "import_s", "list_ms", "list_queries", "dashboard_ms"}
    assert result["import_rows"] == 300 and result["list_queries"] <= 10


def test_directory_exports_are_for_the_bureau(client_for: Any, world: Any) -> None:
    for path in ("/orgs/investors/", "/orgs/experts/", "/orgs/institutions/", "/achievements/"):
        assert (
            client_for("bureau_staff")
            .get(path, {"export": "xlsx"})["Content-Type"]
            .startswith("application/vnd.openxmlformats")
        ), path
        assert client_for("investor").get(path, {"export": "xlsx"}).status_code == 403, path
