"""Reads for commissioners: scoped lists, the figures per commissioner, enterprise and township (from
confirmed service-ledger rows only), and the matching suggestions for an enterprise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from kechuang.achievements.models import Achievement
from kechuang.commissioners import rules
from kechuang.commissioners.models import Assignment, AssignmentStatus, Commissioner, ServiceLink
from kechuang.core.access import Principal, Role, scope
from kechuang.demands.choices import OPEN_STATUSES
from kechuang.demands.models import Demand
from kechuang.orgs.models import Enterprise, Township
from kechuang.techservices.models import ClaimStatus, ServiceClaim

ZERO = Decimal(0)
CONFIRMED = Q(claim__status=ClaimStatus.CONFIRMED)


# ---- lists and objects --------------------------------------------------------------------------------


def commissioners() -> QuerySet[Commissioner]:
    return Commissioner.objects.select_related("expert", "institution__organization")


def visible_commissioners(principal: Principal) -> QuerySet[Commissioner]:
    return scope(principal, commissioners(), "commissioner.view")


def commissioner_get(principal: Principal, pk: int) -> Commissioner:
    found = visible_commissioners(principal).filter(pk=pk).first()
    if found is None:
        raise Http404("未找到该科技特派员")
    return found


def assignments() -> QuerySet[Assignment]:
    return Assignment.objects.select_related(
        "commissioner", "enterprise__organization", "enterprise__township", "created_by"
    )


def visible_assignments(principal: Principal) -> QuerySet[Assignment]:
    return scope(principal, assignments(), "commissioner.assignment")


def assignment_get(principal: Principal, pk: int) -> Assignment:
    found = visible_assignments(principal).filter(pk=pk).first()
    if found is None:
        raise Http404("未找到该派驻记录")
    return found


def assignable_enterprises(principal: Principal) -> QuerySet[Enterprise]:
    """Enterprises the principal may match and assign commissioners to (a township officer: its own)."""
    return scope(
        principal, Enterprise.objects.select_related("organization", "township"), "commissioner.assign"
    )


def enterprise_for_match(principal: Principal, pk: int) -> Enterprise:
    found = assignable_enterprises(principal).filter(pk=pk).first()
    if found is None:
        raise Http404("未找到该企业")
    return found


def may_record(principal: Principal, assignment: Assignment) -> bool:
    """The bureau, or the expert the assigned commissioner is."""
    if principal.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF):
        return True
    return (
        principal.role == Role.EXPERT
        and principal.expert_id is not None
        and assignment.commissioner.expert_id == principal.expert_id
    )


def links() -> QuerySet[ServiceLink]:
    return ServiceLink.objects.select_related("claim", "commissioner", "assignment__enterprise__organization")


def links_of_assignments(assignment_qs: QuerySet[Assignment]) -> QuerySet[ServiceLink]:
    return links().filter(assignment__in=assignment_qs.values("pk")).order_by("-claim__served_on", "-pk")


# ---- figures ------------------------------------------------------------------------------------------


def _link_figures(qs: QuerySet[ServiceLink], key: str) -> dict[Any, dict[str, Any]]:
    """Confirmed visits, solved problems, confirmed value, pending and disputed, grouped by ``key``."""
    rows = qs.values(key).annotate(
        confirmed=Count("pk", filter=CONFIRMED),
        solved=Count("pk", filter=CONFIRMED & Q(claim__solved=True)),
        value=Sum("claim__value_claimed_wan", filter=CONFIRMED),
        pending=Count("pk", filter=Q(claim__status=ClaimStatus.CLAIMED)),
        disputed=Count("pk", filter=Q(claim__status=ClaimStatus.DISPUTED)),
        served=Count("claim__enterprise_id", filter=CONFIRMED, distinct=True),
    )
    return {row.pop(key): row for row in rows}


def _assignment_figures(qs: QuerySet[Assignment], key: str) -> dict[Any, dict[str, Any]]:
    rows = qs.values(key).annotate(
        assignments=Count("pk"),
        active=Count("pk", filter=Q(status=AssignmentStatus.ACTIVE)),
        enterprises=Count("enterprise_id", distinct=True),
        commissioners=Count("commissioner_id", distinct=True),
    )
    return {row.pop(key): row for row in rows}


def _row(base: dict[str, Any], a: dict[str, Any] | None, s: dict[str, Any] | None) -> dict[str, Any]:
    a, s = a or {}, s or {}
    return base | {
        "assignments": a.get("assignments", 0),
        "active": a.get("active", 0),
        "enterprises": a.get("enterprises", 0),
        "commissioners": a.get("commissioners", 0),
        "served": s.get("served", 0),
        "confirmed": s.get("confirmed", 0),
        "solved": s.get("solved", 0),
        "value_wan": s.get("value") or ZERO,
        "pending": s.get("pending", 0),
        "disputed": s.get("disputed", 0),
    }


def commissioner_rows(
    commissioner_list: list[Commissioner], *, township_id: int | None = None
) -> list[dict[str, Any]]:
    """Per commissioner: assignments (active), enterprises served, confirmed visits, solved, confirmed
    value, pending and disputed records — two grouped queries. ``township_id`` limits to one township."""
    ids = [c.pk for c in commissioner_list]
    a_qs = Assignment.objects.filter(commissioner_id__in=ids)
    s_qs = ServiceLink.objects.filter(commissioner_id__in=ids)
    if township_id is not None:
        a_qs = a_qs.filter(enterprise__township_id=township_id)
        s_qs = s_qs.filter(claim__enterprise__township_id=township_id)
    a_fig, s_fig = _assignment_figures(a_qs, "commissioner_id"), _link_figures(s_qs, "commissioner_id")
    return [_row({"commissioner": c}, a_fig.get(c.pk), s_fig.get(c.pk)) for c in commissioner_list]


def enterprise_rows(*, township_id: int | None = None, enterprise_ids: list[int] | None = None) -> list[dict]:
    """Per enterprise that has had a commissioner: commissioners, assignments and confirmed services."""
    a_qs = Assignment.objects.all()
    s_qs = ServiceLink.objects.all()
    if township_id is not None:
        a_qs = a_qs.filter(enterprise__township_id=township_id)
        s_qs = s_qs.filter(claim__enterprise__township_id=township_id)
    if enterprise_ids is not None:
        a_qs = a_qs.filter(enterprise_id__in=enterprise_ids)
        s_qs = s_qs.filter(assignment__enterprise_id__in=enterprise_ids)
    a_fig = _assignment_figures(a_qs, "enterprise_id")
    s_fig = _link_figures(s_qs, "assignment__enterprise_id")
    firms = Enterprise.objects.filter(pk__in=a_fig.keys()).select_related("organization", "township")
    rows = [_row({"enterprise": e}, a_fig.get(e.pk), s_fig.get(e.pk)) for e in firms]
    rows.sort(key=lambda r: (-r["confirmed"], -r["assignments"], r["enterprise"].organization.name))
    return rows


def township_rows(*, township_id: int | None = None) -> list[dict[str, Any]]:
    """Per township of the served enterprises (enterprise.township); enterprises without one as 未填镇街."""
    a_qs = Assignment.objects.all()
    s_qs = ServiceLink.objects.all()
    if township_id is not None:
        a_qs = a_qs.filter(enterprise__township_id=township_id)
        s_qs = s_qs.filter(claim__enterprise__township_id=township_id)
    a_fig = _assignment_figures(a_qs, "enterprise__township_id")
    s_fig = _link_figures(s_qs, "assignment__enterprise__township_id")
    towns = {t.pk: t for t in Township.objects.filter(pk__in=[k for k in a_fig if k is not None])}
    rows = []
    for key in sorted(a_fig, key=lambda k: (k is None, towns[k].sort_order if k in towns else 0, k or 0)):
        town = towns.get(key)
        base = {"township": town, "township_id": key, "name": town.name if town else "未填镇街"}
        rows.append(_row(base, a_fig.get(key), s_fig.get(key)))
    return rows


def commissioner_figures(*, township_id: int | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """The headline figures the dashboard shows; services count once the enterprise has confirmed them."""
    day = today or timezone.localdate()
    a_qs = Assignment.objects.all()
    s_qs = ServiceLink.objects.filter(CONFIRMED)
    if township_id is not None:
        a_qs = a_qs.filter(enterprise__township_id=township_id)
        s_qs = s_qs.filter(claim__enterprise__township_id=township_id)
    confirmed = s_qs.aggregate(
        visits=Count("pk"),
        served=Count("claim__enterprise_id", distinct=True),
        value=Sum("claim__value_claimed_wan"),
        solved=Count("pk", filter=Q(claim__solved=True)),
    )
    return {
        "commissioners": Commissioner.objects.filter(is_active=True).count(),
        "active_assignments": a_qs.filter(status=AssignmentStatus.ACTIVE, ends_on__gte=day).count(),
        "enterprises_served": confirmed["served"],
        "confirmed_visits": confirmed["visits"],
        "solved": confirmed["solved"],
        "value_wan": confirmed["value"] or ZERO,
        "pending": ServiceLink.objects.filter(claim__status=ClaimStatus.CLAIMED)
        .filter(Q() if township_id is None else Q(claim__enterprise__township_id=township_id))
        .count(),
        "by_township": township_rows(township_id=township_id),
    }


def field_choices_in_use() -> list[str]:
    return list(Commissioner.objects.order_by().values_list("field", flat=True).distinct())


def claims_of(link_qs: QuerySet[ServiceLink]) -> QuerySet[ServiceClaim]:
    return ServiceClaim.objects.filter(pk__in=link_qs.values("claim_id"))


# ---- matching ------------------------------------------------------------------------------------------

QUERY_CHARS = 2000
TEXT_CHARS = 1200


@dataclass
class Suggestion:
    commissioner: Commissioner
    score: float
    reason: str
    active: int  # active assignments today
    assigned_here: bool  # already has an active assignment with this enterprise


def enterprise_query(enterprise: Enterprise) -> tuple[str, str]:
    """(query text, what it is made of): the enterprise's open demands, or its products and chains."""
    demands = list(
        Demand.objects.filter(enterprise=enterprise, status__in=OPEN_STATUSES)
        .order_by("-submitted_at", "-pk")
        .values_list("title", "description")[:5]
    )
    if demands:
        text = "\n".join(f"{t}。{d}" for t, d in demands)
        return text[:QUERY_CHARS], f"企业在办技术需求 {len(demands)} 项"
    chains = "、".join(enterprise.chains.values_list("name", flat=True))
    parts = [enterprise.main_products, chains, enterprise.organization.description]
    text = "。".join(p for p in parts if p and p.strip())
    return text[:QUERY_CHARS], "企业主营产品与产业链（暂无在办技术需求）"


