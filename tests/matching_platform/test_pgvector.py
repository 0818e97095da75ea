"""Dense vectors in PostgreSQL + pgvector (HNSW): the store on its own, inside the engine's index, on the
platform's rebuild path, and the fallback to the in-memory store when the extension is unavailable.

Runs on PostgreSQL with the `vector` extension (`python tests/run_with_postgres.py pytest ...`); elsewhere the
PostgreSQL tests skip with a reason and the SQLite check at the end runs instead."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.db import connection

from kechuang.achievements.models import Achievement
from kechuang.core.access import ANONYMOUS
from kechuang.matching import selectors, services, vectorstore
from kechuang.matching.engine import ALL_AUDIENCES, FusionConfig, MatchIndex
from kechuang.matching.engine import pgvector as pgvector_module
from kechuang.matching.engine.pgvector import PgVectorStore, pgvector_available
from kechuang.matching.engine.vectors import VectorStore
from kechuang.matching.models import IndexBuild
from tests.matching.test_engine_index import DOCS, FakeBackend


@functools.cache
def _hnsw_builds_here() -> tuple[bool, str]:
    """Whether pgvector can build an HNSW index on this CPU, tried on a throwaway cluster.

    Why: on some machines the bundled pgvector binary dies with SIGILL (illegal instruction) while
    building HNSW; the crash resets the whole PostgreSQL cluster into recovery and every later test on
    it fails to connect. Found on stop 29's machine (the CI of stop 28 built HNSW fine)."""
    import tempfile

    import pgserver  # type: ignore[import-untyped]

    with tempfile.TemporaryDirectory(prefix="kechuang-hnsw-probe-") as tmp:
        server = pgserver.get_server(tmp, cleanup_mode="stop")
        try:
            server.psql(
                "CREATE EXTENSION IF NOT EXISTS vector; CREATE TABLE probe (v vector(3)); "
                "INSERT INTO probe SELECT ARRAY[random(), random(), random()]::vector "
                "FROM generate_series(1, 200); CREATE INDEX ON probe USING hnsw (v vector_cosine_ops);"
            )
        except Exception as exc:  # the backend crashed: psql exits non-zero
            return False, f"pgvector 在本机 CPU 上建立 HNSW 索引时崩溃（SIGILL）：{type(exc).__name__}"
        finally:
            with contextlib.suppress(Exception):  # a crashed probe cluster is killed by pgserver itself
                server.cleanup()
    return True, ""


@pytest.fixture
def dsn(django_db_setup: Any, django_db_blocker: Any) -> str:
    """libpq conninfo of the test database; skips unless pgvector can be enabled there."""
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL（python tests/run_with_postgres.py pytest …）")
    with django_db_blocker.unblock():
        conninfo = vectorstore.conninfo()
    ok, reason = pgvector_available(conninfo)
    if not ok:
        pytest.skip(f"PostgreSQL 上没有 pgvector 扩展：{reason}")
    ok, reason = _hnsw_builds_here()
    if not ok:
        pytest.skip(reason)
    return conninfo


@pytest.fixture
def stores(dsn: str) -> Iterator[Any]:
    """make(table, dim, **options) -> a store on its own table (emptied first unless ``fresh=False``);
    connections are closed and tables dropped afterwards."""
    made: list[PgVectorStore] = []

    def make(
        table: str, dim: int, model: str = "test-model", fresh: bool = True, **options: Any
    ) -> PgVectorStore:
        if fresh:
            _drop(dsn, table)
        store = PgVectorStore(dsn, dim=dim, model=model, table=table, **options)
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()
        _drop(dsn, store.table)


class SharedTable:
    """Store factory for indexes that share one table: emptied before the first store only."""

    def __init__(self, stores: Any, table: str) -> None:
        self.stores, self.table = stores, table
        self.made: list[PgVectorStore] = []

    def __call__(self, dim: int, model: str) -> PgVectorStore:
        self.made.append(self.stores(self.table, dim, model=model, fresh=not self.made))
        return self.made[-1]


def _drop(dsn: str, table: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("DROP TABLE IF EXISTS {}").format(psycopg.sql.Identifier(table)))


