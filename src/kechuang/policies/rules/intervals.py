"""Three-valued arithmetic over many enterprises at once: every value is an interval [lo, hi] per row.

A known figure is the interval [x, x]; a missing one is what the figure could still be (an amount in
[0, ∞), a yes/no in [0, 1]). Arithmetic and comparisons keep the interval honest, so a condition is
decided only when every value the missing data could take decides it the same way: missing data is never
"not met", yet a firm whose known figures already settle the question gets its answer. Truth values are
intervals over {0, 1}: [1, 1] met, [0, 0] not met, [0, 1] cannot tell.

Columns are numpy arrays, so one pass evaluates a measure for the whole county.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INF = np.inf
#: Relative tolerance of comparisons: figures carry at most 2 decimals of 万元, ratios are compared far
#: below any reported precision, so 250 / 5000 is exactly "5%" however the floats round.
EPS = 1e-9


@dataclass(frozen=True, slots=True)
class Iv:
    """Per-row interval; ``lo == hi`` where the value is known."""

    lo: np.ndarray
    hi: np.ndarray

    @staticmethod
    def const(value: float, n: int) -> Iv:
        arr = np.full(n, float(value))
        return Iv(arr, arr)

    @staticmethod
    def column(values: np.ndarray, *, low: float = 0.0, high: float = INF) -> Iv:
        """A figure column with NaN where missing; missing rows become [low, high]."""
        missing = np.isnan(values)
        if not missing.any():
            return Iv(values, values)
        return Iv(np.where(missing, low, values), np.where(missing, high, values))

    @property
    def known(self) -> np.ndarray:
        return self.lo == self.hi

    def __len__(self) -> int:
        return len(self.lo)


def _tol(t: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return EPS * np.maximum(1.0, np.abs(np.where(np.isfinite(t), t, 0.0)))


def _clean(arr: np.ndarray, fill: float) -> np.ndarray:
    return np.where(np.isnan(arr), fill, arr)


def add(a: Iv, b: Iv) -> Iv:
    with np.errstate(invalid="ignore"):
        return Iv(_clean(a.lo + b.lo, -INF), _clean(a.hi + b.hi, INF))


def sub(a: Iv, b: Iv) -> Iv:
    with np.errstate(invalid="ignore"):
        return Iv(_clean(a.lo - b.hi, -INF), _clean(a.hi - b.lo, INF))


def neg(a: Iv) -> Iv:
    return Iv(-a.hi, -a.lo)


def _times(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Products where 0 × ∞ counts as 0 (interval arithmetic's convention)."""
    with np.errstate(invalid="ignore"):
        out = x * y
    return np.where(np.isnan(out), 0.0, out)


def mul(a: Iv, b: Iv) -> Iv:
    c = (_times(a.lo, b.lo), _times(a.lo, b.hi), _times(a.hi, b.lo), _times(a.hi, b.hi))
    return Iv(np.minimum.reduce(c), np.maximum.reduce(c))


def div(a: Iv, b: Iv) -> Iv:
    """a / b; where b may be 0 the quotient is unbounded (a ratio of a zero revenue is not a figure)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.stack([a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi])
    bad = np.isnan(c).any(axis=0) | ((b.lo <= 0) & (b.hi >= 0))
    lo = np.where(bad, -INF, np.nanmin(np.where(np.isnan(c), INF, c), axis=0))
    hi = np.where(bad, INF, np.nanmax(np.where(np.isnan(c), -INF, c), axis=0))
    return Iv(lo, hi)


def minimum(items: list[Iv]) -> Iv:
    return Iv(np.minimum.reduce([i.lo for i in items]), np.minimum.reduce([i.hi for i in items]))


def maximum(items: list[Iv]) -> Iv:
    return Iv(np.maximum.reduce([i.lo for i in items]), np.maximum.reduce([i.hi for i in items]))


def _truth(lo: np.ndarray, hi: np.ndarray) -> Iv:
    return Iv(lo.astype(float), hi.astype(float))


def compare(op: str, x: Iv, t: Iv) -> Iv:
    """Truth interval of ``x op t`` for op in >=, >, <=, <, ==, !=."""
    tol = _tol(np.where(np.isfinite(t.lo), t.lo, t.hi))
    if op == ">=":
        return _truth(x.lo >= t.hi - tol, x.hi >= t.lo - tol)
    if op == ">":
        return _truth(x.lo > t.hi + tol, x.hi > t.lo + tol)
    if op == "<=":
        return _truth(x.hi <= t.lo + tol, x.lo <= t.hi + tol)
    if op == "<":
        return _truth(x.hi < t.lo - tol, x.lo < t.hi - tol)
    if op in ("==", "!="):
        certain = x.known & t.known & (np.abs(x.lo - t.lo) <= tol)
        possible = (x.lo <= t.hi + tol) & (t.lo <= x.hi + tol)
        if op == "==":
            return _truth(certain, possible)
        return _truth(~possible, ~certain)
    raise ValueError(op)


def logical_and(items: list[Iv]) -> Iv:
    return minimum(items)


def logical_or(items: list[Iv]) -> Iv:
    return maximum(items)


def logical_not(a: Iv) -> Iv:
    return Iv(1.0 - a.hi, 1.0 - a.lo)


def where(cond: Iv, a: Iv, b: Iv) -> Iv:
    """``a`` where cond holds, ``b`` where it fails, the hull of both where it cannot be told."""
    yes, no = cond.lo >= 1, cond.hi <= 0
    lo = np.where(yes, a.lo, np.where(no, b.lo, np.minimum(a.lo, b.lo)))
    hi = np.where(yes, a.hi, np.where(no, b.hi, np.maximum(a.hi, b.hi)))
    return Iv(lo, hi)


def tier(x: Iv, table: list[tuple[float, float]], default: float, *, upward: bool) -> Iv:
    """Step function of a band table, on intervals.

    ``upward`` (tier_from): rows are (lower bound, value), a value ≥ bound earns it, the highest bound
    reached wins (the texts' "30%（含）以上"); otherwise (tier_upto) rows are (upper bound, value), a value
    ≤ bound earns it, the lowest bound reached wins ("5,000万元（含）以下"). Beyond every row: default.
    """
    rows = sorted(table, key=lambda r: r[0], reverse=upward)

    def value_at(v: np.ndarray) -> np.ndarray:
        out = np.full(len(v), float(default))
        decided = np.zeros(len(v), dtype=bool)
        for bound, val in rows:
            tol = EPS * max(1.0, abs(bound))
            hit = (v >= bound - tol) if upward else (v <= bound + tol)
            out = np.where(hit & ~decided, val, out)
            decided |= hit
        return out

    at_lo, at_hi = value_at(x.lo), value_at(x.hi)
    known = x.known
    # Between lo and hi every band in range may apply: take the hull of the values that can occur.
    lo_val = np.where(known, at_lo, np.minimum(at_lo, at_hi))
    hi_val = np.where(known, at_lo, np.maximum(at_lo, at_hi))
    for bound, val in rows:
        inside = ~known & (x.lo <= bound) & (bound <= x.hi)
        lo_val = np.where(inside, np.minimum(lo_val, val), lo_val)
        hi_val = np.where(inside, np.maximum(hi_val, val), hi_val)
    return Iv(lo_val, hi_val)
