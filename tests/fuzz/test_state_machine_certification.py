"""Stateful property test (hypothesis) of talent certification, driving the real services: the bureau's
review path (apply, evidence, accept, first review, expert assignment and scores, conclusion), an authorised
enterprise's self-certification within its yearly quota (with the filing some levels need), publicity,
objections and their decisions, certification, withdrawal and refusal, while the days go by.

Why: a self-certification takes one of the enterprise's yearly places and every way out of it must give
the place back, or the enterprise silently loses (or gains) places. This checks that no sequence of calls
lets the used places exceed the quota or differ from the certifications holding one, reaches a status or
date the process forbids, or certifies past an open objection; and that every refused step raises
ValidationError and changes nothing. A small model of the process predicts which steps are accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule, run_state_machine_as_test

from kechuang.core.models import AuditEvent
from kechuang.talents import services
from kechuang.talents.models import (
    OPEN_STATUSES,
    CertificateCounter,
    Certification,
    CertPath,
    Evidence,
    ExpertScore,
    Objection,
    ObjectionStatus,
    Quota,
    Status,
)
from tests.fuzz.test_state_machines import MACHINE, RolledBack, attempt
from tests.talents.support import authorise, catalogue, person

YEAR = 2025
START = dt.date(YEAR, 3, 3)  # a Monday
AUTHORISED_UNTIL = dt.date(YEAR, 12, 31)  # the authorisation (and so the quota) is for YEAR only
LAST_DAY = dt.date(YEAR + 1, 2, 28)  # the clock may run into the next year: places go back to YEAR's quota
PLACES = 2
# More examples than the shared MACHINE settings: a certificate is six to eight steps away on either
# path, so fewer runs get there. Each example is costly (snapshots of every table around each step):
# 60 examples keep the file under a minute on SQLite.
CERTIFICATION = settings(parent=MACHINE, max_examples=60)
# Catalogue items: A is the top level (bureau only), B needs filing before publicity, C and D do not,
# C_old expired with the previous catalogue.
BASES = st.sampled_from(("A", "B", "C", "D", "C_old"))
RANK = {"A": 1, "B": 2, "C": 3, "D": 4, "C_old": 3}
PERSONS = 4  # three work at the authorised enterprise, the last one elsewhere
REVIEWERS = ("expert", "bureau_staff", "enterprise")  # the enterprise's own user may never review
# Where a run starts: nothing yet; one place taken (publicity); both places taken (one still filing); a
# bureau application in expert review; one in publicity.
STARTS = st.sampled_from(("empty", "self", "full", "review", "publicity"))
# Which certification a step acts on, counted back from the newest: mostly the newest one.
INDEX = st.sampled_from((0, 0, 0, 1, 2, 5))
DONE = (Status.CERTIFIED, Status.REFUSED, Status.WITHDRAWN)


@dataclass
class Cert:
    """What the model knows of one certification."""

    pk: int
    person: int
    basis: str
    path: str
    status: str
    evidence: bool = False
    scores: dict[str, tuple[int | None, bool]] = field(default_factory=dict)  # reviewer -> (score, conflict)

    @property
    def holds_place(self) -> bool:
        return self.path == CertPath.SELF and (
            self.status in OPEN_STATUSES or self.status == Status.CERTIFIED
        )


def _snapshot() -> tuple[Any, ...]:
    """Everything the certification services write: the rows, their history and the audit log."""
    return (
        tuple(
            list(model.objects.order_by("pk").values())
            for model in (Certification, ExpertScore, Objection, Quota, Evidence, CertificateCounter)
        ),
        tuple(model.history.count() for model in (Certification, ExpertScore, Objection)),  # type: ignore[attr-defined]
        AuditEvent.objects.count(),
    )


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("证明材料.pdf", b"%PDF-1.4 test", content_type="application/pdf")


def test_certification_state_machine(world: Any) -> None:
    cat = catalogue()
    items = cat["items"]
    own = world.own_enterprise
    authorise(own, [cat["B"], cat["C"], cat["D"]], places=PLACES, year=YEAR)
    people = [person(n, own) for n in range(1, PERSONS)] + [person(PERSONS, world.other_enterprise)]
    users = world.users

    class CertificationMachine(RolledBack):
        @initialize(start=STARTS)
        def begin(self, start: str) -> None:
            self.today = START
            self.certs: list[Cert] = []
            self.objections: list[tuple[int, int]] = []  # (objection pk, index of its certification)
            # Deeper starting points, reached through the same steps the rules take.
            if start in ("self", "full"):
                self.self_certify(0, "C", own_enterprise=True)
            if start == "full":
                self.self_certify(1, "B", own_enterprise=True)
            if start in ("review", "publicity"):
                self.apply(1, "C", evidence=True)
                for _ in range(3 if start == "review" else 5):
                    self.proceed(0)
            expected = {"empty": 0, "self": 1, "full": 2}.get(start, 0)
            assert sum(c.holds_place for c in self.certs) == expected

        # ---- helpers -------------------------------------------------------------------------------

        def _attempt(self, step: str, allowed: bool, call: Callable[[], object]) -> bool:
            return attempt(step, allowed, call, _snapshot)

        def _pick(self, index: int) -> tuple[Cert, Certification] | None:
            if not self.certs:
                return None
            cert = self.certs[-1 - index % len(self.certs)]
            return cert, Certification.objects.get(pk=cert.pk)

        def _candidate(self, who: int, basis: str) -> bool:
            """The catalogue item is current, the person holds nothing as high and has nothing open."""
            return (
                basis != "C_old"
                and not any(
                    c.person == who and c.status == Status.CERTIFIED and RANK[c.basis] <= RANK[basis]
                    for c in self.certs
                )
                and not any(c.person == who and c.status in OPEN_STATUSES for c in self.certs)
            )

        def _created(self, who: int, basis: str, path: str) -> None:
            cert = Certification.objects.filter(person=people[who]).latest("pk")
            self.certs.append(Cert(cert.pk, who, basis, path, cert.status))

        # ---- the two ways in -----------------------------------------------------------------------

        @rule(who=st.integers(0, PERSONS - 1), basis=BASES, own_enterprise=st.booleans())
        def self_certify(self, who: int, basis: str, own_enterprise: bool) -> None:
            places_left = sum(c.holds_place for c in self.certs) < PLACES
            allowed = (
                own_enterprise  # the other enterprise has no authorisation
                and self.today <= AUTHORISED_UNTIL
                and who < PERSONS - 1  # works at the authorised enterprise
                and basis in ("B", "C", "D")  # the levels authorised (never A; C_old is no longer current)
                and self._candidate(who, basis)
                and places_left
            )
            if self._attempt(
                "self_certify",
                allowed,
                lambda: services.submit_self_certification(
                    actor=users["enterprise"],
                    enterprise=own if own_enterprise else world.other_enterprise,
                    person=people[who],
                    basis=items[basis],
                    on=self.today,
                ),
            ):
                self._created(who, basis, CertPath.SELF)
                assert self.certs[-1].status == (Status.FILING if basis == "B" else Status.PUBLICITY)

        @rule(who=st.integers(0, PERSONS - 1), basis=BASES, evidence=st.booleans())
        def apply(self, who: int, basis: str, evidence: bool) -> None:
            if self._attempt(
                "apply",
                self._candidate(who, basis),
                lambda: services.apply_for_certification(
                    actor=users["enterprise"],
                    person=people[who],
                    basis=items[basis],
                    files=[_pdf()] if evidence else [],
                    on=self.today,
                ),
            ):
                self._created(who, basis, CertPath.BUREAU)
                self.certs[-1].evidence = evidence
                assert self.certs[-1].status == Status.SUBMITTED

        # ---- the bureau's review ---------------------------------------------------------------------

        @rule(
            step=st.sampled_from(("add_evidence", "accept", "first_review", "conclude", "approve_filing")),
            index=INDEX,
        )
        def review(self, step: str, index: int) -> None:
            picked = self._pick(index)
            if picked is None:
                return
            cert, row = picked
            if step == "add_evidence":
                if self._attempt(
                    step,
                    cert.status in (Status.SUBMITTED, Status.ACCEPTED),
                    lambda: services.add_evidence(actor=None, certification=row, upload=_pdf()),
                ):
                    cert.evidence = True
            elif step == "accept":
                if self._attempt(
                    step,
                    cert.status == Status.SUBMITTED and cert.evidence,
                    lambda: services.accept_application(actor=None, certification=row),
                ):
                    cert.status = Status.ACCEPTED
            elif step == "first_review":
                if self._attempt(
                    step,
                    cert.status == Status.ACCEPTED,
                    lambda: services.pass_first_review(actor=None, certification=row),
                ):
                    cert.status = Status.FIRST_REVIEW
            elif step == "approve_filing":
                if self._attempt(
                    step,
                    cert.status == Status.FILING,
                    lambda: services.approve_filing(actor=None, certification=row, on=self.today),
                ):
                    cert.status = Status.PUBLICITY
            else:
                self._conclude(cert, row)

        def _conclude(self, cert: Cert, row: Certification) -> None:
            pending = any(score is None and not conflict for score, conflict in cert.scores.values())
            counted = [
                score for score, conflict in cert.scores.values() if score is not None and not conflict
            ]
            allowed = cert.status == Status.EXPERT_REVIEW and not pending and bool(counted)
            if self._attempt(
                "conclude",
                allowed,
                lambda: services.conclude_review(actor=None, certification=row, on=self.today),
            ):
                mean = (Decimal(sum(counted)) / len(counted)).quantize(Decimal("0.01"))
                cert.status = Status.REFUSED if mean < services.PASS_SCORE else Status.PUBLICITY
                assert Certification.objects.get(pk=cert.pk).review_score == mean

        @rule(who=st.sampled_from(REVIEWERS), index=INDEX)
        def assign(self, who: str, index: int) -> None:
            picked = self._pick(index)
            if picked is None:
                return
            cert, row = picked
            allowed = (
                cert.status in (Status.FIRST_REVIEW, Status.EXPERT_REVIEW)
                and who != "enterprise"
                and who not in cert.scores
            )
            if self._attempt(
                "assign",
                allowed,
                lambda: services.assign_reviewer(actor=None, certification=row, reviewer=users[who]),
            ):
                cert.scores[who] = (None, False)
                cert.status = Status.EXPERT_REVIEW

        @rule(
            who=st.sampled_from(REVIEWERS),
            index=INDEX,
            score=st.sampled_from((90, 75, 40, 101, -1, None)),  # None: the reviewer declares a conflict
        )
        def score(self, who: str, index: int, score: int | None) -> None:
            picked = self._pick(index)
            if picked is None:
                return
            cert, row = picked
            conflict = score is None
            allowed = (
                cert.status == Status.EXPERT_REVIEW and who in cert.scores and (conflict or 0 <= score <= 100)  # type: ignore[operator]
            )
            if self._attempt(
                "score",
                allowed,
                lambda: services.score_certification(
                    reviewer=users[who],
                    certification=row,
                    score=score,
                    conflict_declared=conflict,
                    on=self.today,
                ),
            ):
                cert.scores[who] = (score, conflict)

        # ---- publicity, objections, the outcome --------------------------------------------------------

        @rule(index=INDEX, reason=st.sampled_from(("该人才并非本单位全职员工", "短")))
        def file_objection(self, index: int, reason: str) -> None:
            picked = self._pick(index)
            if picked is None:
                return
            cert, row = picked
            allowed = (
                cert.status in (Status.PUBLICITY, Status.ON_HOLD)
                and row.publicity_until is not None
                and self.today <= row.publicity_until
                and len(reason) >= 5
            )
            if self._attempt(
                "object",
                allowed,
                lambda: services.file_objection(
                    actor=users["investor"], certification=row, reason=reason, on=self.today
                ),
            ):
                cert.status = Status.ON_HOLD
                self.objections.append((Objection.objects.latest("pk").pk, self.certs.index(cert)))

        @rule(index=INDEX, upheld=st.booleans(), note=st.sampled_from(("经核实", " ")))
        def decide_objection(self, index: int, upheld: bool, note: str) -> None:
            if not self.objections:
                return
            pk, owner = self.objections[-1 - index % len(self.objections)]
            objection = Objection.objects.get(pk=pk)
            cert = self.certs[owner]
            allowed = objection.status == ObjectionStatus.OPEN and bool(note.strip())
            if not self._attempt(
                "decide_objection",
                allowed,
                lambda: services.decide_objection(
                    actor=None, objection=objection, upheld=upheld, note=note, on=self.today
                ),
            ):
                return
            others_open = Objection.objects.filter(
                certification_id=cert.pk, status=ObjectionStatus.OPEN
            ).exists()
            if upheld and cert.status in OPEN_STATUSES:
                cert.status = Status.REFUSED
            elif not upheld and cert.status == Status.ON_HOLD and not others_open:
                cert.status = Status.PUBLICITY

        @rule(index=INDEX)
        def certify(self, index: int) -> None:
            picked = self._pick(index)
            if picked is None:
                return
            cert, row = picked
            allowed = (
                cert.status == Status.PUBLICITY
                and row.publicity_until is not None
                and self.today > row.publicity_until
            )
            if self._attempt(
                "certify", allowed, lambda: services.certify(actor=None, certification=row, on=self.today)
            ):
                cert.status = Status.CERTIFIED

        @rule(index=INDEX, refuse=st.booleans(), reason=st.sampled_from(("材料不实", " ")))
        def end(self, index: int, refuse: bool, reason: str) -> None:
            """Withdrawal by the applicant, or 不予认定 (which needs a reason), at any open stage."""
            picked = self._pick(index)
            if picked is None:
                return
            cert, row = picked
            if refuse:
                if self._attempt(
                    "refuse",
                    cert.status in OPEN_STATUSES and bool(reason.strip()),
                    lambda: services.refuse_certification(
                        actor=None, certification=row, reason=reason, on=self.today
                    ),
                ):
                    cert.status = Status.REFUSED
            elif self._attempt(
                "withdraw",
                cert.status in OPEN_STATUSES,
                lambda: services.withdraw_certification(actor=None, certification=row, on=self.today),
            ):
                cert.status = Status.WITHDRAWN

        @rule(index=INDEX)
        def proceed(self, index: int) -> None:
            """The ordinary next step for one certification, through the same steps as the other rules
            (so that runs reach publicity, objections and certificates, not only the first stages)."""
            picked = self._pick(index)
            if picked is None:
                return
            cert, row = picked
            if cert.status == Status.SUBMITTED:
                self.review("accept" if cert.evidence else "add_evidence", index)
            elif cert.status == Status.ACCEPTED:
                self.review("first_review", index)
            elif cert.status == Status.FIRST_REVIEW:
                self.assign("expert", index)
            elif cert.status == Status.EXPERT_REVIEW:
                pending = [
                    who for who, (score, conflict) in cert.scores.items() if score is None and not conflict
                ]
                if pending:
                    self.score(pending[0], index, 75)
                else:
                    self.review("conclude", index)
            elif cert.status == Status.FILING:
                self.review("approve_filing", index)
            elif cert.status == Status.PUBLICITY:
                assert row.publicity_until is not None
                self.today = max(self.today, min(row.publicity_until + dt.timedelta(days=1), LAST_DAY))
                self.certify(index)
            elif cert.status == Status.ON_HOLD:
                mine = self.certs.index(cert)
                for i, (pk, owner) in enumerate(self.objections):
                    if owner == mine and Objection.objects.get(pk=pk).status == ObjectionStatus.OPEN:
                        self.decide_objection(i, upheld=False, note="经核实，异议不成立")
                        break

        @rule(days=st.sampled_from((1, 3, 8, 120)))
        def wait(self, days: int) -> None:
            self.today = min(self.today + dt.timedelta(days=days), LAST_DAY)

        # ---- invariants --------------------------------------------------------------------------------

        @invariant()
        def consistent(self) -> None:
            if not hasattr(self, "certs"):
                return
            rows = {c.pk: c for c in Certification.objects.all()}
            assert set(rows) == {c.pk for c in self.certs}
            holding = [c for c in rows.values() if c.holds_place]
            quota = Quota.objects.filter(enterprise=own, year=YEAR).first()
            used = quota.used if quota is not None else 0
            if quota is not None:
                assert quota.places == PLACES
            assert 0 <= used <= PLACES, f"{used} places used of {PLACES}"
            assert used == len(holding) == sum(c.holds_place for c in self.certs), (
                f"quota says {used} used, {len(holding)} certifications hold a place"
            )
            assert not Quota.objects.exclude(enterprise=own).filter(used__gt=0).exists()
            open_people = [c.person_id for c in rows.values() if c.status in OPEN_STATUSES]
            assert len(open_people) == len(set(open_people)), "a person with two open applications"
            for model in self.certs:
                row = rows[model.pk]
                assert row.status in Status.values and row.status == model.status, (model, row.status)
                assert row.path == model.path and row.holds_place == model.holds_place
                assert (row.certificate_no is not None) == (row.status == Status.CERTIFIED)
                assert (row.decided_on is not None) == (row.status in DONE)
                if row.status in (Status.PUBLICITY, Status.ON_HOLD, Status.CERTIFIED):
                    assert row.publicity_from is not None and row.publicity_until is not None
                    assert row.submitted_on <= row.publicity_from < row.publicity_until
                if row.status == Status.CERTIFIED:
                    assert row.publicity_until is not None and row.valid_from is not None
                    assert row.publicity_until < row.valid_from == row.decided_on
                    assert row.valid_until is not None and row.valid_from <= row.valid_until
                if row.decided_on is not None:
                    assert row.submitted_on <= row.decided_on <= self.today
                open_objections = row.objections.filter(status=ObjectionStatus.OPEN).exists()
                if row.status == Status.ON_HOLD:
                    assert open_objections, "on hold with no open objection"
                if row.status == Status.PUBLICITY:
                    assert not open_objections, "in publicity with an open objection"
            for objection in Objection.objects.select_related("certification"):
                cert = objection.certification
                assert cert.publicity_from is not None and cert.publicity_until is not None
                assert cert.publicity_from <= objection.filed_on <= cert.publicity_until
                assert (objection.decided_on is None) == (objection.status == ObjectionStatus.OPEN)

    CertificationMachine.TestCase.settings = CERTIFICATION
    run_state_machine_as_test(CertificationMachine, settings=CERTIFICATION)
