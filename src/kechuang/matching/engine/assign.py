"""Assign entities to items (reviewers to applications, commissioners to enterprises) from affinities.

Plain Python: the caller brings an affinity matrix (items × entities, e.g. :func:`entity_affinities`),
how many entities each item needs, how many items each entity may take, and the pairs that must not meet
(conflicts of interest). A min-cost flow (OR-Tools, as the openreview matcher does) maximises the total
affinity of a feasible assignment; when there are too few places it still fills as many as it can. Each
pair comes with the reason a person can check: its affinity and rank for the item, and, when the item's
better-suited entities were not given to it, why (conflict, or full).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

__all__ = ["Assignment", "AssignmentPlan", "assign_by_affinity"]

_SCALE = 1000  # affinities become integer costs with three decimals


@dataclass
class Assignment:
    item: int
    entity: int
    affinity: float
    rank: int  # 1 = the item's best-suited entity
    reason: str


@dataclass
class AssignmentPlan:
    assignments: list[Assignment]
    #: item -> how many places stayed empty, and why
    unfilled: dict[int, str] = field(default_factory=dict)
    total_affinity: float = 0.0

    def for_item(self, item: int) -> list[Assignment]:
        return [a for a in self.assignments if a.item == item]


def assign_by_affinity(
    affinity: np.ndarray,
    *,
    per_item: int | Sequence[int],
    capacity: int | Sequence[int],
    conflicts: Collection[tuple[int, int]] = (),
    entity_names: Sequence[str] | None = None,
) -> AssignmentPlan:
    """The assignment of greatest total affinity that gives each item at most ``per_item`` distinct
    entities, each entity at most ``capacity`` items, and no conflicted ``(item, entity)`` pair."""
    scores = np.nan_to_num(np.asarray(affinity, dtype=np.float64), nan=-1e6, posinf=1e6, neginf=-1e6)
    if scores.ndim != 2:
        raise ValueError("affinity must be a 2-D matrix (items × entities)")
    n_items, n_entities = scores.shape
    need = [int(per_item)] * n_items if isinstance(per_item, int) else [int(x) for x in per_item]
    room = [int(capacity)] * n_entities if isinstance(capacity, int) else [int(x) for x in capacity]
    if len(need) != n_items or len(room) != n_entities:
        raise ValueError("per_item / capacity must have one value per item / entity")
    names = list(entity_names) if entity_names is not None else [f"#{j + 1}" for j in range(n_entities)]
    blocked = set(conflicts)
    if n_items == 0 or n_entities == 0:
        return AssignmentPlan([], {i: "没有可指派的对象" for i in range(n_items) if need[i] > 0})
    # max flow first (every place that can be filled is), then least cost; the best pair costs 0
    top = float(scores.max())
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = n_items + n_entities, n_items + n_entities + 1
    pair_arcs: dict[int, tuple[int, int]] = {}
    for i in range(n_items):
        flow.add_arc_with_capacity_and_unit_cost(source, i, max(need[i], 0), 0)
        for j in range(n_entities):
            if (i, j) in blocked:
                continue
            cost = round((top - scores[i, j]) * _SCALE)
            pair_arcs[flow.add_arc_with_capacity_and_unit_cost(i, n_items + j, 1, cost)] = (i, j)
    for j in range(n_entities):
        flow.add_arc_with_capacity_and_unit_cost(n_items + j, sink, max(room[j], 0), 0)
    wanted = sum(max(x, 0) for x in need)
    flow.set_node_supply(source, wanted)
    flow.set_node_supply(sink, -wanted)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"assignment solver failed with status {status}")
    chosen = [pair_arcs[a] for a in pair_arcs if flow.flow(a) > 0]
    load = [0] * n_entities
    for _, j in chosen:
        load[j] += 1
    plan = AssignmentPlan([])
    for i, j in sorted(chosen, key=lambda p: (p[0], -scores[p], p[1])):
        order = np.argsort(-scores[i], kind="stable")
        rank = int(np.where(order == j)[0][0]) + 1
        skipped = [int(b) for b in order[: rank - 1] if (i, int(b)) not in chosen]
        why = [
            f"{names[b]}{'回避（利益冲突）' if (i, b) in blocked else '已满额'}"
            for b in skipped[:3]  # the best few, enough to check the choice
        ]
        reason = f"专长匹配度 {scores[i, j]:.2f}，在该项中排第 {rank} 位" + (
            f"；更匹配的 {'、'.join(why)}" if why else ""
        )
        plan.assignments.append(Assignment(i, j, float(scores[i, j]), rank, reason))
        plan.total_affinity += float(scores[i, j])
    for i in range(n_items):
        got = sum(1 for a in plan.assignments if a.item == i)
        if got < need[i]:
            conflicted = sum(1 for j in range(n_entities) if (i, j) in blocked)
            full = sum(1 for j in range(n_entities) if load[j] >= room[j] and (i, j) not in blocked)
            plan.unfilled[i] = (
                f"缺 {need[i] - got} 位：共 {n_entities} 位中 {conflicted} 位回避、{full} 位已满额"
            )
    return plan
