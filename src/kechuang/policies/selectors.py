"""Reads for policies: registry data in the rule core's format, library versions, rounds, ledger, tiers."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, FloatField, Max, Q, QuerySet, Sum
from django.db.models.functions import Cast

from kechuang.core.access import Principal, Role, scope
from kechuang.orgs.models import Enterprise, EnterpriseYearFigure, Qualification, Township
from kechuang.policies.library import SHIPPED_LIBRARY, shipped_library
from kechuang.policies.models import Disbursement, LibraryVersion, Round, RoundCandidate
from kechuang.policies.rules import MET, NOT_MET, UNKNOWN, Facts, Library, explain, load_library
from kechuang.policies.rules import Qualification as RuleQualification
from kechuang.policies.rules.inputs import YEARS_KEPT
from kechuang.policies.rules.tiers import PipelineStep, step_index, tier_candidates, tier_pipeline

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
    figures: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for chunk in _chunks(ids):
        for row in _figure_rows(chunk):
            figures[row[0]].append(row)
    org_ids = {e.organization_id: e.pk for e in rows}
    quals: dict[int, list[RuleQualification]] = defaultdict(list)
    for chunk in _chunks(list(org_ids)):
        for org_id, kind, level, valid_from, valid_until in Qualification.objects.filter(
            organization_id__in=chunk
        ).values_list("organization_id", "kind", "level", "valid_from", "valid_until"):
            quals[org_ids[org_id]].append(RuleQualification(kind, level, valid_from, valid_until))
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
            facts.years[report[1]] = {
                name: v
                for name, v in zip(FIGURE_INPUTS, report[_FIRST_FIGURE:], strict=True)
                if v is not None
            }
        if facts.years:
            latest = facts.years[max(facts.years)]
            if "employees" not in latest and enterprise.employees is not None:
                latest["employees"] = float(enterprise.employees)
            if "tech_staff" not in latest and enterprise.tech_staff is not None:
                latest["tech_staff"] = float(enterprise.tech_staff)
        year = facts.resolved_year()
        report_of_year = next((r for r in reports if r[1] == year), None)
        for i, name in enumerate(COMPLIANCE_INPUTS, start=2):
            flag = report_of_year[i] if report_of_year else None
            facts.static[name] = None if flag is None else bool(flag)  # SQLite gives 0/1
        facts.qualifications = quals.get(enterprise.pk, [])
        result.append(facts)
    return result


#: Rows of :func:`_figure_rows`: enterprise id, year, the compliance flags, then the figures.
_FIRST_FIGURE = 2 + len(COMPLIANCE_INPUTS)


def _figure_rows(enterprise_ids: list[int]) -> list[tuple[Any, ...]]:
    """Yearly figures with amounts as floats, newest year first, as plain tuples.

    The query is built by the ORM but read with a plain cursor: the rules compute in floats, and the
    ORM's per-value converters (Decimal, then float) and row dicts were most of a county-wide load's time.
    """
    as_float = {f"{name}__f": Cast(name, FloatField()) for name in FIGURE_INPUTS}
    qs = (
        EnterpriseYearFigure.objects.filter(enterprise_id__in=enterprise_ids)
        .annotate(**as_float)
        .order_by("-year")
        .values_list("enterprise_id", "year", *COMPLIANCE_INPUTS, *as_float)
    )
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _chunks(ids: list[int], size: int = 900) -> list[list[int]]:
    """Keeps IN lists under SQLite's variable limit."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


# ---- the library in force ------------------------------------------------------------------------------


def library_in_force() -> tuple[int, Library]:
    """The newest saved library version (0 = the shipped file when none is saved yet)."""
    latest = LibraryVersion.objects.order_by("-number").values_list("number", "created_at").first()
    if latest is None:
        return 0, shipped_library()
    return latest[0], _parsed_version(*latest)


def library_version(number: int) -> Library:
    """A saved version as its rules (0 = the shipped file), e.g. to explain an old round's list."""
    if number == 0:
        return shipped_library()
    created_at = LibraryVersion.objects.values_list("created_at", flat=True).get(number=number)
    return _parsed_version(number, created_at)


@lru_cache(maxsize=8)
def _parsed_version(number: int, created_at: dt.datetime) -> Library:
    """Parsed once per process: a saved version never changes (the timestamp guards a restored database)."""
    return load_library(LibraryVersion.objects.get(number=number).document)


def library_versions() -> QuerySet[LibraryVersion]:
    return LibraryVersion.objects.select_related("created_by").order_by("-number")


