"""Demo data for the finance app, written through its services (filled in by the finance work)."""

from __future__ import annotations

import datetime as dt


def load_demo_finance(*, seed: int, as_of: dt.date) -> dict[str, int]:
    return {}


def delete_demo_finance() -> dict[str, int]:
    return {}
