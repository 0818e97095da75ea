"""IR metrics (graded nDCG, MRR, recall) and a rank-based AUC.

Why here and not a library: the formulas are short, and owning them keeps the
evaluation identical between the CLI, tests and benchmarks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def ndcg_at_k(ranked: Sequence[str], gains: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with exponential graded gains ``2**grade - 1`` (Burges et al.).

    Grade 2 (the source paper / a real fit) is worth 3x grade 1; this is the
    convention of trec_eval's ``ndcg_cut`` and of the project's baseline figures.
    """
    dcg = sum((2 ** gains.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def mrr_at_k(ranked: Sequence[str], gains: Mapping[str, int], k: int = 10) -> float:
    """Reciprocal rank of the first doc with grade > 0 within k."""
    for i, d in enumerate(ranked[:k]):
        if gains.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def recall_at_k(ranked: Sequence[str], gains: Mapping[str, int], k: int = 50) -> float:
    """Share of grade>0 docs found in the top k."""
    rel = {d for d, g in gains.items() if g > 0}
    if not rel:
        return 0.0
    return len(rel.intersection(ranked[:k])) / len(rel)


def auc(pos: Sequence[float], neg: Sequence[float]) -> float:
    """Probability that a random positive scores above a random negative (ties 1/2)."""
    if not pos or not neg:
        return float("nan")
    wins = 0.0
    for p in pos:
        for n in neg:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(pos) * len(neg))
