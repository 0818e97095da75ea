"""Rank entities (experts, institutions) that are described by many texts.

Aggregation: truncated CombSUM of document probabilities (Balog et al.'s "model 2"
for expert finding, cut to each entity's 3 best texts with weights 1, 1/2, 1/4).
Why: ``max`` rewards a single lucky paper, a plain sum rewards sheer volume of weakly
related papers; the top-3 decaying sum favours consistent expertise while volume
beyond three texts does not count.  Document probabilities are a softmax of the hybrid
scores (which are in corpus z-units), so scores of different queries are comparable
in shape, and the final scores are divided by the best entity's (best = 1.0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .backends import EmbeddingBackend
from .index import ALL_AUDIENCES, MatchIndex

__all__ = ["rank_entities"]

TOP_WEIGHTS = (1.0, 0.5, 0.25)
_SEP = "\x1f"


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
    (ties keep the input order).
    """
    index = MatchIndex(backend, cache_dir=cache_dir, auto_terms=False)
    docs = []
    for eid, texts in entities.items():
        for j, t in enumerate(texts or ()):
            if isinstance(t, str) and t.strip():
                docs.append({"id": f"{eid}{_SEP}{j}", "text": t})
    order = list(entities.keys())
    if not docs:
        return [(e, 0.0) for e in order]
    index.add_many(docs)
    if len(docs) >= 50:
        index.learn_terms()
    res = index.search(query, k=min(len(docs), 1000), audience={ALL_AUDIENCES})
    if not res.hits:
        return [(e, 0.0) for e in order]
    scores = np.array([h.score for h in res.hits], dtype=np.float64)
    probs = np.exp(scores - scores.max())
    probs /= probs.sum()
    per_entity: dict[str, list[float]] = {}
    for h, p in zip(res.hits, probs, strict=True):
        per_entity.setdefault(h.id.split(_SEP, 1)[0], []).append(float(p))
    agg = {
        e: sum(w * p for w, p in zip(weights, sorted(ps, reverse=True), strict=False))
        for e, ps in per_entity.items()
    }
    best = max(agg.values()) or 1.0
    ranked = sorted(order, key=lambda e: (-agg.get(e, 0.0), order.index(e)))
    return [(e, round(agg.get(e, 0.0) / best, 6)) for e in ranked]
