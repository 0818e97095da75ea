"""LP relaxation (HiGHS via scipy) of the slot-assignment model.

The bound is what turns "≥ 95 % of optimal" into a proven statement rather than a comparison
with another heuristic: no schedule can beat it. The solver also uses the LP solution as a
guide (variables the LP sets to exactly 0 or 1 are fixed for CP-SAT, see ``solver``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix, csr_matrix, vstack

from .core import Index
from .model import Instance

Cols = Sequence[tuple[int, int]]


def columns(idx: Index) -> list[tuple[int, int]]:
    """One column per (meeting, allowed slot), in the order both solvers use."""
    return [(m, s) for m in range(len(idx.reqs)) for s in idx.cand[m]]


def base_rows(idx: Index, cols: Cols) -> tuple[csr_matrix, np.ndarray]:
    """A_ub, b_ub of the hard constraints (meeting once, person once per slot, tables, caps)."""
    rows: list[int] = []
    cidx: list[int] = []
    rhs: list[float] = []
    per_meeting: dict[int, list[int]] = {}
    per_person_slot: dict[tuple[str, int], list[int]] = {}
    per_slot: dict[int, list[int]] = {}
    per_person: dict[str, list[int]] = {}
    for j, (m, s) in enumerate(cols):
        per_meeting.setdefault(m, []).append(j)
        per_slot.setdefault(s, []).append(j)
        for p in idx.pair(m):
            per_person_slot.setdefault((p, s), []).append(j)
            per_person.setdefault(p, []).append(j)

    def add(members: list[int], bound: float) -> None:
        rows.extend([len(rhs)] * len(members))
        cidx.extend(members)
        rhs.append(bound)

    for members in per_meeting.values():
        if len(members) > 1:
            add(members, 1.0)
    for members in per_person_slot.values():
        if len(members) > 1:
            add(members, 1.0)
    for s, members in per_slot.items():
        if len(members) > idx.tables[s]:
            add(members, float(idx.tables[s]))
    for p, members in per_person.items():
        if len(members) > idx.cap[p]:
            add(members, float(idx.cap[p]))
    a = coo_matrix((np.ones(len(rows)), (rows, cidx)), shape=(len(rhs), len(cols))).tocsr()
    return a, np.array(rhs, dtype=float)


def solve_lp(
    objective: np.ndarray,
    a_ub: csr_matrix,
    b_ub: np.ndarray,
    a_eq: csr_matrix | None = None,
    b_eq: np.ndarray | None = None,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    time_limit_s: float | None = None,
) -> tuple[float, np.ndarray] | None:
    """max objective·x over the relaxation; (bound, x), or ``None`` if out of time."""
    n = objective.size
    if n == 0:
        return 0.0, np.zeros(0)
    lo = np.zeros(n) if lower is None else lower
    hi = np.ones(n) if upper is None else upper
    res = linprog(
        -objective,
        A_ub=a_ub if a_ub.shape[0] else None,
        b_ub=b_ub if a_ub.shape[0] else None,
        A_eq=a_eq if a_eq is not None and a_eq.shape[0] else None,
        b_eq=b_eq if a_eq is not None and a_eq.shape[0] else None,
        bounds=np.column_stack([lo, hi]),
        method="highs",
        options={} if time_limit_s is None else {"time_limit": max(0.1, time_limit_s)},
    )
    if res.status == 1:
        return None
    if res.status != 0:
        raise RuntimeError(f"HiGHS could not solve the relaxation: {res.message}")
    return float(-res.fun), np.asarray(res.x)


def lp_bound(instance: Instance, *, min_accepted: int | None = None, integral: bool = False) -> float:
    """Upper bound on the total value of any schedule placing ≥ ``min_accepted`` accepted meetings.

    With ``min_accepted=None`` the bound holds for every schedule. ``integral=True`` solves the
    MILP with HiGHS instead (the exact optimum; the tests use it to check CP-SAT's answers).
    """
    bound = relaxation_bound(Index(instance), min_accepted=min_accepted, integral=integral)
    assert bound is not None
    return bound


def relaxation_bound(
    idx: Index, *, min_accepted: int | None = None, integral: bool = False, time_limit_s: float | None = None
) -> float | None:
    """:func:`lp_bound` on an existing index; ``None`` when HiGHS runs out of ``time_limit_s``."""
    cols = columns(idx)
    if not cols:
        return 0.0
    values = np.array([idx.reqs[m].value for m, _ in cols], dtype=float)
    a_ub, b_ub = base_rows(idx, cols)
    if min_accepted:
        acc = np.array([-1.0 if idx.accepted[m] else 0.0 for m, _ in cols])
        a_ub = vstack([a_ub, csr_matrix(acc)]).tocsr()
        b_ub = np.append(b_ub, -float(min_accepted))
    if not integral:
        solved = solve_lp(values, a_ub, b_ub, time_limit_s=time_limit_s)
        return None if solved is None else solved[0]
    res = milp(
        -values,
        constraints=[LinearConstraint(a_ub, -np.inf, b_ub)] if b_ub.size else [],
        integrality=np.ones(len(cols)),
        bounds=Bounds(0, 1),
        options={} if time_limit_s is None else {"time_limit": time_limit_s},
    )
    if res.status == 1:
        return None
    if res.status != 0:
        raise RuntimeError(f"HiGHS could not solve the MILP: {res.message}")
    return float(-res.fun)
