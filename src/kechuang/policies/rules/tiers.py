"""Tier cultivation (梯度培育): who stands on which rung of the ladder, and who is closest to the next.

A firm's rung is the highest step whose qualification it holds on the evaluation day (−1: not yet on the
ladder). The candidates for a step are the firms on the rung below, ranked by how little they lack under
that step's measure: fewest conditions not met, then the smallest summed relative gap, then the fewest
conditions the data cannot decide. Missing data is counted apart, never as a gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .evaluate import NOT_MET, UNKNOWN, evaluate_conditions
from .inputs import Facts, FactTable
from .library import Library, TierStep

#: A candidate failing at most this many conditions is counted as "close" (接近) in the pipeline.
CLOSE_UNMET = 1


@dataclass(frozen=True)
class TierCandidate:
    """One firm's distance to a step; ``row`` indexes the facts list the caller gave."""

    row: int
    unmet: int
    unknown: int
    gap: float
    unmet_ids: tuple[str, ...]
    unknown_ids: tuple[str, ...]

    @property
    def ready(self) -> bool:
        """Meets every condition already: the firm should apply (or be certified) now."""
        return self.unmet == 0 and self.unknown == 0


def holds_any(facts: Facts, kinds: Sequence[str], day: dt.date | None = None) -> bool:
    on = day or facts.as_of
    return any(
        q.kind in kinds
        and (q.valid_from is None or q.valid_from <= on)
        and (q.valid_until is None or q.valid_until >= on)
        for q in facts.qualifications
    )


def rung_of(facts: Facts, steps: Sequence[TierStep]) -> int:
    for i in range(len(steps) - 1, -1, -1):
        if holds_any(facts, steps[i].holds):
            return i
    return -1


def step_index(library: Library, step_id: str) -> int:
    for i, step in enumerate(library.tiers):
        if step.id == step_id:
            return i
    raise KeyError(step_id)


def tier_candidates(
    library: Library, facts: Sequence[Facts], step_id: str, *, data_year: int | None = None
) -> list[TierCandidate]:
    """The firms on the rung below ``step_id``, closest first."""
    index = step_index(library, step_id)
    rows = [r for r, f in enumerate(facts) if rung_of(f, library.tiers) == index - 1]
    if not rows:
        return []
    table = FactTable([facts[r] for r in rows], data_year=data_year)
    columns = evaluate_conditions(library, table, library.tiers[index].measure_id)
    results = np.stack([c.results for c in columns])  # conditions × firms
    unmet = (results == NOT_MET).sum(axis=0)
    unknown = (results == UNKNOWN).sum(axis=0)
    gap = np.stack([c.relative_gap for c in columns]).sum(axis=0)
    ids = [c.condition.id for c in columns]
    order = np.lexsort((unknown, np.round(gap, 9), unmet))
    return [
        TierCandidate(
            row=rows[j],
            unmet=int(unmet[j]),
            unknown=int(unknown[j]),
            gap=float(gap[j]),
            unmet_ids=tuple(ids[k] for k in range(len(ids)) if results[k, j] == NOT_MET),
            unknown_ids=tuple(ids[k] for k in range(len(ids)) if results[k, j] == UNKNOWN),
        )
        for j in order
    ]


@dataclass(frozen=True)
class PipelineStep:
    step: TierStep
    holding: int  # firms on this rung (holding its qualification, not a higher one)
    candidates: int  # firms on the rung below
    ready: int  # candidates meeting every condition already
    close: int  # candidates failing at most CLOSE_UNMET conditions (ready ones included)


def tier_pipeline(
    library: Library, facts: Sequence[Facts], *, data_year: int | None = None
) -> tuple[int, list[PipelineStep]]:
    """Firms not yet on the ladder, then per step: holding, candidates, ready and close."""
    rungs = [rung_of(f, library.tiers) for f in facts]
    out = []
    for i, step in enumerate(library.tiers):
        ranked = tier_candidates(library, facts, step.id, data_year=data_year)
        out.append(
            PipelineStep(
                step=step,
                holding=sum(1 for r in rungs if r == i),
                candidates=len(ranked),
                ready=sum(1 for c in ranked if c.ready),
                close=sum(1 for c in ranked if c.unmet <= CLOSE_UNMET),
            )
        )
    return sum(1 for r in rungs if r == -1), out


__all__ = [
    "CLOSE_UNMET",
    "PipelineStep",
    "TierCandidate",
    "holds_any",
    "rung_of",
    "step_index",
    "tier_candidates",
    "tier_pipeline",
]
