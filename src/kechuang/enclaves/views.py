"""Enclave assessment pages: contracts and their versions, the operator's report with evidence, the
scorecard (charts, verification, finalisation, xlsx, print), what-if simulation and the ranking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kechuang.core.access import may, require, requires, scope
from kechuang.core.excel import write_xlsx_sheets
from kechuang.core.http import actor_of, export_rows, principal_of, xlsx_response
from kechuang.enclaves import selectors, services
from kechuang.enclaves.forms import (
    ContractRulesForm,
    IndicatorFormSet,
    build_spec,
    indicators_initial,
    rules_initial,
)
from kechuang.enclaves.models import PERIOD_LABELS, PERIODS, AssessmentContract, Evidence
from kechuang.enclaves.scoring import SOURCE_LABELS
from kechuang.orgs.models import Enclave


def _period(period: str) -> str:
    if period not in PERIOD_LABELS:
        raise Http404("考核期不存在")
    return period


def _errors(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else dt.date.today().year


@requires("assessment.view")
def contract_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    contracts = list(selectors.contracts_for(principal).order_by("-year", "enclave__name", "-version"))
    years = sorted({c.year for c in contracts}, reverse=True)
    year = _year(request) if request.GET.get("year") else (years[0] if years else dt.date.today().year)
    shown = [c for c in contracts if c.year == year]
    latest: dict[int, AssessmentContract] = {}
    for c in shown:
        latest.setdefault(c.enclave_id, c)
    rows = [{"contract": c, "history": selectors.year_history(c)} for c in latest.values()]
    can_create = may(principal, "assessment.contract")
    missing = (
        Enclave.objects.exclude(pk__in=[c.enclave_id for c in shown]).order_by("name") if can_create else []
    )
    return render(
        request,
        "enclaves/contract_list.html",
        {
            "rows": rows,
            "year": year,
            "years": years,
            "periods": PERIODS,
            "can_create": can_create,
            "missing": missing,
            "can_rank": may(principal, "assessment.ranking"),
        },
    )


@require_POST
@requires("assessment.contract")
def contract_create(request: HttpRequest) -> HttpResponse:
    raw_enclave, raw_year = request.POST.get("enclave", ""), request.POST.get("year", "")
    enclave = Enclave.objects.filter(pk=int(raw_enclave)).first() if raw_enclave.isdigit() else None
    try:
        if enclave is None:
            raise ValidationError("请选择飞地")
        if not raw_year.isdigit():
            raise ValidationError("请填写考核年度，如 2025")
        contract = services.create_contract(enclave=enclave, year=int(raw_year), actor=actor_of(request))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("enclaves:contract_list")
    messages.success(request, "已按默认指标库生成契约草案，请调整个性化指标后签订")
    return redirect("enclaves:contract_edit", contract.pk)


@requires("assessment.view")
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    contract = selectors.visible_contract(principal, pk)
    return render(
        request,
        "enclaves/contract_detail.html",
        {
            "contract": contract,
            "indicators": contract.spec.get("indicators", []),
            "spec": contract.spec,
            "versions": selectors.versions_of(contract),
            "history": selectors.year_history(contract),
            "warnings": services.spec_warnings(contract.spec),
            "sources": selectors.PLATFORM_SOURCES,
            "can_contract": may(principal, "assessment.contract"),
            "can_report": may(principal, "assessment.report", contract),
        },
    )


@requires("assessment.contract")
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.visible_contract(principal_of(request), pk, "assessment.contract")
    if contract.is_frozen:
        messages.error(request, "已签订的契约不能直接修改，请发起变更生成新版本")
        return redirect("enclaves:contract_detail", contract.pk)
    errors: list[str] = []
    if request.method == "POST":
        rules = ContractRulesForm(request.POST, prefix="rules")
        indicators = IndicatorFormSet(request.POST, prefix="ind")
        if rules.is_valid() and indicators.is_valid():
            try:
                services.update_contract_spec(
                    contract=contract,
                    spec=build_spec(rules, indicators, contract.spec),
                    actor=actor_of(request),
                )
            except ValidationError as exc:
                errors = [str(m) for m in exc.messages]
            else:
                messages.success(request, "契约草案已保存")
                return redirect("enclaves:contract_detail", contract.pk)
        else:
            errors = ["请按提示修改标红的栏目"]
    else:
        rules = ContractRulesForm(initial=rules_initial(contract.spec), prefix="rules")
        indicators = IndicatorFormSet(initial=indicators_initial(contract.spec), prefix="ind")
    return render(
        request,
        "enclaves/contract_edit.html",
        {"contract": contract, "rules": rules, "indicators": indicators, "errors": errors},
        status=400 if errors else 200,
    )


@require_POST
@requires("assessment.contract")
def contract_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    contract = selectors.visible_contract(principal_of(request), pk, "assessment.contract")
    actor = actor_of(request)
    try:
        if name == "sign":
            services.sign_contract(contract=contract, actor=actor)
            messages.success(request, f"第{contract.version}版契约已签订并冻结")
        elif name == "amend":
            amended = services.amend_contract(
                contract=contract, reason=request.POST.get("reason", ""), actor=actor
            )
            messages.success(request, f"已生成第{amended.version}版变更草案；原版本的考核结果保持不变")
            return redirect("enclaves:contract_edit", amended.pk)
        else:
            raise Http404("未知操作")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("enclaves:contract_detail", contract.pk)


def _reportable(contract: AssessmentContract) -> list[dict[str, Any]]:
    """What the operator reports: deductions and veto items are recorded by the bureau on the scorecard."""
    return [i for i in contract.spec.get("indicators", []) if i["kind"] not in ("deduction", "veto")]


@requires("assessment.report")
def report(request: HttpRequest, pk: int, period: str) -> HttpResponse:
    """The operator's year-to-date report for one checkpoint, with evidence uploads."""
    principal = principal_of(request)
    contract = selectors.visible_contract(principal, pk, "assessment.report")
    period = _period(period)
    rows = {r.code: r for r in selectors.stored_values(contract.enclave_id, contract.year, period)}
    typed: dict[str, str] = {}
    errors: list[str] = []
    if request.method == "POST":
        codes = [row["code"] for row in _reportable(contract)]
        figures: dict[str, object] = {
            c: request.POST.get(f"value_{c}", "") for c in codes if f"value_{c}" in request.POST
        }
        notes = {c: request.POST.get(f"note_{c}", "") for c in codes}
        typed = {c: str(v) for c, v in figures.items()}
        try:
            with transaction.atomic():
                services.report_values(
                    contract=contract, period=period, figures=figures, notes=notes, actor=actor_of(request)
                )
                for code in codes:
                    for upload in request.FILES.getlist(f"evidence_{code}"):
                        value = services.open_value(contract=contract, period=period, code=code)
                        services.add_evidence(value=value, upload=upload, actor=actor_of(request))
                services.refresh_platform_figures(contract=contract, period=period, actor=actor_of(request))
        except ValidationError as exc:
            errors = [str(m) for m in exc.messages]
        else:
            messages.success(request, f"{PERIOD_LABELS[period]}数据已填报")
            return redirect("enclaves:scorecard", contract.pk, period)
    lines = []
    for ind in _reportable(contract):
        row = rows.get(ind["code"])
        lines.append(
            {
                "ind": ind,
                "row": row,
                "typed": typed.get(ind["code"]),
                "evidence": list(row.evidence.all()) if row else [],
            }
        )
    return render(
        request,
        "enclaves/report.html",
        {
            "contract": contract,
            "period": period,
            "period_label": PERIOD_LABELS[period],
            "lines": lines,
            "errors": errors,
            "due": selectors.report_due(contract.spec, contract.year, period),
            "final": selectors.is_finalised(contract, period),
        },
        status=400 if errors else 200,
    )


