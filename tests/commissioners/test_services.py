"""Commissioner rules: overlapping and over-capacity assignments refused with nothing written, service
records land in the service ledger with their link, figures count confirmed records only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kechuang.commissioners import rules, selectors, services
from kechuang.commissioners.models import Assignment, AssignmentStatus, Commissioner, ServiceLink
from kechuang.techservices import services as ledger
from kechuang.techservices.models import ClaimStatus, ServiceClaim

pytestmark = pytest.mark.django_db

D = dt.date


def _commissioner(world: Any, *, max_enterprises: int = 2, expert: Any = None) -> Commissioner:
    return services.save_commissioner(
        actor=None, expert=expert or world.own_expert, field="shoes", max_enterprises=max_enterprises
    )


def _assign(c: Commissioner, enterprise: Any, start: dt.date, end: dt.date) -> Assignment:
    return services.assign(
        actor=None, commissioner=c, enterprise=enterprise, goals="鞋底耐磨改进", starts_on=start, ends_on=end
    )


def _counts() -> tuple[int, int, int, int]:
    return (
        Assignment.objects.count(),
        Assignment.history.count(),
        ServiceClaim.objects.count(),
        ServiceLink.objects.count(),
    )


# ---- registry -----------------------------------------------------------------------------------------


def test_commissioner_takes_name_and_institution_from_the_expert(world: Any) -> None:
    c = _commissioner(world)
    assert c.name == "李教授" and c.institution_id == world.institution.pk
    world.own_expert.refresh_from_db()
    assert world.own_expert.is_tech_commissioner is True
    assert c.history.count() == 1


def test_same_expert_twice_is_refused(world: Any) -> None:
    _commissioner(world)
    with pytest.raises(ValidationError) as err:
        _commissioner(world)
    assert "已登记为科技特派员" in err.value.message_dict["expert"][0]
    assert Commissioner.objects.count() == 1


def test_availability_period_checked(world: Any) -> None:
    with pytest.raises(ValidationError) as err:
        services.save_commissioner(
            actor=None, name="陈工", field="food", available_from=D(2025, 6, 1), available_until=D(2025, 1, 1)
        )
    assert "截止日期不能早于起始日期" in err.value.message_dict["available_until"][0]
    assert not Commissioner.objects.exists()


# ---- assignments --------------------------------------------------------------------------------------


def test_overlapping_assignment_of_the_same_pair_refused_and_nothing_written(world: Any) -> None:
    c = _commissioner(world, max_enterprises=5)
    _assign(c, world.own_enterprise, D(2025, 1, 1), D(2025, 6, 30))
    before = _counts()
    with pytest.raises(ValidationError) as err:
        _assign(c, world.own_enterprise, D(2025, 6, 30), D(2025, 12, 31))
    assert "同一企业的派驻期不能重叠" in err.value.messages[0]
    assert "晋江市甲鞋业有限公司" in err.value.messages[0]
    assert _counts() == before
    # the day after the first one ends is fine
    _assign(c, world.own_enterprise, D(2025, 7, 1), D(2025, 12, 31))


def test_capacity_reached_refused_and_nothing_written(world: Any) -> None:
    c = _commissioner(world, max_enterprises=2)
    _assign(c, world.own_enterprise, D(2025, 1, 1), D(2025, 12, 31))
    _assign(c, world.same_town_enterprise, D(2025, 3, 1), D(2025, 4, 30))
    before = _counts()
    with pytest.raises(ValidationError) as err:
        _assign(c, world.other_enterprise, D(2025, 4, 1), D(2025, 5, 31))
    assert err.value.messages == ["李教授在该时段已服务2家企业，达到同时服务上限，请调整时段或另选特派员"]
    assert _counts() == before
    # after the short one ends only one is held, so a place is free again
    third = _assign(c, world.other_enterprise, D(2025, 5, 1), D(2025, 5, 31))
    assert third.status == AssignmentStatus.ACTIVE


def test_closing_an_assignment_frees_the_place(world: Any) -> None:
    c = _commissioner(world, max_enterprises=1)
    first = _assign(c, world.own_enterprise, D(2025, 1, 1), D(2025, 12, 31))
    with pytest.raises(ValidationError):
        _assign(c, world.other_enterprise, D(2025, 2, 1), D(2025, 3, 1))
    services.close_assignment(actor=None, assignment=first, status="finished", note="提前完成")
    _assign(c, world.other_enterprise, D(2025, 2, 1), D(2025, 3, 1))
    with pytest.raises(ValidationError):
        services.close_assignment(actor=None, assignment=first, status="cancelled")


def test_assignment_outside_availability_or_inactive_refused(world: Any) -> None:
    c = services.save_commissioner(
        actor=None, name="陈工", field="food", available_from=D(2025, 1, 1), available_until=D(2025, 6, 30)
    )
    with pytest.raises(ValidationError) as err:
        _assign(c, world.own_enterprise, D(2025, 3, 1), D(2025, 9, 30))
    assert "可服务期至2025年06月30日" in err.value.message_dict["ends_on"][0]
    services.save_commissioner(actor=None, commissioner=c, is_active=False)
    with pytest.raises(ValidationError) as err:
        _assign(c, world.own_enterprise, D(2025, 3, 1), D(2025, 4, 30))
    assert "不在册" in err.value.messages[0]
    assert not Assignment.objects.exists()


def test_peak_load_counts_only_assignments_running_together() -> None:
    year = (D(2025, 1, 1), D(2025, 12, 31))
    assert rules.peak_load(year, [(D(2025, 1, 1), D(2025, 3, 31)), (D(2025, 4, 1), D(2025, 6, 30))]) == 1
    assert rules.peak_load(year, [(D(2025, 1, 1), D(2025, 4, 1)), (D(2025, 4, 1), D(2025, 6, 30))]) == 2
    assert rules.peak_load(year, [(D(2024, 1, 1), D(2024, 12, 31))]) == 0


# ---- service records ----------------------------------------------------------------------------------


def test_record_creates_a_commissioner_claim_and_the_link(world: Any) -> None:
    c = _commissioner(world)
    a = _assign(c, world.own_enterprise, D(2025, 1, 1), D(2025, 12, 31))
    link = services.record_service(
        actor=world.users["expert"],
        assignment=a,
        served_on=D(2025, 3, 10),
        problem="鞋底磨耗大",
        action="调整橡胶配方",
        result="DIN 磨耗下降 30%",
        value_claimed_wan=Decimal("25"),
        solved=True,
    )
    claim = link.claim
    assert claim.provider_kind == "commissioner" and claim.provider_name == "李教授"
    assert claim.enterprise_id == world.own_enterprise.pk and claim.institution_id == world.institution.pk
    assert claim.status == ClaimStatus.CLAIMED and claim.recorded_by == world.users["expert"]
    assert link.assignment_id == a.pk and link.commissioner_id == c.pk


def test_record_outside_the_period_or_on_cancelled_refused_and_nothing_written(world: Any) -> None:
    c = _commissioner(world)
    a = _assign(c, world.own_enterprise, D(2025, 1, 1), D(2025, 6, 30))
    before = _counts()
    with pytest.raises(ValidationError) as err:
        services.record_service(
            actor=None, assignment=a, served_on=D(2025, 7, 1), problem="问题", action="服务"
        )
    assert "服务日期应在派驻期内" in err.value.message_dict["served_on"][0]
    with pytest.raises(ValidationError) as err:  # the ledger's own rule: problem required
        services.record_service(actor=None, assignment=a, served_on=D(2025, 3, 1), problem=" ", action="x")
    assert "problem" in err.value.message_dict
    assert _counts() == before
    future = _assign(c, world.other_enterprise, timezone.localdate(), timezone.localdate() + dt.timedelta(9))
    with pytest.raises(ValidationError):
        services.record_service(
            actor=None,
            assignment=future,
            served_on=timezone.localdate() + dt.timedelta(days=1),
            problem="问题",
            action="服务",
        )
    services.close_assignment(actor=None, assignment=future, status="cancelled")
    with pytest.raises(ValidationError) as err:
        services.record_service(
            actor=None, assignment=future, served_on=timezone.localdate(), problem="问题", action="服务"
        )
    assert "已取消" in err.value.messages[0]
    assert ServiceClaim.objects.count() == before[2]


def test_figures_count_confirmed_records_only(world: Any) -> None:
    c = _commissioner(world, max_enterprises=3)
    other = _commissioner(world, expert=world.other_expert)
    own = _assign(c, world.own_enterprise, D(2025, 1, 1), D(2025, 12, 31))
    far = _assign(c, world.other_enterprise, D(2025, 1, 1), D(2025, 12, 31))
    _assign(other, world.same_town_enterprise, D(2025, 1, 1), D(2025, 12, 31))

    def record(a: Assignment, day: int, value: str, solved: bool = False) -> ServiceClaim:
        return services.record_service(
            actor=None,
            assignment=a,
            served_on=D(2025, 2, day),
            problem="问题",
            action="服务",
            value_claimed_wan=Decimal(value),
            solved=solved,
        ).claim

    ok1, ok2, waiting, disputed, far_ok = (
        record(own, 1, "10", True),
        record(own, 2, "15.5"),
        record(own, 3, "100"),
        record(own, 4, "200"),
        record(far, 5, "40", True),
    )
    for claim in (ok1, ok2):
        ledger.confirm_claim(actor=None, claim=claim, enterprise=world.own_enterprise)
    ledger.confirm_claim(actor=None, claim=far_ok, enterprise=world.other_enterprise)
    ledger.dispute_claim(actor=None, claim=disputed, enterprise=world.own_enterprise, reason="未到企业")
    assert waiting.status == ClaimStatus.CLAIMED

    row = selectors.commissioner_rows([c])[0]
    assert (row["assignments"], row["active"], row["served"]) == (2, 2, 2)
    assert (row["confirmed"], row["solved"], row["value_wan"]) == (3, 2, Decimal("65.50"))
    assert (row["pending"], row["disputed"]) == (1, 1)
    town_row = selectors.commissioner_rows([c], township_id=world.town.pk)[0]
    assert (town_row["confirmed"], town_row["value_wan"], town_row["assignments"]) == (2, Decimal("25.50"), 1)

    firms = {r["enterprise"].pk: r for r in selectors.enterprise_rows()}
    assert firms[world.own_enterprise.pk]["confirmed"] == 2
    assert firms[world.same_town_enterprise.pk]["confirmed"] == 0
    assert firms[world.same_town_enterprise.pk]["commissioners"] == 1

    figures = selectors.commissioner_figures(today=D(2025, 6, 1))
    assert figures["commissioners"] == 2 and figures["active_assignments"] == 3
    assert (figures["confirmed_visits"], figures["enterprises_served"]) == (3, 2)
    assert figures["value_wan"] == Decimal("65.50") and figures["pending"] == 1
    towns = {t["name"]: t for t in figures["by_township"]}
    assert towns["陈埭镇"]["confirmed"] == 2 and towns["陈埭镇"]["enterprises"] == 2
    assert towns["陈埭镇"]["value_wan"] == Decimal("25.50")
    assert towns["磁灶镇"]["confirmed"] == 1 and towns["磁灶镇"]["value_wan"] == Decimal("40")
    assert selectors.commissioner_figures(today=D(2026, 1, 1))["active_assignments"] == 0
