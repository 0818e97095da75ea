"""Learning the fusion from verdicts: pick the hybrid's weights by cross-validated nDCG@10.

Why a grid over the existing knobs and not a new model: the judged sets are small (50 shared demands,
and whatever staff, enterprises and experts have marked), the engine's signals are few (BM25, cosine,
the top hit's neighbours, its key terms) and the fusion is already a weighted sum of them. A grid over
those weights, chosen on the training folds and measured on the held-out fold (folds by query, so a
query never helps to grade itself), is the small learned ranker that such data can support; a new
model is adopted only when its cross-validated nDCG@10 beats the current one on the same queries.

Plain Python over a :class:`MatchIndex`: the command line, the platform and tests all call
:func:`fit_fusion`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .fusion import FusionConfig
from .index import ALL_AUDIENCES, MatchIndex
from .metrics import bootstrap_ci, ndcg_at_k

__all__ = [
    "DEFAULT_GRID",
    "LEARNED_FIELDS",
    "JudgedQuery",
    "LearnReport",
    "cross_validate",
    "fit_fusion",
    "learned_params",
    "model_version",
    "score_grid",
    "with_params",
]

# The fusion knobs a model sets (see FusionConfig); everything else stays as calibrated.
LEARNED_FIELDS = ("w_lexical", "w_neighbour", "w_expand")
DEFAULT_GRID: dict[str, tuple[float, ...]] = {
    "w_lexical": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6),
    "w_neighbour": (0.0, 0.25, 0.5, 1.0),
    "w_expand": (0.0, 0.5),
}
# Fewer queries with a positive judgment than this: nothing is fitted (folds of one or two queries
# would choose by chance).
MIN_QUERIES = 8


@dataclass(frozen=True)
class JudgedQuery:
    """One query with its graded documents (grade > 0 relevant; unjudged documents count as 0)."""

    qid: str
    text: str
    gains: Mapping[str, int]
    filters: Mapping[str, Any] | None = None
    audience: Collection[str] = frozenset({ALL_AUDIENCES})
    source: str = ""  # which judged set it comes from ("shared", "platform" …), for the report


@dataclass
class LearnReport:
    """What a fit measured and decided; ``to_dict`` is what `kechuang matching learn --json` prints."""

    queries: int
    queries_by_source: dict[str, int]
    judged_pairs: int
    current: dict[str, float]
    current_version: str
    current_ndcg: float
    cv_ndcg: float
    gain: float
    gain_ci95: list[float]
    folds: int
    best: dict[str, float]
    best_version: str
    best_ndcg_all: float
    fold_choices: list[dict[str, float]]
    adopted: bool
    reason: str
    configs: int
    per_query: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def learned_params(config: FusionConfig) -> dict[str, float]:
    return {name: float(getattr(config, name)) for name in LEARNED_FIELDS}


def with_params(config: FusionConfig, params: Mapping[str, float]) -> FusionConfig:
    """``config`` with the learned fields of ``params`` (other keys ignored)."""
    known: dict[str, Any] = {k: float(v) for k, v in params.items() if k in LEARNED_FIELDS}
    return dataclasses.replace(config, **known)


def model_version(params: Mapping[str, float]) -> str:
    """A short stable name for a set of learned weights (equal weights, equal version)."""
    canonical = json.dumps({k: round(float(params[k]), 6) for k in sorted(params)}, sort_keys=True)
    return "fusion-" + hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()[:10]


def _grid_configs(base: FusionConfig, grid: Mapping[str, Sequence[float]]) -> list[FusionConfig]:
    """The base first, then every grid point (the base's own point is not repeated)."""
    names = [n for n in LEARNED_FIELDS if n in grid]
    configs = [base]
    seen = {model_version(learned_params(base))}
    for values in itertools.product(*(grid[n] for n in names)):
        config = with_params(base, dict(zip(names, values, strict=True)))
        version = model_version(learned_params(config))
        if version not in seen:
            seen.add(version)
            configs.append(config)
    return configs


def score_grid(
    index: MatchIndex,
    queries: Sequence[JudgedQuery],
    configs: Sequence[FusionConfig],
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> np.ndarray:
    """nDCG@10 of every config (rows) on every query (columns), through the index's own search."""
    saved = index.fusion
    out = np.zeros((len(configs), len(queries)))
    index.embed_queries([q.text for q in queries])
    try:
        for ci, config in enumerate(configs):
            index.fusion = config
            for qi, q in enumerate(queries):
                res = index.search(q.text, k=10, filters=q.filters, audience=q.audience)
                out[ci, qi] = ndcg_at_k([h.id for h in res.hits], q.gains, 10)
            if progress is not None:
                progress("learn", ci + 1, len(configs))
    finally:
        index.fusion = saved
    return out


def cross_validate(scores: np.ndarray, *, folds: int = 5, seed: int = 0) -> tuple[np.ndarray, list[int]]:
    """Held-out nDCG of choosing the config by the training folds: per query, and the choice per fold.

    Row 0 is the current config; ties go to the lower row, so the current one wins a draw.
    """
    n = scores.shape[1]
    folds = max(2, min(folds, n))
    order = np.random.default_rng(seed).permutation(n)
    held = np.zeros(n)
    choices: list[int] = []
    for part in np.array_split(order, folds):
        train = np.setdiff1d(order, part)
        choice = int(np.argmax(scores[:, train].mean(axis=1)))
        choices.append(choice)
        held[part] = scores[choice, part]
    return held, choices


def fit_fusion(
    index: MatchIndex,
    queries: Sequence[JudgedQuery],
    *,
    base: FusionConfig | None = None,
    grid: Mapping[str, Sequence[float]] | None = None,
    folds: int = 5,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
    extra: Sequence[tuple[MatchIndex, Sequence[JudgedQuery]]] = (),
) -> LearnReport:
    """Fit the fusion weights on ``queries`` over ``index`` (plus ``extra`` sets over their own indexes).

    Queries without a relevant document are left out (nDCG is undefined for them). The new model is
    the grid point best on all queries; it is adopted only when choosing by the training folds beats
    the current config (``base``, default the index's own) on the held-out folds.
    """
    base = base or index.fusion
    configs = _grid_configs(base, grid or DEFAULT_GRID)
    sets = [(index, list(queries)), *((i, list(q)) for i, q in extra)]
    kept: list[JudgedQuery] = []
    blocks: list[np.ndarray] = []
    for idx, qs in sets:
        usable = [q for q in qs if any(g > 0 for g in q.gains.values())]
        if not usable:
            continue
        # each set is searched with the same weights; the rest of its fusion stays its own
        own = [with_params(idx.fusion, learned_params(c)) for c in configs]
        blocks.append(score_grid(idx, usable, own, progress=progress))
        kept.extend(usable)
    current = learned_params(base)
    current_version = model_version(current)
    by_source: dict[str, int] = {}
    for q in kept:
        by_source[q.source or "judged"] = by_source.get(q.source or "judged", 0) + 1
    pairs = sum(len(q.gains) for q in kept)
    common: dict[str, Any] = {
        "queries": len(kept),
        "queries_by_source": by_source,
        "judged_pairs": pairs,
        "current": current,
        "current_version": current_version,
        "configs": len(configs),
    }
    if len(kept) < MIN_QUERIES:
        return LearnReport(
            **common,
            current_ndcg=0.0,
            cv_ndcg=0.0,
            gain=0.0,
            gain_ci95=[0.0, 0.0],
            folds=0,
            best=current,
            best_version=current_version,
            best_ndcg_all=0.0,
            fold_choices=[],
            adopted=False,
            reason=(
                f"有相关评判的查询只有 {len(kept)} 条（至少需要 {MIN_QUERIES} 条），未拟合，沿用当前模型。"
            ),
        )
    scores = np.concatenate(blocks, axis=1)
    held, choices = cross_validate(scores, folds=folds, seed=seed)
    current_scores = scores[0]
    gaps = held - current_scores
    best = int(np.argmax(scores.mean(axis=1)))
    cv, cur = float(held.mean()), float(current_scores.mean())
    adopted = cv > cur + 1e-9 and best != 0
    if adopted:
        reason = f"交叉验证 nDCG@10 {cv:.4f} 高于当前模型的 {cur:.4f}，采用新模型。"
    elif best == 0:
        reason = f"当前模型在全部评判上已是网格中最好的（nDCG@10 {cur:.4f}），无需更换。"
    else:
        reason = (
            f"交叉验证 nDCG@10 {cv:.4f} 未高于当前模型的 {cur:.4f}"
            "（按训练折选出的权重在留出折上不更好），沿用当前模型。"
        )
    return LearnReport(
        **common,
        current_ndcg=round(cur, 4),
        cv_ndcg=round(cv, 4),
        gain=round(cv - cur, 4),
        gain_ci95=bootstrap_ci(list(gaps)),
        folds=len(choices),
        best=learned_params(configs[best]),
        best_version=model_version(learned_params(configs[best])),
        best_ndcg_all=round(float(scores[best].mean()), 4),
        fold_choices=[learned_params(configs[c]) for c in choices],
        adopted=adopted,
        reason=reason,
        per_query={
            q.qid: {"current": round(float(current_scores[i]), 4), "cv": round(float(held[i]), 4)}
            for i, q in enumerate(kept)
        },
    )
