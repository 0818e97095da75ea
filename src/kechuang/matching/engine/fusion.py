"""Hybrid score fusion: how BM25 and cosine evidence become one ranking score.

Why its own module: the index gathers scores (lexical, dense, feedback); how they are
weighed lives here and in confidence.py, the two places a learned ranker would replace.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FusionConfig", "fuse", "z_stats"]


@dataclass(frozen=True)
class FusionConfig:
    """Hybrid scoring knobs (values chosen on the CSL dev set, see docs/matching.md).

    score = w_lexical*z(BM25) + (1-w_lexical)*z(cos) + a*z(cos to top-1)
            + r*w_expand*z(BM25 of the top-1's key terms)
    where z() standardises against the whole corpus, r = clip((gap - gap_low) /
    (gap_high - gap_low), 0, 1) for the fused gap between the first two documents,
    and a = w_neighbour + r*(w_neighbour_max - w_neighbour): the more clearly the top
    hit stands out, the more we trust it as feedback.
    """

    w_lexical: float = 0.2
    w_neighbour: float = 0.5
    w_neighbour_max: float = 3.0
    w_expand: float = 0.5
    expand_terms: int = 20
    gap_low: float = 2.0
    gap_high: float = 5.0
    pool: int = 200
    # confidence: sigmoid(slope * (standout + w_cov * coverage - centre))
    conf_w_cov: float = 1.0
    conf_centre: float = 3.8
    # the same for an index whose vectors are not centred (fewer than center_min_docs):
    # centring shifts the dense standout by +0.48 on average (1,000 CSL queries), so the
    # centred centre is the raw one + 0.5 and the labels keep their meaning
    conf_centre_raw: float = 3.3
    conf_slope: float = 3.0
    # the centres above were calibrated on searches over this many candidates; a search over
    # n candidates moves its centre by how much chance alone raises the best scores of n
    # against this many (see chance_standout)
    conf_reference_docs: int = 2000
    # coherence of the best coherence_k hits (z against random pairs), counted when the dense
    # search ranked at least coherence_min_candidates documents (below, the best 10 are a
    # large share of everything and look alike less by construction)
    coherence_k: int = 10
    coherence_min_candidates: int = 200
    # ... weighted so, with the centre moved by w × 2 (the typical coherence: 2.0 on CCF,
    # 2.6 on CSL), which leaves the 1,000 CSL queries' labels where they were
    conf_w_coherence: float = 0.5
    conf_coherence_shift: float = 1.0
    lex_conf_centre: float = 0.35
    lex_conf_slope: float = 8.0
    high: float = 0.7
    low: float = 0.4
    # dense vectors are centred on the corpus mean once this many documents have one
    center_min_docs: int = 200
    # ... and, in a centred index, each kind on its own mean once it holds this many vectors:
    # a mean taken over 20–100 random papers serves the other papers as well as theirs (CCF
    # 0.64–0.69 against 0.675), one taken over enterprise profiles does not (0.611)
    kind_center_min_docs: int = 50
    # a kind's mean is taken again once the kind has grown fourfold since, until it rests on
    # this many documents
    kind_center_stable_docs: int = 2000
    # a search asking for some kinds is standardised against them when they hold this many
    scope_min_docs: int = 50


def z_stats(x: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation to standardise scores with (sd 1 when they are all alike)."""
    if x.size == 0:
        return 0.0, 1.0
    mu = float(x.mean())
    sd = float(x.std())
    return mu, sd if sd > 1e-9 else 1.0


def fuse(
    lexical: np.ndarray,
    lex_stats: tuple[float, float],
    dense: np.ndarray | None = None,
    dense_stats: tuple[float, float] = (0.0, 1.0),
    *,
    w_lexical: float,
    dense_only: bool = False,
) -> np.ndarray:
    """One score per pool document: BM25 and cosine, each standardised, mixed by ``w_lexical``.

    Why z-scores: BM25 and cosines live on unrelated scales; standardised against the
    corpus (``*_stats``: mean, sd) they can be added.  ``dense`` None: lexical only.
    """
    lex_mu, lex_sd = lex_stats
    if dense is None:
        return (lexical - lex_mu) / lex_sd
    d_mu, d_sd = dense_stats
    zd = (dense - d_mu) / d_sd
    if dense_only:
        return zd
    zl = (lexical - lex_mu) / lex_sd
    return w_lexical * zl + (1 - w_lexical) * zd
