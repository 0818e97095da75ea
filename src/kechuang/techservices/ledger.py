"""Pure computation for technology services (no Django): booking hours and fees, booking clashes and the
words that name them, the week calendar, days a case stays open, and a reference summary of the service
ledger (the database aggregates in selectors.ledger_figures must agree with it; the tests check that).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MAX_BOOKING_HOURS = Decimal(24 * 31)


def hours_between(starts_at: dt.datetime, ends_at: dt.datetime) -> Decimal:
    """Booked hours, to the hundredth of an hour."""
    seconds = Decimal(int((ends_at - starts_at).total_seconds()))
    return (seconds / Decimal(3600)).quantize(CENT, rounding=ROUND_HALF_UP)


def booking_fee(starts_at: dt.datetime, ends_at: dt.datetime, fee_yuan_per_hour: Decimal) -> Decimal:
    """Fee in yuan = exact booked time × hourly fee, rounded to the fen once (not via rounded hours)."""
    seconds = Decimal(int((ends_at - starts_at).total_seconds()))
    return (seconds * fee_yuan_per_hour / Decimal(3600)).quantize(CENT, rounding=ROUND_HALF_UP)


def overlaps(a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime) -> bool:
    """Half-open periods [start, end): one ending at 12:00 and the next starting at 12:00 do not clash."""
    return a_start < b_end and b_start < a_end


def first_clash(
    starts_at: dt.datetime, ends_at: dt.datetime, taken: Iterable[tuple[dt.datetime, dt.datetime]]
) -> tuple[dt.datetime, dt.datetime] | None:
    """The earliest taken period overlapping the new one, or None."""
    hits = sorted(p for p in taken if overlaps(starts_at, ends_at, p[0], p[1]))
    return hits[0] if hits else None


def period_text(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """2025年3月1日 09:00–12:00, or 2025年3月1日 09:00–3月2日 12:00 across days (local times expected)."""
    head = f"{starts_at.year}年{starts_at.month}月{starts_at.day}日 {starts_at:%H:%M}"
    if ends_at.date() == starts_at.date():
        return f"{head}–{ends_at:%H:%M}"
    if ends_at.year == starts_at.year:
        return f"{head}–{ends_at.month}月{ends_at.day}日 {ends_at:%H:%M}"
    return f"{head}–{ends_at.year}年{ends_at.month}月{ends_at.day}日 {ends_at:%H:%M}"


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_days(any_day: dt.date) -> list[dt.date]:
    """The seven days (Monday first) of the week holding `any_day`."""
    start = monday_of(any_day)
    return [start + dt.timedelta(days=i) for i in range(7)]


def days_touched(starts_at: dt.datetime, ends_at: dt.datetime) -> list[dt.date]:
    """Every calendar day a booking occupies (an end at exactly midnight does not touch the next day)."""
    last = (ends_at - dt.timedelta(microseconds=1)).date()
    day, out = starts_at.date(), []
    while day <= last:
        out.append(day)
        day += dt.timedelta(days=1)
    return out


def days_open(intake_on: dt.date, closed_on: dt.date | None, today: dt.date) -> int:
    """Days from intake to closing (or to today while still open); never negative."""
    return max(((closed_on or today) - intake_on).days, 0)


@dataclass(frozen=True)
class ClaimRow:
    """One ledger row as the summary needs it."""

    enterprise_id: int
    provider_kind: str
    status: str
    value_wan: Decimal
    solved: bool


def summarise(rows: Sequence[ClaimRow], labels: dict[str, str]) -> dict[str, object]:
    """The ledger figures computed row by row: the reference the database aggregates are checked against."""
    confirmed = [r for r in rows if r.status == "confirmed"]
    pending = [r for r in rows if r.status == "claimed"]
    by_kind: dict[str, list[ClaimRow]] = {}
    for r in confirmed:
        by_kind.setdefault(r.provider_kind, []).append(r)
    return {
        "confirmed_visits": len(confirmed),
        "confirmed_firms": len({r.enterprise_id for r in confirmed}),
        "solved_problems": sum(1 for r in confirmed if r.solved),
        "value_wan": sum((r.value_wan for r in confirmed), Decimal(0)),
        "pending_visits": len(pending),
        "pending_value_wan": sum((r.value_wan for r in pending), Decimal(0)),
        "disputed_visits": sum(1 for r in rows if r.status == "disputed"),
        "by_provider_kind": [
            {
                "kind": kind,
                "label": labels.get(kind, kind),
                "visits": len(group),
                "value_wan": sum((r.value_wan for r in group), Decimal(0)),
            }
            for kind, group in sorted(by_kind.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ],
    }
