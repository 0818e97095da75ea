"""JSON API for demands: the same selectors, so the same confidentiality rules, as the pages."""

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kechuang.core.access import require
from kechuang.core.pagination import BoundedPageNumberPagination
from kechuang.demands import selectors
from kechuang.demands.models import Demand

router = Router(tags=["技术需求 demands"])


class DemandBrief(Schema):
    id: int
    title: str
    demand_type: str
    status: str
    township: str | None
    submitted_at: dt.datetime | None
    confidentiality: str
    text: str  # the full description for those who may see it, else the approved public summary


class DemandDetail(DemandBrief):
    enterprise: str | None
    indicators: str | None
    timeline: list[dict[str, str]] | None


def _brief(demand: Demand, *, full: bool) -> dict[str, object]:
    public_text = demand.description if demand.confidentiality == "public" else demand.public_summary
    return {
        "id": demand.pk,
        "title": demand.title,
        "demand_type": demand.demand_type,
        "status": demand.status,
        "township": demand.township.name if demand.township else None,
        "submitted_at": demand.submitted_at,
        "confidentiality": demand.confidentiality,
        "text": demand.description if full else public_text,
    }


class DemandQuery(Schema):
    q: str = ""
    status: str = ""
    demand_type: str = ""
    township: int | None = None
    campaign: int | None = None


@router.get("/demands", response=list[DemandBrief], summary="我可处理的需求（按权限范围）")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_demands(request: HttpRequest, filters: Query[DemandQuery]) -> list[dict[str, object]]:
    principal = request.principal  # type: ignore[attr-defined]
    require(principal, "demand.list")
    qs = selectors.demand_list(principal=principal, filters=selectors.DemandFilters(**filters.dict()))
    return [_brief(d, full=True) for d in qs]


@router.get("/demands/hall", response=list[DemandBrief], summary="公开需求（需求大厅）")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_public_demands(request: HttpRequest, q: str = "") -> list[dict[str, object]]:
    principal = request.principal  # type: ignore[attr-defined]
    return [_brief(d, full=False) for d in selectors.public_demands(principal=principal, q=q)]


@router.get("/demands/{pk}", response=DemandDetail, summary="需求详情（无权者只见公开摘要）")
def get_demand(request: HttpRequest, pk: int) -> dict[str, object]:
    demand, full = selectors.demand_get(principal=request.principal, pk=pk)  # type: ignore[attr-defined]
    return {
        **_brief(demand, full=full),
        "enterprise": demand.enterprise.organization.name if full else None,
        "indicators": demand.indicators if full or demand.confidentiality == "public" else None,
        "timeline": [
            {"action": e.action, "status": e.to_status, "at": e.created_at.isoformat(), "comment": e.comment}
            for e in selectors.timeline(demand)
        ]
        if full
        else None,
    }


@router.get("/demands-funnel", summary="需求漏斗（受理→分派→响应→对接→签约→落地）")
def demand_funnel(request: HttpRequest) -> dict[str, object]:
    principal = request.principal  # type: ignore[attr-defined]
    require(principal, "demand.funnel")
    data = selectors.funnel(principal=principal, filters=selectors.DemandFilters())
    return {
        "total": data.total,
        "stages": data.stages,
        "days_in_status": data.days_in_status,
        "contracts_count": data.contracts_count,
        "contracts_amount": data.contracts_amount,
    }
