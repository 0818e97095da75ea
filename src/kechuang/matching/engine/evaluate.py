"""Offline evaluation through the product code path (MatchIndex.search).

Why: figures are only trustworthy if they come from the same index, tokeniser,
fusion and confidence code the platform runs.  Only ``id``, ``title`` and
``abstract`` of the corpus are used (no category/discipline/keywords: they would
leak the answer).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .backends import EmbeddingBackend
from .entities import TOP_WEIGHTS, entity_affinities, rank_entities
from .index import ALL_AUDIENCES, MatchIndex, Progress
from .metrics import (
    auc,
    bootstrap_auc_ci,
    bootstrap_ci,
    expertise_loss,
    mrr_at_k,
    ndcg_at_k,
    recall_at_k,
)

__all__ = [
    "corpus_index",
    "evaluate",
    "evaluate_entities",
    "format_entity_report",
    "format_report",
    "load_entities",
    "load_judged_sets",
    "load_qrels",
    "read_jsonl",
]

METHODS = ("lexical", "dense", "hybrid")


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Records of a JSON-lines file (blank lines skipped)."""
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """TREC qrels ``qid 0 doc_id grade`` -> {qid: {doc_id: grade}}."""
    out: dict[str, dict[str, int]] = {}
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 4:
                out.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return out


def _metric_row(nd: list[float], mr: list[float], rc: list[float], lat: list[float]) -> dict[str, float]:
    """The contract keys of one method's figures: means of the per-query metrics, latency percentiles."""
    return {
        "ndcg@10": round(float(np.mean(nd)), 4) if nd else 0.0,
        "mrr@10": round(float(np.mean(mr)), 4) if mr else 0.0,
        "recall@50": round(float(np.mean(rc)), 4) if rc else 0.0,
        "p50_ms": round(float(np.percentile(lat, 50)), 2) if lat else 0.0,
        "p95_ms": round(float(np.percentile(lat, 95)), 2) if lat else 0.0,
    }


def load_judged_sets(
    queries_paths: str | Path | Sequence[str | Path], qrels_paths: str | Path | Sequence[str | Path]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, int]]]:
    """Queries and qrels of one or several ``(queries, qrels)`` pairs, pooled.

    Why pooled: ccf-dev (11 demands with a match) and ccf-dev2 (21) are each too small to tell a change
    from noise; together they are one set. A qid used by two sets is renamed ``set#:qid`` in both its
    queries and its qrels, so the sets cannot mix judgments.
    """
    q_list = [queries_paths] if isinstance(queries_paths, str | Path) else list(queries_paths)
    r_list = [qrels_paths] if isinstance(qrels_paths, str | Path) else list(qrels_paths)
    if len(q_list) != len(r_list):
        raise ValueError(
            f"--queries 与 --qrels 须成对给出（{len(q_list)} 个查询文件，{len(r_list)} 个评判文件）"
        )
    sets = [(read_jsonl(q), load_qrels(r)) for q, r in zip(q_list, r_list, strict=True)]
    seen: dict[str, int] = {}
    for i, (queries, _) in enumerate(sets):
        for q in queries:
            seen.setdefault(str(q["qid"]), i)
    clash = {qid for i, (queries, _) in enumerate(sets) for q in queries if seen[qid := str(q["qid"])] != i}
    pooled_q: list[dict[str, Any]] = []
    pooled_r: dict[str, dict[str, int]] = {}
    for i, (queries, qrels) in enumerate(sets):
        pooled_q += [{**q, "qid": _set_qid(i, str(q["qid"]), clash)} for q in queries]
        for qid, gains in qrels.items():
            pooled_r.setdefault(_set_qid(i, qid, clash), {}).update(gains)
    return pooled_q, pooled_r


def _set_qid(index: int, qid: str, clash: set[str]) -> str:
    return f"{index + 1}:{qid}" if qid in clash else qid


def _paired_gaps(per_query: dict[str, list[float]]) -> dict[str, dict[str, Any]]:
    """Hybrid minus each single method, query by query, with a bootstrap interval of the mean gap.

    Paired because the same queries are hard for every method: the gap's interval is much narrower
    than the two methods' intervals suggest."""
    hybrid = np.asarray(per_query.get("hybrid", []))
    out: dict[str, dict[str, Any]] = {}
    for other in ("lexical", "dense"):
        base = np.asarray(per_query.get(other, []))
        if hybrid.size and base.size == hybrid.size:
            gaps = (hybrid - base).tolist()
            out[other] = {"ndcg@10": round(float(np.mean(gaps)), 4), "ci95": bootstrap_ci(gaps)}
    return out