def _sql(dsn: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(query, params).fetchall()


def _exec(dsn: str, statement: str, *params: Any) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(statement, params)


def _bind(store: Any, n: int) -> tuple[list[str], list[bytes], dict[str, int]]:
    ids = [f"doc:{i}" for i in range(n)]
    hashes = [i.to_bytes(20, "big") for i in range(n)]
    row_of = {doc_id: i for i, doc_id in enumerate(ids)}
    store.bind(ids, hashes, row_of)
    return ids, hashes, row_of


def _unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    x = rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _numpy_top(mat: np.ndarray, q: np.ndarray, allowed: np.ndarray, k: int) -> np.ndarray:
    store = VectorStore(mat.shape[1])
    store.set_many(0, mat)
    return store.search(q, allowed, k)[0]


# -- the store on its own --
def test_store_search_update_remove(stores: Any, dsn: str) -> None:
    rng = np.random.default_rng(1)
    mat = _unit(rng, 3000, 32)
    store = stores("t_pgv_basic", 32, exact_below=0)
    _ids, hashes, _ = _bind(store, len(mat))
    store.set_rows(np.arange(len(mat)), mat)
    assert store.needs_optimize(len(mat))  # a bulk load drops the HNSW index ...
    store.optimize(np.ones(len(mat), bool))  # ... and optimize() builds it once
    assert not store.needs_optimize(len(mat)) and store.count() == len(mat)
    np.testing.assert_array_equal(store.get_rows(np.array([5, 0, 2999])), mat[[5, 0, 2999]])

    everything = np.ones(len(mat), bool)
    rows, scores = store.search(mat[7], everything, 10)
    assert store.last_path == "hnsw" and rows[0] == 7 and scores[0] == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(scores, mat[rows] @ mat[7], atol=1e-5)
    assert list(scores) == sorted(scores, reverse=True)

    # unchanged content hash: the row is not rewritten (same tuple version)
    before = _sql(dsn, "SELECT xmin::text FROM t_pgv_basic WHERE doc_id = 'doc:7'")
    store.set_rows(np.array([7]), mat[[7]] * 0.5)
    assert _sql(dsn, "SELECT xmin::text FROM t_pgv_basic WHERE doc_id = 'doc:7'") == before
    # changed text (new hash): the new vector replaces the old one
    new = _unit(rng, 1, 32)[0]
    hashes[7] = b"\xff" * 20
    store.set_rows(np.array([7]), new[None, :])
    assert store.search(new, everything, 1)[0][0] == 7
    assert store.search(mat[7], everything, 1)[0][0] != 7

    store.delete_rows(np.array([7, 8]))
    assert store.count() == len(mat) - 2
    everything[[7, 8]] = False
    assert not {7, 8} & set(store.search(new, everything, 50)[0].tolist())
    # rows the table lacks read as zeros; reconcile reports them and drops strangers
    assert not store.get_rows(np.array([7])).any()
    wanted = np.ones(len(mat), bool)
    wanted[100] = False
    np.testing.assert_array_equal(store.reconcile(wanted), [7, 8])
    assert store.count() == len(mat) - 3


def test_masks_are_honoured_without_losing_recall(stores: Any) -> None:
    rng = np.random.default_rng(2)
    mat = _unit(rng, 4000, 24)
    store = stores("t_pgv_masks", 24, exact_below=50, exact_factor=2.0)
    _bind(store, len(mat))
    store.set_rows(np.arange(len(mat)), mat)
    store.optimize(np.ones(len(mat), bool))
    q = mat[11]
    sims = mat @ q
    cases = {
        "hnsw": np.arange(len(mat)) % 10 != 0,  # 90% allowed: over-fetch from HNSW
        "exact": np.arange(len(mat)) % 400 == 3,  # 10 rows: exact over the allowed ids
        # the 25% least similar rows: HNSW's neighbours are all masked out, so the exact fallback answers
        "exact-fallback": sims <= np.quantile(sims, 0.25),
    }
    for path, allowed in cases.items():
        rows, _ = store.search(q, allowed, 20)
        assert store.last_path == path
        assert allowed[rows].all()
        np.testing.assert_array_equal(rows, _numpy_top(mat, q, allowed, 20))
    assert store.search(q, np.zeros(len(mat), bool), 10)[0].size == 0


def test_recall_against_exact_on_real_vectors(stores: Any) -> None:
    """The shipped e5 vectors of the 2,000 demo papers: 90% stored, 10% held out as queries."""
    from kechuang.demo import embeddings

    with np.load(embeddings.SHIPPED) as data:
        real = data["vecs"].astype(np.float32)
    corpus, queries = real[: len(real) * 9 // 10], real[len(real) * 9 // 10 :]
    store = stores("t_pgv_recall", real.shape[1], exact_below=0)
    _bind(store, len(corpus))
    store.set_rows(np.arange(len(corpus)), corpus)
    store.optimize(np.ones(len(corpus), bool))
    for allowed in (np.ones(len(corpus), bool), np.arange(len(corpus)) % 2 == 0):
        recalls = []
        for q in queries:
            got, _ = store.search(q, allowed, 10)
            assert store.last_path in {"hnsw", "hnsw-retry"}
            want = _numpy_top(corpus, q, allowed, 10)
            recalls.append(len(set(got.tolist()) & set(want.tolist())) / 10)
        assert float(np.mean(recalls)) >= 0.95


# -- inside the engine's index --
def _docs() -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "title": t,
            "text": x,
            "kind": "achievement",
            "metadata": {"industry": ind},
            "audience": [a],
        }
        for i, t, x, ind, a in DOCS
    ]


