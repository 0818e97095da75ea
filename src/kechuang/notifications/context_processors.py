"""The unread count shown beside 站内通知 in the side navigation."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest

from kechuang.notifications import selectors


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """A callable, so the indexed count runs only where a template shows it (the side navigation)."""
    principal = getattr(request, "principal", None)
    user_id = getattr(principal, "user_id", None)
    return {"unread_notifications": functools.partial(selectors.unread_count, user_id=user_id)}
