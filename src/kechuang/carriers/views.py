"""Pages for carriers (载体), their units and leases, and park projects (园区标准化项目). Thin: forms parse,
services write, selectors read; a township officer sees only its township's records (others are 404)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from kechuang.carriers import selectors, services
from kechuang.carriers.forms import (
    BuildingForm,
    CarrierForm,
    EndLeaseForm,
    LeaseForm,
    ParkProjectForm,
    ProductionForm,
    TenancyForm,
    UnitForm,
)
from kechuang.carriers.models import Carrier, CarrierKind, Lease, ParkProject, ParkStatus, ParkTenancy
from kechuang.core.access import may, requires, scope
from kechuang.core.http import actor_of, export_rows, paginate, principal_of, submit_form
from kechuang.orgs.choices import Level
from kechuang.orgs.selectors import history_for


def _form_page(request: HttpRequest, form: forms.Form, title: str, cancel_url: str) -> HttpResponse:
    return render(request, "orgs/simple_form.html", {"form": form, "title": title, "cancel_url": cancel_url})


def _visible_carrier(request: HttpRequest, pk: int) -> Carrier:
    return get_object_or_404(selectors.visible_carriers(principal_of(request)), pk=pk)


@requires("carrier.view")
def carrier_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    qs = selectors.visible_carriers(principal_of(request))
    kind, level, q = (
        request.GET.get("kind", ""),
        request.GET.get("level", ""),
        request.GET.get("q", "").strip(),
    )
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(operator__icontains=q))
    if request.GET.get("export") == "xlsx":
        rows = selectors.carrier_rows(list(qs), as_of=today)
        return export_rows(
            "创新载体.xlsx",
            [
                "载体名称",
                "类型",
                "级别",
                "运营单位",
                "镇街",
                "面积(㎡)",
                "在租面积(㎡)",
                "出租率",
                "在驻主体",
                "毕业迁出",
            ],
            [
                [
                    r["carrier"].name,
                    r["carrier"].get_kind_display(),
                    r["carrier"].get_level_display(),
                    r["carrier"].operator,
                    r["carrier"].township.name if r["carrier"].township else "",
                    float(r["area_m2"]),
                    float(r["leased_m2"]),
                    round(r["occupancy"], 4) if r["occupancy"] is not None else "",
                    r["tenants"],
                    r["graduates"],
                ]
                for r in rows
            ],
        )
    page = paginate(request, qs)
    return render(
        request,
        "carriers/carrier_list.html",
        {
            "page": page,
            "rows": selectors.carrier_rows(list(page.object_list), as_of=today),
            "figures": selectors.carrier_figures(as_of=today)
            if may(principal_of(request), "carrier.manage")
            else None,
            "kinds": CarrierKind.choices,
            "levels": Level.choices,
            "kind": kind,
            "level": level,
            "q": q,
            "can_manage": may(principal_of(request), "carrier.manage"),
        },
    )


@requires("carrier.view")
def carrier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    carrier = _visible_carrier(request, pk)
    today = timezone.localdate()
    principal = principal_of(request)
    return render(
        request,
        "carriers/carrier_detail.html",
        {
            "carrier": carrier,
            "row": selectors.carrier_rows([carrier], as_of=today)[0],
            "units": selectors.carrier_units(carrier, as_of=today),
            "leases": selectors.carrier_leases(carrier)[:200],
            "buildings": carrier.buildings.all(),
            "can_manage": may(principal, "carrier.manage"),
            "history": history_for(carrier) if may(principal, "history.view") else None,
        },
    )


@requires("carrier.manage")
def carrier_create(request: HttpRequest) -> HttpResponse:
    form = CarrierForm(request.POST or None)
    carrier = submit_form(
        request, form, lambda data: services.create_carrier(actor=actor_of(request), **data)
    )
    if carrier is not None:
        messages.success(request, f"已登记载体“{carrier.name}”")
        return redirect("carriers:detail", carrier.pk)
    return _form_page(request, form, "登记创新载体", reverse("carriers:list"))


@requires("carrier.manage")
def carrier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    carrier = get_object_or_404(Carrier, pk=pk)
    initial = {name: getattr(carrier, name) for name in CarrierForm.base_fields}
    form = CarrierForm(request.POST or None, initial=initial)
    done = submit_form(
        request, form, lambda data: services.update_carrier(actor=actor_of(request), carrier=carrier, **data)
    )
    if done is not None:
        messages.success(request, "载体信息已保存")
        return redirect("carriers:detail", carrier.pk)
    return _form_page(request, form, f"编辑载体：{carrier.name}", reverse("carriers:detail", args=[pk]))


@requires("carrier.manage")
def building_add(request: HttpRequest, pk: int) -> HttpResponse:
    carrier = get_object_or_404(Carrier, pk=pk)
    form = BuildingForm(request.POST or None)
    done = submit_form(
        request, form, lambda data: services.add_building(actor=actor_of(request), carrier=carrier, **data)
    )
    if done is not None:
        messages.success(request, "已登记楼栋")
        return redirect("carriers:detail", carrier.pk)
    return _form_page(request, form, f"{carrier.name}：登记楼栋", reverse("carriers:detail", args=[pk]))


@requires("carrier.manage")
def unit_add(request: HttpRequest, pk: int) -> HttpResponse:
    carrier = get_object_or_404(Carrier, pk=pk)
    form = UnitForm(request.POST or None, carrier_id=carrier.pk)
    done = submit_form(request, form, lambda data: services.add_unit(actor=actor_of(request), **data))
    if done is not None:
        messages.success(request, "已登记房源")
        return redirect("carriers:detail", carrier.pk)
    return _form_page(request, form, f"{carrier.name}：登记房源", reverse("carriers:detail", args=[pk]))


@requires("carrier.manage")
def lease_sign(request: HttpRequest, pk: int) -> HttpResponse:
    carrier = get_object_or_404(Carrier, pk=pk)
    initial = {"unit": request.GET.get("unit")} if request.GET.get("unit", "").isdigit() else None
    form = LeaseForm(request.POST or None, carrier_id=carrier.pk, initial=initial)
    lease = submit_form(request, form, lambda data: services.sign_lease(actor=actor_of(request), **data))
    if lease is not None:
        messages.success(request, f"已签订租约：{lease.tenant_name} 入驻 {lease.unit.code}")
        return redirect("carriers:detail", carrier.pk)
    return _form_page(request, form, f"{carrier.name}：签订租约", reverse("carriers:detail", args=[pk]))


@requires("carrier.manage")
def lease_end(request: HttpRequest, pk: int) -> HttpResponse:
    lease = get_object_or_404(Lease.objects.select_related("unit__building__carrier"), pk=pk)
    carrier = lease.unit.building.carrier
    form = EndLeaseForm(request.POST or None)
    done = submit_form(
        request, form, lambda data: services.end_lease(actor=actor_of(request), lease=lease, **data)
    )
    if done is not None:
        messages.success(request, f"{lease.tenant_name} 已退租")
        return redirect("carriers:detail", carrier.pk)
    return _form_page(
        request,
        form,
        f"退租：{lease.tenant_name}（{lease.unit.code}）",
        reverse("carriers:detail", args=[carrier.pk]),
    )


@requires("carrier.my_leases")
def my_leases(request: HttpRequest) -> HttpResponse:
    leases = selectors.enterprise_leases(principal_of(request))
    return render(request, "carriers/my_leases.html", {"page": paginate(request, leases)})


# ---- park projects ------------------------------------------------------------------------------------


def _visible_parks(request: HttpRequest) -> Any:
    return scope(principal_of(request), selectors.park_projects(), "park.view")


@requires("park.view")
def park_list(request: HttpRequest) -> HttpResponse:
    qs = _visible_parks(request)
    status, q = request.GET.get("status", ""), request.GET.get("q", "").strip()
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(industry__icontains=q) | Q(site__icontains=q))
    if request.GET.get("export") == "xlsx":
        return export_rows(
            "园区标准化项目.xlsx",
            [
                "项目名称",
                "镇街",
                "产业方向",
                "规划面积(㎡)",
                "已建成(㎡)",
                "状态",
                "签约企业",
                "投产企业",
                "预计新增产值(万元)",
            ],
            [
                [
                    p.name,
                    p.township.name if p.township else "",
                    p.industry,
                    float(p.planned_m2),
                    float(p.built_m2),
                    p.get_status_display(),
                    p.signed,
                    p.producing,
                    float(p.expected_output_wan) if p.expected_output_wan is not None else "",
                ]
                for p in qs
            ],
        )
    principal = principal_of(request)
    return render(
        request,
        "carriers/park_list.html",
        {
            "page": paginate(request, qs),
            "figures": selectors.park_figures() if may(principal, "park.manage") else None,
            "statuses": ParkStatus.choices,
            "status": status,
            "q": q,
            "can_manage": may(principal, "park.manage"),
        },
    )


@requires("park.view")
def park_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(_visible_parks(request), pk=pk)
    principal = principal_of(request)
    return render(
        request,
        "carriers/park_detail.html",
        {
            "project": project,
            "tenancies": selectors.park_tenancies(project),
            "can_manage": may(principal, "park.manage"),
            "history": history_for(project) if may(principal, "history.view") else None,
        },
    )


@requires("park.manage")
def park_create(request: HttpRequest) -> HttpResponse:
    form = ParkProjectForm(request.POST or None)
    project = submit_form(
        request, form, lambda data: services.save_park_project(actor=actor_of(request), **data)
    )
    if project is not None:
        messages.success(request, f"已登记园区项目“{project.name}”")
        return redirect("carriers:park_detail", project.pk)
    return _form_page(request, form, "登记园区标准化项目", reverse("carriers:park_list"))


@requires("park.manage")
def park_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(ParkProject, pk=pk)
    initial = {name: getattr(project, name) for name in ParkProjectForm.base_fields}
    form = ParkProjectForm(request.POST or None, initial=initial)
    done = submit_form(
        request,
        form,
        lambda data: services.save_park_project(actor=actor_of(request), project=project, **data),
    )
    if done is not None:
        messages.success(request, "园区项目已保存")
        return redirect("carriers:park_detail", project.pk)
    return _form_page(
        request, form, f"编辑园区项目：{project.name}", reverse("carriers:park_detail", args=[pk])
    )


@requires("park.manage")
def park_sign(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(ParkProject, pk=pk)
    form = TenancyForm(request.POST or None)
    done = submit_form(
        request,
        form,
        lambda data: services.sign_park_tenancy(actor=actor_of(request), project=project, **data),
    )
    if done is not None:
        messages.success(request, "已登记签约企业")
        return redirect("carriers:park_detail", project.pk)
    return _form_page(request, form, f"{project.name}：企业签约", reverse("carriers:park_detail", args=[pk]))


@requires("park.manage")
def park_produce(request: HttpRequest, pk: int) -> HttpResponse:
    tenancy = get_object_or_404(
        ParkTenancy.objects.select_related("project", "enterprise__organization"), pk=pk
    )
    form = ProductionForm(request.POST or None)
    done = submit_form(
        request,
        form,
        lambda data: services.start_park_production(actor=actor_of(request), tenancy=tenancy, **data),
    )
    if done is not None:
        messages.success(request, f"{tenancy.enterprise} 已登记投产")
        return redirect("carriers:park_detail", tenancy.project_id)
    return _form_page(
        request,
        form,
        f"登记投产：{tenancy.enterprise}",
        reverse("carriers:park_detail", args=[tenancy.project_id]),
    )
