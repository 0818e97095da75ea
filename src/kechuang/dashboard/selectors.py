"""County figures computed live from the registry (no cached copies that could drift)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum

from kechuang.core.access import Principal, scope
from kechuang.orgs.choices import DASHBOARD_TIERS, RD_INSTITUTION_KINDS, QualificationKind
from kechuang.orgs.models import Enterprise, EnterpriseYearFigure, Qualification, Township
from kechuang.orgs.selectors import active_qualifications


@dataclass
class YearRow:
    year: int
    revenue: Decimal
    rd_spend: Decimal
    hightech_revenue: Decimal
    reporting: int
    intensity: float | None = None
    growth: float | None = None
    high_tech_count: int = 0


@dataclass
class Dashboard:
    enterprise_count: int
    above_scale_count: int
    tiers: list[dict[str, Any]]
    townships: list[dict[str, Any]]
    coverage_year: int | None
    coverage: dict[str, Any]
    years: list[YearRow] = field(default_factory=list)
    township_name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "enterprise_count": self.enterprise_count,
            "above_scale_count": self.above_scale_count,
            "tiers": self.tiers,
            "townships": self.townships,
            "coverage_year": self.coverage_year,
            "coverage": self.coverage,
            "years": [
                {
                    "year": y.year,
                    "revenue": float(y.revenue),
                    "rd_spend": float(y.rd_spend),
                    "hightech_revenue": float(y.hightech_revenue),
                    "reporting": y.reporting,
                    "intensity": y.intensity,
                    "growth": y.growth,
                    "high_tech_count": y.high_tech_count,
                }
                for y in self.years
            ],
        }


EMPTY_COUNTS: dict[str, int] = {"total": 0, "above": 0, "high_tech": 0}


def county_dashboard(*, principal: Principal, township_id: int | None = None) -> Dashboard:
    """Everything the dashboard shows, in about ten aggregate queries whatever the registry's size."""
    enterprises = scope(principal, Enterprise.objects.all(), "enterprise.list")
    if township_id:
        enterprises = enterprises.filter(township_id=township_id)
    counts = enterprises.aggregate(total=Count("pk"), above=Count("pk", filter=Q(is_above_scale=True)))
    org_ids = enterprises.values("organization_id")

    live_quals = active_qualifications().filter(organization_id__in=org_ids)
    tier_counts = dict(
        live_quals.filter(kind__in=DASHBOARD_TIERS)
        .values("kind")
        .annotate(n=Count("organization_id", distinct=True))
        .values_list("kind", "n")
    )
    tiers = [
        {"kind": k.value, "label": k.label, "count": tier_counts.get(k.value, 0)} for k in DASHBOARD_TIERS
    ]

    high_tech = active_qualifications().filter(
        organization_id=OuterRef("organization_id"), kind=QualificationKind.HIGH_TECH
    )
    by_township = {
        row["township_id"]: row
        for row in enterprises.annotate(ht=Exists(high_tech))
        .values("township_id")
        .annotate(
            total=Count("pk"),
            above=Count("pk", filter=Q(is_above_scale=True)),
            high_tech=Count("pk", filter=Q(ht=True)),
        )
    }
    townships = [
        {
            "id": t.pk,
            "name": t.name,
            "total": by_township.get(t.pk, EMPTY_COUNTS)["total"],
            "above": by_township.get(t.pk, EMPTY_COUNTS)["above"],
            "high_tech": by_township.get(t.pk, EMPTY_COUNTS)["high_tech"],
        }
        for t in Township.objects.all()
        if not township_id or t.pk == township_id
    ]

    figures = EnterpriseYearFigure.objects.filter(enterprise__in=enterprises)
    yearly = list(
        figures.values("year")
        .annotate(
            revenue=Sum("revenue"),
            rd_spend=Sum("rd_spend"),
            hightech_revenue=Sum("hightech_revenue"),
            reporting=Count("pk"),
        )
        .order_by("year")
    )
    years: list[YearRow] = []
    for row in yearly:
        year_row = YearRow(
            year=row["year"],
            revenue=row["revenue"] or Decimal(0),
            rd_spend=row["rd_spend"] or Decimal(0),
            hightech_revenue=row["hightech_revenue"] or Decimal(0),
            reporting=row["reporting"],
        )
        if year_row.revenue:
            year_row.intensity = float(year_row.rd_spend / year_row.revenue)
        if years and years[-1].rd_spend:
            year_row.growth = float((year_row.rd_spend - years[-1].rd_spend) / years[-1].rd_spend)
        years.append(year_row)
    if years:
        ends = {y.year: dt.date(y.year, 12, 31) for y in years}
        trend = Qualification.objects.filter(
            organization_id__in=org_ids, kind=QualificationKind.HIGH_TECH
        ).aggregate(
            **{
                f"y{year}": Count(
                    "organization_id",
                    distinct=True,
                    filter=(Q(valid_from__isnull=True) | Q(valid_from__lte=end))
                    & (Q(valid_until__isnull=True) | Q(valid_until__gte=end)),
                )
                for year, end in ends.items()
            }
        )
        for year_row in years:
            year_row.high_tech_count = trend[f"y{year_row.year}"]

    coverage_year = years[-1].year if years else None
    above = enterprises.filter(is_above_scale=True)
    above_total = counts["above"]
    coverage: dict[str, Any] = {"above_scale": above_total}
    if coverage_year is not None:
        cov = figures.filter(year=coverage_year, enterprise__is_above_scale=True).aggregate(
            activity=Count("pk", filter=Q(has_rd_activity=True)),
            spend=Count("pk", filter=Q(rd_spend__gt=0)),
        )
        rd_inst = above.filter(
            Exists(
                active_qualifications().filter(
                    organization_id=OuterRef("organization_id"), kind__in=RD_INSTITUTION_KINDS
                )
            )
        ).count()
        for key, value in (("activity", cov["activity"]), ("institution", rd_inst), ("spend", cov["spend"])):
            coverage[key] = value
            coverage[f"{key}_share"] = value / above_total if above_total else None
    township_name = (
        Township.objects.filter(pk=township_id).values_list("name", flat=True).first()
        if township_id
        else None
    )
    return Dashboard(
        enterprise_count=counts["total"],
        above_scale_count=above_total,
        tiers=tiers,
        townships=townships,
        coverage_year=coverage_year,
        coverage=coverage,
        years=years,
        township_name=township_name,
    )


