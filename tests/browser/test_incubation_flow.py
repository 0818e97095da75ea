"""In real headless Chromium: one incubation project from the application to its landing in Jinjiang.

The enclave operator applies through the form; the bureau assigns reviewers (the one linked to the applicant
is refused), an expert scores it, another reviewer declares a conflict; the bureau admits it, moves it to
投资支持, records an investment and the landing by 统一社会信用代码. Then who may (and may not) see it.
A second test takes an idle project from the elimination candidate list to 淘汰.

Every role signs in through the login form in its own browser context; services and factories only build
fixtures (extra users, an institution, the idle project of the second test).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_demand_flow import Roles, click_and_wait, expand, login, status_of

pytestmark = pytest.mark.browser

NAME = '鞋材化学回收中试<script>alert("xss")</script>'
UNIVERSITY = "华中测试理工大学"  # the applicant; the linked reviewer works there
TEAM = "核心团队8人，负责人有10年高分子材料研发经验，分工明确、全职投入。"
TECHNOLOGY = "废旧EVA鞋材解交联回收技术，已申请发明专利3件，完成小试。"
MARKET = "晋江鞋企年产废旧鞋材逾10万吨，回收料可用于中底与运动地垫。"
SCORES = {"团队": "85", "技术": "92", "市场": "78", "资金": "64"}
WEIGHTS = {"团队": 30, "技术": 30, "市场": 25, "资金": 15}  # the default rubric, all out of 100


@pytest.fixture
def roles(browser: Any, live_server: Any) -> Any:
    made = Roles(browser, live_server.url)
    yield made
    made.close()


def act_form(page: Any, pk: int, name: str) -> Any:
    return page.locator(f"form[action='/incubation/{pk}/act/{name}/']")


def message(page: Any) -> str:
    return str(page.locator(".messages").inner_text())


def assert_name_is_text(page: Any) -> None:
    assert page.locator("h1").first.inner_text().endswith(NAME)
    assert page.locator("main script").count() == 0


def timeline(page: Any) -> list[str]:
    section = page.locator("section", has=page.locator("h2", has_text="进展时间线"))
    return [str(t) for t in section.locator("ul.timeline > li").all_inner_texts()]


def test_application_review_admission_investment_landing(
    page: Any, roles: Roles, live_server: Any, transactional_db: Any, world: Any
) -> None:
    from django.utils import timezone

    from kechuang.incubation.choices import Stage
    from kechuang.incubation.models import Investment, Project, ProjectEvent, Review
    from tests import factories

    base = live_server.url
    today = timezone.localdate()
    university = factories.institution(UNIVERSITY)
    linked = factories.user("chen", "expert", expert=factories.expert("陈博士", university))
    factories.user("enterprise2", "enterprise", organization=world.other_enterprise.organization)
    factories.user("enclave2", "enclave_operator", enclave=world.other_enclave, organization=None)
    landed = world.own_enterprise.organization

    # ---- 1. the enclave operator applies; a bad input first ------------------------------------------------
    op = roles.watch(page, "enclave")
    login(op, base, "enclave")
    click_and_wait(op, op.locator("nav").get_by_role("link", name="孵化项目"))
    assert "没有符合条件的孵化项目" in op.locator("main").inner_text()
    click_and_wait(op, op.locator(".page-head").get_by_role("link", name="申请入孵"))
    assert op.locator("h1").inner_text() == "申请入孵"
    carrier = op.get_by_label("申请入驻的孵化载体")
    assert carrier.locator("option").all_inner_texts() == ["请选择", f"{world.own_enclave.name}（创新飞地）"]
    op.get_by_label("项目名称").fill(NAME)
    carrier.select_option(label=f"{world.own_enclave.name}（创新飞地）")
    op.get_by_label("申请单位").fill(UNIVERSITY)
    op.get_by_label("所属产业").fill("新材料")
    op.get_by_label("资金需求(万元)").fill("-500")
    op.get_by_label("团队情况").fill(TEAM)
    op.get_by_label("核心技术").fill(TECHNOLOGY)
    # 市场前景 forgotten
    op.get_by_label("融资计划").fill("天使轮融资500万元，用于中试线建设。")
    op.get_by_label("联系人").fill("陈经理")
    op.get_by_label("联系电话").fill("13805951234")
    with op.expect_response(lambda r: r.url.endswith("/incubation/apply/")) as posted:
        click_and_wait(op, op.get_by_role("button", name="提交申请"))
    assert posted.value.status == 400
    assert "请更正下面标红的项目，已填写的内容已保留" in op.locator("main").inner_text()
    errors = op.locator(".field.has-error")
    assert errors.count() == 2, errors.all_inner_texts()
    funding_error = op.locator(".field.has-error", has=op.get_by_label("资金需求(万元)")).inner_text()
    assert "资金需求(万元)不能为负数" in funding_error, funding_error
    assert "这个字段是必填项" in op.locator(".field.has-error", has=op.get_by_label("市场前景")).inner_text()
    # What was typed is still there, the script tag too (as a value, not as markup).
    assert op.get_by_label("项目名称").input_value() == NAME
    assert op.get_by_label("申请单位").input_value() == UNIVERSITY
    assert op.get_by_label("资金需求(万元)").input_value() == "-500"
    assert op.get_by_label("团队情况").input_value() == TEAM
    assert op.get_by_label("申请入驻的孵化载体").input_value() == f"enclave:{world.own_enclave.pk}"
    assert op.locator("main script").count() == 0
    assert not Project.objects.exists()
    screenshot(op, "incubation-01-application-errors")

    op.get_by_label("资金需求(万元)").fill("500")
    op.get_by_label("市场前景").fill(MARKET)
    click_and_wait(op, op.get_by_role("button", name="提交申请"))
    assert "入孵申请已提交，科技局将组织评审" in message(op)
    project = Project.objects.get()
    assert op.url == f"{base}/incubation/{project.pk}/"
    detail = op.url
    assert (project.name, project.enclave, project.incubator) == (NAME, world.own_enclave, None)
    assert (
        project.applicant == university.organization
        and project.submitted_by == world.users["enclave_operator"]
    )
    assert (project.team, project.technology, project.market) == (TEAM, TECHNOLOGY, MARKET)
    assert project.funding_needed == Decimal(500) and project.stage == Stage.RECRUITING
    assert project.contact_phone == "13805951234" and project.applied_on == today
    assert status_of(op) == "项目招引"
    assert_name_is_text(op)
    info = op.locator("section", has=op.locator("h2", has_text="项目信息")).inner_text()
    assert UNIVERSITY in info and "500万元" in info and "新材料" in info
    assert "评审进行中" in op.locator("main").inner_text()

    # ---- 2. the bureau assigns reviewers; the one linked to the applicant is refused -----------------------
    staff = roles.open("staff")
    staff.goto(f"{base}/incubation/")
    listed = staff.locator("table.data a", has_text="鞋材化学回收中试")
    assert listed.inner_text() == NAME and staff.locator("main script").count() == 0
    click_and_wait(staff, listed)
    assert staff.url == detail
    assert_name_is_text(staff)
    click_and_wait(staff, staff.locator(".page-head").get_by_role("link", name="指派评审"))
    assert_name_is_text(staff)
    expert_box = staff.get_by_label("expert（高校院所/专家，测试大学）", exact=True)
    linked_box = staff.get_by_label(f"chen（高校院所/专家，{UNIVERSITY}）", exact=True)
    admin_box = staff.get_by_label("admin（科技局管理员）", exact=True)
    expert_box.check()
    linked_box.check()
    admin_box.check()
    with staff.expect_response(lambda r: r.url.endswith(f"/incubation/{project.pk}/reviewers/")) as posted:
        click_and_wait(staff, staff.get_by_role("button", name="指派"))
    assert posted.value.status == 400
    refusal = staff.locator("form .alert-error").first.inner_text()
    assert refusal == (
        "“chen”与申请方存在关联（评审人（专家）所在高校院所即申请单位），存在利益冲突，不能评审该项目"
        "（已填写的内容已保留）"
    ), refusal
    assert "请更正下面标红的项目" not in staff.locator("main").inner_text()  # no field is marked red
    assert not Review.objects.exists()
    assert Project.objects.get().rubric_snapshot == {}  # nothing was frozen by the refused attempt
    expert_box = staff.get_by_label("expert（高校院所/专家，测试大学）", exact=True)
    linked_box = staff.get_by_label(f"chen（高校院所/专家，{UNIVERSITY}）", exact=True)
    assert expert_box.is_checked() and linked_box.is_checked()  # the choice is kept
    screenshot(staff, "incubation-02-linked-reviewer-refused")
    linked_box.uncheck()
    click_and_wait(staff, staff.get_by_role("button", name="指派"))
    assert staff.url == detail
    assert "已指派 2 位评审人" in message(staff)
    assert set(Review.objects.values_list("reviewer__username", flat=True)) == {"expert", "admin"}
    project.refresh_from_db()
    assert [c["name"] for c in project.criteria] == list(WEIGHTS)
    assert Decimal(project.rubric_snapshot["admission_line"]) == 70
    assert not Review.objects.filter(reviewer=linked).exists()

    # ---- 3. the expert scores every criterion; an out-of-range score first -------------------------------
    expert = roles.open("expert")
    click_and_wait(expert, expert.locator("nav").get_by_role("link", name="孵化项目"))
    click_and_wait(expert, expert.locator("table.data a", has_text="鞋材化学回收中试"))
    click_and_wait(expert, expert.locator(".page-head").get_by_role("link", name="评审打分"))
    assert expert.url == f"{detail}review/"
    assert_name_is_text(expert)
    expert.get_by_label("团队（权重 30%，满分 100）").fill("120")
    for name, score in list(SCORES.items())[1:]:
        expert.get_by_label(f"{name}（权重 {WEIGHTS[name]}%").fill(score)
    expert.get_by_label("评审意见").fill("技术路线清晰，中试资金需求合理。")
    click_and_wait(expert, expert.get_by_role("button", name="提交评分"))
    assert "“团队”得分不能超过 100" in expert.locator(".field.has-error").inner_text()
    assert expert.get_by_label("团队（权重 30%").input_value() == "120"
    assert expert.get_by_label("技术（权重 30%").input_value() == "92"
    assert expert.get_by_label("评审意见").input_value() == "技术路线清晰，中试资金需求合理。"
    assert Review.objects.get(reviewer__username="expert").submitted_at is None
    expert.get_by_label("团队（权重 30%").fill(SCORES["团队"])
    click_and_wait(expert, expert.get_by_role("button", name="提交评分"))
    total = sum(Decimal(SCORES[n]) * WEIGHTS[n] / 100 for n in WEIGHTS).quantize(Decimal("0.01"))
    assert total == Decimal("82.20")
    assert f"评分已提交，加权总分 {total}" in message(expert)
    assert expert.url == detail
    scored = Review.objects.get(reviewer__username="expert")
    assert scored.total == total and scored.submitted_at is not None
    assert scored.scores == {"team": "85", "technology": "92", "market": "78", "funding": "64"}
    project.refresh_from_db()
    assert project.review_score == total
    assert expert.locator(".page-head").get_by_role("link", name="修改评分").count() == 1

    # The second reviewer (the admin) declares a conflict on the review page and then cannot score.
    admin = roles.open("admin")
    admin.goto(f"{detail}review/")
    expand(admin, "声明利益冲突")
    admin.get_by_label("利益冲突说明").fill("曾担任该团队技术顾问")
    click_and_wait(admin, admin.get_by_role("button", name="声明存在利益冲突"))
    assert "已声明利益冲突，您的评分不计入该项目" in message(admin)
    admin.goto(f"{detail}review/")
    assert "评审人已声明利益冲突，不能为该项目评分" in admin.locator(".alert-error").inner_text()
    assert admin.get_by_role("button", name="提交评分").count() == 0
    declared = Review.objects.get(reviewer__username="admin")
    assert declared.conflict_declared and declared.total is None
    project.refresh_from_db()
    assert project.review_score == total  # only the expert's score counts

    # ---- 4. the bureau admits, advances, records an investment and the landing -----------------------------
    staff.goto(detail)
    reviews = staff.locator("section", has=staff.locator("h2", has_text="入孵评审与决定")).inner_text()
    line = project.rubric_snapshot["admission_line"]
    assert f"评审得分：{total}（入孵线 {line} 分；入孵评审默认评分表）" in reviews, reviews
    assert "不计入：评审人已声明利益冲突" in reviews and "曾担任该团队技术顾问" in reviews
    expand(staff, "作出入孵决定")
    decide = act_form(staff, project.pk, "decide")
    decide.get_by_label("同意入孵").check()
    decide.get_by_label("决定理由").fill("评审得分高于入孵线，团队与技术突出，同意入孵")
    click_and_wait(staff, decide.get_by_role("button", name="保存决定"))
    assert "已决定入孵" in message(staff)
    assert status_of(staff) == "入孵"
    project.refresh_from_db()
    assert (project.stage, project.decision, project.admitted_on) == (Stage.INCUBATING, "admit", today)
    assert project.decided_by == world.users["bureau_staff"]
    assert project.decision_reason == "评审得分高于入孵线，团队与技术突出，同意入孵"

    expand(staff, "推进阶段（当前：入孵）")
    advance = act_form(staff, project.pk, "advance")
    choices = advance.get_by_label("推进到阶段").locator("option").all_inner_texts()
    assert choices == ["投资支持", "落地辅导", "成长跟踪", "毕业"]
    advance.get_by_label("推进到阶段").select_option(label="投资支持")
    assert advance.get_by_label("变更日期").input_value() == today.isoformat()
    advance.get_by_label("说明").fill("对接天使投资")
    click_and_wait(staff, advance.get_by_role("button", name="推进"))
    assert "项目已进入“投资支持”阶段" in message(staff)
    assert status_of(staff) == "投资支持"
    project.refresh_from_db()
    assert project.stage == Stage.INVESTMENT and project.stage_changed_on == today

    expand(staff, "登记投资")
    invest = act_form(staff, project.pk, "investment")
    invest.get_by_label("投资机构（库内）").select_option(label=world.investor.organization.name)
    invest.get_by_label("金额(万元)").fill("300")
    invest.get_by_label("轮次").select_option(label="天使轮")
    assert invest.get_by_label("投资日期").input_value() == today.isoformat()
    click_and_wait(staff, invest.get_by_role("button", name="登记", exact=True))
    assert "已登记投资" in message(staff)
    investment = Investment.objects.get()
    assert (investment.project_id, investment.amount, investment.round) == (project.pk, Decimal(300), "angel")
    assert investment.investor == world.investor and investment.invested_on == today
    rows = staff.locator("section", has=staff.locator("h2", has_text="投资")).locator("tbody tr")
    assert rows.all_inner_texts() == [
        f"{world.investor.organization.name}\t天使轮\t300万元\t{today.year}年{today.month}月{today.day}日"
    ], rows.all_inner_texts()

    expand(staff, "登记落地晋江")
    landing = act_form(staff, project.pk, "landing")
    bad_code = landed.credit_code[:17] + ("1" if landed.credit_code[17] != "1" else "2")
    landing.get_by_label("落地企业统一社会信用代码").fill(bad_code)
    landing.get_by_label("落地说明").fill("在陈埭镇注册生产企业")
    click_and_wait(staff, landing.get_by_role("button", name="登记落地"))
    landing = act_form(staff, project.pk, "landing")
    assert landing.get_by_label("落地企业统一社会信用代码").is_visible()  # the form is shown open
    error = landing.locator(".field.has-error").inner_text()
    assert f"统一社会信用代码校验位错误（第18位应为 {landed.credit_code[17]}）" in error, error
    assert landing.get_by_label("落地企业统一社会信用代码").input_value() == bad_code
    assert landing.get_by_label("落地说明").input_value() == "在陈埭镇注册生产企业"
    unknown = factories.credit_code(987654)
    landing.get_by_label("落地企业统一社会信用代码").fill(unknown)
    click_and_wait(staff, landing.get_by_role("button", name="登记落地"))
    assert f"企业库中没有统一社会信用代码为 {unknown} 的企业" in message(staff)
    assert "请先在企业库中登记该企业" in act_form(staff, project.pk, "landing").inner_text()
    project.refresh_from_db()
    assert project.landed_organization is None and project.credit_code == ""

    # The landed company cannot see the project yet.
    company = roles.open("enterprise")
    response = company.goto(detail)
    assert response is not None and response.status == 404

    landing = act_form(staff, project.pk, "landing")
    landing.get_by_label("落地企业统一社会信用代码").fill(landed.credit_code)
    click_and_wait(staff, landing.get_by_role("button", name="登记落地"))
    assert f"已登记落地晋江：{landed.name}" in message(staff)
    project.refresh_from_db()
    assert project.landed_organization == landed and project.credit_code == landed.credit_code
    assert project.landed_on == today and project.landing_note == "在陈埭镇注册生产企业"
    assert project.stage == Stage.INVESTMENT and project.last_progress_on == today
    section = staff.locator("section", has=staff.locator("h2", has_text="落地晋江")).inner_text()
    assert landed.name in section and "在陈埭镇注册生产企业" in section
    screenshot(staff, "incubation-03-landed")

    # ---- 5. the timeline shows every step, by the right person ---------------------------------------------
    entries = timeline(staff)
    heads = [e.splitlines()[0] for e in entries]
    expected = [
        ("提交入孵申请 → 项目招引", "enclave"),
        ("指派评审", "staff"),
        ("评审人声明利益冲突", ""),  # not named on the shared timeline
        ("决定入孵 → 入孵", "staff"),
        ("进入投资支持 → 投资支持", "staff"),
        ("登记投资", "staff"),
        ("落地晋江", "staff"),
    ]
    day = f"{today.year}年{today.month}月{today.day}日"
    assert heads == [f"{step} · {day}" + (f" · {who}" if who else "") for step, who in expected], heads
    assert "已指派 2 位评审人" in entries[1] and "admin" not in entries[1] and "expert" not in entries[1]
    assert "曾担任该团队技术顾问" not in "".join(entries)  # the conflict note stays with the bureau
    assert "天使轮 300万元" in entries[5]
    assert f"{landed.name}（{landed.credit_code}）" in entries[6]
    assert ProjectEvent.objects.filter(project=project).count() == len(expected)
    assert list(ProjectEvent.objects.filter(project=project).values_list("to_stage", flat=True)) == [
        "recruiting",
        "recruiting",
        "recruiting",
        "incubating",
        "investment",
        "investment",
        "investment",
    ]

    # The operator sees the same timeline, the mean score and the decision, not who scored what.
    op.goto(detail)
    assert [e.splitlines()[0] for e in timeline(op)] == heads
    shown = op.locator("main").inner_text()
    assert f"评审得分：{total}" in shown and "评审得分高于入孵线" in shown
    assert "技术路线清晰" not in shown and op.locator("th", has_text="加权总分").count() == 0
    assert "曾担任该团队技术顾问" not in shown and "admin" not in shown
    assert_name_is_text(op)

    # ---- 6. who may see it now ---------------------------------------------------------------------------
    response = company.goto(detail)
    assert response is not None and response.status == 200
    assert_name_is_text(company)
    assert company.locator("section", has_text="落地晋江").get_by_role("link", name=landed.name).count() == 1
    assert act_form(company, project.pk, "advance").count() == 0  # an enterprise does not manage it
    company.goto(f"{base}/incubation/")
    assert company.locator("table.data tbody tr").count() == 1
    assert company.locator("main script").count() == 0

    for username in ("enterprise2", "enclave2"):
        stranger = roles.open(username)
        response = stranger.goto(detail)
        assert response is not None and response.status == 404, username
        assert "鞋材化学回收" not in stranger.content()
        response = stranger.goto(f"{detail}review/")
        assert response is not None and response.status in (403, 404), username
        stranger.goto(f"{base}/incubation/")
        assert "鞋材化学回收" not in stranger.content(), username

    public = roles.open(None)
    public.goto(detail)
    public.wait_for_load_state()
    assert public.url == f"{base}/accounts/login/?next=/incubation/{project.pk}/", public.url
    assert "鞋材化学回收" not in public.content()

    assert roles.dialogs == []  # the <script> in the name never ran, for anyone
    assert all(p.js_errors == [] for p in roles.pages), [p.js_errors for p in roles.pages]


def test_idle_project_is_eliminated_from_the_candidate_list(
    page: Any, roles: Roles, live_server: Any, transactional_db: Any, world: Any
) -> None:
    from django.utils import timezone

    from kechuang.incubation.choices import Stage
    from kechuang.incubation.models import EliminationDecision, Project
    from tests.incubation import factories as fx

    base = live_server.url
    today = timezone.localdate()
    project = fx.own_project(world)  # admitted 2025-02-10, nothing since
    busy = fx.apply(world, name="近期有进展的项目", applicant=world.same_town_enterprise.organization)
    fx.review(world, busy, "expert")
    fx.admit(world, busy, on=today - dt.timedelta(days=3))
    idle = (today.year - 2025) * 12 + today.month - 2 - (today.day < 10)
    assert idle >= 6

    staff = roles.watch(page, "staff")
    login(staff, base, "staff")
    click_and_wait(staff, staff.locator("nav").get_by_role("link", name="淘汰候选"))
    assert staff.locator("h1").inner_text() == "淘汰候选名单"
    cards = staff.locator("section.card", has=staff.locator("h2 a"))
    assert cards.count() == 1  # the busy project is not a candidate
    card = cards.first
    text = card.inner_text()
    assert project.name in text and busy.name not in staff.locator("main").inner_text()
    assert f"长期无进展：最近进展 2025年2月10日，已 {idle} 个月无进展（规则：6 个月）" in text, text

    card.locator("summary", has_text="作出决定").click()
    card.get_by_label("淘汰（移出在孵名单）").check()
    with staff.expect_response(lambda r: r.url.endswith(f"/candidates/{project.pk}/decide/")) as posted:
        click_and_wait(staff, card.get_by_role("button", name="保存决定"))
    assert posted.value.status == 400
    assert "请更正表单中的错误（已保留您填写的内容）" in message(staff)
    card = staff.locator("section.card", has=staff.locator("h2 a", has_text=project.name))
    assert card.get_by_label("淘汰（移出在孵名单）").is_checked()  # shown open, the choice kept
    assert "这个字段是必填项" in card.locator(".field.has-error").inner_text()
    assert Project.objects.get(pk=project.pk).stage == Stage.INCUBATING
    card.get_by_label("决定理由").fill("团队解散，负责人已联系不上")
    click_and_wait(staff, card.get_by_role("button", name="保存决定"))
    assert f"已决定淘汰“{project.name}”（项目记录完整保留）" in message(staff)
    assert "没有触发淘汰规则的在孵项目" in staff.locator("main").inner_text()
    history = staff.locator("section", has=staff.locator("h2", has_text="最近的淘汰决定"))
    assert "团队解散，负责人已联系不上" in history.inner_text() and "淘汰" in history.inner_text()

    project = Project.objects.get(pk=project.pk)  # still there, with everything it had
    assert project.stage == Stage.ELIMINATED and project.eliminated_on == today
    assert project.elimination_reason == "团队解散，负责人已联系不上"
    assert project.reviews.count() == 2 and project.admitted_on == fx.DECIDED
    decision = EliminationDecision.objects.get()
    assert decision.project == project and decision.eliminate and decision.rules == ["no_progress"]
    assert decision.decided_by == world.users["bureau_staff"]
    assert Project.objects.get(pk=busy.pk).stage == Stage.INCUBATING

    click_and_wait(staff, history.get_by_role("link", name=project.name))
    assert status_of(staff) == "淘汰"
    assert timeline(staff)[-1].startswith(
        f"决定淘汰 → 淘汰 · {today.year}年{today.month}月{today.day}日 · staff"
    )
    assert "团队解散，负责人已联系不上" in staff.locator("dl.props").inner_text()
    assert roles.dialogs == [] and staff.js_errors == []
