"""The policy calculator in headless Chromium: the public types figures with the keyboard and reads why."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_public_types_figures_and_sees_gaps(page: Any, live_server: Any, transactional_db: Any) -> None:
    page.goto(f"{live_server.url}/policies/calculator/")
    assert "尚无计算结果" in page.content()
    figures = {
        "data_year": "2024",
        "founded_on": "2016-05-01",
        "revenue_0": "12000",
        "revenue_1": "10000",
        "revenue_2": "9000",
        "rd_spend_0": "560",
        "rd_spend_1": "430",
        "rd_spend_2": "360",
        "hightech_revenue": "8000",
        "employees": "200",
        "tech_staff": "19",
        "innovation_score": "78",
    }
    for name, value in figures.items():
        page.fill(f"#id_{name}", value)
    page.focus("#id_tech_staff")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form from the keyboard
    page.wait_for_selector("text=接近符合")
    body = page.content()
    assert "科技人员占职工总数的比例 9.5%，差 0.5 个百分点" in body
    assert "接近符合" in body
    assert "若符合约 130,000 元" in body  # the R&D subsidy, pending the compliance record
    assert page.input_value("#id_tech_staff") == "19"  # what was typed stays
    screenshot(page, "policy-calculator")
    assert page.js_errors == []
