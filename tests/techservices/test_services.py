"""Technology-service rules: double bookings, confirm/dispute, linked claims, IP case steps, exact figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kechuang.core.access import Principal, Role
from kechuang.demands.models import DockingMeeting, TechContract
from kechuang.techservices import ledger, selectors, services
from kechuang.techservices.models import Booking, ClaimStatus, IPCase, IPCaseStep, ProviderKind, ServiceClaim
from tests.techservices import factories as fx

pytestmark = pytest.mark.django_db


# ---- bookings ---------------------------------------------------------------------------------------


def test_booking_fee_is_hours_times_rate(world: Any) -> None:
    machine = fx.equipment(fee="300")
    day = fx.future_day()
    booking = services.book_equipment(
        actor=None,
        equipment=machine,
        enterprise=world.own_enterprise,
        starts_at=fx.aware(day, 9),
        ends_at=fx.aware(day, 12, 30),
        purpose="EVA 发泡鞋底试制",
    )
    assert booking.fee_yuan == Decimal("1050.00")
    assert booking.history.count() == 1


def test_double_booking_refused_naming_the_clash_and_nothing_written(world: Any) -> None:
    machine = fx.equipment()
    day = fx.future_day()
    services.book_equipment(
        actor=None,
        equipment=machine,
        enterprise=world.own_enterprise,
        starts_at=fx.aware(day, 9),
        ends_at=fx.aware(day, 12),
        purpose="试制",
    )
    before = (Booking.objects.count(), Booking.history.count())
    with pytest.raises(ValidationError) as err:
        services.book_equipment(
            actor=None,
            equipment=machine,
            enterprise=world.other_enterprise,
            starts_at=fx.aware(day, 11),
            ends_at=fx.aware(day, 14),
            purpose="检测",
        )
    assert f"该设备在 {day.year}年{day.month}月{day.day}日 09:00–12:00 已被预约" in err.value.messages[0]
    assert (Booking.objects.count(), Booking.history.count()) == before
    # Back to back is fine: [09:00, 12:00) and [12:00, 14:00) do not overlap.
    services.book_equipment(
        actor=None,
        equipment=machine,
        enterprise=world.other_enterprise,
        starts_at=fx.aware(day, 12),
        ends_at=fx.aware(day, 14),
        purpose="检测",
    )
    assert Booking.objects.count() == 2


def test_enclosing_booking_refused_and_cancelled_slot_is_free_again(world: Any) -> None:
    machine = fx.equipment()
    day = fx.future_day()
    first = services.book_equipment(
        actor=None,
        equipment=machine,
        enterprise=world.own_enterprise,
        starts_at=fx.aware(day, 10),
        ends_at=fx.aware(day, 11),
        purpose="试制",
    )
    with pytest.raises(ValidationError):
        services.book_equipment(
            actor=None,
            equipment=machine,
            enterprise=world.other_enterprise,
            starts_at=fx.aware(day, 8),
            ends_at=fx.aware(day, 18),
            purpose="整天",
        )
    services.cancel_booking(actor=None, booking=first)
    services.book_equipment(
        actor=None,
        equipment=machine,
        enterprise=world.other_enterprise,
        starts_at=fx.aware(day, 8),
        ends_at=fx.aware(day, 18),
        purpose="整天",
    )
    with pytest.raises(ValidationError, match="不能再操作"):
        services.cancel_booking(actor=None, booking=first)


def test_other_equipment_is_independent_and_bad_periods_are_refused(world: Any) -> None:
    plat = fx.platform()
    a, b = fx.equipment(plat, name="设备甲"), fx.equipment(plat, name="设备乙")
    day = fx.future_day()
    for machine in (a, b):
        services.book_equipment(
            actor=None,
            equipment=machine,
            enterprise=world.own_enterprise,
            starts_at=fx.aware(day, 9),
            ends_at=fx.aware(day, 12),
            purpose="试制",
        )
    with pytest.raises(ValidationError, match="结束时间应晚于开始时间"):
        services.book_equipment(
            actor=None,
            equipment=a,
            enterprise=world.own_enterprise,
            starts_at=fx.aware(day, 15),
            ends_at=fx.aware(day, 15),
            purpose="试制",
        )
    with pytest.raises(ValidationError, match="开始时间已过"):
        services.book_equipment(
            actor=None,
            equipment=a,
            enterprise=world.own_enterprise,
            starts_at=fx.aware(dt.date(2020, 1, 1), 9),
            ends_at=fx.aware(dt.date(2020, 1, 1), 10),
            purpose="试制",
        )
    assert Booking.objects.count() == 2


def test_complete_booking_and_pilot_figures(world: Any) -> None:
    machine = fx.equipment(fee="200")
    past = dt.date(2024, 3, 1)
    booking = services.book_equipment(
        actor=None,
        equipment=machine,
        enterprise=world.own_enterprise,
        starts_at=fx.aware(past, 9),
        ends_at=fx.aware(past, 14),
        purpose="试制",
        allow_past=True,
    )
    with pytest.raises(ValidationError, match="大于 0"):
        services.complete_booking(actor=None, booking=booking, used_hours=Decimal(0))
    services.complete_booking(actor=None, booking=booking, used_hours=Decimal("4.5"))
    figures = selectors.pilot_figures()
    assert figures["platforms"] == 1 and figures["equipment"] == 1 and figures["bookings"] == 1
    assert figures["hours_used"] == Decimal("4.5")
    assert figures["fees_wan"] == Decimal("0.1")  # 5 h × 200 元 = 1000 元


# ---- the service ledger -----------------------------------------------------------------------------


def test_confirm_and_dispute_rules(world: Any) -> None:
    own, other = world.own_enterprise, world.other_enterprise
    a, b = fx.claim(own), fx.claim(own)
    with pytest.raises(ValidationError, match="本企业"):
        services.confirm_claim(actor=None, claim=a, enterprise=other)
    services.confirm_claim(actor=world.users["enterprise"], claim=a, enterprise=own)
    a.refresh_from_db()
    assert a.status == ClaimStatus.CONFIRMED and a.confirmed_by == world.users["enterprise"]
    writes = ServiceClaim.history.count()
    with pytest.raises(ValidationError, match="已确认，不能再提出异议"):
        services.dispute_claim(actor=None, claim=a, enterprise=own, reason="没有这回事")
    with pytest.raises(ValidationError, match="请填写异议理由"):
        services.dispute_claim(actor=None, claim=b, enterprise=own, reason="  ")
    assert ServiceClaim.history.count() == writes
    services.dispute_claim(actor=None, claim=b, enterprise=own, reason="该工程师未到企业")
    with pytest.raises(ValidationError, match="已提出异议，不能再确认"):
        services.confirm_claim(actor=None, claim=b, enterprise=own)
    b.refresh_from_db()
    assert b.status == ClaimStatus.DISPUTED and b.dispute_reason == "该工程师未到企业"
    assert ServiceClaim.history.count() == writes + 1


def test_linked_meeting_supplies_enterprise_and_date(world: Any) -> None:
    meeting = DockingMeeting.objects.create(demand=world.own_demand, met_on=dt.date(2024, 6, 3), notes="对接")
    claim = fx.claim(None, served_on=None, meeting=meeting)
    assert claim.enterprise == world.own_enterprise
    assert claim.served_on == dt.date(2024, 6, 3)
    contract = TechContract.objects.create(
        demand=world.own_demand,
        contract_type="development",
        amount=Decimal("80"),
        signed_on=dt.date(2024, 7, 1),
        counterparty="测试大学",
    )
    by_contract = fx.claim(None, served_on=None, contract=contract, demand=world.own_demand)
    assert (by_contract.enterprise, by_contract.served_on) == (world.own_enterprise, dt.date(2024, 7, 1))


def test_claim_for_another_firm_than_the_linked_record_is_refused(world: Any) -> None:
    meeting = DockingMeeting.objects.create(demand=world.own_demand, met_on=dt.date(2024, 6, 3), notes="对接")
    with pytest.raises(ValidationError) as err:
        fx.claim(world.other_enterprise, meeting=meeting)
    assert "与所填服务企业" in err.value.message_dict["enterprise"][0]
    with pytest.raises(ValidationError):
        fx.claim(None, demand=world.own_demand, meeting=None, contract=None, served_on=None)  # no date
    with pytest.raises(ValidationError, match="服务企业"):
        fx.claim(None)
    assert ServiceClaim.objects.count() == 0 and ServiceClaim.history.count() == 0


def test_ledger_figures_exact_and_match_the_reference(world: Any) -> None:
    own, same, other = world.own_enterprise, world.same_town_enterprise, world.other_enterprise
    rows = [
        (own, "research_platform", "10", True, "confirm"),
        (own, "enclave", "5.5", False, "confirm"),
        (same, "research_platform", "20", True, "confirm"),
        (other, "commissioner", "7", True, "pending"),
        (other, "commissioner", "3", False, "dispute"),
        (other, "research_platform", "100", True, "confirm"),
    ]
    for ent, kind, value, solved, fate in rows:
        c = fx.claim(ent, provider_kind=kind, value_claimed_wan=Decimal(value), solved=solved)
        if fate == "confirm":
            services.confirm_claim(actor=None, claim=c, enterprise=ent)
        elif fate == "dispute":
            services.dispute_claim(actor=None, claim=c, enterprise=ent, reason="不属实")
    fx.claim(own, served_on=dt.date(2023, 12, 31), value_claimed_wan=Decimal("1000"))  # other year, pending
    figures = selectors.ledger_figures(year=2024)
    assert figures["confirmed_visits"] == 4
    assert figures["confirmed_firms"] == 3
    assert figures["solved_problems"] == 3
    assert figures["value_wan"] == Decimal("135.5")
    assert figures["pending_visits"] == 1 and figures["pending_value_wan"] == Decimal("7")
    assert figures["disputed_visits"] == 1
    assert figures["by_provider_kind"] == [
        {"kind": "research_platform", "label": "科研平台", "visits": 3, "value_wan": Decimal("130")},
        {"kind": "enclave", "label": "创新飞地", "visits": 1, "value_wan": Decimal("5.5")},
    ]
    reference = ledger.summarise(
        [
            ledger.ClaimRow(c.enterprise_id, c.provider_kind, c.status, c.value_claimed_wan, c.solved)
            for c in ServiceClaim.objects.filter(served_on__year=2024)
        ],
        dict(ProviderKind.choices),
    )
    assert reference == figures
    everything = selectors.ledger_figures()
    assert everything["pending_visits"] == 2 and everything["pending_value_wan"] == Decimal("1007")
    # A township officer sees its township's enterprises only (own and same are in 陈埭镇).
    town = Principal(role=Role.TOWNSHIP_OFFICER, township_id=world.town.pk)
    scoped = selectors.ledger_figures(year=2024, principal=town)
    assert scoped["confirmed_visits"] == 3 and scoped["value_wan"] == Decimal("35.5")


# ---- IP cases ---------------------------------------------------------------------------------------


def test_ip_case_mediated_and_figures(world: Any) -> None:
    case = services.open_case(
        actor=None,
        enterprise=world.own_enterprise,
        case_type="trademark",
        title="运动鞋商标被仿冒",
        intake_on=dt.date(2024, 3, 1),
    )
    with pytest.raises(ValidationError, match="调解成功"):
        services.close_case(actor=None, case=case, on=dt.date(2024, 3, 5), outcome="mediated")
    services.start_mediation(actor=None, case=case, on=dt.date(2024, 3, 4))
    with pytest.raises(ValidationError, match="早于受理日期"):
        services.add_case_step(actor=None, case=case, on=dt.date(2024, 2, 1), note="太早")
    services.close_case(actor=None, case=case, on=dt.date(2024, 4, 10), outcome="mediated")
    case.refresh_from_db()
    assert selectors.days_open(case) == 40
    with pytest.raises(ValidationError, match="已结案"):
        services.refer_case(actor=None, case=case, on=dt.date(2024, 4, 11), referred_to="court")
    assert list(case.steps.values_list("kind", flat=True)) == ["intake", "mediation", "close"]
    services.open_case(
        actor=None,
        enterprise=world.other_enterprise,
        case_type="patent",
        title="鞋底结构专利被侵权",
        intake_on=dt.date(2024, 5, 1),
    )
    figures = selectors.ip_figures(today=dt.date(2024, 5, 21))
    assert (figures["cases"], figures["open"], figures["closed"], figures["mediated_ok"]) == (2, 1, 1, 1)
    assert figures["avg_days_open"] == 30.0  # (40 + 20) / 2
    assert {t["type"]: t["cases"] for t in figures["by_type"]} == {"trademark": 1, "patent": 1}
    own_only = Principal(role=Role.ENTERPRISE, organization_id=world.own_enterprise.organization_id)
    assert selectors.ip_figures(principal=own_only)["cases"] == 1
    assert IPCase.history.count() == 4 and IPCaseStep.objects.count() == 4


def test_referral_requires_a_known_body(world: Any) -> None:
    case = services.open_case(
        actor=None,
        enterprise=world.own_enterprise,
        case_type="patent",
        title="专利侵权",
        intake_on=dt.date(2024, 3, 1),
    )
    with pytest.raises(ValidationError):
        services.refer_case(actor=None, case=case, on=dt.date(2024, 3, 2), referred_to="police")
    services.refer_case(actor=None, case=case, on=dt.date(2024, 3, 2), referred_to="court")
    case.refresh_from_db()
    assert case.status == "referred" and case.referred_to == "court"


def test_ledger_core_helpers() -> None:
    a = dt.datetime(2025, 3, 1, 9, 0)
    assert ledger.period_text(a, a.replace(hour=12)) == "2025年3月1日 09:00–12:00"
    assert ledger.period_text(a, dt.datetime(2025, 3, 2, 12)) == "2025年3月1日 09:00–3月2日 12:00"
    assert ledger.days_touched(a, dt.datetime(2025, 3, 2, 0, 0)) == [dt.date(2025, 3, 1)]
    assert ledger.week_days(dt.date(2025, 3, 5))[0] == dt.date(2025, 3, 3)
    assert ledger.hours_between(a, a.replace(hour=10, minute=20)) == Decimal("1.33")
    assert ledger.booking_fee(a, a.replace(hour=10, minute=20), Decimal("90")) == Decimal("120.00")
