"""Row rules for incubated projects, registered with kechuang.core.access.

One resource, `project`, serves every project action; the bureau sees everything. Others see:
- enclave operators: projects of their own enclave, or of the incubator whose organisation they belong to
  (county incubators and maker spaces use the same role and features);
- enterprises: projects their organisation applied for or landed as, and projects they submitted;
- experts: projects they are assigned to review.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from kechuang.core.access import BUREAU, Principal, Role, register_scope

NOTHING = Q(pk__in=[])
PROJECT_ACTIONS = (
    "project.list",
    "project.view",
    "project.manage",
    "project.review",
    "incubation.candidates",
)


def project_q(principal: Principal) -> Q:
    if principal.role == Role.ENCLAVE_OPERATOR:
        condition = Q(enclave_id=principal.enclave_id) if principal.enclave_id else NOTHING
        if principal.organization_id:
            condition |= Q(incubator__organization_id=principal.organization_id)
        return condition
    if principal.role == Role.ENTERPRISE:
        condition = Q(submitted_by_id=principal.user_id) if principal.user_id else NOTHING
        if principal.organization_id:
            condition |= Q(applicant_id=principal.organization_id) | Q(
                landed_organization_id=principal.organization_id
            )
        return condition
    if principal.role == Role.EXPERT and principal.user_id:
        from kechuang.incubation.models import Review

        return Q(Exists(Review.objects.filter(project=OuterRef("pk"), reviewer_id=principal.user_id)))
    return NOTHING


def register() -> None:
    others = [role for role in Role if role not in BUREAU]
    register_scope("project", dict.fromkeys(others, project_q), dict.fromkeys(PROJECT_ACTIONS, "project"))
