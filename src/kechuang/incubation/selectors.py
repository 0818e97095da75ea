"""Reads of incubation projects, always through the access rules; elimination candidates; the figures
that credit an enclave's KPIs (`enclave_figures`, the contract with the enclave assessment)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from kechuang.accounts.conflicts import REVIEWER_ROLES, link_to_party
from kechuang.accounts.selectors import reviewer_texts
from kechuang.core.access import Principal, Role, require, scope
from kechuang.core.formatting import format_date_cn, format_wan, plain_number
from kechuang.incubation.choices import ACTIVE_STAGES, Rule
from kechuang.incubation.conflicts import conflict_of
from kechuang.incubation.models import (
    EliminationDecision,
    EliminationRules,
    Investment,
    LandingFigure,
    Milestone,
    PeriodicReview,
    Project,
    ProjectEvent,
    Review,
)
from kechuang.orgs.choices import InstitutionCategory
from kechuang.orgs.models import Enclave, EnterpriseYearFigure, Institution

# ---- lists and pages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectFilters:
    q: str = ""
    carrier: str = ""  # "enclave:<id>" or "incubator:<id>"
    stage: str = ""


def carrier_filter(value: str) -> Q | None:
    """The Q for a carrier choice value, or None when it is malformed."""
    kind, _, raw = value.partition(":")
    if kind in ("enclave", "incubator") and raw.isdigit():
        return Q(**{f"{kind}_id": int(raw)})
    return None


def project_list(*, principal: Principal, filters: ProjectFilters) -> QuerySet[Project]:
    """Projects the principal may list, with the carrier, applicant and invested total in the same query."""
    qs = scope(principal, Project.objects.all(), "project.list")
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q)
            | Q(applicant__name__icontains=filters.q)
            | Q(industry__icontains=filters.q)
            | Q(landed_organization__name__icontains=filters.q)
        )
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.carrier:
        condition = carrier_filter(filters.carrier)
        qs = qs.filter(condition) if condition is not None else qs.none()
    return (
        qs.select_related("enclave", "incubator__organization", "applicant", "landed_organization")
        .annotate(invested=Sum("investments__amount"))
        .order_by("-applied_on", "-pk")
    )


def carrier_choices(*, principal: Principal | None = None) -> list[tuple[str, str]]:
    """Enclaves and county incubators as ("enclave:<id>", name) choices; an operator gets only their own."""
    enclaves = Enclave.objects.order_by("name")
    incubators = Institution.objects.filter(category=InstitutionCategory.INCUBATOR).select_related(
        "organization"
    )
    if principal is not None and principal.role == Role.ENCLAVE_OPERATOR:
        enclaves = enclaves.filter(pk=principal.enclave_id or 0)
        incubators = incubators.filter(organization_id=principal.organization_id or 0)
    return [(f"enclave:{e.pk}", f"{e.name}（创新飞地）") for e in enclaves] + [
        (f"incubator:{i.pk}", f"{i.organization.name}（孵化载体）") for i in incubators
    ]


def carrier_from_choice(value: str) -> Enclave | Institution | None:
    kind, _, raw = value.partition(":")
    if not raw.isdigit():
        return None
    if kind == "enclave":
        return Enclave.objects.filter(pk=int(raw)).first()
    if kind == "incubator":
        return (
            Institution.objects.select_related("organization")
            .filter(pk=int(raw), category=InstitutionCategory.INCUBATOR)
            .first()
        )
    return None


def project_get(*, principal: Principal, pk: int, action: str = "project.view") -> Project:
    """Load a project for `action`; 404 when it is outside the principal's scope (ids cannot be probed)."""
    require(principal, action)
    project = (
        scope(principal, Project.objects.all(), action)
        .select_related(
            "enclave",
            "incubator__organization",
            "applicant",
            "landed_organization",
            "submitted_by__profile",
            "decided_by__profile",
        )
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404("项目不存在或无权查看")
    return project


def timeline(project: Project) -> list[ProjectEvent]:
    return list(project.events.select_related("actor__profile").order_by("happened_on", "pk"))


def reviews_for(project: Project) -> list[Review]:
    """Assigned reviews, each with `conflict` (why it does not count, or None) and per-criterion rows."""
    reviews = list(project.reviews.select_related("reviewer__profile__expert__institution"))
    for review in reviews:
        review.project = project
        review.conflict = conflict_of(review)  # type: ignore[attr-defined]
        review.score_rows = [  # type: ignore[attr-defined]
            (c["name"], review.scores.get(str(c["code"])), c["max_score"]) for c in project.criteria
        ]
    return reviews


def own_review(*, project: Project, user: User | None) -> Review | None:
    if user is None:
        return None
    review = project.reviews.select_related("reviewer").filter(reviewer_id=user.pk).first()
    if review is not None:
        review.project = project
    return review


def reviewer_choices() -> QuerySet[User]:
    """Users who may be assigned as reviewers: experts and bureau staff."""
    return (
        User.objects.filter(is_active=True, profile__role__in=[str(r) for r in REVIEWER_ROLES])
        .select_related("profile__expert__institution__organization", "profile__organization")
        .order_by("profile__role", "username")
    )


@dataclass(frozen=True)
class ReviewerProposal:
    project: Project
    reviewers: list[tuple[User, float, str]]  # (reviewer, affinity, reason) best first
    unfilled: str  # why the panel is short, or ""


#: A reviewer's open reviews (assigned, not submitted) across projects at most.
REVIEW_LOAD = 6


def project_text(project: Project) -> str:
    return "。".join(t for t in (project.name, project.industry, project.technology, project.market) if t)


def propose_reviewers(
    *,
    projects: list[Project],
    per_project: int = 3,
    max_load: int = REVIEW_LOAD,
    candidates: Sequence[User] | None = None,
) -> list[ReviewerProposal]:
    """A review panel for each project by expertise (``entity_affinities`` of the application against
    each reviewer's profile), at most ``max_load`` open reviews per reviewer counting those already
    assigned, never a reviewer linked to the applicant (the platform's conflict rule), assigned by
    min-cost flow so the panels are best as a whole, not first come first served."""
    from kechuang.matching.engine import assign_by_affinity, entity_affinities
    from kechuang.matching.selectors import engine_options

    pool = list(reviewer_choices()) if candidates is None else list(candidates)
    if not projects:
        return []
    open_load = dict(
        Review.objects.filter(reviewer__in=pool, submitted_at__isnull=True)
        .values_list("reviewer_id")
        .annotate(n=Count("pk"))
    )
    assigned = set(Review.objects.filter(project__in=projects).values_list("project_id", "reviewer_id"))
    names = [(u.profile.display_name if hasattr(u, "profile") else "") or u.username for u in pool]
    affinity = entity_affinities(
        [project_text(p) for p in projects],
        {str(u.pk): reviewer_texts(u) for u in pool},
        **engine_options(),
    )
    conflicts = {
        (i, j)
        for i, p in enumerate(projects)
        for j, u in enumerate(pool)
        if (p.pk, u.pk) in assigned
        or link_to_party(
            u, submitted_by_id=p.submitted_by_id, organization_id=p.applicant_id, profile=u.profile
        )
    }
    need = [max(per_project - sum(1 for pid, _ in assigned if pid == p.pk), 0) for p in projects]
    plan = assign_by_affinity(
        affinity,
        per_item=need,
        capacity=[max(max_load - open_load.get(u.pk, 0), 0) for u in pool],
        conflicts=conflicts,
        entity_names=names,
    )
    return [
        ReviewerProposal(
            project=p,
            reviewers=[(pool[a.entity], a.affinity, a.reason) for a in plan.for_item(i)],
            unfilled=plan.unfilled.get(i, ""),
        )
        for i, p in enumerate(projects)
    ]


@dataclass(frozen=True)
class YearRow:
    year: int
    jobs: int | None
    output: Decimal | None
    tax: Decimal | None
    revenue: Decimal | None  # the registry's 营业收入 for the company that year


def landing_rows(project: Project) -> list[YearRow]:
    """Per year: the project's jobs/output/tax since landing, beside the registry's revenue of the company
    (its last six years, so the company's record before landing shows too)."""
    if not project.landed_organization_id or not project.landed_on:
        return []
    figures = {f.year: f for f in project.figures.all()}
    revenue = dict(
        EnterpriseYearFigure.objects.filter(enterprise__organization_id=project.landed_organization_id)
        .order_by("-year")
        .values_list("year", "revenue")[:6]
    )
    rows = []
    for year in sorted(set(figures) | set(revenue)):
        figure = figures.get(year)
        rows.append(
            YearRow(
                year=year,
                jobs=figure.jobs if figure else None,
                output=figure.output if figure else None,
                tax=figure.tax if figure else None,
                revenue=revenue.get(year),
            )
        )
    return rows


def landed_enterprise_id(project: Project) -> int | None:
    from kechuang.orgs.models import Enterprise

    if not project.landed_organization_id:
        return None
    return (
        Enterprise.objects.filter(organization_id=project.landed_organization_id)
        .values_list("pk", flat=True)
        .first()
    )


# ---- elimination candidates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleHit:
    rule: str
    label: str
    evidence: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    project: Project
    hits: tuple[RuleHit, ...]
    rules: EliminationRules
    kept_until: dt.date | None = None  # an earlier keep decision that new evidence overrode

    @property
    def evidence(self) -> str:
        return "；".join(h.evidence for h in self.hits)

    @property
    def rule_codes(self) -> tuple[str, ...]:
        return tuple(h.rule for h in self.hits)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from `earlier` to `later` (0 when later is not after it)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(months, 0)


def _rules_by_key() -> dict[str, EliminationRules]:
    return {r.scope_key: r for r in EliminationRules.objects.all()}


def _rules_of(project: Project, rows: dict[str, EliminationRules]) -> EliminationRules:
    key = EliminationRules.key_for(project.enclave_id, project.incubator_id)
    return rows.get(key) or rows.get("global") or EliminationRules()


def _hits(projects: list[Project], as_of: dt.date) -> dict[int, tuple[EliminationRules, list[RuleHit]]]:
    """Rule hits of each project at `as_of`, with the thresholds used (three queries for any number)."""
    ids = [p.pk for p in projects]
    rows = _rules_by_key()
    overdue: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(project_id__in=ids, due_on__lt=as_of).filter(
        Q(done_on__isnull=True) | Q(done_on__gt=as_of)
    ):
        overdue[milestone.project_id].append(milestone)
    latest: dict[int, PeriodicReview] = {}
    for review in PeriodicReview.objects.filter(project_id__in=ids, reviewed_on__lte=as_of).order_by(
        "project_id", "-reviewed_on", "-pk"
    ):
        latest.setdefault(review.project_id, review)
    result = {}
    for project in projects:
        rules = _rules_of(project, rows)
        hits: list[RuleHit] = []
        idle = months_between(project.last_progress_on, as_of)
        if idle >= rules.no_progress_months:
            hits.append(
                RuleHit(
                    Rule.NO_PROGRESS,
                    Rule.NO_PROGRESS.label,
                    f"最近进展 {format_date_cn(project.last_progress_on)}，已 {idle} 个月无进展"
                    f"（规则：{rules.no_progress_months} 个月）",
                    (f"no_progress:{project.last_progress_on.isoformat()}",),
                )
            )
        missed = overdue.get(project.pk, [])
        if len(missed) >= rules.missed_milestones:
            listed = "、".join(f"“{m.title}”（计划 {format_date_cn(m.due_on)}）" for m in missed)
            hits.append(
                RuleHit(
                    Rule.MISSED_MILESTONES,
                    Rule.MISSED_MILESTONES.label,
                    f"{len(missed)} 个里程碑逾期未完成：{listed}（规则：{rules.missed_milestones} 个）",
                    tuple(f"milestone:{m.pk}" for m in missed),
                )
            )
        last = latest.get(project.pk)
        if last is not None and last.score < rules.review_score_line:
            hits.append(
                RuleHit(
                    Rule.LOW_REVIEW,
                    Rule.LOW_REVIEW.label,
                    f"最近一次定期评估（{format_date_cn(last.reviewed_on)}）得分 {plain_number(last.score)}，"
                    f"低于淘汰线 {plain_number(rules.review_score_line)}",
                    (f"review:{last.pk}",),
                )
            )
        result[project.pk] = (rules, hits)
    return result


def rule_hits(*, project: Project, as_of: dt.date) -> list[RuleHit]:
    """What the elimination rules find against one project at `as_of` (empty when it is not incubating)."""
    if project.stage not in ACTIVE_STAGES:
        return []
    return _hits([project], as_of)[project.pk][1]


def elimination_candidates(*, as_of: dt.date, principal: Principal) -> list[Candidate]:
    """Projects in incubation (入孵 … 成长跟踪) that break a rule at `as_of`, with the evidence, for a human
    decision. A keep decision hides a project until it lapses or evidence it did not cover appears."""
    projects = list(
        scope(
            principal,
            Project.objects.filter(stage__in=ACTIVE_STAGES, admitted_on__lte=as_of),
            "incubation.candidates",
        ).select_related("enclave", "incubator__organization", "applicant")
    )
    found = _hits(projects, as_of)
    kept: dict[int, EliminationDecision] = {}
    for keep in EliminationDecision.objects.filter(
        project_id__in=[p.pk for p in projects], eliminate=False, decided_on__lte=as_of
    ).order_by("project_id", "-decided_on", "-pk"):
        kept.setdefault(keep.project_id, keep)
    candidates = []
    for project in projects:
        rules, hits = found[project.pk]
        if not hits:
            continue
        decision = kept.get(project.pk)
        kept_until = None
        if decision is not None and decision.suppress_until and decision.suppress_until >= as_of:
            current = {k for h in hits for k in h.keys}
            if current <= set(decision.evidence_keys):
                continue
            kept_until = decision.suppress_until
        candidates.append(Candidate(project, tuple(hits), rules, kept_until))
    candidates.sort(key=lambda c: (-len(c.hits), c.project.last_progress_on, c.project.pk))
    return candidates


def elimination_history(*, principal: Principal, limit: int = 50) -> QuerySet[EliminationDecision]:
    projects = scope(principal, Project.objects.all(), "incubation.candidates")
    return (
        EliminationDecision.objects.filter(project__in=projects)
        .select_related("project", "decided_by__profile")
        .order_by("-decided_on", "-pk")[:limit]
    )


# ---- figures for the enclave assessment ---------------------------------------------------------------


@dataclass(frozen=True)
class ComputedFigure:
    value: Decimal
    basis: str
    project_ids: tuple[int, ...]


def _period(since: dt.date, until: dt.date) -> str:
    return f"{format_date_cn(since)}至{format_date_cn(until)}"


def _ids(rows: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(set(rows)))


def enclave_figures(*, enclave_id: int, since: dt.date, until: dt.date) -> dict[str, ComputedFigure]:
    """Incubation figures of one enclave for its KPI assessment (four queries whatever the size):

    admitted, incubating (at `until`, incl. graduated), landed (in Jinjiang), landed_output (万元, year of
    `until`), investments (count) and investment_amount (万元)."""
    period = _period(since, until)
    projects = list(
        Project.objects.filter(enclave_id=enclave_id).values_list(
            "pk", "admitted_on", "eliminated_on", "landed_on", "landed_organization_id"
        )
    )
    admitted = _ids(pk for pk, adm, _, _, _ in projects if adm and since <= adm <= until)
    incubating = _ids(
        pk for pk, adm, elim, _, _ in projects if adm and adm <= until and (elim is None or elim > until)
    )
    landed = _ids(pk for pk, _, _, land, _ in projects if land and since <= land <= until)
    landed_by = {pk: org for pk, _, _, land, org in projects if land and land <= until and org}

    year = until.year
    own = {
        pk: output
        for pk, output in LandingFigure.objects.filter(
            project_id__in=list(landed_by), year=year, output__isnull=False
        ).values_list("project_id", "output")
    }
    fallback_orgs = {org for pk, org in landed_by.items() if pk not in own}
    registry = dict(
        EnterpriseYearFigure.objects.filter(
            enterprise__organization_id__in=fallback_orgs, year=year, revenue__isnull=False
        ).values_list("enterprise__organization_id", "revenue")
        if fallback_orgs
        else []
    )
    output_total, output_ids, from_registry = Decimal(0), [], 0
    for pk, org in landed_by.items():
        if pk in own:
            output_total += own[pk]
            output_ids.append(pk)
        elif org in registry:
            output_total += registry[org]
            output_ids.append(pk)
            from_registry += 1
    registry_note = f"，其中 {from_registry} 家取自企业库营业收入" if from_registry else ""

    investments = list(
        Investment.objects.filter(
            project__enclave_id=enclave_id, invested_on__gte=since, invested_on__lte=until
        ).values_list("project_id", "amount")
    )
    amount = sum((a for _, a in investments), Decimal(0))
    invested_ids = _ids(pk for pk, _ in investments)

    return {
        "admitted": ComputedFigure(
            Decimal(len(admitted)), f"{period}经科技局决定入孵的项目 {len(admitted)} 个", admitted
        ),
        "incubating": ComputedFigure(
            Decimal(len(incubating)),
            f"截至{format_date_cn(until)}已入孵且未淘汰的项目（含已毕业） {len(incubating)} 个",
            incubating,
        ),
        "landed": ComputedFigure(
            Decimal(len(landed)),
            f"{period}登记落地晋江（按统一社会信用代码关联本县企业）的项目 {len(landed)} 个",
            landed,
        ),
        "landed_output": ComputedFigure(
            output_total,
            f"截至{format_date_cn(until)}已落地晋江的 {len(landed_by)} 个项目中，{len(output_ids)} 家落地企业"
            f"{year}年产值合计 {format_wan(output_total)}{registry_note}",
            _ids(output_ids),
        ),
        "investments": ComputedFigure(
            Decimal(len(investments)),
            f"{period}在孵项目获得投资 {len(investments)} 笔（涉及项目 {len(invested_ids)} 个）",
            invested_ids,
        ),
        "investment_amount": ComputedFigure(
            amount, f"{period}在孵项目获得投资金额合计 {format_wan(amount)}", invested_ids
        ),
    }


def figure_tables(project: Project) -> dict[str, Any]:
    """The detail page's activity tables in one place (each a single query)."""
    return {
        "milestones": list(project.milestones.all()),
        "investments": list(project.investments.select_related("investor__organization", "fund")),
        "services": list(project.services.all()),
        "periodic_reviews": list(project.periodic_reviews.all()),
        "decisions": list(project.elimination_decisions.select_related("decided_by__profile")),
    }
