"""Every route × every role, including object-level cases (own vs other records).

A route missing from CASES fails `test_every_route_is_in_the_matrix`, so new pages cannot skip this.
Expected codes: 200 ok, 302 redirect (login for the public, or success after a POST), 403 role lacks
the action, 404 object outside the role's scope (ids cannot be probed).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.urls import get_resolver, reverse

from tests.matrix_support import BUREAU, EVERYONE_200, REDIRECT_HOME, ROLES, SIGNED_IN, Case, expect, u

own_ent = lambda w: w.own_enterprise.pk  # noqa: E731
other_ent = lambda w: w.other_enterprise.pk  # noqa: E731

CASES = [
    Case("home", u("home"), REDIRECT_HOME),
    Case("core:home", u("core:home"), REDIRECT_HOME),
    Case("core:audit_log", u("core:audit_log"), expect({"bureau_admin"})),
    Case("accounts:login", u("accounts:login"), {r: 302 for r in ROLES} | {"public": 200}),
    Case("accounts:logout", u("accounts:logout"), {r: 302 for r in ROLES}, method="post"),
    Case("accounts:profile", u("accounts:profile"), expect(SIGNED_IN)),
    Case("dashboard:home", u("dashboard:home"), expect(BUREAU | {"township_officer"})),
    Case("dashboard:carriers", u("dashboard:carriers"), expect(BUREAU)),
    Case("dashboard:finance", u("dashboard:finance"), expect(BUREAU)),
    Case("orgs:enterprise_list", u("orgs:enterprise_list"), expect(BUREAU | {"township_officer"})),
    Case("orgs:enterprise_export", u("orgs:enterprise_export"), expect(BUREAU | {"township_officer"})),
    Case("orgs:enterprise_create", u("orgs:enterprise_create"), expect(BUREAU | {"township_officer"})),
    Case(
        "orgs:enterprise_detail",
        u("orgs:enterprise_detail", own_ent),
        expect(BUREAU | {"township_officer", "enterprise"}),
    ),
    Case(
        "orgs:enterprise_detail other",
        u("orgs:enterprise_detail", other_ent),
        expect(BUREAU, scoped_out={"township_officer", "enterprise"}),
    ),
    Case(
        "orgs:enterprise_detail same town",
        u("orgs:enterprise_detail", lambda w: w.same_town_enterprise.pk),
        expect(BUREAU | {"township_officer"}, scoped_out={"enterprise"}),
    ),
    Case(
        "orgs:enterprise_edit",
        u("orgs:enterprise_edit", own_ent),
        expect(BUREAU | {"township_officer", "enterprise"}),
    ),
    Case(
        "orgs:enterprise_edit other",
        u("orgs:enterprise_edit", other_ent),
        expect(BUREAU, scoped_out={"township_officer", "enterprise"}),
    ),
    Case(
        "orgs:enterprise_figure",
        u("orgs:enterprise_figure", own_ent),
        expect(BUREAU | {"township_officer", "enterprise"}),
    ),
    Case(
        "orgs:enterprise_figure other",
        u("orgs:enterprise_figure", other_ent),
        expect(BUREAU, scoped_out={"township_officer", "enterprise"}),
    ),
    Case(
        "orgs:enterprise_delete",
        u("orgs:enterprise_delete", own_ent),
        expect(BUREAU, ok=302),
        method="post",
        data={"reason": "测试"},
    ),
    Case(
        "orgs:qualification_add",
        u("orgs:qualification_add", other_ent),
        expect(BUREAU, ok=302),
        method="post",
        data={"kind": "tech_sme"},
    ),
    Case(
        "orgs:qualification_remove",
        u("orgs:qualification_remove", lambda w: w.qualification.pk),
        expect(BUREAU, ok=302),
        method="post",
    ),
    Case("orgs:institution_list", u("orgs:institution_list"), EVERYONE_200),
    Case("orgs:institution_detail", u("orgs:institution_detail", lambda w: w.institution.pk), EVERYONE_200),
    Case("orgs:expert_list", u("orgs:expert_list"), EVERYONE_200),
    Case("orgs:expert_detail", u("orgs:expert_detail", lambda w: w.own_expert.pk), EVERYONE_200),
    Case("orgs:expert_edit", u("orgs:expert_edit", lambda w: w.own_expert.pk), expect(BUREAU | {"expert"})),
    Case("orgs:expert_edit other", u("orgs:expert_edit", lambda w: w.other_expert.pk), expect(BUREAU)),
    Case("orgs:investor_list", u("orgs:investor_list"), expect(SIGNED_IN)),
    Case("orgs:investor_detail", u("orgs:investor_detail", lambda w: w.investor.pk), expect(SIGNED_IN)),
    Case("orgs:enclave_list", u("orgs:enclave_list"), EVERYONE_200),
    Case("orgs:enclave_detail", u("orgs:enclave_detail", lambda w: w.own_enclave.pk), EVERYONE_200),
    Case(
        "orgs:enclave_edit",
        u("orgs:enclave_edit", lambda w: w.own_enclave.pk),
        expect(BUREAU | {"enclave_operator"}),
    ),
    Case("orgs:enclave_edit other", u("orgs:enclave_edit", lambda w: w.other_enclave.pk), expect(BUREAU)),
    Case("orgs:township_list", u("orgs:township_list"), expect(SIGNED_IN)),
    Case("orgs:import_home", u("orgs:import_home"), expect(BUREAU)),
    Case(
        "orgs:import_template", lambda w: reverse("orgs:import_template", args=["enterprise"]), expect(BUREAU)
    ),
    Case("orgs:import_preview", lambda w: reverse("orgs:import_preview", args=[w.batch.pk]), expect(BUREAU)),
    Case(
        "orgs:import_commit",
        lambda w: reverse("orgs:import_commit", args=[w.batch.pk]),
        expect(BUREAU, ok=302),
        method="post",
    ),
    Case("achievements:list", u("achievements:list"), EVERYONE_200),
    Case("achievements:detail", u("achievements:detail", lambda w: w.achievement.pk), EVERYONE_200),
    Case(
        "achievements:detail private",
        u("achievements:detail", lambda w: w.private_achievement.pk),
        {r: 404 for r in ROLES} | {r: 200 for r in BUREAU},
    ),
]


own_dm = lambda w: w.own_demand.pk  # noqa: E731
other_dm = lambda w: w.other_demand.pk  # noqa: E731
public_dm = lambda w: w.public_demand.pk  # noqa: E731
DEMAND_PARTIES = BUREAU | {"township_officer", "enterprise", "enclave_operator", "expert"}


def act(pk: Callable[[Any], int], name: str) -> Callable[[Any], str]:
    return lambda w: reverse("demands:act", args=[pk(w), name])


CASES += [
    Case("demands:list", u("demands:list"), expect(SIGNED_IN)),
    Case("demands:public", u("demands:public"), EVERYONE_200),
    Case("demands:create", u("demands:create"), expect(BUREAU | {"township_officer", "enterprise"})),
    Case("demands:funnel", u("demands:funnel"), expect(BUREAU | {"township_officer"})),
    Case(
        "demands:detail",
        u("demands:detail", own_dm),
        {r: 404 for r in ROLES} | {r: 200 for r in DEMAND_PARTIES},
    ),
    Case(
        "demands:detail other",
        u("demands:detail", other_dm),
        {r: 404 for r in ROLES} | {r: 200 for r in BUREAU},
    ),
    Case("demands:detail public", u("demands:detail", public_dm), EVERYONE_200),
    Case("demands:edit", u("demands:edit", own_dm), expect(BUREAU | {"township_officer", "enterprise"})),
    Case(
        "demands:edit other",
        u("demands:edit", other_dm),
        expect(BUREAU, scoped_out={"township_officer", "enterprise"}),
    ),
    Case("demands:route", u("demands:route", own_dm), expect(BUREAU)),
    Case("demands:act accept", act(other_dm, "accept"), expect(BUREAU, ok=302), method="post"),
    Case(
        "demands:act acknowledge",
        act(own_dm, "acknowledge"),
        expect({"enclave_operator", "expert"}, ok=302, scoped_out={"investor"}),
        method="post",
    ),
    Case(
        "demands:act close",
        act(own_dm, "close"),
        expect(BUREAU | {"township_officer", "enterprise"}, ok=302),
        method="post",
        data={"close-reason": "need_changed"},
    ),
    Case(
        "demands:act close other",
        act(other_dm, "close"),
        expect(BUREAU, ok=400, scoped_out={"township_officer", "enterprise"}),
        method="post",
        data={"close-reason": "need_changed"},
    ),
    Case(
        "demands:act interest",
        act(public_dm, "interest"),
        expect({"enclave_operator", "expert", "investor"}, ok=302),
        method="post",
    ),
    Case(
        "demands:attachment",
        lambda w: reverse("demands:attachment", args=[w.attachment.pk]),
        {r: 404 for r in ROLES} | {r: 200 for r in DEMAND_PARTIES},
    ),
    Case("demands:campaign_list", u("demands:campaign_list"), expect(BUREAU | {"township_officer"})),
    Case("demands:campaign_create", u("demands:campaign_create"), expect(BUREAU)),
    Case(
        "demands:campaign_detail",
        lambda w: reverse("demands:campaign_detail", args=[w.campaign.pk]),
        expect(BUREAU | {"township_officer"}),
    ),
    Case(
        "demands:visit_create",
        lambda w: reverse("demands:visit_create", args=[w.campaign.pk]),
        expect(BUREAU | {"township_officer"}, ok=302),
        method="post",
    ),
    Case("matching:search", lambda w: reverse("matching:search") + "?q=鞋底", EVERYONE_200),
    Case("policies:calculator", u("policies:calculator"), EVERYONE_200),
    Case("policies:library", u("policies:library"), expect(BUREAU)),
    Case(
        "policies:measure_edit",
        lambda w: reverse("policies:measure_edit") + "?measure=demo.rd_subsidy",
        expect(BUREAU),
    ),
    Case(
        "policies:measure_edit save",
        u("policies:measure_edit"),
        expect(BUREAU),  # refused (no change) and shown again: 200, nothing saved
        method="post",
        data={"measure_text": "{}", "note": "x"},
    ),
    Case(
        "policies:tiers",
        lambda w: reverse("policies:tiers") + "?step=high_tech",
        expect(BUREAU | {"township_officer"}),
    ),
    Case(
        "policies:tiers plan",
        u("policies:tiers"),
        expect(BUREAU),  # no title: the form comes back with the message, nothing created
        method="post",
        data={"step": "high_tech", "enterprise": "1"},
    ),
    Case("policies:round_list", u("policies:round_list"), expect(BUREAU)),
    Case(
        "policies:round_detail", lambda w: reverse("policies:round_detail", args=[w.round.pk]), expect(BUREAU)
    ),
    Case(
        "policies:round_export", lambda w: reverse("policies:round_export", args=[w.round.pk]), expect(BUREAU)
    ),
    Case("policies:ledger", u("policies:ledger"), expect(BUREAU)),
    Case("policies:my_rounds", u("policies:my_rounds"), expect({"enterprise"})),
    Case(
        "policies:respond",
        lambda w: reverse("policies:respond", args=[w.own_candidacy.pk]),
        expect({"enterprise"}),
    ),
    Case(
        "policies:respond other",
        lambda w: reverse("policies:respond", args=[w.other_candidacy.pk]),
        expect(set(), scoped_out={"enterprise"}),
    ),
    Case("matching:status", u("matching:status"), expect(BUREAU)),
    Case(
        "achievements:suggest",
        u("achievements:suggest", lambda w: w.achievement.pk),
        expect(BUREAU, ok=302),
        method="post",
    ),
    Case(
        "matching:judge",
        lambda w: reverse("matching:judge", args=[w.suggestion.pk]),
        expect(BUREAU, ok=302),
        method="post",
        data={"verdict": "confirmed"},
    ),
    Case(
        "matching:feedback",
        lambda w: reverse("matching:feedback", args=[w.suggestion.pk]),
        expect({"enterprise"}, ok=302),  # the demand's owner; the expert is not the one suggested
        method="post",
        data={"useful": "useful"},
    ),
    Case(
        "matching:feedback other",
        lambda w: reverse("matching:feedback", args=[w.other_suggestion.pk]),
        expect(set(), ok=302),  # another enterprise's demand: no one outside it
        method="post",
        data={"useful": "useful"},
    ),
    Case(
        "matching:feedback expert named",
        lambda w: reverse("matching:feedback", args=[w.expert_suggestion.pk]),
        expect({"enterprise", "expert"}, ok=302),
        method="post",
        data={"useful": "not_useful"},
    ),
    Case("events:list", u("events:list"), EVERYONE_200),
    Case("events:detail", lambda w: reverse("events:detail", args=[w.event.pk]), EVERYONE_200),
    Case(
        "events:act register",
        lambda w: reverse("events:act", args=[w.event.pk, "register"]),
        expect({"investor", "enterprise"}, ok=302, scoped_out={"expert", "enclave_operator"}),
        method="post",
        data={"contact_name": "张三"},
    ),
    Case(
        "events:act schedule",
        lambda w: reverse("events:act", args=[w.event.pk, "schedule"]),
        expect(BUREAU, ok=302),
        method="post",
    ),
    Case(
        "events:agenda",
        lambda w: reverse("events:agenda", args=[w.event.pk]),
        {r: 404 for r in ROLES} | {"enterprise": 200},
    ),
    Case("events:tables", lambda w: reverse("events:tables", args=[w.event.pk]), expect(BUREAU)),
    Case("notifications:list", u("notifications:list"), expect(SIGNED_IN)),
    Case(
        "notifications:read",
        lambda w: reverse("notifications:read", args=[1]),
        expect(SIGNED_IN, ok=302),
        method="post",
    ),
    Case("notifications:read_all", u("notifications:read_all"), expect(SIGNED_IN, ok=302), method="post"),
]


# enclave assessment (契约化考核): operators only their own enclave's contract
own_ct = lambda w: w.own_contract.pk  # noqa: E731
other_ct = lambda w: w.other_contract.pk  # noqa: E731
OPERATOR = BUREAU | {"enclave_operator"}
CASES += [
    Case("enclaves:contract_list", u("enclaves:contract_list"), expect(OPERATOR)),
    Case(
        "enclaves:contract_create",
        u("enclaves:contract_create"),
        expect(BUREAU, ok=302),
        method="post",
        data={"enclave": "0", "year": "2031"},
    ),
    Case("enclaves:contract_detail", u("enclaves:contract_detail", own_ct), expect(OPERATOR)),
    Case(
        "enclaves:contract_detail other",
        u("enclaves:contract_detail", other_ct),
        expect(BUREAU, scoped_out={"enclave_operator"}),
    ),
    Case("enclaves:contract_edit", u("enclaves:contract_edit", own_ct), expect(BUREAU)),
    Case(
        "enclaves:contract_act sign",
        lambda w: reverse("enclaves:contract_act", args=[w.own_contract.pk, "sign"]),
        expect(BUREAU, ok=302),
        method="post",
    ),
    Case(
        "enclaves:report",
        lambda w: reverse("enclaves:report", args=[w.own_contract.pk, "Q1"]),
        expect(OPERATOR),
    ),
    Case(
        "enclaves:report other",
        lambda w: reverse("enclaves:report", args=[w.other_contract.pk, "Q1"]),
        expect(BUREAU, scoped_out={"enclave_operator"}),
    ),
    Case(
        "enclaves:scorecard",
        lambda w: reverse("enclaves:scorecard", args=[w.own_contract.pk, "Q1"]),
        expect(OPERATOR),
    ),
    Case(
        "enclaves:scorecard other",
        lambda w: reverse("enclaves:scorecard", args=[w.other_contract.pk, "Q4"]),
        expect(BUREAU, scoped_out={"enclave_operator"}),
    ),
    Case(
        "enclaves:scorecard_print",
        lambda w: reverse("enclaves:scorecard_print", args=[w.own_contract.pk, "Q2"]),
        expect(OPERATOR),
    ),
    Case(
        "enclaves:scorecard_act refresh",
        lambda w: reverse("enclaves:scorecard_act", args=[w.own_contract.pk, "Q1", "refresh"]),
        expect(OPERATOR, ok=302),
        method="post",
    ),
    Case(
        "enclaves:scorecard_act refresh other",
        lambda w: reverse("enclaves:scorecard_act", args=[w.other_contract.pk, "Q1", "refresh"]),
        expect(BUREAU, ok=302, scoped_out={"enclave_operator"}),
        method="post",
    ),
    Case(
        "enclaves:scorecard_act verify",
        lambda w: reverse("enclaves:scorecard_act", args=[w.own_contract.pk, "Q1", "verify"]),
        expect(BUREAU, ok=302),
        method="post",
        data={"code": "landed", "verified": "1", "note": "核对"},
    ),
    Case(
        "enclaves:simulate",
        lambda w: reverse("enclaves:simulate", args=[w.own_contract.pk, "Q4"]),
        expect(BUREAU),
    ),
    Case("enclaves:ranking", u("enclaves:ranking"), expect(BUREAU)),
    Case("enclaves:evidence", u("enclaves:evidence", lambda w: w.own_evidence.pk), expect(OPERATOR)),
    Case(
        "enclaves:evidence other",
        u("enclaves:evidence", lambda w: w.other_evidence.pk),
        expect(BUREAU, scoped_out={"enclave_operator"}),
    ),
]


# incubation: each case builds its projects (tests/incubation/factories.py) inside the role's rolled-back
# transaction. "own" is in the operator's enclave, applied for by the signed-in enterprise and reviewed by
# the expert and bureau_staff; "other" is in the other enclave, reviewed by bureau_admin; "pending" is
# like "own" but still awaiting the admission decision.
def project_of(which: str) -> Callable[[Any], int]:
    def build(w: Any) -> int:
        from tests.incubation import factories as fx

        if which == "other":
            return fx.other_project(w).pk
        return fx.own_project(w, admitted=which == "own").pk

    return build


def incubation(name: str, which: str, *extra: str) -> Callable[[Any], str]:
    return lambda w: reverse(f"incubation:{name}", args=[project_of(which)(w), *extra])


PROJECT_PARTIES = BUREAU | {"enclave_operator", "enterprise", "expert"}
PROJECT_MANAGERS = BUREAU | {"enclave_operator"}
CASES += [
    Case("incubation:project_list", u("incubation:project_list"), expect(PROJECT_PARTIES)),
    Case(
        "incubation:project_list export",
        lambda w: reverse("incubation:project_list") + "?export=xlsx",
        expect(PROJECT_PARTIES),
    ),
    Case(
        "incubation:project_create",
        u("incubation:project_create"),
        expect(BUREAU | {"enclave_operator", "enterprise"}),
    ),
    Case("incubation:candidates", u("incubation:candidates"), expect(PROJECT_MANAGERS)),
    Case(
        "incubation:candidate_decide",
        incubation("candidate_decide", "own"),
        expect(BUREAU, ok=302),
        method="post",
        data={"eliminate": "1", "reason": "团队解散"},
    ),
    Case("incubation:project_detail", incubation("project_detail", "own"), expect(PROJECT_PARTIES)),
    Case(
        "incubation:project_detail other",
        incubation("project_detail", "other"),
        expect(BUREAU, scoped_out={"enclave_operator", "enterprise", "expert"}),
    ),
    Case("incubation:reviewers", incubation("reviewers", "pending"), expect(BUREAU)),
    Case(
        "incubation:review",
        incubation("review", "own"),
        expect({"bureau_staff", "expert"}, scoped_out={"bureau_admin"}),
    ),
    Case(
        "incubation:review other",
        incubation("review", "other"),
        expect({"bureau_admin"}, scoped_out={"bureau_staff", "expert"}),
    ),
    Case(
        "incubation:act decide",
        incubation("act", "pending", "decide"),
        expect(BUREAU, ok=302),
        method="post",
        data={"decide-decision": "admit", "decide-reason": "同意入孵"},
    ),
    Case(
        "incubation:act milestone",
        incubation("act", "own", "milestone"),
        expect(PROJECT_MANAGERS, ok=302),
        method="post",
        data={"milestone-title": "中试", "milestone-due_on": "2025-09-01"},
    ),
    Case(
        "incubation:act milestone other",
        incubation("act", "other", "milestone"),
        expect(BUREAU, ok=302, scoped_out={"enclave_operator"}),
        method="post",
        data={"milestone-title": "中试", "milestone-due_on": "2025-09-01"},
    ),
    Case(
        "incubation:act advance",
        incubation("act", "own", "advance"),
        expect(PROJECT_MANAGERS, ok=302),
        method="post",
        data={"advance-to_stage": "investment", "advance-on": "2025-03-01"},
    ),
    Case(
        "incubation:act landing bad code",
        incubation("act", "own", "landing"),
        expect(PROJECT_MANAGERS, ok=400),
        method="post",
        data={"landing-credit_code": "123", "landing-landed_on": "2025-06-01"},
    ),
]


# Domain apps keep their cases next to their tests (tests/<app>/matrix.py: CASES and setup(world)).
DOMAIN_MATRICES = [
    importlib.import_module(f"tests.{app}.matrix")
    for app in ("carriers", "finance", "techservices", "talents", "commissioners")
]
for _module in DOMAIN_MATRICES:
    CASES += _module.CASES


@pytest.fixture
def matrix_world(world: Any, tmp_path: Any) -> Any:
    from django.core.files.base import ContentFile

    from kechuang.orgs.models import ImportBatch

    batch = ImportBatch(kind="enterprise", filename="a.csv", status=ImportBatch.Status.PREVIEWED)
    batch.stored_file.save("a.csv", ContentFile("统一社会信用代码,企业名称\n".encode()), save=False)
    batch.save()
    world.batch = batch
    import datetime as dt

    from django.utils import timezone

    from kechuang.events import services as events
    from kechuang.matching.models import Suggestion, SuggestionRun

    start = timezone.now() + dt.timedelta(days=30)
    world.event = events.create_event(
        title="测试对接会",
        kind="fair",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=6),
        venue="测试会场",
    )
    events.register(
        event=world.event,
        organization=world.own_enterprise.organization,
        role="enterprise",
        user=None,
        contact_name="联系人",
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kechuang.enclaves import services as assessment

    world.own_contract = assessment.create_contract(enclave=world.own_enclave, year=2031, actor=None)
    world.other_contract = assessment.create_contract(enclave=world.other_enclave, year=2031, actor=None)
    for contract in (world.own_contract, world.other_contract):
        value = assessment.open_value(contract=contract, period="Q1", code="landed")
        upload = SimpleUploadedFile("证明.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        evidence = assessment.add_evidence(value=value, upload=upload, actor=None)
        setattr(world, "own_evidence" if contract is world.own_contract else "other_evidence", evidence)
    run = SuggestionRun.objects.create(source_kind="demand", source_id=world.own_demand.pk)
    _policy_round(world)
    for module in DOMAIN_MATRICES:
        before = dict(vars(world))
        module.setup(world)
        # A domain's setup only adds names: overwriting one (talents once replaced own_evidence) makes
        # another domain's case test a different object, passing or failing by chance of matching ids.
        replaced = sorted(k for k, v in before.items() if vars(world)[k] is not v)
        assert not replaced, f"{module.__name__}.setup replaced {replaced}"
    world.suggestion = Suggestion.objects.create(
        run=run, target_kind="achievement", target_id=world.achievement.pk, title="x", rank=1, score=1.0
    )
    world.expert_suggestion = Suggestion.objects.create(
        run=run, target_kind="expert", target_id=world.own_expert.pk, title="x", rank=1, score=1.0
    )
    other_run = SuggestionRun.objects.create(source_kind="demand", source_id=world.other_demand.pk)
    world.other_suggestion = Suggestion.objects.create(
        run=other_run, target_kind="achievement", target_id=world.achievement.pk, title="x", rank=1, score=1.0
    )
    return world


def _policy_round(world: Any) -> None:
    """A confirmed 免申即享 round listing the own and the other enterprise (both grew their R&D spend)."""
    import datetime as dt

    from django.utils import timezone

    from kechuang.orgs.models import EnterpriseYearFigure
    from kechuang.policies import services as policies

    EnterpriseYearFigure.objects.filter(year=2024).update(major_incident=False)
    world.round = policies.start_round(
        actor=world.users["bureau_staff"],
        measure_id="demo.rd_subsidy",
        year=2024,
        deadline=timezone.localdate() + dt.timedelta(days=10),
    )
    policies.confirm_round_list(actor=world.users["bureau_staff"], round_=world.round)
    world.own_candidacy = world.round.candidates.get(enterprise=world.own_enterprise)
    world.other_candidacy = world.round.candidates.get(enterprise=world.other_enterprise)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_route_by_role(case: Case, matrix_world: Any, client_for: Any) -> None:
    mismatches = {}
    for role in ROLES:
        with transaction.atomic():
            client = client_for(role)
            url = case.url(matrix_world)
            response = getattr(client, case.method)(url, data=case.data or {})
            if response.status_code != case.expected[role]:
                mismatches[role] = (response.status_code, case.expected[role])
            if case.expected[role] == 302 and role == "public" and response.status_code == 302:
                assert "/accounts/login/" in response["Location"]
            transaction.set_rollback(True)
    assert not mismatches, f"{case.name}: role → (got, expected): {mismatches}"


def test_every_route_is_in_the_matrix() -> None:
    covered = {c.name.split(" ")[0] for c in CASES}
    names = set()

    def walk(patterns: Any, namespace: str = "") -> None:
        for p in patterns:
            if hasattr(p, "url_patterns"):
                ns = p.namespace or ""
                if ns in {"admin", "api"}:
                    continue
                walk(p.url_patterns, f"{namespace}{ns}:" if ns else namespace)
            elif p.name:
                names.add(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns)
    assert names - covered == set(), f"routes without permission cases: {sorted(names - covered)}"


# ---- investor interest at roadshows: record (events:act interest) and follow up (interest_advance) -------
# The posted ids exist only once the roadshow does, so these cases are built per test from the world and
# checked with the same per-role loop. Investors act only through their own registration and interests.


@pytest.fixture
def roadshow_world(matrix_world: Any) -> Any:
    import datetime as dt

    from django.utils import timezone

    from kechuang.events import services as events
    from kechuang.orgs.models import Organization

    w = matrix_world
    start = timezone.now() + dt.timedelta(days=20)
    w.roadshow = events.create_event(
        title="测试路演", kind="roadshow", starts_at=start, ends_at=start + dt.timedelta(hours=3)
    )

    def approved(org: Any, role: str) -> Any:
        reg = events.register(event=w.roadshow, organization=org, role=role, user=None, contact_name="联系人")
        return events.review_registration(registration=reg, approve=True)

    w.own_investor_reg = approved(w.investor.organization, "investor")
    w.other_investor_reg = approved(
        Organization.objects.create(kind="investor", name="另一家创投"), "investor"
    )
    w.presenter_reg = approved(w.own_enterprise.organization, "enterprise")
    w.new_presenter_reg = approved(w.other_enterprise.organization, "enterprise")
    w.own_interest = events.record_investor_interest(
        investor=w.own_investor_reg, presenter=w.presenter_reg, level="strong"
    )
    w.other_interest = events.record_investor_interest(
        investor=w.other_investor_reg, presenter=w.presenter_reg, level="moderate"
    )
    return w


INTEREST_CASES: list[tuple[str, str, Callable[[Any], dict[str, Any]], dict[str, int]]] = [
    (
        "events:act interest",
        "interest",
        lambda w: {"investor": w.own_investor_reg.pk, "presenter": w.new_presenter_reg.pk, "level": "strong"},
        expect(BUREAU | {"investor"}, ok=302),
    ),
    (
        "events:act interest other",
        "interest",
        lambda w: {
            "investor": w.other_investor_reg.pk,
            "presenter": w.new_presenter_reg.pk,
            "level": "strong",
        },
        expect(BUREAU, ok=302, scoped_out={"investor"}),
    ),
    (
        "events:act interest_advance",
        "interest_advance",
        lambda w: {"interest": w.own_interest.pk, "stage": "due_diligence"},
        expect(BUREAU | {"investor"}, ok=302),
    ),
    (
        "events:act interest_advance other",
        "interest_advance",
        lambda w: {"interest": w.other_interest.pk, "stage": "due_diligence"},
        expect(BUREAU, ok=302, scoped_out={"investor"}),
    ),
]


@pytest.mark.parametrize(
    ("name", "action", "data", "expected"), INTEREST_CASES, ids=[c[0] for c in INTEREST_CASES]
)
def test_investor_interest_route_by_role(
    name: str,
    action: str,
    data: Callable[[Any], dict[str, Any]],
    expected: dict[str, int],
    roadshow_world: Any,
    client_for: Any,
) -> None:
    url = lambda w: reverse("events:act", args=[w.roadshow.pk, action])  # noqa: E731
    case = Case(name, url, expected, method="post", data=data(roadshow_world))
    test_route_by_role(case, roadshow_world, client_for)
