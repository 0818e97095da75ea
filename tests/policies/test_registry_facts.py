"""The registry feeds the rules: the tax/statistics columns of the two-step import, and what stays unknown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kechuang.orgs import imports
from kechuang.orgs.models import Enterprise, EnterpriseYearFigure
from kechuang.policies import selectors
from kechuang.policies.library import shipped_library
from kechuang.policies.rules import explain
from tests import factories as f
from tests.orgs.test_imports import preview, xlsx

HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "所在镇街",
    "成立日期",
    "年度",
    "营业收入(万元)",
    "研发投入(万元)",
    "境内研发费用(万元)",
    "高新技术产品收入(万元)",
    "成本费用总额(万元)",
    "纳税总额(万元)",
    "年末职工总数",
    "年末科技人员数",
    "发明专利(件)",
    "重大安全质量环境事故",
    "重点支持高新技术领域",
    "创新能力评价得分",
]


def _conditions(result: dict[str, Any], measure: str) -> dict[str, dict[str, Any]]:
    found = next(m for m in result["measures"] if m["id"] == measure)
    return {c["id"]: c for c in found["conditions"]}


def test_tax_and_statistics_columns_reach_the_rules_and_name_the_data_year(db: Any) -> None:
    town = f.township("陈埭镇")
    code = f.credit_code(7)
    rows = [
        [
            code,
            "晋江市测试科技有限公司",
            "陈埭镇",
            "2015-03-01",
            2022,
            8000,
            400,
            380,
            5000,
            7000,
            300,
            100,
            12,
            2,
            "否",
            "是",
            75,
        ],
        [
            code,
            "晋江市测试科技有限公司",
            "陈埭镇",
            "2015-03-01",
            2023,
            9000,
            450,
            430,
            6000,
            8000,
            320,
            110,
            13,
            2,
            "",
            "是",
            75,
        ],
    ]
    # Two rows of one enterprise are one code twice: import them as two files, as departments send them.
    imports.commit_import(actor=None, batch=preview(xlsx(HEADERS, rows[:1])))
    batch = imports.commit_import(actor=None, batch=preview(xlsx(HEADERS, rows[1:])))
    assert batch.status == "committed", batch.errors
    enterprise = Enterprise.objects.get(organization__credit_code=code)
    assert enterprise.township == town and enterprise.innovation_score == 75 and enterprise.in_supported_field
    figure = EnterpriseYearFigure.objects.get(enterprise=enterprise, year=2023)
    assert (figure.employees, figure.tech_staff, figure.taxes_paid) == (110, 13, 320)
    assert figure.major_incident is None  # blank = not reported
    assert EnterpriseYearFigure.objects.get(enterprise=enterprise, year=2022).major_incident is False

    facts = selectors.facts_for_enterprise(enterprise, as_of=dt.date(2024, 6, 30))
    assert facts.resolved_year() == 2023
    assert facts.years[2023]["rd_spend_domestic"] == 430 and facts.years[2023]["tech_staff"] == 13
    result = explain(shipped_library(), facts)
    hnte = _conditions(result, "hnte.certification")
    assert hnte["tech_staff"]["result"] == "met"  # 13/110 = 11.8%
    assert hnte["field"]["result"] == "met" and hnte["innovation"]["result"] == "met"
    # Three years are needed and 2021 was never reported: unknown, not "not met".
    assert hnte["rd_domestic"]["result"] == "unknown", hnte["rd_domestic"]
    missing = [m["label"] for m in hnte["rd_domestic"]["missing"]]
    assert "2021年境内研究开发费用" in missing, missing
    # 2023 was reported without the compliance column filled: unknown, with where to fill it in.
    assert hnte["compliance"]["result"] == "unknown"
    assert any("合规记录" in m["where"] for m in hnte["compliance"]["missing"]), hnte["compliance"]["missing"]
    measure = next(m for m in result["measures"] if m["id"] == "hnte.certification")
    assert measure["data_year"] == 2023


def test_inconsistent_yearly_figures_are_row_errors_and_nothing_is_written(db: Any) -> None:
    f.township("陈埭镇")
    headers = [
        "统一社会信用代码",
        "企业名称",
        "年度",
        "研发投入(万元)",
        "境内研发费用(万元)",
        "年末职工总数",
        "年末科技人员数",
        "重大安全质量环境事故",
    ]
    rows = [
        [f.credit_code(1), "甲公司", 2023, 100, 120, 50, 5, "否"],
        [f.credit_code(2), "乙公司", 2023, 100, 80, 50, 60, "否"],
        [f.credit_code(3), "丙公司", 2023, 100, 80, 50, 5, "不清楚"],
        [f.credit_code(4), "丁公司", None, None, None, 50, 5, None],
    ]
    batch = preview(xlsx(headers, rows))
    messages = {(e["row"], e["column"]): e["message"] for e in batch.errors}
    assert "境内研发费用不能大于研发投入" in messages[(2, "境内研发费用(万元)")]
    assert "科技人员数不能大于职工总数" in messages[(3, "年末科技人员数")]
    assert "是" in messages[(4, "重大安全质量环境事故")]
    assert "年度必填" in messages[(5, "年度")]
    assert not Enterprise.objects.exists()
