"""kill -9 in the middle of a matchmaking fair's planning (issue #19, "Crash safety"), at points where it
writes the database, in turn:

* the worker's job that suggests meetings (`suggest_meetings_task`, events/tasks.py): a reader sees none of
  the run's suggestions or all of them, the job is left as an orphan the next worker re-runs, and the end
  equals an uninterrupted run;
* the schedule run (`services.schedule_event`; the staff page runs it in the web process, so here a
  `kechuang shell` process is killed): the fair keeps its old complete schedule or has the new complete
  one, conflict-free, never a mix, and running it again gives the uninterrupted run's schedule.

Real processes stopped on purpose before each write (tests/core/crash_points.py); SQLite file or a
PostgreSQL database of its own."""

from __future__ import annotations

import json
import signal
import subprocess
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.core.crash_points import Scratch, run_paused, writes
from tests.core.test_worker_stop import CLI, REPO

pytestmark = pytest.mark.slow
SOURCE = REPO / "src" / "kechuang" / "demo" / "data" / "achievements.jsonl"

SETUP = f"""
import datetime as dt, json
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from kechuang.achievements.models import Achievement
from kechuang.events import services
from kechuang.events.models import EventKind
from kechuang.orgs.choices import OrgKind
from kechuang.orgs.models import Organization

records = [json.loads(line) for line in open({str(SOURCE)!r}, encoding="utf-8").read().splitlines()[:12]]
start = timezone.make_aware(dt.datetime(2026, 6, 10, 9, 0))
event = services.create_event(title="晋江市科技成果对接洽谈会", kind=EventKind.FAIR, starts_at=start,
                              ends_at=start + dt.timedelta(hours=4), venue="晋江国际会展中心")
services.add_slots(event=event, first_start=start, minutes=30, count=4, tables=2)
def join(name, role, offer=""):
    org = Organization.objects.create(kind=OrgKind.ENTERPRISE, name=name)
    reg = services.register(event=event, organization=org, role=role, user=None, contact_name="联系人",
                            offer=offer, max_meetings=3)
    return services.review_registration(registration=reg, approve=True)
exhibitors = [join(f"参展院所{{i}}", "exhibitor") for i in range(3)]
for i, record in enumerate(records[:9]):
    exhibitors[i % 3].achievements.add(
        Achievement.objects.create(title=record["title"], abstract=record["abstract"], is_public=True))
# each enterprise brings texts near one achievement of each exhibitor: several suggestions each
seekers = [join(f"晋江企业{{i}}", "enterprise", "".join(r["abstract"] for r in records[i * 3:i * 3 + 3]))
           for i in range(3)]
for seeker, exhibitor in ((seeker, exhibitors[i]) for i, seeker in enumerate(seekers[:2])):
    request = services.request_meeting(requester=seeker, invitee=exhibitor)
    services.respond_to_request(meeting_request=request, accept=True)
services.schedule_event(event=event, time_limit_s=10)  # the old schedule: the two accepted meetings
DBTaskResult.objects.all().delete()  # jobs the records above queued (index builds): not this test's
print(event.pk)
"""
ENQUEUE = """
from kechuang.events.tasks import suggest_meetings_task
print(suggest_meetings_task.enqueue({event}).id)
"""
SCHEDULE = """
from kechuang.events import services
from kechuang.events.models import Event
services.schedule_event(event=Event.objects.get(pk={event}), time_limit_s=10)
"""
SUGGEST = """
from kechuang.events import services
from kechuang.events.models import Event
services.suggest_meetings(event=Event.objects.get(pk={event}))
"""


def _shell(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [*CLI, "shell", "--no-imports", "-c", code], env=env, cwd=REPO, check=True, timeout=300,
        capture_output=True, text=True,
    )  # fmt: skip
    return (done.stdout.strip().splitlines() or [""])[-1]


def _reference(db: Scratch, folder: Path, command: list[str], **extra: str) -> tuple[Scratch, list[str]]:
    """An uninterrupted run of ``command`` on a copy of the database: the copy, and the run's writes."""
    copy = db.clone(folder / "copy")
    env = {**copy.env, **extra, "KECHUANG_CRASH_DIR": str(folder / "points")}
    (folder / "points").mkdir()
    subprocess.run(
        [*CLI[:1], "-m", "tests.core.crash_points", *command], env=env, cwd=REPO, check=True, timeout=120
    )
    return copy, writes(folder / "points")


def _suggested(db: Scratch, event: int) -> list[tuple[Any, ...]]:
    return db.query(
        "SELECT requester_id, invitee_id, value, reason FROM events_meetingrequest"
        " WHERE event_id = %s AND status = 'suggested' ORDER BY requester_id, invitee_id",
        event,
    )


def _job(db: Scratch, job: str) -> tuple[str, list[str]]:
    status, workers = db.query(
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s", uuid.UUID(job).hex
    )[0]
    return status, json.loads(workers) if isinstance(workers, str) else workers


