"""Fair scheduler: hard constraints, priorities, quality against greedy / LP / MILP, reasons, replan."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest

from kechuang.events.scheduling import (
    Instance,
    MeetingRequest,
    Participant,
    Placement,
    ScheduleResult,
    Slot,
    engine,
    generate_instance,
    greedy,
    lp_bound,
    replan,
    schedule,
)

SMALL = {"exhibitors": 15, "participants": 40, "requests": 150, "slots": 8, "tables": 6}
MEDIUM = {"exhibitors": 40, "participants": 120, "requests": 400, "slots": 10, "tables": 14}


def check_feasible(inst: Instance, res: ScheduleResult) -> None:
    """Every hard rule, checked independently of the solver."""
    seen_person_slot: set[tuple[str, int]] = set()
    per_person: dict[str, int] = {}
    tables_used: set[tuple[int, int]] = set()
    for mid, pl in res.placed.items():
        r = inst.request[mid]
        assert 0 <= pl.slot < len(inst.slots)
        assert 1 <= pl.table <= inst.slots[pl.slot].tables
        assert (pl.slot, pl.table) not in tables_used, "two meetings at one table"
        tables_used.add((pl.slot, pl.table))
        for pid in (r.a, r.b):
            assert pl.slot in inst.available(pid), "outside availability window"
            assert (pid, pl.slot) not in seen_person_slot, "two meetings at once"
            seen_person_slot.add((pid, pl.slot))
            per_person[pid] = per_person.get(pid, 0) + 1
    for pid, n in per_person.items():
        assert n <= inst.person[pid].cap, "cap exceeded"
    assert set(res.placed) | {u.meeting_id for u in res.unplaced} == set(inst.request)
    assert not set(res.placed) & {u.meeting_id for u in res.unplaced}
    assert res.value == pytest.approx(sum(inst.request[m].value for m in res.placed))


def person(pid: str, cap: int = 8, slots: set[int] | None = None, name: str | None = None) -> Participant:
    return Participant(pid, name or pid, cap, None if slots is None else frozenset(slots))


def slots(n: int, tables: int) -> list[Slot]:
    return [Slot(f"{9 + i}:00", tables) for i in range(n)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_schedule_is_feasible_and_optimal(seed: int) -> None:
    inst = generate_instance(seed=seed, **SMALL)
    res = schedule(inst, time_limit_s=10, seed=seed)
    check_feasible(inst, res)
    assert res.status == "OPTIMAL"
    # Exact optimum (HiGHS MILP) for schedules placing as many accepted meetings.
    assert res.value == pytest.approx(lp_bound(inst, min_accepted=res.accepted_placed, integral=True))
    assert res.lp_bound is not None and res.value <= res.lp_bound + 1e-6
    assert res.value <= lp_bound(inst) + 1e-6  # the unconditional bound holds too
    # Lexicographically never worse than the greedy: accepted first, then value.
    assert (res.accepted_placed, res.value) >= (res.greedy_accepted_placed, res.greedy_value - 1e-6)


def test_greedy_baseline_is_feasible() -> None:
    inst = generate_instance(seed=3, **MEDIUM)
    res = greedy(inst)
    check_feasible(inst, res)
    assert res.status == "GREEDY" and res.greedy_value == res.value


def test_solver_beats_greedy_where_greedy_is_myopic() -> None:
    # Greedy grabs A–B (10) and blocks A–C + B–D (6 + 6) in the single slot.
    inst = Instance.build(
        slots(1, 2),
        [person(p) for p in "ABCD"],
        [
            MeetingRequest("ab", "A", "B", 10),
            MeetingRequest("ac", "A", "C", 6),
            MeetingRequest("bd", "B", "D", 6),
        ],
    )
    res = schedule(inst, time_limit_s=5)
    check_feasible(inst, res)
    assert res.greedy_value == 10 and res.value == 12
    assert set(res.placed) == {"ac", "bd"}


def test_accepted_placed_before_any_suggested() -> None:
    # A can have one meeting: the accepted low-value one beats two high-value suggestions.
    inst = Instance.build(
        slots(3, 5),
        [person("A", cap=1), person("B"), person("C"), person("D")],
        [
            MeetingRequest("acc", "A", "B", 1, accepted=True),
            MeetingRequest("s1", "A", "C", 100),
            MeetingRequest("s2", "A", "D", 90),
        ],
    )
    res = schedule(inst, time_limit_s=5)
    check_feasible(inst, res)
    assert set(res.placed) == {"acc"}
    by_id = {u.meeting_id: u for u in res.unplaced}
    assert by_id["s1"].code == "cap_reached" and "A已达到本人洽谈场次上限（1/1）" in by_id["s1"].reason


def test_accepted_count_is_the_maximum_possible() -> None:
    inst = generate_instance(seed=4, accepted_share=0.6, **SMALL)
    res = schedule(inst, time_limit_s=10)
    accepted_only = Instance(inst.slots, inst.participants, tuple(r for r in inst.requests if r.accepted))
    best = lp_bound(
        dataclasses.replace(
            accepted_only, requests=tuple(dataclasses.replace(r, value=1.0) for r in accepted_only.requests)
        ),
        integral=True,
    )
    assert res.accepted_placed == round(best)


def test_table_capacity_respected_and_reported() -> None:
    inst = Instance.build(
        slots(2, 1),
        [person(p) for p in "ABCDEF"],
        [
            MeetingRequest("ab", "A", "B", 3),
            MeetingRequest("cd", "C", "D", 2),
            MeetingRequest("ef", "E", "F", 1),
        ],
    )
    res = schedule(inst, time_limit_s=5)
    check_feasible(inst, res)
    assert set(res.placed) == {"ab", "cd"}
    (ef,) = res.unplaced
    assert ef.code == "tables_full" and "无空余洽谈桌" in ef.reason


def test_impossible_accepted_meetings_are_listed_with_reasons() -> None:
    # 张三 is there for two slots but accepted three meetings; 李四 and 王五 never overlap.
    inst = Instance.build(
        slots(4, 10),
        [
            person("z", slots={0, 1}, name="张三"),
            person("a", name="甲公司"),
            person("b", name="乙公司"),
            person("c", name="丙公司"),
            person("l", slots={0}, name="李四"),
            person("w", slots={3}, name="王五"),
            person("n", slots=set(), name="赵六"),
        ],
        [
            MeetingRequest("z1", "z", "a", 5, accepted=True),
            MeetingRequest("z2", "z", "b", 4, accepted=True),
            MeetingRequest("z3", "z", "c", 3, accepted=True),
            MeetingRequest("lw", "l", "w", 9, accepted=True),
            MeetingRequest("na", "n", "a", 9, accepted=True),
        ],
    )
    res = schedule(inst, time_limit_s=5)
    check_feasible(inst, res)
    assert res.accepted_placed == 2 and res.accepted_total == 5
    reasons = {u.meeting_id: u for u in res.unplaced}
    assert set(reasons) == {"z3", "lw", "na"}
    assert reasons["z3"].code == "overbooked"
    assert "张三在可用时段内已排满（2/2）" in reasons["z3"].reason
    assert "张三已接受的洽谈（3场）多于其可安排的场次（2场）" in reasons["z3"].reason
    assert reasons["lw"].code == "no_common_slot" and "李四与王五的可用时段没有交集" in reasons["lw"].reason
    assert reasons["na"].code == "no_availability" and "赵六没有可参会的时段" in reasons["na"].reason
    assert all(u.accepted for u in res.unplaced)


def test_slot_clash_reason_names_who_is_busy() -> None:
    # 甲 and 乙 share slots 0 and 1; 甲 is taken at 0, 乙 at 1 — by accepted meetings.
    inst = Instance.build(
        slots(3, 10),
        [
            person("x", slots={0, 1, 2}, name="甲"),
            person("y", slots={0, 1}, name="乙"),
            person("p", slots={0}, name="丙"),
            person("q", slots={1}, name="丁"),
        ],
        [
            MeetingRequest("xp", "x", "p", 1, accepted=True),
            MeetingRequest("yq", "y", "q", 1, accepted=True),
            MeetingRequest("xy", "x", "y", 50),
        ],
    )
    res = schedule(inst, time_limit_s=5)
    check_feasible(inst, res)
    (xy,) = res.unplaced
    assert xy.code == "slots_taken"
    assert xy.reason == "双方共同可用的时段均已占用：9:00 甲已有洽谈；10:00 乙已有洽谈"


def test_replan_after_cancellations_moves_nothing_and_refills() -> None:
    inst = generate_instance(seed=5, **MEDIUM)
    first = schedule(inst, time_limit_s=10)
    rng = random.Random(0)
    cancelled = rng.sample(sorted(first.placed), len(first.placed) // 20)
    after = inst.without(cancelled)
    res = replan(after, first.placed, time_limit_s=10)
    check_feasible(after, res)
    assert res.moves == 0 and res.dropped == 0 and res.table_changes == 0
    for mid, pl in first.placed.items():
        if mid not in cancelled:
            assert res.placed[mid] == pl  # same slot, same table
    assert res.added >= 1  # freed tables went to meetings that were waiting
    assert res.value >= first.value - sum(inst.request[m].value for m in cancelled) - 1e-6


def test_replan_after_window_shrink_moves_only_what_it_must() -> None:
    inst = generate_instance(seed=6, **MEDIUM)
    first = schedule(inst, time_limit_s=10)
    busiest = max(
        inst.participants,
        key=lambda p: sum(1 for m in first.placed if p.id in (inst.request[m].a, inst.request[m].b)),
    )
    mine = [m for m in first.placed if busiest.id in (inst.request[m].a, inst.request[m].b)]
    lost = first.placed[mine[0]].slot
    shrunk = dataclasses.replace(busiest, available=inst.available(busiest.id) - {lost})
    after = inst.with_participant(shrunk)
    res = replan(after, first.placed, time_limit_s=10)
    check_feasible(after, res)
    # Exactly one announced meeting sits in the lost slot: at most a short chain moves, and
    # every meeting not involved keeps slot and table.
    assert res.moves + res.dropped <= 3
    assert res.moves + res.dropped >= 1
    unchanged = sum(1 for m, pl in first.placed.items() if res.placed.get(m) == pl)
    assert unchanged >= len(first.placed) - 3
    assert res.accepted_placed >= first.accepted_placed - 1


def test_replan_accepts_plain_slot_numbers_and_no_show() -> None:
    inst = generate_instance(seed=7, **SMALL)
    first = schedule(inst, time_limit_s=5)
    pid = inst.request[next(iter(first.placed))].a
    after = inst.with_participant(dataclasses.replace(inst.person[pid], available=frozenset()))
    res = replan(after, {m: pl.slot for m, pl in first.placed.items()}, time_limit_s=5)
    check_feasible(after, res)
    gone = [m for m in first.placed if pid in (inst.request[m].a, inst.request[m].b)]
    assert res.dropped == len(gone)
    assert all(u.code == "no_availability" for u in res.unplaced if u.meeting_id in gone)


def test_determinism_with_seed() -> None:
    inst = generate_instance(seed=8, **MEDIUM)
    a = schedule(inst, time_limit_s=10, seed=3)
    b = schedule(inst, time_limit_s=10, seed=3)
    assert a.placed == b.placed and a.unplaced == b.unplaced
    assert generate_instance(seed=8, **MEDIUM) == inst


def test_large_model_path_rens_and_lns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force the path used at benchmark scale (LP → RENS → LNS) on a small instance."""
    inst = generate_instance(seed=9, **MEDIUM)
    monkeypatch.setattr(engine, "FULL_MODEL_COLUMNS", 0)
    res = schedule(inst, time_limit_s=8)
    check_feasible(inst, res)
    assert res.value == pytest.approx(lp_bound(inst, min_accepted=res.accepted_placed, integral=True))
    # Useless LP guidance (all ½): only CP-SAT neighbourhood search is left to improve the greedy.
    real_lp = engine.Problem.lp

    def blurred(self: engine.Problem, vec: np.ndarray, time_limit_s: float | None = None):  # type: ignore[no-untyped-def]
        solved = real_lp(self, vec, time_limit_s)
        assert solved is not None
        return solved[0], np.full_like(solved[1], 0.5)

    monkeypatch.setattr(engine.Problem, "lp", blurred)
    lns = schedule(inst, time_limit_s=6)
    check_feasible(inst, lns)
    assert (lns.accepted_placed, lns.value) >= (lns.greedy_accepted_placed, lns.greedy_value - 1e-6)
    assert lns.value <= (lns.lp_bound or 0) + 1e-6
    assert any(ph.get("lns_rounds") for ph in lns.phases)


