"""Rank entities (experts, institutions) that are described by many texts.

Aggregation: truncated CombSUM of document probabilities (Balog et al.'s "model 2"
for expert finding), cut to each entity's 3 best texts with equal weights.
Why: ``max`` rewards a single lucky paper, a plain sum rewards sheer volume of weakly
related papers; the sum of the three best favours consistent expertise while volume
beyond three texts does not count.  Document probabilities are a softmax of the hybrid
scores (which are in corpus z-units), so scores of different queries are comparable
in shape, and the final scores are divided by the best entity's (best = 1.0).
Measured against max, decaying weights (1, ½, ¼) and the plain sum on simulated expert
profiles (docs/matching.md → "Entities"): on long demands equal top-3 led by 0.016–0.022
with raw vectors and tied with centred ones; it was never behind.

The index built for one entity set is kept (two sets per process), so ranking the same
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
from .index import ALL_AUDIENCES, MatchIndex

__all__ = ["rank_entities"]

TOP_WEIGHTS = (1.0, 1.0, 1.0)
_SEP = "\x1f"
_MAX_HITS = 1000
_INDEXES: OrderedDict[tuple[Any, ...], MatchIndex] = OrderedDict()
_KEEP_INDEXES = 2


def rank_entities(
    query: str,
    entities: Mapping[str, Sequence[str]],
    *,
    backend: EmbeddingBackend | str | dict[str, Any] | None = None,
    cache_dir: str | Path | None = None,
    weights: Sequence[float] = TOP_WEIGHTS,
) -> list[tuple[str, float]]:
    """``[(entity_id, score in [0,1]), ...]`` best first; every entity is listed.

    Texts may be Chinese, English or mixed.  Entities with no matching text score 0
    (ties keep the input order).  Only the best 1,000 texts are scored.
    """
    docs = [
        {"id": f"{eid}{_SEP}{j}", "text": t}
        for eid, texts in entities.items()
        for j, t in enumerate(texts or ())
        if isinstance(t, str) and t.strip()
    ]
    order = list(entities.keys())
    if not docs:
        return [(e, 0.0) for e in order]
    index = _index_for(docs, backend, cache_dir)
    res = index.search(query, k=min(len(docs), _MAX_HITS), audience={ALL_AUDIENCES})
    hits = res.hits
    if res.mode.startswith("lexical"):  # without vectors, a text sharing no term is no evidence
        hits = [h for h in hits if h.lexical > 0]
    if not hits:
        return [(e, 0.0) for e in order]
    scores = np.array([h.score for h in hits], dtype=np.float64)
    probs = np.exp(scores - scores.max())
    probs /= probs.sum()
    per_entity: dict[str, list[float]] = {}
    for h, p in zip(hits, probs, strict=True):
        per_entity.setdefault(h.id.split(_SEP, 1)[0], []).append(float(p))
    agg = {
        e: sum(w * p for w, p in zip(weights, sorted(ps, reverse=True), strict=False))
        for e, ps in per_entity.items()
    }
    best = max(agg.values()) or 1.0
    position = {e: i for i, e in enumerate(order)}
    ranked = sorted(order, key=lambda e: (-agg.get(e, 0.0), position[e]))
    # not rounded: far below the best, relative scores are tiny but their order still matters
    return [(e, agg.get(e, 0.0) / best) for e in ranked]


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
