"""Demand pages. One detail page shows the demand, its timeline and the actions the viewer may take;
every action posts to `act`, which looks the action up in ACTIONS (access action, form, service call)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kechuang.core.access import Principal, may, require, requires
from kechuang.core.http import actor_of, add_service_errors, export_rows, int_param, paginate, principal_of
from kechuang.core.validators import normalise_credit_code
from kechuang.demands import forms as f
from kechuang.demands import selectors, services
from kechuang.demands.choices import OPEN_STATUSES, CloseReason, DemandType, Status, TargetKind
from kechuang.demands.models import Campaign, Demand, DemandAttachment, Response, Routing
from kechuang.demands.suggestions import Suggestion as KeywordSuggestion
from kechuang.demands.suggestions import suggest_targets
from kechuang.matching.selectors import suggestion_panel
from kechuang.orgs.models import Enterprise
from kechuang.orgs.selectors import township_list

#: What the suggestions panel says for a demand with no suggestions that is not waiting for any.
MATCHING_NOTES: dict[str, str] = {
    Status.DRAFT: "需求提交后，平台会在后台推荐匹配的科技成果、专家、院所和飞地。",
    Status.REJECTED: "需求未予受理，不计算推荐。",
    Status.MERGED: "需求已合并到另一条需求，推荐见合并后的需求。",
}

ERRORS = (ValidationError, services.TransitionError, services.ConcurrentEditError)


def _filters(request: HttpRequest) -> selectors.DemandFilters:
    import datetime as dt

    def date(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    return selectors.DemandFilters(
        q=request.GET.get("q", "").strip()[:100],
        status=request.GET.get("status", ""),
        demand_type=request.GET.get("demand_type", ""),
        township=int_param(request, "township"),
        campaign=int_param(request, "campaign"),
        industry=request.GET.get("industry", "")[:4],
        overdue=request.GET.get("overdue") == "1",
        since=date("since"),
        until=date("until"),
    )


def _messages_of(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return [str(m) for m in exc.messages]
    return [str(exc)]


@requires("demand.list")
def demand_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    filters = _filters(request)
    rows = selectors.demand_list(principal=principal, filters=filters)
    if request.GET.get("export") == "xlsx":
        require(principal, "demand.export")
        return export_rows(
            "技术需求.xlsx",
            ["编号", "需求名称", "企业", "镇街", "类型", "状态", "提交时间", "公开方式"],
            (
                [
                    d.pk,
                    d.title,
                    d.enterprise.organization.name,
                    d.township.name if d.township else "",
                    d.get_demand_type_display(),
                    d.get_status_display(),
                    d.submitted_at.strftime("%Y-%m-%d") if d.submitted_at else "",
                    d.get_confidentiality_display(),
                ]
                for d in rows.iterator(chunk_size=2000)
            ),
        )
    page = paginate(request, rows)
    selectors.attach_overdue(list(page.object_list))
    return render(
        request,
        "demands/list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": Status.choices,
            "types": DemandType.choices,
            "townships": township_list() if principal.is_bureau else [],
            "campaigns": Campaign.objects.all()[:50],
            "can_file": may(principal, "demand.file"),
            "can_export": may(principal, "demand.export"),
        },
    )


@requires("demand.view")
def public_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    demand_type = request.GET.get("demand_type", "")
    page = paginate(
        request, selectors.public_demands(principal=principal_of(request), q=q, demand_type=demand_type)
    )
    return render(
        request,
        "demands/public_list.html",
        {"page": page, "q": q, "demand_type": demand_type, "types": DemandType.choices},
    )


def _enterprise_for(principal: Principal, code_or_name: str) -> Enterprise | None:
    if principal.organization_id and principal.role == "enterprise":
        return Enterprise.objects.filter(organization_id=principal.organization_id).first()
    allowed = selectors.fileable_enterprises(principal=principal)
    value = code_or_name.strip()
    return allowed.filter(
        Q(organization__credit_code=normalise_credit_code(value)) | Q(organization__name=value)
    ).first()


@requires("demand.file")
def demand_create(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    fixed = principal.role == "enterprise"
    form = f.DemandForm(
        request.POST or None,
        request.FILES or None,
        fixed_enterprise=fixed,
        initial={"campaign": int_param(request, "campaign")},
    )
    if request.method == "POST" and form.is_valid():
        enterprise = _enterprise_for(principal, form.cleaned_data.get("enterprise_code", ""))
        if enterprise is None:
            form.add_error("enterprise_code" if not fixed else None, "未找到该企业，或您无权为其填报需求")
        else:
            try:
                demand = services.file_demand(
                    actor=actor_of(request),
                    enterprise=enterprise,
                    data=form.to_data(),
                    submit="save_draft" not in request.POST,
                )
                if form.cleaned_data.get("attachment"):
                    services.add_attachment(
                        actor=actor_of(request), demand=demand, upload=form.cleaned_data["attachment"]
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    "需求已提交，科技局将尽快受理" if demand.status == Status.SUBMITTED else "已保存草稿",
                )
                return redirect("demands:detail", pk=demand.pk)
    enterprises = (
        selectors.fileable_enterprises(principal=principal)[:300]
        if principal.role == "township_officer"
        else []
    )
    return render(
        request, "demands/form.html", {"form": form, "title": "填报技术需求", "enterprises": enterprises}
    )


def demand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    demand = selectors.demand_for_action(principal=principal, pk=pk, action="demand.edit")
    initial = {
        name: getattr(demand, name)
        for name in (
            "title",
            "demand_type",
            "description",
            "indicators",
            "industry_code",
            "budget_min",
            "budget_max",
            "deadline",
            "cooperation_modes",
            "contact_name",
            "contact_phone",
            "confidentiality",
            "public_summary",
            "summary_approved",
            "version",
        )
    }
    initial.update(chain=demand.chain_id, campaign=demand.campaign_id)
    form = f.DemandForm(request.POST or None, request.FILES or None, fixed_enterprise=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_demand(
                actor=actor_of(request),
                demand=demand,
                data=form.to_data(),
                expected_version=form.cleaned_data["version"] or 0,
            )
            if form.cleaned_data.get("attachment"):
                services.add_attachment(
                    actor=actor_of(request), demand=demand, upload=form.cleaned_data["attachment"]
                )
        except ERRORS as exc:
            if isinstance(exc, ValidationError):
                add_service_errors(form, exc)
            else:
                form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存修改")
            return redirect("demands:detail", pk=pk)
    return render(
        request, "demands/form.html", {"form": form, "title": f"修改需求 #{demand.pk}", "demand": demand}
    )


def demand_detail(
    request: HttpRequest, pk: int, *, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    principal = principal_of(request)
    demand, full = selectors.demand_get(principal=principal, pk=pk)
    context: dict[str, Any] = {"demand": demand, "full": full, "steps": services.allowed_steps(demand)}
    if full:
        routings = selectors.routings_for(demand)
        own = selectors.own_routing(principal=principal, demand=demand)
        context.update(
            timeline=selectors.timeline(demand),
            routings=routings,
            own_routing=own,
            responses=[r for routing in routings for r in routing.responses.all()],
            attachments=demand.attachments.all(),
            meetings=demand.meetings.all(),
            contracts=demand.contracts.all(),
            landings=demand.landings.all(),
            can_edit=may(principal, "demand.edit", demand),
            can_triage=may(principal, "demand.triage"),
            can_route=may(principal, "demand.route"),
            can_decide=may(principal, "demand.decide", demand),
            can_respond=own is not None,
            interests=selectors.interests_for(demand) if principal.is_bureau else None,
            matching=suggestion_panel(
                source_kind="demand",
                source_id=demand.pk,
                awaiting=demand.status in OPEN_STATUSES,
                note=MATCHING_NOTES.get(demand.status, ""),
                principal=principal,
                user_id=request.user.pk,
            ),
            can_judge=may(principal, "matching.judge"),
            duplicates=selectors.near_duplicates(demand)
            if principal.is_bureau and demand.status in (Status.SUBMITTED, Status.ACCEPTED)
            else [],
        )
    context["can_interest"] = (
        may(principal, "demand.interest") and demand.is_published and not context.get("can_respond")
    )
    # Each action's form is prefixed with its name so field ids stay unique on the page.
    versioned = {"accept", "return", "reject", "merge", "close"}
    forms_: dict[str, forms.Form] = {}
    for name, action in ACTIONS.items():
        if action.form is not None:
            initial = {"version": demand.version} if name in versioned else None
            forms_[name] = action.form(prefix=name, initial=initial)
    forms_.update(bound or {})
    context["forms"] = forms_
    context["close_reasons"] = CloseReason.choices
    return render(request, "demands/detail.html", context, status=status)


@dataclass(frozen=True)
class Action:
    access: str  # the access action, checked against this demand
    form: type[forms.Form] | None
    run: Callable[[HttpRequest, Demand, dict[str, Any]], str]  # returns the success message


def _routing(request: HttpRequest, demand: Demand) -> Routing:
    routing = selectors.own_routing(principal=principal_of(request), demand=demand)
    if routing is None:
        raise Http404("您不是该需求的分派对象")
    return routing


def _response(demand: Demand, data: dict[str, Any], key: str = "response") -> Response:
    return get_object_or_404(Response, pk=data.get(key) or 0, demand=demand)


def _submit(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    services.transition(
        actor=actor_of(request), demand=demand, step="submit", notify_users=services.bureau_users()
    )
    return "已提交，等待科技局受理"


def _accept(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    services.accept_demand(
        actor=actor_of(request), demand=demand, comment=d["comment"], expected_version=d["version"]
    )
    return "已受理"


def _return(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    services.return_demand(
        actor=actor_of(request), demand=demand, reason=d["reason"], expected_version=d["version"]
    )
    return "已退回企业修改"


def _reject(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    services.reject_demand(
        actor=actor_of(request),
        demand=demand,
        reason=d["reason"],
        note=d["note"],
        expected_version=d["version"],
    )
    return "已不予受理"


def _merge(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    into = selectors.demand_for_action(principal=principal_of(request), pk=d["into"], action="demand.triage")
    services.merge_demand(actor=actor_of(request), demand=demand, into=into, expected_version=d["version"])
    return f"已合并到需求 #{into.pk}"


def _acknowledge(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    services.acknowledge_routing(actor=actor_of(request), routing=_routing(request, demand))
    return "已确认收到"


def _decline(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    services.decline_routing(actor=actor_of(request), routing=_routing(request, demand), reason=d["reason"])
    return "已反馈无法承接"


def _respond(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    services.submit_response(
        actor=actor_of(request), routing=_routing(request, demand), data=services.ResponseData(**d)
    )
    return "响应方案已提交"


def _accept_response(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    services.accept_response(actor=actor_of(request), response=_response(demand, request.POST))
    return "已采纳，进入对接"


def _rate_response(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    services.rate_response(
        actor=actor_of(request),
        response=_response(demand, request.POST),
        rating=d["rating"],
        reason=d["reason"],
    )
    return "已评分"


def _meeting(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    services.record_meeting(actor=actor_of(request), demand=demand, **d)
    return "已记录对接"


def _contract(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    response = _response(demand, d) if d.get("response") else None
    services.record_contract(
        actor=actor_of(request),
        demand=demand,
        contract_type=d["contract_type"],
        amount=d["amount"],
        signed_on=d["signed_on"],
        counterparty=d["counterparty"],
        registration_no=d["registration_no"],
        response=response,
    )
    return "已登记技术合同"


def _landing(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    services.record_landing(actor=actor_of(request), demand=demand, **d)
    return "已登记项目落地"


def _close(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    services.close_demand(
        actor=actor_of(request),
        demand=demand,
        reason=d["reason"],
        note=d["note"],
        expected_version=d["version"],
    )
    return "需求已关闭"


def _rate(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    services.rate_service(actor=actor_of(request), demand=demand, rating=d["rating"], reason=d["reason"])
    return "感谢您的评价"


def _interest(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    actor = actor_of(request)
    assert actor is not None
    services.declare_interest(actor=actor, demand=demand, note=d["note"])
    return "已登记意向，科技局会与您联系"


def _attach(request: HttpRequest, demand: Demand, d: dict[str, Any]) -> str:
    services.add_attachment(actor=actor_of(request), demand=demand, upload=d["file"])
    return "附件已上传"


ACTIONS: dict[str, Action] = {
    "submit": Action("demand.edit", None, _submit),
    "accept": Action("demand.triage", f.AcceptForm, _accept),
    "return": Action("demand.triage", f.ReasonForm, _return),
    "reject": Action("demand.triage", f.RejectForm, _reject),
    "merge": Action("demand.triage", f.MergeForm, _merge),
    "acknowledge": Action("demand.respond", None, _acknowledge),
    "decline": Action("demand.respond", f.ReasonForm, _decline),
    "respond": Action("demand.respond", f.ResponseForm, _respond),
    "accept_response": Action("demand.decide", None, _accept_response),
    "rate_response": Action("demand.decide", f.RatingForm, _rate_response),
    "meeting": Action("demand.decide", f.MeetingForm, _meeting),
    "contract": Action("demand.decide", f.ContractForm, _contract),
    "landing": Action("demand.decide", f.LandingForm, _landing),
    "close": Action("demand.decide", f.CloseForm, _close),
    "rate": Action("demand.decide", f.RatingForm, _rate),
    "interest": Action("demand.interest", f.InterestForm, _interest),
    "attach": Action("demand.edit", f.AttachmentForm, _attach),
}
# Which scope each action's demand is looked up in (interest: any published demand).
LOOKUP = {"demand.interest": "demand.view"}


@require_POST
def demand_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    action = ACTIONS.get(name)
    if action is None:
        raise Http404("未知的操作")
    principal = principal_of(request)
    require(principal, action.access)
    demand = selectors.demand_for_action(
        principal=principal, pk=pk, action=LOOKUP.get(action.access, action.access)
    )
    form = action.form(request.POST, request.FILES, prefix=name) if action.form else None
    if form is not None and not form.is_valid():
        messages.error(request, "请更正表单中的错误（已保留您填写的内容）")
        return demand_detail(request, pk, bound={name: form}, status=400)
    try:
        message = action.run(request, demand, form.cleaned_data if form else {})
    except ERRORS as exc:
        if form is not None:
            if isinstance(exc, ValidationError):
                add_service_errors(form, exc)
            else:
                form.add_error(None, str(exc))
        messages.error(request, "；".join(_messages_of(exc)))
        return demand_detail(
            request,
            pk,
            bound={name: form} if form else None,
            status=409 if isinstance(exc, services.ConcurrentEditError) else 400,
        )
    messages.success(request, message)
    return redirect("demands:detail", pk=pk)


def _targets(values: list[str]) -> list[tuple[str, int]]:
    """Parse "kind:id" checkbox values, dropping anything malformed and repeats."""
    targets: list[tuple[str, int]] = []
    for value in values:
        kind, _, raw = value.partition(":")
        if kind in TargetKind.values and raw.isdigit() and (kind, int(raw)) not in targets:
            targets.append((kind, int(raw)))
    return targets


def routing_suggestions(demand: Demand) -> dict[str, list[KeywordSuggestion]]:
    """The matching engine's ranked parties when it has run for this demand, else keyword suggestions."""
    panel = suggestion_panel(source_kind="demand", source_id=demand.pk)
    if panel.run is None:
        return suggest_targets(demand)
    ranked: dict[str, list[KeywordSuggestion]] = suggest_targets(
        demand, investors_only=True
    )  # the engine ranks no investors
    for kind, _, items in panel.groups:
        if kind in TargetKind.values:
            ranked[kind] = [
                KeywordSuggestion(kind, s.target_id, s.title, s.score, list(s.reasons.get("terms", []))[:6])
                for s in items
            ]
    return ranked


