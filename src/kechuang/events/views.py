"""Event pages: list, detail (figures, registrations, requests, schedule, investor interest at roadshows),
agendas and table plans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kechuang.core.access import Principal, may, require, requires, scope
from kechuang.core.http import actor_of, export_rows, principal_of
from kechuang.events import selectors, services
from kechuang.events.models import (
    Event,
    IntentionOrder,
    InvestorInterest,
    Meeting,
    MeetingRequest,
    ParticipantRole,
    Registration,
)
from kechuang.orgs.models import Organization

ROLE_OF = {
    "enterprise": ParticipantRole.ENTERPRISE,
    "investor": ParticipantRole.INVESTOR,
    "expert": ParticipantRole.EXHIBITOR,
    "enclave_operator": ParticipantRole.EXHIBITOR,
}


def _own_registration(principal: Principal, event: Event) -> Registration | None:
    if not principal.organization_id:
        return None
    return event.registrations.filter(organization_id=principal.organization_id).first()


@requires("event.view")
def event_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "events/list.html",
        {"events": Event.objects.all()[:100], "can_manage": may(principal_of(request), "event.manage")},
    )


@requires("event.view")
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    event = get_object_or_404(Event, pk=pk)
    own = _own_registration(principal, event)
    manage = may(principal, "event.manage")
    if manage and request.GET.get("export") == "xlsx":
        report = selectors.event_report(event=event)
        rows = [[f"参会{label}", n] for label, n in report["participants"].items()]
        rows += [
            ["签到单位", report["checked_in"]],
            ["已排洽谈", report["meetings"]["scheduled"]],
            ["已洽谈", report["meetings"]["held"]],
            ["未到场", report["meetings"]["no_show"]],
            ["意向订单", report["orders"]],
            ["意向金额(万元)", report["intended_amount"]],
            ["转为合同", report["contracts"]],
            ["合同金额(万元)", report["contract_amount"]],
            ["已落地", report["landed"]],
            ["意向→合同转化率", report["to_contract"]],
            ["意向→落地转化率", report["to_landed"]],
            ["投资意向", report["investor_interests"]],
            ["意向投资金额(万元)", report["interest_amount"]],
            ["已投资项目", report["invested"]],
            ["实际投资金额(万元)", report["invested_amount"]],
        ]
        return export_rows(f"活动报告-{event.title}.xlsx", ["指标", "数值"], rows)
    context: dict[str, Any] = {
        "event": event,
        "slots": event.slots.all(),
        "report": selectors.event_report(event=event),
        "own": own,
        "can_manage": manage,
        "can_register": may(principal, "event.participate")
        and own is None
        and bool(principal.organization_id)
        and event.registration_open,
    }
    if manage:
        context["registrations"] = event.registrations.select_related("organization")
        context["last_run"] = event.schedule_runs.first()
        context["meetings"] = Meeting.objects.filter(request__event=event).select_related(
            "slot", "request__requester__organization", "request__invitee__organization"
        )
        context["orders"] = event.orders.select_related("supplier", "buyer")
        context["interest_levels"] = Meeting.Interest.choices[1:]
        context["stages"] = IntentionOrder.Stage.choices
    if own is not None and own.status == Registration.Status.APPROVED and event.ends_at > timezone.now():
        context["others"] = (
            event.registrations.filter(status=Registration.Status.APPROVED)
            .exclude(pk=own.pk)
            .select_related("organization")
        )
        context["incoming"] = own.requests_received.filter(
            status=MeetingRequest.Status.REQUESTED
        ).select_related("requester__organization")
    if own is not None and own.status == Registration.Status.APPROVED:
        context["agenda"] = selectors.agenda(registration=own)
    context.update(_interest_context(principal, event))
    return render(request, "events/detail.html", context)


def _interest_context(principal: Principal, event: Event) -> dict[str, Any]:
    """The roadshow's investor interests this viewer may see, and what it may record or follow up."""
    if not may(principal, "event.interest.view"):
        return {"show_interests": False}
    interests = list(selectors.investor_interests(principal=principal, event=event))
    if event.kind not in services.ROADSHOW_KINDS and not interests:
        return {"show_interests": False}
    approved = event.registrations.filter(status=Registration.Status.APPROVED).select_related("organization")
    investors = (
        list(
            scope(
                principal,
                approved.filter(role=ParticipantRole.INVESTOR),
                "event.interest.record",
            )
        )
        if may(principal, "event.interest.record") and event.kind in services.ROADSHOW_KINDS
        else []
    )
    return {
        "show_interests": True,
        "interests": [(i, may(principal, "event.interest.advance", i)) for i in interests],
        "interest_investors": investors,
        "presenters": approved.exclude(role=ParticipantRole.INVESTOR) if investors else [],
        "investor_levels": InvestorInterest.Level.choices,
        "interest_rounds": InvestorInterest.Round.choices,
        "interest_stages": InvestorInterest.Stage.choices,
    }


