"""The enterprise data rules may read (inputs), and the table of many enterprises' facts they read it from.

Inputs are the platform's own registry fields, named once here with their Chinese label, unit and where a
user fills them in, so an "unknown" answer can say which datum is missing and where to add it. Yearly
inputs are series over the data year Y and the years before it (``year_ago(revenue, 1)`` is Y-1).

The input format (one enterprise, JSON) is documented in docs/policies.md::

    {"name": "…", "as_of": "2025-06-30", "data_year": 2024, "founded_on": "2016-05-01",
     "township": "陈埭镇", "industry_code": "1952", "flags": {"major_incident": false},
     "innovation_score": 78, "qualifications": [{"kind": "high_tech", "level": "",
     "valid_from": "2022-12-01", "valid_until": "2025-11-30"}],
     "years": {"2024": {"revenue": 12000, "rd_spend": 560, "employees": 200, "tech_staff": 30}}}
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: How many years of series a fact table holds (Y and the four before it).
YEARS_KEPT = 5
FIGURES_HINT = "企业详情页「年度数据」（或 Excel 导入 企业年度数据）"
PROFILE_HINT = "企业详情页「编辑企业」"
COMPLIANCE_HINT = "企业详情页「年度数据」的合规记录（相关部门 Excel 导入或填报年度数据）"
QUALIFICATION_HINT = "企业详情页「资质荣誉」"


@dataclass(frozen=True, slots=True)
class Input:
    name: str
    label: str
    unit: str
    kind: str  # "amount" (non-negative number), "count", "score", "flag" (yes/no), "text", "date"
    yearly: bool = False
    where: str = FIGURES_HINT
    maximum: float | None = None


INPUTS: dict[str, Input] = {
    i.name: i
    for i in (
        Input("revenue", "营业收入（销售收入）", "万元", "amount", True),
        Input("rd_spend", "研究开发费用", "万元", "amount", True),
        Input("rd_spend_domestic", "境内研究开发费用", "万元", "amount", True),
        Input("hightech_revenue", "高新技术产品（服务）收入", "万元", "amount", True),
        Input("total_assets", "资产总额", "万元", "amount", True),
        Input("total_cost", "成本费用支出总额", "万元", "amount", True),
        Input("taxes_paid", "纳税总额", "万元", "amount", True),
        Input("employees", "职工总数", "人", "count", True, maximum=1_000_000),
        Input("tech_staff", "科技人员数", "人", "count", True, maximum=1_000_000),
        Input("invention_patents", "发明专利（有效）", "件", "count", True, maximum=100_000),
        Input("utility_patents", "实用新型专利（有效）", "件", "count", True, maximum=100_000),
        Input("design_patents", "外观设计专利（有效）", "件", "count", True, maximum=100_000),
        Input("software_copyrights", "软件著作权", "件", "count", True, maximum=100_000),
        Input("founded_on", "成立（注册）日期", "", "date", where=PROFILE_HINT),
        Input("township", "所在镇街", "", "text", where=PROFILE_HINT),
        Input("industry_code", "行业代码（GB/T 4754）", "", "text", where=PROFILE_HINT),
        Input("innovation_score", "创新能力评价得分（自评）", "分", "score", where=PROFILE_HINT, maximum=100),
        Input(
            "in_supported_field", "核心技术属于《国家重点支持的高新技术领域》", "", "flag", where=PROFILE_HINT
        ),
        Input(
            "resident_enterprise", "在中国境内（不含港澳台）注册的居民企业", "", "flag", where=PROFILE_HINT
        ),
        Input(
            "major_incident",
            "近一年发生重大安全、重大质量事故或严重环境违法行为",
            "",
            "flag",
            where=COMPLIANCE_HINT,
        ),
        Input("research_misconduct", "近一年有科研严重失信行为", "", "flag", where=COMPLIANCE_HINT),
        Input("abnormal_listed", "列入经营异常名录或严重违法失信企业名单", "", "flag", where=COMPLIANCE_HINT),
        Input(
            "restricted_products", "产品或服务属于国家禁止、限制和淘汰类", "", "flag", where=COMPLIANCE_HINT
        ),
        Input(
            "national_award_top3", "近五年获国家级科技奖励且排名前三", "", "flag", where=QUALIFICATION_HINT
        ),
        Input("led_standard", "近五年主导制定国际、国家或行业标准", "", "flag", where=QUALIFICATION_HINT),
    )
}
FLAG_INPUTS = tuple(n for n, i in INPUTS.items() if i.kind == "flag")
NUMBER_KINDS = frozenset({"amount", "count", "score"})


class FactsError(ValueError):
    """Enterprise data that cannot be read; ``messages`` are in Chinese, one per problem."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("；".join(messages))