def _chart_specs(card: dict[str, Any], history: list[dict[str, Any]]) -> dict[str, Any]:
    weighted = [r for r in card["indicators"] if r["kind"] in ("linear", "bands")]
    return {
        "points": {
            "data": [
                {
                    "type": "bar",
                    "name": "满分",
                    "x": [r["name"] for r in weighted],
                    "y": [float(r["max_points"]) for r in weighted],
                    "marker": {"color": "#d7e3f4"},
                },
                {
                    "type": "bar",
                    "name": "得分",
                    "x": [r["name"] for r in weighted],
                    "y": [float(r["points"]) for r in weighted],
                    "marker": {"color": "#1f5fa8"},
                },
            ],
            "layout": {
                "barmode": "overlay",
                "margin": {"t": 10, "b": 120},
                "height": 360,
                "legend": {"orientation": "h"},
            },
        },
        "trend": {
            "data": [
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": "总分",
                    "x": [h["label"] for h in history],
                    "y": [float(h["total"]) for h in history],
                },
            ],
            "layout": {"margin": {"t": 10}, "height": 260, "yaxis": {"range": [0, 105]}},
        },
    }


def _card_context(request: HttpRequest, pk: int, period: str) -> dict[str, Any]:
    principal = principal_of(request)
    contract = selectors.visible_contract(principal, pk)
    period = _period(period)
    cards = selectors.year_cards(contract)
    view = cards[period]
    rows = {r.code: r for r in view.rows}
    lines = [{"result": r, "row": rows.get(r["code"])} for r in view.card["indicators"]]
    history = selectors.year_history(contract, cards)
    return {
        "contract": contract,
        "period": period,
        "period_label": PERIOD_LABELS[period],
        "periods": PERIODS,
        "view": view,
        "card": view.card,
        "lines": lines,
        "history": history,
        "charts": _chart_specs(view.card, history),
        "can_verify": may(principal, "assessment.verify"),
        "can_report": may(principal, "assessment.report", contract),
        "can_simulate": may(principal, "assessment.simulate"),
        "source_labels": SOURCE_LABELS,
    }


