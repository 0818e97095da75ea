"""kill -9 in the middle of an Excel import leaves nothing of the batch, and the same command run again
imports it whole (issue #19, "Crash safety"). Real processes, a real .xlsx, a real SQLite file in WAL mode."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import openpyxl
import pytest

from tests.core.test_worker_stop import CLI, REPO, scratch_env
from tests.factories import credit_code

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("KECHUANG_DATABASE_URL", "").startswith("postgres"),
        reason="进程信号测试只在 SQLite 上运行一次",
    ),
]
ROWS = 6000  # enough that writing them takes seconds, so the kill lands inside the transaction


def _workbook(path: Path) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("企业")
    sheet.append(["统一社会信用代码", "企业名称", "所在镇街", "行业代码", "规上企业", "从业人员", "科技人员",
                  "年度", "营业收入(万元)", "研发投入(万元)", "资质荣誉"])  # fmt: skip
    for i in range(ROWS):
        sheet.append([credit_code(700000 + i), f"晋江测试{i:05d}鞋业有限公司", "陈埭镇", "1952", "是",
                      50 + i % 300, 5 + i % 30, 2024, 1000 + i, 30 + i % 50, ""])  # fmt: skip
    book.save(path)


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db, timeout=30) as connection:
        return connection.execute(sql).fetchall()


def test_kill_9_during_an_import_leaves_nothing_and_the_rerun_imports_all(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    env = scratch_env(tmp_path, migrated_sqlite)
    db = tmp_path / "db.sqlite3"
    subprocess.run(
        [*CLI, "shell", "--no-imports", "-c",
         "from tests.factories import township; township('陈埭镇')"],
        env=env, cwd=REPO, check=True, timeout=120,
    )  # fmt: skip
    workbook = tmp_path / "企业名录.xlsx"
    _workbook(workbook)

    importer = subprocess.Popen(
        [*CLI, "import", "enterprise", str(workbook)], env=env, cwd=REPO, stdout=subprocess.DEVNULL
    )
    # The CLI previews (a batch row 'previewed' is committed), then writes every row in one transaction.
    deadline = time.monotonic() + 300
    while not _query(db, "SELECT 1 FROM orgs_importbatch WHERE status = 'previewed'"):
        assert importer.poll() is None, "the import ended before its preview was seen"
        assert time.monotonic() < deadline, "no preview within 300 s"
        time.sleep(0.05)
    time.sleep(1.0)  # well inside the write of 6,000 enterprises with their figures and history
    assert importer.poll() is None, "the import finished before the kill: raise ROWS"
    importer.send_signal(signal.SIGKILL)
    importer.wait(timeout=10)

    assert _query(db, "SELECT COUNT(*) FROM orgs_enterprise") == [(0,)]
    assert _query(db, "SELECT COUNT(*) FROM orgs_organization") == [(0,)]
    assert _query(db, "SELECT COUNT(*) FROM orgs_historicalenterprise") == [(0,)]
    assert _query(db, "SELECT status FROM orgs_importbatch") == [("previewed",)]  # never committed

    rerun = subprocess.run(
        [*CLI, "import", "enterprise", str(workbook)], env=env, cwd=REPO, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert _query(db, "SELECT COUNT(*) FROM orgs_enterprise") == [(ROWS,)]
    assert _query(db, "SELECT status, COUNT(*) FROM orgs_importbatch GROUP BY status ORDER BY status") == [
        ("committed", 1),
        ("previewed", 1),
    ]
