"""Verdicts beyond staff (enterprises on their demands, experts on suggestions naming them), the model
version on every run, online precision over time, and `kechuang matching learn` on the platform."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kechuang.matching import selectors, services
from kechuang.matching.engine.learn import model_version
from kechuang.matching.models import FusionModel, Suggestion, SuggestionFeedback, SuggestionRun
from tests import factories as f


@pytest.fixture
def run(indexed: Any) -> SuggestionRun:
    result = services.compute_suggestions(source_kind="demand", source_id=indexed.own_demand.pk)
    assert result is not None
    return result


def _achievement_suggestion(run: SuggestionRun) -> Suggestion:
    suggestion = run.suggestions.filter(target_kind="achievement").order_by("rank").first()
    assert suggestion is not None
    return suggestion


def test_the_owner_marks_suggestions_of_its_demand(indexed: Any, run: SuggestionRun, client_for: Any) -> None:
    owner = client_for("enterprise")
    page = owner.get(f"/demands/{indexed.own_demand.pk}/").content.decode()
    suggestion = _achievement_suggestion(run)
    assert f"/matching/suggestions/{suggestion.pk}/feedback/" in page and "对您有用吗" in page
    assert "/judge/" not in page  # staff verdicts stay with the bureau
    owner.post(f"/matching/suggestions/{suggestion.pk}/feedback/", {"useful": "useful"})
    feedback = SuggestionFeedback.objects.get(suggestion=suggestion)
    assert feedback.useful and feedback.role == "enterprise" and feedback.user == indexed.users["enterprise"]
    page = owner.get(f"/demands/{indexed.own_demand.pk}/").content.decode()
    assert "您的评价：有用" in page
    owner.post(f"/matching/suggestions/{suggestion.pk}/feedback/", {"useful": "not_useful"})
    assert SuggestionFeedback.objects.get(suggestion=suggestion).useful is False  # one per user, updated
    owner.post(f"/matching/suggestions/{suggestion.pk}/feedback/", {"useful": "maybe"})
    assert SuggestionFeedback.objects.get(suggestion=suggestion).useful is False  # bad value changes nothing
    owner.post(f"/matching/suggestions/{suggestion.pk}/feedback/", {"useful": ""})
    assert not SuggestionFeedback.objects.filter(suggestion=suggestion).exists()  # withdrawn


def test_no_one_else_marks_an_enterprises_suggestions(
    indexed: Any, run: SuggestionRun, client_for: Any
) -> None:
    suggestion = _achievement_suggestion(run)
    url = f"/matching/suggestions/{suggestion.pk}/feedback/"
    stranger = Client()
    stranger.force_login(f.user("ent2", "enterprise", organization=indexed.other_enterprise.organization))
    assert stranger.post(url, {"useful": "useful"}).status_code == 403
    for role in ("bureau_staff", "township_officer", "enclave_operator", "investor", "expert"):
        assert client_for(role).post(url, {"useful": "useful"}).status_code == 403, role
    anonymous = Client().post(url, {"useful": "useful"})
    assert anonymous.status_code in (302, 403)
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(indexed.users["enterprise"])
    assert checked.post(url, {"useful": "useful"}).status_code == 403  # no CSRF token
    assert not SuggestionFeedback.objects.exists()
    staff_page = client_for("bureau_staff").get(f"/demands/{indexed.own_demand.pk}/").content.decode()
    assert url not in staff_page


def test_an_expert_marks_only_suggestions_naming_them(indexed: Any, run: SuggestionRun) -> None:
    expert = indexed.users["expert"]
    own = run.suggestions.filter(target_kind="expert", target_id=indexed.own_expert.pk).first()
    assert own is not None, "the demand about shoe-sole rubber should suggest the rubber expert"
    client = Client()
    client.force_login(expert)
    assert client.post(f"/matching/suggestions/{own.pk}/feedback/", {"useful": "useful"}).status_code == 302
    assert SuggestionFeedback.objects.get(suggestion=own).role == "expert"
    other = _achievement_suggestion(run)
    assert client.post(f"/matching/suggestions/{other.pk}/feedback/", {"useful": "useful"}).status_code == 403
    assert SuggestionFeedback.objects.count() == 1


def test_every_run_records_the_weights_that_ranked_it(indexed: Any, settings: Any) -> None:
    first = services.compute_suggestions(source_kind="demand", source_id=indexed.own_demand.pk)
    assert first is not None and first.model_version == services.index_model_version(services.current_index())
    params = {"w_lexical": 0.4, "w_neighbour": 0.25, "w_expand": 0.0}
    services.model_file().write_text(json.dumps({"version": model_version(params), "params": params}))
    index = services.current_index()
    assert index is not None and index.fusion.w_lexical == 0.4 and index.fusion.w_neighbour == 0.25
    second = services.compute_suggestions(source_kind="demand", source_id=indexed.own_demand.pk)
    assert second is not None and second.model_version == model_version(params) != first.model_version
    for damaged in ("not json", "[1]", '{"params": {"w_lexical": "x"}}'):  # the shipped weights, no crash
        services.model_file().write_text(damaged)
        os.utime(services.model_file(), ns=(time.time_ns(), time.time_ns() + len(damaged)))
        assert services.current_index().fusion.w_lexical == 0.2, damaged  # type: ignore[union-attr]


def test_online_precision_month_by_month(indexed: Any, run: SuggestionRun, client_for: Any) -> None:
    assert selectors.precision_over_time() == []
    empty = client_for("bureau_staff").get("/matching/").content.decode()
    assert "还没有判断记录" in empty and "尚未学习" in empty
    staff = indexed.users["bureau_staff"]
    rows = list(run.suggestions.order_by("pk")[:3])
    march = timezone.make_aware(dt.datetime(2026, 3, 10, 10))
    april = timezone.make_aware(dt.datetime(2026, 4, 2, 10))
    for suggestion, verdict, at in zip(
        rows, ["confirmed", "rejected", "confirmed"], [march, march, april], strict=True
    ):
        services.record_verdict(actor=staff, suggestion=suggestion, verdict=verdict)
        Suggestion.objects.filter(pk=suggestion.pk).update(verdict_at=at)
    months = selectors.precision_over_time()
    assert [(m["month"], m["judged"], m["precision"]) for m in months] == [
        (dt.date(2026, 3, 1), 2, 0.5),
        (dt.date(2026, 4, 1), 1, 1.0),
    ]
    assert months[0]["versions"] == [run.model_version]
    assert selectors.precision_by_model()[0]["judged"] == 3
    page = client_for("bureau_staff").get("/matching/").content.decode()
    assert "2026年3月" in page and "2026年4月" in page and "50.0%" in page
    assert client_for("enterprise").get("/matching/").status_code == 403


def test_learn_records_its_run_and_says_why_it_did_not_adopt(indexed: Any, run: SuggestionRun) -> None:
    services.record_verdict(actor=None, suggestion=_achievement_suggestion(run), verdict="confirmed")
    out = StringIO()
    call_command("matching", "learn", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["adopted"] is False and report["queries"] == 1 and "至少需要" in report["reason"]
    assert report["queries_by_source"] == {"platform": 1}
    model = FusionModel.objects.get()
    assert not model.adopted and model.report["reason"] == report["reason"]
    assert not services.model_file().exists()
    queries = services.platform_judgments()
    assert len(queries) == 1 and queries[0].filters == {"kind": ["achievement"]}
    assert list(queries[0].gains.values()) == [1]


def test_learn_needs_an_index(world: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="匹配索引尚未建立"):
        call_command("matching", "learn")
