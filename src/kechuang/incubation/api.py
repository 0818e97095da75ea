"""JSON API for incubated projects: the same selectors, so the same row rules, as the pages (operators see
their own carrier's projects, enterprises their own, reviewers what they are assigned).

No `from __future__ import annotations` here: django-ninja resolves the Query[...] annotation at import."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kechuang.core.access import require
from kechuang.core.pagination import BoundedPageNumberPagination
from kechuang.incubation import selectors
from kechuang.incubation.models import Project

router = Router(tags=["项目孵化 incubation"])


class ProjectBrief(Schema):
    id: int
    name: str
    carrier: str
    industry: str
    stage: str
    stage_label: str
    applied_on: dt.date
    admitted_on: dt.date | None
    review_score: Decimal | None
    invested: Decimal | None
    landed_company: str | None
    landed_on: dt.date | None
    last_progress_on: dt.date


class ProjectDetail(ProjectBrief):
    applicant: str | None
    decision: str
    decision_reason: str
    timeline: list[dict[str, str]]


class ProjectQuery(Schema):
    q: str = ""
    carrier: str = ""
    stage: str = ""


def _brief(project: Project) -> dict[str, Any]:
    return {
        "id": project.pk,
        "name": project.name,
        "carrier": project.carrier_name,
        "industry": project.industry,
        "stage": project.stage,
        "stage_label": project.get_stage_display(),
        "applied_on": project.applied_on,
        "admitted_on": project.admitted_on,
        "review_score": project.review_score,
        "invested": getattr(project, "invested", None),
        "landed_company": project.landed_organization.name if project.landed_organization else None,
        "landed_on": project.landed_on,
        "last_progress_on": project.last_progress_on,
    }


@router.get("/incubation/projects", response=list[ProjectBrief], summary="我可查看的孵化项目（按权限范围）")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_projects(request: HttpRequest, filters: Query[ProjectQuery]) -> list[dict[str, Any]]:
    principal = request.principal  # type: ignore[attr-defined]
    require(principal, "project.list")
    qs = selectors.project_list(principal=principal, filters=selectors.ProjectFilters(**filters.dict()))
    return [_brief(p) for p in qs]


@router.get("/incubation/projects/{pk}", response=ProjectDetail, summary="孵化项目详情与进展时间线")
def get_project(request: HttpRequest, pk: int) -> dict[str, Any]:
    principal = request.principal  # type: ignore[attr-defined]
    project = selectors.project_get(principal=principal, pk=pk)
    return {
        **_brief(project),
        "applicant": project.applicant.name if project.applicant else None,
        "decision": project.get_decision_display() if project.decision else "",
        "decision_reason": project.decision_reason,
        "timeline": [
            {
                "on": e.happened_on.isoformat(),
                "action": e.action,
                "stage": e.get_to_stage_display(),
                "note": e.note,
            }
            for e in selectors.timeline(project)
        ],
    }
