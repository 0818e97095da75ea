"""The demand state machine, optimistic locking, deadlines, confidentiality and notifications."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kechuang.core.access import Principal, Role
from kechuang.core.workdays import add_workdays, workdays_between
from kechuang.demands import selectors, services
from kechuang.demands.choices import Confidentiality, Status, TargetKind
from kechuang.demands.models import Demand, DemandEvent, Holiday
from kechuang.notifications.models import Notification
from tests.demands_factories import data

BUREAU = Principal(role=Role.BUREAU_STAFF, user_id=1)


def test_full_path_to_landing_records_every_step(world: Any) -> None:
    staff, ent_user = world.users["bureau_staff"], world.users["enterprise"]
    demand = world.own_demand  # filed, accepted, routed to the enclave and the expert in the fixture
    routing = demand.routings.get(target_kind=TargetKind.ENCLAVE)
    services.acknowledge_routing(actor=world.users["enclave_operator"], routing=routing)
    response = services.submit_response(
        actor=world.users["enclave_operator"],
        routing=routing,
        data=services.ResponseData(
            "采用新型TPU共混改性配方，配合密炼工艺优化。", "武汉团队5人", 5, 6, Decimal("80")
        ),
    )
    demand.refresh_from_db()
    assert demand.status == Status.ANSWERED
    services.accept_response(actor=ent_user, response=response)
    services.record_meeting(actor=ent_user, demand=demand, met_on=dt.date.today(), notes="双方确定试验方案")
    services.record_contract(
        actor=ent_user,
        demand=demand,
        contract_type="development",
        amount=Decimal("120"),
        signed_on=dt.date.today(),
        counterparty="武汉某大学",
        response=response,
    )
    services.record_landing(actor=staff, demand=demand, name="耐磨鞋底中试线", landed_on=dt.date.today())
    demand.refresh_from_db()
    assert demand.status == Status.LANDED and demand.stage_reached == 7
    actions = list(demand.events.values_list("action", flat=True))
    assert actions == [
        "创建需求",
        "提交",
        "受理",
        "分派",
        "确认收到",
        "提交响应",
        "采纳响应",
        "记录对接",
        "登记技术合同",
        "登记项目落地",
    ]
    assert demand.version == 1 + sum(1 for e in demand.events.all() if e.action != "创建需求")


def test_illegal_transitions_are_refused_with_the_current_status(world: Any) -> None:
    with pytest.raises(services.TransitionError, match="当前状态为“已分派”，不能执行“受理”"):
        services.accept_demand(actor=None, demand=world.own_demand)
    with pytest.raises(services.TransitionError, match="不能执行“登记技术合同”"):
        services.record_contract(
            actor=None,
            demand=world.other_demand,
            contract_type="service",
            amount=Decimal(1),
            signed_on=dt.date.today(),
            counterparty="x",
        )
    assert world.other_demand.events.count() == 2  # nothing recorded for the refused steps


def test_stale_version_is_refused_and_nothing_is_overwritten(world: Any) -> None:
    demand = world.other_demand
    stale = demand.version
    services.accept_demand(actor=None, demand=demand, expected_version=stale)
    with pytest.raises(services.ConcurrentEditError, match="已被他人更新"):
        services.close_demand(
            actor=None, demand=Demand.objects.get(pk=demand.pk), reason="need_changed", expected_version=stale
        )
    assert Demand.objects.get(pk=demand.pk).status == Status.ACCEPTED


def test_edit_with_stale_version_is_refused(world: Any) -> None:
    demand = services.file_demand(
        actor=None, enterprise=world.own_enterprise, data=data("草稿需求"), submit=False
    )
    services.update_demand(actor=None, demand=demand, data=data("改名一次"), expected_version=1)
    with pytest.raises(services.ConcurrentEditError):
        services.update_demand(actor=None, demand=demand, data=data("改名两次"), expected_version=1)
    assert Demand.objects.get(pk=demand.pk).title == "改名一次"


def test_return_and_reject_need_reasons(world: Any) -> None:
    with pytest.raises(ValidationError):
        services.return_demand(actor=None, demand=world.other_demand, reason="  ")
    with pytest.raises(ValidationError):
        services.reject_demand(actor=None, demand=world.other_demand, reason="whatever")
    services.return_demand(actor=None, demand=world.other_demand, reason="请补充技术指标")
    world.other_demand.refresh_from_db()
    assert world.other_demand.status == Status.RETURNED
    services.transition(actor=None, demand=world.other_demand, step="submit")  # resubmitted after revision
    assert Demand.objects.get(pk=world.other_demand.pk).status == Status.SUBMITTED


def test_close_requires_a_listed_reason_and_keeps_it(world: Any) -> None:
    with pytest.raises(ValidationError):
        services.close_demand(actor=None, demand=world.own_demand, reason="other")  # "other" needs a note
    services.close_demand(actor=None, demand=world.own_demand, reason="too_costly", note="报价超出预算两倍")
    demand = Demand.objects.get(pk=world.own_demand.pk)
    assert (demand.status, demand.close_reason, demand.stage_reached) == (Status.CLOSED, "too_costly", 3)


def test_merge_points_to_the_kept_demand(world: Any) -> None:
    services.merge_demand(actor=None, demand=world.other_demand, into=world.public_demand)
    merged = Demand.objects.get(pk=world.other_demand.pk)
    assert merged.status == Status.MERGED and merged.merged_into_id == world.public_demand.pk
    assert world.public_demand.events.filter(action="合并重复需求").exists()


def test_workdays_respect_holidays_and_makeup_days() -> None:
    national_day = {dt.date(2024, 10, d): False for d in range(1, 8)} | {dt.date(2024, 10, 12): True}
    assert add_workdays(dt.date(2024, 9, 30), 5, national_day) == dt.date(2024, 10, 12)
    assert add_workdays(dt.date(2024, 11, 1), 5, {}) == dt.date(2024, 11, 8)
    assert workdays_between(dt.date(2024, 9, 30), dt.date(2024, 10, 8), national_day) == 1


def test_ack_deadline_uses_configured_holidays(world: Any) -> None:
    today = dt.date.today()
    plain = services.ack_due_date(today)
    Holiday.objects.create(date=today + dt.timedelta(days=1), name="测试假日")
    assert services.ack_due_date(today) >= plain


def test_overdue_routing_is_flagged(world: Any) -> None:
    world.own_demand.routings.update(ack_due=dt.date.today() - dt.timedelta(days=1))
    page = list(Demand.objects.filter(pk__in=[world.own_demand.pk, world.public_demand.pk]))
    selectors.attach_overdue(page)
    flags = {d.pk: d.is_overdue for d in page}  # type: ignore[attr-defined]
    assert flags == {world.own_demand.pk: True, world.public_demand.pk: False}


def test_private_demands_never_reach_public_lists(world: Any) -> None:
    public = {d.pk for d in selectors.public_demands(principal=Principal(role=Role.PUBLIC))}
    assert public == {world.public_demand.pk}
    summary = services.file_demand(
        actor=None,
        enterprise=world.other_enterprise,
        data=data(
            "摘要公开的需求",
            Confidentiality.SUMMARY,
            public_summary="某陶瓷企业寻求节能方案",
            summary_approved=True,
        ),
    )
    services.accept_demand(actor=None, demand=summary)
    hits = selectors.public_demands(principal=Principal(role=Role.PUBLIC), q="窑炉")
    assert world.other_demand.pk not in {d.pk for d in hits}  # private text is not searchable publicly
    assert summary.pk not in {d.pk for d in hits}  # nor is a summary-only demand's private description


def test_summary_only_demand_needs_a_summary(world: Any) -> None:
    with pytest.raises(ValidationError, match="公开摘要"):
        services.file_demand(
            actor=None, enterprise=world.own_enterprise, data=data("缺摘要", Confidentiality.SUMMARY)
        )


def test_notifications_go_to_the_right_people_only(world: Any) -> None:
    titles = lambda user: list(Notification.objects.filter(recipient=user).values_list("title", flat=True))  # noqa: E731
    assert any("分派" in t for t in titles(world.users["enterprise"]))
    assert any("新的技术需求待确认" in t for t in titles(world.users["enclave_operator"]))
    assert not any(
        "陶瓷窑炉" in t for t in titles(world.users["enterprise"])
    )  # another firm's private demand
    assert not titles(world.users["investor"])


def test_funnel_counts_stages_reached(world: Any) -> None:
    result = selectors.funnel(principal=BUREAU, filters=selectors.DemandFilters())
    counts = {s["label"]: s["count"] for s in result.stages}
    assert counts["提交"] == 3 and counts["受理"] == 2 and counts["分派"] == 1 and counts["落地"] == 0
    officer = Principal(role=Role.TOWNSHIP_OFFICER, user_id=2, township_id=world.town.pk)
    assert selectors.funnel(principal=officer, filters=selectors.DemandFilters()).total == 2


def test_party_figures_feed_enclave_kpis(world: Any) -> None:
    routing = world.own_demand.routings.get(target_kind=TargetKind.ENCLAVE)
    services.submit_response(
        actor=None, routing=routing, data=services.ResponseData("方案方案方案方案方案方案", "团队", 4, 3)
    )
    rows = {(r["kind"], r["id"]): r for r in selectors.party_figures()}
    enclave = rows[("enclave", world.own_enclave.pk)]
    assert (enclave["routed"], enclave["answered"], enclave["answer_rate"], enclave["on_time_rate"]) == (
        1,
        1,
        1.0,
        1.0,
    )
    expert = rows[("expert", world.own_expert.pk)]
    assert expert["answered"] == 0 and expert["answer_rate"] == 0


def test_attachments_are_checked(world: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError, match="不支持的附件类型"):
        services.add_attachment(
            actor=None,
            demand=world.own_demand,
            upload=SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream"),
        )
    big = SimpleUploadedFile("big.pdf", b"0" * (10 * 1024 * 1024 + 1), content_type="application/pdf")
    with pytest.raises(ValidationError, match="10 MB"):
        services.add_attachment(actor=None, demand=world.own_demand, upload=big)


def test_events_record_actor(world: Any) -> None:
    event = DemandEvent.objects.filter(demand=world.own_demand, action="受理").get()
    assert event.actor == world.users["bureau_staff"] and event.to_status == Status.ACCEPTED


def test_time_in_status_is_measured_when_a_demand_moves_on(world: Any) -> None:
    from django.utils import timezone

    demand = world.other_demand
    demand.events.filter(action="提交").update(created_at=timezone.now() - dt.timedelta(days=2))
    services.accept_demand(actor=None, demand=demand)
    rows = {
        d["status"]: d
        for d in selectors.funnel(principal=BUREAU, filters=selectors.DemandFilters()).days_in_status
    }
    # three demands left 待受理: two at once in the fixture, this one after two days
    assert rows["submitted"]["samples"] == 3
    assert rows["submitted"]["days"] == pytest.approx(2 / 3, rel=0.05)
    entered = demand.events.get(action="提交")
    assert entered.seconds_in_status == pytest.approx(2 * 86400, abs=60)
