"""`kechuang backup` / `kechuang restore` on the real database (SQLite here, PostgreSQL under
run_with_postgres): a restore into an emptied instance brings back every row and file, and a damaged
backup is refused before anything is touched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kechuang.core.backup import table_counts
from kechuang.orgs.models import Enterprise, Organization

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    (settings.MEDIA_ROOT / "demands").mkdir(parents=True)
    (settings.MEDIA_ROOT / "demands" / "方案.pdf").write_bytes(b"%PDF-1.4 test")
    (settings.DATA_DIR / "matching" / "index").mkdir(parents=True)
    (settings.DATA_DIR / "matching" / "index" / "meta.json").write_text('{"docs": 3}')
    return Path(settings.DATA_DIR)


def test_backup_restores_every_row_and_file_into_an_emptied_instance(
    world: Any, data_dir: Path, tmp_path: Path
) -> None:
    before = table_counts()
    name = world.own_enterprise.organization.name
    target = tmp_path / "backup-1"
    call_command("backup", str(target))
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"] == before and manifest["keys_included"] is False
    assert {"media/demands/方案.pdf", "matching/index/meta.json"} <= set(manifest["files"])

    call_command("flush", "--noinput")  # a fresh instance: no users, no records
    for path in (data_dir / "media" / "demands" / "方案.pdf", data_dir / "matching" / "index" / "meta.json"):
        path.unlink()
    assert not Organization.objects.exists()

    call_command("restore", str(target))
    assert table_counts() == before
    assert Enterprise.objects.filter(organization__name=name).exists()
    assert (data_dir / "media" / "demands" / "方案.pdf").read_bytes() == b"%PDF-1.4 test"
    assert (data_dir / "matching" / "index" / "meta.json").exists()


def test_a_damaged_backup_or_a_populated_database_is_refused(
    world: Any, data_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "backup-2"
    call_command("backup", str(target))
    with pytest.raises(CommandError, match="当前数据库已有数据"):
        call_command("restore", str(target))
    (target / "media" / "demands" / "方案.pdf").write_bytes(b"tampered")
    count = Organization.objects.count()
    with pytest.raises(CommandError, match="校验失败"):
        call_command("restore", str(target), "--force")
    assert Organization.objects.count() == count
    with pytest.raises(CommandError, match="不是空目录"):
        call_command("backup", str(target))
