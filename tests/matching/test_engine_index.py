"""MatchIndex behaviour with a fast fake embedder (no real model needed)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from kechuang.matching.engine import (
    ALL_AUDIENCES,
    BackendError,
    FusionConfig,
    MatchIndex,
    evaluate,
    format_report,
    normalize,
    rank_entities,
)
from kechuang.matching.engine.index import chance_standout


class FakeBackend:
    """Character-bigram hashing embedder: similar texts -> similar vectors."""

    name = "fake-test"
    dim = 512

    def __init__(self) -> None:
        self.calls = 0
        self.embedded: list[str] = []

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, np.float32)
        t = normalize(text)
        for i in range(max(1, len(t) - 1)):
            h = int(hashlib.md5(t[i : i + 2].encode(), usedforsecurity=False).hexdigest(), 16)
            v[h % self.dim] += 1.0
        v[0] += 0.05  # never a zero vector
        return v / np.linalg.norm(v)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return np.stack([self._vec(t) for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.embedded.extend(texts)
        return np.stack([self._vec(t) for t in texts])


class BrokenBackend(FakeBackend):
    """Fails on every call, like a dead embedding server."""

    name = "broken-test"

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        raise BackendError("向量服务不可用（测试）")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        raise BackendError("向量服务不可用（测试）")


DOCS = [
    ("d1", "锂离子电池热管理", "研究大容量锂离子电池放电过程的热分析与防爆设计。", "energy", "public"),
    ("d2", "汽车悬架非线性振动", "采用改进模型分析汽车悬架主共振，仿真表明减振效果明显。", "auto", "public"),
    ("d3", "果实采摘机器人", "基于视觉识别的西瓜采摘机器人机械手设计。", "agri", "public"),
    ("d4", "混凝土再生骨料", "建筑垃圾制备再生骨料混凝土的强度试验。", "build", "staff"),
    (
        "d5",
        "Deep learning for battery health",
        "We estimate lithium battery state of health with neural networks.",
        "energy",
        "public",
    ),
    ("d6", "中药治疗慢性胃炎", "临床观察中药方剂治疗慢性胃炎的疗效。", "med", "public"),
]


def make_index(tmp_path: Path, backend: FakeBackend | None = None) -> MatchIndex:
    idx = MatchIndex(backend or FakeBackend(), cache_dir=tmp_path / "cache")
    idx.add_many(
        {
            "id": i,
            "title": t,
            "text": x,
            "kind": "achievement",
            "metadata": {"industry": ind},
            "audience": [aud],
        }
        for i, t, x, ind, aud in DOCS
    )
    return idx


def test_hybrid_search_finds_topic(tmp_path: Path) -> None:
    idx = make_index(tmp_path)
    res = idx.search("锂电池防爆", audience={ALL_AUDIENCES})
    assert res.mode == "hybrid"
    assert res.hits[0].id == "d1"
    assert 0.0 <= res.confidence <= 1.0 and res.label in {"高", "中", "低"}
    assert res.hits[0].metadata["kind"] == "achievement"
    for method in ("lexical", "dense"):
        assert idx.search("锂电池防爆", method=method).hits


def test_filters_apply_before_top_k(tmp_path: Path) -> None:
    idx = make_index(tmp_path)
    # only the medical doc is allowed: it must come back even though it ranks low
    res = idx.search("锂离子电池", k=1, filters={"industry": ["med"]})
    assert [h.id for h in res.hits] == ["d6"]
    assert idx.search("电池", filters={"industry": "nope"}).hits == []
    assert idx.search("电池", filters={"industry": "nope"}).message


def test_audience_is_enforced_inside_search(tmp_path: Path) -> None:
    idx = make_index(tmp_path)
    public = idx.search("再生骨料混凝土", k=10)
    assert "d4" not in [h.id for h in public.hits]
    staff = idx.search("再生骨料混凝土", k=10, audience={"staff"})
    assert [h.id for h in staff.hits] == ["d4"]
    both = idx.search("再生骨料混凝土", k=10, audience={"staff", "public"})
    assert both.hits[0].id == "d4"


def test_incremental_update_remove_and_no_reembedding(tmp_path: Path) -> None:
    be = FakeBackend()
    idx = make_index(tmp_path, be)
    assert len(be.embedded) == len(DOCS)
    # unchanged text, changed metadata -> no embedding, filter follows metadata
    assert (
        idx.add(
            "d3",
            "基于视觉识别的西瓜采摘机器人机械手设计。",
            title="果实采摘机器人",
            metadata={"industry": "robot"},
        )
        is False
    )
    assert len(be.embedded) == len(DOCS)
    assert idx.search("采摘机器人", filters={"industry": "robot"}).hits[0].id == "d3"
    # changed text -> one embedding, new content searchable
    assert idx.add("d3", "无人机植保喷洒系统。", title="植保无人机") is True
    assert len(be.embedded) == len(DOCS) + 1
    assert idx.search("植保无人机").hits[0].id == "d3"
    assert idx.remove("d3") and not idx.remove("d3")
    assert "d3" not in [h.id for h in idx.search("植保无人机", k=10).hits]
    assert "d3" not in idx and len(idx) == len(DOCS) - 1
    # a second index over the same cache embeds nothing
    be2 = FakeBackend()
    make_index(tmp_path, be2)
    assert be2.embedded == []


def test_save_load_roundtrip(tmp_path: Path) -> None:
    idx = make_index(tmp_path)
    idx.remove("d6")
    before = idx.search("汽车悬架振动", audience={ALL_AUDIENCES})
    idx.save(tmp_path / "idx")
    be = FakeBackend()
    loaded = MatchIndex.load(tmp_path / "idx", be)
    assert be.embedded == []  # vectors came from disk
    after = loaded.search("汽车悬架振动", audience={ALL_AUDIENCES})
    assert [h.id for h in after.hits] == [h.id for h in before.hits]
    assert "d6" not in loaded
    assert "d4" not in [h.id for h in loaded.search("再生骨料").hits]  # audience survives
    assert loaded.search("再生骨料", audience={"staff"}).hits[0].id == "d4"
    assert loaded.get("d2")["metadata"]["industry"] == "auto"


def test_progress_callback(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    idx = MatchIndex(FakeBackend(), cache_dir=None)
    idx.add_many(
        [{"id": str(i), "text": f"文本{i} 电池 材料"} for i in range(40)],
        progress=lambda s, d, t: seen.append((s, d, t)),
    )
    idx.refresh(progress=lambda s, d, t: seen.append((s, d, t)))
    stages = {s for s, _, _ in seen}
    assert {"embed", "tokenize", "index"} <= stages
    assert seen[-1][1] == seen[-1][2]


def test_explanation_spans_and_passages(tmp_path: Path) -> None:
    idx = make_index(tmp_path)
    q = "汽车悬架的共振仿真"
    res = idx.search(q, explain=True)
    ex = res.hits[0].explanation
    assert ex is not None and res.hits[0].id == "d2"
    assert "悬架" in ex.matched_terms or "汽车悬架" in ex.matched_terms
    doc = idx.get("d2")
    full = f"{doc['title']}。{doc['text']}"
    assert all(full[s:e] for s, e in ex.doc_spans)
    assert any("悬架" in full[s:e] for s, e in ex.doc_spans)
    assert any("悬架" in q[s:e] for s, e in ex.query_spans)
    assert ex.passages and "悬架" in ex.passages[0].text
    assert 0 < ex.coverage <= 1


def test_confidence_separates_fit_from_nothing(tmp_path: Path) -> None:
    idx = make_index(tmp_path)
    good = idx.search("锂离子电池放电热分析", method="lexical")
    bad = idx.search("量子通信卫星载荷", method="lexical")
    assert good.confidence > bad.confidence
    assert bad.nothing_fits and bad.label == "低" and bad.message


def test_chance_standout_grows_with_the_number_of_candidates() -> None:
    # expected mean of the best 5 of n standard normals (Blom); known values of the order statistics
    assert chance_standout(60) == pytest.approx(1.786, abs=0.01)
    assert chance_standout(2000) == pytest.approx(3.064, abs=0.01)
    assert chance_standout(1, 1) == pytest.approx(0.0, abs=1e-9)
    assert chance_standout(0) == 0.0
    sizes = [3, 10, 60, 500, 2000, 100_000]
    values = [chance_standout(n) for n in sizes]
    assert values == sorted(values) and len(set(values)) == len(values)


def test_confidence_allows_for_how_many_candidates_were_ranked(tmp_path: Path) -> None:
    """A standout among 60 demands is rarer than the same standout among 2,000 papers."""
    idx = make_index(tmp_path)
    res = idx.search("锂离子电池放电热分析")  # hybrid: the dense side ranks every visible document
    assert res.signals["dense_candidates"] == 5  # d4 is for staff only
    f = idx.fusion
    evidence = {"dense_standout": 2.5, "coverage": 0.5}
    at_reference = idx._confidence({**evidence, "dense_candidates": f.conf_reference_docs}, "hybrid")
    assert at_reference == pytest.approx(idx._confidence(evidence, "hybrid"))  # the calibration is kept
    among_60 = idx._confidence({**evidence, "dense_candidates": 60}, "hybrid")
    among_100k = idx._confidence({**evidence, "dense_candidates": 100_000}, "hybrid")
    assert among_100k < at_reference < among_60
    shift = chance_standout(f.conf_reference_docs) - chance_standout(60)
    centre = f.conf_centre_raw  # six documents: too few to centre the vectors
    assert among_60 == pytest.approx(1 / (1 + np.exp(-f.conf_slope * (3.0 - centre + shift))))


def test_coherent_best_hits_raise_confidence(tmp_path: Path) -> None:
    """Best hits about one topic say more than best hits that each match a different part of the query."""
    fusion = FusionConfig(coherence_k=3, coherence_min_candidates=8)
    idx = MatchIndex(FakeBackend(), cache_dir=tmp_path / "c", fusion=fusion)
    battery = [f"锂离子电池热管理与散热设计方案{i}" for i in range(5)]
    others = ["果树嫁接育苗技术", "混凝土裂缝修补工艺", "中药方剂治疗胃炎", "尾气净化", "古籍数字化修复"]
    idx.add_many(
        {"id": f"d{i}", "text": t, "metadata": {"industry": "energy" if i < 5 else "other"}}
        for i, t in enumerate(battery + others)
    )
    focused = idx.search("锂离子电池热管理散热")
    scattered = idx.search("果树嫁接、混凝土裂缝与古籍修复")
    assert focused.signals["dense_candidates"] == 10
    assert focused.signals["coherence"] > scattered.signals["coherence"]
    # a filter leaves 5 candidates: their best 3 are most of them, so coherence is not counted
    narrow = idx.search("锂离子电池热管理散热", filters={"industry": "energy"})
    assert narrow.signals["dense_candidates"] == 5 and "coherence" not in narrow.signals
    # the confidence counts it with its weight, the centre moved by the typical coherence
    base = {"dense_standout": 3.0, "coverage": 0.5, "dense_candidates": fusion.conf_reference_docs}
    with_coherence = idx._confidence({**base, "coherence": 2.0}, "hybrid")
    assert with_coherence == pytest.approx(idx._confidence(base, "hybrid"))  # 0.5 × 2.0 = the shift
    assert idx._confidence({**base, "coherence": 3.0}, "hybrid") > with_coherence
    assert idx._confidence({**base, "coherence": 0.5}, "hybrid") < with_coherence


def test_broken_backend_falls_back_to_lexical(tmp_path: Path) -> None:
    idx = make_index(tmp_path, BrokenBackend())
    res = idx.search("锂离子电池")
    assert res.mode == "lexical-fallback"
    assert "关键词" in res.message
    assert res.hits[0].id == "d1"


def test_lexical_only_backend(tmp_path: Path) -> None:
    idx = MatchIndex("lexical")
    idx.add("a", "锂离子电池防爆")
    res = idx.search("锂电池")
    assert res.mode == "lexical" and res.hits[0].id == "a" and not res.message.startswith("语义")


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "电",
        "a",
        "😀🎉🚀",
        "x" * 100_000,
        "电池" * 50_000,
        "Lithium battery thermal runaway",
        "'; DROP TABLE docs; --",
        "<script>alert('x')</script><b>电池</b>",
        "SELECT * FROM achievements WHERE 1=1",
    ],
)
def test_bad_queries_do_not_crash(tmp_path: Path, query: str) -> None:
    idx = make_index(tmp_path)
    res = idx.search(query, explain=True)
    assert 0.0 <= res.confidence <= 1.0
    if not query.strip() or query.startswith("😀"):
        assert res.hits == [] and res.nothing_fits and res.message
    if len(query) > 5000:
        assert "过长" in res.message


def test_bad_documents_do_not_crash(tmp_path: Path) -> None:
    idx = MatchIndex(FakeBackend(), cache_dir=tmp_path / "c")
    idx.add_many(
        [
            {"id": "empty", "text": ""},
            {"id": "emoji", "text": "😀😀😀"},
            {"id": "one", "text": "电"},
            {"id": "huge", "text": "再生骨料" * 25_000},
            {"id": "sql", "text": "'; DROP TABLE x; -- 电池"},
            {"id": "html", "text": "<div onclick='x()'>锂电池</div>"},
            {"id": "en", "text": "Battery thermal management with phase change materials"},
        ]
    )
    assert idx.search("再生骨料").hits[0].id == "huge"
    assert idx.search("battery thermal").hits[0].id == "en"
    assert {h.id for h in idx.search("锂电池", k=3).hits} >= {"html"}
    assert idx.explain("电池", "emoji").matched_terms == []


def test_ivf_path_matches_exact(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    idx = MatchIndex(FakeBackend(), ivf_min_docs=500)
    docs = [
        {"id": f"n{i}", "text": f"样本{i} " + "".join(rng.choice(list("电池材料机器人混凝土中药"), 8))}
        for i in range(1500)
    ]
    idx.add_many(docs)
    exact = [idx.search(d["text"], method="dense").hits[0].id for d in docs[:20]]
    idx.refresh()
    assert idx.vectors.has_ivf
    approx = [idx.search(d["text"], method="dense").hits[0].id for d in docs[:20]]
    assert sum(a == b for a, b in zip(exact, approx, strict=True)) >= 18
    idx.add("late", "全新的石墨烯散热膜")  # lands in the exactly scanned tail
    assert idx.search("石墨烯散热膜").hits[0].id == "late"


def test_rank_entities_mixed_languages(tmp_path: Path) -> None:
    experts = {
        "zhang": ["锂离子电池热失控机理研究", "动力电池防爆结构设计", "电池管理系统"],
        "li": ["汽车悬架动力学仿真", "空气弹簧刚度分析"],
        "smith": ["Thermal runaway of lithium-ion batteries", "Battery pack safety design"],
        "nobody": [],
    }
    ranked = rank_entities("锂电池 防爆 battery safety", experts, backend=FakeBackend(), cache_dir=tmp_path)
    assert ranked[0][0] in {"zhang", "smith"}
    assert ranked[0][1] == 1.0
    assert dict(ranked)["nobody"] == 0.0
    assert {e for e, _ in ranked} == set(experts)
    assert rank_entities("", experts, backend=FakeBackend())[0][1] == 0.0
    assert rank_entities("电池", {}, backend=FakeBackend()) == []


def test_evaluate_and_report(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps({"id": i, "title": t, "abstract": x, "discipline": "ignored"}, ensure_ascii=False)
            for i, t, x, _, _ in DOCS
        ),
        encoding="utf-8",
    )
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        "\n".join(
            json.dumps(q, ensure_ascii=False)
            for q in [
                {"qid": "q1", "text": "锂电池 防爆"},
                {"qid": "q2", "text": "悬架 共振"},
                {"qid": "q3", "text": "量子卫星"},
            ]
        ),
        encoding="utf-8",
    )
    qrels = tmp_path / "r.txt"
    qrels.write_text("q1 0 d1 2\nq1 0 d5 1\nq2 0 d2 2\nq3 0 d1 0\n", encoding="utf-8")
    res = evaluate(corpus, queries, qrels, cache_dir=tmp_path / "cache", backend=FakeBackend())
    assert res["queries"] == 3 and res["queries_with_relevant"] == 2
    for m in ("lexical", "dense", "hybrid"):
        row = res[m]
        assert {"ndcg@10", "mrr@10", "recall@50", "p50_ms", "p95_ms", "confidence_auc"} <= row.keys()
    assert res["hybrid"]["ndcg@10"] > 0.5
    for m in ("lexical", "dense", "hybrid"):
        lo, hi = res[m]["ci95"]["ndcg@10"]
        assert lo <= res[m]["ndcg@10"] <= hi
        assert set(res[m]["ci95"]) == {"ndcg@10", "confidence_auc"}
    assert set(res["hybrid_minus"]) == {"lexical", "dense"}
    table = format_report(res)
    assert "hybrid" in table and "ndcg@10" in table and "95% 区间" in table
    # a second pair with a clashing qid: pooled, the sets' judgments do not mix
    queries2 = tmp_path / "q2.jsonl"
    queries2.write_text(json.dumps({"qid": "q1", "text": "悬架 共振"}, ensure_ascii=False) + "\n", "utf-8")
    qrels2 = tmp_path / "r2.txt"
    qrels2.write_text("q1 0 d2 2\n", encoding="utf-8")
    pooled = evaluate(
        corpus, [queries, queries2], [qrels, qrels2], cache_dir=tmp_path / "cache", backend=FakeBackend()
    )
    assert pooled["queries"] == 4 and pooled["queries_with_relevant"] == 3
    assert pooled["hybrid"]["mrr@10"] == pytest.approx(
        (res["hybrid"]["mrr@10"] * 2 + 1.0) / 3, abs=1e-3
    )  # the second set's q1 (suspension) finds d2 first, like the first set's q2
    with pytest.raises(ValueError, match="成对"):
        evaluate(corpus, [queries, queries2], [qrels], cache_dir=tmp_path / "cache", backend=FakeBackend())


def test_small_changes_are_scored_without_rebuild(tmp_path: Path) -> None:
    idx = make_index(tmp_path)
    idx.search("电池")  # first search builds BM25
    built = idx.lexical._built_rows
    idx.add("d7", "钙钛矿太阳能电池的稳定性研究。", title="钙钛矿电池")
    res = idx.search("钙钛矿太阳能电池", method="lexical")
    assert idx.lexical._built_rows == built  # scored from the delta, no rebuild
    assert res.hits[0].id == "d7"
    idx.refresh()  # folds the delta into a rebuilt index
    assert idx.lexical._built_rows == built + 1
    assert idx.search("钙钛矿太阳能电池", method="lexical").hits[0].id == "d7"
    # an updated row must not keep its old postings
    idx.add("d1", "全新内容：水稻育种。", title="水稻")
    assert "d1" not in [h.id for h in idx.search("锂离子电池防爆", method="lexical").hits]


def test_loaded_index_does_not_retokenise(tmp_path: Path) -> None:
    idx = make_index(tmp_path)
    idx.refresh()
    idx.save(tmp_path / "idx")
    loaded = MatchIndex.load(tmp_path / "idx", FakeBackend())
    assert all(t is not None for t in loaded.tokens)
    assert loaded.search("汽车悬架", method="lexical").hits[0].id == "d2"


def test_feedback_weight_follows_top1_gap(tmp_path: Path) -> None:
    idx = make_index(tmp_path)
    idx.search("电池")  # builds BM25 and the dense sample
    n = len(idx.ids)
    pool = np.arange(n)
    sample = idx._dense_stats()
    fused = np.zeros(n)
    fused[0] = 1.0  # gap 1 < gap_low: only the fixed neighbour weight applies
    cfg = idx.fusion
    close = idx._feedback(fused.copy(), pool, sample, n) - fused
    fused[0] = 10.0  # gap ≥ gap_high: full neighbour weight plus lexical expansion
    far = idx._feedback(fused.copy(), pool, sample, n) - fused
    anchor = idx.vectors.view()[0]
    nb = idx.vectors.scores_for(anchor, pool)
    mu, sd = float((sample @ anchor).mean()), float((sample @ anchor).std())
    np.testing.assert_allclose(close, cfg.w_neighbour * (nb - mu) / sd, rtol=1e-5)
    assert not np.allclose(far, cfg.w_neighbour_max * (nb - mu) / sd)  # expansion added
    assert len(idx._expansion_terms(0)) <= cfg.expand_terms
    # a delta row (added after the BM25 build) is scored by the expansion too
    idx.add("d7", "锂离子电池热失控与防爆研究。", title="锂离子电池防爆")
    res = idx.search("锂离子电池 热管理 防爆 放电 热分析", audience={ALL_AUDIENCES})
    assert res.hits[0].id in {"d1", "d7"}


def _unit_rows(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def test_vectors_are_centred_on_the_corpus_mean(tmp_path: Path) -> None:
    fusion = FusionConfig(center_min_docs=4)
    backend = FakeBackend()
    idx = MatchIndex(backend, cache_dir=tmp_path / "cache", fusion=fusion)
    raw = {i: FakeBackend()._vec(f"{t}。{x}") for i, t, x, _, _ in DOCS}
    for i, t, x, _, _ in DOCS[:3]:
        idx.add(i, x, title=t)
    assert idx.center is None  # three texts have no stable mean: vectors stay raw
    np.testing.assert_allclose(
        idx.vectors.get_rows(np.arange(3)), [raw["d1"], raw["d2"], raw["d3"]], atol=1e-6
    )

    i, t, x, _, _ = DOCS[3]
    idx.add(i, x, title=t)  # the fourth vector gives the mean; the three before are re-written
    mean = np.mean([raw[d] for d in ("d1", "d2", "d3", "d4")], axis=0)
    assert idx.center is not None
    np.testing.assert_allclose(idx.center, mean, atol=1e-6)
    centred = {d: _unit_rows(v - mean) for d, v in raw.items()}
    np.testing.assert_allclose(
        idx.vectors.get_rows(np.arange(4)), [centred[d] for d in ("d1", "d2", "d3", "d4")], atol=1e-5
    )
    for i, t, x, _, _ in DOCS[4:]:
        idx.add(i, x, title=t)
    np.testing.assert_allclose(idx.center, mean, atol=1e-6)  # fixed once estimated
    np.testing.assert_allclose(idx.vectors.get_rows(np.arange(6)), [centred[d] for d, *_ in DOCS], atol=1e-5)

    # the query is centred on the same mean: a hit's dense score is the centred cosine
    res = idx.search("锂电池防爆", method="dense", audience={ALL_AUDIENCES})
    q = _unit_rows(FakeBackend()._vec("锂电池防爆") - mean)
    for hit in res.hits:
        assert hit.dense == pytest.approx(float(q @ centred[hit.id]), abs=1e-5)

    # saved and loaded: same centre, same answers, nothing embedded again
    idx.save(tmp_path / "idx")
    embedded = len(backend.embedded)
    loaded = MatchIndex.load(tmp_path / "idx", backend, cache_dir=tmp_path / "cache", fusion=fusion)
    assert len(backend.embedded) == embedded
    assert loaded.center is not None
    np.testing.assert_allclose(loaded.center, mean, atol=1e-6)
    for query in ("锂电池防爆", "汽车悬架", "battery health"):
        a, b = idx.search(query, audience={ALL_AUDIENCES}), loaded.search(query, audience={ALL_AUDIENCES})
        assert [h.id for h in a.hits] == [h.id for h in b.hits]
        np.testing.assert_allclose([h.score for h in a.hits], [h.score for h in b.hits], atol=1e-5)


def test_index_saved_before_centring_is_centred_on_load(tmp_path: Path) -> None:
    never = FusionConfig(center_min_docs=10**9)
    old = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", fusion=never)
    old.add_many({"id": i, "title": t, "text": x} for i, t, x, _, _ in DOCS)
    old.save(tmp_path / "idx")
    meta_path = tmp_path / "idx" / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    del meta["center"]  # what an index saved by the previous version looks like
    meta_path.write_text(json.dumps(meta), encoding="utf-8")

    fusion = FusionConfig(center_min_docs=4)
    loaded = MatchIndex.load(tmp_path / "idx", FakeBackend(), cache_dir=tmp_path / "cache", fusion=fusion)
    fresh = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", fusion=fusion)
    fresh.add_many({"id": i, "title": t, "text": x} for i, t, x, _, _ in DOCS)
    assert loaded.center is not None and fresh.center is not None
    np.testing.assert_allclose(loaded.center, fresh.center, atol=1e-6)
    a = loaded.search("锂电池防爆", audience={ALL_AUDIENCES})
    b = fresh.search("锂电池防爆", audience={ALL_AUDIENCES})
    assert [h.id for h in a.hits] == [h.id for h in b.hits]
    np.testing.assert_allclose([h.dense for h in a.hits], [h.dense for h in b.hits], atol=1e-5)


def test_scores_are_standardised_against_the_kinds_searched(tmp_path: Path) -> None:
    """A search among achievements is judged against achievements: hundreds of enterprise
    profiles in the same index must not move its dense scores or dense standout."""
    never = FusionConfig(center_min_docs=10**9)  # centring would follow the whole corpus's mean
    topics = ["锂电池", "悬架", "采摘机器人", "再生骨料", "中药", "石墨烯", "纺织印染", "鞋材"]
    achievements = [
        {
            "id": f"a{i}",
            "title": f"{topics[i % 8]}研究{i}",
            "text": f"关于{topics[i % 8]}的第{i}项成果。",
            "kind": "achievement",
        }
        for i in range(60)
    ]
    profiles = [
        {
            "id": f"e{i}",
            "title": f"企业{i}",
            "text": f"晋江某公司主营{topics[i % 8]}相关产品，员工{i}人。",
            "kind": "enterprise",
        }
        for i in range(300)
    ]
    alone = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", fusion=never)
    alone.add_many(achievements)
    mixed = MatchIndex(FakeBackend(), cache_dir=tmp_path / "cache", fusion=never)
    mixed.add_many(achievements + profiles)
    query = "锂电池热失控防护"
    a = alone.search(query, method="dense", filters={"kind": "achievement"}, audience={ALL_AUDIENCES})
    b = mixed.search(query, method="dense", filters={"kind": ["achievement"]}, audience={ALL_AUDIENCES})
    assert [h.id for h in a.hits] == [h.id for h in b.hits]
    np.testing.assert_allclose([h.score for h in a.hits], [h.score for h in b.hits], atol=1e-5)
    assert a.signals["dense_standout"] == pytest.approx(b.signals["dense_standout"], abs=1e-4)
    # without a kind filter the whole corpus is the reference
    c = mixed.search(query, method="dense", audience={ALL_AUDIENCES})
    assert c.hits[0].score != pytest.approx(b.hits[0].score, abs=1e-3)
    # a kind with under 50 documents has no stable statistics: the whole corpus is used
    assert mixed._scope({"kind": ["enclave"]}) == ((), None)
    assert mixed._scope({"kind": "achievement"})[0] == ("achievement",)


def test_each_kind_is_centred_on_its_own_mean(tmp_path: Path) -> None:
    """A search asks for one kind; thousands of enterprise profiles must not set the mean the
    achievements are centred on (docs/matching.md, "Centring": CCF 0.611 against 0.675)."""
    fusion = FusionConfig(center_min_docs=4, kind_center_min_docs=3, kind_center_stable_docs=10)
    backend = FakeBackend()
    idx = MatchIndex(backend, cache_dir=tmp_path / "cache", fusion=fusion)
    profiles = [
        {"id": f"e{i}", "title": f"企业{i}", "text": f"晋江某公司主营{p}，员工{i}人。", "kind": "enterprise"}
        for i, p in enumerate(["运动鞋", "纸尿裤", "陶瓷砖", "服装", "食品"])
    ]
    papers = [
        {"id": f"a{i}", "title": t, "text": x, "kind": "achievement"}
        for i, (_, t, x, _, _) in enumerate(DOCS)
    ]
    raw = {d["id"]: backend._vec(f"{d['title']}。{d['text']}") for d in profiles + papers}

    def stored(ids: list[str]) -> np.ndarray:
        return idx.vectors.get_rows(np.array([idx.row_of[i] for i in ids]))

    def centred(ids: list[str], mean: np.ndarray) -> np.ndarray:
        return _unit_rows(np.stack([raw[i] for i in ids]) - mean)

    idx.add_many(profiles)
    corpus_mean = np.mean([raw[d["id"]] for d in profiles], axis=0)
    assert idx.center is not None
    np.testing.assert_allclose(idx.kind_centers["enterprise"], corpus_mean, atol=1e-6)

    idx.add_many(papers[:2])  # two achievements: too few for a mean of their own
    assert "achievement" not in idx.kind_centers
    np.testing.assert_allclose(stored(["a0", "a1"]), centred(["a0", "a1"], corpus_mean), atol=1e-5)

    embedded = len(backend.embedded)
    idx.add_many(papers[2:3])  # the third gives the kind its mean; the two before are re-written
    assert len(backend.embedded) == embedded + 1  # re-written from the cache, not embedded again
    ach_mean = np.mean([raw[i] for i in ("a0", "a1", "a2")], axis=0)
    np.testing.assert_allclose(idx.kind_centers["achievement"], ach_mean, atol=1e-6)
    np.testing.assert_allclose(idx.center, corpus_mean, atol=1e-6)  # the corpus mean stays
    np.testing.assert_allclose(stored(["a0", "a1", "a2"]), centred(["a0", "a1", "a2"], ach_mean), atol=1e-5)
    ids = [d["id"] for d in profiles]
    np.testing.assert_allclose(stored(ids), centred(ids, corpus_mean), atol=1e-5)

    # a query asking for achievements is centred on theirs; one over everything on the corpus mean
    query = "锂电池防爆"
    qraw = backend._vec(query)
    res = idx.search(query, method="dense", filters={"kind": "achievement"}, audience={ALL_AUDIENCES})
    q = _unit_rows(qraw - ach_mean)
    for hit in res.hits:
        assert hit.dense == pytest.approx(float(q @ centred([hit.id], ach_mean)[0]), abs=1e-5)
    res = idx.search(query, method="dense", filters={"kind": "enterprise"}, audience={ALL_AUDIENCES})
    q = _unit_rows(qraw - corpus_mean)
    for hit in res.hits:
        assert hit.dense == pytest.approx(float(q @ centred([hit.id], corpus_mean)[0]), abs=1e-5)
    # a search over several kinds compares each document with the query as its own kind sees it,
    # so the achievements keep the order of a search for achievements alone
    for filters in (None, {"kind": ["achievement", "enterprise"]}):
        res = idx.search(query, method="dense", k=10, filters=filters, audience={ALL_AUDIENCES})
        assert {h.kind for h in res.hits} == {"achievement", "enterprise"}
        for hit in res.hits:
            mean = ach_mean if hit.kind == "achievement" else corpus_mean
            assert hit.dense == pytest.approx(
                float(_unit_rows(qraw - mean) @ centred([hit.id], mean)[0]), abs=1e-5
            )
    alone = idx.search(query, method="dense", k=10, filters={"kind": "achievement"}, audience={ALL_AUDIENCES})
    assert [h.id for h in res.hits if h.kind == "achievement"] == [h.id for h in alone.hits]

    # taken again once the kind has grown fourfold (3 -> 12), then not before 48
    more = [
        {"id": f"m{i}", "title": f"成果{i}", "text": f"关于{x}的第{i}项研究。", "kind": "achievement"}
        for i, x in enumerate(["锂电池", "悬架", "采摘", "骨料", "中药", "鞋材", "印染", "石墨烯", "陶瓷"])
    ]
    raw.update({d["id"]: backend._vec(f"{d['title']}。{d['text']}") for d in more})
    idx.add_many(more[:8])
    assert idx.kind_centers["achievement"] == pytest.approx(ach_mean, abs=1e-6)  # 11 < 12
    idx.add_many(more[8:])
    ach_ids = [d["id"] for d in papers[:3] + more]
    ach_mean = np.mean([raw[i] for i in ach_ids], axis=0)
    np.testing.assert_allclose(idx.kind_centers["achievement"], ach_mean, atol=1e-6)
    np.testing.assert_allclose(stored(ach_ids), centred(ach_ids, ach_mean), atol=1e-5)
    idx.add_many(papers[3:])
    np.testing.assert_allclose(idx.kind_centers["achievement"], ach_mean, atol=1e-6)

    # an unchanged text that changes kind is stored again, centred on its new kind's mean
    embedded = len(backend.embedded)
    assert idx.add("e0", profiles[0]["text"], title=profiles[0]["title"], kind="achievement") is False
    assert len(backend.embedded) == embedded
    np.testing.assert_allclose(stored(["e0"]), centred(["e0"], ach_mean), atol=1e-5)

    # saved and loaded: the same means and answers; an index saved before kinds had their own
    # means gets them from the writer's next refresh, from the cache
    idx.save(tmp_path / "idx")
    loaded = MatchIndex.load(tmp_path / "idx", backend, cache_dir=tmp_path / "cache", fusion=fusion)
    assert set(loaded.kind_centers) == {"enterprise", "achievement"}
    for kind in ("achievement", "enterprise"):
        a = idx.search(query, filters={"kind": kind}, audience={ALL_AUDIENCES})
        b = loaded.search(query, filters={"kind": kind}, audience={ALL_AUDIENCES})
        assert [h.id for h in a.hits] == [h.id for h in b.hits]
        np.testing.assert_allclose([h.dense for h in a.hits], [h.dense for h in b.hits], atol=1e-5)
    meta_path = tmp_path / "idx" / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    del meta["kind_centers"]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    old = MatchIndex.load(tmp_path / "idx", backend, cache_dir=tmp_path / "cache", fusion=fusion)
    assert old.kind_centers == {}
    old.refresh()
    now = {
        kind: [i for i in raw if i in old and old.get(i)["kind"] == kind]
        for kind in ("achievement", "enterprise")
    }
    assert len(now["achievement"]) == 16 and len(now["enterprise"]) == 4
    for kind, members in now.items():  # taken over every vector the kind holds now
        mean = np.mean([raw[i] for i in members], axis=0)
        np.testing.assert_allclose(old.kind_centers[kind], mean, atol=1e-6)
        got = old.vectors.get_rows(np.array([old.row_of[i] for i in members]))
        np.testing.assert_allclose(got, centred(members, mean), atol=1e-5)


@pytest.mark.parametrize(
    ("shares", "ivf"),
    [
        ((0.5, 0.3, 0.15, 0.05), False),  # two groups of a quarter or more: one product for all
        ((0.5, 0.15, 0.05), False),  # one large group: group by group
        ((0.5, 0.3, 0.15, 0.05), True),  # IVF: each query probes its own cells
    ],
)
def test_grouped_dense_search_compares_each_row_with_its_groups_query(
    shares: tuple[float, ...], ivf: bool
) -> None:
    from kechuang.matching.engine.vectors import VectorStore, search_each_group

    rng = np.random.default_rng(7)
    n, dim = 4000, 16
    store = VectorStore(dim, ivf_min_docs=1000, nlist=16, nprobe=16)
    mat = rng.standard_normal((n, dim)).astype(np.float32)
    store.set_rows(np.arange(n), mat / np.linalg.norm(mat, axis=1, keepdims=True))
    codes = rng.choice(len(shares), size=n, p=np.array(shares) / sum(shares)).astype(np.int64)
    codes[:40] = -1  # rows of a kind the search does not ask for
    if ivf:
        store.optimize(np.ones(n, bool))
        assert store.has_ivf
    qmat = rng.standard_normal((len(shares), dim)).astype(np.float32)
    allowed = rng.random(n) < 0.9
    rows, scores = store.search_grouped(qmat, codes, allowed, 25)
    loop_rows, loop_scores = search_each_group(store, qmat, codes, allowed, 25)
    assert rows.tolist() == loop_rows.tolist()
    np.testing.assert_allclose(scores, loop_scores, rtol=1e-5)
    # and the loop is right: brute force over each row's own query
    truth = np.where(
        allowed & (codes >= 0), np.einsum("ij,ij->i", store.mat[:n], qmat[np.maximum(codes, 0)]), -np.inf
    )
    assert rows.tolist() == np.argsort(-truth, kind="stable")[:25].tolist()


def test_a_save_cut_between_its_renames_keeps_the_previous_index(tmp_path: Path) -> None:
    """Crash safety (#19): the old index is renamed away before the new one takes its place; a kill -9
    between the two renames must not leave the platform without an index."""
    idx = make_index(tmp_path)
    idx.save(tmp_path / "idx")
    (tmp_path / "idx").rename(tmp_path / "idx.old")  # what the first rename of the next save leaves
    assert not (tmp_path / "idx").exists()
    loaded = MatchIndex.load(tmp_path / "idx", FakeBackend())
    assert len(loaded) == len(idx) and (tmp_path / "idx" / "meta.json").exists()
    assert not (tmp_path / "idx.old").exists()
    idx.save(tmp_path / "idx")  # and a complete save leaves no .old behind
    assert not (tmp_path / "idx.old").exists() and not (tmp_path / "idx.tmp").exists()
