"""In real headless Chromium: the demo matchmaking fair as the bureau and as a participant see it.

The fair is the demo loader's (small demo); its title is changed to carry a script tag, which every page
must show as text. Staff read the report figures, open a participant's agenda and its print view; the
participant signs in and sees its own agenda and nothing of anyone else's. Figures are counted here from
the database, independently of the report selector.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

PASSWORD = "Jinjiang-2024"
TITLE = '首届科技成果对接洽谈会<script>alert("xss")</script>'


@pytest.fixture
def fair(transactional_db: Any) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from kechuang.demo.loader import load_demo
    from kechuang.events.models import Event, EventKind

    assert load_demo(enterprises=60, achievements_limit=80, seed=3, as_of=dt.date.today()).loaded
    event = Event.objects.get(is_demo=True, kind=EventKind.FAIR)
    Event.objects.filter(pk=event.pk).update(title=TITLE)
    enterprise = get_user_model().objects.get(username="enterprise").profile.organization
    return {"event": event, "enterprise": enterprise}


@pytest.fixture
def contexts(browser: Any) -> Iterator[list[Any]]:
    made: list[Any] = []
    yield made
    for context in made:
        context.close()


def open_as(browser: Any, contexts: list[Any], base: str, username: str, dialogs: list[str]) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    contexts.append(context)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))

    def on_dialog(dialog: Any) -> None:
        dialogs.append(f"{username}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"
    return page


def click_and_wait(page: Any, target: Any) -> None:
    with page.expect_navigation():
        target.click()
    page.wait_for_load_state()


def figure(page: Any, label: str) -> tuple[str, str]:
    card = page.locator(".figure", has=page.locator(".label", has_text=label)).first
    sub = card.locator(".sub")
    return card.locator(".value").inner_text().strip(), sub.inner_text().strip() if sub.count() else ""


def assert_title_is_text(page: Any) -> None:
    assert TITLE in page.locator("main").inner_text()
    assert page.locator("main script").count() == 0


def agenda_rows(page: Any) -> list[list[str]]:
    rows = page.locator("table.data tbody tr")
    return [[c.strip() for c in rows.nth(i).locator("td").all_inner_texts()] for i in range(rows.count())]


def test_fair_report_agendas_and_print_view(
    browser: Any, live_server: Any, contexts: list[Any], fair: dict[str, Any]
) -> None:
    from kechuang.events.models import IntentionOrder, Meeting, Registration

    base, event, own_org = live_server.url, fair["event"], fair["enterprise"]
    meetings = Meeting.objects.filter(request__event=event)
    held = meetings.filter(status=Meeting.Status.HELD).count()
    orders = IntentionOrder.objects.filter(event=event)
    contracts = orders.filter(stage__in=["contract", "landed"]).count()
    landed = orders.filter(stage="landed").count()
    approved = Registration.objects.filter(event=event, status="approved")
    assert held >= 30 and orders.count() >= 10 and contracts >= 3 and landed == 2  # the demo fair is full
    dialogs: list[str] = []

    # ---- staff: list → fair → figures -------------------------------------------------------------------
    staff = open_as(browser, contexts, base, "staff", dialogs)
    click_and_wait(staff, staff.locator("nav").get_by_role("link", name="对接活动"))
    row = staff.locator("table.data tr", has_text="首届科技成果对接洽谈会")
    assert "已截止" in row.inner_text() and "对接洽谈会" in row.inner_text()
    assert_title_is_text(staff)
    click_and_wait(staff, row.get_by_role("link"))
    assert staff.locator("h1").first.inner_text() == TITLE
    assert_title_is_text(staff)
    assert figure(staff, "洽谈场次") == (str(held), f"已排 {meetings.count()} 场")
    assert figure(staff, "意向订单")[0] == str(orders.count())
    value, sub = figure(staff, "转化为合同")
    assert value == str(contracts) and sub.endswith(f"落地 {landed}")
    roles = (("企业", "enterprise"), ("投资机构", "investor"), ("参展高校院所/成果方", "exhibitor"))
    for label, role in roles:
        assert figure(staff, label)[0] == str(approved.filter(role=role).count())
    assert "最近一次：安排" in staff.locator("section", has_text="排期").first.inner_text()
    screenshot(staff, "fair-01-staff-detail")

    # ---- staff opens the demo enterprise's agenda from the registration list, then its print view -------
    own = approved.get(organization=own_org)
    mine = meetings.filter(request__requester=own) | meetings.filter(request__invitee=own)
    assert mine.count() >= 2
    registrations = staff.locator("section", has_text="报名审核与签到")
    click_and_wait(staff, registrations.locator("tr", has_text=own_org.name).get_by_role("link", name="日程"))
    assert staff.locator("h1").inner_text() == f"{own_org.name} 的洽谈日程"
    assert_title_is_text(staff)
    rows = agenda_rows(staff)
    assert len(rows) == mine.count()
    others = {
        (m.request.invitee if m.request.requester_id == own.pk else m.request.requester).organization.name
        for m in mine.select_related("request__requester__organization", "request__invitee__organization")
    }
    assert {r[2] for r in rows} == others
    assert {r[1] for r in rows} == {str(m.table) for m in mine}
    staff.evaluate("() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; }")
    staff.get_by_role("button", name="打印").click()
    assert staff.evaluate("window.__printed") == 1
    staff.emulate_media(media="print")
    assert not staff.locator(".sidenav").is_visible() and not staff.locator(".topbar").is_visible()
    assert not staff.get_by_role("button", name="打印").is_visible()  # the page's own buttons are not printed
    assert staff.locator("table.data").is_visible() and staff.locator("h1").is_visible()
    screenshot(staff, "fair-02-agenda-print")
    staff.emulate_media(media="screen")

    # ---- the participant: its own agenda only ------------------------------------------------------------
    ent = open_as(browser, contexts, base, "enterprise", dialogs)
    ent.goto(f"{base}/events/{event.pk}/")
    assert_title_is_text(ent)
    assert "报名审核与签到" not in ent.locator("main").inner_text()
    assert ent.locator("main").get_by_role("link", name="洽谈桌位表").count() == 0
    assert ent.locator("main").get_by_role("link", name="导出活动报告").count() == 0
    own_section = ent.locator("section", has_text="我的报名").inner_text()
    assert own_org.name in own_section and "已通过" in own_section
    click_and_wait(ent, ent.get_by_role("link", name="我的日程"))
    assert ent.locator("h1").inner_text() == f"{own_org.name} 的洽谈日程"
    assert sorted(map(tuple, agenda_rows(ent))) == sorted(map(tuple, rows))
    # Asking for someone else's agenda still shows one's own; the table plan is closed.
    other = approved.exclude(pk=own.pk).exclude(organization__name__in=others).first()
    assert other is not None
    ent.goto(f"{base}/events/{event.pk}/agenda/?registration={other.pk}")
    assert ent.locator("h1").inner_text() == f"{own_org.name} 的洽谈日程"
    assert other.organization.name not in ent.locator("main").inner_text()
    response = ent.goto(f"{base}/events/{event.pk}/tables/")
    assert response is not None and response.status == 403
    screenshot(ent, "fair-03-participant-agenda")

    assert dialogs == []  # the script in the title never ran
    assert staff.js_errors == [] and ent.js_errors == []
