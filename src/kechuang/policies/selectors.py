"""Reads for the policy calculator: an enterprise's registry data in the rule core's input format."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from kechuang.core.access import Principal, Role
from kechuang.orgs.models import Enterprise, EnterpriseYearFigure, Qualification, Township
from kechuang.policies.rules import Facts
from kechuang.policies.rules import Qualification as RuleQualification
from kechuang.policies.rules.inputs import YEARS_KEPT

#: Registry figure fields the rules read as yearly series (same names as the rule inputs).
FIGURE_INPUTS = (
    "revenue",
    "rd_spend",
    "rd_spend_domestic",
    "hightech_revenue",
    "total_assets",
    "total_cost",
    "taxes_paid",
    "employees",
    "tech_staff",
    "invention_patents",
    "utility_patents",
    "design_patents",
    "software_copyrights",
)
#: Compliance flags reported per year; the rules read the data year's report.
COMPLIANCE_INPUTS = ("major_incident", "research_misconduct", "abnormal_listed", "restricted_products")


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
    """What the registry holds for one enterprise; what it does not hold stays unknown, never zero."""
    return facts_for_enterprises([enterprise], as_of=as_of)[0]


def facts_for_enterprises(enterprises: Iterable[Enterprise], *, as_of: dt.date | None = None) -> list[Facts]:
    """The registry's data for many enterprises in three queries, in the order given.

    Head counts fall back to the profile's current figures for the latest year when that year's report
    lacks them. Compliance flags come from the data year's report; a year nobody reported stays unknown.
    Honours the registry does not keep (national awards, standards) stay unknown and say where to fill.
    """
    day = as_of or dt.date.today()
    rows = list(enterprises)
    ids = [e.pk for e in rows]
    figures: dict[int, list[dict[str, Any]]] = defaultdict(list)
    wanted = ("enterprise_id", "year", *FIGURE_INPUTS, *COMPLIANCE_INPUTS)
    for chunk in _chunks(ids):
        for row in (
            EnterpriseYearFigure.objects.filter(enterprise_id__in=chunk).order_by("-year").values(*wanted)
        ):
            figures[row["enterprise_id"]].append(row)
    org_ids = {e.organization_id: e.pk for e in rows}
    quals: dict[int, list[RuleQualification]] = defaultdict(list)
    for chunk in _chunks(list(org_ids)):
        for q in Qualification.objects.filter(organization_id__in=chunk).values(
            "organization_id", "kind", "level", "valid_from", "valid_until"
        ):
            quals[org_ids[q["organization_id"]]].append(
                RuleQualification(
                    kind=q["kind"], level=q["level"], valid_from=q["valid_from"], valid_until=q["valid_until"]
                )
            )
    townships = dict(Township.objects.values_list("pk", "name"))
    result = []
    for enterprise in rows:
        facts = Facts(name=enterprise.organization.name, as_of=day, ref=enterprise.pk)
        facts.static = {
            "founded_on": enterprise.founded_on,
            "township": townships.get(enterprise.township_id) if enterprise.township_id else None,
            "industry_code": enterprise.industry_code or None,
            "resident_enterprise": True,
            "in_supported_field": enterprise.in_supported_field,
            "innovation_score": (
                float(enterprise.innovation_score) if enterprise.innovation_score is not None else None
            ),
        }
        reports = figures.get(enterprise.pk, [])[:YEARS_KEPT]
        for report in reports:
            facts.years[report["year"]] = {
                name: float(report[name]) for name in FIGURE_INPUTS if report[name] is not None
            }
        if facts.years:
            latest = facts.years[max(facts.years)]
            if "employees" not in latest and enterprise.employees is not None:
                latest["employees"] = float(enterprise.employees)
            if "tech_staff" not in latest and enterprise.tech_staff is not None:
                latest["tech_staff"] = float(enterprise.tech_staff)
        year = facts.resolved_year()
        report_of_year = next((r for r in reports if r["year"] == year), None)
        for name in COMPLIANCE_INPUTS:
            facts.static[name] = report_of_year[name] if report_of_year else None
        facts.qualifications = quals.get(enterprise.pk, [])
        result.append(facts)
    return result


def _chunks(ids: list[int], size: int = 900) -> list[list[int]]:
    """Keeps IN lists under SQLite's variable limit."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]
