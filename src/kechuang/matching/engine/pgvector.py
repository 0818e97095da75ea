"""Dense vectors in PostgreSQL + pgvector (HNSW), shared by every process of a deployment.

Why here, in the Django-free engine, with its own psycopg connection (a libpq
conninfo string is passed in) rather than in the Django app on Django's connection:
the store is used by the engine's index, by the benchmark and by any offline tool, and
it must behave the same in all of them; its writes (index rebuilds in the background
worker) belong to no business transaction, so an autocommit connection of its own
keeps them out of request transactions (and out of the test transaction a Django test
wraps around the ORM).  The Django side only decides *whether* to use it
(``kechuang.matching.vectorstore``) and builds the conninfo from the database settings.

Layout: one table per index, ``(doc_id text primary key, content_hash bytea,
embedding vector(dim))`` with an HNSW index over inner product (``vector_ip_ops``;
backends return L2-normalised vectors, so inner product = cosine).  The table comment
records the embedding model and dimension; a different model empties it.

Sync: the index calls :meth:`set_rows` only for new or changed texts (content hash),
and the upsert skips rows whose stored hash already matches, so unchanged documents are
never re-written (no dead tuples, no HNSW churn).  Deletes are buffered and sent in one
statement before the next read or write.  A bulk load (≥ ``bulk_rows`` rows and at
least half the table) drops the HNSW index first and rebuilds it in :meth:`optimize`:
building once is far faster than inserting a million rows into the graph one by one.

Filters and audience: the index hands over a boolean mask over its rows, which the
database cannot see.  Paths, chosen by how many rows the mask allows (``a`` of ``N``
stored vectors) for ``k`` wanted:

* HNSW, over-fetched: ask for ``f = k·N/a·overfetch + 10`` neighbours (``hnsw.ef_search
  = min(f, 1000)`` and pgvector 0.8's ``hnsw.iterative_scan = strict_order``, so more
  than ``ef_search`` rows can come back, in order), keep the allowed ones, return the
  top k; if the mask ate more than expected, one more round with ``3·f``.
* Exact in SQL when the mask is selective (``a ≤ exact_below``, ``f > max_fetch``, or
  ``a ≤ exact_factor·f``: a row scored exactly costs ≈ 7 µs here, a row taken from
  HNSW ≈ 100 µs, so scanning 10× more allowed rows is still no slower)
  or both HNSW rounds came back with fewer than ``k`` allowed rows: the allowed (or,
  when shorter, the excluded) ids are joined in and every candidate's distance is
  computed (a materialised CTE keeps the HNSW index out of it).
* Hence filtering never loses recall; it costs latency on the rare fallback instead.
  The approximation left is HNSW's own (recall@10 vs exact measured in the benchmark).
  HNSW cost grows with ``f`` (≈ 7 ms for 200 and ≈ 23 ms for 344 neighbours at 100k
  clustered vectors here), which is why the over-fetch factor is small.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from .vectors import VectorStoreError, search_each_group

__all__ = ["EXTENSION", "PgVectorStore", "pgvector_available"]

#: Why a store stopped building HNSW (see :attr:`PgVectorStore.hnsw_crash`).
HNSW_CRASH = (
    "建立 HNSW 索引时 PostgreSQL 服务进程崩溃（常见原因：pgvector 按另一种 CPU 的指令集编译，SIGILL）"
    " / the server process died building the HNSW index"
)

#: Name of the PostgreSQL extension (a module constant so tests can simulate its absence).
EXTENSION = "vector"
_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,50}$")


_UPSERT_ANY = (
    "INSERT INTO {t} AS cur (doc_id, content_hash, embedding) "
    "SELECT DISTINCT ON (doc_id) doc_id, content_hash, embedding FROM {stage} "
    "ON CONFLICT (doc_id) DO UPDATE SET content_hash = EXCLUDED.content_hash, embedding = EXCLUDED.embedding"
)
_UPSERT_CHANGED = _UPSERT_ANY + " WHERE cur.content_hash IS DISTINCT FROM EXCLUDED.content_hash"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - psycopg is a dependency of the project
        raise VectorStoreError("未安装 psycopg，无法使用 pgvector 向量库") from exc
    return psycopg


def pgvector_available(conninfo: str) -> tuple[bool, str]:
    """Whether ``CREATE EXTENSION IF NOT EXISTS vector`` works there: (ok, reason)."""
    psycopg = _psycopg()
    try:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
            conn.execute(
                psycopg.sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(psycopg.sql.Identifier(EXTENSION))
            )
            found = conn.execute("SELECT extversion FROM pg_extension WHERE extname = %s", (EXTENSION,))
            row = found.fetchone()
    except Exception as exc:
        return False, str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return True, f"pgvector {row[0] if row else '?'}"


def _vector_literal(q: np.ndarray) -> str:
    """pgvector text input; repr of each float32 (as a double) round-trips exactly."""
    return "[" + ",".join(map(repr, np.asarray(q, dtype=np.float32).astype(np.float64).tolist())) + "]"


def _encode(vec: np.ndarray) -> bytes:
    """pgvector binary format: int16 dim, int16 unused, float4 big-endian values."""
    v = np.asarray(vec, dtype=">f4")
    return len(v).to_bytes(2, "big") + b"\0\0" + v.tobytes()


def _decode_many(blobs: Sequence[bytes], dim: int) -> np.ndarray:
    """Many binary vectors at once: the 4-byte header is one float-sized column, dropped."""
    if not blobs:
        return np.zeros((0, dim), np.float32)
    raw = np.frombuffer(b"".join(blobs), dtype=">f4").reshape(len(blobs), dim + 1)
    return raw[:, 1:].astype(np.float32)


class PgVectorStore:
    """A :class:`~kechuang.matching.engine.vectors.DenseStore` in a pgvector table.

    ``conninfo`` is a libpq connection string (or a callable returning an open
    psycopg connection); ``table`` a plain lower-case name; ``model`` the embedding
    backend's name.  The connection is opened lazily, used under a lock (one store may
    serve several threads) and re-opened once after a lost connection.
    """

    kind = "pgvector"
    persistent = True
    salt_of: Callable[[int], bytes] = staticmethod(lambda row: b"")

    def __init__(
        self,
        conninfo: str | Callable[[], Any],
        *,
        dim: int,
        model: str,
        table: str = "kechuang_matching_vectors",
        m: int = 16,
        ef_construction: int = 64,
        overfetch: float = 1.2,
        min_ef_search: int = 100,
        max_fetch: int = 10_000,
        exact_below: int = 2_000,
        exact_factor: float = 10.0,
        bulk_rows: int = 1_000,
        build_memory: str = "1GB",
    ) -> None:
        if not _NAME_RE.match(table):
            raise ValueError(f"向量表名不合法：{table!r}")
        if not 0 < dim <= 2000:
            raise ValueError(f"pgvector 的 HNSW 索引支持 1–2000 维，得到 {dim}")
        self.conninfo = conninfo
        self.dim = dim
        self.model = model
        self.table = table
        self.hnsw_name = f"{table}_hnsw"
        self.m, self.ef_construction = m, ef_construction
        self.overfetch, self.min_ef_search, self.max_fetch = overfetch, min_ef_search, max_fetch
        self.exact_below, self.exact_factor = exact_below, exact_factor
        self.bulk_rows, self.build_memory = bulk_rows, build_memory
        #: Force exact search on every query (benchmarks: the brute-force figure).
        self.force_exact = False
        #: Which path the last search took: "hnsw", "exact" or "exact-fallback" (tests, benchmark).
        self.last_path = ""
        self._conn: Any = None
        self._lock = threading.RLock()
        self._ready = False
        self._count: int | None = None
        self._has_hnsw: bool | None = None
        #: Set when the server process died while this store built its HNSW index. Why: a pgvector binary
        #: built for another CPU dies with SIGILL there, and the crash puts the whole cluster through
        #: recovery; the store never tries again and searches exactly, and the platform remembers it.
        self.hnsw_crash: str | None = None
        self._building_hnsw = False
        self._pending_deletes: list[str] = []
        self._ids: Sequence[str] = ()
        self._hashes: Sequence[bytes] = ()
        self._row_of: Mapping[str, int] = {}

    # -- connection ------------------------------------------------------------
    def _sql(self, template: str, **literals: object) -> Any:
        """Compose a statement: ``{t}`` table, ``{stage}`` staging table, ``{idx}`` HNSW index,
        ``{ext}`` the extension, other ``{name}`` from ``literals`` (quoted literals)."""
        sql = _psycopg().sql
        return sql.SQL(template).format(
            t=sql.Identifier(self.table),
            stage=sql.Identifier(f"{self.table}_stage"),
            idx=sql.Identifier(self.hnsw_name),
            ext=sql.Identifier(EXTENSION),
            **{name: sql.Literal(value) for name, value in literals.items()},
        )

    @staticmethod
    def _set_local(cur: Any, name: str, value: object) -> None:
        cur.execute("SELECT set_config(%s, %s, true)", (name, str(value)))

    def _connect(self) -> Any:
        if self._conn is None or self._conn.closed or self._conn.broken:
            psycopg = _psycopg()
            try:
                if callable(self.conninfo):
                    self._conn = self.conninfo()
                else:
                    self._conn = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=10)
            except Exception as exc:
                raise VectorStoreError(f"无法连接向量数据库：{exc}") from exc
        return self._conn

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        """A cursor inside one transaction (``SET LOCAL`` scope).

        Database errors become :class:`VectorStoreError` (the index then answers
        lexically and says so); a lost connection is re-opened by the next call.
        """
        psycopg = _psycopg()
        with self._lock:
            conn = self._connect()
            try:
                with conn.transaction(), conn.cursor() as cur:
                    if not self._ready:
                        self._ensure_table(cur)
                    yield cur
            except psycopg.Error as exc:
                crashed = self._building_hnsw and (conn.closed or conn.broken)
                self._building_hnsw = False
                if conn.closed or conn.broken:
                    self._conn, self._ready = None, False
                detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                if crashed:
                    self.hnsw_crash = HNSW_CRASH
                    detail = f"{HNSW_CRASH}：{detail}"
                raise VectorStoreError(f"向量数据库出错：{detail}") from exc

    def close(self) -> None:
        """Close the connection (a later call reconnects)."""
        with self._lock:
            if self._conn is not None and not self._conn.closed:
                self._conn.close()
            self._conn = None
            self._ready = False

    def _ensure_table(self, cur: Any) -> None:
        """Create extension, table and HNSW index if missing; empty the table on a model change."""
        stamp = f"kechuang:{self.model}:{self.dim}"
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key(),))
        cur.execute(self._sql("CREATE EXTENSION IF NOT EXISTS {ext}"))
        cur.execute("SELECT obj_description(to_regclass(%s), 'pg_class'), to_regclass(%s)", (self.table,) * 2)
        comment, exists = cur.fetchone()
        if exists and comment != stamp:  # another model (or dimension): its vectors are useless here
            cur.execute(self._sql("DROP TABLE {t}"))
            exists = None
        if not exists:
            cur.execute(
                self._sql(
                    "CREATE TABLE {t} (doc_id text PRIMARY KEY, content_hash bytea NOT NULL, "
                    "embedding vector({dim}) NOT NULL)",
                    dim=self.dim,
                )
            )
            cur.execute(self._sql("COMMENT ON TABLE {t} IS {stamp}", stamp=stamp))
            self._create_hnsw(cur)
        self._ready = True

    def _lock_key(self) -> int:
        digest = hashlib.blake2b(self.table.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big", signed=True)

    def _create_hnsw(self, cur: Any) -> None:
        if self.hnsw_crash:
            return  # exact search from here on: building again would crash the server again
        self._set_local(cur, "maintenance_work_mem", self.build_memory)
        self._building_hnsw = True
        cur.execute(
            self._sql(
                "CREATE INDEX IF NOT EXISTS {idx} ON {t} USING hnsw (embedding vector_ip_ops) "
                "WITH (m = {m}, ef_construction = {efc})",
                m=int(self.m),
                efc=int(self.ef_construction),
            )
        )
        self._building_hnsw = False
        self._has_hnsw = True

    # -- DenseStore: bookkeeping ---------------------------------------------
    def bind(self, ids: Sequence[str], hashes: Sequence[bytes], row_of: Mapping[str, int]) -> None:
        """Live views of the index's rows (lists the index keeps appending to)."""
        self._ids, self._hashes, self._row_of = ids, hashes, row_of

    def describe(self) -> dict[str, Any]:
        """Saved with the index: which table and model (never the connection string)."""
        return {"kind": self.kind, "table": self.table, "model": self.model, "dim": self.dim}

    def count(self) -> int:
        """Vectors stored (cached until the next write)."""
        self.flush()
        if self._count is None:
            with self._tx() as cur:
                cur.execute(self._sql("SELECT count(*) FROM {t}"))
                self._count = int(cur.fetchone()[0])
        return self._count

    def flush(self) -> None:
        """Send buffered deletes."""
        with self._lock:
            if not self._pending_deletes:
                return
            ids, self._pending_deletes = self._pending_deletes, []
            with self._tx() as cur:
                cur.execute(self._sql("DELETE FROM {t} WHERE doc_id = ANY(%s)"), (ids,))
            self._count = None

    # -- DenseStore: writes ----------------------------------------------------
    def set_rows(self, rows: np.ndarray, vecs: np.ndarray, *, replace: bool = False) -> None:
        """Upsert through a binary COPY into a staging table; unchanged hashes are skipped
        unless ``replace`` (same text, new vector: the index started centring)."""
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return
        vecs = np.asarray(vecs, dtype=np.float32)
        if vecs.shape != (len(rows), self.dim):
            raise ValueError(f"向量维度不符：期望 {self.dim}，得到 {vecs.shape}")
        self.flush()
        big = vecs.astype(">f4")
        header = self.dim.to_bytes(2, "big") + b"\0\0"
        with self._tx() as cur:
            if len(rows) >= self.bulk_rows:
                cur.execute(self._sql("SELECT count(*) FROM {t}"))
                if len(rows) >= int(cur.fetchone()[0]) // 2:
                    cur.execute(self._sql("DROP INDEX IF EXISTS {idx}"))  # rebuilt by optimize()
                    self._has_hnsw = False
            cur.execute(
                self._sql(
                    "CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {t}) ON COMMIT DELETE ROWS",
                )
            )
            copy = self._sql("COPY {stage} (doc_id, content_hash, embedding) FROM STDIN (FORMAT BINARY)")
            with cur.copy(copy) as cp:
                cp.set_types(["text", "bytea", "bytea"])  # the vector goes as raw vector_recv bytes
                for i, row in enumerate(rows.tolist()):
                    cp.write_row((self._ids[row], self._stored_hash(row), header + big[i].tobytes()))
            cur.execute(self._sql(_UPSERT_ANY if replace else _UPSERT_CHANGED))
        self._count = None

    def _stored_hash(self, row: int) -> bytes:
        """The row's text hash, folded with ``salt_of(row)`` when the index centres its vectors.

        Raw vectors keep the plain text hash, so tables written before centring existed stay
        valid for raw indexes.
        """
        text_hash = self._hashes[row]
        salt = self.salt_of(row)
        if not salt:
            return text_hash
        return hashlib.sha1(salt + text_hash, usedforsecurity=False).digest()

    def delete_rows(self, rows: np.ndarray) -> None:
        """Buffer deletes (one statement for a whole rebuild's removals)."""
        with self._lock:
            self._pending_deletes.extend(self._ids[int(r)] for r in np.asarray(rows).tolist())

    def reconcile(self, wanted: np.ndarray) -> np.ndarray:
        """Delete vectors of ids not wanted; return wanted rows whose vector is missing or stale."""
        self.flush()
        with self._tx() as cur:
            cur.execute(self._sql("SELECT doc_id, content_hash FROM {t}"))
            stored = cur.fetchall()
        seen = np.zeros(len(wanted), dtype=bool)
        extra: list[str] = []
        stale: list[int] = []
        for doc_id, stored_hash in stored:
            row = self._row_of.get(doc_id)
            if row is None or row >= len(wanted) or not wanted[row]:
                extra.append(doc_id)
                continue
            seen[row] = True
            if bytes(stored_hash) != self._stored_hash(row):
                stale.append(row)
        if extra:
            with self._tx() as cur:
                cur.execute(self._sql("DELETE FROM {t} WHERE doc_id = ANY(%s)"), (extra,))
            self._count = None
        missing = np.flatnonzero(wanted & ~seen)
        return np.union1d(np.asarray(stale, dtype=np.int64), missing).astype(np.int64)

    def needs_optimize(self, n_alive: int) -> bool:
        """True while the HNSW index is missing (after a bulk load) and building it is safe here."""
        if self.hnsw_crash:
            return False
        if self._has_hnsw is None:
            with self._tx() as cur:
                cur.execute("SELECT to_regclass(%s) IS NOT NULL", (self.hnsw_name,))
                self._has_hnsw = bool(cur.fetchone()[0])
        return not self._has_hnsw

    def optimize(self, alive: np.ndarray) -> None:
        """Build the HNSW index (readers keep searching meanwhile, exactly and slower)."""
        self.flush()
        with self._tx() as cur:
            self._create_hnsw(cur)
            cur.execute(self._sql("ANALYZE {t}"))

    # -- DenseStore: reads -----------------------------------------------------
    def get_rows(self, rows: np.ndarray) -> np.ndarray:
        """Vectors of rows (zeros for rows the table does not hold)."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros((len(rows), self.dim), dtype=np.float32)
        if not len(rows):
            return out
        self.flush()
        ids = [self._ids[r] for r in rows.tolist()]
        with self._tx() as cur:
            cur.execute(
                self._sql("SELECT doc_id, embedding FROM {t} WHERE doc_id = ANY(%s)"), (ids,), binary=True
            )
            got = cur.fetchall()
        if got:
            where = {doc_id: i for i, doc_id in enumerate(ids)}
            out[[where[d] for d, _ in got]] = _decode_many([bytes(b) for _, b in got], self.dim)
        return out

    def scores_for(self, q: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact inner products for rows (their vectors are read once)."""
        return np.asarray(self.get_rows(rows) @ np.asarray(q, dtype=np.float32), dtype=np.float32)

    def search_grouped(
        self, qmat: np.ndarray, codes: np.ndarray, allowed: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """See DenseStore: one search per group (each may use HNSW), merged."""
        return search_each_group(self, qmat, codes, allowed, k)

    def search(self, q: np.ndarray, allowed: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k allowed rows by inner product (HNSW over-fetch, exact when selective)."""
        allowed = np.asarray(allowed, dtype=bool)[: len(self._ids)]
        n_allowed = int(allowed.sum())
        if n_allowed == 0 or k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        total = self.count()
        if total == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        k = min(k, n_allowed)
        fetch = math.ceil(k * total / n_allowed * self.overfetch) + 10
        exact = (
            self.force_exact
            or n_allowed <= self.exact_below
            or n_allowed <= self.exact_factor * fetch
            or fetch > self.max_fetch
            or self.needs_optimize(0)  # no HNSW index (bulk load in progress): the scan is exact anyway
            or self.hnsw_crash is not None  # never built here: the server died building it
        )
        if not exact:
            # a second, larger round when the mask ate more candidates than expected
            for attempt in (fetch, min(self.max_fetch, 3 * fetch)):
                rows, scores, complete = self._hnsw(q, allowed, k, attempt)
                if len(rows) >= k or complete:
                    self.last_path = "hnsw" if attempt == fetch else "hnsw-retry"
                    return rows, scores
            self.last_path = "exact-fallback"
        else:
            self.last_path = "exact"
        return self._exact(q, allowed, k, n_allowed)

    def _hnsw(
        self, q: np.ndarray, allowed: np.ndarray, k: int, fetch: int
    ) -> tuple[np.ndarray, np.ndarray, bool]:
        lit = _vector_literal(q)
        with self._tx() as cur:
            self._set_local(cur, "hnsw.ef_search", max(self.min_ef_search, min(fetch, 1000)))
            self._set_local(cur, "hnsw.iterative_scan", "strict_order")
            self._set_local(cur, "hnsw.max_scan_tuples", max(20_000, 4 * fetch))
            cur.execute(
                self._sql("SELECT doc_id, embedding <#> %s::vector AS d FROM {t} ORDER BY d LIMIT %s"),
                (lit, fetch),
            )
            got = cur.fetchall()
        rows, scores = self._keep_allowed(got, allowed)
        complete = len(got) < fetch and len(got) >= self.count()  # the whole table came back
        return rows[:k], scores[:k], complete

    def _exact(
        self, q: np.ndarray, allowed: np.ndarray, k: int, n_allowed: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact distances for every allowed row.

        The id list is joined (``unnest``), never tested with ``= ANY($n)`` row by row (a
        parameter array is searched linearly per row: hours at 1M rows x 100k ids), and
        the distances are computed in a materialised CTE, so the planner cannot answer the
        ORDER BY from the HNSW index (approximate) but may still use the primary key; with
        merge and hash joins off it probes the key once per allowed id (11k of 100k rows:
        66 ms instead of 217 ms for a merge join reading the whole key on a busy box).
        """
        lit = _vector_literal(q)
        excluded = len(allowed) - n_allowed
        if n_allowed <= excluded:
            ids = [self._ids[r] for r in np.flatnonzero(allowed).tolist()]
            query = (
                "WITH c AS MATERIALIZED (SELECT t.doc_id, t.embedding <#> %s::vector AS d "
                "FROM unnest(%s::text[]) AS a(doc_id) JOIN {t} AS t ON t.doc_id = a.doc_id) "
                "SELECT doc_id, d FROM c ORDER BY d LIMIT %s"
            )
            limit = k
            joins = True
        else:
            ids = [self._ids[r] for r in np.flatnonzero(~allowed).tolist()]
            query = (
                "WITH c AS MATERIALIZED (SELECT t.doc_id, t.embedding <#> %s::vector AS d FROM {t} AS t "
                "WHERE NOT EXISTS (SELECT 1 FROM unnest(%s::text[]) AS e(doc_id) WHERE e.doc_id = t.doc_id)) "
                "SELECT doc_id, d FROM c ORDER BY d LIMIT %s"
            )
            limit = k + 100  # slack for ids another process added after our load
            joins = False
        with self._tx() as cur:
            if joins:  # one primary-key probe per allowed id, not a pass over the whole table
                self._set_local(cur, "enable_mergejoin", "off")
                self._set_local(cur, "enable_hashjoin", "off")
            cur.execute(self._sql(query), (lit, ids, limit))
            got = cur.fetchall()
        rows, scores = self._keep_allowed(got, allowed)
        return rows[:k], scores[:k]

    def _keep_allowed(
        self, got: list[tuple[str, float]], allowed: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Map ids to rows, keep the allowed ones, best first (ties: lower row first)."""
        rows: list[int] = []
        scores: list[float] = []
        n = len(allowed)
        for doc_id, dist in got:
            row = self._row_of.get(doc_id)
            if row is not None and row < n and allowed[row]:
                rows.append(row)
                scores.append(-float(dist))
        r = np.asarray(rows, dtype=np.int64)
        s = np.asarray(scores, dtype=np.float32)
        order = np.lexsort((r, -s))
        return r[order], s[order]
