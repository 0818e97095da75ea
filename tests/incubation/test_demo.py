"""The incubation demo: every fate is there (admitted, rejected, pending, landed, eliminated after a human
decision, kept, current candidates), it is deterministic and quick, and deleting it removes all of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from kechuang.accounts.selectors import principal_for
from kechuang.demo.carriers import delete_demo_carriers
from kechuang.demo.incubation import delete_demo_incubation, load_demo_incubation
from kechuang.demo.loader import delete_demo, load_demo
from kechuang.incubation import selectors
from kechuang.incubation.choices import Stage
from kechuang.incubation.models import EliminationDecision, LandingFigure, Project, ProjectEvent, Review
from kechuang.orgs.models import Enclave, EnterpriseYearFigure

SEED = 5


@pytest.fixture
def registry(db: Any) -> dt.date:
    today = timezone.localdate()
    assert load_demo(enterprises=80, achievements_limit=20, seed=SEED, as_of=today).loaded
    delete_demo_carriers()  # its leases house demo projects
    delete_demo_incubation()  # in case the loader already wrote the incubation demo
    return today


def _signature() -> list[tuple[Any, ...]]:
    return list(
        Project.objects.filter(is_demo=True)
        .order_by("enclave__name", "incubator_id", "name")
        .values_list(
            "name", "stage", "applied_on", "admitted_on", "landed_on", "review_score", "last_progress_on"
        )
    )


def test_demo_covers_every_fate_and_deletes_cleanly(registry: dt.date) -> None:
    counts = load_demo_incubation(seed=SEED, as_of=registry)
    projects = Project.objects.filter(is_demo=True)
    assert counts["孵化项目"] == projects.count() >= 30
    for enclave in Enclave.objects.filter(is_demo=True):
        assert 8 <= projects.filter(enclave=enclave).count() <= 12, enclave.name
    assert projects.filter(incubator__isnull=False).exists()
    stages = set(projects.values_list("stage", flat=True))
    assert stages == set(Stage.values)
    assert projects.filter(applied_on__year=2024).exists() and projects.filter(applied_on__year=2025).exists()

    # Landed in Jinjiang: linked by credit code to registry enterprises that have yearly figures.
    landed = projects.filter(landed_organization__isnull=False)
    assert landed.count() >= 2
    for project in landed:
        assert project.credit_code == project.landed_organization.credit_code
        assert EnterpriseYearFigure.objects.filter(
            enterprise__organization=project.landed_organization
        ).exists()
        assert LandingFigure.objects.filter(project=project).exists()

    # Elimination: one eliminated after a human decision, one kept, current candidates.
    eliminated = projects.filter(stage=Stage.ELIMINATED)
    assert eliminated.exists()
    for project in eliminated:
        decision = EliminationDecision.objects.get(project=project)
        assert decision.eliminate and "团队已解散" in decision.reason and "无进展" in decision.evidence
        assert project.eliminated_on == decision.decided_on and project.elimination_reason
    assert EliminationDecision.objects.filter(project__is_demo=True, eliminate=False).count() >= 1
    staff = principal_for(get_user_model().objects.get(username="staff"))
    candidates = selectors.elimination_candidates(as_of=registry, principal=staff)
    assert 3 <= len(candidates) <= 6
    assert {h.rule for c in candidates for h in c.hits} == {"no_progress", "missed_milestones", "low_review"}
    # Reviews: the demo expert declared a conflict on one pending application.
    assert Review.objects.filter(project__is_demo=True, conflict_declared=True).count() == 1
    # The `enclave` account sees only the Wuhan enclave's projects; `enterprise` sees its own application.
    operator = principal_for(get_user_model().objects.get(username="enclave"))
    seen = selectors.project_list(principal=operator, filters=selectors.ProjectFilters())
    assert seen.exists() and {p.enclave.city for p in seen} == {"武汉"}
    enterprise = principal_for(get_user_model().objects.get(username="enterprise"))
    assert selectors.project_list(principal=enterprise, filters=selectors.ProjectFilters()).count() == 1
    # The enclave KPI figures see the demo.
    wuhan = Enclave.objects.get(is_demo=True, city="武汉")
    figures = selectors.enclave_figures(enclave_id=wuhan.pk, since=dt.date(2024, 1, 1), until=registry)
    assert figures["admitted"].value >= 5 and figures["landed"].value >= 1

    first = _signature()
    deleted = delete_demo_incubation()
    assert deleted["incubation_projects"] == counts["孵化项目"]
    assert not Project.objects.exists() and not ProjectEvent.objects.exists()
    assert not Project.history.exists()  # type: ignore[attr-defined]
    load_demo_incubation(seed=SEED, as_of=registry)
    assert _signature() == first
    delete_demo_incubation()
    delete_demo()  # the registry demo can go afterwards: nothing of incubation protects it
    assert not Enclave.all_objects.filter(is_demo=True).exists()
