"""Turn ranked documents into ranked entities (experts, institutions): plain Python, no Django.

Same aggregation as engine.rank_entities (truncated CombSUM: the sum of an entity's three best texts'
probabilities, a softmax of the hybrid scores), applied to hits of one index search so an expert is
credited for their profile and for the achievements they authored without building a second index.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .engine.entities import TOP_WEIGHTS


@dataclass
class EntityMatch:
    entity_id: int
    score: float
    evidence: list[Any] = field(default_factory=list)  # the hits that credited this entity, best first


def aggregate_hits(
    hits: Sequence[Any],
    entities_of: Callable[[Any], Iterable[int]],
    weights: Sequence[float] = TOP_WEIGHTS,
    limit: int = 5,
) -> list[EntityMatch]:
    """Rank entities by the hits that name them; scores are relative to the best entity (best = 1)."""
    if not hits:
        return []
    top = max(h.score for h in hits)
    probabilities = [math.exp(h.score - top) for h in hits]
    total = sum(probabilities) or 1.0
    credited: dict[int, list[tuple[float, Any]]] = {}
    for hit, p in zip(hits, probabilities, strict=True):
        for entity in set(entities_of(hit)):
            credited.setdefault(entity, []).append((p / total, hit))
    scored = []
    for entity, items in credited.items():
        items.sort(key=lambda pair: -pair[0])
        score = sum(w * p for w, (p, _) in zip(weights, items, strict=False))
        scored.append(EntityMatch(entity, score, [hit for _, hit in items[:3]]))
    if not scored:
        return []
    scored.sort(key=lambda m: -m.score)
    best = scored[0].score or 1.0
    for match in scored:
        match.score = round(match.score / best, 4)
    return scored[:limit]
