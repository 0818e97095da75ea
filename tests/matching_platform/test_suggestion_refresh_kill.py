"""kill -9 of the worker in the middle of a suggestion refresh (`compute_suggestions_task`): at every point
the refresh writes the database, a reader sees the demand's old full suggestion set or its new full set,
never a mix, the job is left as an orphan that the next worker re-runs, and the end is the same as an
uninterrupted refresh (issue #19, "Crash safety"). Real worker processes, stopped on purpose before each of
the job's writes in turn (tests/core/crash_points.py); SQLite file or a PostgreSQL database of its own."""

from __future__ import annotations

import json
import signal
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.core.crash_points import Scratch, run_paused, writes
from tests.core.test_worker_stop import CLI, REPO
from tests.matching_platform.test_index_build_kill import _shell

pytestmark = pytest.mark.slow
SOURCE = REPO / "src" / "kechuang" / "demo" / "data" / "achievements.jsonl"
FIRST, LATER = 40, 40  # achievements indexed before the old suggestions / added before the refresh

SETUP = f"""
import json
from kechuang.achievements.models import Achievement
from kechuang.demands.choices import DemandType
from kechuang.demands import services as demands
from kechuang.matching import services
from tests import factories as f

records = [json.loads(line) for line in open({str(SOURCE)!r}, encoding="utf-8").read().splitlines()]
inst = f.institution("晋江材料研究院")
experts = [f.expert(f"专家{{i}}", inst) for i in range(6)]
def add(batch):
    for i, record in enumerate(batch):
        a = Achievement.objects.create(title=record["title"], abstract=record["abstract"], is_public=True,
                                       institution=inst if i % 3 == 0 else None)
        a.experts.set([experts[i % len(experts)]])
add(records[:{FIRST}])
wanted = records[{FIRST} + 7]  # only in the later batch: the new suggestions differ from the old
data = demands.DemandData(
    title=wanted["title"][:80], description=wanted["abstract"], demand_type=DemandType.TECH_BREAKTHROUGH)
demand = demands.file_demand(actor=None, enterprise=f.enterprise("晋江市测试鞋业有限公司"), data=data)
services.rebuild_index()
services.compute_suggestions(source_kind="demand", source_id=demand.pk)  # the old full set
add(records[{FIRST}:{FIRST + LATER}])
services.rebuild_index()
from django_tasks_db.models import DBTaskResult
from kechuang.matching.tasks import compute_suggestions_task
DBTaskResult.objects.all().delete()  # the rebuilds and refreshes the edits above queued: done already
job = compute_suggestions_task.enqueue("demand", demand.pk)
print(json.dumps({{"demand": demand.pk, "job": str(job.id)}}))
"""


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _runs(db: Scratch, demand: int) -> list[tuple[int, str]]:
    """Every stored run of the demand, newest first, as (pk, its full content as one comparable text)."""
    runs = db.query(
        "SELECT id, text_hash, mode, confidence, confidence_label, nothing_fits, message"
        " FROM matching_suggestionrun WHERE source_kind = 'demand' AND source_id = %s"
        " ORDER BY computed_at DESC, id DESC",
        demand,
    )
    out = []
    for pk, *head in runs:
        rows = db.query(
            "SELECT target_kind, target_id, rank, score, title, reasons FROM matching_suggestion"
            " WHERE run_id = %s ORDER BY target_kind, rank",
            pk,
        )
        content = [[*head[:4], bool(head[4]), head[5]], [[*row[:5], _json(row[5])] for row in rows]]
        out.append((pk, json.dumps(content, ensure_ascii=False, sort_keys=True)))
    return out


def _job(db: Scratch, job: str) -> tuple[str, list[str]]:
    status, workers = db.query(
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s", uuid.UUID(job).hex
    )[0]
    return status, _json(workers)


def _assert_old_or_new(db: Scratch, demand: int, old: str, new: str, where: str) -> None:
    runs = _runs(db, demand)
    assert runs, where
    for pk, content in runs:  # every stored run is whole: the old set or the new set, never a mix
        assert content in (old, new), f"run {pk} holds a half result {where}"
    assert runs[-1][1] == old, where  # the old set is never lost


def test_kill_9_at_every_write_of_a_suggestion_refresh_then_the_next_worker_finishes_it(
    tmp_path: Path, scratch_database: Scratch
) -> None:
    db = scratch_database
    made = json.loads(_shell(db.env, SETUP))
    demand, job = made["demand"], made["job"]
    ((_, old),) = _runs(db, demand)

    # The uninterrupted refresh, on a copy: its result, and the writes it makes (the points to kill at).
    reference = db.clone(tmp_path / "reference")
    env = {**reference.env, "KECHUANG_CRASH_FROM": "job", "KECHUANG_CRASH_DIR": str(tmp_path / "ref-points")}
    (tmp_path / "ref-points").mkdir()
    subprocess.run(
        [*CLI[:1], "-m", "tests.core.crash_points", "worker", "--batch", "--interval", "0"],
        env=env, cwd=REPO, check=True, timeout=120,
    )  # fmt: skip
    assert _job(reference, job)[0] == "SUCCESSFUL"
    new = _runs(reference, demand)[0][1]
    assert new != old, "the refresh must change the suggestions for the test to mean anything"
    points = writes(tmp_path / "ref-points")
    assert len(points) >= 3  # at least the run, its suggestions and the job's own bookkeeping

    env = {**db.env, "KECHUANG_CRASH_FROM": "job"}
    for at in range(1, len(points) + 1):
        paused = run_paused(["worker", "--interval", "0.2"], env, tmp_path / f"point-{at}", at, cwd=REPO)
        where = f"while stopped before write {paused.point}"
        assert _job(db, job)[0] == "RUNNING", where
        _assert_old_or_new(db, demand, old, new, where)  # what a page shows at that moment
        paused.process.send_signal(signal.SIGKILL)
        paused.process.wait(timeout=10)
        where = f"after kill -9 before write {paused.point}"
        assert _job(db, job)[0] == "RUNNING", where  # an orphan: the next worker puts it back in the queue
        _assert_old_or_new(db, demand, old, new, where)

    subprocess.run(
        [*CLI, "worker", "--batch", "--interval", "0"], env=db.env, cwd=REPO, check=True, timeout=120
    )
    status, workers = _job(db, job)
    assert status == "SUCCESSFUL"
    assert len(set(workers)) == len(points) + 1  # each killed worker's orphan was re-run by the next one
    runs = _runs(db, demand)
    assert runs[0][1] == new  # the same end as the uninterrupted refresh
    assert {content for _, content in runs} == {old, new}