def test_generator_shape() -> None:
    inst = generate_instance(seed=0, exhibitors=30, participants=100, requests=300, slots=16, tables=12)
    assert len(inst.requests) == 300 and len(inst.slots) == 16
    share = sum(r.accepted for r in inst.requests) / len(inst.requests)
    assert 0.25 <= share <= 0.31
    assert all(8 <= p.cap <= 12 for p in inst.participants)
    values = sorted(r.value for r in inst.requests)
    assert values[-1] > 3 * values[len(values) // 2]  # skewed: a few very valuable matches


def test_instance_validation() -> None:
    with pytest.raises(ValueError, match="unknown participant"):
        Instance.build(slots(1, 1), [person("A")], [MeetingRequest("x", "A", "B", 1)])
    with pytest.raises(ValueError, match="unique"):
        Instance.build(slots(1, 1), [person("A"), person("A")], [])
    with pytest.raises(ValueError, match="themself"):
        Instance.build(slots(1, 1), [person("A")], [MeetingRequest("x", "A", "A", 1)])
    with pytest.raises(ValueError, match="does not exist"):
        Instance.build(slots(1, 1), [person("A", slots={3})], [])


def test_agenda_and_tables_prefer_staying_put() -> None:
    inst = Instance.build(
        slots(2, 3),
        [person(p) for p in "XABC"],
        [
            MeetingRequest("xa", "X", "A", 5),
            MeetingRequest("xb", "X", "B", 5),
            MeetingRequest("bc", "B", "C", 1),
        ],
    )
    res = schedule(inst, time_limit_s=5)
    check_feasible(inst, res)
    agenda = res.agenda(inst, "X")
    assert [mid for _, _, mid in agenda] and len(agenda) == 2
    assert agenda[0][1] == agenda[1][1]  # X keeps one table for back-to-back meetings
    assert isinstance(res.placed["xa"], Placement)
