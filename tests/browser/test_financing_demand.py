"""In real headless Chromium: an enterprise files a financing demand; the bureau routes it to a bank, a loan
above the product's limit is refused with the typed values kept, the loan within the limit closes the demand
(融资到位), and an interest subsidy is approved on it; the enterprise sees its request and loan. Staff and
the enterprise work only through the pages; the bank and its product are fixtures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_demand_flow import Roles, click_and_wait

pytestmark = pytest.mark.browser


@pytest.fixture
def roles(browser: Any, live_server: Any) -> Any:
    made = Roles(browser, live_server.url)
    yield made
    made.close()


def test_financing_demand_to_loan_and_subsidy(
    roles: Roles, live_server: Any, transactional_db: Any, world: Any
) -> None:
    from kechuang.demands.models import Demand
    from kechuang.finance.models import InterestSubsidy, Loan
    from tests.finance import factories

    bank = factories.bank("晋江测试农商银行")
    factories.product(bank, name="科创贷", max_amount_wan=Decimal("500"), rate_pct=Decimal("3.80"))
    base = live_server.url

    firm = roles.open("enterprise")
    firm.goto(f"{base}/finance/requests/")
    click_and_wait(firm, firm.get_by_role("link", name="＋ 提交融资需求"))
    firm.get_by_label("需求名称").fill("智能鞋底生产线融资")
    firm.get_by_label("融资用途说明").fill(
        "购置两条自动化鞋底生产线，需要设备贷款支持，预计年新增产值3000万元。"
    )
    firm.get_by_label("融资金额(万元)").fill("300")
    firm.get_by_label("资金用途").select_option(index=1)
    firm.get_by_label("期限(月)").fill("24")
    firm.get_by_label("担保方式").select_option(index=1)
    click_and_wait(firm, firm.get_by_role("button", name="提交"))
    assert "融资需求已提交" in firm.locator(".messages").inner_text()
    demand = Demand.objects.get(title="智能鞋底生产线融资")
    assert demand.demand_type == "financing"

    staff = roles.open("staff")
    staff.goto(f"{base}/finance/requests/")
    click_and_wait(staff, staff.get_by_role("link", name="智能鞋底生产线融资"))
    staff.get_by_label("晋江测试农商银行").check()
    click_and_wait(staff, staff.get_by_role("button", name="分派"))
    assert "已分派给 1 家机构" in staff.locator(".messages").inner_text()

    click_and_wait(staff, staff.get_by_role("link", name="登记放款"))
    staff.get_by_label("信贷产品").select_option(index=1)
    staff.get_by_label("贷款金额(万元)").fill("800")
    staff.get_by_label("期限(月)").fill("24")
    click_and_wait(staff, staff.get_by_role("button", name="提交"))
    assert "超过产品“科创贷”单户最高额度 500" in staff.locator(".has-error").first.inner_text()
    assert staff.get_by_label("贷款金额(万元)").input_value() == "800"
    assert not Loan.objects.exists()
    screenshot(staff, "finance-loan-above-limit")

    staff.get_by_label("贷款金额(万元)").fill("300")
    click_and_wait(staff, staff.get_by_role("button", name="提交"))
    assert "已登记放款" in staff.locator(".messages").inner_text()
    loan = Loan.objects.get()
    demand.refresh_from_db()
    assert demand.status == "closed" and demand.close_reason == "financed"

    staff.goto(f"{base}/finance/loans/{loan.pk}/")
    click_and_wait(staff, staff.get_by_role("link", name="批准贴息"))
    staff.get_by_label("贴息率(%)").fill("1.5")
    click_and_wait(staff, staff.get_by_role("button", name="提交"))
    assert "已批准贴息 9" in staff.locator(".messages").inner_text()  # 300 × 1.5% × 24/12 = 9 万元
    assert InterestSubsidy.objects.get().amount_wan == Decimal("9")

    firm.goto(f"{base}/finance/requests/")
    click_and_wait(firm, firm.get_by_role("link", name="智能鞋底生产线融资"))
    text = firm.locator("main").inner_text()
    assert "科创贷" in text and "300" in text
    assert not any(p.js_errors for p in roles.pages) and not roles.dialogs
