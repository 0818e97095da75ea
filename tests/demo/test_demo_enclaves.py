"""Demo enclave assessment: three enclaves under signed contracts with personalised indicators, a year of
reported and computed values, finalised scorecards with rewards and a ranking, a landing from incubation
credited to its enclave, an amendment that leaves earlier scores alone, and a clean delete."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kechuang.demo.enclaves import delete_demo_enclaves
from kechuang.demo.loader import delete_demo, load_demo
from kechuang.enclaves import selectors
from kechuang.enclaves.models import Assessment, AssessmentContract, Evidence, IndicatorValue
from kechuang.incubation.models import Project


@pytest.fixture
def year(db: Any) -> int:
    today = timezone.localdate()
    assert load_demo(enterprises=80, achievements_limit=20, seed=5, as_of=today).loaded
    return today.year - 1


def test_demo_year_is_assessed_ranked_and_rewarded(year: int) -> None:
    finals = Assessment.objects.filter(year=year, period="Q4").select_related("enclave")
    assert finals.count() == 3
    assert Assessment.objects.filter(year=year).count() == 12  # every quarter finalised
    personalised = {
        a.enclave.city: [i["code"] for i in a.contract.spec["indicators"] if i["personalised"]]
        for a in finals
    }
    assert all(personalised.values()) and len({tuple(v) for v in personalised.values()}) == 3
    for a in finals:
        assert Decimal(0) <= a.reward <= Decimal(200)
        assert a.total == Decimal(a.card["total"])
    entries, _ = selectors.ranking(year=year, period="Q4")
    assert [e.rank for e in entries] == [1, 2, 3]
    assert entries[0].total > entries[-1].total
    assert len({a.grade for a in finals}) >= 2  # the demo shows a spread, not three equal cards

    # Reported beside computed: the platform counted landings from incubation records.
    landed = Project.objects.filter(is_demo=True, landed_on__year=year, enclave__isnull=False)
    assert landed.exists()
    by_enclave = {p.enclave_id for p in landed}
    for enclave_id in by_enclave:
        value = IndicatorValue.objects.get(enclave_id=enclave_id, year=year, period="Q4", code="landed")
        assert value.computed == landed.filter(enclave_id=enclave_id).count()
        assert "统一社会信用代码" in value.computed_basis
    # A discrepancy settled by the bureau, a late report, missing evidence and a bureau deduction.
    assert IndicatorValue.objects.filter(year=year, verified__isnull=False).exclude(verify_note="").exists()
    cards = {a.enclave.city: a.card for a in finals}
    assert any(r["flags"] and "missing_evidence" in r["flags"] for r in cards["深圳"]["indicators"])
    assert Decimal(next(r for r in cards["深圳"]["indicators"] if r["code"] == "unrectified")["points"]) < 0
    assert Assessment.objects.get(year=year, period="Q2", enclave__city="西安").card["late_items"]
    assert Evidence.objects.filter(value__year=year).count() > 50
    # Each enclave's figures were reported by its own operator account, never by another enclave's.
    reported = IndicatorValue.objects.filter(year=year, reported__isnull=False).select_related(
        "reported_by__profile"
    )
    assert {v.enclave.city for v in reported.select_related("enclave")} == {"武汉", "深圳", "西安"}
    for value in reported:
        assert value.reported_by is not None, value.code
        assert value.reported_by.profile.enclave_id == value.enclave_id


def test_amendment_keeps_the_scores_made_under_the_old_version(year: int) -> None:
    versions = AssessmentContract.objects.filter(enclave__city="西安", year=year).order_by("version")
    assert [v.status for v in versions] == ["superseded", "signed"]
    first, second = versions
    assert set(Assessment.objects.filter(contract=first).values_list("period", flat=True)) == {"Q1", "Q2"}
    assert set(Assessment.objects.filter(contract=second).values_list("period", flat=True)) == {"Q3", "Q4"}
    target = {
        v.pk: next(i["target"] for i in v.spec["indicators"] if i["code"] == "transfers") for v in versions
    }
    assert target == {first.pk: "6", second.pk: "8"}
    assert selectors.scorecard(first, "Q2").finalised is not None


def test_current_year_is_reported_up_to_the_last_finished_quarter(year: int) -> None:
    current = AssessmentContract.objects.filter(year=year + 1, status="signed")
    assert current.count() == 3
    due_quarters = [
        q
        for q, month in (("Q1", 4), ("Q2", 7), ("Q3", 10))
        if dt.date(year + 1, month, 15) <= timezone.localdate()
    ]
    if due_quarters:
        assert (
            IndicatorValue.objects.filter(year=year + 1, period=due_quarters[-1])
            .exclude(reported=None)
            .exists()
        )
        assert not Assessment.objects.filter(year=year + 1, period=due_quarters[-1]).exists()


def test_deleting_the_demo_removes_the_assessment(year: int) -> None:
    assert delete_demo_enclaves()["assessment_contracts"] == 7
    assert not AssessmentContract.objects.exists() and not IndicatorValue.objects.exists()
    assert not AssessmentContract.history.exists()  # type: ignore[attr-defined]
    delete_demo()
