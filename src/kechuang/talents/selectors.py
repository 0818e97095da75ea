"""Reads for the talent registry: lists within the viewer's scope (masked IDs only), queues, publicity,
verification, expiring certificates, quotas, reports and the figures the dashboard and the enclave
scorecard read. A certification counts while it is 已认定 and today lies within its validity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from kechuang.core import pii
from kechuang.core.access import Principal, Role, may, scope
from kechuang.orgs.models import Enterprise
from kechuang.talents.models import (
    VIA_ENCLAVE_SOURCES,
    Authorization,
    CatalogueItem,
    Certification,
    CertPath,
    ExpertScore,
    IdKind,
    Objection,
    ObjectionStatus,
    Person,
    Quota,
    QuotaRule,
    Source,
    Status,
    TalentLevel,
)

EXPIRY_WINDOW_DAYS = 60


def valid_q(as_of: dt.date, prefix: str = "") -> Q:
    """Certifications in force on ``as_of`` (expired ones stop counting)."""
    return Q(
        **{
            f"{prefix}status": Status.CERTIFIED,
            f"{prefix}valid_from__lte": as_of,
            f"{prefix}valid_until__gte": as_of,
        }
    )


# ---- persons ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TalentFilters:
    level: str = ""
    source: str = ""
    township: int | None = None
    q: str = ""


def visible_persons(principal: Principal) -> QuerySet[Person]:
    return scope(principal, Person.objects.all(), "talent.view")


def person_get(principal: Principal, pk: int) -> Person:
    person = (
        visible_persons(principal)
        .select_related("township", "enclave", "enterprise__organization")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise Http404("人才不存在或无权查看")
    return person


def talent_list(*, principal: Principal, filters: TalentFilters, as_of: dt.date) -> QuerySet[Person]:
    """The registry list: one query for a page (level of the best valid certification as a subquery)."""
    best = (
        Certification.objects.filter(valid_q(as_of), person=OuterRef("pk"))
        .order_by("level__rank")
        .values("level__name")[:1]
    )
    qs = (
        visible_persons(principal)
        .select_related("township", "enclave")
        .only(
            "pk",
            "name",
            "id_kind",
            "id_masked",
            "source",
            "employer_name",
            "degree",
            "title",
            "field",
            "township__name",
            "enclave__name",
        )
        .annotate(level_name=Subquery(best))
    )
    if filters.level:
        qs = qs.filter(
            Exists(
                Certification.objects.filter(valid_q(as_of), person=OuterRef("pk"), level__code=filters.level)
            )
        )
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.township:
        qs = qs.filter(township_id=filters.township)
    q = filters.q.strip()
    if q:
        number = pii.normalise_id(q)
        looks_like_id = len(number) == 18 and number[:17].isdigit()
        if looks_like_id:  # an ID typed in the search box is matched through its hash, never stored
            qs = qs.filter(id_hash=pii.id_lookup_hash(number))
        else:
            qs = qs.filter(Q(name__icontains=q) | Q(employer_name__icontains=q) | Q(field__icontains=q))
    return qs.order_by("name", "pk")


def person_certifications(person: Person) -> list[Certification]:
    return list(person.certifications.select_related("level", "basis").order_by("-submitted_on", "-pk"))


def person_employments(person: Person) -> list[Any]:
    return list(
        person.employments.select_related("enterprise__organization", "institution__organization", "enclave")
    )


def may_see_clear_id(principal: Principal) -> bool:
    return may(principal, "talent.pii")


# ---- certifications ----------------------------------------------------------------------------------------


def visible_certifications(principal: Principal) -> QuerySet[Certification]:
    qs = Certification.objects.select_related("person", "level", "basis", "enterprise__organization")
    if principal.is_bureau:
        return qs
    if principal.role == Role.ENTERPRISE and principal.organization_id:
        return qs.filter(enterprise__organization_id=principal.organization_id)
    if principal.role == Role.EXPERT and principal.user_id:
        return qs.filter(
            Exists(ExpertScore.objects.filter(certification=OuterRef("pk"), reviewer_id=principal.user_id))
        )
    return qs.none()


def certification_get(principal: Principal, pk: int) -> Certification:
    cert = visible_certifications(principal).filter(pk=pk).first()
    if cert is None:
        raise Http404("认定申请不存在或无权查看")
    return cert


def review_assignments(principal: Principal) -> QuerySet[ExpertScore]:
    return (
        ExpertScore.objects.filter(reviewer_id=principal.user_id)
        .select_related("certification__person", "certification__level")
        .order_by("score", "-certification__submitted_on")
    )


QUEUES = [
    (Status.SUBMITTED, "待受理"),
    (Status.ACCEPTED, "待初审"),
    (Status.FIRST_REVIEW, "待分配专家"),
    (Status.EXPERT_REVIEW, "专家评审中"),
    (Status.FILING, "自主认定备案"),
    (Status.ON_HOLD, "异议处理中"),
    (Status.PUBLICITY, "公示中"),
]


def queues(*, limit: int = 50) -> list[dict[str, Any]]:
    """Open certifications by step (each step one query, at most ``limit`` rows shown)."""
    counts = dict(
        Certification.objects.filter(status__in=[s for s, _ in QUEUES])
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    base = Certification.objects.select_related("person", "level").order_by("submitted_on", "pk")
    return [
        {"status": s, "label": label, "count": counts.get(s, 0), "rows": list(base.filter(status=s)[:limit])}
        for s, label in QUEUES
    ]


def open_objections() -> QuerySet[Objection]:
    return (
        Objection.objects.filter(status=ObjectionStatus.OPEN)
        .select_related("certification__person", "certification__level", "by")
        .order_by("filed_on", "pk")
    )


def publicity_list(*, as_of: dt.date) -> QuerySet[Certification]:
    """What is in publicity (公示): name, employer, level, dates — never an ID number."""
    return (
        Certification.objects.filter(
            status__in=[Status.PUBLICITY, Status.ON_HOLD], publicity_until__isnull=False
        )
        .select_related("person", "level")
        .only(
            "pk",
            "status",
            "path",
            "employer_name",
            "publicity_from",
            "publicity_until",
            "person__name",
            "level__name",
            "level__code",
            "level__rank",
        )
        .order_by("-publicity_from", "pk")
    )


def verify(number: str, *, as_of: dt.date) -> dict[str, Any] | None:
    """The public check of a certificate number: name, level, employer, validity, status; nothing else."""
    cert = (
        Certification.objects.filter(certificate_no=(number or "").strip().upper())
        .select_related("person", "level")
        .first()
    )
    if cert is None:
        return None
    state = "有效" if cert.valid_on(as_of) else ("已过期" if cert.status == Status.CERTIFIED else "已失效")
    return {
        "certificate_no": cert.certificate_no,
        "name": cert.person.name,
        "level": str(cert.level),
        "employer": cert.employer_name,
        "valid_from": cert.valid_from,
        "valid_until": cert.valid_until,
        "state": state,
    }


def expiring(
    *, principal: Principal, as_of: dt.date, days: int = EXPIRY_WINDOW_DAYS
) -> QuerySet[Certification]:
    return (
        visible_certifications(principal)
        .filter(valid_q(as_of), valid_until__lte=as_of + dt.timedelta(days=days))
        .order_by("valid_until", "pk")
    )


# ---- quotas and authorisations --------------------------------------------------------------------------


def quota_status(enterprise: Enterprise, year: int) -> dict[str, Any]:
    """本年度名额 N，已用 U，剩余 R (from the quota row, or what the rule would give when none exists)."""
    from kechuang.talents.services import computed_places

    quota = Quota.objects.filter(enterprise=enterprise, year=year).first()
    if quota is not None:
        return {
            "year": year,
            "places": quota.places,
            "used": quota.used,
            "left": quota.left,
            "taxes": quota.taxes_wan,
        }
    places, taxes, _ = computed_places(enterprise, year)
    return {"year": year, "places": places, "used": 0, "left": places, "taxes": taxes}


def authorizations() -> QuerySet[Authorization]:
    return Authorization.objects.select_related("enterprise__organization").prefetch_related("levels")


def current_authorization(enterprise: Enterprise, as_of: dt.date) -> Authorization | None:
    from kechuang.talents.services import authorization_for

    return authorization_for(enterprise, as_of)


def quota_rules() -> QuerySet[QuotaRule]:
    return QuotaRule.objects.all()


def levels() -> QuerySet[TalentLevel]:
    return TalentLevel.objects.all()


def catalogue() -> QuerySet[CatalogueItem]:
    return CatalogueItem.objects.select_related("level")


def self_cert_bases(enterprise: Enterprise, as_of: dt.date) -> QuerySet[CatalogueItem]:
    """Catalogue items the enterprise may self-certify on today (its authorised levels, current items)."""
    auth = current_authorization(enterprise, as_of)
    if auth is None:
        return CatalogueItem.objects.none()
    return (
        CatalogueItem.objects.filter(level__in=auth.levels.all(), level__self_certifiable=True)
        .exclude(valid_until__lt=as_of)
        .select_related("level")
    )


def own_employees(enterprise: Enterprise) -> QuerySet[Person]:
    return Person.objects.filter(enterprise=enterprise).order_by("name", "pk")


# ---- reports and figures ---------------------------------------------------------------------------------


def _by(qs: QuerySet[Any], field: str) -> dict[Any, int]:
    return dict(qs.values_list(field).annotate(n=Count("pk", distinct=True)).values_list(field, "n"))


def reports(*, as_of: dt.date) -> dict[str, Any]:
    """Talents by level, source, industry chain and township; certifications by path and year; quota use."""
    valid = Certification.objects.filter(valid_q(as_of))
    by_level_counts = dict(
        valid.values_list("level_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("level_id", "n")
    )
    by_level = [
        {"level": str(level), "code": level.code, "count": by_level_counts.get(level.pk, 0)}
        for level in TalentLevel.objects.all()
    ]
    source_counts = _by(Person.objects.all(), "source")
    by_source = [{"source": label, "count": source_counts.get(value, 0)} for value, label in Source.choices]
    by_chain = [
        {"chain": name or "（未标注）", "count": n}
        for name, n in Person.objects.filter(enterprise__isnull=False)
        .values_list("enterprise__chains__name")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n")
        .values_list("enterprise__chains__name", "n")
    ]
    by_township = [
        {"township": name or "（县外/未登记）", "count": n}
        for name, n in Person.objects.values_list("township__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("township__name", "n")
    ]
    by_path_year = [
        {"year": year, "path": CertPath(path).label, "status": Status(status).label, "count": n}
        for year, path, status, n in Certification.objects.values_list("year", "path", "status")
        .annotate(n=Count("pk"))
        .order_by("-year", "path", "status")
        .values_list("year", "path", "status", "n")
    ]
    year = as_of.year
    quotas = {
        q.enterprise_id: q for q in Quota.objects.filter(year=year).select_related("enterprise__organization")
    }
    quota_use = []
    for auth in authorizations().filter(active=True, valid_from__lte=as_of, valid_until__gte=as_of):
        quota = quotas.get(auth.enterprise_id)
        quota_use.append(
            {
                "enterprise": auth.enterprise.organization.name,
                "places": quota.places if quota else None,
                "used": quota.used if quota else 0,
                "left": quota.left if quota else None,
                "valid_until": auth.valid_until,
            }
        )
    return {
        "as_of": as_of,
        "by_level": by_level,
        "by_source": by_source,
        "by_chain": by_chain,
        "by_township": by_township,
        "by_path_year": by_path_year,
        "quota_use": quota_use,
        "year": year,
    }


def talent_figures(*, as_of: dt.date) -> dict[str, Any]:
    """Headline figures for the dashboard: valid talents, by level and source, self-certified, authorised."""
    valid = Certification.objects.filter(valid_q(as_of))
    per_level = dict(
        valid.values_list("level_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("level_id", "n")
    )
    source_counts = _by(Person.objects.filter(certifications__in=valid), "source")
    return {
        "as_of": as_of,
        "registered": Person.objects.count(),
        "total_valid": valid.values("person_id").distinct().count(),
        "by_level": [
            {"code": lv.code, "name": lv.name, "count": per_level.get(lv.pk, 0)}
            for lv in TalentLevel.objects.all()
        ],
        "by_source": [{"source": label, "count": source_counts.get(v, 0)} for v, label in Source.choices],
        "self_certified_count": valid.filter(path=CertPath.SELF).count(),
        "authorized_enterprises": Authorization.objects.filter(
            active=True, valid_from__lte=as_of, valid_until__gte=as_of
        )
        .values("enterprise_id")
        .distinct()
        .count(),
    }


def enclave_talent_figures(*, enclave_id: int, since: dt.date, until: dt.date) -> dict[str, int]:
    """The enclave scorecard's talent indicators between two dates (year to date at a checkpoint):

    ``flexible_talents`` — persons introduced flexibly or via this enclave (柔性引进/飞地引进 with it) who
    were registered or certified in the period; ``talent_projects_coached`` — certifications applied for in
    the period whose person came via the enclave (辅导申报人才项目数)."""
    via = Person.objects.filter(enclave_id=enclave_id, source__in=VIA_ENCLAVE_SOURCES)
    certified_in_period = Certification.objects.filter(
        person=OuterRef("pk"), status=Status.CERTIFIED, decided_on__gte=since, decided_on__lte=until
    )
    flexible = via.filter(
        Q(registered_on__gte=since, registered_on__lte=until) | Exists(certified_in_period)
    ).count()
    coached = Certification.objects.filter(
        person__enclave_id=enclave_id,
        person__source__in=VIA_ENCLAVE_SOURCES,
        submitted_on__gte=since,
        submitted_on__lte=until,
    ).count()
    return {"flexible_talents": flexible, "talent_projects_coached": coached}


def id_kinds() -> list[tuple[str, str]]:
    return list(IdKind.choices)


# At most this many unscored talent reviews per reviewer when proposing (as for incubation reviews).
TALENT_REVIEW_LOAD = 6


@dataclass(frozen=True)
class ReviewerProposal:
    reviewers: list[tuple[Any, float, str]]  # (user, affinity, reason), best first
    unfilled: str = ""


def certification_text(cert: Certification) -> str:
    """What a certification is about, for matching reviewers: the person's field and title, the level
    and the statement."""
    person = cert.person
    parts = (person.field, person.title, cert.level.name if cert.level_id else "", cert.statement)
    return "。".join(p for p in parts if p and p.strip())[:2000]


def propose_reviewers(cert: Certification, *, per_cert: int = 3) -> ReviewerProposal:
    """Experts for a bureau-path certification by expertise: ``entity_affinities`` of the application
    against each expert reviewer's profile, assigned with the platform's assignment service
    (``assign_by_affinity``) so reviewers already on it, linked to the applicant (the conflict rule of
    kechuang.accounts.conflicts) or carrying ``TALENT_REVIEW_LOAD`` unscored reviews are not proposed."""
    from django.contrib.auth.models import User

    from kechuang.accounts.conflicts import link_to_party
    from kechuang.accounts.selectors import reviewer_texts
    from kechuang.matching.engine import assign_by_affinity, entity_affinities
    from kechuang.matching.selectors import engine_options

    pool = list(
        User.objects.filter(is_active=True, profile__role=Role.EXPERT, profile__expert__isnull=False)
        .select_related("profile__expert__institution__organization", "profile__organization")
        .order_by("username")
    )
    assigned = set(ExpertScore.objects.filter(certification=cert).values_list("reviewer_id", flat=True))
    need = max(per_cert - len(assigned), 0)
    if not pool or not need:
        return ReviewerProposal([], "" if not need else "没有登记专长的专家账号")
    open_load = dict(
        ExpertScore.objects.filter(reviewer__in=pool, score__isnull=True, conflict_declared=False)
        .values_list("reviewer_id")
        .annotate(n=Count("pk"))
    )
    org = cert.enterprise.organization_id if cert.enterprise_id and cert.enterprise else None
    affinity = entity_affinities(
        [certification_text(cert)], {str(u.pk): reviewer_texts(u) for u in pool}, **engine_options()
    )
    plan = assign_by_affinity(
        affinity,
        per_item=[need],
        capacity=[max(TALENT_REVIEW_LOAD - open_load.get(u.pk, 0), 0) for u in pool],
        conflicts={
            (0, j)
            for j, u in enumerate(pool)
            if u.pk in assigned
            or link_to_party(u, submitted_by_id=cert.submitted_by_id, organization_id=org, profile=u.profile)
        },
        entity_names=[u.profile.display_name or u.username for u in pool],
    )
    return ReviewerProposal(
        [(pool[a.entity], a.affinity, a.reason) for a in plan.for_item(0)], plan.unfilled.get(0, "")
    )
