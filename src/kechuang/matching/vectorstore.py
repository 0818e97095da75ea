"""Which dense vector store the platform's matching index uses (setting ``KECHUANG_VECTOR_STORE``).

``auto`` (default): pgvector when the database is PostgreSQL and ``CREATE EXTENSION vector`` works there,
else the in-memory numpy store; ``memory``: always in memory; ``pgvector``: pgvector, falling back to memory
with a logged warning (and a note on the index build) when it is unavailable. Nothing here ever fails: a
missing extension, a SQLite database or a database without the privilege to create the extension all mean
"vectors in memory", exactly as before. No migration is involved: the store creates its table lazily.

The store itself lives in the engine (``kechuang.matching.engine.pgvector``, see its docstring for why); this
module only decides and builds the libpq connection string from Django's database settings.
"""

from __future__ import annotations

import json
import logging
import weakref
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

from kechuang.matching.engine.index import StoreFactory
from kechuang.matching.engine.pgvector import PgVectorStore, pgvector_available

log = logging.getLogger(__name__)

#: The platform index's vector table.
TABLE = "kechuang_matching_vectors"
CHOICES = ("auto", "memory", "pgvector")

_probed: dict[str, tuple[bool, str]] = {}
_stores: weakref.WeakSet[PgVectorStore] = weakref.WeakSet()
# libpq parameters Django's settings may carry (OPTIONS also holds Django-only keys such as "pool")
_LIBPQ_KEYS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "connect_timeout",
    "application_name",
    "options",
    "passfile",
    "service",
    "target_session_attrs",
    "keepalives",
    "keepalives_idle",
}


def choice() -> str:
    value = str(getattr(settings, "KECHUANG_VECTOR_STORE", "auto") or "auto").strip().lower()
    return value if value in CHOICES else "auto"


def conninfo(alias: str = "default") -> str:
    """libpq connection string of a Django database (the test database while tests run)."""
    from psycopg.conninfo import make_conninfo

    sd = connections[alias].settings_dict
    params: dict[str, Any] = {
        "dbname": sd.get("NAME") or "postgres",
        "user": sd.get("USER") or None,
        "password": sd.get("PASSWORD") or None,
        "host": sd.get("HOST") or None,
        "port": str(sd.get("PORT") or "") or None,
        "application_name": "kechuang-vectors",
    }
    params.update({k: v for k, v in (sd.get("OPTIONS") or {}).items() if k in _LIBPQ_KEYS})
    return str(make_conninfo("", **{k: v for k, v in params.items() if v is not None}))


def hnsw_crash_file() -> Path:
    """Written when the database server died building pgvector's HNSW index (see remember_hnsw_crashes)."""
    return Path(settings.DATA_DIR) / "matching" / "pgvector-hnsw-crash.json"


def probe(dsn: str) -> tuple[bool, str]:
    """Can pgvector be used there? Cached per process (the answer does not change under us).

    Not after an HNSW build crashed the server: trying again would crash it again, so every process
    keeps vectors in memory until an operator has fixed pgvector and deleted :func:`hnsw_crash_file`."""
    crash = hnsw_crash_file()
    if crash.exists():
        return False, f"此前建立 HNSW 索引时 PostgreSQL 服务进程崩溃；修复 pgvector 后删除 {crash} 再试"
    if dsn not in _probed:
        _probed[dsn] = pgvector_available(dsn)
    return _probed[dsn]


def remember_hnsw_crashes() -> str:
    """If a store of this process saw the server die building HNSW, write the crash file; its reason.

    Called after every index build: the crash itself is already answered (the store searches exactly and
    stops building HNSW); this keeps the next process from trying."""
    crashed = next((store for store in list(_stores) if store.hnsw_crash), None)
    if crashed is None:
        return ""
    crash = hnsw_crash_file()
    if not crash.exists():
        crash.parent.mkdir(parents=True, exist_ok=True)
        record = {"reason": crashed.hnsw_crash, "table": crashed.table, "at": timezone.now().isoformat()}
        crash.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        log.error("pgvector HNSW 建索引导致数据库进程崩溃，此后语义向量改存内存：%s", crashed.hnsw_crash)
    _probed.clear()
    return str(crashed.hnsw_crash)


def status() -> tuple[str, str]:
    """(store kind the index will use, note for the operator when a requested pgvector is unavailable)."""
    wanted = choice()
    if wanted == "memory":
        return "memory", ""
    if connections["default"].vendor != "postgresql":
        if wanted == "pgvector":
            return "memory", "向量库设置为 pgvector，但数据库不是 PostgreSQL，已使用内存向量索引。"
        return "memory", ""
    ok, reason = probe(conninfo())
    if ok:
        return "pgvector", ""
    if wanted == "pgvector":
        return "memory", f"PostgreSQL 上无法启用 pgvector 扩展（{reason}），已使用内存向量索引。"
    return "memory", ""


def store_factory() -> StoreFactory | None:
    """A factory for the index's dense store, or None for the in-memory default."""
    kind, note = status()
    if kind == "memory":
        if note or (choice() == "auto" and connections["default"].vendor == "postgresql"):
            reason = note or probe(conninfo())[1]
            _warn_once(
                "pgvector 不可用，语义向量改存内存（%s）/ "
                "pgvector unavailable, dense vectors stay in memory (%s)",
                reason,
            )
        return None
    dsn = conninfo()

    def make(dim: int, model: str) -> PgVectorStore:
        store = PgVectorStore(dsn, dim=dim, model=model, table=TABLE)
        _stores.add(store)
        return store

    return make


_warned: set[str] = set()


def _warn_once(message: str, reason: str) -> None:
    if reason not in _warned:
        _warned.add(reason)
        log.warning(message, reason, reason)


def close_all() -> None:
    """Close every pgvector connection this process opened (tests, before the test database is dropped)."""
    for store in list(_stores):
        store.close()


def forget_probe() -> None:
    """Probe again next time (tests that simulate a missing extension)."""
    _probed.clear()
    _warned.clear()
