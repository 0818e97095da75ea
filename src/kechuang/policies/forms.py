"""The calculator's form: typed-in figures (public) or an enterprise's own figures to try "what if"."""

from __future__ import annotations

from typing import Any

from django import forms

from kechuang.policies.rules import Facts

YEARLY = (
    ("revenue", "营业收入（万元）"),
    ("rd_spend", "研究开发费用（万元）"),
    ("rd_spend_domestic", "其中境内研究开发费用（万元）"),
)
LATEST = (
    ("hightech_revenue", "高新技术产品（服务）收入（万元）"),
    ("total_assets", "资产总额（万元）"),
    ("total_cost", "成本费用支出总额（万元）"),
    ("employees", "职工总数（人）"),
    ("tech_staff", "科技人员数（人）"),
    ("invention_patents", "发明专利（件）"),
    ("utility_patents", "实用新型专利（件）"),
    ("design_patents", "外观设计专利（件）"),
    ("software_copyrights", "软件著作权（件）"),
)
FLAGS = (
    ("in_supported_field", "核心技术属于《国家重点支持的高新技术领域》"),
    ("major_incident", "近一年发生重大安全、重大质量事故或严重环境违法行为"),
    ("research_misconduct", "近一年有科研严重失信行为"),
    ("abnormal_listed", "列入经营异常名录或严重违法失信企业名单"),
    ("restricted_products", "产品或服务属于国家禁止、限制和淘汰类"),
    ("national_award_top3", "近五年获国家级科技奖励且排名前三"),
    ("led_standard", "近五年主导制定国际、国家或行业标准"),
)
FLAG_CHOICES = [("", "不清楚"), ("yes", "是"), ("no", "否")]
HIGH_TECH_CHOICES = [
    ("", "无"),
    ("held", "持有有效证书（此前认定）"),
    ("new", "数据年度内首次认定"),
    ("renewed", "数据年度内重新认定"),
]
OFFSETS = ((0, "数据年度"), (1, "上一年"), (2, "前两年"))


class CalculatorForm(forms.Form):
    """Figures are never saved from here: the form only feeds one evaluation."""

    data_year = forms.IntegerField(label="数据年度", min_value=2000, max_value=2100)
    founded_on = forms.DateField(label="成立日期", required=False, help_text="如 2016-05-01")
    innovation_score = forms.IntegerField(label="创新能力自评分", required=False, min_value=0, max_value=100)
    high_tech = forms.ChoiceField(label="高新技术企业资格", choices=HIGH_TECH_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in YEARLY:
            for k, when in OFFSETS:
                self.fields[f"{name}_{k}"] = forms.DecimalField(
                    label=f"{label}·{when}", required=False, min_value=0, max_digits=14, decimal_places=2
                )
        for name, label in LATEST:
            integer = not label.endswith("（万元）")
            field: forms.Field = (
                forms.IntegerField(label=label, required=False, min_value=0, max_value=1_000_000)
                if integer
                else forms.DecimalField(
                    label=label, required=False, min_value=0, max_digits=14, decimal_places=2
                )
            )
            self.fields[name] = field
        for name, label in FLAGS:
            self.fields[f"flag_{name}"] = forms.ChoiceField(label=label, choices=FLAG_CHOICES, required=False)

    def enterprise_json(self, *, name: str = "", keep: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The cleaned form in the rule core's input format (docs/policies.md)."""
        d = self.cleaned_data
        year = int(d["data_year"])
        years: dict[str, dict[str, Any]] = {str(year - k): {} for k, _ in OFFSETS}
        for name_, _ in YEARLY:
            for k, _ in OFFSETS:
                if d.get(f"{name_}_{k}") is not None:
                    years[str(year - k)][name_] = float(d[f"{name_}_{k}"])
        for name_, _ in LATEST:
            if d.get(name_) is not None:
                years[str(year)][name_] = float(d[name_])
        flags = {n: d[f"flag_{n}"] == "yes" for n, _ in FLAGS if d.get(f"flag_{n}")}
        flags["resident_enterprise"] = True
        qualifications = list(keep or [])
        if d.get("high_tech") in ("held", "new", "renewed"):
            start = f"{year}-12-01" if d["high_tech"] in ("new", "renewed") else f"{year - 1}-12-01"
            qualifications.append(
                {"kind": "high_tech", "valid_from": start, "valid_until": f"{year + 3}-11-30"}
            )
            if d["high_tech"] == "renewed":
                qualifications.append(
                    {"kind": "high_tech", "valid_from": f"{year - 3}-12-01", "valid_until": f"{year}-11-30"}
                )
        return {
            "name": name,
            "data_year": year,
            "founded_on": d["founded_on"].isoformat() if d.get("founded_on") else None,
            "innovation_score": d.get("innovation_score"),
            "flags": flags,
            "qualifications": qualifications,
            "years": years,
        }


def initial_from_facts(facts: Facts) -> dict[str, Any]:
    """Prefill the form with what the registry holds, so "what if" starts from the real figures."""
    year = facts.resolved_year()
    initial: dict[str, Any] = {"data_year": year, "founded_on": facts.static.get("founded_on")}
    for name, _ in YEARLY:
        for k, _ in OFFSETS:
            value = facts.years.get(year - k, {}).get(name)
            if value is not None:
                initial[f"{name}_{k}"] = value
    for name, _ in LATEST:
        value = facts.years.get(year, {}).get(name)
        if value is not None:
            initial[name] = int(value) if float(value).is_integer() else value
    starts = sorted(q.valid_from for q in facts.qualifications if q.kind == "high_tech" and q.valid_from)
    if starts:
        if starts[-1].year == year:
            initial["high_tech"] = "renewed" if len(starts) > 1 else "new"
        else:
            initial["high_tech"] = "held"
    return initial


def other_qualifications(facts: Facts) -> list[dict[str, Any]]:
    """Qualifications other than 高企 pass through unchanged (the form edits only the 高企 status)."""
    return [
        {
            "kind": q.kind,
            "level": q.level,
            "valid_from": q.valid_from.isoformat() if q.valid_from else None,
            "valid_until": q.valid_until.isoformat() if q.valid_until else None,
        }
        for q in facts.qualifications
        if q.kind != "high_tech"
    ]