def chart_specs(dashboard: Dashboard) -> dict[str, dict[str, Any]]:
    """Plotly figure dicts (data + layout) rendered in the browser by the bundled plotly.min.js."""
    font = {"family": "PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif", "size": 12}
    base_layout = {
        "margin": {"l": 60, "r": 60, "t": 30, "b": 60},
        "font": font,
        "height": 300,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
    years = [f"{y.year}年" for y in dashboard.years]
    # 亿元 for county-sized totals, 万元 when the scope (a township, a young registry) is small.
    in_yi = any(y.rd_spend >= 10000 for y in dashboard.years)
    unit, divisor = ("亿元", 10000.0) if in_yi else ("万元", 1.0)
    category_axis = {"type": "category"}
    return {
        "rd": {
            "data": [
                {
                    "type": "bar",
                    "name": f"研发投入({unit})",
                    "x": years,
                    "y": [round(float(y.rd_spend) / divisor, 2) for y in dashboard.years],
                    "marker": {"color": "#1f5fa8"},
                },
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": "研发投入强度(%)",
                    "yaxis": "y2",
                    "x": years,
                    "y": [round((y.intensity or 0) * 100, 2) for y in dashboard.years],
                    "marker": {"color": "#e8772e"},
                },
            ],
            "layout": {
                **base_layout,
                "xaxis": category_axis,
                "yaxis": {"title": {"text": unit}},
                "yaxis2": {"title": {"text": "%"}, "overlaying": "y", "side": "right"},
                "legend": {"orientation": "h", "y": -0.2},
            },
        },
        "high_tech": {
            "data": [
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": "高新技术企业",
                    "x": years,
                    "y": [y.high_tech_count for y in dashboard.years],
                    "marker": {"color": "#2e9e6a"},
                }
            ],
            "layout": {
                **base_layout,
                "xaxis": category_axis,
                "yaxis": {"title": {"text": "家"}, "rangemode": "tozero"},
            },
        },
        "townships": {
            "data": [
                {
                    "type": "bar",
                    "name": "企业数",
                    "x": [t["name"] for t in dashboard.townships],
                    "y": [t["total"] for t in dashboard.townships],
                    "marker": {"color": "#9bb8dc"},
                },
                {
                    "type": "bar",
                    "name": "高新技术企业",
                    "x": [t["name"] for t in dashboard.townships],
                    "y": [t["high_tech"] for t in dashboard.townships],
                    "marker": {"color": "#1f5fa8"},
                },
            ],
            "layout": {**base_layout, "barmode": "group", "legend": {"orientation": "h", "y": -0.35}},
        },
    }
