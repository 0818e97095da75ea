"""Actions and side navigation of carriers and parks, declared to kechuang.core.access at start-up.

The bureau manages carriers and park projects; a township officer sees those in its township (others
are 404); an enterprise sees its own leases (我的入驻).
"""

from __future__ import annotations

from django.db.models import Q

from kechuang.core.access import BUREAU, Principal, Role, register_actions, register_nav, register_scope

NOTHING = Q(pk__in=[])


def township_q(principal: Principal) -> Q:
    return Q(township_id=principal.township_id) if principal.township_id else NOTHING


def register() -> None:
    register_actions(
        {
            "carrier.view": BUREAU | {Role.TOWNSHIP_OFFICER},
            "carrier.manage": BUREAU,
            "carrier.my_leases": frozenset({Role.ENTERPRISE}),
            "park.view": BUREAU | {Role.TOWNSHIP_OFFICER},
            "park.manage": BUREAU,
        }
    )
    register_scope("carrier", {Role.TOWNSHIP_OFFICER: township_q}, {"carrier.view": "carrier"})
    register_scope("park", {Role.TOWNSHIP_OFFICER: township_q}, {"park.view": "park"})
    register_nav(
        [
            ("carriers:list", "创新载体", "⌂", "carrier.view"),
            ("carriers:park_list", "园区项目", "▧", "park.view"),
            ("carriers:my_leases", "我的入驻", "⌂", "carrier.my_leases"),
        ]
    )