def test_index_on_pgvector_ranks_like_numpy(stores: Any, tmp_path: Path) -> None:
    factory = SharedTable(stores, "t_pgv_index")

    backend = FakeBackend()
    pg = MatchIndex(backend, cache_dir=tmp_path / "cache", vector_store=factory)
    mem = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache")
    assert pg.vectors.kind == "pgvector" and mem.vectors.kind == "memory"
    for index in (pg, mem):
        index.add_many(_docs())
        index.refresh()
    assert factory.made[0].count() == len(DOCS)
    for query, audience, filters in [
        ("锂电池防爆", {ALL_AUDIENCES}, None),
        ("再生骨料混凝土", {"public"}, None),
        ("电池", {"public", "staff"}, {"industry": "energy"}),
    ]:
        a = pg.search(query, audience=audience, filters=filters)
        b = mem.search(query, audience=audience, filters=filters)
        assert a.mode == b.mode == "hybrid"
        assert [h.id for h in a.hits] == [h.id for h in b.hits]
        np.testing.assert_allclose([h.score for h in a.hits], [h.score for h in b.hits], atol=1e-4)
    assert "d4" not in {h.id for h in pg.search("再生骨料混凝土", audience={"public"}).hits}

    # update and remove follow into the table; unchanged texts are not embedded again
    embedded = len(backend.embedded)
    pg.add("d3", "无人机植保喷洒系统。", title="植保无人机")
    pg.add("d2", DOCS[1][2], title=DOCS[1][1], metadata={"industry": "vehicle"})  # metadata only
    assert len(backend.embedded) == embedded + 1
    assert pg.search("植保无人机", method="dense").hits[0].id == "d3"
    pg.remove("d6")
    pg.refresh()
    assert factory.made[0].count() == len(DOCS) - 1

    # saved from pgvector: the vectors stay in the table; a memory load re-reads them from the cache
    pg.save(tmp_path / "idx")
    again = MatchIndex.load(tmp_path / "idx", backend, cache_dir=tmp_path / "cache", vector_store=factory)
    assert again.vectors.kind == "pgvector" and bool(again.has_vec[: len(again.ids)].all())
    assert again.search("植保无人机").hits[0].id == "d3"
    embedded = len(backend.embedded)
    in_memory = MatchIndex.load(tmp_path / "idx", backend, cache_dir=tmp_path / "cache")
    assert in_memory.vectors.kind == "memory" and len(backend.embedded) == embedded
    assert [h.id for h in in_memory.search("汽车悬架振动").hits] == [
        h.id for h in again.search("汽车悬架振动").hits
    ]


