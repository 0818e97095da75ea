"""Incubation pages. The detail page shows the whole project and the forms the viewer may use; each form
posts to `act`, which looks the action up in ACTIONS (access action, form, service call)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kechuang.core.access import Role, may, require, requires
from kechuang.core.http import actor_of, add_service_errors, export_rows, paginate, principal_of
from kechuang.core.validators import normalise_credit_code
from kechuang.incubation import forms as f
from kechuang.incubation import selectors, services
from kechuang.incubation.choices import ACTIVE_STAGES, Stage, next_stages
from kechuang.incubation.conflicts import conflict_of
from kechuang.incubation.models import Milestone, Project
from kechuang.incubation.services import ADMITTED_STAGES
from kechuang.orgs.models import Organization


def _filters(request: HttpRequest) -> selectors.ProjectFilters:
    stage = request.GET.get("stage", "")
    return selectors.ProjectFilters(
        q=request.GET.get("q", "").strip()[:100],
        carrier=request.GET.get("carrier", "")[:30],
        stage=stage if stage in Stage.values else "",
    )


EXPORT_HEADERS = [
    "编号",
    "项目名称",
    "孵化载体",
    "申请单位",
    "所属产业",
    "阶段",
    "申请日期",
    "入孵日期",
    "评审得分",
    "资金需求(万元)",
    "获得投资(万元)",
    "落地企业",
    "落地企业统一社会信用代码",
    "落地日期",
    "最近进展",
]


def _export_row(p: Project) -> list[Any]:
    return [
        p.pk,
        p.name,
        p.carrier_name,
        p.applicant.name if p.applicant else "",
        p.industry,
        p.get_stage_display(),
        p.applied_on,
        p.admitted_on,
        p.review_score,
        p.funding_needed,
        p.invested,  # type: ignore[attr-defined]
        p.landed_organization.name if p.landed_organization else "",
        p.credit_code,
        p.landed_on,
        p.last_progress_on,
    ]


@requires("project.list")
def project_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    filters = _filters(request)
    rows = selectors.project_list(principal=principal, filters=filters)
    if request.GET.get("export") == "xlsx":
        return export_rows(
            "孵化项目.xlsx", EXPORT_HEADERS, (_export_row(p) for p in rows.iterator(chunk_size=2000))
        )
    return render(
        request,
        "incubation/list.html",
        {
            "page": paginate(request, rows),
            "filters": filters,
            "stages": Stage.choices,
            # The carrier filter is for those who work across projects (an operator sees only its own).
            "carriers": selectors.carrier_choices(principal=principal)
            if principal.is_bureau or principal.role == Role.ENCLAVE_OPERATOR
            else [],
            "can_apply": may(principal, "project.apply"),
            "can_candidates": may(principal, "incubation.candidates"),
        },
    )


def _applicant_for(value: str) -> Organization | None:
    """The organisation named by credit code or full name (staff and operators may apply for one)."""
    value = value.strip()
    if not value:
        return None
    return Organization.objects.filter(Q(credit_code=normalise_credit_code(value)) | Q(name=value)).first()


@requires("project.apply")
def project_create(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    enterprise = principal.role == Role.ENTERPRISE
    carriers = selectors.carrier_choices(principal=principal)
    form = f.ApplicationForm(request.POST or None, carriers=carriers, fixed_applicant=enterprise)
    if request.method == "POST" and form.is_valid():
        carrier = selectors.carrier_from_choice(form.cleaned_data["carrier"])
        applicant: Organization | None = None
        if enterprise:
            applicant = Organization.objects.filter(pk=principal.organization_id or 0).first()
        elif form.cleaned_data.get("applicant_code"):
            applicant = _applicant_for(form.cleaned_data["applicant_code"])
            if applicant is None:
                form.add_error("applicant_code", "平台中未找到该单位，请核对统一社会信用代码或全称，或留空")
        if carrier is None:
            form.add_error("carrier", "请选择孵化载体")
        if not form.errors and carrier is not None:
            try:
                project = services.submit_application(
                    actor=actor_of(request), carrier=carrier, data=form.to_data(), applicant=applicant
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "入孵申请已提交，科技局将组织评审")
                return redirect("incubation:project_detail", pk=project.pk)
    no_carrier = not carriers
    return render(
        request,
        "incubation/form.html",
        {"form": form, "title": "申请入孵", "no_carrier": no_carrier},
        status=400 if form.errors else 200,
    )


def _forms_for(project: Project) -> dict[str, forms.Form]:
    return {
        "decide": f.DecisionForm(prefix="decide"),
        "advance": f.AdvanceForm(prefix="advance", stage=project.stage),
        "milestone": f.MilestoneForm(prefix="milestone"),
        "milestone_done": f.MilestoneDoneForm(prefix="milestone_done"),
        "investment": f.InvestmentForm(prefix="investment"),
        "service": f.ServiceForm(prefix="service"),
        "periodic": f.PeriodicReviewForm(prefix="periodic"),
        "landing": f.LandingForm(prefix="landing"),
        "figure": f.FigureForm(prefix="figure", initial={"year": timezone.localdate().year}),
    }


def project_detail(
    request: HttpRequest, pk: int, *, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    principal = principal_of(request)
    project = selectors.project_get(principal=principal, pk=pk)
    can_manage = may(principal, "project.manage", project)
    can_decide = may(principal, "project.decide")
    forms_ = _forms_for(project)
    forms_.update(bound or {})
    own_review = selectors.own_review(project=project, user=actor_of(request))
    context: dict[str, Any] = {
        "project": project,
        "timeline": selectors.timeline(project),
        # Who scored what is for the bureau; operators and applicants see the mean and the decision.
        "reviews": selectors.reviews_for(project) if principal.is_bureau else [],
        "own_review": own_review,
        "landing_rows": selectors.landing_rows(project),
        "company_link": selectors.landed_enterprise_id(project)
        if principal.is_bureau
        or (principal.organization_id and principal.organization_id == project.landed_organization_id)
        else None,
        "can_manage": can_manage,
        "can_decide": can_decide,
        "is_recruiting": project.stage == Stage.RECRUITING,
        "is_active": project.stage in ACTIVE_STAGES,
        "is_admitted": project.stage in ADMITTED_STAGES,
        "next_stages": next_stages(project.stage),
        "forms": forms_,
        "admission_line": project.rubric_snapshot.get("admission_line"),
        **selectors.figure_tables(project),
    }
    if can_decide and project.stage in ACTIVE_STAGES:
        context["hits"] = selectors.rule_hits(project=project, as_of=timezone.localdate())
    return render(request, "incubation/detail.html", context, status=status)


@dataclass(frozen=True)
class Action:
    access: str
    form: type[forms.Form]
    run: Callable[[HttpRequest, Project, dict[str, Any]], str]  # returns the success message


def _decide(request: HttpRequest, project: Project, d: dict[str, Any]) -> str:
    services.decide_admission(
        actor=actor_of(request), project=project, admit=d["decision"] == "admit", reason=d["reason"]
    )
    return "已决定入孵" if d["decision"] == "admit" else "已决定不予入孵"


def _advance(request: HttpRequest, project: Project, d: dict[str, Any]) -> str:
    services.advance_project_stage(
        actor=actor_of(request), project=project, to_stage=d["to_stage"], note=d["note"], on=d["on"]
    )
    return f"项目已进入“{project.get_stage_display()}”阶段"


def _milestone(request: HttpRequest, project: Project, d: dict[str, Any]) -> str:
    services.add_milestone(actor=actor_of(request), project=project, **d)
    return "已添加里程碑"


def _milestone_done(request: HttpRequest, project: Project, d: dict[str, Any]) -> str:
    milestone = get_object_or_404(Milestone, pk=d["milestone"], project=project)
    milestone.project = project
    services.complete_milestone(actor=actor_of(request), milestone=milestone, done_on=d["done_on"])
    return f"里程碑“{milestone.title}”已完成"


def _investment(request: HttpRequest, project: Project, d: dict[str, Any]) -> str:
    services.record_investment(actor=actor_of(request), project=project, **d)
    return "已登记投资"


def _service(request: HttpRequest, project: Project, d: dict[str, Any]) -> str:
    services.record_service(actor=actor_of(request), project=project, **d)
    return "已登记服务"


def _periodic(request: HttpRequest, project: Project, d: dict[str, Any]) -> str:
    services.record_periodic_review(actor=actor_of(request), project=project, **d)
    return "已登记定期评估"


def _landing(request: HttpRequest, project: Project, d: dict[str, Any]) -> str:
    services.record_landing(actor=actor_of(request), project=project, **d)
    return f"已登记落地晋江：{project.landed_organization}"


def _figure(request: HttpRequest, project: Project, d: dict[str, Any]) -> str:
    services.record_landing_figure(actor=actor_of(request), project=project, **d)
    return f"已保存{d['year']}年落地企业数据"


ACTIONS: dict[str, Action] = {
    "decide": Action("project.decide", f.DecisionForm, _decide),
    "advance": Action("project.manage", f.AdvanceForm, _advance),
    "milestone": Action("project.manage", f.MilestoneForm, _milestone),
    "milestone_done": Action("project.manage", f.MilestoneDoneForm, _milestone_done),
    "investment": Action("project.manage", f.InvestmentForm, _investment),
    "service": Action("project.manage", f.ServiceForm, _service),
    "periodic": Action("project.manage", f.PeriodicReviewForm, _periodic),
    "landing": Action("project.manage", f.LandingForm, _landing),
    "figure": Action("project.manage", f.FigureForm, _figure),
}


@require_POST
def project_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    action = ACTIONS.get(name)
    if action is None:
        raise Http404("未知的操作")
    principal = principal_of(request)
    project = selectors.project_get(principal=principal, pk=pk, action=action.access)
    kwargs: dict[str, Any] = {"stage": project.stage} if action.form is f.AdvanceForm else {}
    form = action.form(request.POST, prefix=name, **kwargs)
    if not form.is_valid():
        messages.error(request, "请更正表单中的错误（已保留您填写的内容）")
        return project_detail(request, pk, bound={name: form}, status=400)
    try:
        message = action.run(request, project, form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        messages.error(request, "；".join(exc.messages))
        return project_detail(request, pk, bound={name: form}, status=400)
    messages.success(request, message)
    return redirect("incubation:project_detail", pk=pk)


@requires("project.decide")
def project_reviewers(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    project = selectors.project_get(principal=principal, pk=pk, action="project.decide")
    assigned = {r.reviewer_id for r in project.reviews.all()}
    form = f.ReviewersForm(
        request.POST or None, queryset=selectors.reviewer_choices().exclude(pk__in=assigned)
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.assign_reviewers(
                actor=actor_of(request), project=project, reviewers=list(form.cleaned_data["reviewers"])
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已指派 {len(created)} 位评审人")
            return redirect("incubation:project_detail", pk=pk)
    proposal = selectors.propose_reviewers(projects=[project])[0] if project.stage == "recruiting" else None
    return render(
        request,
        "incubation/reviewers.html",
        {"project": project, "form": form, "reviews": selectors.reviews_for(project), "proposal": proposal},
        status=400 if form.errors else 200,
    )


@requires("project.review")
def project_review(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    project = selectors.project_get(principal=principal, pk=pk, action="project.review")
    review = selectors.own_review(project=project, user=actor_of(request))
    if review is None:
        raise Http404("您未被指派评审该项目")
    initial = {f"score_{code}": value for code, value in review.scores.items()} | {"comment": review.comment}
    is_conflict_post = request.method == "POST" and "declare_conflict" in request.POST
    form = f.ReviewForm(
        request.POST if request.method == "POST" and not is_conflict_post else None,
        criteria=project.criteria,
        initial=initial,
    )
    conflict_form = f.ConflictForm(request.POST if is_conflict_post else None)
    actor = actor_of(request)
    assert actor is not None
    if is_conflict_post and conflict_form.is_valid():
        try:
            services.declare_conflict(actor=actor, review=review, note=conflict_form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(conflict_form, exc)
        else:
            messages.success(request, "已声明利益冲突，您的评分不计入该项目")
            return redirect("incubation:project_detail", pk=pk)
    elif request.method == "POST" and not is_conflict_post and form.is_valid():
        try:
            services.submit_review(
                actor=actor, review=review, scores=form.scores(), comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"评分已提交，加权总分 {review.total}")
            return redirect("incubation:project_detail", pk=pk)
    blocked = conflict_of(review)
    return render(
        request,
        "incubation/review.html",
        {
            "project": project,
            "review": review,
            "form": form,
            "conflict_form": conflict_form,
            "blocked": blocked,
            "open": project.stage == Stage.RECRUITING,
        },
        status=400 if form.errors or conflict_form.errors else 200,
    )


def _as_of(request: HttpRequest) -> dt.date:
    try:
        return min(dt.date.fromisoformat(request.GET.get("as_of", "")), timezone.localdate())
    except ValueError:
        return timezone.localdate()


@requires("incubation.candidates")
def candidates(
    request: HttpRequest, *, bound: dict[int, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    principal = principal_of(request)
    as_of = _as_of(request)
    rows = selectors.elimination_candidates(as_of=as_of, principal=principal)
    can_decide = may(principal, "project.decide")
    decision_forms = {c.project.pk: f.EliminationForm(auto_id=f"id_p{c.project.pk}_%s") for c in rows} | (
        bound or {}
    )
    return render(
        request,
        "incubation/candidates.html",
        {
            "candidates": [(c, decision_forms.get(c.project.pk)) for c in rows],
            "as_of": as_of,
            "can_decide": can_decide,
            "history": selectors.elimination_history(principal=principal),
        },
        status=status,
    )


@require_POST
@requires("project.decide")
def candidate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    project = selectors.project_get(principal=principal, pk=pk, action="project.decide")
    form = f.EliminationForm(request.POST, auto_id=f"id_p{pk}_%s")
    if form.is_valid():
        try:
            services.decide_elimination(
                project=project,
                eliminate=form.cleaned_data["eliminate"] == "1",
                reason=form.cleaned_data["reason"],
                actor=actor_of(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if project.stage == Stage.ELIMINATED:
                messages.success(request, f"已决定淘汰“{project.name}”（项目记录完整保留）")
            else:
                messages.success(request, f"已决定保留“{project.name}”")
            return redirect("incubation:candidates")
    messages.error(request, "请更正表单中的错误（已保留您填写的内容）")
    require(principal, "incubation.candidates")
    return candidates(request, bound={pk: form}, status=400)
