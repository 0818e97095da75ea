"""免申即享 rounds from data comparison to disbursement, and a ledger that never pays twice."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from kechuang.accounts.selectors import principal_for
from kechuang.notifications.models import Notification
from kechuang.orgs.models import EnterpriseYearFigure
from kechuang.policies import selectors, services
from kechuang.policies.models import Disbursement, Round, RoundCandidate
from tests import factories as f

MEASURE = "demo.rd_subsidy"


def _county() -> dict[str, Any]:
    town, other = f.township("陈埭镇"), f.township("磁灶镇")
    grows = f.enterprise("甲鞋业", town=town)  # R&D 300 → 500: 10% of 200万 = 20万
    big = f.enterprise("乙纺织", town=other)  # R&D 200 → 900: capped at 50万
    unknown = f.enterprise("丙陶瓷", town=town)  # compliance not reported: unknown, not listed
    falls = f.enterprise("丁服饰", town=town)  # R&D fell: not met
    for ent, before, after, clean in (
        (grows, "300", "500", False),
        (big, "200", "900", False),
        (unknown, "100", "200", None),
        (falls, "400", "300", False),
    ):
        f.figure(ent, 2023, "10000", before)
        f.figure(ent, 2024, "12000", after)
        EnterpriseYearFigure.objects.filter(enterprise=ent, year=2024).update(major_incident=clean)
    staff = f.user("staff", "bureau_staff")
    owner = f.user("ent", "enterprise", organization=grows.organization)
    return {"grows": grows, "big": big, "unknown": unknown, "falls": falls, "staff": staff, "owner": owner}


def _start(staff: Any, days: int = 10) -> Round:
    return services.start_round(
        actor=staff, measure_id=MEASURE, year=2024, deadline=timezone.localdate() + dt.timedelta(days=days)
    )


def _past_deadline(round_: Round) -> None:
    Round.objects.filter(pk=round_.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    round_.refresh_from_db()


def test_round_runs_from_data_comparison_to_disbursement(db: Any) -> None:
    c = _county()
    round_ = _start(c["staff"])
    assert (round_.compared_count, round_.unknown_count, round_.library_number) == (4, 1, 0)
    listed = {x.enterprise_id: x for x in selectors.round_candidates(round_)}
    assert set(listed) == {c["grows"].pk, c["big"].pk}
    assert listed[c["grows"].pk].amount_yuan == Decimal(200_000)
    assert listed[c["big"].pk].amount_yuan == Decimal(500_000)
    assert any("金额" in line for line in listed[c["big"].pk].working)
    assert {x["id"] for x in listed[c["grows"].pk].conditions} == {"rd_spend", "increment", "compliance"}

    with pytest.raises(ValidationError, match="原因"):
        services.set_candidate_included(actor=c["staff"], candidate=listed[c["big"].pk], included=False)
    with pytest.raises(ValidationError, match="不能进行此操作"):  # not before staff confirm the list
        services.respond_to_round(actor=c["owner"], candidate=listed[c["grows"].pk], accept=False)
    services.confirm_round_list(actor=c["staff"], round_=round_)
    assert Notification.objects.filter(recipient=c["owner"], title__contains="免申即享").exists()
    mine = list(selectors.own_candidacies(principal_for(c["owner"])))
    assert [m.enterprise_id for m in mine] == [c["grows"].pk]

    with pytest.raises(ValidationError) as bad:
        services.respond_to_round(
            actor=c["owner"],
            candidate=mine[0],
            accept=True,
            account_name="甲鞋业",
            bank_name="",
            account_number="12ab",
        )
    assert set(bad.value.message_dict) == {"bank_name", "account_number"}
    services.respond_to_round(
        actor=c["owner"],
        candidate=mine[0],
        accept=True,
        account_name="晋江市甲鞋业有限公司",
        bank_name="晋江农商银行陈埭支行",
        account_number="9070 1234 5678 9012",
    )
    with pytest.raises(ValidationError, match="未到"):
        services.close_willingness(actor=c["staff"], round_=round_)
    _past_deadline(round_)
    with pytest.raises(ValidationError, match="截止"):
        services.respond_to_round(actor=c["owner"], candidate=mine[0], accept=False)
    services.close_willingness(actor=c["staff"], round_=round_)
    answers = dict(RoundCandidate.objects.filter(round=round_).values_list("enterprise_id", "response"))
    assert answers == {c["grows"].pk: "accepted", c["big"].pk: "silent"}  # silence recorded, not assumed yes

    round_.refresh_from_db()
    approved, refused = services.approve_all(actor=c["staff"], round_=round_)
    assert (approved, refused) == (1, [])
    entry = Disbursement.objects.get()
    assert (entry.amount_yuan, entry.account_number, entry.status) == (
        Decimal(200_000),
        "9070123456789012",
        "approved",
    )
    with pytest.raises(ValidationError, match="未拨付"):
        services.close_round(actor=c["staff"], round_=round_)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="不能早于审批日期"):  # found by the state machine (#19)
        services.record_payment(actor=c["staff"], disbursement=entry, paid_on=yesterday, voucher_no="JJ-1")
    services.record_payment(
        actor=c["staff"], disbursement=entry, paid_on=timezone.localdate(), voucher_no="JJ-2025-001"
    )
    services.close_round(actor=c["staff"], round_=round_)
    totals = selectors.ledger_totals(selectors.ledger(year=2024))
    assert totals == [
        {
            "program": MEASURE,
            "program_title": "（演示）企业研发费用增量补助",
            "year": 2024,
            "township__name": "陈埭镇",
            "enterprises": 1,
            "approved_yuan": Decimal(200_000),
            "paid_yuan": Decimal(200_000),
        }
    ]
    # A new round for the same measure and year leaves the paid enterprise off the list.
    again = _start(c["staff"])
    assert {x.enterprise_id for x in again.candidates.all()} == {c["big"].pk}


def test_a_second_round_cannot_pay_the_same_enterprise_twice(db: Any) -> None:
    c = _county()
    first, second = _start(c["staff"]), _start(c["staff"])
    for round_ in (first, second):
        services.confirm_round_list(actor=c["staff"], round_=round_)
        candidate = round_.candidates.get(enterprise=c["grows"])
        services.respond_to_round(
            actor=c["owner"],
            candidate=candidate,
            accept=True,
            account_name="甲",
            bank_name="农商行",
            account_number="123456789012",
        )
        _past_deadline(round_)
        services.close_willingness(actor=c["staff"], round_=round_)
    services.approve_disbursement(actor=c["staff"], candidate=first.candidates.get(enterprise=c["grows"]))
    with pytest.raises(ValidationError, match="不能重复拨付"):
        services.approve_disbursement(
            actor=c["staff"], candidate=second.candidates.get(enterprise=c["grows"])
        )
    assert Disbursement.objects.count() == 1


def test_rounds_need_a_money_measure_and_a_future_deadline(db: Any) -> None:
    staff = f.user("staff", "bureau_staff")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="资格认定"):
        services.start_round(actor=staff, measure_id="hnte.certification", year=2024, deadline=tomorrow)
    with pytest.raises(ValidationError, match="没有该措施"):
        services.start_round(actor=staff, measure_id="nope", year=2024, deadline=tomorrow)
    with pytest.raises(ValidationError, match="晚于今天"):
        services.start_round(actor=staff, measure_id=MEASURE, year=2024, deadline=timezone.localdate())
    assert not Round.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_pay_once() -> None:
    """Two staff approve the same enterprise, measure and year at the same instant, from two rounds."""
    c = _county()
    rounds = [_start(c["staff"]), _start(c["staff"])]
    candidates = []
    for round_ in rounds:
        services.confirm_round_list(actor=c["staff"], round_=round_)
        candidate = round_.candidates.get(enterprise=c["grows"])
        services.respond_to_round(
            actor=c["owner"],
            candidate=candidate,
            accept=True,
            account_name="甲",
            bank_name="农商行",
            account_number="123456789012",
        )
        _past_deadline(round_)
        services.close_willingness(actor=c["staff"], round_=round_)
        candidates.append(
            RoundCandidate.objects.select_related("round", "enterprise__organization").get(pk=candidate.pk)
        )
    barrier = threading.Barrier(len(candidates) * 2)
    outcomes: list[str] = []

    def approve(candidate: RoundCandidate) -> None:
        try:
            barrier.wait()
            services.approve_disbursement(actor=c["staff"], candidate=candidate)
            outcomes.append("approved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(x,)) for x in candidates for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["approved", "refused", "refused", "refused"], outcomes
    assert Disbursement.objects.filter(enterprise=c["grows"], program=MEASURE, year=2024).count() == 1
