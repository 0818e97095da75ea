"""Demo data for the carriers app, written through its services (filled in by the carriers work)."""

from __future__ import annotations

import datetime as dt


def load_demo_carriers(*, seed: int, as_of: dt.date) -> dict[str, int]:
    return {}


def delete_demo_carriers() -> dict[str, int]:
    return {}
