"""Actions, row rules and side navigation of technology services, declared to kechuang.core.access.

- IP cases: the bureau runs them; an enterprise sees only its own cases (another's is 404).
- Pilot platforms: every signed-in user sees them; an enterprise books for itself, the bureau for anyone;
  an enterprise cancels only its own bookings.
- Service ledger: providers (bureau, enclave operators, experts) record claims; the bureau reads the whole
  ledger, a township officer the claims of its township's enterprises; an enterprise confirms or disputes
  only the claims made about itself.
"""

from __future__ import annotations

from django.db.models import Q

from kechuang.core.access import (
    BUREAU,
    SIGNED_IN,
    Principal,
    Role,
    register_actions,
    register_nav,
    register_scope,
)

NOTHING = Q(pk__in=[])


def own_enterprise_q(principal: Principal) -> Q:
    """Rows whose `enterprise` is the signed-in enterprise user's own."""
    if principal.organization_id:
        return Q(enterprise__organization_id=principal.organization_id)
    return NOTHING


def township_q(principal: Principal) -> Q:
    return Q(enterprise__township_id=principal.township_id) if principal.township_id else NOTHING


def register() -> None:
    register_actions(
        {
            "ipcase.view": BUREAU | {Role.ENTERPRISE},
            "ipcase.manage": BUREAU,
            "pilot.view": SIGNED_IN,
            "pilot.book": BUREAU | {Role.ENTERPRISE},
            "pilot.manage": BUREAU,
            "ledger.view": BUREAU | {Role.TOWNSHIP_OFFICER},
            "ledger.claim": BUREAU | {Role.ENCLAVE_OPERATOR, Role.EXPERT},
            "ledger.confirm": frozenset({Role.ENTERPRISE}),
        }
    )
    register_scope("ipcase", {Role.ENTERPRISE: own_enterprise_q}, {"ipcase.view": "ipcase"})
    register_scope("booking_own", {Role.ENTERPRISE: own_enterprise_q}, {"pilot.book": "booking_own"})
    register_scope("ledger", {Role.TOWNSHIP_OFFICER: township_q}, {"ledger.view": "ledger"})
    register_scope("ledger_own", {Role.ENTERPRISE: own_enterprise_q}, {"ledger.confirm": "ledger_own"})
    register_nav(
        [
            ("techservices:ledger", "服务台账", "☑", "ledger.view"),
            ("techservices:claim_create", "登记服务", "✚", "ledger.claim"),
            ("techservices:my_claims", "服务确认", "✔", "ledger.confirm"),
            ("techservices:ipcase_list", "知识产权维权", "⚖", "ipcase.view"),
            ("techservices:platform_list", "中试平台", "⚗", "pilot.view"),
        ]
    )
