"""Pages for 科技特派员: the registry, matching and assigning, assignments with their service records, an
enterprise's own commissioners and the report. Thin: forms parse, services write, selectors read; rows
outside the viewer's scope are 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kechuang.commissioners import selectors, services
from kechuang.commissioners.forms import AssignForm, CloseForm, CommissionerForm, ServiceForm
from kechuang.commissioners.models import AssignmentStatus, Commissioner, ServiceField
from kechuang.core.access import Role, may, requires
from kechuang.core.http import actor_of, add_service_errors, export_rows, int_param, paginate, principal_of
from kechuang.orgs.models import Institution
from kechuang.orgs.selectors import history_for, own_enterprise


def _township_of(request: HttpRequest) -> int | None:
    """The township a township officer's figures are limited to (None: the whole county)."""
    principal = principal_of(request)
    return principal.township_id if principal.role == Role.TOWNSHIP_OFFICER else None


@requires("commissioner.view")
def commissioner_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    qs = selectors.visible_commissioners(principal)
    field, q = request.GET.get("field", ""), request.GET.get("q", "").strip()
    institution = int_param(request, "institution")
    if field:
        qs = qs.filter(field=field)
    if institution:
        qs = qs.filter(institution_id=institution)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(expertise__icontains=q) | Q(expert__fields__icontains=q))
    page = paginate(request, qs)
    township = _township_of(request)
    return render(
        request,
        "commissioners/commissioner_list.html",
        {
            "page": page,
            "rows": selectors.commissioner_rows(list(page.object_list), township_id=township),
            "figures": selectors.commissioner_figures(township_id=township)
            if principal.role != Role.EXPERT
            else None,
            "fields": ServiceField.choices,
            "institutions": Institution.objects.filter(commissioners__isnull=False)
            .select_related("organization")
            .distinct()
            .order_by("organization__name"),
            "field": field,
            "institution": institution,
            "q": q,
            "can_manage": may(principal, "commissioner.manage"),
            "township_scoped": township is not None,
        },
    )


@requires("commissioner.view")
def commissioner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    commissioner = selectors.commissioner_get(principal, pk)
    mine = selectors.visible_assignments(principal).filter(commissioner=commissioner)
    township = _township_of(request)
    return render(
        request,
        "commissioners/commissioner_detail.html",
        {
            "c": commissioner,
            "row": selectors.commissioner_rows([commissioner], township_id=township)[0],
            "assignments": list(mine[:200]),
            "links": list(selectors.links_of_assignments(mine)[:200]),
            "profile": selectors.profiles([commissioner])[commissioner.pk],
            "can_manage": may(principal, "commissioner.manage"),
            "history": history_for(commissioner) if may(principal, "history.view") else None,
        },
    )


def _form_page(request: HttpRequest, form: forms.Form, title: str, cancel_url: str) -> HttpResponse:
    return render(request, "orgs/simple_form.html", {"form": form, "title": title, "cancel_url": cancel_url})