def library_document_in_force() -> str:
    """The JSON text in force, for download and for editing one measure."""
    latest = LibraryVersion.objects.order_by("-number").values_list("document", flat=True).first()
    return latest if latest is not None else SHIPPED_LIBRARY.read_text(encoding="utf-8")


# ---- 免申即享 rounds and the ledger ---------------------------------------------------------------------


def rounds() -> QuerySet[Round]:
    return Round.objects.annotate(
        listed=Count("candidates", filter=Q(candidates__included=True), distinct=True),
        accepted=Count(
            "candidates",
            filter=Q(candidates__included=True, candidates__response=RoundCandidate.Response.ACCEPTED),
            distinct=True,
        ),
        paid_yuan=Sum("disbursements__amount_yuan", filter=Q(disbursements__status=Disbursement.Status.PAID)),
    )


def round_candidates(round_: Round) -> QuerySet[RoundCandidate]:
    return (
        RoundCandidate.objects.filter(round=round_)
        .select_related("enterprise__organization", "township", "disbursement")
        .order_by("-included", "-amount_yuan", "pk")
    )


def own_candidacies(principal: Principal) -> QuerySet[RoundCandidate]:
    """The enterprise's own candidacies in rounds whose list staff have confirmed."""
    if principal.role != Role.ENTERPRISE or not principal.organization_id:
        return RoundCandidate.objects.none()
    return (
        RoundCandidate.objects.filter(
            enterprise__organization_id=principal.organization_id,
            included=True,
            round__list_confirmed_at__isnull=False,
        )
        .select_related("round", "disbursement")
        .order_by("-round__created_at")
    )


def ledger(
    *, year: int | None = None, program: str = "", township_id: int | None = None
) -> QuerySet[Disbursement]:
    rows = Disbursement.objects.select_related(
        "enterprise__organization", "township", "approved_by", "paid_by"
    )
    if year:
        rows = rows.filter(year=year)
    if program:
        rows = rows.filter(program=program)
    if township_id:
        rows = rows.filter(township_id=township_id)
    return rows.order_by("-year", "program", "township__sort_order", "pk")


def ledger_totals(rows: QuerySet[Disbursement]) -> list[dict[str, Any]]:
    """Money by program, year and township, approved and paid apart (the dashboard reads the same)."""
    totals = (
        rows.order_by()
        .values("program", "program_title", "year", "township__name")
        .annotate(
            enterprises=Count("enterprise", distinct=True),
            approved_yuan=Sum("amount_yuan"),
            paid_yuan=Sum("amount_yuan", filter=Q(status=Disbursement.Status.PAID)),
        )
        .order_by("-year", "program", "township__name")
    )
    return [dict(row) for row in totals]


@dataclass
class PolicyFigures:
    """The dashboard's policy block; money comes from the ledger through ``ledger_totals`` only."""

    money: list[dict[str, Any]]  # by program, year and township
    by_program: list[dict[str, Any]]  # by program and year
    approved_yuan: Decimal
    paid_yuan: Decimal
    rounds: list[dict[str, Any]]  # per round: qualifying from data vs. accepted vs. paid
    outside: int
    pipeline: list[PipelineStep]

    def as_dict(self) -> dict[str, Any]:
        def plain(row: dict[str, Any]) -> dict[str, Any]:
            return {k: float(v) if isinstance(v, Decimal) else v for k, v in row.items()}

        return {
            "approved_yuan": float(self.approved_yuan),
            "paid_yuan": float(self.paid_yuan),
            "money": [plain(r) for r in self.money],
            "by_program": [plain(r) for r in self.by_program],
            "rounds": [plain(r) for r in self.rounds],
            "tiers": {
                "outside": self.outside,
                "steps": [
                    {
                        "id": p.step.id,
                        "label": p.step.label,
                        "holding": p.holding,
                        "candidates": p.candidates,
                        "ready": p.ready,
                        "close": p.close,
                    }
                    for p in self.pipeline
                ],
            },
        }


