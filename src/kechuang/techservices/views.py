"""Technology-service pages: IP cases, pilot platforms with the week calendar and bookings, and the service
ledger with the enterprise's confirm/dispute page. Views shape requests; services decide; selectors read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kechuang.core.access import Principal, Role, may, requires, scope
from kechuang.core.http import actor_of, add_service_errors, export_rows, int_param, paginate, principal_of
from kechuang.demands.models import Demand, DockingMeeting, TechContract
from kechuang.orgs.models import Enclave, Enterprise, Expert
from kechuang.orgs.selectors import history_for, own_enterprise
from kechuang.techservices import forms as f
from kechuang.techservices import selectors, services
from kechuang.techservices.models import (
    Booking,
    CaseStatus,
    CaseType,
    ClaimStatus,
    IPCase,
    ProviderKind,
    ServiceClaim,
)

# ---- IP cases ---------------------------------------------------------------------------------------


def _case_filters(request: HttpRequest) -> selectors.CaseFilters:
    status, case_type = request.GET.get("status", ""), request.GET.get("type", "")
    return selectors.CaseFilters(
        status=status if status in CaseStatus.values else "",
        case_type=case_type if case_type in CaseType.values else "",
        q=request.GET.get("q", "").strip()[:100],
    )


@requires("ipcase.view")
def ipcase_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    filters = _case_filters(request)
    page = paginate(request, selectors.ipcase_list(principal=principal, filters=filters))
    page.object_list = selectors.with_days_open(page.object_list)
    return render(
        request,
        "techservices/ipcase_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": CaseStatus.choices,
            "types": CaseType.choices,
            "figures": selectors.ip_figures(principal=principal),
            "can_manage": may(principal, "ipcase.manage"),
        },
    )


@requires("ipcase.manage")
def ipcase_create(request: HttpRequest) -> HttpResponse:
    form = f.CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_case(actor=actor_of(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已受理维权案件“{case.title}”")
            return redirect("techservices:ipcase_detail", pk=case.pk)
    return render(
        request,
        "techservices/form.html",
        {"form": form, "title": "受理维权案件", "back": "techservices:ipcase_list", "submit": "受理"},
        status=400 if form.errors else 200,
    )


CASE_FORMS: dict[str, type[forms.Form]] = {
    "mediate": f.MediateForm,
    "refer": f.ReferForm,
    "step": f.StepForm,
    "close": f.CloseForm,
}


def _run_case_action(request: HttpRequest, case: IPCase, name: str, d: dict[str, Any]) -> str:
    actor = actor_of(request)
    if name == "mediate":
        services.start_mediation(actor=actor, case=case, **d)
        return "已启动调解"
    if name == "refer":
        services.refer_case(actor=actor, case=case, **d)
        return "案件已移送"
    if name == "step":
        services.add_case_step(actor=actor, case=case, **d)
        return "已记录进展"
    services.close_case(actor=actor, case=case, **d)
    return "案件已结案"


@requires("ipcase.view")
def ipcase_detail(
    request: HttpRequest, pk: int, *, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    principal = principal_of(request)
    case = selectors.ipcase_get(principal=principal, pk=pk)
    case_forms = {name: form(prefix=name) for name, form in CASE_FORMS.items()} | (bound or {})
    return render(
        request,
        "techservices/ipcase_detail.html",
        {
            "case": case,
            "days_open": selectors.days_open(case),
            "steps": case.steps.select_related("actor"),
            "forms": case_forms,
            "can_manage": may(principal, "ipcase.manage") and case.status != CaseStatus.CLOSED,
            "history": history_for(case) if principal.is_bureau else None,
        },
        status=status,
    )


@require_POST
@requires("ipcase.manage")
def ipcase_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    form_class = CASE_FORMS.get(name)
    if form_class is None:
        raise Http404("未知的操作")
    case = selectors.ipcase_get(principal=principal_of(request), pk=pk)
    form = form_class(request.POST, prefix=name)
    if form.is_valid():
        try:
            message = _run_case_action(request, case, name, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect("techservices:ipcase_detail", pk=pk)
    messages.error(request, "请更正表单中的错误（已保留您填写的内容）")
    return ipcase_detail(request, pk, bound={name: form}, status=400)


# ---- pilot platforms --------------------------------------------------------------------------------


@requires("pilot.view")
def platform_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    return render(
        request,
        "techservices/platform_list.html",
        {
            "platforms": selectors.platform_list(),
            "figures": selectors.pilot_figures(),
            "can_manage": may(principal, "pilot.manage"),
        },
    )


@requires("pilot.manage")
def platform_create(request: HttpRequest) -> HttpResponse:
    form = f.PlatformForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            platform = services.create_platform(actor=actor_of(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记中试平台“{platform.name}”，请继续登记设备")
            return redirect("techservices:platform_detail", pk=platform.pk)
    return render(
        request,
        "techservices/form.html",
        {"form": form, "title": "登记中试平台", "back": "techservices:platform_list", "submit": "保存"},
        status=400 if form.errors else 200,
    )


@requires("pilot.view")
def platform_detail(
    request: HttpRequest, pk: int, *, equipment_form: forms.Form | None = None, status: int = 200
) -> HttpResponse:
    principal = principal_of(request)
    platform = selectors.platform_get(pk)
    week = selectors.parse_week(request.GET.get("week", ""))
    can_manage = may(principal, "pilot.manage")
    bookings = (
        list(selectors.bookings_for(principal=principal, platform=platform)[:50])
        if may(principal, "pilot.book")
        else []
    )
    return render(
        request,
        "techservices/platform_detail.html",
        {
            "platform": platform,
            "equipment": platform.equipment.all(),
            "calendar": selectors.week_calendar(platform=platform, week=week, principal=principal),
            "week": week,
            "bookings": bookings,
            "can_book": may(principal, "pilot.book"),
            "can_manage": can_manage,
            "equipment_form": equipment_form or f.EquipmentForm(),
            "complete_form": f.CompleteForm(),
            "now": timezone.now(),
        },
        status=status,
    )


@require_POST
@requires("pilot.manage")
def equipment_add(request: HttpRequest, pk: int) -> HttpResponse:
    platform = selectors.platform_get(pk)
    form = f.EquipmentForm(request.POST)
    if form.is_valid():
        try:
            equipment = services.add_equipment(
                actor=actor_of(request), platform=platform, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记设备“{equipment.name}”")
            return redirect("techservices:platform_detail", pk=pk)
    return platform_detail(request, pk, equipment_form=form, status=400)


def _own_enterprise(principal: Principal) -> Enterprise:
    enterprise = own_enterprise(principal)
    if enterprise is None:
        raise Http404("您的账号未关联企业")
    return enterprise


@requires("pilot.book")
def booking_create(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    equipment = selectors.equipment_get(pk)
    for_self = principal.role == Role.ENTERPRISE
    own = _own_enterprise(principal) if for_self else None
    form = f.BookingForm(request.POST or None, for_self=for_self)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            booking = services.book_equipment(
                actor=actor_of(request),
                equipment=equipment,
                enterprise=own or d["enterprise"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                purpose=d["purpose"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"预约成功，预计费用 {booking.fee_yuan} 元")
            week = timezone.localtime(booking.starts_at).date().isoformat()
            return redirect(f"{_platform_url(equipment.platform_id)}?week={week}")
    return render(
        request,
        "techservices/booking_form.html",
        {"form": form, "equipment": equipment, "enterprise": own},
        status=400 if form.errors else 200,
    )


def _platform_url(pk: int) -> str:
    from django.urls import reverse

    return reverse("techservices:platform_detail", args=[pk])


@require_POST
@requires("pilot.book")
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get(principal=principal_of(request), pk=pk)
    try:
        services.cancel_booking(actor=actor_of(request), booking=booking)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "预约已取消")
    return redirect("techservices:platform_detail", pk=booking.equipment.platform_id)


@require_POST
@requires("pilot.manage")
def booking_complete(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get(principal=principal_of(request), pk=pk, action="pilot.manage")
    form = f.CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("techservices:platform_detail", pk=booking.equipment.platform_id)
    try:
        services.complete_booking(
            actor=actor_of(request), booking=booking, used_hours=form.cleaned_data["used_hours"]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已登记使用完成")
    return redirect("techservices:platform_detail", pk=booking.equipment.platform_id)


# ---- the service ledger -----------------------------------------------------------------------------


def _ledger_filters(request: HttpRequest) -> selectors.LedgerFilters:
    status, kind = request.GET.get("status", ""), request.GET.get("kind", "")
    year = int_param(request, "year")
    return selectors.LedgerFilters(
        status=status if status in ClaimStatus.values else "",
        provider_kind=kind if kind in ProviderKind.values else "",
        year=year if year and 2000 <= year <= 2100 else None,
        q=request.GET.get("q", "").strip()[:100],
        solved=request.GET.get("solved") == "1",
    )


LEDGER_HEADERS = [
    "编号",
    "服务日期",
    "服务方类型",
    "服务方",
    "服务企业",
    "统一社会信用代码",
    "企业问题/需求",
    "服务内容",
    "服务成效",
    "创造价值(万元)",
    "解决技术难题",
    "状态",
    "异议理由",
    "关联需求编号",
    "关联合同编号",
    "关联预约编号",
]


def _ledger_row(c: ServiceClaim) -> list[Any]:
    return [
        c.pk,
        c.served_on,
        c.get_provider_kind_display(),
        c.provider_name,
        c.enterprise.organization.name,
        c.enterprise.organization.credit_code,
        c.problem,
        c.action,
        c.result,
        c.value_claimed_wan,
        "是" if c.solved else "否",
        c.get_status_display(),
        c.dispute_reason,
        c.demand_id or "",
        c.contract_id or "",
        c.booking_id or "",
    ]


@requires("ledger.view")
def ledger(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    filters = _ledger_filters(request)
    rows = selectors.claim_list(principal=principal, filters=filters)
    if request.GET.get("export") == "xlsx":
        return export_rows("服务台账.xlsx", LEDGER_HEADERS, (_ledger_row(c) for c in rows.iterator(2000)))
    return render(
        request,
        "techservices/ledger.html",
        {
            "page": paginate(request, rows),
            "filters": filters,
            "figures": selectors.ledger_figures(
                year=filters.year, principal=principal, provider_kind=filters.provider_kind
            ),
            "statuses": ClaimStatus.choices,
            "kinds": ProviderKind.choices,
            "years": selectors.ledger_years(),
            "can_claim": may(principal, "ledger.claim"),
        },
    )


@requires("ledger.view")
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    claim = selectors.claim_get(principal=principal, pk=pk)
    return render(
        request,
        "techservices/claim_detail.html",
        {"claim": claim, "history": history_for(claim) if principal.is_bureau else None},
    )


@dataclass(frozen=True)
class Provider:
    kind: str
    name: str
    enclave: Enclave | None = None
    institution: Any = None


def _fixed_provider(principal: Principal) -> Provider | None:
    """Who an operator or an expert records as: their enclave, or themselves (科技特派员 or 高校院所)."""
    if principal.role == Role.ENCLAVE_OPERATOR:
        enclave = Enclave.objects.filter(pk=principal.enclave_id or 0).first()
        return Provider(ProviderKind.ENCLAVE, enclave.name, enclave=enclave) if enclave else None
    if principal.role == Role.EXPERT:
        expert = Expert.objects.select_related("institution__organization").filter(
            pk=principal.expert_id or 0
        )
        person = expert.first()
        if person is None:
            return None
        kind = ProviderKind.COMMISSIONER if person.is_tech_commissioner else ProviderKind.INSTITUTION
        where = f"（{person.institution}）" if person.institution else ""
        return Provider(kind, f"{person.name}{where}", institution=person.institution)
    return None


Lookup = Callable[[int], Any]


def _links(principal: Principal, form: forms.Form) -> dict[str, Any]:
    """The linked records by number, limited to what the provider may see (a number outside it is 'not
    found', so private demands cannot be probed)."""
    demands = scope(principal, Demand.objects.select_related("enterprise__organization"), "demand.view_full")
    lookups: dict[str, tuple[str, str, Lookup]] = {
        "demand": ("demand_id", "技术需求", lambda n: demands.filter(pk=n).first()),
        "meeting": (
            "meeting_id",
            "对接记录",
            lambda n: (
                DockingMeeting.objects.filter(pk=n, demand__in=demands).select_related("demand").first()
            ),
        ),
        "contract": (
            "contract_id",
            "技术合同",
            lambda n: TechContract.objects.filter(pk=n, demand__in=demands).select_related("demand").first(),
        ),
        "booking": (
            "booking_id",
            "设备预约",
            lambda n: (
                Booking.objects.filter(pk=n).select_related("enterprise").first()
                if principal.is_bureau
                else None
            ),
        ),
    }
    found: dict[str, Any] = {}
    for key, (field, label, lookup) in lookups.items():
        number = form.cleaned_data.get(field)
        if number:
            found[key] = lookup(number)
            if found[key] is None:
                form.add_error(field, f"未找到编号为 {number} 的{label}")
    return found


@requires("ledger.claim")
def claim_create(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    provider = _fixed_provider(principal)
    form = f.ClaimForm(request.POST or None, fixed_provider=not principal.is_bureau)
    if not principal.is_bureau and provider is None:
        form.add_error(None, "您的账号未关联创新飞地或专家档案，不能登记服务，请联系科技局")
    elif request.method == "POST" and form.is_valid():
        links = _links(principal, form)
        if not form.errors:
            d = form.cleaned_data
            try:
                claim = services.record_claim(
                    actor=actor_of(request),
                    provider_kind=provider.kind if provider else d["provider_kind"],
                    provider_name=provider.name if provider else d["provider_name"],
                    enclave=provider.enclave if provider else None,
                    institution=provider.institution if provider else None,
                    enterprise=d["enterprise"],
                    served_on=d["served_on"],
                    problem=d["problem"],
                    action=d["action"],
                    result=d["result"],
                    value_claimed_wan=d["value_claimed_wan"],
                    solved=d["solved"],
                    **links,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已登记服务记录 #{claim.pk}，待“{claim.enterprise}”确认后计入统计")
                return redirect("techservices:claim_create")
    return render(
        request,
        "techservices/claim_form.html",
        {
            "form": form,
            "provider": provider,
            "recent": selectors.recorded_by(user_id=principal.user_id),
        },
        status=400 if form.errors else 200,
    )


@requires("ledger.confirm")
def my_claims(
    request: HttpRequest, *, bound: dict[int, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    principal = principal_of(request)
    page = paginate(request, selectors.my_claims(principal=principal))
    dispute_forms = bound or {}
    rows = [(c, dispute_forms.get(c.pk) or f.DisputeForm(prefix=f"c{c.pk}")) for c in page.object_list]
    return render(
        request,
        "techservices/my_claims.html",
        {
            "page": page,
            "rows": rows,
            "pending": selectors.my_claims(principal=principal).filter(status=ClaimStatus.CLAIMED).count(),
        },
        status=status,
    )


@require_POST
@requires("ledger.confirm")
def claim_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    claim = selectors.claim_get(principal=principal, pk=pk, action="ledger.confirm")
    try:
        services.confirm_claim(actor=actor_of(request), claim=claim, enterprise=_own_enterprise(principal))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已确认“{claim.provider_name}”的服务，计入全市服务统计")
    return redirect("techservices:my_claims")


@require_POST
@requires("ledger.confirm")
def claim_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    claim = selectors.claim_get(principal=principal, pk=pk, action="ledger.confirm")
    form = f.DisputeForm(request.POST, prefix=f"c{pk}")
    if form.is_valid():
        try:
            services.dispute_claim(
                actor=actor_of(request),
                claim=claim,
                enterprise=_own_enterprise(principal),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已提出异议，该服务不计入统计")
            return redirect("techservices:my_claims")
    problems = [str(e) for errs in form.errors.values() for e in errs]
    messages.error(request, "；".join(problems) + "（已保留您填写的内容）")
    return my_claims(request, bound={pk: form}, status=400)
