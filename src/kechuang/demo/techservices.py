"""Demo data for the techservices app, written through its services (filled in by the techservices work)."""

from __future__ import annotations

import datetime as dt


def load_demo_techservices(*, seed: int, as_of: dt.date) -> dict[str, int]:
    return {}


def delete_demo_techservices() -> dict[str, int]:
    return {}
