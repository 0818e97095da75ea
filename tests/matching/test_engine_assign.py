"""assign_by_affinity: load limits, conflicts, optimality against brute force, reasons."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from kechuang.matching.engine.assign import assign_by_affinity


def test_best_total_under_load_limits_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        a = rng.normal(size=(4, 3)).round(2)
        plan = assign_by_affinity(a, per_item=1, capacity=2)
        best = max(
            sum(a[i, j] for i, j in enumerate(choice))
            for choice in itertools.product(range(3), repeat=4)
            if all(choice.count(j) <= 2 for j in range(3))
        )
        assert plan.total_affinity == pytest.approx(best, abs=1e-6)
        assert not plan.unfilled
        assert all(sum(1 for x in plan.assignments if x.entity == j) <= 2 for j in range(3))


def test_conflicts_are_never_assigned_and_the_reason_says_who_was_skipped() -> None:
    a = np.array([[0.9, 0.5, 0.1], [0.8, 0.7, 0.2]])
    plan = assign_by_affinity(a, per_item=1, capacity=1, conflicts={(0, 0)}, entity_names=["张", "李", "王"])
    pairs = {(x.item, x.entity) for x in plan.assignments}
    assert (0, 0) not in pairs
    assert pairs == {(0, 1), (1, 0)}
    first = plan.for_item(0)[0]
    assert first.rank == 2 and "张回避（利益冲突）" in first.reason


def test_full_entities_are_named_and_short_items_say_why() -> None:
    a = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3]])
    plan = assign_by_affinity(a, per_item=2, capacity=[1, 1], conflicts={(2, 1)})
    assert len(plan.assignments) == 2  # only two places exist
    assert sum(len(plan.for_item(i)) for i in range(3)) == 2
    assert set(plan.unfilled) == {0, 1, 2} - {i for i in range(3) if len(plan.for_item(i)) == 2}
    assert all("缺" in why for why in plan.unfilled.values())


def test_bad_input_gives_no_crash() -> None:
    assert assign_by_affinity(np.zeros((0, 0)), per_item=2, capacity=1).assignments == []
    empty = assign_by_affinity(np.zeros((2, 0)), per_item=1, capacity=1)
    assert empty.assignments == [] and set(empty.unfilled) == {0, 1}
    nan = assign_by_affinity(np.array([[np.nan, 1.0]]), per_item=1, capacity=1)
    assert [x.entity for x in nan.assignments] == [1]
    with pytest.raises(ValueError):
        assign_by_affinity(np.zeros(3), per_item=1, capacity=1)
