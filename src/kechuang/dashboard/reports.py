"""Charts (plotly figure dicts) and Excel sheets for the carriers and finance pages of the dashboard.

The page and its export show the same figures: both are built here from the same selector results.
"""

from __future__ import annotations

from typing import Any

from kechuang.dashboard.selectors import Headline

Sheet = tuple[str, list[str], list[list[Any]]]
FONT = {"family": "PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif", "size": 12}
BASE_LAYOUT = {
    "margin": {"l": 60, "r": 30, "t": 30, "b": 60},
    "font": FONT,
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
}


def headline_sheet(headlines: list[Headline]) -> Sheet:
    return (
        "核心指标",
        ["板块", "指标", "平台记录", "说明", "2024年报告值"],
        [[h.section, h.label, h.value, h.sub, h.reported] for h in headlines],
    )


def occupancy_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A heatmap: one row per carrier, one column per month-end, colour = share of area let."""
    months = rows[0]["months"] if rows else []
    labels = [f"{m.year}年{m.month}月" for m in months]
    z = [[None if v is None else round(v * 100, 1) for v in r["occupancy"]] for r in rows]
    return {
        "data": [
            {
                "type": "heatmap",
                "x": labels,
                "y": [r["name"] for r in rows],
                "z": z,
                "zmin": 0,
                "zmax": 100,
                "colorscale": "Blues",
                "colorbar": {"title": {"text": "出租率(%)"}},
                "hovertemplate": "%{y}<br>%{x}：%{z}%<extra></extra>",
            }
        ],
        "layout": {
            **BASE_LAYOUT,
            "height": max(300, 24 * len(rows) + 120),
            "margin": {"l": 200, "r": 30, "t": 20, "b": 80},
            "yaxis": {"automargin": True, "autorange": "reversed"},
            "xaxis": {"type": "category"},
        },
    }


def growth_chart(growth: list[dict[str, Any]]) -> dict[str, Any]:
    points = [f"{g['day']:%Y年%m月%d日}" for g in growth]
    return {
        "data": [
            {
                "type": "bar",
                "name": "可出租面积(㎡)",
                "x": points,
                "y": [round(g["area_m2"]) for g in growth],
                "marker": {"color": "#1f5fa8"},
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "在孵主体(个)",
                "yaxis": "y2",
                "x": points,
                "y": [g["incubatees"] for g in growth],
                "marker": {"color": "#e8772e"},
            },
        ],
        "layout": {
            **BASE_LAYOUT,
            "height": 300,
            "xaxis": {"type": "category"},
            "yaxis": {"title": {"text": "㎡"}},
            "yaxis2": {"title": {"text": "个"}, "overlaying": "y", "side": "right"},
            "legend": {"orientation": "h", "y": -0.25},
        },
    }


def carrier_sheets(figures: dict[str, Any], rows: list[dict[str, Any]], parks: dict[str, Any]) -> list[Sheet]:
    months = rows[0]["months"] if rows else []
    occupancy = (
        "月末出租率",
        ["载体", "类型", *[f"{m.year}年{m.month}月" for m in months]],
        [
            [r["name"], r["kind_label"], *[None if v is None else round(v, 4) for v in r["occupancy"]]]
            for r in rows
        ],
    )
    growth = (
        "近三年增长",
        ["时点", "可出租面积(㎡)", "在驻主体", "在孵主体"],
        [
            [f"{g['day']:%Y年%m月%d日}", round(g["area_m2"], 2), g["tenants"], g["incubatees"]]
            for g in figures["growth"]
        ],
    )
    park = (
        "园区标准化项目",
        [
            "项目数",
            "规划面积(㎡)",
            "已建成面积(㎡)",
            "签约企业",
            "投产企业",
            "投产企业营收(万元)",
            "营收年度",
        ],
        [
            [
                parks["projects"],
                float(parks["planned_m2"]),
                float(parks["built_m2"]),
                parks["signed"],
                parks["producing"],
                float(parks["output_wan"]),
                parks["output_year"] or "",
            ]
        ]
        + [[label, n, "", "", "", "", ""] for label, n in parks["by_status"]],
    )
    return [occupancy, growth, park]


def channel_chart(figures: dict[str, Any]) -> dict[str, Any]:
    channels = figures["raised_by_channel"]
    return {
        "data": [
            {
                "type": "bar",
                "x": [c["label"] for c in channels],
                "y": [round(float(c["amount_wan"] or 0), 2) for c in channels],
                "marker": {"color": "#1f5fa8"},
                "hovertemplate": "%{x}：%{y} 万元<extra></extra>",
            }
        ],
        "layout": {**BASE_LAYOUT, "height": 300, "yaxis": {"title": {"text": "万元"}}},
    }


def finance_sheets(figures: dict[str, Any]) -> list[Sheet]:
    totals = (
        "科技金融",
        ["指标", "数值"],
        [
            ["贷款笔数", figures["loans_count"]],
            ["贷款金额(万元)", float(figures["loans_amount_wan"] or 0)],
            ["基金投资(万元)", float(figures["fund_investment_amount_wan"] or 0)],
            ["路演实际投资(万元)", float(figures["roadshow_investment_amount_wan"] or 0)],
            ["贴息金额(万元)", float(figures["subsidy_amount_wan"] or 0)],
            ["获得融资企业(家)", figures["enterprises_financed"]],
            ["违约金额(万元)", float(figures["defaulted_amount_wan"] or 0)],
            ["风险补偿金额(万元)", float(figures["compensation_amount_wan"] or 0)],
            ["风险补偿资金池余额(万元)", float(figures["pool_remaining_wan"] or 0)],
        ],
    )
    channels = (
        "融资渠道",
        ["渠道", "金额(万元)"],
        [[c["label"], float(c["amount_wan"] or 0)] for c in figures["raised_by_channel"]],
    )
    funds = (
        "基金",
        ["层级", "只数", "规模(万元)"],
        [[t["label"], t["count"], float(t["size_wan"] or 0)] for t in figures["funds_by_tier"]],
    )
    return [totals, channels, funds]
