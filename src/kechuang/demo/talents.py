"""Demo data for the talents app, written through its services."""

from __future__ import annotations

import datetime as dt


def load_demo_talents(*, seed: int, as_of: dt.date) -> dict[str, int]:
    return {}


def delete_demo_talents() -> dict[str, int]:
    return {}
