"""Working-day arithmetic with configurable public holidays and make-up working days (调休)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping


def is_workday(day: dt.date, overrides: Mapping[dt.date, bool]) -> bool:
    """`overrides[day]` is True for a make-up working day, False for a holiday; else Mon–Fri work."""
    if day in overrides:
        return overrides[day]
    return day.weekday() < 5


def add_workdays(start: dt.date, days: int, overrides: Mapping[dt.date, bool]) -> dt.date:
    """The date `days` working days after `start` (start itself not counted)."""
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_workday(current, overrides):
            remaining -= 1
    return current


def workdays_between(start: dt.date, end: dt.date, overrides: Mapping[dt.date, bool]) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_workday(current, overrides):
            count += 1
    return count