def profiles(candidates: list[Commissioner]) -> dict[int, list[rules.ProfileText]]:
    """Each commissioner's profile texts: field, expertise, the expert's fields, public achievements and
    papers (two queries)."""
    expert_ids = [c.expert_id for c in candidates if c.expert_id]
    achievements: dict[int, list[tuple[str, str]]] = {}
    for expert_id, title, abstract in (
        Achievement.objects.filter(experts__in=expert_ids, is_public=True)
        .values_list("experts", "title", "abstract")
        .order_by("pk")
    ):
        achievements.setdefault(expert_id, []).append((title, abstract[:TEXT_CHARS]))
    out = {}
    for c in candidates:
        own = achievements.get(c.expert_id or 0, [])
        titles = {t.strip() for t, _ in own}
        papers = "\n".join(
            line
            for line in (c.expert.publications if c.expert else "").splitlines()
            if line.strip() not in titles
        )
        out[c.pk] = rules.profile_texts(
            field_label=c.get_field_display(),
            expertise=c.expertise,
            expert_fields=c.expert.fields if c.expert else "",
            achievements=own,
            publications=papers,
        )
    return out


def suggest(enterprise: Enterprise, *, limit: int = 10, today: dt.date | None = None) -> list[Suggestion]:
    """Active commissioners ranked for the enterprise by the matching engine (``rank_entities``), best
    first, with the title of each one's best matching text as the reason. Those scoring 0 are left out."""
    from kechuang.matching.engine import rank_entities
    from kechuang.matching.selectors import engine_options

    query, _ = enterprise_query(enterprise)
    if not query.strip():
        return []
    day = today or timezone.localdate()
    candidates = list(commissioners().filter(is_active=True).exclude(available_until__lt=day))
    texts = profiles(candidates)
    by_id = {str(c.pk): c for c in candidates}
    ranked = rank_entities(
        query, {cid: [t.text for t in texts[int(cid)]] for cid in by_id}, **engine_options()
    )
    top = [(cid, score) for cid, score in ranked if score > 0][:limit]
    if not top:
        return []
    titles = {f"{cid}:{j}": t.title for cid, _ in top for j, t in enumerate(texts[int(cid)])}
    singles = {f"{cid}:{j}": [t.text] for cid, _ in top for j, t in enumerate(texts[int(cid)])}
    reasons = rules.best_reason(rank_entities(query, singles, **engine_options()), titles)
    ids = [int(cid) for cid, _ in top]
    active = dict(
        Assignment.objects.filter(commissioner_id__in=ids, status=AssignmentStatus.ACTIVE, ends_on__gte=day)
        .values_list("commissioner_id")
        .annotate(n=Count("pk"))
    )
    here = set(
        Assignment.objects.filter(
            commissioner_id__in=ids, enterprise=enterprise, status=AssignmentStatus.ACTIVE, ends_on__gte=day
        ).values_list("commissioner_id", flat=True)
    )
    return [
        Suggestion(
            commissioner=by_id[cid],
            score=score,
            reason=reasons.get(cid, "—"),
            active=active.get(int(cid), 0),
            assigned_here=int(cid) in here,
        )
        for cid, score in top
    ]


