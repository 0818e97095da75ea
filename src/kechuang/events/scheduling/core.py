"""Shared machinery: a flat index of the instance, the greedy baseline, table numbers, reasons.

The solver, the LP bound and the greedy all work on meeting *positions* (0..n-1) rather
than ids so the hot loops stay cheap; ids only reappear in results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .model import VALUE_SCALE, Instance, Placement, Unplaced


class Index:
    """Positions, candidate slots and per-person meeting lists of an instance."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.reqs = instance.requests
        self.pos = {r.id: i for i, r in enumerate(self.reqs)}
        self.cand: list[tuple[int, ...]] = [instance.candidates[r.id] for r in self.reqs]
        self.vint: list[int] = [round(r.value * VALUE_SCALE) for r in self.reqs]
        self.accepted: list[bool] = [r.accepted for r in self.reqs]
        self.tables: list[int] = [s.tables for s in instance.slots]
        self.cap: dict[str, int] = {p.id: p.cap for p in instance.participants}
        self.of_person: dict[str, list[int]] = {p.id: [] for p in instance.participants}
        for i, r in enumerate(self.reqs):
            self.of_person[r.a].append(i)
            self.of_person[r.b].append(i)

    def pair(self, m: int) -> tuple[str, str]:
        r = self.reqs[m]
        return r.a, r.b


class State:
    """A partial schedule with O(1) feasibility checks (used by greedy, fill and repair)."""

    def __init__(self, idx: Index) -> None:
        self.idx = idx
        self.busy: dict[str, set[int]] = {pid: set() for pid in idx.cap}
        self.used = [0] * len(idx.tables)
        self.slot_of: dict[int, int] = {}

    def fits(self, m: int, s: int) -> bool:
        a, b = self.idx.pair(m)
        busy, cap = self.busy, self.idx.cap
        return (
            self.used[s] < self.idx.tables[s]
            and s not in busy[a]
            and s not in busy[b]
            and len(busy[a]) < cap[a]
            and len(busy[b]) < cap[b]
        )

    def open_slots(self, m: int) -> list[int]:
        return [s for s in self.idx.cand[m] if self.fits(m, s)]

    def place(self, m: int, s: int) -> None:
        a, b = self.idx.pair(m)
        self.busy[a].add(s)
        self.busy[b].add(s)
        self.used[s] += 1
        self.slot_of[m] = s


def priority_order(idx: Index, members: Iterable[int]) -> list[int]:
    """Accepted first (most constrained first), then suggested by value — the greedy's order."""

    def key(m: int) -> tuple[int, int, int, int]:
        if idx.accepted[m]:
            return (0, len(idx.cand[m]), -idx.vint[m], m)
        return (1, -idx.vint[m], len(idx.cand[m]), m)

    return sorted(members, key=key)


def greedy_fill(state: State, order: Sequence[int]) -> None:
    """Place each meeting of ``order`` into its least contested open slot, if any.

    "Least contested" = fewest not-yet-handled meetings of the same two people that could
    also use the slot, then most free tables: cheap look-ahead that keeps room for later ones.
    """
    idx = state.idx
    pending: dict[tuple[str, int], int] = {}
    for m in order:
        a, b = idx.pair(m)
        for s in idx.cand[m]:
            pending[a, s] = pending.get((a, s), 0) + 1
            pending[b, s] = pending.get((b, s), 0) + 1
    for m in order:
        a, b = idx.pair(m)
        for s in idx.cand[m]:
            pending[a, s] -= 1
            pending[b, s] -= 1
        if m in state.slot_of:
            continue
        best: tuple[int, int, int] | None = None
        for s in state.open_slots(m):
            key = (pending[a, s] + pending[b, s], state.used[s] - idx.tables[s], s)
            if best is None or key < best:
                best = key
        if best is not None:
            state.place(m, best[2])


def run_greedy(idx: Index) -> dict[int, int]:
    """The baseline: one pass in priority order, no backtracking."""
    state = State(idx)
    greedy_fill(state, priority_order(idx, range(len(idx.reqs))))
    return state.slot_of


def score(idx: Index, slot_of: Mapping[int, int]) -> tuple[int, int]:
    """Lexicographic quality: (accepted meetings placed, scaled value)."""
    return (sum(1 for m in slot_of if idx.accepted[m]), sum(idx.vint[m] for m in slot_of))