def _act_register(request: HttpRequest, event: Event) -> str:
    principal = principal_of(request)
    require(principal, "event.participate")
    organization = get_object_or_404(Organization, pk=principal.organization_id or 0)
    services.register(
        event=event,
        organization=organization,
        role=ROLE_OF[principal.role],
        user=actor_of(request),
        contact_name=request.POST.get("contact_name", "")[:40] or principal.display_name,
        offer=request.POST.get("offer", "")[:5000],
    )
    return "已报名，等待科技局审核"


def _act_review(request: HttpRequest, event: Event) -> str:
    require(principal_of(request), "event.manage")
    registration = get_object_or_404(Registration, pk=request.POST.get("registration") or 0, event=event)
    services.review_registration(registration=registration, approve=request.POST.get("approve") == "1")
    return "已审核"


def _act_request(request: HttpRequest, event: Event) -> str:
    own = _own_registration(principal_of(request), event)
    require(principal_of(request), "event.participate")
    if own is None:
        raise ValidationError("请先报名本活动")
    invitee = get_object_or_404(Registration, pk=request.POST.get("invitee") or 0, event=event)
    services.request_meeting(requester=own, invitee=invitee, message=request.POST.get("message", ""))
    return "已发出洽谈请求"


def _act_respond(request: HttpRequest, event: Event) -> str:
    own = _own_registration(principal_of(request), event)
    require(principal_of(request), "event.participate")
    meeting_request = get_object_or_404(MeetingRequest, pk=request.POST.get("request") or 0, invitee=own)
    services.respond_to_request(meeting_request=meeting_request, accept=request.POST.get("accept") == "1")
    return "已回复"


def _act_schedule(request: HttpRequest, event: Event) -> str:
    require(principal_of(request), "event.manage")
    run = (services.replan_event if request.POST.get("replan") else services.schedule_event)(event=event)
    return f"排期完成：安排 {run.placed}/{run.requested} 场，未能安排 {len(run.unplaced)} 场"


def _act_check_in(request: HttpRequest, event: Event) -> str:
    require(principal_of(request), "event.manage")
    registration = get_object_or_404(Registration, pk=request.POST.get("registration") or 0, event=event)
    services.check_in(registration=registration)
    return f"{registration.organization.name} 已签到"


def _act_outcome(request: HttpRequest, event: Event) -> str:
    require(principal_of(request), "event.manage")
    meeting = get_object_or_404(Meeting, pk=request.POST.get("meeting") or 0, request__event=event)
    interest = request.POST.get("interest", "")
    if interest not in Meeting.Interest.values:
        raise ValidationError("意向程度无效")
    services.record_meeting_outcome(
        meeting=meeting,
        held=request.POST.get("held") == "1",
        interest=interest,
        notes=request.POST.get("notes", ""),
    )
    return "已记录洽谈结果"


def _decimal(value: str, label: str) -> Decimal | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise ValidationError(f"{label}应为数字（万元）") from exc


