"""Actions and side navigation of this app, declared to kechuang.core.access at start-up."""

from __future__ import annotations

from kechuang.core.access import register_actions, register_nav


def register() -> None:
    register_actions({})
    register_nav([])