def demand_route(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    demand = selectors.demand_for_action(principal=principal, pk=pk, action="demand.route")
    error = None
    if request.method == "POST":
        suggested = _targets(request.POST.getlist("target"))
        targets = suggested + [t for t in _targets(request.POST.getlist("manual")) if t not in suggested]
        try:
            services.route_demand(
                actor=actor_of(request),
                demand=demand,
                targets=targets,
                note=request.POST.get("note", ""),
                suggested=set(suggested),
                expected_version=int(request.POST.get("version") or 0) or None,
            )
        except ERRORS as exc:
            error = "；".join(_messages_of(exc))
        else:
            messages.success(request, f"已分派给 {len(targets)} 个对象")
            return redirect("demands:detail", pk=pk)
    from kechuang.orgs.models import Enclave, Expert, Institution, Investor

    suggestions = routing_suggestions(demand)
    return render(
        request,
        "demands/route.html",
        {
            "demand": demand,
            "suggestions": suggestions,
            "has_suggestions": any(suggestions.values()),
            "error": error,
            "chosen": request.POST.getlist("target"),
            "note": request.POST.get("note", ""),
            "enclaves": Enclave.objects.all(),
            "institutions": Institution.objects.select_related("organization"),
            "experts": Expert.objects.select_related("institution__organization")[:500],
            "investors": Investor.objects.select_related("organization"),
            "routed": {f"{r.target_kind}:{getattr(r, r.target_kind + '_id')}" for r in demand.routings.all()},
        },
        status=400 if error else 200,
    )


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(DemandAttachment, pk=pk)
    selectors.demand_for_action(
        principal=principal_of(request), pk=attachment.demand_id, action="demand.view_full"
    )
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@requires("demand.funnel")
def funnel(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    filters = _filters(request)
    data = selectors.funnel(principal=principal, filters=filters)
    parties = selectors.party_figures(since=filters.since, until=filters.until) if principal.is_bureau else []
    if request.GET.get("export") == "xlsx":
        rows = [[s["label"], s["count"], s["conversion"]] for s in data.stages]
        rows += [
            [],
            ["对象", "类型", "分派", "响应", "响应率", "按时确认率", "被采纳", "合同数", "合同金额(万元)"],
        ]
        rows += [
            [
                p["name"],
                p["kind_label"],
                p["routed"],
                p["answered"],
                p["answer_rate"],
                p["on_time_rate"],
                p["accepted"],
                p["contracts"],
                p["contract_amount"],
            ]
            for p in parties
        ]
        return export_rows("需求漏斗.xlsx", ["阶段", "需求数", "转化率"], rows)
    return render(
        request,
        "demands/funnel.html",
        {
            "data": data,
            "parties": parties,
            "filters": filters,
            "types": DemandType.choices,
            "townships": township_list() if principal.is_bureau else [],
            "campaigns": Campaign.objects.all()[:50],
            "close_labels": dict(CloseReason.choices),
        },
    )


@requires("campaign.view")
def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "demands/campaign_list.html",
        {"campaigns": selectors.campaign_list(), "can_manage": may(principal_of(request), "campaign.manage")},
    )


@requires("campaign.manage")
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = f.CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from kechuang.demands.campaigns import create_campaign

        campaign = create_campaign(actor=actor_of(request), values=form.cleaned_data)
        messages.success(request, "征集活动已创建")
        return redirect("demands:campaign_detail", pk=campaign.pk)
    from django.urls import reverse

    return render(
        request,
        "orgs/simple_form.html",
        {"form": form, "title": "新建需求征集活动", "cancel_url": reverse("demands:campaign_list")},
    )


@requires("campaign.view")
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    campaign = selectors.campaign_get(pk=pk)
    return render(
        request,
        "demands/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": selectors.campaign_progress(principal=principal, campaign=campaign),
            "visits": selectors.visits_for(principal=principal, campaign=campaign)[:200],
            "plan": selectors.visit_plan(principal=principal, campaign=campaign)[:500],
            "visit_form": f.VisitForm(),
            "can_visit": may(principal, "visit.record"),
            "can_import": may(principal, "campaign.manage"),
        },
    )


@require_POST
@requires("visit.record")
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    from kechuang.demands.campaigns import record_visit

    principal = principal_of(request)
    campaign = selectors.campaign_get(pk=pk)
    form = f.VisitForm(request.POST)
    if form.is_valid():
        enterprise = _enterprise_for(principal, form.cleaned_data["enterprise_code"])
        if enterprise is None:
            messages.error(request, "未找到该企业，或该企业不在您负责的镇街")
        else:
            record_visit(
                actor=actor_of(request),
                campaign=campaign,
                enterprise=enterprise,
                visited_on=form.cleaned_data["visited_on"],
                notes=form.cleaned_data["notes"],
                demands_found=form.cleaned_data["demands_found"],
            )
            messages.success(request, f"已记录走访：{enterprise.organization.name}")
    else:
        messages.error(
            request, "走访信息有误：" + "；".join(str(e) for errs in form.errors.values() for e in errs)
        )
    return redirect("demands:campaign_detail", pk=pk)