def test_centring_rewrites_the_vectors_stored_before_it(stores: Any, tmp_path: Path) -> None:
    """The table skips rows whose text is unchanged; once the corpus mean is known the rows
    stored raw before it must still be replaced by their centred vectors."""
    factory = SharedTable(stores, "t_pgv_centre")

    fusion = FusionConfig(center_min_docs=4)
    pg = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", vector_store=factory, fusion=fusion)
    mem = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", fusion=fusion)
    for index in (pg, mem):
        for doc_id, title, text, _, _ in DOCS:  # one at a time: the fourth crosses the threshold
            index.add(doc_id, text, title=title)
        index.refresh()
    assert pg.center is not None and mem.center is not None
    rows = np.arange(len(DOCS))
    np.testing.assert_allclose(pg.vectors.get_rows(rows), mem.vectors.get_rows(rows), atol=1e-5)
    a = pg.search("锂电池防爆", audience={ALL_AUDIENCES})
    b = mem.search("锂电池防爆", audience={ALL_AUDIENCES})
    assert [h.id for h in a.hits] == [h.id for h in b.hits]
    np.testing.assert_allclose([h.dense for h in a.hits], [h.dense for h in b.hits], atol=1e-4)


def test_index_rebuilt_from_scratch_replaces_vectors_centred_on_another_mean(
    stores: Any, tmp_path: Path
) -> None:
    """The table skips rows whose text is unchanged, but a vector also depends on the mean it
    was centred on: a new index over an existing table must write its own."""
    factory = SharedTable(stores, "t_pgv_rebuilt")

    fusion = FusionConfig(center_min_docs=4)
    docs = [{"id": i, "title": t, "text": x} for i, t, x, _, _ in DOCS]
    first = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", vector_store=factory, fusion=fusion)
    first.add_many(docs)  # mean of six
    second = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", vector_store=factory, fusion=fusion)
    second.add_many(docs[:4])  # same table, same texts, mean of four
    in_memory = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", fusion=fusion)
    in_memory.add_many(docs[:4])
    rows = np.arange(4)
    np.testing.assert_allclose(second.vectors.get_rows(rows), in_memory.vectors.get_rows(rows), atol=1e-5)


def test_reconcile_rewrites_rows_restored_from_before_a_rebuild_from_scratch(
    stores: Any, dsn: str, tmp_path: Path
) -> None:
    """A backup taken before a rebuild from scratch holds the same texts centred on the old mean: the
    writer's reconcile must see those rows as stale (their stored hash covers the mean) and re-write them."""
    factory = SharedTable(stores, "t_pgv_restored")

    fusion = FusionConfig(center_min_docs=4)
    docs = [{"id": i, "title": t, "text": x} for i, t, x, _, _ in DOCS]
    old = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", vector_store=factory, fusion=fusion)
    old.add_many(docs)  # centred on the mean of six
    _exec(dsn, "CREATE TABLE t_pgv_backup AS SELECT * FROM t_pgv_restored")
    try:
        new = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", vector_store=factory, fusion=fusion)
        new.add_many(docs[:4])  # rebuilt from scratch: the mean of four
        assert new.sync_vectors() == 0  # what it wrote itself is current
        _exec(dsn, "DELETE FROM t_pgv_restored")
        _exec(dsn, "INSERT INTO t_pgv_restored SELECT * FROM t_pgv_backup WHERE doc_id = ANY(%s)", new.ids)
        model_runs = new.backend.calls
        assert new.sync_vectors() == 4  # all four restored rows were centred on the old mean
        assert new.backend.calls == model_runs  # re-written from the embedding cache, no model run
    finally:
        _exec(dsn, "DROP TABLE IF EXISTS t_pgv_backup")
    in_memory = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", fusion=fusion)
    in_memory.add_many(docs[:4])
    rows = np.arange(4)
    np.testing.assert_allclose(new.vectors.get_rows(rows), in_memory.vectors.get_rows(rows), atol=1e-5)
    # raw vectors (an index too small to centre) keep the plain text hash in the table
    raw = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", vector_store=factory)
    raw.add_many(docs[:2])
    stored = dict(
        _sql(dsn, "SELECT doc_id, content_hash FROM t_pgv_restored WHERE doc_id = ANY(%s)", raw.ids)
    )
    assert {bytes(stored[d]) for d in raw.ids} == {raw.hashes[raw.row_of[d]] for d in raw.ids}


