"""`kechuang worker` stops within 10 s of SIGTERM and re-queues its job; after kill -9 the next worker
re-runs the job the dead one left running (issue #19, "Clean stops" and "Crash safety")."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "kechuang.cli"]
# Signals and processes, not the database: once on SQLite is enough (the PostgreSQL run skips them).
pytestmark = pytest.mark.skipif(
    os.environ.get("KECHUANG_DATABASE_URL", "").startswith("postgres"),
    reason="进程信号测试只在 SQLite 上运行一次",
)


@pytest.fixture
def scratch(tmp_path: Path, migrated_sqlite: Path) -> dict[str, str]:
    return scratch_env(tmp_path, migrated_sqlite)


def scratch_env(folder: Path, migrated_sqlite: Path) -> dict[str, str]:
    """An environment for `kechuang` subprocesses on a private copy of a migrated SQLite database."""
    shutil.copyfile(migrated_sqlite, folder / "db.sqlite3")
    return {
        **os.environ,
        "KECHUANG_DATA_DIR": str(folder),
        "KECHUANG_DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "KECHUANG_MATCHING_BACKEND": "lexical",
        "PYTHONPATH": str(REPO),
    }


def _shell(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [*CLI, "shell", "--no-imports", "-c", code],
        env=env,
        check=True,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def _job_status(env: dict[str, str], job_id: str) -> str:
    return _shell(
        env,
        f"from django_tasks_db.models import DBTaskResult as R; print(R.objects.get(pk='{job_id}').status)",
    )


def _enqueue(env: dict[str, str], folder: Path) -> str:
    (folder / "hold").touch()
    return _shell(
        env, f"from tests.core.worker_jobs import held_job; print(held_job.enqueue({str(folder)!r}).id)"
    )


def _start_worker(env: dict[str, str], folder: Path, starts: int) -> subprocess.Popen[bytes]:
    worker = subprocess.Popen([*CLI, "worker", "--interval", "0.2"], env=env, cwd=REPO)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log = folder / "starts.txt"
        if log.exists() and len(log.read_text(encoding="utf-8").splitlines()) >= starts:
            return worker
        assert worker.poll() is None, "the worker died before starting the job"
        time.sleep(0.2)
    worker.kill()
    raise AssertionError("the worker did not start the job within 60 s")


def test_sigterm_interrupts_the_job_within_10s_and_requeues_it(
    scratch: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "job"
    folder.mkdir()
    job = _enqueue(scratch, folder)
    worker = _start_worker(scratch, folder, starts=1)
    assert _job_status(scratch, job) == "RUNNING"
    stopped = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=10)  # raises if the worker is still running after 10 s
    assert time.monotonic() - stopped < 10
    assert _job_status(scratch, job) == "READY"  # back in the queue, not failed

    (folder / "hold").unlink()  # the next worker runs it to the end
    subprocess.run(
        [*CLI, "worker", "--batch", "--interval", "0"], env=scratch, cwd=REPO, check=True, timeout=60
    )
    assert _job_status(scratch, job) == "SUCCESSFUL"
    assert (folder / "starts.txt").read_text(encoding="utf-8").count("start") == 2


def test_after_kill_9_the_next_worker_reruns_the_orphaned_job(
    scratch: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "job"
    folder.mkdir()
    job = _enqueue(scratch, folder)
    worker = _start_worker(scratch, folder, starts=1)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    assert _job_status(scratch, job) == "RUNNING"  # nobody is running it: an orphan

    (folder / "hold").unlink()
    subprocess.run(
        [*CLI, "worker", "--batch", "--interval", "0"], env=scratch, cwd=REPO, check=True, timeout=60
    )
    assert _job_status(scratch, job) == "SUCCESSFUL"
    assert (folder / "starts.txt").read_text(encoding="utf-8").count("start") == 2


def _wait_until_it_catches(process: subprocess.Popen[bytes], signum: int) -> None:
    """Wait until the process has its own handler for `signum` (Linux /proc SigCgt), i.e. the worker is
    set up: a fixed sleep is too short on a busy machine and the signal would kill it before that."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the worker died while starting"
        status = Path(f"/proc/{process.pid}/status").read_text(encoding="utf-8")
        caught = int(next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16)
        if caught & (1 << (signum - 1)):
            return
        time.sleep(0.1)
    process.kill()
    raise AssertionError("the worker did not install its signal handler within 60 s")


def test_an_idle_worker_stops_at_once(scratch: dict[str, str]) -> None:
    worker = subprocess.Popen([*CLI, "worker", "--interval", "5"], env=scratch, cwd=REPO)
    _wait_until_it_catches(worker, signal.SIGTERM)
    stopped = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0
    assert time.monotonic() - stopped < 5


def test_a_job_whose_code_is_gone_fails_and_the_worker_goes_on(
    scratch: dict[str, str], tmp_path: Path
) -> None:
    """After an upgrade a queued job may name a function that no longer exists: it is recorded as failed."""
    job = _enqueue(scratch, tmp_path)
    _shell(
        scratch,
        "from django_tasks_db.models import DBTaskResult as R; "
        f"print(R.objects.filter(pk='{job}').update(task_path='tests.core.worker_jobs.removed_job'))",
    )
    done = subprocess.run([*CLI, "worker", "--batch", "--interval", "0"], env=scratch, cwd=REPO, timeout=60)
    assert done.returncode == 0
    assert _job_status(scratch, job) == "FAILED"
