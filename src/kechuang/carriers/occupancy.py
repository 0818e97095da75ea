"""Occupancy by carrier and month from leases: plain Python and numpy, no Django (benchmarked alone).

A unit counts as occupied in a month when a lease is in force on the month's last day (month-end
occupancy, as occupancy reports state it). A unit counts towards the carrier's lettable area from the
month it becomes available. Leases never overlap on a unit (the service refuses it), so adding leased
areas is exact. One pass: each lease adds its area at its first month-end and removes it after its last,
and a cumulative sum over months gives every carrier's leased area in O(leases + carriers × months).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_end(index: int) -> dt.date:
    year, month = divmod(index, 12)
    nxt = dt.date(year + (month == 11), (month + 1) % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def first_month_end_on_or_after(day: dt.date) -> int:
    """The index of the first month whose last day is on or after ``day`` (its own month)."""
    return month_index(day)


def last_month_end_on_or_before(day: dt.date) -> int:
    """The index of the last month whose last day is on or before ``day``."""
    index = month_index(day)
    return index if day == month_end(index) else index - 1


def last_day_in_force(ends_on: dt.date | None, ended_early_on: dt.date | None) -> dt.date | None:
    """A lease's last day: its end, or the day before an early move-out (None: open-ended)."""
    if ended_early_on is not None:
        day = ended_early_on - dt.timedelta(days=1)
        return min(day, ends_on) if ends_on else day
    return ends_on


@dataclass(frozen=True)
class Occupancy:
    months: list[dt.date]  # month ends
    carrier_ids: list[int]
    lettable_m2: np.ndarray  # carriers × months
    leased_m2: np.ndarray  # carriers × months
    units: np.ndarray  # carriers × months, units available
    units_leased: np.ndarray  # carriers × months

    @property
    def rate(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.lettable_m2 > 0, self.leased_m2 / self.lettable_m2, np.nan)


def monthly_occupancy(
    *,
    carrier_ids: list[int],
    units: list[tuple[int, int, float, dt.date | None]],  # (unit id, carrier id, area, available from)
    leases: list[tuple[int, dt.date, dt.date | None]],  # (unit id, starts on, last day in force or None)
    first: dt.date,
    last: dt.date,
) -> Occupancy:
    start, stop = month_index(first), month_index(last)
    n_months = stop - start + 1
    row_of = {c: i for i, c in enumerate(carrier_ids)}
    unit_row: dict[int, tuple[int, float]] = {}
    lettable = np.zeros((len(carrier_ids), n_months + 1))
    available = np.zeros((len(carrier_ids), n_months + 1))
    for unit_id, carrier_id, area, since in units:
        row = row_of.get(carrier_id)
        if row is None:
            continue
        unit_row[unit_id] = (row, area)
        k = 0 if since is None else max(0, first_month_end_on_or_after(since) - start)
        if k < n_months:
            lettable[row, k] += area
            available[row, k] += 1
    leased = np.zeros((len(carrier_ids), n_months + 1))
    occupied = np.zeros((len(carrier_ids), n_months + 1))
    rows, areas, begins, ends = [], [], [], []
    for unit_id, starts_on, until in leases:
        found = unit_row.get(unit_id)
        if found is None:
            continue
        a = max(first_month_end_on_or_after(starts_on) - start, 0)
        b = n_months - 1 if until is None else min(last_month_end_on_or_before(until) - start, n_months - 1)
        if a > b:
            continue
        rows.append(found[0])
        areas.append(found[1])
        begins.append(a)
        ends.append(b + 1)
    if rows:
        r, ar = np.array(rows), np.array(areas)
        np.add.at(leased, (r, np.array(begins)), ar)
        np.add.at(leased, (r, np.array(ends)), -ar)
        np.add.at(occupied, (r, np.array(begins)), 1)
        np.add.at(occupied, (r, np.array(ends)), -1)
    return Occupancy(
        months=[month_end(start + k) for k in range(n_months)],
        carrier_ids=list(carrier_ids),
        lettable_m2=np.cumsum(lettable, axis=1)[:, :n_months],
        leased_m2=np.cumsum(leased, axis=1)[:, :n_months],
        units=np.cumsum(available, axis=1)[:, :n_months],
        units_leased=np.cumsum(occupied, axis=1)[:, :n_months],
    )