def test_a_kind_taking_its_own_mean_rewrites_only_its_rows_in_pgvector(
    stores: Any, dsn: str, tmp_path: Path
) -> None:
    """Each row's stored hash covers the mean it is centred on: when one kind gets its own mean,
    the writer re-writes that kind's rows (from the cache) and the other rows stay current."""
    factory = SharedTable(stores, "t_pgv_kinds")
    fusion = FusionConfig(center_min_docs=4, kind_center_min_docs=3)
    idx = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", vector_store=factory, fusion=fusion)
    profiles = [
        {"id": f"e{i}", "title": f"企业{i}", "text": f"主营产品{i}号。", "kind": "enterprise"}
        for i in range(4)
    ]
    papers = [{"id": i, "title": t, "text": x, "kind": "achievement"} for i, t, x, _, _ in DOCS[:3]]
    idx.add_many([{**p, "kind": "other"} for p in profiles[:1]] + papers[:2])
    idx.add_many(profiles[1:])
    assert set(idx.kind_centers) == {"enterprise"}  # 3 enterprises; 2 achievements, 1 other
    before = dict(_sql(dsn, "SELECT doc_id, content_hash FROM t_pgv_kinds"))
    model_runs = idx.backend.calls
    idx.add_many(papers[2:])
    assert set(idx.kind_centers) == {"enterprise", "achievement"}
    assert idx.backend.calls == model_runs + 1  # the third paper only; the two before came from the cache
    after = dict(_sql(dsn, "SELECT doc_id, content_hash FROM t_pgv_kinds"))
    assert {d for d in before if before[d] != after[d]} == {"d1", "d2"}
    assert idx.sync_vectors() == 0  # every stored row is centred on the mean its hash names
    memory = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", fusion=fusion)
    memory.add_many([{**p, "kind": "other"} for p in profiles[:1]] + papers[:2])
    memory.add_many(profiles[1:])
    memory.add_many(papers[2:])
    rows = np.arange(len(idx.ids))
    np.testing.assert_allclose(idx.vectors.get_rows(rows), memory.vectors.get_rows(rows), atol=1e-5)
    # a search over every kind compares each row with the query centred on its kind's mean: one
    # search per kind in pgvector, the same ranking as in memory
    for query in ("锂电池防爆", "主营产品"):
        pg_hits = idx.search(query, method="dense", audience={ALL_AUDIENCES}).hits
        mem_hits = memory.search(query, method="dense", audience={ALL_AUDIENCES}).hits
        assert [h.id for h in pg_hits] == [h.id for h in mem_hits]
        assert {h.id for h in pg_hits} >= {"e0", "e1", "d1"}  # the corpus mean's, and two kinds'


def test_index_in_pgvector_saved_before_centring_is_centred_by_the_writer_only(
    stores: Any, tmp_path: Path
) -> None:
    """Every process loads the same table: loading must not re-write it (a second reader would
    centre the already-centred rows again); the writer's next embedding centres it once."""
    factory = SharedTable(stores, "t_pgv_legacy")

    old = MatchIndex(
        FakeBackend(),
        cache_dir=tmp_path / "cache",
        vector_store=factory,
        fusion=FusionConfig(center_min_docs=10**9),
    )
    old.add_many({"id": i, "title": t, "text": x} for i, t, x, _, _ in DOCS)
    old.save(tmp_path / "idx")
    meta_path = tmp_path / "idx" / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    del meta["center"]  # saved by the previous version
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    rows = np.arange(len(DOCS))
    raw = old.vectors.get_rows(rows)

    fusion = FusionConfig(center_min_docs=4)
    readers = [
        MatchIndex.load(
            tmp_path / "idx", FakeBackend(), cache_dir=tmp_path / "cache", vector_store=factory, fusion=fusion
        )
        for _ in range(2)
    ]
    assert all(r.center is None for r in readers)
    np.testing.assert_allclose(readers[1].vectors.get_rows(rows), raw, atol=1e-6)  # the table is untouched

    writer = readers[0]
    writer.add("d7", "钙钛矿太阳能电池的稳定性研究。", title="钙钛矿电池")
    fresh = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", fusion=fusion)  # all seven at once
    fresh.add_many(
        [{"id": i, "title": t, "text": x} for i, t, x, _, _ in DOCS]
        + [{"id": "d7", "title": "钙钛矿电池", "text": "钙钛矿太阳能电池的稳定性研究。"}]
    )
    assert writer.center is not None and fresh.center is not None
    np.testing.assert_allclose(writer.center, fresh.center, atol=1e-6)
    all_rows = np.arange(len(DOCS) + 1)
    np.testing.assert_allclose(writer.vectors.get_rows(all_rows), fresh.vectors.get_rows(all_rows), atol=1e-5)


