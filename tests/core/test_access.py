from __future__ import annotations

import pytest

from kechuang.core.access import ACTIONS, ANONYMOUS, Principal, Role, may, nav_items, require
from kechuang.orgs.models import Enterprise


class Obj:
    def __init__(self, **kw: object) -> None:
        self.__dict__.update(kw)


def test_undeclared_actions_are_a_programming_error() -> None:
    with pytest.raises(KeyError, match="undeclared action"):
        may(ANONYMOUS, "no.such.action")


def test_object_rules_compare_scope_ids() -> None:
    officer = Principal(role=Role.TOWNSHIP_OFFICER, user_id=1, township_id=7)
    assert may(officer, "enterprise.view", Obj(township_id=7, organization_id=1))
    assert not may(officer, "enterprise.view", Obj(township_id=8, organization_id=1))
    unscoped = Principal(role=Role.TOWNSHIP_OFFICER, user_id=2, township_id=None)
    assert not may(unscoped, "enterprise.view", Obj(township_id=None, organization_id=1))


def test_public_only_sees_public_actions() -> None:
    allowed = {a for a in ACTIONS if may(ANONYMOUS, a)}
    assert allowed == {
        "institution.view",
        "expert.view",
        "enclave.view",
        "achievement.view",
        "demand.view",
        "demand.view_full",
        "matching.search",
        "event.view",
        "policy.calculate",
        "talent.verify",
    }  # demands: row rules limit the public to published ones; talent.verify checks one
    # certificate number and shows only what the certificate itself states


def test_nav_follows_rights() -> None:
    labels = [
        label for _, label, _ in nav_items(Principal(role=Role.ENTERPRISE, user_id=1, organization_id=3))
    ]
    assert "企业库" not in labels and "科技成果" in labels


def test_require_distinguishes_login_from_forbidden() -> None:
    from django.core.exceptions import PermissionDenied

    from kechuang.core.access import LoginRequired

    with pytest.raises(LoginRequired):
        require(ANONYMOUS, "dashboard.view")
    with pytest.raises(PermissionDenied):
        require(Principal(role=Role.INVESTOR, user_id=1), "dashboard.view")


@pytest.mark.django_db
def test_scope_filters_querysets(world: object) -> None:
    from kechuang.core.access import scope

    ent_user = Principal(
        role=Role.ENTERPRISE, user_id=1, organization_id=world.own_enterprise.organization_id
    )  # type: ignore[attr-defined]
    assert list(scope(ent_user, Enterprise.objects.all(), "enterprise.view")) == [world.own_enterprise]  # type: ignore[attr-defined]
    assert not scope(ent_user, Enterprise.objects.all(), "enterprise.list").exists()
