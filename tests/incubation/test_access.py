"""Who sees which project: the bureau all; operators their own enclave (or incubator); enterprises what
they applied for, landed as or submitted; experts what they are assigned to review; nobody else anything."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404

from kechuang.accounts.selectors import principal_for
from kechuang.core.access import may
from kechuang.incubation import selectors, services
from kechuang.orgs.choices import InstitutionCategory, OrgKind
from kechuang.orgs.models import Institution, Organization
from tests import factories as f
from tests.incubation import factories as fx


def visible(world: Any, role: str) -> set[str]:
    principal = principal_for(world.users[role])
    return {p.name for p in selectors.project_list(principal=principal, filters=selectors.ProjectFilters())}


@pytest.fixture
def projects(world: Any) -> dict[str, Any]:
    own, other = fx.own_project(world), fx.other_project(world)
    unassigned = fx.apply(world, name="无人评审项目", carrier=world.other_enclave)
    return {"own": own, "other": other, "unassigned": unassigned}


def test_list_scope_per_role(world: Any, projects: dict[str, Any]) -> None:
    everything = {"鞋材回收再生（本方）", "陶瓷3D打印（他方）", "无人评审项目"}
    assert visible(world, "bureau_admin") == visible(world, "bureau_staff") == everything
    assert visible(world, "enclave_operator") == {"鞋材回收再生（本方）"}
    assert visible(world, "enterprise") == {"鞋材回收再生（本方）"}
    assert visible(world, "expert") == {"鞋材回收再生（本方）"}
    assert visible(world, "township_officer") == visible(world, "investor") == set()


def test_object_rules_per_action(world: Any, projects: dict[str, Any]) -> None:
    own, other = projects["own"], projects["other"]
    operator = principal_for(world.users["enclave_operator"])
    enterprise = principal_for(world.users["enterprise"])
    expert = principal_for(world.users["expert"])
    assert may(operator, "project.manage", own) and not may(operator, "project.manage", other)
    assert may(enterprise, "project.view", own) and not may(enterprise, "project.manage", own)
    assert may(expert, "project.review", own) and not may(expert, "project.review", other)
    with pytest.raises(Http404):
        selectors.project_get(principal=operator, pk=other.pk, action="project.manage")
    with pytest.raises(Http404):
        selectors.project_get(principal=expert, pk=other.pk)
    assert selectors.project_get(principal=operator, pk=own.pk, action="project.manage") == own


def test_enterprise_sees_what_it_submitted_or_landed_as(world: Any, projects: dict[str, Any]) -> None:
    submitted = fx.apply(world, name="本企业提交、无申请单位", actor=world.users["enterprise"])
    landed = projects["other"]
    services.record_landing(
        actor=None,
        project=landed,
        credit_code=world.own_enterprise.organization.credit_code,
        landed_on=dt.date(2025, 5, 1),
    )
    assert visible(world, "enterprise") == {"鞋材回收再生（本方）", submitted.name, landed.name}


def test_incubator_operators_see_their_incubator(world: Any) -> None:
    org = Organization.objects.create(kind=OrgKind.INSTITUTION, name="晋江市众创空间")
    incubator = Institution.objects.create(organization=org, category=InstitutionCategory.INCUBATOR)
    fx.apply(world, name="众创空间项目", carrier=incubator)
    fx.apply(world, name="飞地项目")
    world.users["space"] = f.user("space", "enclave_operator", organization=org)
    assert visible(world, "space") == {"众创空间项目"}
    choices = selectors.carrier_choices(principal=principal_for(world.users["space"]))
    assert choices == [(f"incubator:{incubator.pk}", "晋江市众创空间（孵化载体）")]
