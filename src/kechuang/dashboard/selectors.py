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


# ---- the seed's headline figures, each computed from the records that make it and linked to them -------


@dataclass
class Headline:
    """One figure of the county's report (e.g. 服务企业 X 家次), the records behind it and what the county
    reported for comparison (the seed's 2024 figure; empty where it gave none)."""

    section: str
    label: str
    value: str
    sub: str
    url: str
    reported: str = ""


def _count(n: int | None, unit: str) -> str:
    return f"{n or 0:,} {unit}"


def _area(m2: float | Decimal | None) -> str:
    value = float(m2 or 0)
    return f"{value / 10000:,.1f} 万㎡" if value >= 10000 else f"{value:,.0f} ㎡"


def _tier_count(tiers: dict[str, dict[str, Any]], tier: str) -> int:
    return int((tiers.get(tier) or {}).get("count", 0))


def county_headlines(*, as_of: dt.date) -> list[Headline]:
    """The seed report's headline figures (carriers, parks, services, funds, loans, fairs), from records."""
    from django.urls import reverse

    from kechuang.carriers.selectors import carrier_figures, park_figures
    from kechuang.commissioners.selectors import commissioner_figures
    from kechuang.core.formatting import format_percent, format_wan
    from kechuang.events.selectors import county_summary
    from kechuang.finance.selectors import finance_figures
    from kechuang.talents.selectors import talent_figures
    from kechuang.techservices.selectors import ledger_figures

    carriers, parks = carrier_figures(as_of=as_of), park_figures()
    ledger, money, events = ledger_figures(), finance_figures(), county_summary()
    talents, commissioners = talent_figures(as_of=as_of), commissioner_figures()
    incubating = sum(n for label, n in carriers["by_kind"] if label in ("众创空间", "科技企业孵化器"))
    tiers = {t["tier"]: t for t in money["funds_by_tier"]}
    fund_size = sum((t["size_wan"] or 0 for t in money["funds_by_tier"]), Decimal(0))
    return [
        Headline(
            "创新载体",
            "众创空间、科技企业孵化器",
            _count(incubating, "家"),
            f"其中国家级载体 {carriers['national']} 家 · 全部载体 {carriers['carriers']} 家",
            reverse("carriers:list"),
            "17 家（国家级孵化器 1 家）",
        ),
        Headline(
            "创新载体",
            "近三年孵化载体面积增长",
            format_percent(carriers["area_growth_pct"]),
            f"可出租面积 {_area(carriers['area_m2'])} · 出租率 {format_percent(carriers['occupancy_pct'])}",
            reverse("dashboard:carriers"),
            "超 50%",
        ),
        Headline(
            "创新载体",
            "近三年在孵企业数增长",
            format_percent(carriers["tenant_growth_pct"]),
            f"在驻主体 {carriers['tenants']} 个 · 毕业迁出 {carriers['graduates']} 个",
            reverse("dashboard:carriers"),
            "超 30%",
        ),
        Headline(
            "专业园区",
            "园区标准化项目",
            _count(parks["projects"], "个"),
            f"累计建成 {_area(parks['built_m2'])}（规划 {_area(parks['planned_m2'])}）",
            reverse("carriers:park_list"),
            "194 个，建成 458.7 万㎡",
        ),
        Headline(
            "专业园区",
            "签约入驻 / 投产企业",
            f"{parks['signed']:,} / {parks['producing']:,} 家",
            (
                f"投产企业{parks['output_year']}年营收 {format_wan(parks['output_wan'])}"
                if parks["output_year"]
                else "投产企业尚无年度营收数据"
            ),
            reverse("carriers:park_list") + "?status=producing",
            "签约 463 家、投产 139 家",
        ),
        Headline(
            "科技服务",
            "服务企业（已确认）",
            _count(ledger["confirmed_visits"], "家次"),
            f"涉及 {ledger['confirmed_firms']} 家企业 · 待确认 {ledger['pending_visits']} 家次"
            f" · 有异议 {ledger['disputed_visits']} 家次",
            reverse("techservices:ledger") + "?status=confirmed",
            "超 6000 家次",
        ),
        Headline(
            "科技服务",
            "解决技术难题（已确认）",
            _count(ledger["solved_problems"], "项"),
            "仅计企业确认的服务记录",
            reverse("techservices:ledger") + "?status=confirmed&solved=1",
            "超 1000 项",
        ),
        Headline(
            "科技服务",
            "创造价值（已确认）",
            format_wan(ledger["value_wan"]),
            f"待确认 {format_wan(ledger['pending_value_wan'])}（未计入）",
            reverse("techservices:ledger") + "?status=confirmed",
            "超 200 亿元",
        ),
        Headline(
            "科技金融",
            "产业母基金 / 政府引导基金",
            f"{_tier_count(tiers, 'parent')} / {_tier_count(tiers, 'guidance')} 只",
            f"登记基金总规模 {format_wan(fund_size)}",
            reverse("finance:fund_list"),
            "2 只母基金、15 只引导基金，总规模超 500 亿元",
        ),
        Headline(
            "科技金融",
            "科技信贷",
            _count(money["loans_count"], "笔"),
            f"放款 {format_wan(money['loans_amount_wan'])} · 贴息 {format_wan(money['subsidy_amount_wan'])}"
            f" · 获得融资企业 {money['enterprises_financed']} 家",
            reverse("finance:loan_list"),
        ),
        Headline(
            "科技金融",
            "风险补偿",
            format_wan(money["compensation_amount_wan"]),
            f"违约 {format_wan(money['defaulted_amount_wan'])}"
            f" · 资金池余额 {format_wan(money['pool_remaining_wan'])}",
            reverse("finance:pool_list"),
        ),
        Headline(
            "人才",
            "有效认定的各层级人才",
            _count(talents["total_valid"], "名"),
            f"人才库登记 {talents['registered']:,} 名 · "
            + " · ".join(f"{lv['name']} {lv['count']}" for lv in talents["by_level"] if lv["count"]),
            reverse("talents:reports"),
            "累计聚集各类各层级人才 1.3 万名",
        ),
        Headline(
            "人才",
            "企业自主认定人才",
            _count(talents["self_certified_count"], "名"),
            f"授权自主认定企业 {talents['authorized_enterprises']} 家（名额按上年纳税额核定）",
            reverse("talents:authorizations"),
            "放权 150 家企业自主认定人才 552 名",
        ),
        Headline(
            "人才",
            "科技特派员服务企业（已确认）",
            _count(commissioners["confirmed_visits"], "家次"),
            f"在册特派员 {commissioners['commissioners']} 名"
            f" · 在岗服务 {commissioners['active_assignments']} 项"
            f" · 服务企业 {commissioners['enterprises_served']} 家",
            reverse("commissioners:report"),
            "科技特派员跨界服务做法获全省推广",
        ),
        Headline(
            "成果转化",
            "对接活动 / 意向订单",
            f"{events['events']:,} 场 / {events['orders']:,} 项",
            f"实际投资 {format_wan(events['invested_amount'])}（路演投资意向转化）",
            reverse("events:list"),
            "首届对接会促成超 4300 项意向订单",
        ),
    ]
