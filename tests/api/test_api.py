"""The JSON API applies the same scopes as the pages; every API route is covered."""

from __future__ import annotations

from typing import Any

import pytest

from kechuang.api import api


def test_openapi_docs_are_served(client: Any, db: Any) -> None:
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/docs").status_code == 200


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("public", "/api/enterprises", 401),
        ("investor", "/api/enterprises", 403),
        ("bureau_staff", "/api/enterprises", 200),
        ("township_officer", "/api/enterprises", 200),
        ("enterprise", "/api/enterprises", 403),
        ("public", "/api/dashboard", 401),
        ("expert", "/api/dashboard", 403),
        ("bureau_admin", "/api/dashboard", 200),
        ("public", "/api/institutions", 200),
        ("public", "/api/experts", 200),
        ("public", "/api/enclaves", 200),
        ("public", "/api/investors", 401),
        ("investor", "/api/investors", 200),
        ("public", "/api/achievements", 200),
    ],
)
def test_list_routes_by_role(client_for: Any, role: str, path: str, status: int) -> None:
    assert client_for(role).get(path).status_code == status


def test_enterprise_detail_object_scope(client_for: Any, world: Any) -> None:
    own, other = world.own_enterprise.pk, world.other_enterprise.pk
    ent = client_for("enterprise")
    assert ent.get(f"/api/enterprises/{own}").status_code == 200
    assert ent.get(f"/api/enterprises/{other}").status_code == 404
    officer = client_for("township_officer")
    names = {e["name"] for e in officer.get("/api/enterprises").json()["items"]}
    assert names == {"晋江市甲鞋业有限公司", "晋江市乙服饰有限公司"}
    assert officer.get(f"/api/enterprises/{other}").status_code == 404


def test_private_achievements_never_leak(client_for: Any, world: Any) -> None:
    titles = {a["title"] for a in client_for("enterprise").get("/api/achievements").json()["items"]}
    assert "未公开成果" not in titles
    assert client_for("public").get(f"/api/achievements/{world.private_achievement.pk}").status_code == 404
    assert (
        client_for("bureau_staff").get(f"/api/achievements/{world.private_achievement.pk}").status_code == 200
    )


def test_expert_contacts_are_not_in_the_public_api(client_for: Any, world: Any) -> None:
    body = client_for("public").get("/api/experts").content.decode()
    assert "13805951234" not in body


def test_every_api_route_is_tested() -> None:
    paths = set(api.get_openapi_schema()["paths"])
    tested = {
        "/api/enterprises",
        "/api/enterprises/{pk}",
        "/api/institutions",
        "/api/experts",
        "/api/enclaves",
        "/api/investors",
        "/api/achievements",
        "/api/achievements/{pk}",
        "/api/dashboard",
        "/api/demands",
        "/api/demands/hall",
        "/api/demands/{pk}",
        "/api/demands-funnel",
        "/api/assessment/contracts",
        "/api/assessment/contracts/{pk}/scorecards/{period}",
        "/api/incubation/projects",
        "/api/incubation/projects/{pk}",
        "/api/policies/evaluate",  # tests/policies/test_api.py
        "/api/talents",  # below and tests/talents/test_views.py (masking, employer scope)
        "/api/talents/{pk}",
    }
    assert paths == tested


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("public", "/api/demands", 401),
        ("enterprise", "/api/demands", 200),
        ("public", "/api/demands/hall", 200),
        ("public", "/api/demands-funnel", 401),
        ("enterprise", "/api/demands-funnel", 403),
        ("township_officer", "/api/demands-funnel", 200),
    ],
)
def test_demand_routes_by_role(client_for: Any, role: str, path: str, status: int) -> None:
    assert client_for(role).get(path).status_code == status


