"""Reads of the registry, always narrowed by the access rules for the asking principal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from kechuang.core.access import Principal, Role, require, scope
from kechuang.core.validators import normalise_credit_code
from kechuang.orgs.choices import QualificationKind
from kechuang.orgs.models import (
    Enclave,
    Enterprise,
    EnterpriseYearFigure,
    Expert,
    ImportBatch,
    IndustryChainTag,
    Institution,
    Investor,
    Qualification,
    Township,
)


@dataclass(frozen=True)
class EnterpriseFilters:
    q: str = ""
    township: int | None = None
    qualification: str = ""
    industry: str = ""
    chain: int | None = None
    above_scale: bool | None = None


def active_qualifications(today: dt.date | None = None) -> QuerySet[Qualification]:
    today = today or dt.date.today()
    return Qualification.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def enterprise_list(
    *, principal: Principal, filters: EnterpriseFilters, action: str = "enterprise.list"
) -> QuerySet[Enterprise]:
    """Enterprises the principal may list, filtered; the list page's rows need no further queries."""
    qs = scope(principal, Enterprise.objects.all(), action)
    if filters.q:
        code = normalise_credit_code(filters.q)
        qs = qs.filter(
            Q(organization__name__icontains=filters.q)
            | Q(organization__credit_code=code)
            | Q(main_products__icontains=filters.q)
        )
    if filters.township:
        qs = qs.filter(township_id=filters.township)
    if filters.industry:
        qs = qs.filter(industry_code__startswith=filters.industry)
    if filters.chain:
        qs = qs.filter(chains__id=filters.chain)
    if filters.above_scale is not None:
        qs = qs.filter(is_above_scale=filters.above_scale)
    if filters.qualification:
        qs = qs.filter(
            Exists(
                active_qualifications().filter(
                    organization_id=OuterRef("organization_id"), kind=filters.qualification
                )
            )
        )
    return qs.select_related("organization", "township").order_by("organization__name", "pk")


def attach_list_extras(enterprises: list[Enterprise]) -> None:
    """Attach active qualification kinds and the latest figures to one page of enterprises (2 queries)."""
    org_ids = [e.organization_id for e in enterprises]
    quals: dict[int, list[str]] = {}
    for org_id, kind in (
        active_qualifications().filter(organization_id__in=org_ids).values_list("organization_id", "kind")
    ):
        quals.setdefault(org_id, []).append(QualificationKind(kind).label)
    latest: dict[int, EnterpriseYearFigure] = {}
    for figure in EnterpriseYearFigure.objects.filter(enterprise__in=enterprises).order_by(
        "enterprise_id", "-year"
    ):
        latest.setdefault(figure.enterprise_id, figure)
    for enterprise in enterprises:
        enterprise.qualification_labels = quals.get(enterprise.organization_id, [])  # type: ignore[attr-defined]
        enterprise.latest_figure = latest.get(enterprise.pk)  # type: ignore[attr-defined]


def enterprise_get(*, principal: Principal, pk: int, action: str = "enterprise.view") -> Enterprise:
    """404 (not 403) for records outside the principal's scope, so ids cannot be probed."""
    require(principal, action)
    enterprise = (
        scope(principal, Enterprise.objects.all(), action)
        .select_related("organization", "township")
        .prefetch_related(
            "chains",
            Prefetch("figures", queryset=EnterpriseYearFigure.objects.order_by("-year")),
            Prefetch("organization__qualifications", queryset=Qualification.objects.order_by("kind")),
        )
        .filter(pk=pk)
        .first()
    )
    if enterprise is None:
        raise Http404("企业不存在或无权查看")
    return enterprise


