"""Smoke test in real headless Chromium: sign in by typing, use the dashboard and the registry."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Jinjiang-2024")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")


def test_staff_dashboard_and_registry(page: Any, live_server: Any, transactional_db: Any, world: Any) -> None:
    login(page, live_server.url, "staff")
    assert page.url.endswith("/dashboard/")
    assert page.locator("h1").first.inner_text().startswith("数据驾驶舱")
    page.wait_for_selector("#chart-rd .main-svg", timeout=15000)  # plotly rendered from the bundled JS
    screenshot(page, "dashboard")
    page.click("nav >> text=企业库")
    page.select_option("select[name=township]", label="陈埭镇")
    page.click("button:has-text('查询')")
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 2
    page.click("text=晋江市甲鞋业有限公司")
    assert "基本信息" in page.content()
    screenshot(page, "enterprise-detail")
    assert page.js_errors == []


def test_enterprise_user_cannot_open_another_enterprise(
    page: Any, live_server: Any, transactional_db: Any, world: Any
) -> None:
    login(page, live_server.url, "enterprise")
    assert f"/orgs/enterprises/{world.own_enterprise.pk}/" in page.url
    page.goto(f"{live_server.url}/orgs/enterprises/{world.other_enterprise.pk}/")
    assert "不存在或无权查看" in page.content()
    assert "企业库" not in page.locator("nav").inner_text()


def test_keyboard_skip_link_and_mobile_menu(
    page: Any, live_server: Any, transactional_db: Any, world: Any
) -> None:
    page.goto(f"{live_server.url}/orgs/institutions/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.set_viewport_size({"width": 390, "height": 800})
    page.wait_for_timeout(400)  # the drawer slides out of view (CSS transition)
    assert page.locator("#sidenav").bounding_box()["x"] < 0
    page.keyboard.press("Tab")  # focus moves on to the menu button, which opens with the keyboard
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert page.locator("#sidenav").bounding_box()["x"] >= 0
    screenshot(page, "mobile-nav")
