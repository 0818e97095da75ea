"""End to end in real headless Chromium: one technology demand from filing to a signed contract.

Every role signs in through the login form in its own browser context and works the pages as a person
would (typing, ticking, choosing, clicking). Services are called only to build fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import record_csp_violation, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "Jinjiang-2024"
# A script tag typed into the title must come back as text on every page, for every role.
TITLE = '鞋面低温固化胶粘工艺<script>alert("xss")</script>'
SECRET = "内部配方代号KX-9"  # only in the private description
DESCRIPTION = f"现有鞋面胶粘需120℃固化，能耗高、易变形。{SECRET}，良品率仅85%。"
SUMMARY = "面向运动鞋面的低温（80℃以下）胶粘固化工艺需求，欢迎高校院所、专家联系对接。"
ENCLAVE = "晋江(武汉)测试飞地"


class Roles:
    """One browser context per role; records JS errors and any dialog (none may open)."""

    def __init__(self, browser: Any, base: str) -> None:
        self.browser, self.base = browser, base
        self.contexts: list[Any] = []
        self.pages: list[Any] = []
        self.dialogs: list[str] = []

    def watch(self, page: Any, who: str) -> Any:
        if not hasattr(page, "js_errors"):
            page.js_errors = []
            page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
            page.on("console", lambda msg: record_csp_violation(msg, page.js_errors))

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{who}: {dialog.type} {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        self.pages.append(page)
        return page

    def open(self, username: str | None) -> Any:
        context = self.browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        self.contexts.append(context)
        page = self.watch(context.new_page(), username or "public")
        if username:
            login(page, self.base, username)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def roles(browser: Any, live_server: Any) -> Iterator[Roles]:
    made = Roles(browser, live_server.url)
    yield made
    made.close()


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"
    assert page.locator(".topbar .user").inner_text().startswith(username)


def click_and_wait(page: Any, target: Any) -> None:
    """Click something that submits a form or follows a link, and wait for the next page."""
    with page.expect_navigation():
        target.click()
    page.wait_for_load_state()


def action_form(page: Any, pk: int, name: str) -> Any:
    return page.locator(f"form[action='/demands/{pk}/act/{name}/']")


def expand(page: Any, summary: str) -> None:
    """Open a <details> section (it may already be open, e.g. after a failed submit)."""
    details = page.locator("details", has=page.locator("summary", has_text=summary)).first
    if details.get_attribute("open") is None:
        page.locator("summary", has_text=summary).first.click()


def status_of(page: Any) -> str:
    return str(page.locator(".page-head .tag").first.inner_text()).strip()


def assert_title_is_text(page: Any) -> None:
    assert page.locator("h1").first.inner_text() == TITLE
    assert page.locator("main script").count() == 0


def fill_date(field: Any, value: str) -> None:
    """A person fills the date if the browser shows the field empty (see the known-bug test below)."""
    if field.input_value() != value:
        field.fill(value)


def test_demand_from_filing_to_signed_contract(
    page: Any, roles: Roles, live_server: Any, transactional_db: Any, world: Any
) -> None:
    from django.utils import timezone

    from tests import factories

    base = live_server.url
    today = timezone.localdate().isoformat()

    # ---- 1. the enterprise files the demand --------------------------------------------------------------
    ent = roles.watch(page, "enterprise")
    login(ent, base, "enterprise")
    ent.goto(f"{base}/demands/")
    click_and_wait(ent, ent.get_by_role("link", name="填报需求"))
    assert ent.locator("h1").inner_text() == "填报技术需求"
    ent.get_by_label("需求名称").fill(TITLE)
    ent.get_by_label("需求类型").select_option(label="设备/工艺改造")
    ent.get_by_label("需求描述").fill(DESCRIPTION)
    ent.get_by_label("技术指标要求").fill("固化温度≤80℃；剥离强度≥4 N/mm；固化时间≤3分钟")
    ent.get_by_label("预算下限(万元)").fill("50")
    ent.get_by_label("预算上限(万元)").fill("100")
    ent.get_by_label("合作开发").check()
    ent.get_by_label("委托开发").check()
    ent.get_by_label("联系人").fill("陈经理")
    ent.get_by_label("公开方式").select_option(label="仅公开摘要")
    ent.get_by_label("公开摘要").fill(SUMMARY)
    ent.get_by_label("本企业确认上述摘要可以公开").check()
    screenshot(ent, "demand-01-form")
    click_and_wait(ent, ent.get_by_role("button", name="提交需求"))
    assert "/demands/" in ent.url and ent.url.rstrip("/").split("/")[-1].isdigit(), ent.url
    pk = int(ent.url.rstrip("/").split("/")[-1])
    detail = f"{base}/demands/{pk}/"
    assert "需求已提交，科技局将尽快受理" in ent.locator(".messages").inner_text()
    assert status_of(ent) == "待受理"
    assert_title_is_text(ent)
    info = ent.locator("section", has_text="需求信息").first.inner_text()
    assert "晋江市甲鞋业有限公司" in info and "合作开发" in info and "委托开发" in info
    assert "仅公开摘要（摘要已经企业确认）" in info
    screenshot(ent, "demand-02-filed")

    # Not yet accepted, so not published: another enterprise and the public get the 404 page.
    factories.user("enterprise2", "enterprise", organization=world.other_enterprise.organization)
    stranger = roles.open("enterprise2")
    response = stranger.goto(detail)
    assert response is not None and response.status == 404
    assert "需求不存在或无权查看" in stranger.locator("main").inner_text()
    assert "鞋面低温固化" not in stranger.content() and SECRET not in stranger.content()
    screenshot(stranger, "demand-07-404-other-enterprise")
    anonymous = roles.open(None)
    response = anonymous.goto(detail)
    assert response is not None and response.status == 404
    assert "鞋面低温固化" not in anonymous.content() and SECRET not in anonymous.content()

    # ---- 2. the bureau accepts and routes it -------------------------------------------------------------
    staff = roles.open("staff")
    click_and_wait(staff, staff.locator("nav").get_by_role("link", name="技术需求"))
    click_and_wait(staff, staff.locator("table.data a", has_text=TITLE))
    assert staff.url == detail
    assert_title_is_text(staff)
    accept = action_form(staff, pk, "accept")
    accept.get_by_label("受理意见").fill("需求明确，予以受理")
    click_and_wait(staff, accept.get_by_role("button", name="受理"))
    assert status_of(staff) == "已受理"
    click_and_wait(staff, staff.locator(".page-head").get_by_role("link", name="分派"))
    assert staff.locator("h1").inner_text() == "分派需求"
    expand(staff, "手动选择其他对象")
    staff.get_by_label("创新飞地").select_option(label=ENCLAVE)
    staff.get_by_label("专家", exact=True).select_option(label="李教授（测试大学）")
    staff.get_by_label("分派说明").fill("请武汉飞地与李教授一周内联系企业")
    screenshot(staff, "demand-03-route")
    click_and_wait(staff, staff.get_by_role("button", name="确认分派"))
    assert staff.url == detail
    assert "已分派给 2 个对象" in staff.locator(".messages").inner_text()
    assert status_of(staff) == "已分派"
    routed = staff.locator("section", has_text="分派与响应").locator("table.data").inner_text()
    assert ENCLAVE in routed and "李教授" in routed

    # ---- 3. the enclave operator acknowledges and answers -------------------------------------------------
    enclave = roles.open("enclave")
    click_and_wait(enclave, enclave.locator("nav").get_by_role("link", name="技术需求"))
    click_and_wait(enclave, enclave.locator("table.data a", has_text=TITLE))
    assert enclave.url == detail
    assert_title_is_text(enclave)
    assert SECRET in enclave.content()  # a routed party sees the full description
    mine = enclave.locator("section", has_text="我的响应")
    assert "待确认" in mine.inner_text()
    click_and_wait(enclave, action_form(enclave, pk, "acknowledge").get_by_role("button", name="确认收到"))
    assert "已确认收到" in enclave.locator(".messages").inner_text()
    respond = action_form(enclave, pk, "respond")
    respond.get_by_label("解决思路/技术方案").fill(
        "采用改性聚氨酯热熔胶配合红外辐射预热，将固化温度降至75℃，并优化压合时间与压力参数。"
    )
    respond.get_by_label("团队与依托平台").fill("武汉飞地高分子材料团队，依托校企联合实验室")
    respond.get_by_label("技术成熟度").select_option(label="TRL6 样机/中试")
    respond.get_by_label("预计周期(月)").fill("6")
    respond.get_by_label("费用估算(万元)").fill("80")
    screenshot(enclave, "demand-04-respond")
    click_and_wait(enclave, respond.get_by_role("button", name="提交响应"))
    assert "响应方案已提交" in enclave.locator(".messages").inner_text()
    assert status_of(enclave) == "已响应"

    # ---- 4. the enterprise decides, meets, signs and rates -----------------------------------------------
    ent.goto(detail)
    ent.wait_for_load_state()
    assert status_of(ent) == "已响应"
    plan = ent.locator("article", has_text=f"{ENCLAVE} 的方案")
    assert "TRL6 样机/中试" in plan.inner_text()
    click_and_wait(ent, plan.get_by_role("button", name="采纳此方案，进入对接"))
    assert status_of(ent) == "对接中"
    assert "已采纳" in ent.locator("article", has_text=f"{ENCLAVE} 的方案").inner_text()

    expand(ent, "记录对接")
    meeting = action_form(ent, pk, "meeting")
    fill_date(meeting.get_by_label("对接日期"), today)
    meeting.get_by_label("地点/方式").fill("企业会议室")
    meeting.get_by_label("参加人员").fill("陈经理、飞地项目经理")
    meeting.get_by_label("对接纪要").fill("双方确认技术路线，先做小样试验")
    click_and_wait(ent, meeting.get_by_role("button", name="保存对接记录"))
    assert "已记录对接" in ent.locator(".messages").inner_text()

    expand(ent, "登记技术合同")
    contract = action_form(ent, pk, "contract")
    contract.get_by_label("合同类型").select_option(label="技术开发")
    contract.get_by_label("合同金额(万元)").fill("80")
    fill_date(contract.get_by_label("签订日期"), today)
    contract.get_by_label("合同相对方").fill(ENCLAVE)
    contract.get_by_label("技术合同登记号").fill("2024350582000123")
    click_and_wait(ent, contract.get_by_role("button", name="登记合同"))
    assert "已登记技术合同" in ent.locator(".messages").inner_text()
    assert status_of(ent) == "已签约"
    outcomes = ent.locator("section", has_text="对接与成果").inner_text()
    assert "技术开发" in outcomes and ENCLAVE in outcomes and "企业会议室" in outcomes

    rate = action_form(ent, pk, "rate")
    # KNOWN BUG (test_detail_page_ids_are_unique): this form's labels point at id_rating/id_reason of the
    # 为此方案评分 form above, so get_by_label("评分") inside it finds nothing; pick the fields by name.
    rate.locator("select[name=rate-rating]").select_option(label="5星")
    rate.locator("input[name=rate-reason]").fill("响应及时，方案实用")
    click_and_wait(ent, rate.get_by_role("button", name="提交评价"))
    assert "感谢您的评价" in ent.locator(".messages").inner_text()
    assert "5星 响应及时，方案实用" in ent.locator("section", has_text="需求信息").first.inner_text()

    # ---- 5. the timeline lists every step, by the right person -------------------------------------------
    entries = ent.locator("ul.timeline > li").all_inner_texts()
    heads = [entry.splitlines()[0] for entry in entries]
    expected = [
        ("创建需求", "enterprise"),
        ("提交", "enterprise"),
        ("受理", "staff"),
        ("分派", "staff"),
        ("确认收到", "enclave"),
        ("提交响应", "enclave"),
        ("采纳响应", "enterprise"),
        ("记录对接", "enterprise"),
        ("登记技术合同", "enterprise"),
        ("评价服务", "enterprise"),
    ]
    assert [h.split(" ")[0] for h in heads] == [step for step, _ in expected], heads
    for head, (step, actor) in zip(heads, expected, strict=True):
        assert head.endswith(f" · {actor}"), (step, head)
    assert "→ 已签约" in heads[8]
    assert any(ENCLAVE in entry and "李教授" in entry for entry in entries)  # who it was routed to
    screenshot(ent, "demand-05-contracted")

    click_and_wait(ent, ent.locator("nav").get_by_role("link", name="站内通知"))
    notices = ent.locator("table.data tbody tr").all_inner_texts()
    mentions = [n for n in notices if TITLE in n]
    assert len(mentions) >= 4, notices  # accepted, routed, answered, contracted
    assert any("已受理" in n for n in mentions) and any("已签约" in n for n in mentions)
    assert ent.locator("main script").count() == 0
    screenshot(ent, "demand-06-notifications")

    # ---- 6. who must not see it ---------------------------------------------------------------------------
    stranger.goto(detail)  # once published, another enterprise sees what the public sees, no more
    stranger.wait_for_load_state()
    assert stranger.locator(".page-head .tag").count() == 1
    assert SUMMARY in stranger.locator("main").inner_text()
    assert SECRET not in stranger.content() and "进展时间线" not in stranger.content()
    assert action_form(stranger, pk, "rate").count() == 0

    public = roles.open(None)
    response = public.goto(detail)
    assert response is not None and response.status == 200
    assert_title_is_text(public)
    shown = public.locator("main").inner_text()
    assert SUMMARY in shown and "该需求仅公开摘要" in shown
    assert SECRET not in public.content() and "剥离强度" not in public.content()
    assert "晋江市甲鞋业有限公司" not in public.content() and "进展时间线" not in shown
    screenshot(public, "demand-08-public-detail")
    public.goto(f"{base}/demands/hall/")
    public.wait_for_load_state()
    card = public.locator("article.card", has_text=TITLE)
    assert card.count() == 1
    assert SUMMARY in card.inner_text() and "（仅公开摘要）" in card.inner_text()
    assert SECRET not in public.content()
    assert public.locator("main script").count() == 0
    screenshot(public, "demand-09-hall")

    assert roles.dialogs == []  # the <script> in the title never ran, for anyone
    assert all(p.js_errors == [] for p in roles.pages), [p.js_errors for p in roles.pages]


def test_return_without_reason_keeps_the_form(
    page: Any, roles: Roles, live_server: Any, transactional_db: Any, world: Any
) -> None:
    staff = roles.watch(page, "staff")
    login(staff, live_server.url, "staff")
    pk = world.other_demand.pk  # submitted, waiting for triage
    staff.goto(f"{live_server.url}/demands/{pk}/")
    assert status_of(staff) == "待受理"
    expand(staff, "退回修改")
    form = action_form(staff, pk, "return")
    assert form.get_by_label("原因/说明").input_value() == ""
    posted = staff.expect_response(lambda r: r.url.endswith(f"/demands/{pk}/act/return/"))
    with posted as info, staff.expect_navigation():
        form.get_by_role("button", name="退回").click()
    staff.wait_for_load_state()
    assert info.value.status == 400
    assert "请更正表单中的错误（已保留您填写的内容）" in staff.locator(".messages").inner_text()
    form = action_form(staff, pk, "return")
    assert form.count() == 1  # the form is still on the page, with the error beside the empty field
    # text_content: the form sits in a closed <details> (see test_failed_action_form_is_shown_open)
    assert "这个字段是必填项" in (form.locator(".field.has-error").text_content() or "")
    assert status_of(staff) == "待受理"
    screenshot(staff, "demand-10-return-error")

    # A step the service refuses keeps what was typed: merging the demand into itself.
    expand(staff, "合并重复需求")
    merge = action_form(staff, pk, "merge")
    merge.get_by_label("合并到需求编号").fill(str(pk))
    click_and_wait(staff, merge.get_by_role("button", name="合并"))
    assert "不能合并到自身" in staff.locator(".messages").inner_text()
    merge = action_form(staff, pk, "merge")
    assert "不能合并到自身" in (merge.locator(".alert-error").first.text_content() or "")
    assert merge.get_by_label("合并到需求编号").input_value() == str(pk)
    assert status_of(staff) == "待受理"

    # The person then types a reason, and the same page carries the step through.
    form = action_form(staff, pk, "return")
    if not form.is_visible():  # see test_failed_action_form_is_shown_open (known bug)
        expand(staff, "退回修改")
    form.get_by_label("原因/说明").fill("请补充现有窑炉的能耗数据")
    click_and_wait(staff, form.get_by_role("button", name="退回"))
    assert "已退回企业修改" in staff.locator(".messages").inner_text()
    assert status_of(staff) == "退回修改"
    assert roles.dialogs == [] and staff.js_errors == []


# ---- regressions: bugs this test once found in the detail page ---------------------------------------------


def test_failed_action_form_is_shown_open(
    page: Any, roles: Roles, live_server: Any, transactional_db: Any, world: Any
) -> None:
    staff = roles.watch(page, "staff")
    login(staff, live_server.url, "staff")
    pk = world.other_demand.pk
    staff.goto(f"{live_server.url}/demands/{pk}/")
    expand(staff, "退回修改")
    click_and_wait(staff, action_form(staff, pk, "return").get_by_role("button", name="退回"))
    # Expected: the person sees the field error without hunting for it. Today the form sits in a closed
    # <details><summary>退回修改</summary> (templates/demands/detail.html), so only the banner shows.
    assert action_form(staff, pk, "return").get_by_label("原因/说明").is_visible()


@pytest.fixture
def docking(page: Any, roles: Roles, live_server: Any, transactional_db: Any, world: Any) -> Any:
    """world.own_demand brought to 对接中 by services (fixture set-up), then opened by the enterprise."""
    from kechuang.demands import services

    demand = world.own_demand  # already routed to the enclave operator's enclave
    routing = demand.routings.get(enclave=world.own_enclave)
    answer = services.submit_response(
        actor=world.users["enclave_operator"],
        routing=routing,
        data=services.ResponseData(
            approach="改进配方并调整硫化参数以提升耐磨性", team="飞地团队", maturity=5, duration_months=3
        ),
    )
    services.accept_response(actor=world.users["enterprise"], response=answer)
    ent = roles.watch(page, "enterprise")
    login(ent, live_server.url, "enterprise")
    ent.goto(f"{live_server.url}/demands/{demand.pk}/")
    assert status_of(ent) == "对接中"
    ent.demand_pk = demand.pk
    return ent


def test_meeting_date_defaults_to_today(docking: Any) -> None:
    from django.utils import timezone

    expand(docking, "记录对接")
    # Expected: 对接日期 shows today (MeetingForm initial=timezone.localdate). Today Django renders
    # <input type="date" value="YYYY/MM/DD">, an invalid value for a date input, so the field shows empty
    # and submitting without retyping the date fails with 这个字段是必填项 (same for 签订日期, 落地日期).
    field = action_form(docking, docking.demand_pk, "meeting").get_by_label("对接日期")
    assert field.input_value() == timezone.localdate().isoformat()


def test_detail_page_ids_are_unique(docking: Any) -> None:
    # Expected: every id once, so each <label for> names its own field. Today 为此方案评分 and 评价本次服务
    # both render id_rating/id_reason; the second form's labels point at the first form's fields.
    duplicates = docking.evaluate(
        """() => { const seen = {}; document.querySelectorAll('[id]').forEach(e => {
                 seen[e.id] = (seen[e.id] || 0) + 1; });
                 return Object.keys(seen).filter(k => seen[k] > 1); }"""
    )
    assert duplicates == []
