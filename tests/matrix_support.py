"""Shared pieces of the permission matrix, so each domain app can keep its cases in tests/<app>/matrix.py.

An app's matrix module exposes `CASES: list[Case]` and `setup(world)` (adds the objects its cases need);
tests/test_permission_matrix.py collects them, so every route of every app is still checked by role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

ROLES = [
    "public",
    "bureau_admin",
    "bureau_staff",
    "township_officer",
    "enclave_operator",
    "enterprise",
    "expert",
    "investor",
]
BUREAU = {"bureau_admin", "bureau_staff"}
SIGNED_IN = set(ROLES) - {"public"}


def expect(
    allowed: set[str], *, ok: int = 200, scoped_out: set[str] = frozenset(), public_ok: bool = False
) -> dict[str, int]:  # type: ignore[assignment]
    result = {}
    for role in ROLES:
        if role == "public" and not public_ok:
            result[role] = 302
        elif role in scoped_out:
            result[role] = 404
        elif role in allowed or (role == "public" and public_ok):
            result[role] = ok
        else:
            result[role] = 403
    return result


EVERYONE_200 = {r: 200 for r in ROLES}


@dataclass
class Case:
    name: str
    url: Callable[[Any], str]
    expected: dict[str, int]
    method: str = "get"
    data: dict[str, str] | None = None


def u(name: str, *args: Callable[[Any], Any]) -> Callable[[Any], str]:
    return lambda w: reverse(name, args=[a(w) for a in args])


REDIRECT_HOME = {r: 302 for r in ROLES} | {"public": 200}
