"""Row rules for investor interests at roadshows, registered with the central access module.

- `investor_interest` (see): an investor sees the interests its own organisation recorded; a presenter
  (enterprise, institution, enclave operator) sees the interests recorded in its own project. The bureau
  sees all; other roles nothing (they lack `event.interest.view`).
- `investor_registration` (record an interest as): an investor only through its own organisation's
  investor registration.
- `investor_interest_own` (follow up): an investor only its own organisation's interests.
"""

from __future__ import annotations

from django.db.models import Q

from kechuang.core.access import Principal, Role, register_scope

NOTHING = Q(pk__in=[])
NON_BUREAU = [r for r in Role if r not in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF)]


def visible_q(principal: Principal) -> Q:
    org = principal.organization_id
    if not org:
        return NOTHING
    if principal.role == Role.INVESTOR:
        return Q(investor__organization_id=org)
    return Q(presenter__organization_id=org)


def own_registration_q(principal: Principal) -> Q:
    org = principal.organization_id
    if principal.role != Role.INVESTOR or not org:
        return NOTHING
    return Q(organization_id=org, role="investor")


def own_interest_q(principal: Principal) -> Q:
    org = principal.organization_id
    if principal.role != Role.INVESTOR or not org:
        return NOTHING
    return Q(investor__organization_id=org)


def register() -> None:
    register_scope(
        "investor_interest", {r: visible_q for r in NON_BUREAU}, {"event.interest.view": "investor_interest"}
    )
    register_scope(
        "investor_registration",
        {r: own_registration_q for r in NON_BUREAU},
        {"event.interest.record": "investor_registration"},
    )
    register_scope(
        "investor_interest_own",
        {r: own_interest_q for r in NON_BUREAU},
        {"event.interest.advance": "investor_interest_own"},
    )
