"""Registry pages. Thin: parse the request, ask selectors/services, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kechuang.core.access import may, require, requires
from kechuang.core.excel import TableReadError
from kechuang.core.http import actor_of, export_rows, int_param, paginate, xlsx_response
from kechuang.orgs import imports, selectors, services
from kechuang.orgs.choices import InstitutionCategory, QualificationKind
from kechuang.orgs.forms import (
    DeleteForm,
    EnclaveForm,
    EnterpriseForm,
    ExpertForm,
    ImportUploadForm,
    QualificationForm,
    YearFigureForm,
)
from kechuang.orgs.industries import DIVISIONS, industry_name
from kechuang.orgs.models import ImportBatch, Qualification


def _form_errors_from(exc: ValidationError, form: EnterpriseForm) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _enterprise_filters(request: HttpRequest) -> selectors.EnterpriseFilters:
    above = request.GET.get("above_scale")
    return selectors.EnterpriseFilters(
        q=request.GET.get("q", "").strip()[:100],
        township=int_param(request, "township"),
        qualification=request.GET.get("qualification", ""),
        industry=request.GET.get("industry", "").strip()[:4],
        chain=int_param(request, "chain"),
        above_scale={"1": True, "0": False}.get(above or ""),
    )


@requires("enterprise.list")
def enterprise_list(request: HttpRequest) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    filters = _enterprise_filters(request)
    page = paginate(request, selectors.enterprise_list(principal=principal, filters=filters))
    selectors.attach_list_extras(list(page.object_list))
    return render(
        request,
        "orgs/enterprise_list.html",
        {
            "page": page,
            "filters": filters,
            "townships": selectors.township_list(),
            "chains": selectors.chain_list(),
            "qualification_kinds": QualificationKind.choices,
            "divisions": DIVISIONS,
            "can_create": may(principal, "enterprise.create"),
            "can_export": may(principal, "enterprise.export"),
        },
    )


@requires("enterprise.export")
def enterprise_export(request: HttpRequest) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    rows = selectors.enterprise_list(
        principal=principal, filters=_enterprise_filters(request), action="enterprise.export"
    )
    headers = [
        "统一社会信用代码",
        "企业名称",
        "所在镇街",
        "行业代码",
        "行业",
        "规上企业",
        "从业人员",
        "科技人员",
        "联系人",
        "联系电话",
        "地址",
        "主营产品",
    ]
    return export_rows(
        "企业名录.xlsx",
        headers,
        (
            [
                e.organization.credit_code,
                e.organization.name,
                e.township.name if e.township else "",
                e.industry_code,
                industry_name(e.industry_code),
                "是" if e.is_above_scale else "否",
                e.employees,
                e.tech_staff,
                e.organization.contact_name,
                e.organization.contact_phone,
                e.organization.address,
                e.main_products,
            ]
            for e in rows.iterator(chunk_size=2000)
        ),
    )


def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    enterprise = selectors.enterprise_get(principal=principal, pk=pk)
    can_history = may(principal, "history.view")
    return render(
        request,
        "orgs/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "org": enterprise.organization,
            "industry_label": industry_name(enterprise.industry_code),
            "can_change": may(principal, "enterprise.change", enterprise),
            "can_delete": may(principal, "enterprise.delete"),
            "can_list": may(principal, "enterprise.list"),
            "history": selectors.merged_history(enterprise.organization, enterprise) if can_history else None,
            "qualification_form": QualificationForm(),
            "delete_form": DeleteForm(),
        },
    )


@requires("enterprise.create")
def enterprise_create(request: HttpRequest) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    form = EnterpriseForm(request.POST or None)
    if principal.township_id and not request.POST:
        form.initial["township"] = principal.township_id
    if request.method == "POST" and form.is_valid():
        data = form.to_data()
        if principal.township_id and (data.township is None or data.township.pk != principal.township_id):
            form.add_error("township", "只能登记本镇街的企业")
        else:
            try:
                enterprise = services.create_enterprise(actor=actor_of(request), data=data)  # type: ignore[arg-type]
            except ValidationError as exc:
                _form_errors_from(exc, form)
            else:
                messages.success(request, f"已登记企业“{enterprise.organization.name}”")
                return redirect("orgs:enterprise_detail", pk=enterprise.pk)
    return render(request, "orgs/enterprise_form.html", {"form": form, "title": "登记企业"})


def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    enterprise = selectors.enterprise_get(principal=principal, pk=pk, action="enterprise.change")
    form = EnterpriseForm(request.POST or None, initial=EnterpriseForm.initial_for(enterprise))
    if request.method == "POST" and form.is_valid():
        data = form.to_data()
        if principal.township_id and (data.township is None or data.township.pk != principal.township_id):
            form.add_error("township", "不能把企业改到其他镇街")
        else:
            try:
                services.update_enterprise(
                    actor=actor_of(request),
                    enterprise=enterprise,
                    data=data,  # type: ignore[arg-type]
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                _form_errors_from(exc, form)
            else:
                messages.success(request, "已保存")
                return redirect("orgs:enterprise_detail", pk=enterprise.pk)
    return render(
        request,
        "orgs/enterprise_form.html",
        {"form": form, "title": "编辑企业信息", "enterprise": enterprise},
    )


@require_POST
def enterprise_delete(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    require(principal, "enterprise.delete")
    enterprise = selectors.enterprise_get(principal=principal, pk=pk)
    form = DeleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写删除原因")
        return redirect("orgs:enterprise_detail", pk=pk)
    services.soft_delete_enterprise(
        actor=actor_of(request),
        enterprise=enterprise,  # type: ignore[arg-type]
        reason=form.cleaned_data["reason"],
    )
    messages.success(request, f"已删除“{enterprise.organization.name}”（可由管理员在后台恢复）")
    return redirect("orgs:enterprise_list")


def enterprise_figure(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    enterprise = selectors.enterprise_get(principal=principal, pk=pk, action="enterprise.change")
    year = int_param(request, "year")
    existing = enterprise.figures.filter(year=year).first() if year else None
    form = YearFigureForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "year"}
        try:
            services.save_year_figure(
                actor=actor_of(request),
                enterprise=enterprise,  # type: ignore[arg-type]
                year=form.cleaned_data["year"],
                values=values,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已保存{form.cleaned_data['year']}年度数据")
            return redirect("orgs:enterprise_detail", pk=enterprise.pk)
    return render(request, "orgs/figure_form.html", {"form": form, "enterprise": enterprise})


@require_POST
def enterprise_qualification_add(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    require(principal, "enterprise.delete")  # qualifications are certified by the bureau
    enterprise = selectors.enterprise_get(principal=principal, pk=pk)
    form = QualificationForm(request.POST)
    if form.is_valid():
        try:
            services.add_qualification(
                actor=actor_of(request),
                organization=enterprise.organization,  # type: ignore[arg-type]
                **form.cleaned_data,
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已添加资质荣誉")
    else:
        messages.error(
            request, "资质信息有误：" + "；".join(str(e) for errs in form.errors.values() for e in errs)
        )
    return redirect("orgs:enterprise_detail", pk=pk)


@require_POST
def qualification_remove(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    require(principal, "enterprise.delete")
    qualification = get_object_or_404(Qualification.objects.select_related("organization__enterprise"), pk=pk)
    enterprise = qualification.organization.enterprise
    services.remove_qualification(actor=actor_of(request), qualification=qualification)  # type: ignore[arg-type]
    messages.success(request, "已移除资质荣誉")
    return redirect("orgs:enterprise_detail", pk=enterprise.pk)


@requires("institution.view")
def institution_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "")
    rows = selectors.institution_list(q=q, category=category)
    if request.GET.get("export") == "xlsx":
        require(request.principal, "directory.export")  # type: ignore[attr-defined]
        return export_rows(
            "高校院所.xlsx",
            ["名称", "类别", "级别", "优势学科/方向", "所在城市", "专家数"],
            (
                [
                    i.organization.name,
                    i.get_category_display(),
                    i.get_level_display(),
                    i.disciplines,
                    i.city,
                    i.expert_count,  # type: ignore[attr-defined]  # annotated by the selector
                ]
                for i in rows
            ),
        )
    return render(
        request,
        "orgs/institution_list.html",
        {
            "page": paginate(request, rows),
            "q": q,
            "category": category,
            "categories": InstitutionCategory.choices,
            "can_export": may(request.principal, "directory.export"),  # type: ignore[attr-defined]
        },
    )


@requires("institution.view")
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    institution = selectors.institution_get(pk=pk)
    can_history = may(request.principal, "history.view")  # type: ignore[attr-defined]
    return render(
        request,
        "orgs/institution_detail.html",
        {
            "institution": institution,
            "org": institution.organization,
            "experts": institution.experts.all()[:200],
            "achievements": institution.achievements.filter(is_public=True)[:50],  # type: ignore[attr-defined]
            "history": selectors.merged_history(institution.organization, institution)
            if can_history
            else None,
        },
    )


@requires("expert.view")
def expert_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    rows = selectors.expert_list(q=q, institution=int_param(request, "institution"))
    if request.GET.get("export") == "xlsx":
        require(request.principal, "directory.export")  # type: ignore[attr-defined]
        return export_rows(
            "专家库.xlsx",
            ["姓名", "所在单位", "职称", "研究领域", "科技特派员"],
            (
                [
                    e.name,
                    e.institution.organization.name if e.institution else "",
                    e.title,
                    e.fields,
                    "是" if e.is_tech_commissioner else "否",
                ]
                for e in rows
            ),
        )
    return render(
        request,
        "orgs/expert_list.html",
        {
            "page": paginate(request, rows),
            "q": q,
            "can_export": may(request.principal, "directory.export"),  # type: ignore[attr-defined]
        },
    )


@requires("expert.view")
def expert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    expert = selectors.expert_get(pk=pk)
    return render(
        request,
        "orgs/expert_detail.html",
        {
            "expert": expert,
            "can_change": may(principal, "expert.change", expert),
            "show_contact": principal.is_authenticated,
            "history": selectors.history_for(expert) if may(principal, "history.view") else None,
        },
    )


def expert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    expert = selectors.expert_get(pk=pk)
    require(principal, "expert.change", expert)
    form = ExpertForm(request.POST or None, instance=expert)
    if request.method == "POST" and form.is_valid():
        services.update_expert(actor=actor_of(request), expert=expert, values=form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, "已保存")
        return redirect("orgs:expert_detail", pk=pk)
    return render(
        request,
        "orgs/simple_form.html",
        {"form": form, "title": f"编辑专家档案 · {expert.name}", "cancel_url": expert_url(pk)},
    )


def expert_url(pk: int) -> str:
    from django.urls import reverse

    return reverse("orgs:expert_detail", args=[pk])


@requires("investor.view")
def investor_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    rows = selectors.investor_list(q=q)
    principal = request.principal  # type: ignore[attr-defined]
    if request.GET.get("export") == "xlsx":
        require(principal, "directory.export")
        return export_rows(
            "投资机构.xlsx",
            ["机构", "类型", "关注领域", "投资阶段", "基金", "基金规模(万元)"],
            (
                [
                    i.organization.name,
                    i.get_kind_display(),
                    i.focus_industries,
                    i.focus_stages,
                    "、".join(f.name for f in i.funds.all()),
                    sum((f.size or 0) for f in i.funds.all()),
                ]
                for i in rows
            ),
        )
    return render(
        request,
        "orgs/investor_list.html",
        {"page": paginate(request, rows), "q": q, "can_export": may(principal, "directory.export")},
    )


@requires("investor.view")
def investor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    investor = selectors.investor_get(pk=pk)
    can_history = may(request.principal, "history.view")  # type: ignore[attr-defined]
    return render(
        request,
        "orgs/investor_detail.html",
        {
            "investor": investor,
            "history": selectors.merged_history(investor.organization, investor) if can_history else None,
        },
    )


@requires("enclave.view")
def enclave_list(request: HttpRequest) -> HttpResponse:
    return render(request, "orgs/enclave_list.html", {"enclaves": selectors.enclave_list()})


@requires("enclave.view")
def enclave_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    enclave = selectors.enclave_get(pk=pk)
    return render(
        request,
        "orgs/enclave_detail.html",
        {
            "enclave": enclave,
            "can_change": may(principal, "enclave.change", enclave),
            "history": selectors.history_for(enclave) if may(principal, "history.view") else None,
        },
    )


def enclave_edit(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    enclave = selectors.enclave_get(pk=pk)
    require(principal, "enclave.change", enclave)
    form = EnclaveForm(request.POST or None, instance=enclave)
    if request.method == "POST" and form.is_valid():
        services.update_enclave(actor=actor_of(request), enclave=enclave, values=form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, "已保存")
        return redirect("orgs:enclave_detail", pk=pk)
    from django.urls import reverse

    return render(
        request,
        "orgs/simple_form.html",
        {
            "form": form,
            "title": f"编辑飞地信息 · {enclave.name}",
            "cancel_url": reverse("orgs:enclave_detail", args=[pk]),
        },
    )


@requires("township.view")
def township_list(request: HttpRequest) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    return render(
        request,
        "orgs/township_list.html",
        {
            "townships": selectors.townships_with_enterprise_counts(principal=principal),
            "can_list": may(principal, "enterprise.list"),
        },
    )


@requires("registry.import")
def import_home(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = imports.preview_import(
                actor=actor_of(request),
                kind=form.cleaned_data["kind"],  # type: ignore[arg-type]
                upload=upload,
                filename=upload.name,
                size=upload.size,
            )
        except TableReadError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("orgs:import_preview", pk=batch.pk)
    return render(
        request,
        "orgs/import_home.html",
        {"form": form, "batches": selectors.import_history(), "specs": imports.SPECS},
    )


@requires("registry.import")
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    return render(
        request,
        "orgs/import_preview.html",
        {"batch": batch, "spec": imports.SPECS[batch.kind], "errors": batch.errors[:500]},
    )


@require_POST
@requires("registry.import")
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    try:
        imports.commit_import(actor=actor_of(request), batch=batch)  # type: ignore[arg-type]
    except imports.ImportRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"导入完成：新增{batch.created_count}条，更新{batch.updated_count}条")
    return redirect("orgs:import_preview", pk=pk)


@requires("registry.import")
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in imports.SPECS:
        from django.http import Http404

        raise Http404("未知的导入类型")
    return xlsx_response(f"{imports.SPECS[kind].label}导入模板.xlsx", imports.template_workbook(kind))
