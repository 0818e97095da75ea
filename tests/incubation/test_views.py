"""Incubation pages: lists with filters and no N+1, empty states, forms that keep what was typed and say
what is wrong in Chinese, the review and decision flow, candidates with decisions, the Excel export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from kechuang.incubation import services
from kechuang.incubation.choices import Stage
from kechuang.incubation.models import Project, Review
from tests.incubation import factories as fx


def html(response: Any) -> str:
    return response.content.decode()


def test_empty_states(client_for: Any, world: Any) -> None:
    page = html(client_for("bureau_staff").get("/incubation/"))
    assert "没有符合条件的孵化项目" in page and "在线申请入孵" in page
    assert "指派给您评审或与您相关的项目" in html(client_for("expert").get("/incubation/"))
    candidates = html(client_for("bureau_staff").get("/incubation/candidates/"))
    assert "没有触发淘汰规则的在孵项目" in candidates and "暂无淘汰决定" in candidates


def test_list_filters_and_shows_carrier_stage_and_investment(client_for: Any, world: Any) -> None:
    own, other = fx.own_project(world), fx.other_project(world)
    services.record_investment(
        actor=None,
        project=own,
        amount=Decimal(300),
        round="angel",
        invested_on=dt.date(2025, 3, 1),
        investor_name="甲",
    )
    staff = client_for("bureau_staff")
    page = html(staff.get("/incubation/"))
    assert own.name in page and other.name in page and "300万元" in page and world.own_enclave.name in page
    page = html(staff.get(f"/incubation/?carrier=enclave:{world.other_enclave.pk}"))
    assert other.name in page and own.name not in page
    page = html(staff.get("/incubation/?q=鞋材"))
    assert own.name in page and other.name not in page
    page = html(staff.get("/incubation/?stage=graduated"))
    assert "没有符合条件的孵化项目" in page and "请调整筛选条件" in page
    assert own.name not in html(staff.get("/incubation/?carrier=bogus"))


def test_list_query_count_does_not_grow_with_rows(
    client_for: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    staff = client_for("bureau_staff")
    fx.own_project(world)
    with django_assert_max_num_queries(12) as few:
        staff.get("/incubation/")
    for i in range(12):
        project = fx.apply(world, name=f"批量项目{i}", applicant=world.same_town_enterprise.organization)
        if i % 2:
            fx.review(world, project, "expert")
            fx.admit(world, project)
            services.record_investment(
                actor=None,
                project=project,
                amount=Decimal(10),
                round="a",
                invested_on=fx.DECIDED,
                investor_name="乙",
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff.get("/incubation/")
    assert "批量项目11" in html(response)


def test_export_opens_and_is_scoped(client_for: Any, world: Any) -> None:
    own, other = fx.own_project(world), fx.other_project(world)
    response = client_for("enclave_operator").get("/incubation/?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "项目名称", "孵化载体")
    assert [r[1] for r in rows[1:]] == [own.name]
    assert rows[1][5] == "入孵" and other.name not in {r[1] for r in rows}


def test_application_form_keeps_input_and_sets_the_applicant(client_for: Any, world: Any) -> None:
    c = client_for("enterprise")
    page = html(c.get("/incubation/apply/"))
    assert "申请单位" not in page and world.own_enclave.name in page
    response = c.post(
        "/incubation/apply/",
        {
            "carrier": f"enclave:{world.own_enclave.pk}",
            "name": "<b>鞋底</b>回收",
            "team": "短",
            "technology": "x",
        },
    )
    page = html(response)
    assert response.status_code == 400
    assert "请更正下面标红的项目" in page and "这个字段是必填项" in page
    assert "&lt;b&gt;鞋底&lt;/b&gt;回收" in page and "<b>鞋底</b>" not in page
    response = c.post(
        "/incubation/apply/",
        {
            "carrier": f"enclave:{world.own_enclave.pk}",
            "name": "鞋底回收",
            "team": "团队五人，均有十年以上制鞋经验。",
            "technology": "物理粉碎与再造粒技术，已完成小试。",
            "market": "晋江鞋企废料处理需求旺盛，市场空间大。",
            "funding_needed": "200",
        },
    )
    project = Project.objects.get(name="鞋底回收")
    assert response.status_code == 302 and response["Location"] == f"/incubation/{project.pk}/"
    assert (
        project.applicant == world.own_enterprise.organization
        and project.submitted_by == world.users["enterprise"]
    )


def test_operator_applies_only_to_its_own_enclave(client_for: Any, world: Any) -> None:
    c = client_for("enclave_operator")
    page = html(c.get("/incubation/apply/"))
    assert world.own_enclave.name in page and world.other_enclave.name not in page
    response = c.post(
        "/incubation/apply/",
        {
            "carrier": f"enclave:{world.other_enclave.pk}",
            "name": "越权项目",
            "team": "团队五人，均有十年以上制鞋经验。",
            "technology": "物理粉碎与再造粒技术，已完成小试。",
            "market": "晋江鞋企废料处理需求旺盛，市场空间大。",
            "applicant_code": "不存在的单位",
        },
    )
    assert response.status_code == 400 and not Project.objects.filter(name="越权项目").exists()
    assert "越权项目" in html(response)


def test_review_assign_score_and_decide_through_the_pages(client_for: Any, world: Any) -> None:
    project = fx.apply(world, applicant=world.own_enterprise.organization)
    staff, expert = client_for("bureau_staff"), client_for("expert")
    page = html(staff.get(f"/incubation/{project.pk}/reviewers/"))
    assert "expert（高校院所/专家，测试大学）" in page
    response = staff.post(f"/incubation/{project.pk}/reviewers/", {"reviewers": [world.users["expert"].pk]})
    assert response.status_code == 302
    page = html(expert.get(f"/incubation/{project.pk}/review/"))
    assert "团队（权重 30%，满分 100）" in page
    response = expert.post(
        f"/incubation/{project.pk}/review/",
        {
            "score_team": "120",
            "score_technology": "90",
            "score_market": "70",
            "score_funding": "60",
            "comment": "留",
        },
    )
    assert (
        response.status_code == 400 and "“团队”得分不能超过 100" in html(response) and "留" in html(response)
    )
    response = expert.post(
        f"/incubation/{project.pk}/review/",
        {"score_team": "80", "score_technology": "90", "score_market": "70", "score_funding": "60"},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.review_score == Decimal("77.50")
    response = staff.post(
        f"/incubation/{project.pk}/act/decide/", {"decide-decision": "admit", "decide-reason": ""}
    )
    assert response.status_code == 400 and "请更正表单中的错误" in html(response)
    response = staff.post(
        f"/incubation/{project.pk}/act/decide/", {"decide-decision": "admit", "decide-reason": "同意入孵"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.INCUBATING
    page = html(client_for("enterprise").get(f"/incubation/{project.pk}/"))
    assert "同意入孵" in page and "77.50" in page and "进展时间线" in page


def test_conflict_declared_on_the_review_page(client_for: Any, world: Any) -> None:
    project = fx.apply(world)
    services.assign_reviewers(actor=None, project=project, reviewers=[world.users["expert"]])
    expert = client_for("expert")
    response = expert.post(f"/incubation/{project.pk}/review/", {"declare_conflict": "1", "note": "曾指导"})
    assert response.status_code == 302
    assert Review.objects.get(project=project).conflict_declared
    page = html(expert.get(f"/incubation/{project.pk}/review/"))
    assert "评审人已声明利益冲突，不能为该项目评分" in page
    assert "不计入：评审人已声明利益冲突" in html(
        client_for("bureau_staff").get(f"/incubation/{project.pk}/")
    )


def test_activity_forms_keep_input_and_explain_errors(client_for: Any, world: Any) -> None:
    project = fx.own_project(world)
    operator = client_for("enclave_operator")
    response = operator.post(
        f"/incubation/{project.pk}/act/landing/",
        {
            "landing-credit_code": "91350582MA0000000X",
            "landing-landed_on": "2025-06-01",
            "landing-note": "注册",
        },
    )
    page = html(response)
    assert response.status_code == 400 and "统一社会信用代码" in page and "91350582MA0000000X" in page
    response = operator.post(
        f"/incubation/{project.pk}/act/landing/",
        {
            "landing-credit_code": world.same_town_enterprise.organization.credit_code,
            "landing-landed_on": "2025-06-01",
        },
    )
    assert response.status_code == 302
    response = operator.post(
        f"/incubation/{project.pk}/act/figure/",
        {"figure-year": "2025", "figure-jobs": "-3", "figure-output": "-650", "figure-tax": "三十"},
    )
    page = html(response)
    assert response.status_code == 400
    assert "就业人数不能为负数" in page and "产值(万元)不能为负数" in page and "税收(万元)应为数字" in page
    assert "三十" in page
    operator.post(
        f"/incubation/{project.pk}/act/figure/",
        {"figure-year": "2025", "figure-jobs": "18", "figure-output": "650", "figure-tax": "30"},
    )
    page = html(operator.get(f"/incubation/{project.pk}/"))
    assert world.same_town_enterprise.organization.name in page and "650万元" in page and "2025年" in page
    response = operator.post(
        f"/incubation/{project.pk}/act/periodic/",
        {"periodic-reviewed_on": "2025-06-30", "periodic-score": "130", "periodic-progress_note": "进展顺利"},
    )
    assert response.status_code == 400 and "评估得分应在 0–100 之间" in html(response)
    assert "进展顺利" in html(response)
    response = operator.post(
        f"/incubation/{project.pk}/act/advance/",
        {"advance-to_stage": "eliminated", "advance-on": "2025-07-01"},
    )
    assert response.status_code == 400
    response = operator.post(
        f"/incubation/{project.pk}/act/milestone/",
        {"milestone-title": "中试", "milestone-due_on": "2025-09-01"},
    )
    assert response.status_code == 302 and project.milestones.get().title == "中试"
    assert operator.post(f"/incubation/{project.pk}/act/nonsense/").status_code == 404


def test_candidates_page_decides_with_reasons(client_for: Any, world: Any) -> None:
    project = fx.own_project(world)  # idle since 2025-02-10: a candidate today
    staff = client_for("bureau_staff")
    page = html(staff.get("/incubation/candidates/"))
    assert project.name in page and "无进展" in page and "作出决定" in page
    assert "作出决定" not in html(client_for("enclave_operator").get("/incubation/candidates/"))
    response = staff.post(f"/incubation/candidates/{project.pk}/decide/", {"eliminate": "1", "reason": ""})
    assert response.status_code == 400 and "请更正表单中的错误" in html(response)
    response = staff.post(
        f"/incubation/candidates/{project.pk}/decide/", {"eliminate": "1", "reason": "团队解散，联系不上"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.ELIMINATED
    page = html(staff.get("/incubation/candidates/"))
    assert "团队解散，联系不上" in page and "没有触发淘汰规则的在孵项目" in page
    assert "决定淘汰" in html(staff.get(f"/incubation/{project.pk}/"))
