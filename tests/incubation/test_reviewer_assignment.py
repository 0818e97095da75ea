"""Review panels by expertise: entity_affinities of the application against reviewer profiles, assigned
under load limits and conflicts of interest (propose_reviewers, assign_reviewers_by_expertise)."""

from __future__ import annotations

from typing import Any

from kechuang.incubation import selectors, services
from kechuang.incubation.models import Project, Review
from kechuang.orgs.models import Expert
from tests import factories as f
from tests.incubation import factories as fx


def _expert_user(username: str, fields: str, publications: str, **scope: Any) -> Any:
    expert = Expert.objects.create(name=username, fields=fields, publications=publications)
    return f.user(username, "expert", expert=expert, **scope)


def _battery_project(world: Any, **kw: Any) -> Project:
    return services.submit_application(
        actor=None,
        carrier=world.own_enclave,
        data=fx.data(
            "储能电池安全管理系统",
            technology="锂离子电池热失控预警与电池管理系统，已完成样机。",
            market="储能电站与电动两轮车电池安全需求。",
            industry="新能源",
        ),
        applied_on=fx.APPLIED,
        **kw,
    )


def test_each_application_gets_the_reviewer_who_knows_its_field(world: Any) -> None:
    shoe = _expert_user("shoe", "鞋材 EVA 回收再生", "废旧EVA鞋材解交联回收方法\n高分子发泡鞋材")
    battery = _expert_user("battery", "锂电池 储能 电池管理", "锂离子电池热失控预警方法\n储能电池管理系统")
    shoes, cells = fx.apply(world), _battery_project(world)
    panels = selectors.propose_reviewers(projects=[shoes, cells], per_project=1)
    assert [p.reviewers[0][0] for p in panels] == [shoe, battery]
    assert "专长匹配度" in panels[0].reviewers[0][2] and not panels[0].unfilled
    created = services.assign_reviewers_by_expertise(
        actor=world.users["bureau_admin"], projects=[shoes, cells]
    )
    assert {r.reviewer for r in created[shoes.pk]} >= {shoe} and len(created[shoes.pk]) == 3
    assert Review.objects.filter(project=cells, reviewer=battery).exists()


def test_conflicted_or_fully_loaded_reviewers_are_never_proposed(world: Any) -> None:
    applicant = world.own_enterprise.organization
    linked = _expert_user("linked", "鞋材 EVA 回收再生", "废旧EVA鞋材解交联回收方法", organization=applicant)
    busy = _expert_user("busy", "鞋材 EVA 回收再生", "废旧EVA鞋材解交联回收方法")
    for i in range(selectors.REVIEW_LOAD):  # busy already has a full load of open reviews elsewhere
        other = fx.apply(world, name=f"其他项目{i}")
        services.assign_reviewers(actor=None, project=other, reviewers=[busy])
    project = fx.apply(world, applicant=applicant)
    panel = selectors.propose_reviewers(projects=[project], per_project=5)[0]
    proposed = {user for user, _, _ in panel.reviewers}
    assert linked not in proposed and busy not in proposed
    assert proposed  # the others (staff, the world's expert) still fill places
    assert "回避" in panel.unfilled and "满额" in panel.unfilled  # five places, too few free reviewers


def test_reviewers_page_shows_the_proposal_with_reasons(client_for: Any, world: Any) -> None:
    _expert_user("shoe", "鞋材 EVA 回收再生", "废旧EVA鞋材解交联回收方法")
    project = fx.apply(world)
    page = client_for("bureau_staff").get(f"/incubation/{project.pk}/reviewers/").content.decode()
    assert "按专长推荐" in page and "专长匹配度" in page and "采纳推荐" in page