def test_demand_api_never_leaks_private_text(client_for: Any, world: Any) -> None:
    hall = client_for("public").get("/api/demands/hall").json()["items"]
    assert [d["id"] for d in hall] == [world.public_demand.pk]
    assert client_for("public").get(f"/api/demands/{world.own_demand.pk}").status_code == 404
    assert client_for("investor").get(f"/api/demands/{world.own_demand.pk}").status_code == 404
    mine = client_for("enterprise").get("/api/demands").json()["items"]
    assert {d["id"] for d in mine} == {world.own_demand.pk}
    routed = client_for("enclave_operator").get(f"/api/demands/{world.own_demand.pk}").json()
    assert routed["timeline"] and "良品率" in routed["text"]
    other_firm = client_for("enterprise").get(f"/api/demands/{world.public_demand.pk}").json()
    assert other_firm["timeline"] is None and other_firm["enterprise"] is None


def test_api_docs_load_no_asset_from_the_internet(client: Any, db: Any) -> None:
    html = client.get("/api/docs").content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "https://" not in html.replace("https://swagger.io", "")


def test_assessment_api_respects_the_operator_scope(client_for: Any, world: Any) -> None:
    from kechuang.enclaves import services

    own = services.create_contract(enclave=world.own_enclave, year=2025, actor=None)
    other = services.create_contract(enclave=world.other_enclave, year=2025, actor=None)
    assert client_for("public").get("/api/assessment/contracts").status_code == 401
    assert client_for("enterprise").get("/api/assessment/contracts").status_code == 403
    mine = client_for("enclave_operator").get("/api/assessment/contracts").json()
    assert [c["contract_id"] for c in mine] == [own.pk]
    assert [p["period"] for p in mine[0]["periods"]] == ["Q1", "Q2", "Q3", "Q4"]
    operator = client_for("enclave_operator")
    card = operator.get(f"/api/assessment/contracts/{own.pk}/scorecards/Q4").json()
    assert card["enclave"] == world.own_enclave.name and card["finalised"] is False
    assert {i["code"] for i in card["indicators"]} >= {"landed", "response_rate"}
    assert operator.get(f"/api/assessment/contracts/{other.pk}/scorecards/Q4").status_code == 404
    assert operator.get(f"/api/assessment/contracts/{own.pk}/scorecards/Q9").status_code == 404
    staff = client_for("bureau_staff").get("/api/assessment/contracts?year=2025").json()
    assert {c["contract_id"] for c in staff} == {own.pk, other.pk}


def test_incubation_api_uses_the_project_row_rules(client_for: Any, world: Any) -> None:
    from tests.incubation import factories as inc

    own = inc.apply(world, name="本飞地项目")
    other = inc.apply(world, carrier=world.other_enclave, name="其他飞地项目")
    assert client_for("public").get("/api/incubation/projects").status_code == 401
    assert client_for("investor").get("/api/incubation/projects").status_code == 403
    operator = client_for("enclave_operator")
    assert [p["id"] for p in operator.get("/api/incubation/projects").json()["items"]] == [own.pk]
    detail = operator.get(f"/api/incubation/projects/{own.pk}").json()
    assert detail["name"] == "本飞地项目" and detail["stage"] == "recruiting" and detail["timeline"]
    assert operator.get(f"/api/incubation/projects/{other.pk}").status_code == 404
    staff = client_for("bureau_staff").get("/api/incubation/projects?q=项目").json()["items"]
    assert {p["id"] for p in staff} == {own.pk, other.pk}


@pytest.mark.parametrize(
    ("role", "status"),
    [("public", 401), ("investor", 403), ("expert", 403), ("enterprise", 200), ("bureau_staff", 200)],
)
def test_talent_api_by_role_and_employer_scope(client_for: Any, world: Any, role: str, status: int) -> None:
    from tests.talents import support

    own = support.person(1, world.own_enterprise)
    other = support.person(2, world.other_enterprise)
    client = client_for(role)
    response = client.get("/api/talents")
    assert response.status_code == status
    if status != 200:
        return
    body = response.content.decode()
    assert support.id_number(1) not in body and own.id_masked in body
    assert (other.id_masked in body) == (role == "bureau_staff")  # an enterprise sees its own staff only
    assert client.get(f"/api/talents/{other.pk}").status_code == (200 if role == "bureau_staff" else 404)
