"""Permission cases for the commissioners app's routes (collected by tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any

from tests.matrix_support import Case

CASES: list[Case] = []


def setup(world: Any) -> None:
    """Add the objects these cases need to the shared matrix world."""