def _card_rows(card: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            r["code"],
            r["name"],
            r["unit"],
            r["kind_label"],
            Decimal(r["weight"]),
            None if r["value"] is None else Decimal(r["value"]),
            r["source_label"],
            Decimal(r["points"]),
            Decimal(r["max_points"]),
            r["formula"],
            "；".join(r["notes"]),
            "是" if r["needs_review"] else "",
        ]
        for r in card["indicators"]
    ]


CARD_HEADERS = [
    "指标代码",
    "指标名称",
    "单位",
    "计分方式",
    "权重",
    "采用值",
    "数据来源",
    "得分",
    "满分",
    "计算过程",
    "说明",
    "待核定",
]


@requires("assessment.view")
def scorecard(request: HttpRequest, pk: int, period: str) -> HttpResponse:
    ctx = _card_context(request, pk, period)
    card = ctx["card"]
    if request.GET.get("export") == "xlsx":
        contract = ctx["contract"]
        summary = [
            ["飞地", contract.enclave.name],
            ["考核期", f"{contract.year}年{ctx['period_label']}"],
            ["契约版本", f"第{contract.version}版（{contract.get_status_display()}）"],
            ["总分", Decimal(card["total"])],
            ["计算过程", card["total_formula"]],
            ["等级", card["grade"]],
            ["等级依据", card["grade_basis"]],
            ["绩效奖励(万元)", Decimal(card["reward"])],
            ["奖励计算", card["reward_formula"]],
            ["是否定稿", "已定稿" if ctx["view"].finalised else "未定稿（实时测算）"],
        ] + [["说明", n] for n in card["notes"]]
        content = write_xlsx_sheets(
            [("评分汇总", ["项目", "内容"], summary), ("指标明细", CARD_HEADERS, _card_rows(card))]
        )
        return xlsx_response(f"{contract.enclave.name}{contract.year}{period}考核评分表.xlsx", content)
    return render(request, "enclaves/scorecard.html", ctx)


@requires("assessment.view")
def scorecard_print(request: HttpRequest, pk: int, period: str) -> HttpResponse:
    ctx = _card_context(request, pk, period)
    ctx["printed_on"] = dt.date.today()
    return render(request, "enclaves/scorecard_print.html", ctx)


def _refresh(request: HttpRequest, contract: AssessmentContract, period: str) -> str:
    require(principal_of(request), "assessment.report", contract)
    n = services.refresh_platform_figures(contract=contract, period=period, actor=actor_of(request))
    return f"已更新平台统计数据（{n} 项有变化）"