def corpus_index(
    corpus_path: str | Path,
    *,
    cache_dir: str | Path | None,
    progress: Progress | None = None,
    backend: EmbeddingBackend | str | dict[str, Any] | None = None,
) -> MatchIndex:
    """An index of a judged corpus (JSON lines ``id``, ``title``, ``abstract``), ready to search."""
    index = MatchIndex(backend, cache_dir=cache_dir)
    docs = [
        {"id": str(d["id"]), "title": d.get("title") or "", "text": d.get("abstract") or ""}
        for d in read_jsonl(corpus_path)
    ]
    index.add_many(docs, progress=progress)
    index.refresh(progress)
    return index


def evaluate(
    corpus_path: str | Path,
    queries_path: str | Path | Sequence[str | Path],
    qrels_path: str | Path | Sequence[str | Path],
    *,
    cache_dir: str | Path | None,
    progress: Progress | None = None,
    backend: EmbeddingBackend | str | dict[str, Any] | None = None,
    k: int = 50,
) -> dict[str, Any]:
    """nDCG@10 / MRR@10 / recall@50 / latency (and confidence AUC) per method.

    Ranking metrics are averaged over queries with at least one grade>0 judgment;
    ``confidence_auc`` (only when some queries have all-zero judgments) measures how
    well the top result's confidence separates those two groups.  Latency excludes
    query embedding (queries are embedded in one warm-up batch, cached on disk).
    """
    t_start = time.perf_counter()
    index = corpus_index(corpus_path, cache_dir=cache_dir, progress=progress, backend=backend)
    t_index = time.perf_counter() - t_start
    queries, qrels = load_judged_sets(queries_path, qrels_path)
    t0 = time.perf_counter()
    index.embed_queries([str(q["text"]) for q in queries], progress=progress)
    t_qembed = time.perf_counter() - t0

    has_rel = {str(q["qid"]): any(g > 0 for g in qrels.get(str(q["qid"]), {}).values()) for q in queries}
    n_rel = sum(has_rel.values())
    out: dict[str, Any] = {
        "queries": len(queries),
        "queries_with_relevant": n_rel,
        "docs": len(index),
        "index_seconds": round(t_index, 2),
        "query_embed_seconds": round(t_qembed, 2),
        "backend": index.backend.name,
        "backend_error": index.backend_error,
    }
    everyone = {ALL_AUDIENCES}
    per_query: dict[str, list[float]] = {}
    for mi, method in enumerate(METHODS):
        nd, mr, rc, lat = [], [], [], []
        conf_pos: list[float] = []
        conf_neg: list[float] = []
        modes: set[str] = set()
        for qi, q in enumerate(queries):
            qid = str(q["qid"])
            t = time.perf_counter()
            res = index.search(str(q["text"]), k=k, audience=everyone, method=method)
            lat.append((time.perf_counter() - t) * 1000)
            modes.add(res.mode)
            gains = qrels.get(qid, {})
            if has_rel[qid]:
                ranked = [h.id for h in res.hits]
                nd.append(ndcg_at_k(ranked, gains, 10))
                mr.append(mrr_at_k(ranked, gains, 10))
                rc.append(recall_at_k(ranked, gains, 50))
                conf_pos.append(res.confidence)
            else:
                conf_neg.append(res.confidence)
            if progress and (qi % 50 == 0 or qi == len(queries) - 1):
                progress(f"search-{method}", qi + 1 + mi * len(queries), len(queries) * len(METHODS))
        row: dict[str, Any] = {
            **_metric_row(nd, mr, rc, lat),
            "mode": ",".join(sorted(modes)),
            "ci95": {"ndcg@10": bootstrap_ci(nd)},
        }
        if conf_neg and conf_pos:
            row["confidence_auc"] = round(auc(conf_pos, conf_neg), 4)
            row["ci95"]["confidence_auc"] = bootstrap_auc_ci(conf_pos, conf_neg)
        out[method] = row
        per_query[method] = nd
    out["hybrid_minus"] = _paired_gaps(per_query)
    out["total_seconds"] = round(time.perf_counter() - t_start, 2)
    return out