def test_unreachable_vector_database_degrades_to_lexical(stores: Any, tmp_path: Path) -> None:
    store = stores("t_pgv_down", FakeBackend.dim)
    index = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", vector_store=store)
    index.add_many(_docs())
    store.close()
    store.conninfo = "host=/nonexistent-socket-dir dbname=none user=none connect_timeout=1"
    result = index.search("锂电池防爆")
    assert result.mode == "lexical-fallback" and "语义检索不可用" in result.message
    assert result.hits and result.hits[0].id == "d1"


# -- the platform --
@pytest.fixture
def dense_platform(dsn: str, settings: Any) -> Iterator[FakeBackend]:
    """Platform settings with a small dense backend and the vector store on `auto`."""
    backend = FakeBackend()
    settings.KECHUANG_MATCHING_BACKEND = backend
    settings.KECHUANG_VECTOR_STORE = "auto"
    vectorstore.forget_probe()
    _drop(dsn, vectorstore.TABLE)
    yield backend
    services._loaded.update(index=None, stamp=None)
    vectorstore.close_all()
    vectorstore.forget_probe()
    _drop(dsn, vectorstore.TABLE)


def test_platform_rebuild_keeps_vectors_in_pgvector(
    world: Any, dense_platform: FakeBackend, dsn: str
) -> None:
    Achievement.objects.create(
        title="高耐磨运动鞋底橡胶配方", abstract="纳米白炭黑改性提高鞋底耐磨性。", is_public=True
    )
    Achievement.objects.create(
        title="陶瓷辊道窑余热回收", abstract="窑炉烟气余热回收用于干燥。", is_public=True
    )
    build = services.rebuild_index()
    assert build.status == IndexBuild.Status.DONE and build.mode == "hybrid" and not build.message
    index = services.current_index()
    assert index is not None and index.vectors.kind == "pgvector"
    stored = {doc_id for (doc_id,) in _sql(dsn, f"SELECT doc_id FROM {vectorstore.TABLE}")}  # noqa: S608
    assert stored == {index.ids[r] for r in range(len(index.ids)) if index.alive[r]}
    _result, hits = selectors.search(principal=ANONYMOUS, query="鞋底 耐磨")
    assert hits and hits[0].title == "高耐磨运动鞋底橡胶配方"
    assert world.own_demand.title not in {h.title for h in hits}  # audience still applies

    # an unchanged rebuild writes nothing; a deletion removes the vector
    versions = _sql(dsn, f"SELECT doc_id, xmin::text FROM {vectorstore.TABLE} ORDER BY 1")  # noqa: S608
    embedded = len(dense_platform.embedded)
    again = services.rebuild_index()
    assert again.changed == 0 and len(dense_platform.embedded) == embedded
    assert _sql(dsn, f"SELECT doc_id, xmin::text FROM {vectorstore.TABLE} ORDER BY 1") == versions  # noqa: S608
    gone = Achievement.objects.get(title="陶瓷辊道窑余热回收")
    gone_id = f"achievement:{gone.pk}"
    gone.delete()
    assert services.rebuild_index().removed == 1
    assert not _sql(dsn, f"SELECT 1 FROM {vectorstore.TABLE} WHERE doc_id = %s", gone_id)  # noqa: S608

    # a table emptied behind our back (restored database) is refilled from the embedding cache
    _sql(dsn, f"DELETE FROM {vectorstore.TABLE} RETURNING 1")  # noqa: S608
    services.rebuild_index()
    assert len(_sql(dsn, f"SELECT 1 FROM {vectorstore.TABLE}")) == len(services.current_index() or [])  # noqa: S608
    assert len(dense_platform.embedded) == embedded


