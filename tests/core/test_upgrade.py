"""Upgrades keep every record: a populated database of the previous release (tag v0.1.0, commit 7abec29)
is migrated to the current code, every table keeps its rows and the current models read them; then the
new migrations are reversed back to the release's state, again without losing a row.

The database in tests/data was made once with the release's own code (not this one):
    git worktree add /tmp/v0.1.0 v0.1.0
    PYTHONPATH=/tmp/v0.1.0/src KECHUANG_DATA_DIR=/tmp/old kechuang migrate
    PYTHONPATH=/tmp/v0.1.0/src KECHUANG_DATA_DIR=/tmp/old kechuang demo --enterprises 60 --achievements 20
    gzip -9 < /tmp/old/kechuang.sqlite3 > tests/data/release-v0.1.0-demo.sqlite3.gz
Make a new one at each release and keep the older ones: each is an upgrade path that must keep working.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

RELEASES = sorted((Path(__file__).resolve().parents[1] / "data").glob("release-*.sqlite3.gz"))
REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("KECHUANG_DATABASE_URL")), reason="升级路径在 SQLite 文件上检查一次即可"
)


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def _applied(path: Path) -> dict[str, list[str]]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return applied


def _kechuang(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KECHUANG_")}
    return subprocess.run(
        [sys.executable, "-m", "kechuang.cli", *args],
        env={**env, "KECHUANG_DATA_DIR": str(data_dir), "KECHUANG_MATCHING_BACKEND": "lexical"},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


# New models add their content types and permissions (and a downgrade leaves them, as Django does).
GROWS = {"django_content_type", "auth_permission", "django_migrations"}


def _changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int | None]]:
    return {
        t: (n, after.get(t))
        for t, n in before.items()
        if (after.get(t, -1) < n if t in GROWS else after.get(t) != n)
    }


READ_EVERY_MODEL = """
from django.apps import apps
for model in apps.get_models():
    manager = getattr(model, "all_objects", model._default_manager)
    list(manager.all()[:20])
    print(model._meta.label, manager.count())
"""


@pytest.mark.slow
@pytest.mark.parametrize("release", RELEASES, ids=[p.name.split(".sqlite3")[0] for p in RELEASES])
def test_a_release_database_upgrades_and_downgrades_without_losing_a_row(
    release: Path, tmp_path: Path
) -> None:
    database = tmp_path / "kechuang.sqlite3"
    with gzip.open(release) as packed, database.open("wb") as out:
        shutil.copyfileobj(packed, out)
    before, old_migrations = _counts(database), _applied(database)
    assert before["orgs_enterprise"] == 60 and before["demands_demand"] > 0  # a populated database

    upgraded = _kechuang(tmp_path, "migrate", "--no-input")
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    assert _kechuang(tmp_path, "migrate", "--check").returncode == 0  # nothing left unapplied
    after = _counts(database)
    changed = _changed(before, after)
    assert not changed, f"rows changed by the upgrade (before, after): {changed}"
    read = _kechuang(tmp_path, "shell", "-c", READ_EVERY_MODEL)
    assert read.returncode == 0, read.stderr  # the current models read every table of the old data
    assert "orgs.Enterprise 60" in read.stdout

    # Back to the release: each app to its last migration then, apps new since to zero.
    new = _applied(database)
    for app in sorted(set(new) - set(old_migrations)):
        back = _kechuang(tmp_path, "migrate", app, "zero", "--no-input")
        assert back.returncode == 0, back.stdout + back.stderr
    for app, names in sorted(old_migrations.items()):
        if new.get(app, []) != names:
            back = _kechuang(tmp_path, "migrate", app, names[-1], "--no-input")
            assert back.returncode == 0, back.stdout + back.stderr
    assert _applied(database) == old_migrations
    downgraded = _counts(database)
    changed = _changed(before, downgraded)
    assert not changed, f"rows changed by the downgrade (before, after): {changed}"
