"""Stateful property test (hypothesis) of incubation projects, driving the real services: the application,
reviewer assignment, scoring and conflicts of interest, the admission decision (入孵 / 不予入孵), forward
stage moves, activities (milestones, investments, services, periodic reviews, landing and its figures)
and the elimination decision (淘汰 / 保留).

Why: a project's stage, its dates and its timeline are what the bureau, the carrier and the elimination
rules read. Example tests cover the paths someone thought of; this one checks that no sequence of calls
reaches a stage the lifecycle forbids, lets an exited project (淘汰, 不予入孵) move or record anything
again, or leaves the timeline out of order, and that every refused step raises ValidationError and
changes nothing. A small model of the lifecycle predicts which steps must be accepted.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule, run_state_machine_as_test

from kechuang.incubation import selectors, services
from kechuang.incubation.choices import ACTIVE_STAGES, Decision, Stage, next_stages
from kechuang.incubation.models import (
    EliminationDecision,
    Investment,
    LandingFigure,
    Milestone,
    PeriodicReview,
    Project,
    ProjectEvent,
    Review,
    ServiceRecord,
)
from tests.fuzz.test_state_machines import MACHINE, RolledBack
from tests.incubation import factories as fx

# More examples than the shared MACHINE settings: the lifecycle after 入孵 has the most steps to combine,
# and reaching a given stage still takes several of them; 100 examples stay around 30 s on SQLite.
INCUBATION = settings(parent=MACHINE, max_examples=60)
# Most runs start admitted (some already landed in Jinjiang), through the same steps the rules take.
START = ("admitted", "admitted", "landed", "landed", "reviewed", "applied")
EXITED = (Stage.ELIMINATED, Stage.REJECTED)
ADMITTED = services.ADMITTED_STAGES
# The applicant's own user is offered as a reviewer too: it must always be refused (conflict of interest).
REVIEWERS = ("expert", "bureau_staff", "enterprise")
REVIEWER = st.sampled_from(REVIEWERS)
DECIDER = st.sampled_from(("bureau_staff", "bureau_staff", "expert"))  # only bureau staff may decide
ELIGIBLE = frozenset({"expert", "bureau_staff"})
WEIGHTS = {code: weight for code, _, weight, _ in services.DEFAULT_CRITERIA}
SCORES = st.fixed_dictionaries({code: st.integers(-5, 105) for code in WEIGHTS})
# The application lies HORIZON days before today. A step's day is the machine's clock (the latest day
# accepted so far) plus a delta: mostly forward as in real life, sometimes back-dated, and now and then
# before the application or in the future.
HORIZON = 400
DAYS = st.one_of(st.integers(-40, 60), st.sampled_from((-HORIZON - 1, HORIZON + 1)))
VALUE = st.sampled_from((80, 45, 100, 0, -5, 105))  # an investment (万元) or a periodic review's score
JOBS = st.sampled_from((12, 12, 0, -1))
YEARS_BACK = st.sampled_from((0, 0, 1, 2, -1))  # a landing figure's year, counted back from this year
RELATED = (
    ProjectEvent,
    Review,
    Milestone,
    Investment,
    ServiceRecord,
    PeriodicReview,
    LandingFigure,
    EliminationDecision,
)


def _snapshot(pk: int) -> tuple[Any, ...]:
    """Everything a step may write about the project: its row, every related row, its history."""
    rows = tuple(list(model.objects.filter(project_id=pk).order_by("pk").values()) for model in RELATED)
    return Project.objects.filter(pk=pk).values().get(), rows, Project.history.filter(id=pk).count()


def _total(scores: dict[str, int]) -> Decimal:
    return sum(
        (Decimal(scores[code]) / 100 * weight for code, weight in WEIGHTS.items()), Decimal(0)
    ).quantize(Decimal("0.01"))


def test_incubation_state_machine(world: Any) -> None:
    users = world.users

    def today() -> dt.date:
        """Read at each use, as the services do: a run that crosses midnight still agrees with them."""
        return timezone.localdate()

    applied = today() - dt.timedelta(days=HORIZON)
    landing_code = world.same_town_enterprise.organization.credit_code

    def valid_day(day: dt.date) -> bool:
        return applied <= day <= today()

    class IncubationMachine(RolledBack):
        @initialize(start=st.sampled_from(START), offset=st.integers(0, HORIZON // 2))
        def apply(self, start: str, offset: int) -> None:
            project = services.submit_application(
                actor=users["enterprise"],
                carrier=world.own_enclave,
                # a name of its own: a project of the same name left at the carrier would refuse it
                data=fx.data(f"状态机孵化项目-{uuid.uuid4().hex[:8]}"),
                applicant=world.own_enterprise.organization,
                applied_on=applied,
            )
            self.pk = project.pk
            self.stage: str = Stage.RECRUITING
            self.changed_on = applied
            self.progress = applied
            self.admitted_on: dt.date | None = None
            self.totals: dict[str, Decimal] = {}  # submitted reviews' weighted totals by reviewer
            self.conflicted: set[str] = set()
            self.milestones: list[tuple[int, bool]] = []  # (pk, done)
            self.landed_on: dt.date | None = None
            self.events = 1
            self.clock = applied
            # Deeper starting points, reached through the same steps, so admitted projects get a full run.
            if start != "applied":
                self.assign("expert")
                self.score("expert", dict.fromkeys(WEIGHTS, 80))
            if start in ("admitted", "landed"):
                self.decide(True, "bureau_staff", offset)
            if start == "landed":
                self.land(7)
            assert self.stage == (Stage.RECRUITING if start in ("applied", "reviewed") else Stage.INCUBATING)

        def _project(self) -> Project:
            return Project.objects.get(pk=self.pk)

        def _review(self, who: str) -> Review | None:
            return (
                Review.objects.select_related("reviewer", "project").filter(project_id=self.pk).first()
                if who not in self._assigned()
                else Review.objects.select_related("reviewer", "project").get(
                    project_id=self.pk, reviewer=users[who]
                )
            )

        def _assigned(self) -> set[str]:
            ids = set(Review.objects.filter(project_id=self.pk).values_list("reviewer_id", flat=True))
            return {who for who in REVIEWERS if users[who].pk in ids}

        def _attempt(
            self,
            step: str,
            allowed: bool,
            call: Callable[[], object],
            events: int = 0,
            day: dt.date | None = None,
        ) -> bool:
            """Run one step; a refusal must be a ValidationError that changes nothing."""
            before = _snapshot(self.pk)
            try:
                call()
            except ValidationError:
                assert not allowed, f"{step} refused at {self.stage}"
                assert _snapshot(self.pk) == before, f"refused {step} changed the project"
                return False
            assert self.stage not in EXITED, f"{step} accepted on an exited project ({self.stage})"
            assert allowed, f"{step} accepted at {self.stage}"
            self.events += events
            if day is not None:
                self.clock = max(self.clock, day)
            return True

        def _day(self, delta: int) -> dt.date:
            return self.clock + dt.timedelta(days=delta)

        def _moved(self, day: dt.date) -> None:
            self.progress = max(self.progress, day)

        # ---- the rules: few, so that hypothesis combines them often; each dispatches to a step below

        @rule(step=st.sampled_from(("assign", "score", "declare_conflict")), who=REVIEWER, scores=SCORES)
        def review(self, step: str, who: str, scores: dict[str, int]) -> None:
            if step == "score":
                self.score(who, scores)
            else:
                getattr(self, step)(who)

        @rule(to=st.sampled_from(("next", "next", *Stage.values)), delta=DAYS)
        def move(self, to: str, delta: int) -> None:
            self.advance(to, delta)

        @rule(complete=st.booleans(), index=st.integers(0, 5), delta=DAYS)
        def milestone(self, complete: bool, index: int, delta: int) -> None:
            if complete:
                self.complete_milestone(index, delta)
            else:
                self.add_milestone(delta)

        @rule(kind=st.sampled_from(("service", "invest", "periodic_review")), value=VALUE, delta=DAYS)
        def activity(self, kind: str, value: int, delta: int) -> None:
            if kind == "service":
                self.service(delta)
            else:
                getattr(self, kind)(value, delta)

        @rule(figure=st.booleans(), delta=DAYS, year_back=YEARS_BACK, jobs=JOBS)
        def landing(self, figure: bool, delta: int, year_back: int, jobs: int) -> None:
            if figure:
                self.landing_figure(year_back, jobs)
            else:
                self.land(delta)

        # ---- application and admission -------------------------------------------------------------

        def assign(self, who: str) -> None:
            new = who not in self._assigned()
            self._attempt(
                "assign",
                self.stage == Stage.RECRUITING and who in ELIGIBLE,
                lambda: services.assign_reviewers(
                    actor=users["bureau_staff"], project=self._project(), reviewers=[users[who]]
                ),
                events=int(new),
            )

        def score(self, who: str, scores: dict[str, int]) -> None:
            review = self._review(who)
            if review is None:
                return
            allowed = (
                self.stage == Stage.RECRUITING
                and who in self._assigned()
                and who not in self.conflicted
                and all(0 <= s <= 100 for s in scores.values())
            )
            if self._attempt(
                "score",
                allowed,
                lambda: services.submit_review(actor=users[who], review=review, scores=scores),
            ):
                self.totals[who] = _total(scores)

        def declare_conflict(self, who: str) -> None:
            review = self._review(who)
            if review is None:
                return
            allowed = self.stage == Stage.RECRUITING and who in self._assigned()
            if self._attempt(
                "declare_conflict",
                allowed,
                lambda: services.declare_conflict(actor=users[who], review=review, note="曾合作"),
                events=1,
            ):
                self.conflicted.add(who)

        @rule(admit=st.booleans(), who=DECIDER, delta=DAYS)
        def decide(self, admit: bool, who: str, delta: int) -> None:
            day = self._day(delta)
            allowed = (
                who == "bureau_staff"
                and self.stage == Stage.RECRUITING
                and bool(self._counted())
                and valid_day(day)
            )
            if self._attempt(
                "decide",
                allowed,
                lambda: services.decide_admission(
                    actor=users[who], project=self._project(), admit=admit, reason="评审意见", decided_on=day
                ),
                events=1,
                day=day,
            ):
                self.stage = Stage.INCUBATING if admit else Stage.REJECTED
                self.changed_on = day
                self.admitted_on = day if admit else None
                self._moved(day)

        # ---- lifecycle ---------------------------------------------------------------------------------

        def advance(self, to: str, delta: int) -> None:
            if to == "next":  # the ordinary move (other values try every stage, mostly refused)
                ahead = next_stages(self.stage)
                to = ahead[0] if ahead else Stage.GRADUATED
            day = self._day(delta)
            allowed = to in next_stages(self.stage) and self.changed_on <= day <= today()
            if self._attempt(
                "advance",
                allowed,
                lambda: services.advance_project_stage(
                    actor=None, project=self._project(), to_stage=to, on=day
                ),
                events=1,
                day=day,
            ):
                self.stage, self.changed_on = to, day
                self._moved(day)

        def add_milestone(self, delta: int) -> None:
            due = self._day(delta)
            allowed = self.stage in ACTIVE_STAGES and self.admitted_on is not None and due >= self.admitted_on
            box: list[Milestone] = []
            if self._attempt(
                "add_milestone",
                allowed,
                lambda: box.append(
                    services.add_milestone(actor=None, project=self._project(), title="样机", due_on=due)
                ),
            ):
                self.milestones.append((box[0].pk, False))

        def complete_milestone(self, index: int, delta: int) -> None:
            if not self.milestones:
                return
            i = index % len(self.milestones)
            pk, done = self.milestones[i]
            day = self._day(delta)
            allowed = self.stage in ACTIVE_STAGES and not done and valid_day(day)

            def call() -> None:
                milestone = Milestone.objects.get(pk=pk)
                milestone.project = self._project()
                services.complete_milestone(actor=None, milestone=milestone, done_on=day)

            if self._attempt("complete_milestone", allowed, call, events=1, day=day):
                self.milestones[i] = (pk, True)
                self._moved(day)

        def invest(self, amount: int, delta: int) -> None:
            day = self._day(delta)
            allowed = self.stage in ADMITTED and amount > 0 and valid_day(day)
            if self._attempt(
                "invest",
                allowed,
                lambda: services.record_investment(
                    actor=None,
                    project=self._project(),
                    amount=Decimal(amount),
                    round="angel",
                    invested_on=day,
                    investor_name="测试创投",
                ),
                events=1,
                day=day,
            ):
                self._moved(day)

        def service(self, delta: int) -> None:
            day = self._day(delta)
            if self._attempt(
                "service",
                self.stage in ACTIVE_STAGES and valid_day(day),
                lambda: services.record_service(
                    actor=None, project=self._project(), kind="tech", description="技术对接", provided_on=day
                ),
                day=day,
            ):
                self._moved(day)

        def periodic_review(self, score: int, delta: int) -> None:
            day = self._day(delta)
            allowed = self.stage in ACTIVE_STAGES and 0 <= score <= 100 and valid_day(day)
            if self._attempt(
                "periodic_review",
                allowed,
                lambda: services.record_periodic_review(
                    actor=None,
                    project=self._project(),
                    reviewed_on=day,
                    score=Decimal(score),
                    progress_note="进展",
                ),
                events=1,
                day=day,
            ):
                self._moved(day)

        def land(self, delta: int) -> None:
            day = self._day(delta)
            allowed = (
                self.stage in ADMITTED
                and self.landed_on is None
                and valid_day(day)
                and self.admitted_on is not None
                and day >= self.admitted_on
            )
            if self._attempt(
                "land",
                allowed,
                lambda: services.record_landing(
                    actor=None, project=self._project(), credit_code=landing_code, landed_on=day
                ),
                events=1,
                day=day,
            ):
                self.landed_on = day
                self._moved(day)

        def landing_figure(self, year_back: int, jobs: int) -> None:
            year = today().year - year_back
            allowed = (
                self.stage not in EXITED
                and self.landed_on is not None
                and self.landed_on.year <= year <= today().year
                and jobs >= 0
            )
            if self._attempt(
                "landing_figure",
                allowed,
                lambda: services.record_landing_figure(
                    actor=None, project=self._project(), year=year, jobs=jobs, output=None, tax=None
                ),
            ):
                self._moved(min(today(), dt.date(year, 12, 31)))

        @rule(eliminate=st.booleans(), who=DECIDER, delta=DAYS)
        def decide_elimination(self, eliminate: bool, who: str, delta: int) -> None:
            day = self._day(delta)
            project = self._project()
            hits = selectors.rule_hits(project=project, as_of=day) if valid_day(day) else []
            allowed = (
                who == "bureau_staff"
                and self.stage in ACTIVE_STAGES
                and self.admitted_on is not None
                and self.admitted_on <= day <= today()
                and (eliminate or bool(hits))
                # an elimination cannot predate the stage it ends (a keep decision changes no stage)
                and (not eliminate or day >= self.changed_on)
            )
            if (
                self._attempt(
                    "decide_elimination",
                    allowed,
                    lambda: services.decide_elimination(
                        project=project, eliminate=eliminate, reason="依据评估", actor=users[who], as_of=day
                    ),
                    events=1,
                    day=day,
                )
                and eliminate
            ):
                self.stage, self.changed_on = Stage.ELIMINATED, day

        # ---- invariants --------------------------------------------------------------------------------

        def _counted(self) -> dict[str, Decimal]:
            return {who: total for who, total in self.totals.items() if who not in self.conflicted}

        @invariant()
        def consistent(self) -> None:
            if not hasattr(self, "pk"):
                return
            p = self._project()
            assert p.stage in Stage.values
            assert p.stage == self.stage
            assert (p.stage_changed_on, p.last_progress_on) == (self.changed_on, self.progress)
            assert p.admitted_on == self.admitted_on
            expected_decision = {Stage.RECRUITING: "", Stage.REJECTED: Decision.REJECT}.get(
                Stage(p.stage), Decision.ADMIT
            )
            assert p.decision == expected_decision
            assert (p.decided_on is None) == (p.stage == Stage.RECRUITING)
            if p.decision == Decision.ADMIT:
                assert p.admitted_on == p.decided_on
            assert (p.graduated_on is not None) == (p.stage == Stage.GRADUATED)
            assert (p.eliminated_on is not None) == (p.stage == Stage.ELIMINATED)
            assert p.applied_on <= p.stage_changed_on <= today() and p.last_progress_on <= today()
            for later in (p.graduated_on, p.eliminated_on, p.landed_on):
                if later is not None:
                    assert p.admitted_on is not None and p.admitted_on <= later
            counted = list(self._counted().values())
            expected = (
                (sum(counted, Decimal(0)) / len(counted)).quantize(Decimal("0.01")) if counted else None
            )
            assert p.review_score == expected
            # values stay within their ranges
            assert all(0 <= r.total <= 100 for r in Review.objects.filter(project=p, total__isnull=False))
            assert all(0 <= r.score <= 100 for r in PeriodicReview.objects.filter(project=p))
            assert all(i.amount > 0 for i in Investment.objects.filter(project=p))
            # the timeline: recorded in order, each event starting where the previous one ended, every
            # date between the application and today, and the stage changes themselves in time order
            timeline = list(ProjectEvent.objects.filter(project=p).order_by("pk"))
            assert len(timeline) == self.events
            assert (timeline[0].from_stage, timeline[0].to_stage) == ("", Stage.RECRUITING)
            assert timeline[0].happened_on == p.applied_on
            assert timeline[-1].to_stage == p.stage
            for previous, event in itertools.pairwise(timeline):
                assert event.from_stage == previous.to_stage, f"{event.action} after {previous.action}"
            assert all(p.applied_on <= e.happened_on <= today() for e in timeline)
            changes = [e for e in timeline if e.from_stage != e.to_stage]
            for previous, event in itertools.pairwise(changes):
                assert event.happened_on >= previous.happened_on, (
                    f"{event.action} dated {event.happened_on}, before {previous.action} "
                    f"on {previous.happened_on}"
                )
            assert changes[-1].happened_on == p.stage_changed_on

    IncubationMachine.TestCase.settings = INCUBATION
    run_state_machine_as_test(IncubationMachine, settings=INCUBATION)
