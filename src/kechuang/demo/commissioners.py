"""Demo data for the commissioners app, written through its services."""

from __future__ import annotations

import datetime as dt


def load_demo_commissioners(*, seed: int, as_of: dt.date) -> dict[str, int]:
    return {}


def delete_demo_commissioners() -> dict[str, int]:
    return {}
