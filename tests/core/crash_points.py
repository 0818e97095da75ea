"""Stop a `kechuang` process just before its k-th database write, so a kill -9 test lands there on purpose.

Run ``python -m tests.core.crash_points ARGS…`` instead of ``kechuang ARGS…`` with
``KECHUANG_CRASH_DIR=FOLDER`` and ``KECHUANG_CRASH_AT=k``: every INSERT, UPDATE or DELETE the process sends
(from the start of its first background job with ``KECHUANG_CRASH_FROM=job``, the worker's own start-up
bookkeeping not counted; else from the start) is numbered and listed in ``FOLDER/writes.txt``; just before
sending the k-th one it writes ``FOLDER/paused.txt`` and waits to be killed. ``k = 0`` only lists the
writes (an uninterrupted run: how many points there are to kill at). Only tests use this; the platform
has no hook of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

WRITES = ("INSERT", "UPDATE", "DELETE")
_state = {"counting": False, "count": 0}


def _wrapper(folder: Path, at: int) -> Callable[..., Any]:
    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if _state["counting"] and verb in WRITES:
            _state["count"] += 1
            atomic = context["connection"].in_atomic_block
            line = f"{_state['count']}\t{'atomic' if atomic else 'autocommit'}\t{' '.join(sql.split())[:120]}"
            with open(folder / "writes.txt", "a", encoding="utf-8") as out:
                out.write(line + "\n")
            if _state["count"] == at:
                (folder / "paused.txt").write_text(line + "\n", encoding="utf-8")
                while True:  # the test kills the process here
                    time.sleep(60)
        return execute(sql, params, many, context)

    return wrapper


def install() -> None:
    from django.db.backends.signals import connection_created
    from django_tasks_db.compat import task_started

    folder = Path(os.environ["KECHUANG_CRASH_DIR"])
    wrapper = _wrapper(folder, int(os.environ.get("KECHUANG_CRASH_AT", "0")))

    def hook(sender: Any, connection: Any, **kwargs: Any) -> None:
        if wrapper not in connection.execute_wrappers:
            connection.execute_wrappers.append(wrapper)

    def start(sender: Any, **kwargs: Any) -> None:
        _state["counting"] = True

    connection_created.connect(hook, weak=False)
    if os.environ.get("KECHUANG_CRASH_FROM") == "job":
        task_started.connect(start, weak=False)
    else:
        _state["counting"] = True


@dataclass
class Scratch:
    """A private database (and data dir) for `kechuang` subprocesses: ``env`` for them, ``query`` to read it
    from the test (plain DB-API, no Django: the test process's own database is another one)."""

    env: dict[str, str]
    url: str
    clones: list[str] = field(default_factory=list)  # PostgreSQL databases made by `clone`, to drop

    def clone(self, folder: Path) -> Scratch:
        """The same database and data dir (matching index) as they are now, in ``folder``, for a reference
        run. No process may be using the database."""
        folder.mkdir(parents=True, exist_ok=True)
        data = Path(self.env["KECHUANG_DATA_DIR"])
        if (data / "matching").exists():
            shutil.copytree(data / "matching", folder / "matching")
        if self.url.startswith("sqlite:///"):
            import sqlite3

            url = f"sqlite:///{folder / 'db.sqlite3'}"
            with (
                sqlite3.connect(self.url.removeprefix("sqlite:///")) as source,
                sqlite3.connect(folder / "db.sqlite3") as target,
            ):
                source.backup(target)
        else:
            name = f"{urlsplit(self.url).path.strip('/')}_{len(self.clones) + 1}"
            postgres_admin(f"CREATE DATABASE {name} TEMPLATE {urlsplit(self.url).path.strip('/')}")
            self.clones.append(name)
            url = postgres_url(name)
        return Scratch({**self.env, "KECHUANG_DATA_DIR": str(folder), "KECHUANG_DATABASE_URL": url}, url)

    def query(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """Rows of ``sql``, whose parameters are written ``%s`` (as for PostgreSQL) on either database."""
        if self.url.startswith("sqlite:///"):
            import sqlite3

            with sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30) as connection:
                return connection.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            return connection.execute(sql, params).fetchall()  # type: ignore[arg-type]


def on_postgres() -> bool:
    return os.environ.get("KECHUANG_DATABASE_URL", "").startswith("postgres")


def postgres_url(name: str) -> str:
    """The test server's URL (tests/run_with_postgres.py) with another database name."""
    return urlsplit(os.environ["KECHUANG_DATABASE_URL"])._replace(path=f"/{name}").geturl()


def postgres_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url("postgres"), autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


@dataclass
class Paused:
    process: subprocess.Popen[bytes]
    point: str  # the write it stopped before: "k<TAB>atomic|autocommit<TAB>SQL"


def writes(folder: Path) -> list[str]:
    path = folder / "writes.txt"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def run_paused(
    command: list[str], env: dict[str, str], folder: Path, at: int, *, cwd: Path, timeout: float = 120
) -> Paused:
    """Start ``command`` (``kechuang`` arguments) so that it stops before its write number ``at``, and wait
    until it is there. The caller kills it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("writes.txt", "paused.txt"):
        (folder / name).unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.core.crash_points", *command],
        env={**env, "KECHUANG_CRASH_DIR": str(folder), "KECHUANG_CRASH_AT": str(at)},
        cwd=cwd,
    )
    deadline = time.monotonic() + timeout
    while not (folder / "paused.txt").exists():
        if process.poll() is not None:
            raise AssertionError(f"the process ended (code {process.returncode}) before write {at}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"write {at} not reached within {timeout} s")
        time.sleep(0.05)
    return Paused(process, (folder / "paused.txt").read_text(encoding="utf-8").strip())


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    import django

    django.setup()
    install()
    from kechuang.cli import main as kechuang

    kechuang(sys.argv[1:])


if __name__ == "__main__":
    main()
