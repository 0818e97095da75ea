from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kechuang.carriers.selectors import carrier_figures, occupancy_by_carrier, park_figures
from kechuang.core.access import may, requires
from kechuang.core.excel import write_xlsx_sheets
from kechuang.core.http import int_param, xlsx_response
from kechuang.dashboard import reports
from kechuang.dashboard.selectors import Dashboard, chart_specs, county_dashboard, county_headlines
from kechuang.demands.selectors import DemandFilters, funnel
from kechuang.enclaves.selectors import county_summary as enclave_summary
from kechuang.events.selectors import county_summary
from kechuang.finance.selectors import finance_figures
from kechuang.orgs.selectors import township_list
from kechuang.policies.selectors import PolicyFigures, policy_figures


@requires("dashboard.view")
def dashboard_home(request: HttpRequest) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    township_id = principal.township_id or int_param(request, "township")
    data = county_dashboard(principal=principal, township_id=township_id)
    policy = policy_figures(principal, township_id=township_id)
    headlines = (
        county_headlines(as_of=timezone.localdate())
        if may(principal, "dashboard.county") and not township_id
        else None
    )
    if request.GET.get("export") == "xlsx":
        sheets = [_years_sheet(data), *_policy_sheets(policy)]
        if headlines:
            sheets.insert(0, reports.headline_sheet(headlines))
        return xlsx_response("科技创新数据.xlsx", write_xlsx_sheets(sheets))
    return render(
        request,
        "dashboard/home.html",
        {
            "data": data,
            "charts": chart_specs(data),
            "townships": township_list() if not principal.township_id else [],
            "township_id": township_id,
            "latest": data.years[-1] if data.years else None,
            "events": county_summary(),
            "enclaves": enclave_summary() if may(principal, "assessment.ranking") else None,
            "demand_funnel": funnel(principal=principal, filters=DemandFilters(township=township_id)),
            "policy": policy,
            "headlines": headlines,
        },
    )


OCCUPANCY_MONTHS = 36


@requires("dashboard.county")
def dashboard_carriers(request: HttpRequest) -> HttpResponse:
    """Occupancy by carrier and month over three years, growth of area and incubatees, park projects."""
    today = timezone.localdate()
    figures, parks = carrier_figures(as_of=today), park_figures()
    rows = occupancy_by_carrier(months=OCCUPANCY_MONTHS, as_of=today)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "创新载体与园区.xlsx", write_xlsx_sheets(reports.carrier_sheets(figures, rows, parks))
        )
    charts = {"occupancy": reports.occupancy_chart(rows), "growth": reports.growth_chart(figures["growth"])}
    return render(
        request,
        "dashboard/carriers.html",
        {"figures": figures, "parks": parks, "rows": rows, "charts": charts if rows else None},
    )


@requires("dashboard.county")
def dashboard_finance(request: HttpRequest) -> HttpResponse:
    """Funds by tier, money raised by channel, loans, subsidies, defaults and risk compensation."""
    figures = finance_figures()
    if request.GET.get("export") == "xlsx":
        return xlsx_response("科技金融.xlsx", write_xlsx_sheets(reports.finance_sheets(figures)))
    has_money = any(float(c["amount_wan"] or 0) for c in figures["raised_by_channel"])
    return render(
        request,
        "dashboard/finance.html",
        {"figures": figures, "charts": {"channels": reports.channel_chart(figures)} if has_money else None},
    )


Sheet = tuple[str, list[str], list[list[Any]]]


def _years_sheet(data: Dashboard) -> Sheet:
    return (
        "科技创新数据",
        [
            "年度",
            "营业收入(万元)",
            "研发投入(万元)",
            "研发投入强度",
            "研发投入增长",
            "高新技术产品收入(万元)",
            "填报企业数",
            "高新技术企业数",
        ],
        [
            [
                y.year,
                y.revenue,
                y.rd_spend,
                y.intensity,
                y.growth,
                y.hightech_revenue,
                y.reporting,
                y.high_tech_count,
            ]
            for y in data.years
        ],
    )


def _policy_sheets(policy: PolicyFigures) -> list[Sheet]:
    """The same figures the page shows: money from the ledger, rounds' outcomes, the tier pipeline."""
    money = (
        "政策资金",
        ["项目", "年度", "镇街", "企业数", "审批金额(元)", "已拨付(元)"],
        [
            [
                r["program_title"],
                r["year"],
                r["township__name"] or "",
                r["enterprises"],
                r["approved_yuan"] or 0,
                r["paid_yuan"] or 0,
            ]
            for r in policy.money
        ],
    )
    rounds = (
        "免申即享",
        ["措施", "数据年度", "数据比对符合", "确认申领", "放弃", "逾期未确认", "已拨付"],
        [
            [
                r["round__measure_title"],
                r["round__year"],
                r["qualifying"],
                r["accepted"],
                r["declined"],
                r["silent"],
                r["paid"],
            ]
            for r in policy.rounds
        ],
    )
    tiers = (
        "梯度培育",
        ["梯度", "当前企业数", "下一级培育对象", "已符合条件", "差一项以内"],
        [["尚未入梯队", policy.outside, "", "", ""]]
        + [[p.step.label, p.holding, p.candidates, p.ready, p.close] for p in policy.pipeline],
    )
    return [money, rounds, tiers]
