"""In real headless Chromium: a carrier gets a building and a unit, a lease is signed by 统一社会信用代码,
an overlapping lease is refused with the typed values kept, the tenant moves out as a graduate, and the
enterprise finds the lease under 我的入驻. Staff work only through the pages (login form included)."""

from __future__ import annotations

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


def test_lease_signed_refused_on_overlap_and_ended(
    roles: Roles, live_server: Any, transactional_db: Any, world: Any
) -> None:
    from kechuang.carriers.models import Lease

    base = live_server.url
    staff = roles.open("staff")
    staff.goto(f"{base}/carriers/")
    assert "暂无创新载体" in staff.locator("main").inner_text()
    click_and_wait(staff, staff.get_by_role("link", name="登记载体"))
    staff.get_by_label("载体名称").fill("晋江测试孵化器")
    staff.get_by_label("类型").select_option(label="科技企业孵化器")
    staff.get_by_label("镇街").select_option(label=world.town.name)
    click_and_wait(staff, staff.get_by_role("button", name="保存"))
    assert "已登记载体" in staff.locator(".messages").inner_text()

    click_and_wait(staff, staff.locator("main").get_by_role("link", name="登记楼栋").first)
    staff.get_by_label("楼栋名称").fill("A栋")
    click_and_wait(staff, staff.get_by_role("button", name="保存"))
    click_and_wait(staff, staff.locator(".page-head").get_by_role("link", name="登记房源"))
    staff.get_by_label("楼栋").select_option(label="晋江测试孵化器 A栋")
    staff.get_by_label("房号").fill("A101")
    staff.get_by_label("面积(㎡)").fill("150")
    click_and_wait(staff, staff.get_by_role("button", name="保存"))
    assert "空置" in staff.locator("main").inner_text()

    click_and_wait(staff, staff.get_by_role("link", name="出租"))
    staff.get_by_label("入驻企业（统一社会信用代码）").fill(world.own_enterprise.organization.credit_code)
    staff.get_by_label("起租日期").fill("2025-01-01")
    staff.get_by_label("到期日期").fill("2026-12-31")
    click_and_wait(staff, staff.get_by_role("button", name="保存"))
    assert "已签订租约" in staff.locator(".messages").inner_text()
    assert "100.0%" in staff.locator(".cards").inner_text()

    # a second tenant for the same unit and an overlapping period: refused, the typed values kept
    click_and_wait(staff, staff.locator(".page-head").get_by_role("link", name="签订租约"))
    staff.get_by_label("房源").select_option(label="晋江测试孵化器 A栋 A101")
    staff.get_by_label("入驻主体名称").fill("重叠的租户")
    staff.get_by_label("起租日期").fill("2026-06-01")
    click_and_wait(staff, staff.get_by_role("button", name="保存"))
    assert "租期不能重叠" in staff.locator(".alert-error").first.inner_text()
    assert staff.get_by_label("入驻主体名称").input_value() == "重叠的租户"
    assert Lease.objects.count() == 1
    screenshot(staff, "carrier-lease-overlap")

    staff.goto(f"{base}/carriers/")
    click_and_wait(staff, staff.get_by_role("link", name="晋江测试孵化器"))
    click_and_wait(staff, staff.get_by_role("link", name="退租"))
    staff.get_by_label("退租日期").fill("2025-09-30")
    staff.get_by_label("毕业迁出（孵化毕业/迁往园区）").check()
    click_and_wait(staff, staff.get_by_role("button", name="保存"))
    assert "已退租" in staff.locator(".messages").inner_text()
    lease = Lease.objects.get()
    assert lease.graduated and str(lease.ended_early_on) == "2025-09-30"

    firm = roles.open("enterprise")
    firm.goto(f"{base}/carriers/my-leases/")
    text = firm.locator("main").inner_text()
    assert "晋江测试孵化器" in text and "已于2025年9月30日退租（毕业）" in text
    response = firm.goto(f"{base}/carriers/")
    assert response.status == 403
    assert not any(p.js_errors for p in roles.pages) and not roles.dialogs