@dataclass
class Qualification:
    kind: str
    level: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


@dataclass
class Facts:
    """One enterprise's data as rules see it (amounts in 万元)."""

    name: str = ""
    as_of: dt.date = field(default_factory=dt.date.today)
    data_year: int | None = None
    static: dict[str, Any] = field(default_factory=dict)
    years: dict[int, dict[str, float]] = field(default_factory=dict)
    qualifications: list[Qualification] = field(default_factory=list)
    ref: Any = None  # the caller's id for this enterprise

    def resolved_year(self) -> int:
        """The data year: as given, else the latest year with a revenue figure, else the year before as_of."""
        if self.data_year:
            return self.data_year
        with_revenue = [y for y, v in self.years.items() if v.get("revenue") is not None]
        return max(with_revenue) if with_revenue else self.as_of.year - 1


def _number(raw: Any, what: str, spec: Input, problems: list[str]) -> float | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        problems.append(f"{what}应为数字，而不是“是/否”")
        return None
    if isinstance(raw, str):
        try:
            raw = float(raw.strip().replace(",", "").replace("，", ""))
        except ValueError:
            problems.append(f"{what}“{raw}”不是数字")
            return None
    if not isinstance(raw, int | float) or not math.isfinite(raw):
        problems.append(f"{what}“{raw}”不是有效数字")
        return None
    value = float(raw)
    if value < 0:
        problems.append(f"{what}不能为负数（填写的是 {raw:g}）")
        return None
    if spec.maximum is not None and value > spec.maximum:
        problems.append(f"{what}“{raw:g}”超出合理范围（不超过 {spec.maximum:g}{spec.unit}）")
        return None
    if spec.kind == "count" and value != int(value):
        problems.append(f"{what}应为整数（填写的是 {raw:g}）")
        return None
    if spec.kind == "amount" and value > 1e9:
        problems.append(f"{what}“{raw:g}”万元明显不合理，请确认单位为万元")
        return None
    return value


def _date(raw: Any, what: str, problems: list[str]) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        problems.append(f"{what}“{raw}”不是有效日期（应写作 2020-05-01）")
        return None


def _flag(raw: Any, what: str, problems: list[str]) -> bool | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"是", "有", "true", "1", "yes", "y"}:
        return True
    if text in {"否", "无", "false", "0", "no", "n"}:
        return False
    problems.append(f"{what}应为“是”或“否”（填写的是“{raw}”）")
    return None


