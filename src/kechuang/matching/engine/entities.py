"""Affinities and rankings of entities (experts, institutions, commissioners) described by many texts.

Aggregation: truncated CombSUM (Balog et al.'s "model 2" for expert finding) over each entity's three
best texts, ``s1 + s2 + s3``, where each text's score is its hybrid score in z-units
of the entities' own texts. Why: ``max`` rewards a single lucky paper, a plain sum rewards sheer volume of
weakly related papers; the three best favour consistent expertise while volume beyond three does not
count. Scores in z-units (no per-query softmax, no division by the best) are comparable across queries,
which assignment problems need: one reviewer's affinity to two papers must be comparable
(docs/matching.md → "Affinities" for the measurements).

The index built for one entity set is kept (two sets per process), so scoring the same
experts for many queries tokenises and looks up their vectors once.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .backends import EmbeddingBackend
from .fusion import z_stats
from .index import ALL_AUDIENCES, MatchIndex

__all__ = ["AFFINITY_WEIGHTS", "entity_affinities", "rank_entities"]

#: Weights of an entity's best, second and third text (the rest do not count). Equal weights had the
#: lowest expertise loss on the CSL expert dev set: 0.1245 vs 0.1325 for (1, 1/2, 1/3), 0.1277 for
#: (1, 1/2, 1/4, 1/8, 1/16) and 0.1622 for the best text alone (intervals overlap; docs/matching.md).
AFFINITY_WEIGHTS = (1.0, 1.0, 1.0)
TOP_WEIGHTS = AFFINITY_WEIGHTS  # the name callers and the eval report used before affinities existed
_SEP = "\x1f"
_MAX_HITS = 1000
_INDEXES: OrderedDict[tuple[Any, ...], MatchIndex] = OrderedDict()
_KEEP_INDEXES = 2


def entity_affinities(
    queries: Sequence[str],
    entities: Mapping[str, Sequence[str]],
    *,
    backend: EmbeddingBackend | str | dict[str, Any] | None = None,
    cache_dir: str | Path | None = None,
    weights: Sequence[float] = AFFINITY_WEIGHTS,
) -> np.ndarray:
    """Affinity of every entity (columns, in ``entities`` order) to every query (rows), comparable
    across queries and across entities.

    Calibration: each text's score is the hybrid fusion of its BM25 and e5 scores, each as a z-score
    against the same fixed background — all texts of all the entities given — so "2.0" means two
    standard deviations above the average profile text, whatever the query or its language. An entity's
    affinity is ``s1 + s2 + s3`` over its three best texts. A missing text (an entity with fewer than
    three, a text the search did not reach beyond the best 1,000, or one sharing no term when only
    keywords are available) counts as a text sharing no term and of average semantic similarity (or as
    the weakest text reached, if that is lower), so an entity without evidence gets the lowest affinity
    of its row, never NaN. No softmax over a query's
    hits and no division by its best entity: those made one reviewer's scores for two papers
    incomparable (docs/matching.md → "Affinities"). Scores are comparable within one entity set: another
    set is another background.
    """
    return _affinities(queries, entities, backend=backend, cache_dir=cache_dir, weights=weights)[0]


def _affinities(
    queries: Sequence[str],
    entities: Mapping[str, Sequence[str]],
    *,
    backend: EmbeddingBackend | str | dict[str, Any] | None,
    cache_dir: str | Path | None,
    weights: Sequence[float],
) -> tuple[np.ndarray, np.ndarray]:
    """The affinity matrix and, per query, the affinity of an entity without evidence."""
    order = list(entities.keys())
    out = np.zeros((len(queries), len(order)), dtype=np.float64)
    nothing = np.zeros(len(queries), dtype=np.float64)
    docs = [
        {"id": f"{col}{_SEP}{j}", "text": t}
        for col, eid in enumerate(order)
        for j, t in enumerate(entities[eid] or ())
        if isinstance(t, str) and t.strip()
    ]
    if not docs or not order:
        return out, nothing
    index = _index_for(docs, backend, cache_dir)
    k = min(len(docs), _MAX_HITS)
    w = np.asarray(weights, dtype=np.float64)
    for qi, query in enumerate(queries):
        res = index.search(query if isinstance(query, str) else "", k=k, audience={ALL_AUDIENCES})
        hits = res.hits
        if res.mode.startswith("lexical"):  # without vectors, a text sharing no term is no evidence
            hits = [h for h in hits if h.lexical > 0]
        per_entity: dict[int, list[float]] = {}
        for h in hits:
            if np.isfinite(h.score):
                per_entity.setdefault(int(h.id.split(_SEP, 1)[0]), []).append(h.score)
        reached = [score for found in per_entity.values() for score in found]
        floor = min([_no_evidence(index, res.mode, [h.lexical for h in res.hits], len(docs)), *reached])
        nothing[qi] = floor * w.sum()
        out[qi] = nothing[qi]
        for col, found in per_entity.items():
            best = sorted(found, reverse=True)[: len(w)]
            best += [floor] * (len(w) - len(best))
            out[qi, col] = float(np.dot(w, best))
    return out, nothing


def _no_evidence(index: MatchIndex, mode: str, lexical: list[float], n_texts: int) -> float:
    """The score of a text that shares no term with the query and is of average semantic similarity:
    what a missing text counts. The BM25 background is rebuilt from the hits (every text the search
    did not return has no shared term — exact up to 1,000 texts), standardised as the index does."""
    mu, sd = z_stats(np.array(lexical + [0.0] * max(n_texts - len(lexical), 0), dtype=np.float64))
    zero_terms = (0.0 - mu) / sd
    if mode.startswith("lexical"):
        return zero_terms
    return index.fusion.w_lexical * zero_terms if mode == "hybrid" else 0.0


def rank_entities(
    query: str,
    entities: Mapping[str, Sequence[str]],
    *,
    backend: EmbeddingBackend | str | dict[str, Any] | None = None,
    cache_dir: str | Path | None = None,
    weights: Sequence[float] = AFFINITY_WEIGHTS,
) -> list[tuple[str, float]]:
    """``[(entity_id, score in [0,1]), ...]`` best first; every entity is listed.

    The order of :func:`entity_affinities`; the score is ``exp(affinity - best affinity)``, so the best
    entity has 1.0, and an entity without evidence 0 (ties keep the input order). Texts may be Chinese,
    English or mixed.
    """
    order = list(entities.keys())
    if not order:
        return []
    rows, nothing = _affinities([query], entities, backend=backend, cache_dir=cache_dir, weights=weights)
    row, low = rows[0], float(nothing[0])
    best = float(row.max())
    if best <= low:  # nobody has evidence: nobody fits
        return [(e, 0.0) for e in order]
    # exp of the gap to the best: the best is 1, a gap of one z-unit summed over three texts is 0.37;
    # the same scale callers' thresholds (e.g. 0.3 for meeting suggestions) were set on
    relative = np.where(row > low, np.exp(row - best), 0.0)
    position = {e: i for i, e in enumerate(order)}
    ranked = sorted(range(len(order)), key=lambda c: (-relative[c], position[order[c]]))
    # not rounded: far below the best, relative scores are tiny but their order still matters
    return [(order[c], float(relative[c])) for c in ranked]


def _index_for(
    docs: list[dict[str, str]],
    backend: EmbeddingBackend | str | dict[str, Any] | None,
    cache_dir: str | Path | None,
) -> MatchIndex:
    """The index over these exact texts, built once and kept for the next queries.

    Backend names and configs are keyed by value, backend objects by identity (the kept
    index holds a reference, so that identity cannot be reused while the entry lives).
    """
    digest = hashlib.sha1(usedforsecurity=False)
    for d in docs:
        digest.update(d["id"].encode() + b"\x00" + d["text"].encode() + b"\x00")
    backend_key = repr(backend) if backend is None or isinstance(backend, str | dict) else id(backend)
    key = (backend_key, str(cache_dir or ""), digest.hexdigest())
    index = _INDEXES.get(key)
    if index is not None:
        _INDEXES.move_to_end(key)
        return index
    index = MatchIndex(backend, cache_dir=cache_dir, auto_terms=False)
    index.add_many(docs)
    index.refresh()
    if index.backend_error:  # answered lexically this time; try the vectors again next time
        return index
    _INDEXES[key] = index
    while len(_INDEXES) > _KEEP_INDEXES:
        _INDEXES.popitem(last=False)
    return index
