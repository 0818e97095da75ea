"""Reads for the policy calculator: an enterprise's registry data in the rule core's input format."""

from __future__ import annotations

import datetime as dt

from kechuang.core.access import Principal, Role
from kechuang.orgs.models import Enterprise, EnterpriseYearFigure, Qualification
from kechuang.policies.rules import Facts
from kechuang.policies.rules import Qualification as RuleQualification

#: Registry figure fields the rules read, by input name.
FIGURE_INPUTS = (
    "revenue",
    "rd_spend",
    "hightech_revenue",
    "invention_patents",
    "utility_patents",
    "design_patents",
    "software_copyrights",
)


def own_enterprise(principal: Principal) -> Enterprise | None:
    """The enterprise an enterprise user speaks for (None for every other role)."""
    if principal.role != Role.ENTERPRISE or not principal.organization_id:
        return None
    return (
        Enterprise.objects.select_related("organization", "township")
        .filter(organization_id=principal.organization_id)
        .first()
    )


def facts_for_enterprise(enterprise: Enterprise, *, as_of: dt.date | None = None) -> Facts:
    """What the registry holds for one enterprise; what it does not hold stays unknown, never zero.

    The registry keeps head counts on the enterprise, not per year: they count for the latest year only.
    Domestic R&D, assets, cost totals and compliance flags are not kept yet, so rules needing them answer
    "unknown" and say where the figure would go.
    """
    facts = Facts(name=enterprise.organization.name, as_of=as_of or dt.date.today(), ref=enterprise.pk)
    facts.static = {
        "founded_on": enterprise.founded_on,
        "township": enterprise.township.name if enterprise.township_id and enterprise.township else None,
        "industry_code": enterprise.industry_code or None,
        "resident_enterprise": True,
    }
    figures = EnterpriseYearFigure.objects.filter(enterprise=enterprise).order_by("-year")[:5]
    for figure in figures:
        row = {}
        for name in FIGURE_INPUTS:
            value = getattr(figure, name)
            if value is not None:
                row[name] = float(value)
        facts.years[figure.year] = row
    if facts.years:
        latest = facts.years[max(facts.years)]
        if enterprise.employees is not None:
            latest["employees"] = float(enterprise.employees)
        if enterprise.tech_staff is not None:
            latest["tech_staff"] = float(enterprise.tech_staff)
    facts.qualifications = [
        RuleQualification(kind=q.kind, level=q.level, valid_from=q.valid_from, valid_until=q.valid_until)
        for q in Qualification.objects.filter(organization_id=enterprise.organization_id)
    ]
    return facts
