"""A 免申即享 round in headless Chromium: staff compare and confirm, the enterprise answers in the app."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_demand_flow import Roles, click_and_wait, roles  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def test_staff_run_a_round_and_the_enterprise_confirms(
    roles: Roles,  # noqa: F811 - the fixture imported above
    live_server: Any,
    transactional_db: Any,
    world: Any,
) -> None:
    from kechuang.orgs.models import EnterpriseYearFigure

    EnterpriseYearFigure.objects.filter(year=2024).update(major_incident=False)
    base = live_server.url
    staff = roles.open("staff")
    staff.goto(f"{base}/policies/rounds/")
    assert "还没有免申即享批次" in staff.content()
    staff.select_option("#measure_id", "demo.rd_subsidy")
    staff.fill("#year", "2024")
    click_and_wait(staff, staff.get_by_role("button", name="开始比对"))
    body = staff.content()
    assert "数据比对完成" in body and "晋江市甲鞋业有限公司" in body
    click_and_wait(staff, staff.get_by_role("button", name="确认名单并通知企业"))
    assert "名单已确认" in staff.content()
    screenshot(staff, "policy-round")

    ent = roles.open("enterprise")
    ent.goto(f"{base}/policies/mine/")
    click_and_wait(ent, ent.get_by_role("link", name="确认意愿"))
    ent.fill("#bank_name", "晋江农商银行陈埭支行")
    ent.fill("#account_number", "12ab")
    click_and_wait(ent, ent.get_by_role("button", name="提交"))
    assert "银行账号应为 8 至 30 位数字" in ent.content()
    assert ent.input_value("#bank_name") == "晋江农商银行陈埭支行"  # what was typed stays
    ent.fill("#account_number", "6217 0012 3456 7890")
    click_and_wait(ent, ent.get_by_role("button", name="提交"))
    assert "已提交" in ent.content()

    staff.reload()
    assert "6217001234567890" in staff.content()

    staff.goto(f"{base}/policies/tiers/?step=specialised")
    assert "晋江市丙陶瓷有限公司" in staff.content()  # the world's one 高企: a next-tier candidate
    screenshot(staff, "policy-tiers")
    assert roles.dialogs == [] and all(p.js_errors == [] for p in roles.pages)
