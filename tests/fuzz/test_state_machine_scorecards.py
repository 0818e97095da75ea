"""Stateful property test (hypothesis) of enclave contracts and assessments, driving the real services:
create_contract, update_contract_spec, sign_contract, amend_contract, report_values, open_value with
add_evidence, verify_value, refresh_platform_figures and finalise_assessment.

Why: a finalised assessment decides an operator's performance reward, and it must stay what the bureau
saw when it finalised, whatever is signed, amended or reported afterwards. This checks that no sequence of
calls lets a finalised period be reported, verified, refreshed or finalised again, finalises under anything
but the signed version, stores a total/grade/reward other than the live scorecard's, or lets a figure out
of its indicator's range; and that every refused step raises ValidationError and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule, run_state_machine_as_test

from kechuang.core.models import AuditEvent
from kechuang.enclaves import selectors, services
from kechuang.enclaves.models import Assessment, AssessmentContract, Evidence, IndicatorValue
from tests.fuzz.test_state_machines import MACHINE, RolledBack

# More examples than the shared MACHINE settings: finalising needs a signed version and settled figures
# first, so fewer runs get there; 60 examples stay around 30 s on SQLite.
SCORECARDS = settings(parent=MACHINE, max_examples=60)
Status = AssessmentContract.Status
YEAR = 2025
AS_OF = dt.date(2026, 1, 20)  # after the annual report was due: every checkpoint is over
PERIODS = st.sampled_from(selectors.PERIOD_CODES)
VERSION = st.integers(0, 3)  # an index into the versions so far (modulo their number)
# Codes the contract has (a count, a 0–100 rate, a veto) and one it has not.
REPORTED = st.sampled_from(("landed", "teams", "response_rate", "fraud", "nope"))
VERIFIED = st.sampled_from(("fraud", "major_incident", "landed", "response_rate", "nope"))
FIGURES = st.sampled_from(("0", "2", "3.5", "100", "101", "-1", "十二", ""))
# "ready" starts signed with both vetoes verified as 0 in every period, so finalising is a step away.
START = st.sampled_from(("draft", "signed", "ready", "ready"))


def _snapshot(enclave_id: int) -> tuple[Any, ...]:
    """Everything the assessment services write for the enclave (values, evidence, versions, results),
    their history and the audit log."""
    return (
        list(IndicatorValue.objects.filter(enclave_id=enclave_id).order_by("pk").values()),
        list(Evidence.objects.filter(value__enclave_id=enclave_id).order_by("pk").values()),
        list(AssessmentContract.objects.filter(enclave_id=enclave_id).order_by("pk").values()),
        list(Assessment.objects.filter(enclave_id=enclave_id).order_by("pk").values()),
        tuple(
            model.history.count()  # type: ignore[attr-defined]
            for model in (IndicatorValue, Evidence, AssessmentContract, Assessment)
        ),
        AuditEvent.objects.count(),
    )


def _period_rows(enclave_id: int, period: str) -> tuple[Any, ...]:
    values = IndicatorValue.objects.filter(enclave_id=enclave_id, year=YEAR, period=period)
    return (
        list(values.order_by("pk").values()),
        list(Evidence.objects.filter(value__in=values).order_by("pk").values()),
    )


def _parse(raw: str) -> Decimal | None:
    """A figure as the services read it: blank is None, anything else must be a finite number."""
    if not raw.strip():
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError(raw) from exc
    return value


def _in_range(indicator: dict[str, Any], value: Decimal) -> bool:
    low = Decimal(indicator.get("min_value") or 0)
    high = indicator.get("max_value")
    return value >= low and (high is None or value <= Decimal(high))


def _acceptable(indicators: dict[str, dict[str, Any]], code: str, raw: str) -> bool:
    """Whether a typed figure for `code` is one the contract accepts (a known code, a number in range)."""
    if code not in indicators:
        return False
    try:
        value = _parse(raw)
    except ValueError:
        return False
    return value is None or _in_range(indicators[code], value)


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("证明.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")


def test_scorecard_state_machine(world: Any) -> None:
    enclave = world.own_enclave
    staff = world.users["bureau_staff"]
    operator = world.users["enclave_operator"]

    class ScorecardMachine(RolledBack):
        @initialize(start=START)
        def create(self, start: str) -> None:
            contract = services.create_contract(enclave=enclave, year=YEAR, actor=staff)
            self.versions: list[int] = [contract.pk]
            self.status: dict[int, str] = {contract.pk: Status.DRAFT}
            # period -> (contract pk, total, grade, reward, card, the period's rows when finalised)
            self.finalised: dict[str, tuple[Any, ...]] = {}
            if start != "draft":
                self.sign(0)
            if start == "ready":
                for period in selectors.PERIOD_CODES:
                    for code in ("fraud", "major_incident"):
                        self.verify(0, period, code, "0", "经核查无此情况")

        def _contract(self, index: int) -> AssessmentContract:
            return AssessmentContract.objects.select_related("enclave").get(
                pk=self.versions[index % len(self.versions)]
            )

        def _attempt(self, step: str, allowed: bool, call: Callable[[], object]) -> bool:
            """Run one step; a refusal must be a ValidationError that changes nothing."""
            before = _snapshot(enclave.pk)
            try:
                call()
            except ValidationError as exc:
                assert not allowed, f"{step} refused: {exc.messages}"
                assert _snapshot(enclave.pk) == before, f"refused {step} changed something"
                return False
            assert allowed, f"{step} accepted"
            return True

        # ---- contract versions -------------------------------------------------------------------------

        @rule(
            action=st.sampled_from(("sign", "amend", "update", "create")),
            index=VERSION,
            landed_target=st.sampled_from(("2", "4", "8", "bad")),
            reason=st.sampled_from(("目标调整", " ")),
        )
        def version(self, action: str, index: int, landed_target: str, reason: str) -> None:
            """One rule for the contract's versions, so that it is drawn as often as a report."""
            if action == "sign":
                self.sign(index)
            elif action == "amend":
                self.amend(index, reason)
            elif action == "update":
                self.update_spec(index, landed_target)
            else:
                self.create_again()

        def create_again(self) -> None:
            self._attempt(
                "create_again",
                False,
                lambda: services.create_contract(enclave=enclave, year=YEAR, actor=staff),
            )

        def update_spec(self, index: int, landed_target: str) -> None:
            contract = self._contract(index)
            spec = dict(contract.spec)
            # "bad": the landed indicator's weight 20 makes the weights add up to 106, never signable
            change = {"weight": "20"} if landed_target == "bad" else {"target": landed_target}
            spec["indicators"] = [{**i, **change} if i["code"] == "landed" else i for i in spec["indicators"]]
            allowed = self.status[contract.pk] == Status.DRAFT and landed_target != "bad"
            self._attempt(
                "update_spec",
                allowed,
                lambda: services.update_contract_spec(contract=contract, spec=spec, actor=staff),
            )

        def sign(self, index: int) -> None:
            contract = self._contract(index)
            if self._attempt(
                "sign",
                self.status[contract.pk] == Status.DRAFT,
                lambda: services.sign_contract(contract=contract, actor=staff),
            ):
                for pk, status in self.status.items():
                    if status == Status.SIGNED:
                        self.status[pk] = Status.SUPERSEDED
                self.status[contract.pk] = Status.SIGNED

        def amend(self, index: int, reason: str) -> None:
            contract = self._contract(index)
            allowed = (
                self.status[contract.pk] == Status.SIGNED
                and bool(reason.strip())
                and Status.DRAFT not in self.status.values()
            )
            box: list[AssessmentContract] = []
            if self._attempt(
                "amend",
                allowed,
                lambda: box.append(services.amend_contract(contract=contract, reason=reason, actor=staff)),
            ):
                self.versions.append(box[0].pk)
                self.status[box[0].pk] = Status.DRAFT

        # ---- values --------------------------------------------------------------------------------

        @rule(
            index=VERSION,
            period=PERIODS,
            figures=st.dictionaries(REPORTED, FIGURES, min_size=1, max_size=3),
        )
        def report(self, index: int, period: str, figures: dict[str, str]) -> None:
            contract = self._contract(index)
            indicators = {i["code"]: i for i in contract.spec["indicators"]}
            allowed = period not in self.finalised and all(
                _acceptable(indicators, code, raw) for code, raw in figures.items()
            )
            self._attempt(
                "report",
                allowed,
                lambda: services.report_values(
                    contract=contract, period=period, figures=dict(figures), actor=operator
                ),
            )

        @rule(index=VERSION, period=PERIODS, code=st.sampled_from(("landed", "teams")))
        def add_evidence(self, index: int, period: str, code: str) -> None:
            contract = self._contract(index)

            def call() -> None:
                with transaction.atomic():  # as the report view does: the upload and its row together
                    value = services.open_value(contract=contract, period=period, code=code)
                    services.add_evidence(value=value, upload=_pdf(), actor=operator)

            self._attempt("add_evidence", period not in self.finalised, call)

        @rule(
            index=VERSION,
            period=PERIODS,
            code=VERIFIED,
            raw=st.sampled_from(("0", "1", "3", "150", "-1", "", "abc")),
            note=st.sampled_from(("经核查无此情况", " ")),
        )
        def verify(self, index: int, period: str, code: str, raw: str, note: str) -> None:
            contract = self._contract(index)
            indicators = {i["code"]: i for i in contract.spec["indicators"]}
            allowed = (
                period not in self.finalised and _acceptable(indicators, code, raw) and bool(note.strip())
            )
            self._attempt(
                "verify",
                allowed,
                lambda: services.verify_value(
                    contract=contract, period=period, code=code, verified=raw, note=note, actor=staff
                ),
            )

        @rule(index=VERSION, period=PERIODS)
        def settle(self, index: int, period: str) -> None:
            """What an officer does before finalising: verify every figure the live card flags."""
            live = selectors.scorecard(self._contract(index), period, as_of=AS_OF).live
            for row in live.indicators if live is not None else []:
                if row.needs_review:
                    self.verify(
                        index, period, row.code, "0" if row.value is None else str(row.value), "经核查"
                    )

        @rule(index=VERSION, period=PERIODS)
        def refresh(self, index: int, period: str) -> None:
            contract = self._contract(index)
            before = _snapshot(enclave.pk)
            changed = services.refresh_platform_figures(contract=contract, period=period, actor=staff)
            if period in self.finalised:
                assert changed == 0 and _snapshot(enclave.pk) == before, "refresh changed a finalised period"

        # ---- finalisation ----------------------------------------------------------------------------

        @rule(index=VERSION, period=PERIODS)
        def finalise(self, index: int, period: str) -> None:
            contract = self._contract(index)
            live = selectors.scorecard(contract, period, as_of=AS_OF).live
            allowed = (
                self.status[contract.pk] == Status.SIGNED
                and period not in self.finalised
                and live is not None
                and not live.needs_review
            )
            box: list[Assessment] = []
            if self._attempt(
                "finalise",
                allowed,
                lambda: box.append(
                    services.finalise_assessment(contract=contract, period=period, actor=staff, as_of=AS_OF)
                ),
            ):
                assert live is not None
                final = box[0]
                assert (final.total, final.grade, final.reward) == (live.total, live.grade, live.reward)
                assert final.card == live.to_dict()
                self.finalised[period] = (
                    contract.pk,
                    live.total,
                    live.grade,
                    live.reward,
                    live.to_dict(),
                    _period_rows(enclave.pk, period),
                )

        # ---- invariants --------------------------------------------------------------------------------

        @invariant()
        def consistent(self) -> None:
            if not hasattr(self, "versions"):
                return
            versions = list(AssessmentContract.objects.filter(enclave=enclave, year=YEAR).order_by("version"))
            assert [v.pk for v in versions] == self.versions
            assert [v.version for v in versions] == list(range(1, len(versions) + 1))
            for v in versions:
                assert v.status in Status.values and v.status == self.status[v.pk]
                assert (v.signed_at is None) == (v.status == Status.DRAFT)
            statuses = [v.status for v in versions]
            assert statuses.count(Status.SIGNED) <= 1 and statuses.count(Status.DRAFT) <= 1
            signed = [v for v in versions if v.status == Status.SIGNED]
            in_force = selectors.contract_in_force(enclave.pk, YEAR)
            assert in_force == (signed[0] if signed else versions[-1])

            spec = versions[-1].spec
            indicators = {i["code"]: i for i in spec["indicators"]}
            for row in IndicatorValue.objects.filter(enclave=enclave, year=YEAR):
                for value in (row.reported, row.verified):
                    assert value is None or _in_range(indicators[row.code], value), (row.code, value)
                assert (row.reported_at is None) == (row.reported is None)
                assert (row.verified_at is None) == (row.verified is None)

            finals = {a.period: a for a in Assessment.objects.filter(enclave=enclave, year=YEAR)}
            assert set(finals) == set(self.finalised)
            grades = {name for name, _ in spec["grades"]} | {spec["fail_grade"]}
            cap = Decimal(spec["reward"]["cap"])
            for period, final in finals.items():
                pk, total, grade, reward, card, rows = self.finalised[period]
                assert final.contract_id == pk
                assert final.contract.signed_at is not None and final.contract.signed_at <= final.created_at
                assert (final.total, final.grade, final.reward, final.card) == (total, grade, reward, card)
                assert Decimal(0) <= final.total <= Decimal(spec["max_total"])
                assert final.grade in grades and Decimal(0) <= final.reward <= cap
                # frozen: nothing about a finalised period moved since, and its version still shows it
                assert _period_rows(enclave.pk, period) == rows, f"{period} changed after finalisation"
                assert selectors.scorecard(final.contract, period).card == card

    ScorecardMachine.TestCase.settings = SCORECARDS
    run_state_machine_as_test(ScorecardMachine, settings=SCORECARDS)