def _schedule(db: Scratch, event: int) -> tuple[list[tuple[Any, ...]], int]:
    """The fair's scheduled meetings (request, slot, table), checked conflict-free, and its schedule runs."""
    meetings = db.query(
        'SELECT m.request_id, m.slot_id, m."table", r.requester_id, r.invitee_id, s.tables'
        " FROM events_meeting m JOIN events_meetingrequest r ON r.id = m.request_id"
        " JOIN events_meetingslot s ON s.id = m.slot_id"
        " WHERE r.event_id = %s AND m.status = 'scheduled' ORDER BY m.request_id",
        event,
    )
    caps = dict(db.query("SELECT id, max_meetings FROM events_registration WHERE event_id = %s", event))
    tables = Counter((slot, table) for _, slot, table, *_ in meetings)
    busy = Counter((party, slot) for _, slot, _, a, b, _ in meetings for party in (a, b))
    per_party = Counter(party for *_, a, b, _ in meetings for party in (a, b))
    assert max(tables.values(), default=1) == 1, "two meetings at one table"
    assert max(busy.values(), default=1) == 1, "someone in two meetings at once"
    assert all(1 <= table <= count for _, _, table, _, _, count in meetings), "no such table"
    assert all(n <= caps[party] for party, n in per_party.items()), "more meetings than the cap"
    runs = db.query("SELECT COUNT(*) FROM events_schedulerun WHERE event_id = %s", event)[0][0]
    return [m[:3] for m in meetings], runs


def test_kill_9_at_every_write_of_the_meeting_suggestion_job_then_the_next_worker_finishes_it(
    tmp_path: Path, scratch_database: Scratch
) -> None:
    db = scratch_database
    event = int(_shell(db.env, SETUP))
    job = _shell(db.env, ENQUEUE.format(event=event))
    reference, points = _reference(
        db, tmp_path / "reference", ["worker", "--batch", "--interval", "0"], KECHUANG_CRASH_FROM="job"
    )
    assert _job(reference, job)[0] == "SUCCESSFUL"
    full = _suggested(reference, event)
    assert len(full) >= 3 and len(points) == len(full) + 1  # one write per suggestion, then the job's own

    # Before the first suggestion, after one, before the last (all but one written, not committed), and
    # after the commit before the worker records the job done: every kind of point, in a bounded time.
    kill_at = sorted({1, 2, len(points) - 1, len(points)})
    env = {**db.env, "KECHUANG_CRASH_FROM": "job"}
    for at in kill_at:
        paused = run_paused(["worker", "--interval", "0.2"], env, tmp_path / f"point-{at}", at, cwd=REPO)
        where = f"stopped before write {paused.point}"
        assert _suggested(db, event) in ([], full), f"a part of the suggestions is visible while {where}"
        paused.process.send_signal(signal.SIGKILL)
        paused.process.wait(timeout=10)
        assert _job(db, job)[0] == "RUNNING", where  # an orphan, for the next worker to put back
        assert _suggested(db, event) in ([], full), f"a part of the suggestions is left after kill -9 {where}"

    subprocess.run(
        [*CLI, "worker", "--batch", "--interval", "0"], env=db.env, cwd=REPO, check=True, timeout=120
    )
    status, workers = _job(db, job)
    assert status == "SUCCESSFUL"
    assert len(set(workers)) == len(kill_at) + 1  # each killed worker's orphan was re-run by the next one
    assert _suggested(db, event) == full  # the same as the uninterrupted run


def test_kill_9_at_every_write_of_a_schedule_run_then_running_it_again_gives_the_same_schedule(
    tmp_path: Path, scratch_database: Scratch
) -> None:
    db = scratch_database
    event = int(_shell(db.env, SETUP))
    _shell(db.env, SUGGEST.format(event=event))  # more requests: the new schedule differs from the old
    old, runs = _schedule(db, event)
    assert len(old) == 2 and runs == 1
    command = ["shell", "--no-imports", "-c", SCHEDULE.format(event=event)]
    reference, points = _reference(db, tmp_path / "reference", command)
    new, _ = _schedule(reference, event)
    assert len(new) > len(old) and len(points) >= 3  # delete the old meetings, insert the new, record the run

    for at in range(1, len(points) + 1):
        paused = run_paused(command, db.env, tmp_path / f"point-{at}", at, cwd=REPO)
        where = f"stopped before write {paused.point}"
        assert _schedule(db, event) == (old, 1), f"a part of the new schedule is visible while {where}"
        paused.process.send_signal(signal.SIGKILL)
        paused.process.wait(timeout=10)
        assert _schedule(db, event) == (old, 1), f"a part of the new schedule is left after kill -9 {where}"

    _shell(db.env, SCHEDULE.format(event=event))
    assert _schedule(db, event) == (new, 2)  # the uninterrupted run's schedule, one more run recorded