def history_for(obj: Any, *, limit: int = 50) -> list[dict[str, Any]]:
    """Who changed what when, newest first, with the changed fields spelled out."""
    records = list(obj.history.select_related("history_user").order_by("-history_date")[: limit + 1])
    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        changes = []
        if older is not None:
            delta = newer.diff_against(older)
            for change in delta.changes:
                field = obj._meta.get_field(change.field)
                changes.append({"field": str(field.verbose_name), "old": change.old, "new": change.new})
        entries.append(
            {
                "when": newer.history_date,
                "who": newer.history_user.get_username() if newer.history_user else "系统",
                "type": {"+": "创建", "~": "修改", "-": "删除"}[newer.history_type],
                "reason": newer.history_change_reason or "",
                "changes": changes,
            }
        )
    return entries[:limit]


def merged_history(*objs: Any, limit: int = 50) -> list[dict[str, Any]]:
    """One timeline for a record kept in several tables (an organisation and its enterprise/institution
    profile), newest first: people read it as one record."""
    entries = [e for obj in objs for e in history_for(obj, limit=limit)]
    return sorted(entries, key=lambda e: e["when"], reverse=True)[:limit]


def townships_with_enterprise_counts(*, principal: Principal) -> list[Township]:
    """Townships with the number of enterprises the principal may list in each."""
    enterprises = scope(principal, Enterprise.objects.all(), "enterprise.list")
    counts = dict(
        enterprises.values_list("township_id").annotate(n=Count("pk")).values_list("township_id", "n")
    )
    townships = list(Township.objects.all())
    for township in townships:
        township.enterprise_count = counts.get(township.pk, 0)  # type: ignore[attr-defined]
    return townships


def township_list() -> QuerySet[Township]:
    return Township.objects.all()


def chain_list() -> QuerySet[IndustryChainTag]:
    return IndustryChainTag.objects.all()


def institution_list(*, q: str = "", category: str = "") -> QuerySet[Institution]:
    qs = Institution.objects.select_related("organization").annotate(expert_count=Count("experts"))
    if q:
        qs = qs.filter(Q(organization__name__icontains=q) | Q(disciplines__icontains=q))
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("organization__name")


def institution_get(*, pk: int) -> Institution:
    institution = Institution.objects.select_related("organization").filter(pk=pk).first()
    if institution is None:
        raise Http404("高校院所不存在")
    return institution


def expert_list(*, q: str = "", institution: int | None = None) -> QuerySet[Expert]:
    qs = Expert.objects.select_related("institution__organization")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(fields__icontains=q) | Q(title__icontains=q))
    if institution:
        qs = qs.filter(institution_id=institution)
    return qs.order_by("name", "pk")


def expert_get(*, pk: int) -> Expert:
    expert = Expert.objects.select_related("institution__organization").filter(pk=pk).first()
    if expert is None:
        raise Http404("专家不存在")
    return expert


def investor_list(*, q: str = "") -> QuerySet[Investor]:
    qs = Investor.objects.select_related("organization").prefetch_related("funds")
    if q:
        qs = qs.filter(Q(organization__name__icontains=q) | Q(focus_industries__icontains=q))
    return qs.order_by("organization__name")


def investor_get(*, pk: int) -> Investor:
    investor = Investor.objects.select_related("organization").prefetch_related("funds").filter(pk=pk).first()
    if investor is None:
        raise Http404("投资机构不存在")
    return investor


def enclave_list() -> QuerySet[Enclave]:
    return Enclave.objects.select_related("operator").prefetch_related("partner_institutions__organization")


def enclave_get(*, pk: int) -> Enclave:
    enclave = enclave_list().filter(pk=pk).first()
    if enclave is None:
        raise Http404("飞地不存在")
    return enclave


def import_history(*, limit: int = 50) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.select_related("uploaded_by").order_by("-created_at")[:limit]


def own_enterprise(principal: Principal) -> Enterprise | None:
    """The enterprise an enterprise user speaks for (None for every other role)."""
    if principal.role != Role.ENTERPRISE or not principal.organization_id:
        return None
    return (
        Enterprise.objects.select_related("organization", "township")
        .filter(organization_id=principal.organization_id)
        .first()
    )
