"""A job for the worker tests: it records each start and runs while a 'hold' file exists."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def held_job(folder: str) -> int:
    base = Path(folder)
    with open(base / "starts.txt", "a", encoding="utf-8") as out:
        out.write("start\n")
    while (base / "hold").exists():
        time.sleep(0.1)
    return len((base / "starts.txt").read_text(encoding="utf-8").splitlines())
