"""Actions, row rules and side navigation of 科技特派员, declared to kechuang.core.access at start-up.

- The registry: the bureau and township officers read every commissioner (they match and assign from
  it); an expert reads only the commissioner record linked to themselves (another's is 404). Only the
  bureau registers and edits commissioners and sees the county report.
- Matching and assigning: the bureau for any enterprise, a township officer for its township's (another
  township's enterprise is 404).
- Assignments: the bureau sees all, a township officer those of its township's enterprises, an expert
  their own, an enterprise those it receives. Services are recorded by the assigned expert or the bureau.
"""

from __future__ import annotations

from django.db.models import Q

from kechuang.core.access import BUREAU, Principal, Role, register_actions, register_nav, register_scope

NOTHING = Q(pk__in=[])


def own_commissioner_q(principal: Principal) -> Q:
    """Commissioner rows linked to the signed-in expert."""
    return Q(expert_id=principal.expert_id) if principal.expert_id else NOTHING


def township_enterprise_q(principal: Principal) -> Q:
    """Enterprise rows of the officer's township."""
    return Q(township_id=principal.township_id) if principal.township_id else NOTHING


def assignment_township_q(principal: Principal) -> Q:
    return Q(enterprise__township_id=principal.township_id) if principal.township_id else NOTHING


def assignment_expert_q(principal: Principal) -> Q:
    return Q(commissioner__expert_id=principal.expert_id) if principal.expert_id else NOTHING


def assignment_enterprise_q(principal: Principal) -> Q:
    if principal.organization_id:
        return Q(enterprise__organization_id=principal.organization_id)
    return NOTHING


def register() -> None:
    register_actions(
        {
            "commissioner.view": BUREAU | {Role.TOWNSHIP_OFFICER, Role.EXPERT},
            "commissioner.manage": BUREAU,
            "commissioner.assign": BUREAU | {Role.TOWNSHIP_OFFICER},
            "commissioner.record": BUREAU | {Role.EXPERT},
            "commissioner.mine": frozenset({Role.ENTERPRISE}),
            "commissioner.assignment": BUREAU | {Role.TOWNSHIP_OFFICER, Role.EXPERT, Role.ENTERPRISE},
            "commissioner.report": BUREAU,
        }
    )
    register_scope("commissioner", {Role.EXPERT: own_commissioner_q}, {"commissioner.view": "commissioner"})
    register_scope(
        "commissioner_enterprise",
        {Role.TOWNSHIP_OFFICER: township_enterprise_q},
        {"commissioner.assign": "commissioner_enterprise"},
    )
    register_scope(
        "commissioner_assignment",
        {
            Role.TOWNSHIP_OFFICER: assignment_township_q,
            Role.EXPERT: assignment_expert_q,
            Role.ENTERPRISE: assignment_enterprise_q,
        },
        {"commissioner.assignment": "commissioner_assignment"},
    )
    register_scope(
        "commissioner_record",
        {Role.EXPERT: assignment_expert_q},
        {"commissioner.record": "commissioner_record"},
    )
    register_nav(
        [
            ("commissioners:list", "科技特派员", "☘", "commissioner.view"),
            ("commissioners:match_pick", "特派员匹配", "⇄", "commissioner.assign"),
            ("commissioners:report", "特派员统计", "▨", "commissioner.report"),
            ("commissioners:mine", "我的特派员", "☘", "commissioner.mine"),
        ]
    )