@dataclass
class Proposal:
    """One enterprise's commissioner in a batch proposal (None, with ``unfilled`` saying why)."""

    enterprise: Enterprise
    commissioner: Commissioner | None
    affinity: float = 0.0
    reason: str = ""
    unfilled: str = ""


# A batch proposal computes one query per enterprise: enough for a township's list, not for the county.
MAX_BATCH = 50


def propose_assignments(enterprises: list[Enterprise], *, today: dt.date | None = None) -> list[Proposal]:
    """One commissioner for each enterprise, chosen for the batch as a whole: ``entity_affinities`` of
    each enterprise's query (its open demands, or products and chains) against every available
    commissioner's profile, assigned by min-cost flow so no commissioner exceeds the enterprises they
    may still take (``max_enterprises`` minus current assignments) and no pair already assigned is
    proposed again. Why not each enterprise's best on its own: the best-known experts would be proposed
    everywhere and refused at the capacity check one by one."""
    from kechuang.matching.engine import assign_by_affinity, entity_affinities
    from kechuang.matching.selectors import engine_options

    day = today or timezone.localdate()
    enterprises = enterprises[:MAX_BATCH]
    if not enterprises:
        return []
    candidates = list(commissioners().filter(is_active=True).exclude(available_until__lt=day).order_by("pk"))
    current = Assignment.objects.filter(status=AssignmentStatus.ACTIVE, ends_on__gte=day)
    load = dict(current.values_list("commissioner_id").annotate(n=Count("pk")))
    held = set(current.values_list("enterprise_id", "commissioner_id"))
    queries = [enterprise_query(e)[0] for e in enterprises]
    texts = profiles(candidates)
    affinity = entity_affinities(
        queries, {str(c.pk): [t.text for t in texts[c.pk]] for c in candidates}, **engine_options()
    )
    plan = assign_by_affinity(
        affinity,
        per_item=[1 if q.strip() else 0 for q in queries],
        capacity=[max(c.max_enterprises - load.get(c.pk, 0), 0) for c in candidates],
        conflicts={
            (i, j)
            for i, e in enumerate(enterprises)
            for j, c in enumerate(candidates)
            if (e.pk, c.pk) in held
        },
        entity_names=[c.name for c in candidates],
    )
    out = []
    for i, enterprise in enumerate(enterprises):
        chosen = plan.for_item(i)
        if not queries[i].strip():
            out.append(
                Proposal(enterprise, None, unfilled="企业没有在办需求、主营产品或产业链信息，无从匹配")
            )
        elif chosen:
            a = chosen[0]
            out.append(Proposal(enterprise, candidates[a.entity], a.affinity, a.reason))
        else:
            out.append(Proposal(enterprise, None, unfilled=plan.unfilled.get(i, "没有可派驻的特派员")))
    return out
