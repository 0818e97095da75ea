"""The policy rule core on its own: the official thresholds at their edges, unknowns, amounts, bad input."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from kechuang.policies.library import SHIPPED_LIBRARY, shipped_library
from kechuang.policies.rules import (
    FactsError,
    FactTable,
    LibraryError,
    evaluate_table,
    explain,
    facts_from_json,
    load_library,
)

BASE: dict[str, Any] = {
    "name": "测试企业",
    "as_of": "2025-06-30",
    "data_year": 2024,
    "founded_on": "2016-05-01",
    "innovation_score": 78,
    "flags": {
        "in_supported_field": True,
        "resident_enterprise": True,
        "major_incident": False,
        "research_misconduct": False,
        "abnormal_listed": False,
        "restricted_products": False,
        "national_award_top3": False,
        "led_standard": False,
    },
    "qualifications": [],
    "years": {
        "2024": {
            "revenue": 10000,
            "rd_spend": 500,
            "rd_spend_domestic": 500,
            "hightech_revenue": 7000,
            "total_assets": 15000,
            "total_cost": 9000,
            "employees": 200,
            "tech_staff": 40,
            "invention_patents": 1,
            "utility_patents": 0,
            "design_patents": 0,
            "software_copyrights": 0,
        },
        "2023": {"revenue": 10000, "rd_spend": 500, "rd_spend_domestic": 500},
        "2022": {"revenue": 10000, "rd_spend": 500, "rd_spend_domestic": 500},
    },
}


def data(**year_2024: Any) -> dict[str, Any]:
    d = copy.deepcopy(BASE)
    d["years"]["2024"].update(year_2024)
    return d


def run(d: dict[str, Any], measure: str) -> dict[str, Any]:
    return explain(shipped_library(), facts_from_json(d), measures=[measure])["measures"][0]


def cond(m: dict[str, Any], cid: str) -> dict[str, Any]:
    def walk(items: list[dict[str, Any]]) -> dict[str, Any] | None:
        for c in items:
            if c["id"] == cid:
                return c
            found = walk(c.get("conditions", []))
            if found:
                return found
        return None

    found = walk(m["conditions"])
    assert found is not None, cid
    return found


def test_baseline_meets_every_official_measure() -> None:
    for measure in ("hnte.certification", "tsme.2017", "tsme.2022"):
        assert run(BASE, measure)["result"] == "met", measure


# ---- 高新技术企业认定管理办法 第十一条 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("founded", "expected"), [("2024-06-30", "met"), ("2024-07-01", "not_met"), ("2024-02-29", "met")]
)
def test_hnte_registered_one_year_includes_the_anniversary(founded: str, expected: str) -> None:
    d = copy.deepcopy(BASE)
    d["founded_on"] = founded
    d["years"] = {"2024": d["years"]["2024"]}
    assert cond(run(d, "hnte.certification"), "registered")["result"] == expected


@pytest.mark.parametrize(("tech_staff", "expected"), [(20, "met"), (19, "not_met")])
def test_hnte_tech_staff_not_below_ten_percent(tech_staff: int, expected: str) -> None:
    c = cond(run(data(tech_staff=tech_staff), "hnte.certification"), "tech_staff")
    assert c["result"] == expected
    if expected == "not_met":
        assert c["gap"].endswith("9.5%，差 0.5 个百分点")


@pytest.mark.parametrize(
    ("revenue", "rate", "expected"),
    [
        (5000, 0.05, "met"),  # 5,000万元（含）: 5%
        (5000, 0.0499, "not_met"),
        (5000.01, 0.04, "met"),  # above 5,000万元: 4%
        (20000, 0.04, "met"),  # 2亿元（含）: still 4%
        (20000, 0.0399, "not_met"),
        (20000.01, 0.03, "met"),  # above 2亿元: 3%
        (20000.01, 0.0299, "not_met"),
    ],
)
def test_hnte_rd_ratio_band_follows_latest_revenue(revenue: float, rate: float, expected: str) -> None:
    d = copy.deepcopy(BASE)
    d["years"] = {
        str(y): {"revenue": revenue, "rd_spend": round(revenue * rate, 4), "rd_spend_domestic": 0}
        for y in (2022, 2023)
    }
    d["years"]["2024"] = {
        **BASE["years"]["2024"],
        "revenue": revenue,
        "rd_spend": round(revenue * rate, 4),
        "hightech_revenue": revenue * 0.7,
    }
    assert cond(run(d, "hnte.certification"), "rd_ratio")["result"] == expected


def test_hnte_rd_ratio_gap_in_percentage_points() -> None:
    d = copy.deepcopy(BASE)
    for y in ("2022", "2023", "2024"):  # revenue 5,000万元（含）以下: 5% applies
        d["years"][y].update(revenue=5000, rd_spend=180, rd_spend_domestic=180)
    d["years"]["2024"]["hightech_revenue"] = 4000
    c = cond(run(d, "hnte.certification"), "rd_ratio")
    assert c["result"] == "not_met"
    assert "3.6%，差 1.4 个百分点" in c["gap"]


def test_hnte_young_firm_sums_only_the_years_it_has_operated() -> None:
    d = copy.deepcopy(BASE)
    d["founded_on"] = "2023-03-01"
    del d["years"]["2022"]  # not needed: the firm did not exist
    c = cond(run(d, "hnte.certification"), "rd_ratio")
    assert c["result"] == "met"
    d["years"].pop("2023")  # needed: the firm operated in 2023
    c = cond(run(d, "hnte.certification"), "rd_ratio")
    assert c["result"] == "unknown"
    assert "2023年营业收入" in c["gap"] and "2023年研究开发费用" in c["gap"]


@pytest.mark.parametrize(("domestic", "expected"), [(300, "met"), (299.99, "not_met")])
def test_hnte_domestic_rd_share_sixty_percent(domestic: float, expected: str) -> None:
    d = copy.deepcopy(BASE)
    for y in ("2022", "2023", "2024"):
        d["years"][y]["rd_spend_domestic"] = domestic
    assert cond(run(d, "hnte.certification"), "rd_domestic")["result"] == expected


@pytest.mark.parametrize(("hightech", "expected"), [(6000, "met"), (5999.99, "not_met")])
def test_hnte_hightech_revenue_sixty_percent(hightech: float, expected: str) -> None:
    assert (
        cond(run(data(hightech_revenue=hightech), "hnte.certification"), "hightech_revenue")["result"]
        == expected
    )


@pytest.mark.parametrize(("score", "expected"), [(70, "not_met"), (71, "met")])
def test_hnte_innovation_score_above_seventy_excludes_seventy(score: int, expected: str) -> None:
    d = copy.deepcopy(BASE)
    d["innovation_score"] = score
    c = cond(run(d, "hnte.certification"), "innovation")
    assert c["result"] == expected
    if expected == "not_met":
        assert "恰为门槛" in c["gap"]


def test_hnte_incident_and_missing_data_is_unknown_not_not_met() -> None:
    d = copy.deepcopy(BASE)
    d["flags"]["major_incident"] = True
    assert run(d, "hnte.certification")["result"] == "not_met"
    d = copy.deepcopy(BASE)
    del d["innovation_score"]
    m = run(d, "hnte.certification")
    assert m["result"] == "unknown"
    c = cond(m, "innovation")
    assert c["result"] == "unknown"
    assert c["missing"][0]["datum"] == "innovation_score"
    assert "编辑企业" in c["gap"]


# ---- 科技型中小企业评价办法 ---------------------------------------------------------------------------


@pytest.mark.parametrize("measure", ["tsme.2017", "tsme.2022"])
@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("employees", 500, "met"),
        ("employees", 501, "not_met"),
        ("revenue", 20000, "met"),
        ("revenue", 20000.01, "not_met"),
        ("total_assets", 20000, "met"),
        ("total_assets", 20000.01, "not_met"),
    ],
)
def test_tsme_size_limits_not_exceeding(measure: str, field: str, value: float, expected: str) -> None:
    extra = {"tech_staff": 100} if field == "employees" else {}
    m = run(data(**{field: value, **extra}), measure)
    cid = {"employees": "employees", "revenue": "revenue", "total_assets": "assets"}[field]
    assert cond(m, cid)["result"] == expected


def _tsme(
    tech_staff: int, rd_spend: float, invention: int, utility: int, total_cost: float | None = 9000
) -> dict[str, Any]:
    d = data(tech_staff=tech_staff, rd_spend=rd_spend, invention_patents=invention, utility_patents=utility)
    d["years"]["2024"]["total_cost"] = total_cost
    return d


@pytest.mark.parametrize("measure", ["tsme.2017", "tsme.2022"])
@pytest.mark.parametrize(
    ("tech_staff", "rd_spend", "invention", "utility", "expected"),
    [
        # 10% staff = 4 points, 6% R&D = 50, one Ⅱ-class IP = 6: exactly 60 → met
        (20, 600, 0, 1, "met"),
        # 59 is impossible with these bands; one point short: 4 + 50 + 0 = 54
        (20, 600, 0, 0, "not_met"),
        # staff 9.5% scores 0: not met however high the rest (0 + 50 + 30 = 80)
        (19, 600, 1, 0, "not_met"),
        # 30% staff = 20, 25% = 16 (lower bounds included)
        (60, 200, 1, 0, "met"),  # 20 + 10 + 30 = 60
        (59, 200, 1, 0, "not_met"),  # 16 + 10 + 30 = 56
    ],
)
def test_tsme_score_bands_and_staff_points(
    measure: str, tech_staff: int, rd_spend: float, invention: int, utility: int, expected: str
) -> None:
    d = _tsme(tech_staff, rd_spend, invention, utility, total_cost=100000)
    assert cond(run(d, measure), "by_score")["result"] == expected


def test_tsme_rd_points_take_the_better_of_revenue_and_cost() -> None:
    # R&D 2% of revenue (10 points) but 25% of cost (40 points): 20 + 40 + 0 = 60
    d = _tsme(60, 200, 0, 0, total_cost=800)
    assert cond(run(d, "tsme.2022"), "score")["result"] == "met"
    # Cost unknown: 20 + 10 + 0 = 30 known, up to 20 + 50 = 70 possible → cannot tell
    d = _tsme(60, 200, 0, 0, total_cost=None)
    c = cond(run(d, "tsme.2022"), "score")
    assert c["result"] == "unknown"
    assert "2024年成本费用支出总额" in c["gap"]
    # Cost unknown but revenue path already enough: 20 + 50 + 30 = 100 → met without it
    d = _tsme(60, 600, 1, 0, total_cost=None)
    assert cond(run(d, "tsme.2022"), "score")["result"] == "met"


def test_tsme_direct_entry_by_high_tech_only_in_2017_text() -> None:
    d = _tsme(10, 0, 0, 0)
    d["qualifications"] = [{"kind": "high_tech", "valid_from": "2023-12-01", "valid_until": "2026-11-30"}]
    assert run(d, "tsme.2017")["result"] == "met"
    assert run(d, "tsme.2022")["result"] == "not_met"
    d["qualifications"].append({"kind": "tech_center", "level": "provincial", "valid_from": "2020-01-01"})
    assert run(d, "tsme.2022")["result"] == "met"


# ---- demo money measures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rd_2024", "expected", "yuan"),
    [(560, "met", 60_000), (1500, "met", 500_000), (2000, "met", 500_000), (500, "not_met", 0)],
)
def test_rd_subsidy_rate_on_increment_capped(rd_2024: float, expected: str, yuan: int) -> None:
    m = run(data(rd_spend=rd_2024, rd_spend_domestic=rd_2024), "demo.rd_subsidy")
    assert m["result"] == expected
    assert m["amount_yuan"] == yuan
    assert m["demo"] is True
    assert any("研究开发费用比上年增加额" in line for line in m["working"])


def test_first_and_re_certification_awards_exclude_each_other() -> None:
    d = copy.deepcopy(BASE)
    d["qualifications"] = [{"kind": "high_tech", "valid_from": "2024-12-01", "valid_until": "2027-11-30"}]
    assert run(d, "demo.hnte_first")["result"] == "met"
    assert run(d, "demo.hnte_renew")["result"] == "not_met"
    d["qualifications"].append({"kind": "high_tech", "valid_from": "2021-12-01", "valid_until": "2024-11-30"})
    assert run(d, "demo.hnte_first")["result"] == "not_met"
    assert run(d, "demo.hnte_renew")["result"] == "met"


def test_table_and_single_evaluation_agree() -> None:
    variants = [BASE, data(tech_staff=19), data(total_assets=None), data(rd_spend=700)]
    facts = [facts_from_json(v) for v in variants]
    table = FactTable(facts)
    results = {r.measure.id: r for r in evaluate_table(shipped_library(), table)}
    for i, f in enumerate(facts):
        for m in explain(shipped_library(), f)["measures"]:
            assert results[m["id"]].results[i] == m["result"], (i, m["id"])


# ---- bad input -------------------------------------------------------------------------------------


def test_bad_figures_get_chinese_messages_all_at_once() -> None:
    d = data(revenue=-5, rd_spend="很多", employees=2.5)
    d["flags"]["major_incident"] = "也许"
    with pytest.raises(FactsError) as exc:
        facts_from_json(d)
    text = "；".join(exc.value.messages)
    assert "营业收入（销售收入）不能为负数" in text
    assert "“很多”不是数字" in text
    assert "职工总数应为整数" in text
    assert "应为“是”或“否”" in text


def test_library_with_errors_is_refused_whole_with_lines() -> None:
    text = SHIPPED_LIBRARY.read_text(encoding="utf-8")
    broken = text.replace('"value": "tech_staff_ratio"', '"value": "tech_staf_ratio"', 1)
    broken = broken.replace('"op": "超过", "threshold": "70"', '"op": "大约", "threshold": "70"', 1)
    with pytest.raises(LibraryError) as exc:
        load_library(broken)
    messages = exc.value.messages
    assert len(messages) == 2
    line_of = {i + 1: line for i, line in enumerate(broken.splitlines())}
    assert "未知的变量“tech_staf_ratio”" in messages[0]
    assert "tech_staf_ratio" in line_of[int(messages[0].split("行")[0][1:])]
    assert "比较词“大约”无效" in messages[1]
    with pytest.raises(LibraryError) as exc:
        load_library(text.replace('"formula": "tech_staff / employees"', '"formula": "__import__(1)"'))
    assert "未知的函数“__import__”" in exc.value.messages[0]
    with pytest.raises(LibraryError) as exc:
        load_library(text[:200])
    assert "JSON 格式错误" in exc.value.messages[0]


def test_every_official_condition_cites_its_article() -> None:
    raw = json.loads(SHIPPED_LIBRARY.read_text(encoding="utf-8"))

    def walk(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [x for c in items for x in [c, *walk(c.get("any", []) + c.get("all", []))]]

    for m in raw["measures"]:
        for c in walk(m["conditions"]):
            assert c["cites"].startswith(("第", "附件", "演示")), (m["id"], c["id"])
        if m["policy"].startswith("demo"):
            assert "演示" in m["title"]
