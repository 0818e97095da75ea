"""`POST /api/policies/evaluate`: open to every role on typed-in figures, refuses bad data, rate-limited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "examples" / "enterprise.json").read_text()
)
ROLES = ["public", "bureau_staff", "township_officer", "enclave_operator", "enterprise", "expert", "investor"]


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_evaluate_typed_in_figures(client_for: Any, role: str) -> None:
    response = client_for(role).post("/api/policies/evaluate", EXAMPLE, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["data_year"] == 2024
    assert {m["id"] for m in body["measures"]} >= {"hnte.certification", "tsme.2022"}


def test_bad_figures_are_refused_with_messages(client: Any, db: Any) -> None:
    bad = {**EXAMPLE, "years": {"2024": {"revenue": "十万", "rd_spend": -3}}}
    response = client.post("/api/policies/evaluate", bad, content_type="application/json")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any("不是数字" in e for e in errors) and any("不能为负数" in e for e in errors)


def test_the_calculator_is_rate_limited(client: Any, db: Any) -> None:
    codes = [
        client.post("/api/policies/evaluate", {"years": {}}, content_type="application/json").status_code
        for _ in range(62)
    ]
    assert codes[:60] == [200] * 60
    assert codes[-1] == 429


def test_the_route_is_in_the_openapi_schema(client: Any, db: Any) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "post" in schema["paths"]["/api/policies/evaluate"]
