"""Schemathesis against the ninja API: every operation, every role; no 5xx, schema-conformant, no leaks.

Why: the API is the widest door into the platform; random inputs (huge ids, odd strings, bad pages) must
never crash it, and the object routes must apply the same tenant scopes as the pages (the matrix).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from kechuang.api import api
from tests.matrix_support import ROLES
from tests.test_permission_matrix import matrix_world  # noqa: F401 - the matrix's world fixture

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]  # type: ignore[union-attr]
CHECKS = [not_a_server_error, response_schema_conformance]
FUZZ = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def wsgi_app(world: Any) -> Any:
    """The real WSGI app, minus the end-of-request close of the DB connection (the test's transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _cookie_for(world: Any, role: str) -> dict[str, str]:
    """The session cookie of a signed-in test client, for the WSGI transport to send."""
    from django.conf import settings as django_settings

    if role == "public":
        return {}
    client = Client()
    client.force_login(world.users[role])
    name = django_settings.SESSION_COOKIE_NAME
    return {name: client.cookies[name].value}


def test_every_operation_is_fuzzed() -> None:
    labels = {f"{op.method.upper()} {op.path}" for op in OPERATIONS}
    paths = api.get_openapi_schema()["paths"]
    assert labels == {f"{m.upper()} {p}" for p, ops in paths.items() for m in ops}
    assert len(labels) >= 20
    assert "GET /api/demands/{pk}" in labels and "POST /api/policies/evaluate" in labels


@pytest.mark.parametrize("role", ROLES)
def test_fuzz_every_operation_as_role(world: Any, wsgi_app: Any, role: str) -> None:
    app = wsgi_app
    cookies = _cookie_for(world, role)
    statuses: list[int] = []
    for operation in OPERATIONS:

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call(app=app, cookies=cookies)
            statuses.append(response.status_code)
            case.validate_response(response, checks=CHECKS)

        run()
    assert len(statuses) >= len(OPERATIONS) * 5 and max(statuses) < 500
    assert 200 in statuses
    if role != "public":  # the session cookie really signs in: no operation asks this role to log in
        assert 401 not in statuses


# Every object-detail API route × own/other object × every role, held to the page matrix's verdict for the
# same object: a page answering 404 (out of scope) or 403 (role lacks the action) means the API must too;
# the page's login redirect (302) is the API's 401.
DETAIL_ROUTES: list[tuple[str, Any, str]] = [
    ("/api/enterprises/{pk}", lambda w: w.own_enterprise.pk, "orgs:enterprise_detail"),
    ("/api/enterprises/{pk}", lambda w: w.other_enterprise.pk, "orgs:enterprise_detail other"),
    ("/api/enterprises/{pk}", lambda w: w.same_town_enterprise.pk, "orgs:enterprise_detail same town"),
    ("/api/achievements/{pk}", lambda w: w.achievement.pk, "achievements:detail"),
    ("/api/achievements/{pk}", lambda w: w.private_achievement.pk, "achievements:detail private"),
    ("/api/demands/{pk}", lambda w: w.own_demand.pk, "demands:detail"),
    ("/api/demands/{pk}", lambda w: w.other_demand.pk, "demands:detail other"),
    ("/api/demands/{pk}", lambda w: w.public_demand.pk, "demands:detail public"),
    ("/api/talents/{pk}", lambda w: w.own_talent.pk, "talents:person_detail"),
    ("/api/talents/{pk}", lambda w: w.other_talent.pk, "talents:person_detail other"),
    ("/api/incubation/projects/{pk}", lambda w: w.own_project.pk, "incubation:project_detail"),
    ("/api/incubation/projects/{pk}", lambda w: w.other_project.pk, "incubation:project_detail other"),
    ("/api/assessment/contracts/{pk}/scorecards/Q1", lambda w: w.own_contract.pk, "enclaves:scorecard"),
    (
        "/api/assessment/contracts/{pk}/scorecards/Q4",
        lambda w: w.other_contract.pk,
        "enclaves:scorecard other",
    ),
]


def test_detail_routes_cover_every_object_operation() -> None:
    templated = {op.path for op in OPERATIONS if "{" in op.path}
    covered = {path.replace("/Q1", "/{period}").replace("/Q4", "/{period}") for path, _, _ in DETAIL_ROUTES}
    assert templated == covered


def test_no_operation_returns_another_tenants_object(request: Any, client_for: Any) -> None:
    from tests.incubation import factories as fx
    from tests.test_permission_matrix import CASES as PAGE_CASES

    w = request.getfixturevalue("matrix_world")
    w.own_project, w.other_project = fx.own_project(w, admitted=True), fx.other_project(w)
    page = {case.name: case.expected for case in PAGE_CASES}
    mismatches = {}
    leaks = 0
    for path, pk, page_case in DETAIL_ROUTES:
        url = path.format(pk=pk(w))
        for role in ROLES:
            expected = {302: 401}.get(page[page_case][role], page[page_case][role])
            got = client_for(role).get(url).status_code
            if got != expected:
                mismatches[(url, page_case, role)] = (got, expected)
            leaks += got == 200 and expected != 200
    assert not mismatches, f"(url, page case, role) → (got, expected): {mismatches}"
    assert leaks == 0


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["9223372036854775807", "1000001"])
def test_pages_past_the_bound_are_invalid_input_not_a_crash(client_for: Any, page: str) -> None:
    """Found by this fuzzing: an unbounded page overflowed the SQL OFFSET (a 500)."""
    assert client_for("bureau_staff").get("/api/enterprises", {"page": page}).status_code == 422
    assert client_for("bureau_staff").get("/api/enterprises", {"page": "1000000"}).status_code == 200
