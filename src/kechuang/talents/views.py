"""Pages of the talent registry. Thin: forms parse, services write, selectors read. ID numbers are shown
masked everywhere; the clear number only on the person page, only for ``talent.pii``. An enterprise sees
its own staff and certifications (others are 404); an expert sees what it is assigned."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from kechuang.core.access import may, requires
from kechuang.core.http import actor_of, add_service_errors, export_rows, int_param, paginate, principal_of
from kechuang.core.pii import mask_phone
from kechuang.orgs.models import Township
from kechuang.orgs.selectors import history_for, own_enterprise
from kechuang.talents import selectors, services
from kechuang.talents.forms import (
    ApplyForm,
    AuthorizationForm,
    CatalogueItemForm,
    DecideObjectionForm,
    LevelForm,
    ObjectionForm,
    PersonForm,
    QuotaRuleForm,
    ScoreForm,
    SelfCertForm,
    reviewer_choices,
)
from kechuang.talents.models import (
    OPEN_STATUSES,
    Authorization,
    Certification,
    CertPath,
    Evidence,
    ExpertScore,
    Objection,
    ObjectionStatus,
    Source,
    Status,
)

logger = logging.getLogger("kechuang.talents")


def _form_page(
    request: HttpRequest, form: forms.Form, title: str, cancel_url: str, **extra: Any
) -> HttpResponse:
    return render(
        request, "talents/form.html", {"form": form, "title": title, "cancel_url": cancel_url, **extra}
    )


def _today() -> dt.date:
    return timezone.localdate()


# ---- registry ---------------------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> selectors.TalentFilters:
    return selectors.TalentFilters(
        level=request.GET.get("level", "").strip(),
        source=request.GET.get("source", "").strip(),
        township=int_param(request, "township"),
        q=request.GET.get("q", "").strip(),
    )


LIST_HEADERS = [
    "姓名",
    "证件号（脱敏）",
    "来源",
    "工作单位",
    "镇街",
    "学历",
    "职称",
    "专业领域",
    "有效认定层次",
]


@requires("talent.view")
def talent_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    filters = _filters(request)
    qs = selectors.talent_list(principal=principal, filters=filters, as_of=_today())
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                p.name,
                p.id_masked,
                p.get_source_display(),
                p.employer_name,
                p.township.name if p.township else "",
                p.get_degree_display(),
                p.title,
                p.field,
                getattr(p, "level_name", None) or "",
            ]
            for p in qs[:50_000].iterator(chunk_size=2000)
        )
        return export_rows("人才库.xlsx", LIST_HEADERS, rows)
    page = paginate(request, qs)
    return render(
        request,
        "talents/talent_list.html",
        {
            "page": page,
            "filters": filters,
            "levels": selectors.levels(),
            "sources": Source.choices,
            "townships": Township.objects.order_by("sort_order", "name"),
            "can_register": may(principal, "talent.register"),
        },
    )


@requires("talent.register")
def person_create(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    own = own_enterprise(principal)
    if principal.role == "enterprise" and own is None:
        raise PermissionDenied
    form = PersonForm(request.POST or None, own_enterprise=own)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.register_person(actor=actor_of(request), **form.service_values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记人才“{person.name}”（{person.id_masked}）")
            return redirect("talents:person_detail", person.pk)
    return _form_page(request, form, "登记人才", reverse("talents:list"))


@requires("talent.view")
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    person = selectors.person_get(principal, pk)
    show_clear = selectors.may_see_clear_id(principal) and request.GET.get("reveal") == "1"
    if show_clear:  # who looked at a clear number is logged (never the number itself)
        logger.warning("talent pii revealed: person %s to user %s", person.pk, principal.user_id)
    return render(
        request,
        "talents/person_detail.html",
        {
            "person": person,
            "clear_id": services.clear_id(person) if show_clear else None,
            "may_reveal": selectors.may_see_clear_id(principal),
            "phone": person.phone if selectors.may_see_clear_id(principal) else mask_phone(person.phone),
            "certifications": selectors.person_certifications(person),
            "employments": selectors.person_employments(person),
            "can_apply": may(principal, "talent.apply"),
            "history": history_for(person) if may(principal, "history.view") else None,
            "today": _today(),
        },
    )


@requires("talent.apply")
def person_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """An application to the bureau's review (评审认定) with evidence files."""
    principal = principal_of(request)
    person = selectors.person_get(principal, pk)
    form = ApplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            cert = services.apply_for_certification(
                actor=actor_of(request),
                person=person,
                basis=form.cleaned_data["basis"],
                statement=form.cleaned_data["statement"],
                files=form.cleaned_data["evidence_files"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "认定申请已提交，等待科技局受理")
            return redirect("talents:cert_detail", cert.pk)
    return _form_page(
        request,
        form,
        f"申报人才认定（科技局评审）：{person.name}",
        reverse("talents:person_detail", args=[pk]),
        multipart=True,
    )


# ---- self-certification (自主认定) ------------------------------------------------------------------------


@requires("talent.certify_self")
def self_cert(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    enterprise = own_enterprise(principal)
    if enterprise is None:
        raise PermissionDenied
    today = _today()
    auth = selectors.current_authorization(enterprise, today)
    form = SelfCertForm(
        request.POST or None,
        people=selectors.own_employees(enterprise),
        bases=selectors.self_cert_bases(enterprise, today),
    )
    if request.method == "POST" and form.is_valid():
        try:
            cert = services.submit_self_certification(
                actor=actor_of(request), enterprise=enterprise, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已提交自主认定：{cert.person.name}（{cert.get_status_display()}）")
            return redirect("talents:self_cert")
    certs = (
        selectors.visible_certifications(principal)
        .filter(path=CertPath.SELF)
        .order_by("-submitted_on", "-pk")[:200]
    )
    return render(
        request,
        "talents/self_cert.html",
        {
            "enterprise": enterprise,
            "authorization": auth,
            "quota": selectors.quota_status(enterprise, today.year),
            "form": form,
            "certs": certs,
        },
    )


@requires("talent.certify_self")
def cert_enterprise_act(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise withdraws its self-certification (the place comes back) or certifies it after
    publicity."""
    cert = selectors.certification_get(principal_of(request), pk)
    if request.method != "POST":
        return redirect("talents:cert_detail", pk)
    if cert.path != CertPath.SELF:
        raise PermissionDenied
    op = request.POST.get("op", "")
    try:
        if op == "withdraw":
            services.withdraw_certification(
                actor=actor_of(request), certification=cert, reason=request.POST.get("reason", "")
            )
            messages.success(request, "已撤回，名额已退还")
        elif op == "certify":
            cert = services.certify(actor=actor_of(request), certification=cert)
            messages.success(request, f"已认定，证书编号 {cert.certificate_no}")
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("talents:cert_detail", pk)


# ---- certifications --------------------------------------------------------------------------------------


@requires("talent.certification")
def cert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    cert = selectors.certification_get(principal, pk)
    is_bureau = principal.is_bureau
    scores = list(cert.scores.select_related("reviewer__profile"))
    if not is_bureau:
        scores = [s for s in scores if s.reviewer_id == principal.user_id]
    own_score = next((s for s in scores if s.reviewer_id == principal.user_id), None)
    reviewing = is_bureau and cert.status in (Status.FIRST_REVIEW, Status.EXPERT_REVIEW)
    return render(
        request,
        "talents/cert_detail.html",
        {
            "cert": cert,
            "evidence": list(cert.evidence.all()),
            "scores": scores,
            "own_score": own_score,
            "objections": list(cert.objections.select_related("by", "decided_by")),
            "can_manage": may(principal, "talent.manage"),
            "is_own_enterprise": may(principal, "talent.certify_self") and cert.path == CertPath.SELF,
            "reviewers": reviewer_choices() if reviewing else [],
            "proposal": selectors.propose_reviewers(cert) if reviewing else None,
            "counted": services.counted_scores(cert) if is_bureau else [],
            "history": history_for(cert) if may(principal, "history.view") else None,
            "today": _today(),
            "is_open": cert.status in OPEN_STATUSES,
        },
    )


STAFF_OPS = {
    "accept": "已受理",
    "first_review": "初审通过",
    "assign": "已分配评审专家",
    "conclude": "专家评审已汇总",
    "approve_filing": "备案通过，进入公示",
    "refuse": "已作出不予认定决定",
    "certify": "已认定并发放证书",
}


@requires("talent.manage")
def cert_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Bureau steps on a certification (one POST per step); errors come back as messages."""
    cert = get_object_or_404(Certification, pk=pk)
    if request.method != "POST":
        return redirect("talents:cert_detail", pk)
    op, actor, note = request.POST.get("op", ""), actor_of(request), request.POST.get("note", "")
    if op not in STAFF_OPS:
        raise Http404
    try:
        if op == "accept":
            services.accept_application(actor=actor, certification=cert, note=note)
        elif op == "first_review":
            services.pass_first_review(actor=actor, certification=cert, note=note)
        elif op == "assign":
            reviewer = reviewer_choices().filter(pk=request.POST.get("reviewer") or 0).first()
            if reviewer is None:
                raise ValidationError("请选择评审专家")
            services.assign_reviewer(actor=actor, certification=cert, reviewer=reviewer)
        elif op == "conclude":
            services.conclude_review(actor=actor, certification=cert)
        elif op == "approve_filing":
            services.approve_filing(actor=actor, certification=cert, note=note)
        elif op == "refuse":
            services.refuse_certification(actor=actor, certification=cert, reason=note)
        elif op == "certify":
            services.certify(actor=actor, certification=cert)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, STAFF_OPS[op])
    return redirect("talents:cert_detail", pk)


@requires("talent.review")
def cert_score(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    cert = selectors.certification_get(principal, pk)
    row = ExpertScore.objects.filter(certification=cert, reviewer_id=principal.user_id).first()
    if row is None:
        raise Http404("您未被分配评审此申请")
    initial = {"score": row.score, "comment": row.comment, "conflict_declared": row.conflict_declared}
    form = ScoreForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.score_certification(reviewer=request.user, certification=cert, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "评分已保存")
            return redirect("talents:reviews")
    return _form_page(
        request,
        form,
        f"专家评分：{cert.person.name} · {cert.level}",
        reverse("talents:cert_detail", args=[pk]),
        intro=f"认定依据：{cert.basis}。申报说明：{cert.statement or '（无）'}",
    )


@requires("talent.review")
def reviews(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.review_assignments(principal_of(request)))
    return render(request, "talents/reviews.html", {"page": page})


@requires("talent.certification")
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(Evidence, pk=pk)
    selectors.certification_get(principal_of(request), evidence.certification_id)  # 404 unless visible
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文件不存在") from exc
    return FileResponse(handle, as_attachment=True, filename=evidence.name)


@requires("talent.certification")
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    cert = selectors.certification_get(principal_of(request), pk)
    if cert.status != Status.CERTIFIED:
        raise Http404("尚未认定，没有证书")
    if request.GET.get("export") == "xlsx":
        return export_rows(
            f"人才认定证书-{cert.certificate_no}.xlsx",
            [
                "证书编号",
                "姓名",
                "证件号（脱敏）",
                "人才层次",
                "认定依据",
                "工作单位",
                "认定方式",
                "有效期起",
                "有效期至",
            ],
            [
                [
                    cert.certificate_no,
                    cert.person.name,
                    cert.person.id_masked,
                    str(cert.level),
                    f"{cert.basis.code} {cert.basis.text}",
                    cert.employer_name,
                    cert.get_path_display(),
                    cert.valid_from,
                    cert.valid_until,
                ]
            ],
        )
    verify_url = request.build_absolute_uri(reverse("talents:verify", args=[cert.certificate_no]))
    return render(request, "talents/certificate.html", {"cert": cert, "verify_url": verify_url})


# ---- queues and objections ------------------------------------------------------------------------------


@requires("talent.manage")
def queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "talents/queue.html",
        {"queues": selectors.queues(), "objections": list(selectors.open_objections()[:100])},
    )


@requires("talent.manage")
def objection_decide(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(
        Objection.objects.select_related("certification__person", "certification__level"), pk=pk
    )
    form = DecideObjectionForm(request.POST or None)
    if objection.status != ObjectionStatus.OPEN and request.method == "POST":
        messages.error(request, "该异议已处理")
        return redirect("talents:cert_detail", objection.certification_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_objection(actor=actor_of(request), objection=objection, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "异议已处理")
            return redirect("talents:cert_detail", objection.certification_id)
    cert = objection.certification
    return _form_page(
        request,
        form,
        f"处理公示异议：{cert.person.name} · {cert.level}",
        reverse("talents:cert_detail", args=[cert.pk]),
        intro=f"异议理由：{objection.reason}",
    )


# ---- publicity, objections, verification ----------------------------------------------------------------


@requires("talent.publicity")
def publicity(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.publicity_list(as_of=_today()))
    return render(request, "talents/publicity.html", {"page": page, "today": _today()})


@requires("talent.publicity")
def objection_file(request: HttpRequest, pk: int) -> HttpResponse:
    cert = get_object_or_404(
        Certification.objects.select_related("person", "level"),
        pk=pk,
        status__in=[Status.PUBLICITY, Status.ON_HOLD, Status.CERTIFIED, Status.REFUSED],
        publicity_from__isnull=False,
    )
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.file_objection(actor=actor_of(request), certification=cert, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "异议已提交，科技局将在核实后处理")
            return redirect("talents:publicity")
    return _form_page(
        request,
        form,
        f"对公示提出异议：{cert.person.name}（{cert.employer_name}，{cert.level}）",
        reverse("talents:publicity"),
        intro=f"公示期：{cert.publicity_from} 至 {cert.publicity_until}",
    )


@requires("talent.verify")
def verify_form(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("no", "").strip()
    if number:
        return redirect("talents:verify", number.upper())
    return render(request, "talents/verify.html", {"result": None, "number": ""})


@requires("talent.verify")
def verify(request: HttpRequest, number: str) -> HttpResponse:
    result = selectors.verify(number, as_of=_today())
    return render(
        request,
        "talents/verify.html",
        {"result": result, "number": number, "searched": True},
        status=200 if result else 404,
    )


@requires("talent.view")
def expiring(request: HttpRequest) -> HttpResponse:
    today = _today()
    qs = selectors.expiring(principal=principal_of(request), as_of=today)
    return render(
        request,
        "talents/expiring.html",
        {"page": paginate(request, qs), "today": today, "days": selectors.EXPIRY_WINDOW_DAYS},
    )


# ---- authorisations, rules, catalogue --------------------------------------------------------------------


@requires("talent.manage")
def authorizations(request: HttpRequest) -> HttpResponse:
    today = _today()
    form = AuthorizationForm(
        request.POST or None, initial={"valid_from": today, "valid_until": dt.date(today.year, 12, 31)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_authorization(actor=actor_of(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已授权自主认定")
            return redirect("talents:authorizations")
    rows = []
    page = paginate(request, selectors.authorizations())
    for auth in page.object_list:
        rows.append({"auth": auth, "quota": selectors.quota_status(auth.enterprise, today.year)})
    return render(
        request, "talents/authorizations.html", {"page": page, "rows": rows, "form": form, "today": today}
    )


@requires("talent.manage")
def authorization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    auth = get_object_or_404(Authorization.objects.select_related("enterprise__organization"), pk=pk)
    initial = {
        "enterprise": auth.enterprise.organization.credit_code,
        "valid_from": auth.valid_from,
        "valid_until": auth.valid_until,
        "levels": list(auth.levels.all()),
        "active": auth.active,
        "note": auth.note,
    }
    form = AuthorizationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_authorization(actor=actor_of(request), authorization=auth, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "授权已保存")
            return redirect("talents:authorizations")
    return _form_page(request, form, f"修改授权：{auth.enterprise}", reverse("talents:authorizations"))


@requires("talent.manage")
def quota_rules(request: HttpRequest) -> HttpResponse:
    form = QuotaRuleForm(request.POST or None, initial={"year": _today().year, "cap": 10})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_quota_rule(actor=actor_of(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "名额规则已保存")
            return redirect("talents:quota_rules")
    return render(request, "talents/quota_rules.html", {"rules": selectors.quota_rules()[:100], "form": form})


@requires("talent.manage")
def catalogue(request: HttpRequest) -> HttpResponse:
    level_form = LevelForm(request.POST if request.POST.get("form") == "level" else None, prefix="level")
    item_form = CatalogueItemForm(request.POST if request.POST.get("form") == "item" else None, prefix="item")
    if request.method == "POST":
        form, save = (
            (level_form, services.save_level)
            if request.POST.get("form") == "level"
            else (item_form, services.save_catalogue_item)
        )
        if form.is_valid():
            try:
                save(actor=actor_of(request), **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "目录已更新")
                return redirect("talents:catalogue")
    return render(
        request,
        "talents/catalogue.html",
        {
            "levels": selectors.levels(),
            "items": selectors.catalogue(),
            "level_form": level_form,
            "item_form": item_form,
            "today": _today(),
        },
    )


@requires("talent.reports")
def reports(request: HttpRequest) -> HttpResponse:
    data = selectors.reports(as_of=_today())
    if request.GET.get("export") == "xlsx":
        rows: list[list[Any]] = []
        rows += [["按层次（有效认定）", r["level"], r["count"]] for r in data["by_level"]]
        rows += [["按来源", r["source"], r["count"]] for r in data["by_source"]]
        rows += [["按产业链", r["chain"], r["count"]] for r in data["by_chain"]]
        rows += [["按镇街", r["township"], r["count"]] for r in data["by_township"]]
        rows += [
            ["认定（年度·方式·状态）", f"{r['year']} {r['path']} {r['status']}", r["count"]]
            for r in data["by_path_year"]
        ]
        rows += [
            [
                f"{data['year']}年名额使用",
                r["enterprise"],
                f"{r['used']}/{r['places'] if r['places'] is not None else '—'}",
            ]
            for r in data["quota_use"]
        ]
        return export_rows("人才报表.xlsx", ["类别", "项目", "数量"], rows)
    return render(request, "talents/reports.html", {"data": data})
