from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kechuang.core.access import may, requires
from kechuang.core.http import export_rows, int_param
from kechuang.dashboard.selectors import chart_specs, county_dashboard
from kechuang.demands.selectors import DemandFilters, funnel
from kechuang.enclaves.selectors import county_summary as enclave_summary
from kechuang.events.selectors import county_summary
from kechuang.orgs.selectors import township_list


@requires("dashboard.view")
def dashboard_home(request: HttpRequest) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    township_id = principal.township_id or int_param(request, "township")
    data = county_dashboard(principal=principal, township_id=township_id)
    if request.GET.get("export") == "xlsx":
        return export_rows(
            "科技创新数据.xlsx",
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
            (
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
            ),
        )
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
        },
    )