def policy_figures(principal: Principal, *, township_id: int | None = None) -> PolicyFigures:
    money = ledger_totals(ledger(township_id=township_id))
    by_program: dict[tuple[str, int], dict[str, Any]] = {}
    for row in money:
        key = (row["program"], row["year"])
        total = by_program.setdefault(
            key,
            {
                "program": row["program"],
                "program_title": row["program_title"],
                "year": row["year"],
                "enterprises": 0,
                "approved_yuan": Decimal(0),
                "paid_yuan": Decimal(0),
            },
        )
        total["enterprises"] += row["enterprises"]
        total["approved_yuan"] += row["approved_yuan"] or 0
        total["paid_yuan"] += row["paid_yuan"] or 0
    candidates = RoundCandidate.objects.filter(included=True, round__list_confirmed_at__isnull=False)
    if township_id:
        candidates = candidates.filter(township_id=township_id)
    response = RoundCandidate.Response
    rounds = list(
        candidates.order_by()
        .values("round_id", "round__measure_title", "round__year", "round__status")
        .annotate(
            qualifying=Count("pk"),
            accepted=Count("pk", filter=Q(response=response.ACCEPTED)),
            declined=Count("pk", filter=Q(response=response.DECLINED)),
            silent=Count("pk", filter=Q(response=response.SILENT)),
            paid=Count("pk", filter=Q(disbursement__status=Disbursement.Status.PAID)),
        )
        .order_by("-round__year", "round__measure_title")
    )
    outside, pipeline = cached_tier_overview(principal, township_id=township_id)
    return PolicyFigures(
        money=money,
        by_program=list(by_program.values()),
        approved_yuan=sum((r["approved_yuan"] or Decimal(0) for r in money), start=Decimal(0)),
        paid_yuan=sum((r["paid_yuan"] or Decimal(0) for r in money), start=Decimal(0)),
        rounds=[dict(r) for r in rounds],
        outside=outside,
        pipeline=pipeline,
    )


# ---- tier cultivation (梯度培育) ------------------------------------------------------------------------


@dataclass
class TierData:
    """The enterprises a tier page may show and their facts, loaded once per page."""

    library: Library
    enterprises: list[Enterprise]
    facts: list[Facts]


def tier_data(principal: Principal, *, township_id: int | None = None) -> TierData:
    """A township officer only ever sees his own township's enterprises (the enterprise scope)."""
    qs = scope(principal, Enterprise.objects.select_related("organization", "township"), "enterprise.list")
    if township_id:
        qs = qs.filter(township_id=township_id)
    enterprises = list(qs.order_by("pk"))
    _, library = library_in_force()
    return TierData(library, enterprises, facts_for_enterprises(enterprises))


def tier_overview(data: TierData) -> tuple[int, list[PipelineStep]]:
    """Firms not yet on the ladder, then each step's holding / candidates / ready / close."""
    return tier_pipeline(data.library, data.facts)


def _registry_stamp() -> tuple[Any, ...]:
    """Changes whenever the data a tier pipeline reads changes (rows added, edited or removed)."""
    stamp: list[Any] = [library_in_force()[0]]
    for model in (Enterprise, EnterpriseYearFigure, Qualification):
        row = model._default_manager.aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
        stamp += [row["n"], row["top"], row["last"].isoformat() if row["last"] else ""]
    return tuple(stamp)


def cached_tier_overview(
    principal: Principal, *, township_id: int | None = None
) -> tuple[int, list[PipelineStep]]:
    """The dashboard's pipeline, recomputed only when the registry or the library changed.

    Evaluating the ladder reads every enterprise's facts (seconds for a county of 50,000), too slow for
    a dashboard shown on every sign-in; three aggregate queries tell whether the last answer still holds.
    """
    state = repr((str(principal.role), principal.township_id, township_id, _registry_stamp()))
    key = "policy-tiers:" + hashlib.sha256(state.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = tier_overview(tier_data(principal, township_id=township_id))
        cache.set(key, found, timeout=24 * 3600)
    result: tuple[int, list[PipelineStep]] = found
    return result


def tier_list(data: TierData, *, step_id: str, limit: int = 200) -> list[dict[str, Any]]:
    """The firms closest to ``step_id``, closest first, each with its gaps in words (the top ``limit``)."""
    library, facts = data.library, data.facts
    ranked = tier_candidates(library, facts, step_id)[:limit]
    measure_id = library.tiers[step_index(library, step_id)].measure_id
    out = []
    for position, c in enumerate(ranked, start=1):
        reasons = explain(library, facts[c.row], measures=[measure_id])["measures"][0]
        lacking = [x for x in reasons["conditions"] if x["result"] != MET]
        out.append(
            {
                "position": position,
                "enterprise": data.enterprises[c.row],
                "candidate": c,
                "data_year": reasons["data_year"],
                "gaps": [x["gap"] or x["text"] for x in lacking if x["result"] == NOT_MET],
                "missing": [x["gap"] for x in lacking if x["result"] == UNKNOWN],
            }
        )
    return out