@requires("commissioner.manage")
def commissioner_create(request: HttpRequest) -> HttpResponse:
    form = CommissionerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            c = services.save_commissioner(actor=actor_of(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记科技特派员“{c.name}”")
            return redirect("commissioners:detail", c.pk)
    return _form_page(request, form, "登记科技特派员", reverse("commissioners:list"))


@requires("commissioner.manage")
def commissioner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    commissioner = selectors.commissioner_get(principal, pk)
    initial = {name: getattr(commissioner, name) for name in CommissionerForm.base_fields}
    form = CommissionerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_commissioner(
                actor=actor_of(request), commissioner=commissioner, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "科技特派员信息已保存")
            return redirect("commissioners:detail", commissioner.pk)
    return _form_page(
        request, form, f"编辑科技特派员：{commissioner.name}", reverse("commissioners:detail", args=[pk])
    )


# ---- matching and assigning ---------------------------------------------------------------------------


@requires("commissioner.assign")
def match_pick(request: HttpRequest) -> HttpResponse:
    """Choose the enterprise to find commissioners for (a township officer: its township's)."""
    qs = selectors.assignable_enterprises(principal_of(request))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(organization__name__icontains=q) | Q(main_products__icontains=q))
    page = paginate(request, qs.order_by("organization__name"))
    return render(request, "commissioners/match_pick.html", {"page": page, "q": q})


@requires("commissioner.assign")
def match(request: HttpRequest, enterprise_pk: int) -> HttpResponse:
    """Suggested commissioners for one enterprise, with score and reason, and the assign form."""
    principal = principal_of(request)
    enterprise = selectors.enterprise_for_match(principal, enterprise_pk)
    today = timezone.localdate()
    bound: AssignForm | None = None
    if request.method == "POST":
        bound = AssignForm(request.POST)
        if bound.is_valid():
            data = bound.cleaned_data
            commissioner = Commissioner.objects.filter(pk=data["commissioner"]).first()
            if commissioner is None:
                bound.add_error(None, "请选择科技特派员")
            else:
                try:
                    services.assign(
                        actor=actor_of(request),
                        commissioner=commissioner,
                        enterprise=enterprise,
                        goals=data["goals"],
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                    )
                except ValidationError as exc:
                    add_service_errors(bound, exc)
                else:
                    messages.success(request, f"已派驻科技特派员{commissioner.name}服务“{enterprise}”")
                    return redirect("commissioners:match", enterprise.pk)
    query, basis = selectors.enterprise_query(enterprise)
    suggestions = selectors.suggest(enterprise, today=today)
    bound_for = bound.data.get("commissioner") if bound is not None else None
    if bound is not None:
        bound.auto_id = f"id_c{bound_for}_%s"
    default_end = today + dt.timedelta(days=364)
    rows = []
    for s in suggestions:
        if bound is not None and str(s.commissioner.pk) == bound_for:
            form = bound
        else:
            form = AssignForm(
                initial={"commissioner": s.commissioner.pk, "starts_on": today, "ends_on": default_end},
                auto_id=f"id_c{s.commissioner.pk}_%s",
            )
        rows.append((s, form))
    return render(
        request,
        "commissioners/match.html",
        {
            "enterprise": enterprise,
            "basis": basis,
            "query": query,
            "rows": rows,
            "orphan_form": bound if bound is not None and not any(f is bound for _, f in rows) else None,
            "current": list(selectors.assignments().filter(enterprise=enterprise)[:50]),
        },
    )


@requires("commissioner.assign")
def match_batch(request: HttpRequest) -> HttpResponse:
    """Commissioners for several enterprises at once, proposed for the batch as a whole (min-cost flow
    under each commissioner's remaining capacity); POST adopts the ticked pairs through the same
    service as a single assignment."""
    principal = principal_of(request)
    source = request.POST if request.method == "POST" else request.GET
    ids = [int(v) for v in source.getlist("e") if v.isdigit()][: selectors.MAX_BATCH]
    enterprises = list(selectors.assignable_enterprises(principal).filter(pk__in=ids).order_by("pk"))
    today = timezone.localdate()
    if request.method == "POST":
        by_id = {e.pk: e for e in enterprises}
        pairs = [value.partition(":") for value in request.POST.getlist("pair")]
        chosen = Commissioner.objects.in_bulk([int(c) for _, _, c in pairs if c.isdigit()])
        done, failed = 0, []
        for ent_raw, _, com_raw in pairs:
            value = f"{ent_raw}:{com_raw}"
            enterprise = by_id.get(int(ent_raw)) if ent_raw.isdigit() else None
            commissioner = chosen.get(int(com_raw)) if com_raw.isdigit() else None
            if enterprise is None or commissioner is None:
                failed.append(f"无效的选择：{value}")
                continue
            try:
                services.assign(
                    actor=actor_of(request),
                    commissioner=commissioner,
                    enterprise=enterprise,
                    goals=f"按专长匹配派驻：围绕{enterprise}的技术需求与主营产品提供服务",
                    starts_on=today,
                    ends_on=today + dt.timedelta(days=364),
                )
            except ValidationError as exc:
                failed.append(f"{enterprise}：{'；'.join(exc.messages)}")
            else:
                done += 1
        if done:
            messages.success(request, f"已按推荐派驻 {done} 位科技特派员（服务期一年，可在派驻页修改）")
        for text in failed:
            messages.error(request, text)
        if not done and not failed:
            messages.error(request, "请至少勾选一项推荐")
        return redirect("commissioners:match_pick")
    return render(
        request,
        "commissioners/match_batch.html",
        {"proposals": selectors.propose_assignments(enterprises, today=today), "asked": len(ids)},
    )


# ---- assignments and service records -----------------------------------------------------------------


@requires("commissioner.assignment")
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An assignment with its service records; the assigned expert (or the bureau) records a service."""
    principal = principal_of(request)
    assignment = selectors.assignment_get(principal, pk)
    can_record = (
        may(principal, "commissioner.record")
        and selectors.may_record(principal, assignment)
        and assignment.status != AssignmentStatus.CANCELLED
    )
    form = ServiceForm(request.POST or None, initial={"served_on": timezone.localdate()})
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.record_service(actor=actor_of(request), assignment=assignment, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "服务记录已登记，待企业确认后计入统计")
                return redirect("commissioners:assignment", assignment.pk)
    can_close = (
        assignment.status == AssignmentStatus.ACTIVE
        and selectors.assignable_enterprises(principal).filter(pk=assignment.enterprise_id).exists()
    )
    return render(
        request,
        "commissioners/assignment_detail.html",
        {
            "a": assignment,
            "links": list(
                selectors.links().filter(assignment=assignment).order_by("-claim__served_on", "-pk")
            ),
            "form": form if can_record else None,
            "close_form": CloseForm() if can_close else None,
            "is_enterprise": principal.role == Role.ENTERPRISE,
            "can_see_ledger": may(principal, "ledger.view"),
            "history": history_for(assignment) if may(principal, "history.view") else None,
        },
    )


@require_POST
@requires("commissioner.assign")
def assignment_close(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    assignment = selectors.assignment_get(principal, pk)
    if not selectors.assignable_enterprises(principal).filter(pk=assignment.enterprise_id).exists():
        raise PermissionDenied
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择“结束派驻”或“取消派驻”")
    else:
        try:
            services.close_assignment(actor=actor_of(request), assignment=assignment, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"派驻已{AssignmentStatus(form.cleaned_data['status']).label}")
    return redirect("commissioners:assignment", assignment.pk)


@requires("commissioner.mine")
def mine(request: HttpRequest) -> HttpResponse:
    """The enterprise's commissioners, their goals and the services they reported (to confirm)."""
    principal = principal_of(request)
    enterprise = own_enterprise(principal)
    qs = selectors.visible_assignments(principal)
    links = list(selectors.links_of_assignments(qs)[:200])
    return render(
        request,
        "commissioners/mine.html",
        {
            "enterprise": enterprise,
            "assignments": list(qs[:100]),
            "links": links,
            "pending": sum(1 for x in links if x.claim.status == "claimed"),
            "row": selectors.enterprise_rows(enterprise_ids=[enterprise.pk])[:1] if enterprise else [],
        },
    )


# ---- report -------------------------------------------------------------------------------------------

BY = {"commissioner": "按特派员", "enterprise": "按企业", "township": "按镇街"}
FIGURE_HEADERS = ["派驻数", "服务中", "确认服务(次)", "解决难题(项)", "确认价值(万元)", "待确认", "有异议"]


def _figure_cells(r: dict[str, Any]) -> list[Any]:
    return [
        r["assignments"],
        r["active"],
        r["confirmed"],
        r["solved"],
        float(r["value_wan"]),
        r["pending"],
        r["disputed"],
    ]


@requires("commissioner.report")
def report(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by", "commissioner")
    by = by if by in BY else "commissioner"
    if by == "commissioner":
        rows = selectors.commissioner_rows(list(selectors.commissioners()))
        rows.sort(key=lambda r: (-r["confirmed"], -r["assignments"], r["commissioner"].name))
    elif by == "enterprise":
        rows = selectors.enterprise_rows()
    else:
        rows = selectors.township_rows()
    if request.GET.get("export") == "xlsx":
        if by == "commissioner":
            headers = ["科技特派员", "服务领域", "派出单位", "服务企业(家)", *FIGURE_HEADERS]
            cells = [
                [
                    r["commissioner"].name,
                    r["commissioner"].get_field_display(),
                    str(r["commissioner"].institution or ""),
                    r["served"],
                    *_figure_cells(r),
                ]
                for r in rows
            ]
        elif by == "enterprise":
            headers = ["企业", "镇街", "特派员(人)", *FIGURE_HEADERS]
            cells = [
                [
                    r["enterprise"].organization.name,
                    r["enterprise"].township.name if r["enterprise"].township else "",
                    r["commissioners"],
                    *_figure_cells(r),
                ]
                for r in rows
            ]
        else:
            headers = ["镇街", "服务企业(家)", "特派员(人)", *FIGURE_HEADERS]
            cells = [[r["name"], r["enterprises"], r["commissioners"], *_figure_cells(r)] for r in rows]
        return export_rows(f"科技特派员服务统计（{BY[by]}）.xlsx", headers, cells)
    return render(
        request,
        "commissioners/report.html",
        {"by": by, "tabs": BY, "rows": rows, "figures": selectors.commissioner_figures()},
    )
