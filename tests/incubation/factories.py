"""Incubation projects built through the services, on top of the shared `world` fixture.

The "own" project belongs to the operator's enclave, was applied for by the signed-in enterprise and is
reviewed by the signed-in expert and the bureau_staff user; the "other" one belongs to the other enclave
and enterprise and is reviewed by bureau_admin only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kechuang.incubation import services
from kechuang.incubation.models import Project, Review

APPLIED = dt.date(2025, 1, 6)
DECIDED = dt.date(2025, 2, 10)
GOOD = {"team": 80, "technology": 90, "market": 70, "funding": 60}  # weighted total 77.5


def data(name: str = "废旧鞋材化学回收再生技术", **kw: Any) -> services.ApplicationData:
    values: dict[str, Any] = {
        "name": name,
        "team": "核心团队8人，来自华中科技大学材料学院，负责人有10年高分子材料研发经验。",
        "technology": "废旧EVA鞋材解交联回收技术，已申请发明专利3件，完成小试。",
        "market": "晋江鞋企年产废旧鞋材逾10万吨，回收料可用于中底与运动地垫。",
        "funding_plan": "天使轮融资500万元，用于中试线建设。",
        "funding_needed": Decimal("500"),
        "industry": "新材料",
    }
    values.update(kw)
    return services.ApplicationData(**values)


def apply(
    world: Any,
    *,
    carrier: Any = None,
    applicant: Any = None,
    name: str = "废旧鞋材化学回收再生技术",
    actor: Any = None,
    applied_on: dt.date = APPLIED,
) -> Project:
    return services.submit_application(
        actor=actor,
        carrier=carrier or world.own_enclave,
        data=data(name),
        applicant=applicant,
        applied_on=applied_on,
    )


def review(world: Any, project: Project, reviewer: str, scores: dict[str, Any] | None = None) -> Review:
    user = world.users[reviewer]
    services.assign_reviewers(
        actor=world.users["bureau_staff"], project=project, reviewers=[user], on=APPLIED
    )
    assigned = Review.objects.select_related("reviewer").get(project=project, reviewer=user)
    assigned.project = project
    return services.submit_review(actor=user, review=assigned, scores=scores or GOOD)


def admit(world: Any, project: Project, on: dt.date = DECIDED) -> Project:
    return services.decide_admission(
        actor=world.users["bureau_staff"],
        project=project,
        admit=True,
        reason="团队与技术突出，同意入孵",
        decided_on=on,
    )


def own_project(world: Any, *, admitted: bool = True) -> Project:
    project = apply(
        world,
        applicant=world.own_enterprise.organization,
        actor=world.users["enterprise"],
        name="鞋材回收再生（本方）",
    )
    review(world, project, "expert")
    if admitted:
        review(world, project, "bureau_staff")
        admit(world, project)
    return project


def other_project(world: Any) -> Project:
    project = apply(
        world,
        carrier=world.other_enclave,
        applicant=world.other_enterprise.organization,
        name="陶瓷3D打印（他方）",
    )
    review(world, project, "bureau_admin")
    return admit(world, project)
