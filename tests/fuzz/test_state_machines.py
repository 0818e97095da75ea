"""Stateful property tests (hypothesis) driving the real services: no sequence of calls reaches an illegal
state or leaves an inconsistent timeline, and every refused step changes nothing.

Why: the state machines hold money and deadline decisions; example tests check the paths someone thought
of, these check the ones nobody did. Each example runs in a savepoint that is rolled back afterwards.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from kechuang.demands import services as demands
from kechuang.demands.choices import CloseReason, RejectReason, Status
from kechuang.demands.models import Demand, DemandEvent
from tests.demands_factories import data

MACHINE = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def attempt(step: str, allowed: bool, call: Callable[[], object], snapshot: Callable[[], Any]) -> bool:
    """Run one step of a machine; a refusal must be a ValidationError that changes nothing ``snapshot``
    sees. True when the step was accepted (and it had to be allowed)."""
    before = snapshot()
    try:
        call()
    except ValidationError as exc:
        assert not allowed, f"{step} refused: {exc.messages}"
        assert snapshot() == before, f"refused {step} changed something"
        return False
    assert allowed, f"{step} accepted"
    return True


class RolledBack(RuleBasedStateMachine):
    """A machine whose writes live in one savepoint, undone when the example ends."""

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)


# ---- (a) demands -----------------------------------------------------------------------------------------


def _demand_step(demand: Demand, step: str) -> None:
    """The named step through its public service where one exists, else the state machine's core."""
    if step == "accept":
        demands.accept_demand(actor=None, demand=demand, comment="受理")
    elif step == "return":
        demands.return_demand(actor=None, demand=demand, reason="请补充技术指标")
    elif step == "reject":
        demands.reject_demand(actor=None, demand=demand, reason=RejectReason.NOT_TECH)
    elif step == "close":
        demands.close_demand(actor=None, demand=demand, reason=CloseReason.NO_MATCH)
    else:
        demands.transition(actor=None, demand=demand, step=step, comment=step)


def test_demand_state_machine(world: Any) -> None:
    class DemandMachine(RolledBack):
        @initialize(submit=st.booleans())
        def file(self, submit: bool) -> None:
            self.demand = demands.file_demand(
                actor=None, enterprise=world.own_enterprise, data=data("状态机需求"), submit=submit
            )
            self.expected = Status.SUBMITTED if submit else Status.DRAFT
            self.steps = 0

        @rule(step=st.sampled_from(sorted(demands.STEPS)))
        def act(self, step: str) -> None:
            rule_ = demands.STEPS[step]
            before = Demand.objects.get(pk=self.demand.pk)
            events = DemandEvent.objects.filter(demand=self.demand).count()
            try:
                _demand_step(self.demand, step)
            except demands.TransitionError:
                assert self.expected not in rule_.sources, f"{step} refused from {self.expected}"
                after = Demand.objects.get(pk=self.demand.pk)
                assert (after.status, after.version) == (before.status, before.version)
                assert DemandEvent.objects.filter(demand=self.demand).count() == events
                return
            assert self.expected in rule_.sources, f"{step} allowed from {self.expected}"
            self.expected = rule_.target or self.expected
            self.steps += 1
            assert Demand.objects.get(pk=self.demand.pk).version == before.version + 1
            assert DemandEvent.objects.filter(demand=self.demand).count() == events + 1

        @invariant()
        def consistent(self) -> None:
            if not hasattr(self, "demand"):
                return
            current = Demand.objects.get(pk=self.demand.pk)
            assert current.status in Status.values
            assert current.status == self.expected == self.demand.status
            assert demands.allowed_steps(current) == {
                n for n, s in demands.STEPS.items() if current.status in s.sources
            }
            timeline = list(DemandEvent.objects.filter(demand=current).order_by("created_at", "pk"))
            assert [e.pk for e in timeline] == sorted(e.pk for e in timeline)
            assert timeline[-1].to_status == current.status
            for previous, event in itertools.pairwise(timeline):
                assert event.from_status == previous.to_status
                assert event.created_at >= previous.created_at

    DemandMachine.TestCase.settings = MACHINE
    run_state_machine_as_test(DemandMachine, settings=MACHINE)
