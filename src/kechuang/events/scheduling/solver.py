"""Public entry points: ``schedule``, ``replan``, ``greedy``.

Priorities are exact (lexicographic), solved phase by phase by :mod:`.engine`:

* ``schedule``: (1) as many accepted meetings as possible, (2) maximum total value.
* ``replan``: (1) accepted meetings, (2) previously announced meetings kept, (3) fewest of
  them moved to another slot, (4) value of meetings added into freed room.

Both are warm-started from a greedy schedule and never return anything worse than it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np

from .core import Index, State, assign_tables, explain, greedy_fill, priority_order, run_greedy, score
from .engine import Phase, Problem
from .lp import relaxation_bound
from .model import VALUE_SCALE, Instance, Placement, ScheduleResult

SlotOf = dict[int, int]
PreviousAssignment = Mapping[str, Placement | tuple[int, int] | int]


def _fill(idx: Index, slot_of: Mapping[int, int]) -> SlotOf:
    """Add whatever still fits without moving anyone (zero-value meetings, time-outs)."""
    state = State(idx)
    for m, s in slot_of.items():
        state.place(m, s)
    greedy_fill(state, priority_order(idx, (m for m in range(len(idx.reqs)) if m not in slot_of)))
    return state.slot_of


def _value(idx: Index, slot_of: Mapping[int, int]) -> float:
    return round(float(sum(idx.reqs[m].value for m in slot_of)), 6)


def _accepted(idx: Index, slot_of: Mapping[int, int]) -> int:
    return sum(1 for m in slot_of if idx.accepted[m])


def _result(
    idx: Index,
    slot_of: Mapping[int, int],
    *,
    previous: Mapping[str, Placement] | None,
    lp: float | None,
    baseline: Mapping[int, int],
    phase_bound: float | None,
    status: str,
    started: float,
    log: list[dict[str, object]],
) -> ScheduleResult:
    placed = assign_tables(idx, slot_of, previous)
    moves = dropped = table_changes = 0
    if previous is not None:
        for mid, old in previous.items():
            if mid not in idx.pos:
                continue  # cancelled
            new = placed.get(mid)
            if new is None:
                dropped += 1
            elif new.slot != old.slot:
                moves += 1
            elif new.table != old.table:
                table_changes += 1
    return ScheduleResult(
        placed=placed,
        unplaced=explain(idx, slot_of),
        value=_value(idx, slot_of),
        accepted_placed=_accepted(idx, slot_of),
        accepted_total=sum(idx.accepted),
        lp_bound=lp,
        greedy_value=_value(idx, baseline),
        greedy_accepted_placed=_accepted(idx, baseline),
        phase_bound=phase_bound,
        status=status,
        seconds=round(time.monotonic() - started, 3),
        moves=moves,
        dropped=dropped,
        added=sum(1 for mid in placed if previous is None or mid not in previous),
        table_changes=table_changes,
        phases=log,
    )


def greedy(instance: Instance) -> ScheduleResult:
    """The baseline on its own: accepted first (most constrained first), then by value, one pass."""
    started = time.monotonic()
    idx = Index(instance)
    slot_of = run_greedy(idx)
    return _result(
        idx,
        slot_of,
        previous=None,
        lp=None,
        baseline=slot_of,
        phase_bound=None,
        status="GREEDY",
        started=started,
        log=[],
    )


def _accepted_phase(prob: Problem) -> Phase:
    idx = prob.idx
    members = [m for m in range(len(idx.reqs)) if idx.accepted[m] and idx.cand[m]]
    return Phase(
        "accepted",
        prob.count_vector(members),
        trivial=lambda: len(members),
        strengthen=lambda: prob.place(members),
    )


def _value_phase(prob: Problem) -> Phase:
    idx = prob.idx
    vec = np.array([idx.vint[m] for m, _ in prob.cols], dtype=np.int64)
    everything = sum(idx.vint[m] for m in range(len(idx.reqs)) if idx.cand[m])
    return Phase("value", vec, trivial=lambda: everything)


def schedule(
    instance: Instance,
    *,
    time_limit_s: float = 25,
    seed: int = 0,
    workers: int = 1,
) -> ScheduleResult:
    """Place as many accepted meetings as possible, then maximise the value of the rest.

    ``time_limit_s`` covers the whole call. ``lp_bound`` in the result is the LP bound of the
    value phase, i.e. for schedules with at least as many accepted meetings as this one.
    ``seed`` drives CP-SAT and the neighbourhood choice; with ``workers=1`` (default) the same
    seed gives the same schedule whenever the solve finishes within the time limit.
    ``workers > 1`` runs CP-SAT's parallel portfolio: stronger on hard models, not repeatable.
    """
    started = time.monotonic()
    deadline = started + time_limit_s
    idx = Index(instance)
    base = run_greedy(idx)
    prob = Problem(idx, seed=seed, workers=workers)
    phases = [_accepted_phase(prob), _value_phase(prob)]
    out = prob.run(phases, dict(base), deadline - min(1.0, 0.05 * time_limit_s))
    slot_of = _fill(idx, out.slot_of)
    status = "OPTIMAL" if out.proven else "FEASIBLE"
    if score(idx, base) > score(idx, slot_of):  # pragma: no cover - safety net, engine never regresses
        slot_of, status = dict(base), "GREEDY"
    bound = None if out.last_bound is None else out.last_bound / VALUE_SCALE
    return _result(
        idx,
        slot_of,
        previous=None,
        lp=bound,
        baseline=base,
        phase_bound=bound,
        status=status,
        started=started,
        log=out.log,
    )


def _normalise(previous: PreviousAssignment) -> dict[str, Placement]:
    out: dict[str, Placement] = {}
    for mid, where in previous.items():
        if isinstance(where, Placement):
            out[mid] = where
        elif isinstance(where, int):
            out[mid] = Placement(where, 0)
        else:
            out[mid] = Placement(where[0], where[1])
    return out


def replan(
    instance: Instance,
    previous_assignment: PreviousAssignment,
    *,
    time_limit_s: float = 10,
    seed: int = 0,
    workers: int = 1,
    with_lp_bound: bool = True,
) -> ScheduleResult:
    """Re-plan after late changes with as little disruption as possible.

    ``instance`` is the fair *after* the change (cancelled requests removed, a shrunken window,
    a no-show with no availability); ``previous_assignment`` maps meeting id to its old
    placement (or slot). ``moves`` counts announced meetings that changed slot, ``dropped``
    those that lost their place, ``added`` newly placed ones. ``greedy_value`` is the value of
    the naive repair (keep what is still valid, re-insert the rest greedily) that warm-starts
    the solver; ``lp_bound`` bounds a full re-optimisation (ignoring stability).
    """
    started = time.monotonic()
    deadline = started + time_limit_s
    idx = Index(instance)
    prev = _normalise(previous_assignment)
    prev_slot = {idx.pos[mid]: p.slot for mid, p in prev.items() if mid in idx.pos}
    live = [m for m in priority_order(idx, prev_slot) if idx.cand[m]]
    stay = [m for m in live if prev_slot[m] in idx.cand[m]]
    forced = len(live) - len(stay)

    state = State(idx)
    for m in stay:
        if state.fits(m, prev_slot[m]):
            state.place(m, prev_slot[m])
    greedy_fill(state, live)
    greedy_fill(state, priority_order(idx, range(len(idx.reqs))))
    base = dict(state.slot_of)

    prob = Problem(idx, seed=seed, workers=workers)
    all_kept = [False]

    def keep_all() -> None:
        all_kept[0] = True
        prob.place(live)

    def pin() -> None:
        # Nobody whose old slot is still possible moves: forbid every other slot for them.
        prob.forbid(j for m in stay for j in prob.of_meeting[m] if prob.cols[j][1] != prev_slot[m])

    moved = np.zeros(prob.n, dtype=np.int64)
    for m in live:
        for j in prob.of_meeting[m]:
            if prob.cols[j][1] != prev_slot[m]:
                moved[j] = -1
    phases = [
        _accepted_phase(prob),
        Phase("kept", prob.count_vector(live), trivial=lambda: len(live), strengthen=keep_all),
        # Moves ≥ forced ones once every announced meeting is kept; 0 is the floor otherwise.
        Phase("moves", moved, trivial=lambda: -forced if all_kept[0] else 0, strengthen=pin),
        _value_phase(prob),
    ]
    # Keep time for the (reported, not needed) bound of a full re-optimisation: ~1 s per 15k columns.
    reserve = min(1.0, 0.05 * time_limit_s) + (prob.n / 15_000 if with_lp_bound else 0.0)
    out = prob.run(phases, base, deadline - reserve)
    slot_of = _fill(idx, out.slot_of)
    status = "OPTIMAL" if out.proven else "FEASIBLE"
    lp = None
    if with_lp_bound and deadline - time.monotonic() > 0.2:
        lp = relaxation_bound(
            idx, min_accepted=_accepted(idx, slot_of), time_limit_s=deadline - time.monotonic()
        )
    return _result(
        idx,
        slot_of,
        previous=prev,
        lp=lp,
        baseline=base,
        phase_bound=None if out.last_bound is None else out.last_bound / VALUE_SCALE,
        status=status,
        started=started,
        log=out.log,
    )