def _date(value: str, label: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(f"{label}格式应为 2026-05-20") from exc


def _act_order(request: HttpRequest, event: Event) -> str:
    require(principal_of(request), "event.manage")
    orgs = {r.organization_id: r.organization for r in event.registrations.select_related("organization")}
    raw_supplier, raw_buyer = request.POST.get("supplier", ""), request.POST.get("buyer", "")
    supplier = orgs.get(int(raw_supplier)) if raw_supplier.isdigit() else None
    buyer = orgs.get(int(raw_buyer)) if raw_buyer.isdigit() else None
    if supplier is None or buyer is None:
        raise ValidationError("成果方和需求方须为本活动的报名单位")
    meeting = Meeting.objects.filter(pk=request.POST.get("meeting") or 0, request__event=event).first()
    services.create_order(
        event=event,
        supplier=supplier,
        buyer=buyer,
        cooperation=request.POST.get("cooperation", "")[:16] or "技术转让",
        intended_amount=_decimal(request.POST.get("intended_amount", ""), "意向金额"),
        meeting=meeting,
    )
    return "已登记意向订单"


def _act_advance(request: HttpRequest, event: Event) -> str:
    require(principal_of(request), "event.manage")
    order = get_object_or_404(IntentionOrder, pk=request.POST.get("order") or 0, event=event)
    services.advance_order(
        order=order,
        stage=request.POST.get("stage", ""),
        contract_type=request.POST.get("contract_type", ""),
        contract_amount=_decimal(request.POST.get("contract_amount", ""), "合同金额"),
        contract_no=request.POST.get("contract_no", "")[:40],
        signed_on=_date(request.POST.get("signed_on", ""), "签订日期"),
        landed_on=_date(request.POST.get("landed_on", ""), "落地日期"),
        note=request.POST.get("note", "")[:500],
        actor=actor_of(request),
    )
    return "已更新订单进展"


def _act_interest(request: HttpRequest, event: Event) -> str:
    principal = principal_of(request)
    require(principal, "event.interest.record")
    investors = scope(
        principal, event.registrations.filter(role=ParticipantRole.INVESTOR), "event.interest.record"
    )
    investor = get_object_or_404(
        investors.select_related("event", "organization"), pk=_pk(request, "investor")
    )
    presenter = (
        event.registrations.select_related("organization").filter(pk=_pk(request, "presenter")).first()
    )
    if presenter is None:
        raise ValidationError("请选择本活动的路演项目")
    services.record_investor_interest(
        investor=investor,
        presenter=presenter,
        level=request.POST.get("level", ""),
        amount=_decimal(request.POST.get("amount", ""), "意向投资金额"),
        funding_round=request.POST.get("funding_round", ""),
        note=request.POST.get("note", "")[:500],
        actor=actor_of(request),
    )
    return f"已登记对“{presenter.organization.name}”的投资意向"


def _act_interest_advance(request: HttpRequest, event: Event) -> str:
    principal = principal_of(request)
    require(principal, "event.interest.advance")
    interest = get_object_or_404(
        scope(principal, event.investor_interests.all(), "event.interest.advance"),
        pk=_pk(request, "interest"),
    )
    services.advance_investor_interest(
        interest=interest,
        stage=request.POST.get("stage", ""),
        invested_amount=_decimal(request.POST.get("invested_amount", ""), "实际投资金额"),
        funding_round=request.POST.get("funding_round", ""),
        note=request.POST.get("note", "")[:500],
        actor=actor_of(request),
    )
    return "已更新投资意向进展"


def _pk(request: HttpRequest, name: str) -> int:
    raw = request.POST.get(name, "")
    return int(raw) if raw.isdigit() else 0


def _act_suggest(request: HttpRequest, event: Event) -> str:
    require(principal_of(request), "event.manage")
    from kechuang.events.tasks import suggest_meetings_task

    suggest_meetings_task.enqueue(event.pk)
    return "已安排后台计算推荐洽谈（企业/投资机构 × 参展成果方），稍后刷新本页"


ACTIONS = {
    "suggest": _act_suggest,
    "outcome": _act_outcome,
    "order": _act_order,
    "advance": _act_advance,
    "register": _act_register,
    "review": _act_review,
    "request": _act_request,
    "respond": _act_respond,
    "schedule": _act_schedule,
    "check_in": _act_check_in,
    "interest": _act_interest,
    "interest_advance": _act_interest_advance,
}


@require_POST
def event_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    action = ACTIONS.get(name)
    if action is None:
        raise Http404("未知的操作")
    require(principal_of(request), "event.view")
    event = get_object_or_404(Event, pk=pk)
    try:
        messages.success(request, action(request, event))
    except ValidationError as exc:
        messages.error(request, "；".join(str(m) for m in exc.messages))
    return redirect("events:detail", pk=pk)


def agenda(request: HttpRequest, pk: int) -> HttpResponse:
    """A participant's own agenda (staff may open anyone's with ?registration=ID); printable and .xlsx."""
    principal = principal_of(request)
    require(principal, "event.view")
    event = get_object_or_404(Event, pk=pk)
    registration = _own_registration(principal, event)
    if may(principal, "event.manage") and request.GET.get("registration", "").isdigit():
        registration = event.registrations.filter(pk=int(request.GET["registration"])).first()
    if registration is None:
        raise Http404("您未报名该活动")
    rows = selectors.agenda(registration=registration)
    if request.GET.get("format") == "xlsx":
        return export_rows(
            f"个人日程-{registration.organization.name}.xlsx",
            ["时段", "桌号", "洽谈对象", "状态"],
            ([r["slot"], r["table"], r["other"], r["status"]] for r in rows),
        )
    return render(request, "events/agenda.html", {"event": event, "registration": registration, "rows": rows})


@requires("event.manage")
def table_plan(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    meetings = (
        Meeting.objects.filter(request__event=event)
        .select_related("slot", "request__requester__organization", "request__invitee__organization")
        .order_by("slot", "table")
    )
    rows = [
        [
            str(m.slot),
            m.table,
            m.request.requester.organization.name,
            m.request.invitee.organization.name,
            m.get_status_display(),
        ]
        for m in meetings
    ]
    if request.GET.get("format") == "xlsx":
        return export_rows(f"洽谈桌位表-{event.title}.xlsx", ["时段", "桌号", "甲方", "乙方", "状态"], rows)
    return render(request, "events/tables.html", {"event": event, "rows": rows})