def load_entities(path: str | Path) -> dict[str, list[str]]:
    """Entities file: JSON lines ``{"id": ..., "texts": [...]}``.

    A text may be a string or an object with ``title`` and ``abstract`` (joined the way
    the index joins a document's title and text).  Repeated ids add their texts up.
    """
    out: dict[str, list[str]] = {}
    for record in read_jsonl(path):
        texts = out.setdefault(str(record["id"]), [])
        for t in record.get("texts") or ():
            if isinstance(t, dict):
                title, body = str(t.get("title") or ""), str(t.get("abstract") or t.get("text") or "")
                t = f"{title}。{body}" if title and body else (title or body)
            if isinstance(t, str) and t.strip():
                texts.append(t)
    return out


def evaluate_entities(
    entities_path: str | Path,
    queries_path: str | Path | Sequence[str | Path],
    qrels_path: str | Path | Sequence[str | Path],
    *,
    cache_dir: str | Path | None,
    backend: EmbeddingBackend | str | dict[str, Any] | None = None,
    weights: tuple[float, ...] = TOP_WEIGHTS,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """nDCG@10 / MRR@10 / recall@50 / latency of :func:`rank_entities` (expert finding).

    qrels name entity ids.  The first query pays for building the index over all texts
    (reported as ``index_seconds``); latency is measured on the queries after it.
    """
    t_start = time.perf_counter()
    entities = load_entities(entities_path)
    queries, qrels = load_judged_sets(queries_path, qrels_path)
    n_texts = sum(len(t) for t in entities.values())
    judged = [q for q in queries if any(g > 0 for g in qrels.get(str(q["qid"]), {}).values())]
    t0 = time.perf_counter()
    if judged:  # builds and keeps the index (and embeds every text once)
        rank_entities(str(judged[0]["text"]), entities, backend=backend, cache_dir=cache_dir, weights=weights)
    t_index = time.perf_counter() - t0
    nd, mr, rc, lat = [], [], [], []
    for qi, q in enumerate(judged):
        gains = qrels[str(q["qid"])]
        t = time.perf_counter()
        ranked = rank_entities(
            str(q["text"]), entities, backend=backend, cache_dir=cache_dir, weights=weights
        )
        lat.append((time.perf_counter() - t) * 1000)
        ids = [e for e, score in ranked if score > 0]
        nd.append(ndcg_at_k(ids, gains, 10))
        mr.append(mrr_at_k(ids, gains, 10))
        rc.append(recall_at_k(ids, gains, 50))
        if progress and (qi % 50 == 0 or qi == len(judged) - 1):
            progress("rank-entities", qi + 1, len(judged))
    loss = _expertise_loss(entities, queries, qrels, backend=backend, cache_dir=cache_dir, weights=weights)
    return {
        "entities": len(entities),
        "texts": n_texts,
        "queries": len(queries),
        "queries_with_relevant": len(judged),
        "weights": list(weights),
        **_metric_row(nd, mr, rc, lat),
        **loss,
        "index_seconds": round(t_index, 2),
        "total_seconds": round(time.perf_counter() - t_start, 2),
    }


def _expertise_loss(
    entities: dict[str, list[str]],
    queries: list[dict[str, Any]],
    qrels: dict[str, dict[str, int]],
    *,
    backend: EmbeddingBackend | str | dict[str, Any] | None,
    cache_dir: str | Path | None,
    weights: Sequence[float],
) -> dict[str, Any]:
    """The gold standard's loss of :func:`entity_affinities` over every graded (entity, query) pair, with
    a bootstrap interval over entities (the unit the loss averages within)."""
    graded = [q for q in queries if qrels.get(str(q["qid"]))]
    if not graded or not entities:
        return {}
    matrix = entity_affinities(
        [str(q["text"]) for q in graded], entities, backend=backend, cache_dir=cache_dir, weights=weights
    )
    column = {e: j for j, e in enumerate(entities)}
    affinity = {
        (e, str(q["qid"])): float(matrix[i, column[e]])
        for i, q in enumerate(graded)
        for e in qrels[str(q["qid"])]
        if e in column
    }
    expertise = {(e, qid): g for qid, gains in qrels.items() for e, g in gains.items()}
    loss = expertise_loss(affinity, expertise)
    if np.isnan(loss):
        return {}
    own: dict[str, list[tuple[str, float, int]]] = {}
    for (e, paper), a in affinity.items():
        own.setdefault(e, []).append((paper, a, expertise[(e, paper)]))
    reviewers = sorted(own)
    rng = np.random.default_rng(0)
    draws = []
    for _ in range(500):  # a reviewer drawn twice counts twice: each copy gets its own key
        picked = [
            (f"{reviewers[r]}#{n}", reviewers[r])
            for n, r in enumerate(rng.integers(0, len(reviewers), len(reviewers)))
        ]
        aff = {(copy, paper): a for copy, e in picked for paper, a, _ in own[e]}
        exp = {(copy, paper): g for copy, e in picked for paper, _, g in own[e]}
        draws.append(expertise_loss(aff, exp))
    return {
        "expertise_loss": round(loss, 4),
        "expertise_pairs": len(affinity),
        "expertise_loss_ci95": [
            round(float(np.nanpercentile(draws, 2.5)), 4),
            round(float(np.nanpercentile(draws, 97.5)), 4),
        ],
    }


def format_entity_report(result: dict[str, Any]) -> str:
    """Human-readable lines of :func:`evaluate_entities` output (for the CLI)."""
    return "\n".join(
        [
            f"实体 {result['entities']} 个（文本 {result['texts']} 段）；查询 {result['queries']} 条，"
            f"其中有相关实体的 {result['queries_with_relevant']} 条",
            f"nDCG@10 {result['ndcg@10']:.4f}   MRR@10 {result['mrr@10']:.4f}   "
            f"Recall@50 {result['recall@50']:.4f}   p50 {result['p50_ms']} ms   p95 {result['p95_ms']} ms",
            *(
                [
                    f"专长序损失（Stelmakh 等 2023 的口径，越低越好）{result['expertise_loss']:.4f}，"
                    "95% 区间 [{:.3f}, {:.3f}]，".format(*result["expertise_loss_ci95"])
                    + f"评分对 {result['expertise_pairs']} 个"
                ]
                if "expertise_loss" in result
                else []
            ),
            f"建索引（首个查询）{result['index_seconds']} s，总计 {result['total_seconds']} s",
        ]
    )


def format_report(result: dict[str, Any]) -> str:
    """Human-readable table of :func:`evaluate` output (for the CLI)."""
    cols = ["ndcg@10", "mrr@10", "recall@50", "p50_ms", "p95_ms"]
    if any("confidence_auc" in result.get(m, {}) for m in METHODS):
        cols.append("confidence_auc")
    lines = [
        f"文档 {result.get('docs')} 篇；查询 {result.get('queries')} 条，"
        f"其中有相关文档的 {result.get('queries_with_relevant')} 条（排序指标只在这些查询上计算）",
        f"向量后端：{result.get('backend')}"
        + (f"（{result['backend_error']}）" if result.get("backend_error") else ""),
        "",
        f"{'method':<10}" + "".join(f"{c:>16}" for c in cols) + f"{'mode':>20}",
    ]
    for m in METHODS:
        row = result.get(m, {})
        cells = []
        for c in cols:
            v = row.get(c)
            cells.append(f"{v:>16.4f}" if isinstance(v, float) else f"{'-':>16}")
        lines.append(f"{m:<10}" + "".join(cells) + f"{row.get('mode', ''):>20}")
    lines.append("")
    for m in METHODS:
        ci = result.get(m, {}).get("ci95", {})
        lines.append(
            f"{m:<10}" + "   ".join(f"{k} 95% 区间 [{lo:.3f}, {hi:.3f}]" for k, (lo, hi) in ci.items())
        )
    for other, gap in result.get("hybrid_minus", {}).items():
        lo, hi = gap["ci95"]
        lines.append(
            f"hybrid − {other}: nDCG@10 {gap['ndcg@10']:+.4f}，95% 区间 [{lo:+.3f}, {hi:+.3f}]（按查询配对）"
        )
    lines.append("")
    lines.append(
        f"建索引 {result.get('index_seconds')} s，查询向量 {result.get('query_embed_seconds')} s，"
        f"总计 {result.get('total_seconds')} s"
    )
    return "\n".join(lines)


def _cli_progress() -> Callable[[str, int, int], None]:  # pragma: no cover - helper
    """Plain stderr progress printer for ad-hoc runs."""
    import sys

    def cb(stage: str, done: int, total: int) -> None:
        sys.stderr.write(f"\r{stage}: {done}/{total}   ")
        if done >= total:
            sys.stderr.write("\n")

    return cb