def _verify(request: HttpRequest, contract: AssessmentContract, period: str) -> str:
    require(principal_of(request), "assessment.verify")
    code = request.POST.get("code", "")
    services.verify_value(
        contract=contract,
        period=period,
        code=code,
        verified=request.POST.get("verified", ""),
        note=request.POST.get("note", ""),
        actor=actor_of(request),
    )
    return "核定值已保存"


def _finalise(request: HttpRequest, contract: AssessmentContract, period: str) -> str:
    require(principal_of(request), "assessment.verify")
    done = services.finalise_assessment(
        contract=contract, period=period, actor=actor_of(request), note=request.POST.get("note", "")
    )
    return f"已定稿：总分 {done.total}，等级 {done.grade}，绩效奖励 {done.reward} 万元"


SCORECARD_ACTIONS: dict[str, Callable[[HttpRequest, AssessmentContract, str], str]] = {
    "refresh": _refresh,
    "verify": _verify,
    "finalise": _finalise,
}


@require_POST
@requires("assessment.view")
def scorecard_act(request: HttpRequest, pk: int, period: str, name: str) -> HttpResponse:
    contract = selectors.visible_contract(principal_of(request), pk)
    period = _period(period)
    action = SCORECARD_ACTIONS.get(name)
    if action is None:
        raise Http404("未知操作")
    try:
        messages.success(request, action(request, contract, period))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("enclaves:scorecard", contract.pk, period)


@requires("assessment.simulate")
def simulate(request: HttpRequest, pk: int, period: str) -> HttpResponse:
    """What-if for staff: the same scoring with some figures replaced; nothing is saved."""
    contract = selectors.visible_contract(principal_of(request), pk)
    period = _period(period)
    indicators = contract.spec.get("indicators", [])
    overrides = {
        ind["code"]: request.GET[f"o_{ind['code']}"].strip()
        for ind in indicators
        if request.GET.get(f"o_{ind['code']}", "").strip()
    }
    card: dict[str, Any] | None = None
    error = ""
    if overrides:
        try:
            card = selectors.simulated_card(contract, period, overrides).to_dict()
        except ValueError as exc:
            error = str(exc)
    baseline = selectors.scorecard(contract, period).card
    return render(
        request,
        "enclaves/simulate.html",
        {
            "contract": contract,
            "period": period,
            "period_label": PERIOD_LABELS[period],
            "baseline": baseline,
            "card": card,
            "overrides": overrides,
            "error": error,
        },
        status=400 if error else 200,
    )


@requires("assessment.ranking")
def ranking(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    period = request.GET.get("period", "Q4")
    period = period if period in PERIOD_LABELS else "Q4"
    try:
        entries, contracts = selectors.ranking(year=year, period=period)
        error = ""
    except ValueError as exc:
        entries, contracts, error = [], {}, str(exc)
    if request.GET.get("export") == "xlsx":
        return export_rows(
            f"{year}年{PERIOD_LABELS[period]}飞地考核排名.xlsx",
            ["名次", "飞地", "总分", "等级", "绩效奖励(万元)", "一票否决", "说明"],
            [
                [e.rank, e.enclave, e.total, e.grade, e.reward, "是" if e.vetoed else "", e.explanation]
                for e in entries
            ],
        )
    chart = {
        "data": [
            {
                "type": "bar",
                "x": [e.enclave for e in entries],
                "y": [float(e.total) for e in entries],
                "marker": {"color": "#1f5fa8"},
            }
        ],
        "layout": {"margin": {"t": 10}, "height": 300, "yaxis": {"range": [0, 105], "title": "总分"}},
    }
    rows = [{"entry": e, "contract": contracts.get(e.enclave)} for e in entries]
    return render(
        request,
        "enclaves/ranking.html",
        {"rows": rows, "year": year, "period": period, "periods": PERIODS, "chart": chart, "error": error},
    )


@requires("assessment.view")
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(
        scope(
            principal_of(request),
            Evidence.objects.select_related("value"),
            "assessment.view",
            prefix="value__",
        ),
        pk=pk,
    )
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    return FileResponse(handle, as_attachment=True, filename=evidence.name)
