"""Row rules for demands, registered with the central access module.

- `demand` (see at least the public summary): published non-private demands for everyone, plus the
  demand's own world below.
- `demand_full` (see everything, incl. private text, attachments, responses): the bureau; the
  enterprise itself; the township officer of its township; parties it was routed to.
- `demand_own` (edit, decide on responses, record outcomes): the bureau; the enterprise; its township.
- `demand_routed` (answer): parties it was routed to.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from kechuang.core.access import Principal, Role, register_scope
from kechuang.demands.choices import PUBLISHED_STATUSES, Confidentiality

NOTHING = Q(pk__in=[])


def published_q() -> Q:
    """Past triage, and either public or with a desensitised summary the enterprise has approved."""
    return Q(status__in=PUBLISHED_STATUSES) & (
        Q(confidentiality=Confidentiality.PUBLIC)
        | Q(confidentiality=Confidentiality.SUMMARY, summary_approved=True)
    )


def routed_q(principal: Principal) -> Q:
    from kechuang.demands.models import Routing

    routings = Routing.objects.filter(demand=OuterRef("pk"))
    if principal.role == Role.ENCLAVE_OPERATOR and principal.enclave_id:
        return Q(Exists(routings.filter(enclave_id=principal.enclave_id)))
    if principal.role == Role.EXPERT:
        condition = Q(expert_id=principal.expert_id) if principal.expert_id else NOTHING
        if principal.organization_id:
            condition |= Q(institution__organization_id=principal.organization_id)
        return Q(Exists(routings.filter(condition)))
    if principal.role == Role.INVESTOR and principal.organization_id:
        return Q(Exists(routings.filter(investor__organization_id=principal.organization_id)))
    return NOTHING


def own_q(principal: Principal) -> Q:
    if principal.role == Role.ENTERPRISE and principal.organization_id:
        return Q(enterprise__organization_id=principal.organization_id)
    if principal.role == Role.TOWNSHIP_OFFICER and principal.township_id:
        return Q(township_id=principal.township_id)
    return NOTHING


def full_q(principal: Principal) -> Q:
    return own_q(principal) | routed_q(principal)


def visible_q(principal: Principal) -> Q:
    return full_q(principal) | published_q()


NON_BUREAU = [r for r in Role if r not in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF)]


def register() -> None:
    register_scope("demand", {r: visible_q for r in NON_BUREAU}, {"demand.view": "demand"})
    register_scope(
        "demand_full",
        {r: full_q for r in NON_BUREAU},
        {"demand.view_full": "demand_full", "demand.list": "demand_full", "demand.export": "demand_full"},
    )
    register_scope(
        "demand_own",
        {r: own_q for r in NON_BUREAU},
        {"demand.edit": "demand_own", "demand.decide": "demand_own"},
    )
    register_scope("demand_routed", {r: routed_q for r in NON_BUREAU}, {"demand.respond": "demand_routed"})