def assign_tables(
    idx: Index, slot_of: Mapping[int, int], previous: Mapping[str, Placement] | None = None
) -> dict[str, Placement]:
    """Give every placed meeting a concrete table.

    Meetings that keep their previous slot keep their previous table when it still exists;
    otherwise a participant's table from the slot before is preferred (nobody walks across
    the hall between back-to-back meetings), then the lowest free number.
    """
    previous = previous or {}
    by_slot: dict[int, list[int]] = {}
    for m, s in slot_of.items():
        by_slot.setdefault(s, []).append(m)
    out: dict[str, Placement] = {}
    table_of_person: dict[tuple[str, int], int] = {}
    for s in sorted(by_slot):
        ms = sorted(by_slot[s])
        taken: set[int] = set()
        rest: list[int] = []
        for m in ms:
            old = previous.get(idx.reqs[m].id)
            if (
                old is not None
                and old.slot == s
                and 1 <= old.table <= idx.tables[s]
                and old.table not in taken
            ):
                taken.add(old.table)
                out[idx.reqs[m].id] = old
            else:
                rest.append(m)
        free = sorted(set(range(1, idx.tables[s] + 1)) - taken, reverse=True)
        free_set = set(free)
        for m in rest:
            a, b = idx.pair(m)
            table = None
            for p in (a, b):
                t = table_of_person.get((p, s - 1))
                if t is not None and t in free_set:
                    table = t
                    break
            if table is None:
                while free[-1] not in free_set:
                    free.pop()
                table = free[-1]
            free_set.discard(table)
            out[idx.reqs[m].id] = Placement(s, table)
        for m in ms:
            a, b = idx.pair(m)
            t = out[idx.reqs[m].id].table
            table_of_person[a, s] = t
            table_of_person[b, s] = t
    return out


def _name(idx: Index, pid: str) -> str:
    return idx.instance.person[pid].name or pid


def explain(idx: Index, slot_of: Mapping[int, int]) -> list[Unplaced]:
    """Why each unplaced meeting is unplaced, in words the fair's staff can act on."""
    inst = idx.instance
    state = State(idx)
    for m, s in slot_of.items():
        state.place(m, s)
    # Accepted meetings a person cannot possibly all attend: more than their cap or their slots.
    accepted_load: dict[str, int] = {}
    for m, r in enumerate(idx.reqs):
        if r.accepted and idx.cand[m]:
            accepted_load[r.a] = accepted_load.get(r.a, 0) + 1
            accepted_load[r.b] = accepted_load.get(r.b, 0) + 1
    out: list[Unplaced] = []
    for m, r in enumerate(idx.reqs):
        if m in slot_of:
            continue
        code, reason = _reason(idx, state, m)
        if r.accepted:
            notes = []
            for p in (r.a, r.b):
                room = min(idx.cap[p], len(inst.available(p)))
                if accepted_load.get(p, 0) > room:
                    notes.append(
                        f"{_name(idx, p)}已接受的洽谈（{accepted_load[p]}场）多于其可安排的场次（{room}场）"
                    )
            if notes:
                code = "overbooked"
                reason = reason + "；" + "；".join(notes)
        out.append(Unplaced(r.id, r.accepted, code, reason))
    return out


def _reason(idx: Index, state: State, m: int) -> tuple[str, str]:
    inst = idx.instance
    a, b = idx.pair(m)
    if not idx.cand[m]:
        for p in (a, b):
            if not inst.available(p):
                return "no_availability", f"{_name(idx, p)}没有可参会的时段"
        if not inst.available(a) & inst.available(b):
            return "no_common_slot", f"{_name(idx, a)}与{_name(idx, b)}的可用时段没有交集"
        return "no_tables", "双方共同可用的时段均未安排洽谈桌"
    side: list[tuple[str, str]] = []
    for p in (a, b):
        n = len(state.busy[p])
        if n >= idx.cap[p]:
            side.append(("cap_reached", f"{_name(idx, p)}已达到本人洽谈场次上限（{n}/{idx.cap[p]}）"))
        elif inst.available(p) <= state.busy[p]:
            side.append(
                ("fully_booked", f"{_name(idx, p)}在可用时段内已排满（{n}/{len(inst.available(p))}）")
            )
    if side:
        return side[0][0], "；".join(text for _, text in side)
    parts: list[str] = []
    all_tables = True
    for s in idx.cand[m]:
        label = inst.slots[s].label
        who = [_name(idx, p) for p in (a, b) if s in state.busy[p]]
        if who:
            all_tables = False
            parts.append(f"{label} {'、'.join(who)}已有洽谈")
        elif state.used[s] >= idx.tables[s]:
            parts.append(f"{label} 该时段无空余洽谈桌")
        else:  # pragma: no cover - fill() places every meeting that still fits
            return "not_selected", f"{label} 仍可安排，但未被选中"
    if all_tables:
        return "tables_full", f"双方共同可用的{len(parts)}个时段均无空余洽谈桌"
    shown = "；".join(parts[:4]) + ("等" if len(parts) > 4 else "")
    return "slots_taken", f"双方共同可用的时段均已占用：{shown}"
