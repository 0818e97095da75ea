"""How sure a search is that something fits: its signals and the model that weighs them.

Why its own module: the signals (key-term coverage, how far the best hits stand out, how
alike they are) and the calibrated sigmoid over them (docs/matching.md) are the other place,
beside fusion.py, that a learned model would replace; the index only measures the inputs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

from .fusion import FusionConfig
from .lexical import LexicalIndex, Vocabulary
from .text import Tokenizer

__all__ = [
    "chance_standout",
    "coherence",
    "confidence_label",
    "coverage",
    "key_terms",
    "score_confidence",
    "search_signals",
    "sigmoid",
]

HEAD_RE = re.compile(r"\s*([^。！？!?；;\n]{2,60})[。！？!?；;\n]")
_NORMAL = NormalDist()


def sigmoid(x: float) -> float:
    """Logistic function, clipped so extreme evidence cannot overflow ``exp``."""
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def chance_standout(n: int, m: int = 5) -> float:
    """Expected mean z of the best ``m`` of ``n`` scores when nothing fits (normal order statistics).

    Why: the best of many unrelated documents stands out by chance, more so the more there
    are (≈ √(2 ln n)).  A dense standout of 2.2 is remarkable among 60 demands and ordinary
    among 2,000 papers; subtracting this expectation makes the confidence of searches over
    different numbers of candidates comparable.  Blom's approximation of the expected order
    statistics; on the CSL papers the no-answer CCF demands' standout grows with corpus size
    as this predicts (docs/matching.md).
    """
    m = min(m, n)
    if m <= 0:
        return 0.0
    return sum(_NORMAL.inv_cdf((n - i + 1 - 0.375) / (n + 0.25)) for i in range(1, m + 1)) / m


def key_terms(
    query: str, tokenizer: Tokenizer, vocab: Vocabulary, lexical: LexicalIndex, n_docs: int
) -> dict[int, float]:
    """Key terms of a query as {token id: idf} (``n_docs``: documents in the index).

    Long texts (demands) usually open with a short title sentence that names the
    need; its terms are the key terms.  Otherwise all query terms count.
    """
    head = query
    m = HEAD_RE.match(query)
    if len(query) > 80 and m:
        head = m.group(1)
    n_docs = max(n_docs, 1)
    out: dict[int, float] = {}
    unknown = 0
    for t in dict.fromkeys(tokenizer.tokens(head)):
        tid = vocab.ids.get(t)
        if tid is None:  # unknown to the corpus: counts against coverage
            unknown += 1
            out[-unknown] = math.log(1 + n_docs + 0.5)
        else:
            out[tid] = lexical.idf_of(tid) or math.log(1 + n_docs)
    return out


def coverage(key: dict[int, float], tokens: np.ndarray | None) -> float:
    """Share of the key terms' idf that a document (its ``tokens``) contains."""
    total = sum(key.values())
    if total <= 0:
        return 0.0
    if tokens is None or not len(tokens):
        return 0.0
    present = set(np.intersect1d(np.fromiter(key.keys(), np.int64), tokens).tolist())
    return sum(w for t, w in key.items() if t in present) / total


def search_signals(
    key: dict[int, float],
    top_tokens: Sequence[np.ndarray | None],
    top_lexical: Sequence[float],
    lex_stats: tuple[float, float],
    dense_best: np.ndarray,
    dense_stats: tuple[float, float],
    n_dense: int = 0,
) -> dict[str, float]:
    """Evidence for confidence: key-term coverage and how far the best stand out.

    ``top_tokens``/``top_lexical``: tokens and BM25 of the best hits (best first, ≤ 5);
    ``dense_best``: the dense search's best cosines over ``n_dense`` candidates.
    """
    if not top_tokens:
        return {}
    lex_mu, lex_sd = lex_stats
    best_coverage = max(coverage(key, toks) for toks in top_tokens)
    lex_out = float(np.mean([(lex - lex_mu) / lex_sd for lex in top_lexical]))
    sig = {"coverage": round(best_coverage, 4), "lexical_standout": round(lex_out, 4)}
    if len(dense_best):
        d_mu, d_sd = dense_stats
        top5 = dense_best[:5]
        sig["dense_standout"] = round(float((top5.mean() - d_mu) / d_sd), 4)
        sig["dense_top"] = round(float(top5[0]), 4)
        sig["dense_candidates"] = n_dense
    return sig


def coherence(vecs: np.ndarray, pair_stats: tuple[float, float]) -> float | None:
    """How much more alike the best hits are than two documents of the scope taken at random (z).

    Why: a query the library can answer pulls up documents about one topic; a demand
    with nothing behind it gathers the nearest document to each of its parts, which
    have little in common (He, Larson & de Rijke 2008, coherence as a predictor of
    query difficulty).  ``pair_stats``: mean and sd of the cosine of random pairs.
    Measured in docs/matching.md.
    """
    if len(vecs) < 3:
        return None
    mu, sd = pair_stats
    return float(((vecs @ vecs.T)[np.triu_indices(len(vecs), 1)].mean() - mu) / sd)


def score_confidence(sig: dict[str, float], f: FusionConfig, *, centred: bool) -> float:
    """Calibrated probability that the result holds something that fits (0 without signals).

    ``centred``: the index's vectors are centred on a mean (its calibration differs).
    """
    if not sig:
        return 0.0
    if "dense_standout" in sig:
        evidence = sig["dense_standout"] + f.conf_w_cov * sig["coverage"]
        centre = f.conf_centre if centred else f.conf_centre_raw
        n_dense = int(sig.get("dense_candidates", f.conf_reference_docs))
        centre += chance_standout(n_dense) - chance_standout(f.conf_reference_docs)
        if "coherence" in sig:
            evidence += f.conf_w_coherence * sig["coherence"]
            centre += f.conf_coherence_shift
        return sigmoid(f.conf_slope * (evidence - centre))
    return sigmoid(f.lex_conf_slope * (sig["coverage"] - f.lex_conf_centre))


def confidence_label(conf: float, f: FusionConfig) -> str:
    """高/中/低 for a confidence, by the config's thresholds."""
    return "高" if conf >= f.high else "中" if conf >= f.low else "低"
