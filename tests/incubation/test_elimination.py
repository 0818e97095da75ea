"""Elimination rules produce candidates with evidence for a human decision; eliminating keeps every record,
keeping hides the candidate until the decision lapses or new evidence appears; rules are configurable."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kechuang.accounts.selectors import principal_for
from kechuang.incubation import selectors, services
from kechuang.incubation.choices import Stage
from kechuang.incubation.models import EliminationRules, Milestone, Project
from tests.incubation import factories as fx

AS_OF = dt.date(2025, 12, 1)


def staff(world: Any) -> Any:
    return principal_for(world.users["bureau_staff"])


def candidates(world: Any, as_of: dt.date = AS_OF, role: str = "bureau_staff") -> dict[str, Any]:
    principal = principal_for(world.users[role])
    return {c.project.name: c for c in selectors.elimination_candidates(as_of=as_of, principal=principal)}


def test_months_between() -> None:
    assert selectors.months_between(dt.date(2025, 3, 1), dt.date(2025, 12, 1)) == 9
    assert selectors.months_between(dt.date(2025, 3, 31), dt.date(2025, 9, 30)) == 5
    assert selectors.months_between(dt.date(2025, 12, 1), dt.date(2025, 3, 1)) == 0


def test_each_rule_flags_with_evidence(world: Any) -> None:
    idle = fx.own_project(world)  # last progress on admission, 2025-02-10
    busy = fx.other_project(world)
    services.record_service(
        actor=None, project=busy, kind="tech", description="技术对接", provided_on=dt.date(2025, 11, 1)
    )
    for title, due in (
        ("样机", dt.date(2025, 6, 1)),
        ("中试", dt.date(2025, 9, 1)),
        ("远期", dt.date(2026, 6, 1)),
    ):
        services.add_milestone(actor=None, project=busy, title=title, due_on=due)
    services.record_periodic_review(
        actor=None,
        project=busy,
        reviewed_on=dt.date(2025, 10, 8),
        score=Decimal("55.5"),
        progress_note="滞后",
    )
    found = candidates(world)
    assert set(found) == {idle.name, busy.name}
    assert found[idle.name].evidence == "最近进展 2025年2月10日，已 9 个月无进展（规则：6 个月）"
    assert found[busy.name].rule_codes == ("missed_milestones", "low_review")
    assert found[busy.name].evidence == (
        "2 个里程碑逾期未完成：“样机”（计划 2025年6月1日）、“中试”（计划 2025年9月1日）（规则：2 个）；"
        "最近一次定期评估（2025年10月8日）得分 55.5，低于淘汰线 60"
    )
    # A milestone done (even late) no longer counts; a better later review clears the low-review rule.
    services.complete_milestone(
        actor=None, milestone=Milestone.objects.get(title="样机"), done_on=dt.date(2025, 11, 20)
    )
    services.record_periodic_review(
        actor=None,
        project=busy,
        reviewed_on=dt.date(2025, 11, 25),
        score=Decimal(70),
        progress_note="追上进度",
    )
    assert set(candidates(world)) == {idle.name}
    # As of an earlier date the idle project had not been idle long enough.
    assert candidates(world, as_of=dt.date(2025, 8, 9)) == {}


def test_rules_are_configurable_globally_and_per_carrier(world: Any) -> None:
    idle = fx.own_project(world)
    EliminationRules.objects.create(no_progress_months=12)
    assert candidates(world) == {}
    EliminationRules.objects.create(enclave=world.own_enclave, no_progress_months=3)
    assert "规则：3 个月" in candidates(world)[idle.name].evidence
    with pytest.raises(ValidationError) as exc:
        EliminationRules(enclave=world.own_enclave).full_clean()
    assert "该范围已有淘汰规则" in "".join(exc.value.messages)


def test_only_incubating_projects_in_scope_are_candidates(world: Any) -> None:
    own = fx.own_project(world)
    other = fx.other_project(world)
    pending = fx.apply(world, name="待评审项目", applied_on=dt.date(2025, 1, 2))
    assert pending.name not in candidates(world)
    assert set(candidates(world, role="enclave_operator")) == {own.name}
    assert set(candidates(world, role="bureau_admin")) == {own.name, other.name}
    services.advance_project_stage(
        actor=None, project=other, to_stage=Stage.GRADUATED, on=dt.date(2025, 3, 1)
    )
    assert other.name not in candidates(world)
    assert candidates(world, role="enterprise") == {}  # the role lacks the action: nothing


def test_eliminating_is_a_human_decision_that_deletes_nothing(world: Any) -> None:
    project = fx.own_project(world)
    services.add_milestone(actor=None, project=project, title="样机", due_on=dt.date(2025, 6, 1))
    with pytest.raises(ValidationError) as exc:
        services.decide_elimination(
            project=project, eliminate=True, reason="", actor=world.users["bureau_staff"], as_of=AS_OF
        )
    assert exc.value.message_dict["reason"] == ["请填写决定理由（淘汰或保留均须说明）"]
    with pytest.raises(ValidationError) as exc:
        services.decide_elimination(
            project=project,
            eliminate=True,
            reason="团队解散",
            actor=world.users["enclave_operator"],
            as_of=AS_OF,
        )
    assert "只有科技局工作人员可以作出淘汰决定" in exc.value.messages[0]
    decision = services.decide_elimination(
        project=project,
        eliminate=True,
        reason="团队解散，联系不上",
        actor=world.users["bureau_staff"],
        as_of=AS_OF,
    )
    project.refresh_from_db()
    assert project.stage == Stage.ELIMINATED and project.eliminated_on == AS_OF
    assert project.elimination_reason == "团队解散，联系不上"
    assert decision.rules == ["no_progress"] and "已 9 个月无进展" in decision.evidence
    assert Project.objects.filter(pk=project.pk).exists() and project.milestones.count() == 1
    assert project.events.order_by("pk").last().action == "决定淘汰"  # type: ignore[union-attr]
    assert candidates(world) == {}
    with pytest.raises(ValidationError) as exc:
        services.decide_elimination(
            project=project, eliminate=True, reason="再次", actor=world.users["bureau_staff"], as_of=AS_OF
        )
    assert "项目当前阶段为“淘汰”" in exc.value.messages[0]


def test_keeping_suppresses_until_it_lapses_or_new_evidence_appears(world: Any) -> None:
    project = fx.own_project(world)
    with pytest.raises(ValidationError) as exc:
        services.decide_elimination(
            project=project,
            eliminate=False,
            reason="保留",
            actor=world.users["bureau_staff"],
            as_of=dt.date(2025, 3, 1),
        )
    assert exc.value.messages == ["该项目当前未触发任何淘汰规则，无需作保留决定"]
    decision = services.decide_elimination(
        project=project,
        eliminate=False,
        reason="已补充团队成员",
        actor=world.users["bureau_staff"],
        as_of=AS_OF,
    )
    assert decision.suppress_until == dt.date(2026, 6, 1) and project.stage == Stage.INCUBATING
    assert candidates(world) == {}
    assert candidates(world, as_of=dt.date(2026, 5, 31)) == {}
    assert project.name in candidates(world, as_of=dt.date(2026, 6, 2))  # the keep decision lapsed
    # New evidence (two missed milestones) brings it back before the keep decision lapses.
    for title, due in (("样机", dt.date(2025, 12, 10)), ("中试", dt.date(2025, 12, 20))):
        services.add_milestone(actor=None, project=project, title=title, due_on=due)
    back = candidates(world, as_of=dt.date(2026, 1, 5))[project.name]
    assert back.kept_until == dt.date(2026, 6, 1) and back.rule_codes == ("no_progress", "missed_milestones")
