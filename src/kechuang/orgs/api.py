"""JSON API for the registry; the same selectors and access rules as the pages."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kechuang.core.access import require
from kechuang.core.pagination import BoundedPageNumberPagination
from kechuang.orgs import selectors

router = Router(tags=["主体库 registry"])


class FigureOut(Schema):
    year: int
    revenue: Decimal | None
    rd_spend: Decimal | None
    hightech_revenue: Decimal | None
    has_rd_activity: bool
    invention_patents: int
    utility_patents: int
    software_copyrights: int


class QualificationOut(Schema):
    kind: str
    label: str
    level: str
    valid_from: dt.date | None
    valid_until: dt.date | None


class EnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str
    township: str | None
    industry_code: str
    is_above_scale: bool
    employees: int | None
    tech_staff: int | None


class EnterpriseDetailOut(EnterpriseOut):
    address: str
    main_products: str
    figures: list[FigureOut]
    qualifications: list[QualificationOut]


def _enterprise_out(e: selectors.Enterprise) -> dict[str, object]:
    return {
        "id": e.pk,
        "name": e.organization.name,
        "credit_code": e.organization.credit_code,
        "township": e.township.name if e.township else None,
        "industry_code": e.industry_code,
        "is_above_scale": e.is_above_scale,
        "employees": e.employees,
        "tech_staff": e.tech_staff,
    }


class EnterpriseQuery(Schema):
    q: str = ""
    township: int | None = None
    qualification: str = ""
    industry: str = ""
    chain: int | None = None
    above_scale: bool | None = None


@router.get("/enterprises", response=list[EnterpriseOut], summary="企业列表（按权限范围）")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_enterprises(request: HttpRequest, filters: Query[EnterpriseQuery]) -> list[dict[str, object]]:
    principal = request.principal  # type: ignore[attr-defined]
    require(principal, "enterprise.list")
    qs = selectors.enterprise_list(principal=principal, filters=selectors.EnterpriseFilters(**filters.dict()))
    return [_enterprise_out(e) for e in qs]  # paginate slices the list lazily enough for 50-row pages


@router.get("/enterprises/{pk}", response=EnterpriseDetailOut, summary="企业详情")
def get_enterprise(request: HttpRequest, pk: int) -> dict[str, object]:
    e = selectors.enterprise_get(principal=request.principal, pk=pk)  # type: ignore[attr-defined]
    return {
        **_enterprise_out(e),
        "address": e.organization.address,
        "main_products": e.main_products,
        "figures": list(e.figures.all()),
        "qualifications": [
            {
                "kind": q.kind,
                "label": q.get_kind_display(),
                "level": q.level,
                "valid_from": q.valid_from,
                "valid_until": q.valid_until,
            }
            for q in e.organization.qualifications.all()
        ],
    }


class InstitutionOut(Schema):
    id: int
    name: str
    category: str
    level: str
    disciplines: str
    city: str


@router.get("/institutions", response=list[InstitutionOut], summary="高校院所")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_institutions(request: HttpRequest, q: str = "") -> list[dict[str, object]]:
    require(request.principal, "institution.view")  # type: ignore[attr-defined]
    return [
        {
            "id": i.pk,
            "name": i.organization.name,
            "category": i.category,
            "level": i.level,
            "disciplines": i.disciplines,
            "city": i.city,
        }
        for i in selectors.institution_list(q=q)
    ]


class ExpertOut(Schema):
    id: int
    name: str
    institution: str | None
    title: str
    fields: str


@router.get("/experts", response=list[ExpertOut], summary="专家库（不含联系方式）")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_experts(request: HttpRequest, q: str = "") -> list[dict[str, object]]:
    require(request.principal, "expert.view")  # type: ignore[attr-defined]
    return [
        {
            "id": e.pk,
            "name": e.name,
            "institution": e.institution.organization.name if e.institution else None,
            "title": e.title,
            "fields": e.fields,
        }
        for e in selectors.expert_list(q=q)
    ]


class EnclaveOut(Schema):
    id: int
    name: str
    city: str
    host_site: str
    operator: str | None
    model: str
    opened_on: dt.date | None
    focus_industries: str


@router.get("/enclaves", response=list[EnclaveOut], summary="创新飞地")
def list_enclaves(request: HttpRequest) -> list[dict[str, object]]:
    require(request.principal, "enclave.view")  # type: ignore[attr-defined]
    return [
        {
            "id": e.pk,
            "name": e.name,
            "city": e.city,
            "host_site": e.host_site,
            "operator": e.operator.name if e.operator else None,
            "model": e.model,
            "opened_on": e.opened_on,
            "focus_industries": e.focus_industries,
        }
        for e in selectors.enclave_list()
    ]


class InvestorOut(Schema):
    id: int
    name: str
    kind: str
    focus_industries: str


@router.get("/investors", response=list[InvestorOut], summary="投资机构（登录可见）")
def list_investors(request: HttpRequest) -> list[dict[str, object]]:
    require(request.principal, "investor.view")  # type: ignore[attr-defined]
    return [
        {"id": i.pk, "name": i.organization.name, "kind": i.kind, "focus_industries": i.focus_industries}
        for i in selectors.investor_list()
    ]
