"""Stateful property test (hypothesis) of 免申即享 rounds and the disbursement ledger, driving the real
services: start_round, set_candidate_included, confirm_round_list, respond_to_round, close_willingness,
approve_disbursement, approve_all, record_payment and close_round, with several rounds of the same measure
and year open at once and the willingness deadline passing.

Why: this is where public money leaves. Example tests cover one round; this checks that no sequence of
calls pays an enterprise twice for one measure and year, pays an amount other than the compared one,
records a payment without its date and voucher (or dated before its approval), closes a round with money
approved but unpaid, or lets a round move other than forward; and that every refused step raises
ValidationError and changes nothing. A small model of the rounds predicts which steps are accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule, run_state_machine_as_test

from kechuang.core.models import AuditEvent
from kechuang.notifications.models import Notification
from kechuang.orgs.models import EnterpriseYearFigure
from kechuang.policies import services
from kechuang.policies.models import Disbursement, Round, RoundCandidate
from tests import factories as f
from tests.fuzz.test_state_machines import MACHINE, RolledBack, attempt

MEASURE = "demo.rd_subsidy"
YEAR = 2024
# The compared amounts (元) of the shipped library's R&D increment subsidy: 10 % of a 200万 increment,
# and 700万 capped at 50万. The other two enterprises are never listed (data unknown; R&D fell).
AMOUNTS = {"grows": Decimal(200_000), "big": Decimal(500_000)}
MAX_ROUNDS = 3
# More examples than the shared MACHINE settings: money moves only after five or six steps on one round;
# 100 examples take about 20 s on SQLite.
DISBURSEMENT = settings(parent=MACHINE, max_examples=60)
ROUND = st.integers(0, MAX_ROUNDS - 1)  # an index into the rounds so far, counted back from the newest
FIRM = st.sampled_from(tuple(AMOUNTS))
# A payment's date, in days before today: mostly today, sometimes back-dated (before its approval, which
# is always today here, so refused) or in the future (refused).
DAYS_AGO = st.sampled_from((0, 0, 0, 1, 30, -1))
VALID_ACCOUNT = "9070 1234 5678"
ACCOUNTS = {VALID_ACCOUNT: True, "12ab": False}  # bank account numbers typed, and whether valid
Status = Round.Status
Response = RoundCandidate.Response


@dataclass
class Model:
    """What the model knows of one round."""

    pk: int
    status: str = Status.COMPARED
    past_deadline: bool = False
    candidates: dict[str, int] = field(default_factory=dict)  # firm -> candidate pk
    included: dict[str, bool] = field(default_factory=dict)
    responses: dict[str, str] = field(default_factory=dict)


def _county() -> tuple[dict[str, Any], dict[str, Any]]:
    """Four enterprises as in tests/policies/test_rounds.py, and the users acting on them."""
    town, other = f.township("陈埭镇"), f.township("磁灶镇")
    firms = {
        "grows": f.enterprise("甲鞋业", town=town),
        "big": f.enterprise("乙纺织", town=other),
        "unknown": f.enterprise("丙陶瓷", town=town),
        "falls": f.enterprise("丁服饰", town=town),
    }
    for key, before, after, clean in (
        ("grows", "300", "500", False),
        ("big", "200", "900", False),
        ("unknown", "100", "200", None),
        ("falls", "400", "300", False),
    ):
        f.figure(firms[key], YEAR - 1, "10000", before)
        f.figure(firms[key], YEAR, "12000", after)
        EnterpriseYearFigure.objects.filter(enterprise=firms[key], year=YEAR).update(major_incident=clean)
    users = {
        "staff": f.user("staff", "bureau_staff"),
        "grows": f.user("ent_grows", "enterprise", organization=firms["grows"].organization),
        "big": f.user("ent_big", "enterprise", organization=firms["big"].organization),
    }
    return firms, users


def _snapshot() -> tuple[Any, ...]:
    """Everything the round services write: the rows, their history, the audit log and notifications."""
    models = (Round, RoundCandidate, Disbursement)
    return (
        tuple(list(model.objects.order_by("pk").values()) for model in models),
        tuple(model.history.count() for model in models),  # type: ignore[attr-defined]
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def test_disbursement_state_machine(db: Any) -> None:
    firms, users = _county()
    staff = users["staff"]
    key_of = {firm.pk: key for key, firm in firms.items()}

    class DisbursementMachine(RolledBack):
        @initialize(depth=st.integers(0, 8))
        def begin(self, depth: int) -> None:
            self.today = timezone.localdate()
            self.rounds: list[Model] = []
            self.ledger: dict[str, int] = {}  # firm -> its one disbursement for the measure and year
            self.paid: set[int] = set()
            self.start(10)
            for _ in range(depth):  # a deeper starting point, through the ordinary steps
                self.proceed(0)

        # ---- helpers -------------------------------------------------------------------------------

        def _attempt(self, step: str, allowed: bool, call: Callable[[], object]) -> bool:
            return attempt(step, allowed, call, _snapshot)

        def _round(self, index: int) -> tuple[Model, Round]:
            model = self.rounds[-1 - index % len(self.rounds)]
            return model, Round.objects.get(pk=model.pk)

        def _candidate(self, model: Model, firm: str) -> RoundCandidate | None:
            pk = model.candidates.get(firm)
            return None if pk is None else RoundCandidate.objects.get(pk=pk)

        # ---- rules -----------------------------------------------------------------------------------

        @rule(days=st.sampled_from((10, 10, 0, -1)))
        def start(self, days: int) -> None:
            if len(self.rounds) >= MAX_ROUNDS:
                return
            deadline = self.today + dt.timedelta(days=days)
            box: list[Round] = []
            if self._attempt(
                "start",
                deadline > self.today,
                lambda: box.append(
                    services.start_round(actor=staff, measure_id=MEASURE, year=YEAR, deadline=deadline)
                ),
            ):
                model = Model(box[0].pk)
                for candidate in box[0].candidates.all():
                    key = key_of[candidate.enterprise_id]
                    model.candidates[key] = candidate.pk
                    model.included[key] = True
                    model.responses[key] = Response.PENDING
                # every qualifying enterprise is listed, except those the ledger already pays
                assert set(model.candidates) == set(AMOUNTS) - set(self.ledger)
                self.rounds.append(model)

        @rule(index=ROUND, firm=FIRM, included=st.booleans(), reason=st.sampled_from(("账户异常", " ")))
        def include(self, index: int, firm: str, included: bool, reason: str) -> None:
            model, _ = self._round(index)
            candidate = self._candidate(model, firm)
            if candidate is None:
                return
            allowed = model.status == Status.COMPARED and (included or bool(reason.strip()))
            if self._attempt(
                "include",
                allowed,
                lambda: services.set_candidate_included(
                    actor=staff, candidate=candidate, included=included, reason=reason
                ),
            ):
                model.included[firm] = included

        @rule(index=ROUND)
        def confirm(self, index: int) -> None:
            model, round_ = self._round(index)
            if self._attempt(
                "confirm",
                model.status == Status.COMPARED and not model.past_deadline,
                lambda: services.confirm_round_list(actor=staff, round_=round_),
            ):
                model.status = Status.CONFIRMING

        @rule(index=ROUND, firm=FIRM, accept=st.booleans(), account=st.sampled_from(tuple(ACCOUNTS)))
        def respond(self, index: int, firm: str, accept: bool, account: str) -> None:
            model, _ = self._round(index)
            candidate = self._candidate(model, firm)
            if candidate is None:
                return
            allowed = (
                model.status == Status.CONFIRMING
                and model.included[firm]
                and not model.past_deadline
                and (not accept or ACCOUNTS[account])
            )
            if self._attempt(
                "respond",
                allowed,
                lambda: services.respond_to_round(
                    actor=users[firm],
                    candidate=candidate,
                    accept=accept,
                    account_name=firms[firm].organization.name,
                    bank_name="晋江农商银行",
                    account_number=account,
                ),
            ):
                model.responses[firm] = Response.ACCEPTED if accept else Response.DECLINED

        @rule(index=ROUND)
        def deadline_passes(self, index: int) -> None:
            """Time passes for one round: its willingness deadline is yesterday (as tests/policies do)."""
            model, _ = self._round(index)
            Round.objects.filter(pk=model.pk).update(deadline=self.today - dt.timedelta(days=1))
            model.past_deadline = True

        @rule(index=ROUND)
        def close_willingness(self, index: int) -> None:
            model, round_ = self._round(index)
            if self._attempt(
                "close_willingness",
                model.status == Status.CONFIRMING and model.past_deadline,
                lambda: services.close_willingness(actor=staff, round_=round_),
            ):
                model.status = Status.DISBURSING
                for firm, response in model.responses.items():
                    if model.included[firm] and response == Response.PENDING:
                        model.responses[firm] = Response.SILENT

        def _payable(self, model: Model, firm: str) -> bool:
            return (
                model.status == Status.DISBURSING
                and model.included[firm]
                and model.responses[firm] == Response.ACCEPTED
                and firm not in self.ledger
            )

        @rule(index=ROUND, firm=FIRM)
        def approve(self, index: int, firm: str) -> None:
            model, _ = self._round(index)
            candidate = self._candidate(model, firm)
            if candidate is None:
                return
            box: list[Disbursement] = []
            if self._attempt(
                "approve",
                self._payable(model, firm),
                lambda: box.append(services.approve_disbursement(actor=staff, candidate=candidate)),
            ):
                self.ledger[firm] = box[0].pk

        @rule(index=ROUND)
        def approve_all(self, index: int) -> None:
            model, round_ = self._round(index)
            waiting = [
                firm
                for firm, pk in model.candidates.items()
                if model.included[firm]
                and model.responses[firm] == Response.ACCEPTED
                and not Disbursement.objects.filter(candidate_id=pk).exists()
            ]
            payable = [firm for firm in waiting if self._payable(model, firm)]
            approved, refused = services.approve_all(actor=staff, round_=round_)
            assert (approved, len(refused)) == (len(payable), len(waiting) - len(payable)), refused
            for firm in payable:
                self.ledger[firm] = Disbursement.objects.get(candidate_id=model.candidates[firm]).pk

        @rule(firm=FIRM, days_ago=DAYS_AGO, voucher=st.sampled_from(("JJ-001", " ")))
        def pay(self, firm: str, days_ago: int, voucher: str) -> None:
            pk = self.ledger.get(firm)
            if pk is None:
                return
            paid_on = self.today - dt.timedelta(days=days_ago)
            approved_on = timezone.localtime(Disbursement.objects.get(pk=pk).approved_at).date()
            allowed = pk not in self.paid and approved_on <= paid_on <= self.today and bool(voucher.strip())
            if self._attempt(
                "pay",
                allowed,
                lambda: services.record_payment(
                    actor=staff,
                    disbursement=Disbursement.objects.get(pk=pk),
                    paid_on=paid_on,
                    voucher_no=voucher,
                ),
            ):
                self.paid.add(pk)

        @rule(index=ROUND)
        def close(self, index: int) -> None:
            model, round_ = self._round(index)
            unpaid = Disbursement.objects.filter(round_id=model.pk).exclude(pk__in=self.paid).exists()
            if self._attempt(
                "close",
                model.status == Status.DISBURSING and not unpaid,
                lambda: services.close_round(actor=staff, round_=round_),
            ):
                model.status = Status.CLOSED

        @rule(index=ROUND, days_ago=DAYS_AGO)
        def proceed(self, index: int, days_ago: int = 0) -> None:
            """The ordinary next step of one round, through the same steps as the other rules (so that
            runs reach approvals, payments and closing, not only the first stages)."""
            model, _ = self._round(index)
            if model.status == Status.COMPARED:
                self.confirm(index)
            elif model.status == Status.CONFIRMING:
                pending = [
                    firm
                    for firm in model.candidates
                    if model.included[firm] and model.responses[firm] == Response.PENDING
                ]
                if pending and not model.past_deadline:
                    self.respond(index, pending[0], accept=True, account=VALID_ACCOUNT)
                else:
                    self.deadline_passes(index)
                    self.close_willingness(index)
            elif model.status == Status.DISBURSING:
                unpaid = [
                    firm
                    for firm, pk in self.ledger.items()
                    if pk not in self.paid and Disbursement.objects.filter(pk=pk, round_id=model.pk).exists()
                ]
                if unpaid:
                    self.pay(unpaid[0], days_ago=days_ago, voucher="JJ-001")
                elif any(self._payable(model, firm) for firm in model.candidates):
                    self.approve_all(index)
                else:
                    self.close(index)

        # ---- invariants --------------------------------------------------------------------------------

        @invariant()
        def consistent(self) -> None:
            if not hasattr(self, "rounds"):
                return
            rounds = {r.pk: r for r in Round.objects.all()}
            assert set(rounds) == {m.pk for m in self.rounds}
            for model in self.rounds:
                row = rounds[model.pk]
                assert row.status in Status.values and row.status == model.status
                assert (row.list_confirmed_at is None) == (row.status == Status.COMPARED)
                assert (row.willingness_closed_at is None) == (
                    row.status in (Status.COMPARED, Status.CONFIRMING)
                )
                assert (row.closed_at is None) == (row.status != Status.CLOSED)
                moments = [
                    t
                    for t in (row.created_at, row.list_confirmed_at, row.willingness_closed_at, row.closed_at)
                    if t
                ]
                assert moments == sorted(moments), f"round {row.pk} steps out of order"
                for candidate in RoundCandidate.objects.filter(round=row):
                    firm = key_of[candidate.enterprise_id]
                    assert candidate.amount_yuan == AMOUNTS[firm]
                    assert candidate.included == model.included[firm]
                    assert candidate.response == model.responses[firm]
                    if not candidate.included or row.status == Status.COMPARED:
                        assert candidate.response == Response.PENDING
                    if candidate.included and row.status in (Status.DISBURSING, Status.CLOSED):
                        assert candidate.response != Response.PENDING
                    if candidate.responded_at is not None:
                        assert (
                            row.list_confirmed_at is not None
                            and row.list_confirmed_at <= candidate.responded_at
                        )
                        if row.willingness_closed_at is not None:
                            assert candidate.responded_at <= row.willingness_closed_at
                if row.status == Status.CLOSED:
                    assert not Disbursement.objects.filter(
                        round=row, status=Disbursement.Status.APPROVED
                    ).exists(), f"closed round {row.pk} with approved but unpaid money"

            ledger = list(Disbursement.objects.select_related("candidate", "round"))
            keys = [(d.enterprise_id, d.program, d.year) for d in ledger]
            assert len(keys) == len(set(keys)), "an enterprise paid twice for one measure and year"
            assert {key_of[d.enterprise_id]: d.pk for d in ledger} == self.ledger
            for d in ledger:
                c = d.candidate
                assert (d.program, d.year, d.round_id, d.enterprise_id) == (
                    MEASURE,
                    YEAR,
                    c.round_id,
                    c.enterprise_id,
                )
                assert d.amount_yuan == c.amount_yuan == AMOUNTS[key_of[d.enterprise_id]]
                assert (d.account_name, d.bank_name, d.account_number) == (
                    c.account_name,
                    c.bank_name,
                    c.account_number,
                )
                assert c.included and c.response == Response.ACCEPTED
                assert d.round.status in (Status.DISBURSING, Status.CLOSED)
                assert (
                    d.round.willingness_closed_at is not None
                    and d.round.willingness_closed_at <= d.approved_at
                )
                assert (d.status == Disbursement.Status.PAID) == (d.pk in self.paid)
                if d.status == Disbursement.Status.PAID:
                    assert d.paid_on is not None and d.voucher_no.strip() and d.paid_by_id is not None
                    assert d.paid_on <= self.today
                    approved_on = timezone.localtime(d.approved_at).date()
                    assert d.paid_on >= approved_on, (
                        f"paid on {d.paid_on}, before its approval on {approved_on}"
                    )
                else:
                    assert d.paid_on is None and d.voucher_no == "" and d.paid_by_id is None

    DisbursementMachine.TestCase.settings = DISBURSEMENT
    run_state_machine_as_test(DisbursementMachine, settings=DISBURSEMENT)