def test_missing_extension_falls_back_to_memory(
    world: Any, dense_platform: FakeBackend, monkeypatch: Any, settings: Any, caplog: Any
) -> None:
    monkeypatch.setattr(pgvector_module, "EXTENSION", "vector_missing_for_test")
    vectorstore.forget_probe()
    with caplog.at_level(logging.WARNING, logger="kechuang.matching.vectorstore"):
        assert vectorstore.store_factory() is None
    assert "pgvector 不可用" in caplog.text and "dense vectors stay in memory" in caplog.text
    Achievement.objects.create(
        title="高耐磨运动鞋底橡胶配方", abstract="纳米白炭黑改性提高鞋底耐磨性。", is_public=True
    )
    build = services.rebuild_index()
    assert build.status == IndexBuild.Status.DONE and build.mode == "hybrid" and not build.message
    index = services.current_index()
    assert index is not None and index.vectors.kind == "memory"
    # asked for explicitly, the build says why it is not used
    settings.KECHUANG_VECTOR_STORE = "pgvector"
    assert "无法启用 pgvector" in services.rebuild_index().message
    settings.KECHUANG_VECTOR_STORE = "memory"
    assert vectorstore.status() == ("memory", "")


def test_a_server_crash_while_building_hnsw_is_remembered_and_never_repeated(
    django_db_setup: Any, django_db_blocker: Any, monkeypatch: Any, settings: Any
) -> None:
    """The SIGILL case without SIGILL: the CREATE INDEX ends its own server process (pg_terminate_backend),
    which the client sees exactly as a crash. Runs where HNSW itself would crash, too."""
    from kechuang.matching.engine.vectors import VectorStoreError

    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL（python tests/run_with_postgres.py pytest …）")
    with django_db_blocker.unblock():
        dsn = vectorstore.conninfo()
    if not pgvector_available(dsn)[0]:
        pytest.skip("PostgreSQL 上没有 pgvector 扩展")
    _drop(dsn, "t_pgv_crash")
    store = PgVectorStore(dsn, dim=8, model="test-model", table="t_pgv_crash", exact_below=0)
    real_sql = store._sql

    def dying(template: str, **literals: object) -> Any:
        if template.startswith("CREATE INDEX"):
            return real_sql("SELECT pg_terminate_backend(pg_backend_pid()), pg_sleep(5)")
        return real_sql(template, **literals)

    monkeypatch.setattr(store, "_sql", dying)
    monkeypatch.setattr(vectorstore, "_stores", vectorstore.weakref.WeakSet([store]))
    vectorstore.forget_probe()
    try:
        mat = _unit(np.random.default_rng(3), 20, 8)
        _bind(store, len(mat))
        with pytest.raises(VectorStoreError, match="HNSW"):
            store.set_rows(np.arange(len(mat)), mat)
        assert store.hnsw_crash
        store.set_rows(np.arange(len(mat)), mat)  # the table is there; HNSW is not tried again
        assert not store.needs_optimize(len(mat))
        found, _scores = store.search(mat[4], np.ones(len(mat), bool), 3)
        assert found[0] == 4 and store.last_path.startswith("exact")
        # the platform remembers it: no process chooses pgvector again until the file is removed
        assert "HNSW" in vectorstore.remember_hnsw_crashes()
        record = json.loads(vectorstore.hnsw_crash_file().read_text(encoding="utf-8"))
        assert record["table"] == "t_pgv_crash" and "SIGILL" in record["reason"]
        with django_db_blocker.unblock():
            settings.KECHUANG_VECTOR_STORE = "auto"
            assert vectorstore.status() == ("memory", "")
            settings.KECHUANG_VECTOR_STORE = "pgvector"
            assert "崩溃" in vectorstore.status()[1]
            vectorstore.hnsw_crash_file().unlink()
            assert vectorstore.status() == ("pgvector", "")
    finally:
        store.close()
        _drop(dsn, "t_pgv_crash")
        vectorstore.forget_probe()


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="SQLite 上的行为（PostgreSQL 上由上面的测试覆盖）"
)
@pytest.mark.django_db
def test_sqlite_keeps_vectors_in_memory(settings: Any) -> None:
    settings.KECHUANG_VECTOR_STORE = "auto"
    assert vectorstore.store_factory() is None and vectorstore.status() == ("memory", "")
    settings.KECHUANG_VECTOR_STORE = "pgvector"
    kind, note = vectorstore.status()
    assert kind == "memory" and "不是 PostgreSQL" in note
