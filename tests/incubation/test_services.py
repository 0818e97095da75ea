"""Incubation services: applications, the rubric, reviews with conflicts of interest, the admission
decision, forward-only stages, activities moving last progress, landing in Jinjiang by credit code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kechuang.incubation import services
from kechuang.incubation.choices import Stage
from kechuang.incubation.models import Project, ProjectEvent, Review, Rubric, RubricCriterion
from kechuang.orgs.choices import InstitutionCategory, OrgKind
from kechuang.orgs.models import Fund, Institution, Organization
from tests import factories as f
from tests.incubation import factories as fx


def messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return "；".join(exc.value.messages)


# ---- applications -------------------------------------------------------------------------------------


def test_application_needs_substance_and_a_carrier(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.submit_application(
            actor=None,
            carrier=world.own_enclave,
            data=services.ApplicationData(name=" ", team="太短", technology="", market="市场很大"),
        )
    errors = exc.value.message_dict
    assert errors["name"] == ["请填写项目名称"]
    assert (
        errors["team"] == ["团队情况过短，请至少写10个字"] and "technology" in errors and "market" in errors
    )
    with pytest.raises(ValidationError) as exc:
        services.submit_application(actor=None, carrier=world.institution, data=fx.data())
    assert "孵化载体须为创新飞地" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        fx.apply(world, applied_on=timezone.localdate() + dt.timedelta(days=1))
    assert "申请日期不能晚于今天" in messages(exc)


def test_application_starts_recruiting_and_refuses_duplicates(world: Any) -> None:
    project = fx.apply(world, actor=world.users["enterprise"], applicant=world.own_enterprise.organization)
    assert project.stage == Stage.RECRUITING and project.last_progress_on == fx.APPLIED
    assert project.events.get().action == "提交入孵申请"
    with pytest.raises(ValidationError) as exc:
        fx.apply(world)
    assert "已有同名项目" in messages(exc)


def test_a_county_incubator_is_a_carrier_and_the_database_wants_exactly_one(world: Any) -> None:
    org = Organization.objects.create(kind=OrgKind.INSTITUTION, name="晋江市三创园")
    incubator = Institution.objects.create(organization=org, category=InstitutionCategory.INCUBATOR)
    project = fx.apply(world, carrier=incubator)
    assert (
        project.incubator == incubator and project.enclave is None and project.carrier_name == "晋江市三创园"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(enclave=world.own_enclave)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(incubator=None)


# ---- rubric -------------------------------------------------------------------------------------------


def test_default_rubric_is_created_once_and_weights_must_add_up(world: Any) -> None:
    rubric = services.default_rubric()
    assert services.default_rubric() == rubric and Rubric.objects.count() == 1
    assert [(c.name, c.weight) for c in rubric.criteria.all()] == [
        ("团队", 30),
        ("技术", 30),
        ("市场", 25),
        ("资金", 15),
    ]
    assert rubric.admission_line == 70
    with pytest.raises(ValidationError) as exc:
        services.check_rubric_weights([30, 30, 30])
    assert messages(exc) == "各评分项权重之和应为100，当前为90"
    services.check_rubric_weights([50, 50])


def test_rubric_is_frozen_on_the_project_when_reviewers_are_assigned(world: Any) -> None:
    project = fx.apply(world)
    services.assign_reviewers(actor=None, project=project, reviewers=[world.users["expert"]])
    criterion = RubricCriterion.objects.get(rubric=services.default_rubric(), code="team")
    criterion.weight = 90
    criterion.save()
    project.refresh_from_db()
    assert [c["weight"] for c in project.criteria] == [30, 30, 25, 15]
    other = fx.apply(world, name="另一个项目")
    with pytest.raises(ValidationError) as exc:
        services.assign_reviewers(actor=None, project=other, reviewers=[world.users["expert"]])
    assert "权重之和应为100，当前为160" in messages(exc)


# ---- reviews and conflicts of interest ----------------------------------------------------------------


def test_reviewers_must_be_experts_or_bureau(world: Any) -> None:
    project = fx.apply(world)
    with pytest.raises(ValidationError) as exc:
        services.assign_reviewers(actor=None, project=project, reviewers=[world.users["investor"]])
    assert "不是专家或科技局工作人员" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.assign_reviewers(actor=None, project=project, reviewers=[])
    assert messages(exc) == "请至少选择一位评审人"


def test_a_reviewer_linked_to_the_applicant_cannot_be_assigned_or_score(world: Any) -> None:
    # The expert's institution applies: linked through the expert profile.
    project = fx.apply(world, applicant=world.institution.organization)
    with pytest.raises(ValidationError) as exc:
        services.assign_reviewers(actor=None, project=project, reviewers=[world.users["expert"]])
    assert "评审人（专家）所在高校院所即申请单位" in messages(exc)
    # The link appears after assignment (the profile changed): scoring is refused all the same.
    other = fx.apply(world, name="第二个项目", applicant=world.own_enterprise.organization)
    services.assign_reviewers(actor=None, project=other, reviewers=[world.users["bureau_staff"]])
    profile = world.users["bureau_staff"].profile
    profile.organization = world.own_enterprise.organization
    profile.save()
    review = Review.objects.get(project=other)
    with pytest.raises(ValidationError) as exc:
        services.submit_review(actor=world.users["bureau_staff"], review=review, scores=fx.GOOD)
    assert "评审人所在单位即申请单位，存在利益冲突，不能为该项目评分" in messages(exc)
    # The applicant who submitted it cannot review it either.
    own = fx.apply(world, name="第三个项目", actor=world.users["bureau_admin"])
    with pytest.raises(ValidationError) as exc:
        services.assign_reviewers(actor=None, project=own, reviewers=[world.users["bureau_admin"]])
    assert "评审人是该项目的申请人" in messages(exc)


def test_a_declared_conflict_blocks_scoring_and_drops_the_score(world: Any) -> None:
    project = fx.apply(world)
    fx.review(world, project, "expert", {"team": 100, "technology": 100, "market": 100, "funding": 100})
    fx.review(world, project, "bureau_staff")
    project.refresh_from_db()
    assert project.review_score == Decimal("88.75")  # mean of 100 and 77.5
    review = Review.objects.select_related("project", "reviewer").get(
        project=project, reviewer=world.users["expert"]
    )
    with pytest.raises(ValidationError) as exc:
        services.declare_conflict(actor=world.users["bureau_staff"], review=review)
    assert messages(exc) == "只能由评审人本人声明利益冲突"
    services.declare_conflict(actor=world.users["expert"], review=review, note="曾指导该团队")
    project.refresh_from_db()
    assert project.review_score == Decimal("77.50")
    with pytest.raises(ValidationError) as exc:
        services.submit_review(actor=world.users["expert"], review=review, scores=fx.GOOD)
    assert messages(exc) == "您已声明与该项目存在利益冲突，不能评分"


def test_scores_are_checked_per_criterion_and_weighted(world: Any) -> None:
    project = fx.apply(world)
    services.assign_reviewers(actor=None, project=project, reviewers=[world.users["expert"]])
    review = Review.objects.select_related("project", "reviewer").get(project=project)
    with pytest.raises(ValidationError) as exc:
        services.submit_review(
            actor=world.users["expert"], review=review, scores={"team": 120, "technology": "好", "market": 50}
        )
    errors = exc.value.message_dict
    assert errors["score_team"] == ["“团队”得分应在 0–100 之间，当前为 120"]
    assert errors["score_technology"] == ["“技术”得分应为数字"]
    assert errors["score_funding"] == ["请为“资金”评分"]
    with pytest.raises(ValidationError) as exc:
        services.submit_review(actor=world.users["bureau_staff"], review=review, scores=fx.GOOD)
    assert messages(exc) == "您未被指派评审该项目"
    done = services.submit_review(actor=world.users["expert"], review=review, scores=fx.GOOD, comment="好")
    assert done.total == Decimal("77.50") and done.scores["team"] == "80"
    assert (
        services.weighted_total(project.criteria, {"team": 0, "technology": 0, "market": 0, "funding": 100})
        == 15
    )


def test_decision_needs_bureau_reason_and_a_non_conflicted_review(world: Any) -> None:
    project = fx.apply(world)
    staff = world.users["bureau_staff"]
    with pytest.raises(ValidationError) as exc:
        services.decide_admission(
            actor=world.users["enclave_operator"], project=project, admit=True, reason="好"
        )
    assert messages(exc) == "只有科技局工作人员可以作出入孵决定"
    with pytest.raises(ValidationError) as exc:
        services.decide_admission(actor=staff, project=project, admit=True, reason=" ")
    assert messages(exc) == "请填写决定理由"
    with pytest.raises(ValidationError) as exc:
        services.decide_admission(actor=staff, project=project, admit=True, reason="好")
    assert "至少需要一份无利益冲突的评审意见" in messages(exc)
    review = fx.review(world, project, "expert")
    services.declare_conflict(actor=world.users["expert"], review=review)
    with pytest.raises(ValidationError):
        services.decide_admission(actor=staff, project=project, admit=True, reason="好")
    fx.review(world, project, "bureau_admin")
    services.decide_admission(
        actor=staff, project=project, admit=False, reason="技术不成熟", decided_on=fx.DECIDED
    )
    project.refresh_from_db()
    assert project.stage == Stage.REJECTED and project.decision == "reject" and project.admitted_on is None
    assert project.events.order_by("pk").last().action == "决定不予入孵"  # type: ignore[union-attr]
    with pytest.raises(ValidationError) as exc:
        services.decide_admission(actor=staff, project=project, admit=True, reason="复议")
    assert "项目当前阶段为“未获准入孵”，不能再作入孵决定" in messages(exc)


# ---- lifecycle ----------------------------------------------------------------------------------------


def test_stages_move_forward_only_and_are_on_the_timeline(world: Any) -> None:
    project = fx.own_project(world)
    assert project.stage == Stage.INCUBATING and project.admitted_on == fx.DECIDED
    operator = world.users["enclave_operator"]
    with pytest.raises(ValidationError) as exc:
        services.advance_project_stage(actor=operator, project=project, to_stage=Stage.ELIMINATED)
    assert "淘汰须由科技局在淘汰候选名单中作出决定" in messages(exc)
    services.advance_project_stage(
        actor=operator, project=project, to_stage=Stage.LANDING, on=dt.date(2025, 5, 1), note="跳过投资"
    )
    with pytest.raises(ValidationError) as exc:
        services.advance_project_stage(actor=operator, project=project, to_stage=Stage.INVESTMENT)
    assert messages(exc) == "项目当前阶段为“落地辅导”，不能变更为“投资支持”（只能向后推进到：成长跟踪、毕业）"
    with pytest.raises(ValidationError) as exc:
        services.advance_project_stage(
            actor=operator, project=project, to_stage=Stage.GROWTH, on=dt.date(2025, 4, 1)
        )
    assert "变更日期不能早于上一次阶段变更（2025年5月1日）" in messages(exc)
    services.advance_project_stage(
        actor=operator, project=project, to_stage=Stage.GRADUATED, on=dt.date(2025, 9, 1)
    )
    project.refresh_from_db()
    assert project.graduated_on == dt.date(2025, 9, 1) and project.last_progress_on == dt.date(2025, 9, 1)
    with pytest.raises(ValidationError) as exc:
        services.advance_project_stage(actor=operator, project=project, to_stage=Stage.GROWTH)
    assert "不能变更为“成长跟踪”" in messages(exc)
    steps = [
        (e.from_stage, e.to_stage)
        for e in ProjectEvent.objects.filter(project=project)
        if e.from_stage != e.to_stage
    ]
    assert steps == [
        ("", "recruiting"),
        ("recruiting", "incubating"),
        ("incubating", "landing"),
        ("landing", "graduated"),
    ]
    assert project.history.count() >= 4  # type: ignore[attr-defined]


def test_recruiting_projects_are_admitted_only_by_decision(world: Any) -> None:
    project = fx.apply(world)
    with pytest.raises(ValidationError) as exc:
        services.advance_project_stage(actor=None, project=project, to_stage=Stage.INCUBATING)
    assert messages(exc) == "是否入孵须由科技局在评审后作出入孵决定"
    with pytest.raises(ValidationError) as exc:
        services.add_milestone(actor=None, project=project, title="样机", due_on=dt.date(2025, 6, 1))
    assert messages(exc) == "项目当前阶段为“项目招引”，不能添加里程碑"
    with pytest.raises(ValidationError):
        services.advance_project_stage(actor=None, project=project, to_stage="nonsense")


def test_every_activity_moves_last_progress_forward(world: Any) -> None:
    project = fx.own_project(world)
    assert project.last_progress_on == fx.DECIDED
    milestone = services.add_milestone(
        actor=None, project=project, title="完成样机", due_on=dt.date(2025, 5, 1)
    )
    assert project.last_progress_on == fx.DECIDED  # planning is not progress
    services.record_service(
        actor=None,
        project=project,
        kind="mentoring",
        description="创业导师辅导",
        provided_on=dt.date(2025, 3, 3),
    )
    assert project.last_progress_on == dt.date(2025, 3, 3)
    services.complete_milestone(actor=None, milestone=milestone, done_on=dt.date(2025, 5, 20))
    assert project.last_progress_on == dt.date(2025, 5, 20)
    with pytest.raises(ValidationError) as exc:
        services.complete_milestone(actor=None, milestone=milestone, done_on=dt.date(2025, 5, 21))
    assert messages(exc) == "里程碑“完成样机”已于2025年5月20日完成"
    services.record_service(
        actor=None,
        project=project,
        kind="tech",
        description="较早的服务补录",
        provided_on=dt.date(2025, 4, 1),
    )
    assert project.last_progress_on == dt.date(2025, 5, 20)  # never moves back
    services.record_periodic_review(
        actor=None,
        project=project,
        reviewed_on=dt.date(2025, 6, 30),
        score=Decimal(81),
        progress_note="中试完成",
    )
    services.record_investment(
        actor=None,
        project=project,
        amount=Decimal(300),
        round="angel",
        invested_on=dt.date(2025, 7, 15),
        investor=world.investor,
    )
    project.refresh_from_db()
    assert project.last_progress_on == dt.date(2025, 7, 15)
    assert project.investments.get().investor_name == world.investor.organization.name


def test_bad_activity_input_gets_chinese_messages(world: Any) -> None:
    project = fx.own_project(world)
    fund = Fund.objects.create(investor=f.investor("别家创投"), name="别家基金")
    with pytest.raises(ValidationError) as exc:
        services.record_investment(
            actor=None,
            project=project,
            amount=Decimal(0),
            round="z",
            invested_on=dt.date(2025, 3, 1),
            investor=world.investor,
            fund=fund,
        )
    errors = exc.value.message_dict
    assert errors["amount"] == ["投资金额应大于0（万元）"] and errors["round"] == ["请选择投资轮次"]
    assert errors["fund"] == [f"基金“别家基金”不属于“{world.investor}”"]
    with pytest.raises(ValidationError) as exc:
        services.record_investment(
            actor=None, project=project, amount=Decimal(5), round="a", invested_on=dt.date(2025, 3, 1)
        )
    assert exc.value.message_dict["investor_name"] == ["请选择投资机构或填写投资方名称"]
    with pytest.raises(ValidationError) as exc:
        services.record_periodic_review(
            actor=None, project=project, reviewed_on=dt.date(2025, 3, 1), score=Decimal(101), progress_note=""
        )
    assert exc.value.message_dict["score"] == ["评估得分应在 0–100 之间"]
    with pytest.raises(ValidationError) as exc:
        services.record_service(
            actor=None, project=project, kind="tech", description="x", provided_on=dt.date(2024, 1, 1)
        )
    assert "服务日期不能早于申请日期（2025年1月6日）" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.add_milestone(actor=None, project=project, title="x", due_on=dt.date(2025, 1, 1))
    assert "计划完成日期不能早于入孵日期（2025年2月10日）" in messages(exc)


# ---- landing in Jinjiang ------------------------------------------------------------------------------


def test_landing_is_linked_by_credit_code_to_the_registry(world: Any) -> None:
    project = fx.own_project(world)
    operator = world.users["enclave_operator"]
    with pytest.raises(ValidationError) as exc:
        services.record_landing(
            actor=operator, project=project, credit_code="12345", landed_on=dt.date(2025, 6, 1)
        )
    assert exc.value.message_dict["credit_code"] == ["统一社会信用代码应为18位，当前为5位"]
    unknown = f.credit_code(999_999)
    with pytest.raises(ValidationError) as exc:
        services.record_landing(
            actor=operator, project=project, credit_code=unknown, landed_on=dt.date(2025, 6, 1)
        )
    assert f"企业库中没有统一社会信用代码为 {unknown} 的企业" in messages(exc)
    with pytest.raises(ValidationError):
        services.record_landing(
            actor=operator,
            project=project,
            credit_code=world.same_town_enterprise.organization.credit_code,
            landed_on=dt.date(2025, 1, 20),
        )
    code = world.same_town_enterprise.organization.credit_code
    spaced = f"{code[:6]} {code[6:12]}-{code[12:].lower()}"
    services.record_landing(
        actor=operator, project=project, credit_code=spaced, landed_on=dt.date(2025, 6, 1)
    )
    project.refresh_from_db()
    assert (
        project.landed_organization == world.same_town_enterprise.organization and project.credit_code == code
    )
    with pytest.raises(ValidationError) as exc:
        services.record_landing(
            actor=operator, project=project, credit_code=code, landed_on=dt.date(2025, 6, 2)
        )
    assert "该项目已于2025年6月1日登记落地企业" in messages(exc)
    second = fx.other_project(world)
    with pytest.raises(ValidationError) as exc:
        services.record_landing(actor=None, project=second, credit_code=code, landed_on=dt.date(2025, 6, 1))
    assert "已登记为项目“鞋材回收再生（本方）”的落地企业，不能重复计入" in messages(exc)


def test_landing_figures_by_year(world: Any) -> None:
    project = fx.own_project(world)
    with pytest.raises(ValidationError) as exc:
        services.record_landing_figure(actor=None, project=project, year=2025, jobs=3, output=None, tax=None)
    assert messages(exc) == "项目尚未登记落地企业，不能填报落地企业年度数据"
    services.record_landing(
        actor=None,
        project=project,
        credit_code=world.same_town_enterprise.organization.credit_code,
        landed_on=dt.date(2025, 6, 1),
    )
    with pytest.raises(ValidationError) as exc:
        services.record_landing_figure(actor=None, project=project, year=2024, jobs=3, output=None, tax=None)
    assert exc.value.message_dict["year"] == ["年度不能早于落地年份（2025年）"]
    with pytest.raises(ValidationError) as exc:
        services.record_landing_figure(
            actor=None, project=project, year=2025, jobs=None, output=None, tax=None
        )
    assert "请至少填写就业人数、产值、税收中的一项" in messages(exc)
    services.record_landing_figure(
        actor=None, project=project, year=2025, jobs=12, output=Decimal(800), tax=None
    )
    services.record_landing_figure(
        actor=None, project=project, year=2025, jobs=15, output=Decimal(900), tax=Decimal(40)
    )
    figure = project.figures.get()
    assert (figure.jobs, figure.output, figure.tax) == (15, Decimal(900), Decimal(40))
    assert project.last_progress_on == dt.date(2025, 12, 31)