def facts_from_json(data: Mapping[str, Any]) -> Facts:
    """Read one enterprise's data (the documented JSON format); every problem is reported at once."""
    if not isinstance(data, Mapping):
        raise FactsError(["企业数据应为一个 JSON 对象"])
    problems: list[str] = []
    facts = Facts(name=str(data.get("name") or ""))
    as_of = _date(data.get("as_of"), "评价日期 as_of", problems)
    if as_of:
        facts.as_of = as_of
    if data.get("data_year") not in (None, ""):
        try:
            facts.data_year = int(data["data_year"])
        except (TypeError, ValueError):
            problems.append(f"数据年度 data_year“{data['data_year']}”应为年份，如 2024")
        else:
            if not 2000 <= facts.data_year <= 2100:
                problems.append(f"数据年度 data_year“{facts.data_year}”不在 2000–2100 之间")
    flags = data.get("flags") or {}
    if not isinstance(flags, Mapping):
        problems.append('flags 应为对象，如 {"major_incident": false}')
        flags = {}
    for key in flags:
        if key not in FLAG_INPUTS:
            problems.append(f"flags 中的“{key}”不是可识别的是/否项")
    known_static = {n for n, i in INPUTS.items() if not i.yearly and i.kind != "flag"}
    for key in data:
        if key not in {
            "name",
            "as_of",
            "data_year",
            "flags",
            "qualifications",
            "years",
            "ref",
            *known_static,
        }:
            problems.append(f"无法识别的字段“{key}”")
    for name in known_static:
        spec = INPUTS[name]
        raw = data.get(name)
        if spec.kind == "date":
            facts.static[name] = _date(raw, spec.label, problems)
        elif spec.kind == "text":
            facts.static[name] = None if raw in (None, "") else str(raw).strip()
        else:
            facts.static[name] = _number(raw, spec.label, spec, problems)
    for name in FLAG_INPUTS:
        facts.static[name] = _flag(flags.get(name), INPUTS[name].label, problems)
    years = data.get("years") or {}
    if not isinstance(years, Mapping):
        problems.append('years 应为对象，键为年份，如 {"2024": {"revenue": 12000}}')
        years = {}
    for raw_year, figures in years.items():
        try:
            year = int(raw_year)
        except (TypeError, ValueError):
            problems.append(f"年份“{raw_year}”无效")
            continue
        if not 2000 <= year <= 2100:
            problems.append(f"年份“{raw_year}”不在 2000–2100 之间")
            continue
        if not isinstance(figures, Mapping):
            problems.append(f"{year}年的数据应为对象")
            continue
        row: dict[str, float] = {}
        for key, raw in figures.items():
            found = INPUTS.get(key)
            if found is None or not found.yearly:
                problems.append(f"{year}年数据中无法识别的字段“{key}”")
                continue
            value = _number(raw, f"{year}年{found.label}", found, problems)
            if value is not None:
                row[key] = value
        if "rd_spend" in row and "revenue" in row and row["rd_spend"] > row["revenue"] > 0:
            problems.append(f"{year}年研究开发费用（{row['rd_spend']:g}万元）大于营业收入，请核对")
        if "tech_staff" in row and "employees" in row and row["tech_staff"] > row["employees"]:
            problems.append(f"{year}年科技人员数大于职工总数，请核对")
        facts.years[year] = row
    for i, raw_q in enumerate(data.get("qualifications") or []):
        if not isinstance(raw_q, Mapping) or not raw_q.get("kind"):
            problems.append(f"第{i + 1}项资质缺少 kind（如 high_tech）")
            continue
        facts.qualifications.append(
            Qualification(
                kind=str(raw_q["kind"]),
                level=str(raw_q.get("level") or ""),
                valid_from=_date(raw_q.get("valid_from"), f"第{i + 1}项资质的生效日期", problems),
                valid_until=_date(raw_q.get("valid_until"), f"第{i + 1}项资质的有效期", problems),
            )
        )
    facts.ref = data.get("ref")
    if problems:
        raise FactsError(problems)
    return facts


def completed_years(founded: dt.date, as_of: dt.date) -> float:
    """Years since founding, whole on each anniversary (so "成立一年以上" holds on the first one)."""
    years = as_of.year - founded.year
    anniversary = _same_day(founded, founded.year + years)
    if anniversary > as_of:
        years -= 1
        anniversary = _same_day(founded, founded.year + years)
    following = _same_day(founded, founded.year + years + 1)
    return years + (as_of - anniversary).days / (following - anniversary).days


def _same_day(day: dt.date, year: int) -> dt.date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


class FactTable:
    """Many enterprises' facts as columns (rows in the order given), for one evaluation date."""

    def __init__(self, facts: Iterable[Facts], *, data_year: int | None = None) -> None:
        self.rows: list[Facts] = list(facts)
        n = len(self.rows)
        self.n = n
        self.data_years = np.array([data_year or f.resolved_year() for f in self.rows], dtype=int)
        self.series: dict[str, np.ndarray] = {}
        for name, spec in INPUTS.items():
            if spec.yearly:
                self.series[name] = np.full((n, YEARS_KEPT), np.nan)
        for r, f in enumerate(self.rows):
            y = int(self.data_years[r])
            for year, figures in f.years.items():
                k = y - year
                if 0 <= k < YEARS_KEPT:
                    for key, value in figures.items():
                        column = self.series.get(key)
                        if column is not None:
                            column[r, k] = value
        self.static: dict[str, np.ndarray] = {}
        for name, spec in INPUTS.items():
            if spec.yearly:
                continue
            values = [f.static.get(name) for f in self.rows]
            if spec.kind in NUMBER_KINDS:
                self.static[name] = np.array([np.nan if v is None else float(v) for v in values])
            elif spec.kind == "flag":
                self.static[name] = np.array([np.nan if v is None else float(bool(v)) for v in values])
            else:
                self.static[name] = np.array(values, dtype=object)
        founded = self.static["founded_on"]
        self.founded_year = np.array([np.nan if d is None else float(d.year) for d in founded])
        self.years_registered = np.array(
            [
                np.nan if d is None else completed_years(d, f.as_of)
                for d, f in zip(founded, self.rows, strict=True)
            ]
        )
        self._cache: dict[Any, Any] = {}

    def cached(self, key: Any, build: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]
