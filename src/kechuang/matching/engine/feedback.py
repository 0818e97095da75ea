"""One-document pseudo-relevance feedback: lean on the top hit when it clearly stands out.

Why apart from fusion: fusion mixes the query's own evidence; feedback adds evidence drawn
from the best fused document (its neighbours, its key terms), so it can be measured,
tuned or dropped on its own (docs/matching.md).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .fusion import FusionConfig, z_stats

__all__ = ["expansion_terms", "feedback"]


def expansion_terms(tokens: np.ndarray | None, idf_of: Callable[[int], float], limit: int) -> np.ndarray:
    """The document's ``limit`` most characteristic terms ((1+log tf)·idf) of its ``tokens``."""
    if tokens is None or not len(tokens):
        return np.zeros(0, np.int32)
    uniq, tf = np.unique(tokens, return_counts=True)
    idf = np.array([idf_of(int(t)) or 0.0 for t in uniq])
    weight = (1.0 + np.log(tf)) * idf
    keep = np.argsort(-weight, kind="stable")[:limit]
    return uniq[keep].astype(np.int32)


def feedback(
    fused: np.ndarray,
    pool: np.ndarray,
    sample: np.ndarray,
    pool_vecs: np.ndarray,
    f: FusionConfig,
    *,
    has_vec: np.ndarray,
    alive: np.ndarray,
    expanded_bm25: Callable[[int], np.ndarray | None],
) -> np.ndarray:
    """One-document pseudo-relevance feedback, weighted by how sure the top-1 is.

    Cluster hypothesis: documents close to the best match are likely relevant
    too.  Its weight ramps up with the fused gap between the first two hits
    (z units): a keyword query that pins one document down (gap ≥ 5) leans on its
    neighbours and on BM25 with its key terms (RM3-like, lexical side); a vague
    demand whose top hits are close together (gap ≤ 2, nearly all long demands)
    keeps the mild fixed weight.  Measured in docs/matching.md.

    ``fused`` scores the rows ``pool`` (vectors ``pool_vecs``); ``sample`` is the scope's
    vector sample, ``has_vec``/``alive`` are per row, and ``expanded_bm25(row)`` is the BM25
    of every row for that row's expansion terms (None when it has none), asked for only
    when the gap calls for it.
    """
    if len(fused) > 2:
        i1, i2 = np.argpartition(-fused, 1)[:2]
    else:
        i1, i2 = int(np.argmax(fused)), int(np.argmin(fused))
    if fused[i2] > fused[i1]:
        i1, i2 = i2, i1
    gap = float(fused[i1] - fused[i2])
    span = f.gap_high - f.gap_low
    r = min(1.0, max(0.0, (gap - f.gap_low) / span)) if span > 0 else float(gap >= f.gap_low)
    top1 = int(pool[int(i1)])
    w_nb = f.w_neighbour + r * (f.w_neighbour_max - f.w_neighbour)
    out = fused
    if w_nb > 0 and has_vec[top1]:
        anchor = pool_vecs[int(i1)]
        nb = pool_vecs @ anchor
        n_mu, n_sd = z_stats(sample @ anchor)
        out = out + w_nb * (nb - n_mu) / n_sd
    if r > 0 and f.w_expand > 0:
        ex = expanded_bm25(top1)
        if ex is not None:
            e_mu, e_sd = z_stats(ex[alive])
            out = out + r * f.w_expand * (ex[pool] - e_mu) / e_sd
    return out
