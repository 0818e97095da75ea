"""In real headless Chromium: an enterprise books a pilot line for a morning; staff try to book the same
line for another firm inside that morning and are refused (the typed values kept), then book the slot that
follows; the week calendar shows both and the fee follows the booked hours."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import screenshot
from tests.browser.test_demand_flow import Roles, click_and_wait

pytestmark = pytest.mark.browser


@pytest.fixture
def roles(browser: Any, live_server: Any) -> Any:
    made = Roles(browser, live_server.url)
    yield made
    made.close()


def test_booking_refuses_a_double_booking(
    roles: Roles, live_server: Any, transactional_db: Any, world: Any
) -> None:
    from kechuang.techservices.models import Booking
    from tests.techservices import factories

    line = factories.equipment(fee="300", name="连续发泡中试线")
    day = timezone.localdate() + dt.timedelta(days=7)
    base = live_server.url

    firm = roles.open("enterprise")
    firm.goto(f"{base}/services/pilot/{line.platform_id}/")
    click_and_wait(firm, firm.get_by_role("link", name="预约"))
    firm.get_by_label("开始时间").fill(f"{day:%Y-%m-%d}T09:00")
    firm.get_by_label("结束时间").fill(f"{day:%Y-%m-%d}T12:00")
    firm.get_by_label("用途（试制的产品、工艺或检测项目）").fill("EVA 超临界发泡中底试制")
    click_and_wait(firm, firm.get_by_role("button", name="提交预约"))
    assert "预约成功，预计费用 900" in firm.locator(".messages").inner_text()

    staff = roles.open("staff")
    staff.goto(f"{base}/services/pilot/equipment/{line.pk}/book/")
    staff.get_by_label("预约企业（统一社会信用代码或全称）").fill(
        world.other_enterprise.organization.credit_code
    )
    staff.get_by_label("开始时间").fill(f"{day:%Y-%m-%d}T10:00")
    staff.get_by_label("结束时间").fill(f"{day:%Y-%m-%d}T11:00")
    staff.get_by_label("用途（试制的产品、工艺或检测项目）").fill("陶瓷釉料中试")
    click_and_wait(staff, staff.get_by_role("button", name="提交预约"))
    error = staff.locator(".alert-error").first.inner_text()
    assert "已被预约" in error and "09:00" in error
    assert staff.get_by_label("用途（试制的产品、工艺或检测项目）").input_value() == "陶瓷釉料中试"
    assert Booking.objects.count() == 1
    screenshot(staff, "pilot-double-booking")

    staff.get_by_label("开始时间").fill(f"{day:%Y-%m-%d}T12:00")
    staff.get_by_label("结束时间").fill(f"{day:%Y-%m-%d}T13:30")
    click_and_wait(staff, staff.get_by_role("button", name="提交预约"))
    assert "预约成功，预计费用 450" in staff.locator(".messages").inner_text()
    calendar = staff.locator("section", has=staff.locator("h2", has_text="预约日历")).inner_text()
    assert "09:00" in calendar and "12:00" in calendar
    assert Booking.objects.count() == 2
    assert not any(p.js_errors for p in roles.pages) and not roles.dialogs
