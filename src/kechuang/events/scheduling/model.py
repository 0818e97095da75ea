"""Instance and result types of the fair scheduler.

Plain dataclasses (no Django) so the solver can run in a worker, a benchmark or a test
without a database; the events app converts its rows to these and back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

#: Values are floats in the API; CP-SAT needs integers, so they are scaled by this factor.
VALUE_SCALE = 1000


@dataclass(frozen=True, slots=True)
class Slot:
    """One time slot of the fair; ``tables`` is how many 1:1 meetings fit into it."""

    label: str
    tables: int


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone who meets people: exhibitor, enterprise or investor.

    ``available`` holds the slot indices the person is present for (``None`` = every slot);
    ``cap`` is the most meetings they want in total.
    """

    id: str
    name: str
    cap: int
    available: frozenset[int] | None = None
    role: str = ""


@dataclass(frozen=True, slots=True)
class MeetingRequest:
    """A requested 1:1 meeting between participants ``a`` and ``b``.

    ``accepted`` requests were agreed to by both sides and are placed before any suggested
    meeting; ``value`` ranks meetings of the same kind (matching score, request priority...).
    """

    id: str
    a: str
    b: str
    value: float
    accepted: bool = False


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a meeting happens: slot index and table number (1-based)."""

    slot: int
    table: int


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A meeting that got no slot, with machine-readable ``code`` and Chinese ``reason``."""

    meeting_id: str
    accepted: bool
    code: str
    reason: str


@dataclass(frozen=True)
class Instance:
    """Everything the scheduler needs; validated on construction so solvers can trust it."""

    slots: tuple[Slot, ...]
    participants: tuple[Participant, ...]
    requests: tuple[MeetingRequest, ...]

    def __post_init__(self) -> None:
        ids = [p.id for p in self.participants]
        if len(set(ids)) != len(ids):
            raise ValueError("participant ids must be unique")
        mids = [r.id for r in self.requests]
        if len(set(mids)) != len(mids):
            raise ValueError("meeting ids must be unique")
        known = set(ids)
        for r in self.requests:
            if r.a not in known or r.b not in known:
                raise ValueError(f"meeting {r.id} names an unknown participant")
            if r.a == r.b:
                raise ValueError(f"meeting {r.id} pairs a participant with themself")
            if r.value < 0:
                raise ValueError(f"meeting {r.id} has a negative value")
        n = len(self.slots)
        for p in self.participants:
            if p.cap < 0:
                raise ValueError(f"participant {p.id} has a negative cap")
            if p.available is not None and any(not 0 <= s < n for s in p.available):
                raise ValueError(f"participant {p.id} is available in a slot that does not exist")
        if any(s.tables < 0 for s in self.slots):
            raise ValueError("table counts must be non-negative")

    @classmethod
    def build(
        cls,
        slots: Iterable[Slot],
        participants: Iterable[Participant],
        requests: Iterable[MeetingRequest],
    ) -> Instance:
        """Convenience constructor accepting any iterables."""
        return cls(tuple(slots), tuple(participants), tuple(requests))

    @cached_property
    def person(self) -> Mapping[str, Participant]:
        return {p.id: p for p in self.participants}

    @cached_property
    def request(self) -> Mapping[str, MeetingRequest]:
        return {r.id: r for r in self.requests}

    def available(self, pid: str) -> frozenset[int]:
        """Slots the participant can meet in (``None`` in the data means all slots)."""
        return self._avail[pid]

    @cached_property
    def _avail(self) -> Mapping[str, frozenset[int]]:
        everything = frozenset(range(len(self.slots)))
        return {p.id: everything if p.available is None else p.available for p in self.participants}

    @cached_property
    def candidates(self) -> Mapping[str, tuple[int, ...]]:
        """Slots allowed for each meeting: both sides present and the slot has tables."""
        open_slots = frozenset(i for i, s in enumerate(self.slots) if s.tables > 0)
        return {r.id: tuple(sorted(self._avail[r.a] & self._avail[r.b] & open_slots)) for r in self.requests}

    def without(self, meeting_ids: Iterable[str]) -> Instance:
        """The same fair with some requests cancelled."""
        gone = set(meeting_ids)
        return Instance(self.slots, self.participants, tuple(r for r in self.requests if r.id not in gone))

    def with_participant(self, participant: Participant) -> Instance:
        """The same fair with one participant's data replaced (e.g. a shrunken window, a no-show)."""
        return Instance(
            self.slots,
            tuple(participant if p.id == participant.id else p for p in self.participants),
            self.requests,
        )


@dataclass
class ScheduleResult:
    """What the scheduler decided and how good that is.

    ``value`` sums the values of placed meetings (compared at 1/``VALUE_SCALE`` precision).
    ``lp_bound`` is a HiGHS LP-relaxation bound: from ``schedule`` it bounds every schedule
    placing at least ``accepted_placed`` accepted meetings, so ``value / lp_bound`` is a proven
    optimality ratio; from ``replan`` it bounds a full re-optimisation that ignores stability.
    ``phase_bound`` is the LP bound of the last phase under the earlier phases' results (equal
    to ``lp_bound`` for ``schedule``). ``status`` is ``OPTIMAL`` when every phase met its bound.
    ``moves``/``dropped``/``added``/``table_changes`` compare a replan with the previous plan.
    """

    placed: dict[str, Placement]
    unplaced: list[Unplaced]
    value: float
    accepted_placed: int
    accepted_total: int
    lp_bound: float | None
    greedy_value: float
    greedy_accepted_placed: int
    phase_bound: float | None
    status: str
    seconds: float
    moves: int = 0
    dropped: int = 0
    added: int = 0
    table_changes: int = 0
    phases: list[dict[str, object]] = field(default_factory=list)

    @property
    def requested(self) -> int:
        return len(self.placed) + len(self.unplaced)

    def agenda(self, instance: Instance, pid: str) -> list[tuple[int, int, str]]:
        """(slot, table, meeting id) of one participant, in time order — for the personal agenda."""
        rows = []
        for mid, pl in self.placed.items():
            r = instance.request[mid]
            if pid in (r.a, r.b):
                rows.append((pl.slot, pl.table, mid))
        return sorted(rows)
