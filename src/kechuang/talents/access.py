"""Actions and side navigation of the talent registry, declared to kechuang.core.access at start-up.

The bureau sees and manages every talent; an enterprise sees the talents working for it (others are 404)
and self-certifies them within its authorisation and quota; an expert reviews what it is assigned; the
clear ID number is for the bureau's administrators only (talent.pii). Publicity is for everyone signed
in, certificate verification for everyone.
"""

from __future__ import annotations

from django.db.models import Q

from kechuang.core.access import (
    BUREAU,
    EVERYONE,
    SIGNED_IN,
    Principal,
    Role,
    register_actions,
    register_nav,
    register_scope,
)

NOTHING = Q(pk__in=[])


def own_employees_q(principal: Principal) -> Q:
    """Persons whose current employer is the principal's enterprise."""
    if not principal.organization_id:
        return NOTHING
    return Q(enterprise__organization_id=principal.organization_id)


def register() -> None:
    register_actions(
        {
            "talent.view": BUREAU | {Role.ENTERPRISE},
            "talent.register": BUREAU | {Role.ENTERPRISE},
            "talent.apply": BUREAU | {Role.ENTERPRISE},
            "talent.manage": BUREAU,
            "talent.reports": BUREAU,
            "talent.pii": frozenset({Role.BUREAU_ADMIN}),
            "talent.certify_self": frozenset({Role.ENTERPRISE}),
            "talent.review": BUREAU | {Role.EXPERT},
            # a certification's page: bureau, applicant enterprise, assigned reviewer (rows: selectors)
            "talent.certification": BUREAU | {Role.ENTERPRISE, Role.EXPERT},
            "talent.publicity": SIGNED_IN,
            "talent.verify": EVERYONE,
        }
    )
    register_scope("talent", {Role.ENTERPRISE: own_employees_q}, {"talent.view": "talent"})
    register_nav(
        [
            ("talents:list", "人才库", "☺", "talent.view"),
            ("talents:self_cert", "自主认定", "✓", "talent.certify_self"),
            ("talents:queue", "人才认定审核", "☑", "talent.manage"),
            ("talents:reviews", "人才评审", "✎", "talent.review"),
            ("talents:publicity", "人才公示", "☼", "talent.publicity"),
            ("talents:reports", "人才报表", "▤", "talent.reports"),
        ]
    )
