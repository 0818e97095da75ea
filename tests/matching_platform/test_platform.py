"""Matching inside the platform: index from the registered texts, stored suggestions with reasons and
confidence, audience rules in search, staff verdicts. Lexical backend (fast); the engine's own tests cover
the dense path."""

from __future__ import annotations

from typing import Any

import pytest

from kechuang.achievements.models import Achievement
from kechuang.core.access import ANONYMOUS, Principal, Role
from kechuang.demands import services as demand_services
from kechuang.demands.choices import Status
from kechuang.demands.models import Demand
from kechuang.matching import selectors, services
from kechuang.matching.engine import FusionConfig
from kechuang.matching.models import IndexBuild, Suggestion, SuggestionRun
from kechuang.matching.registry import PROVIDERS
from kechuang.matching.tasks import rebuild_index_task
from tests.demands_factories import data


@pytest.fixture
def indexed(world: Any) -> Any:
    Achievement.objects.create(
        title="高耐磨运动鞋底橡胶配方",
        abstract="通过纳米白炭黑改性提高鞋底橡胶耐磨性和回弹，良品率提升。",
        is_public=True,
    )
    Achievement.objects.create(
        title="陶瓷辊道窑余热回收", abstract="窑炉烟气余热回收用于干燥工序，节能百分之十五。", is_public=True
    )
    Achievement.objects.create(title="保密的内部成果", abstract="鞋底耐磨保密工艺", is_public=False)
    world.own_expert.fields = "高分子材料 鞋底 橡胶改性"
    world.own_expert.save()
    build = services.rebuild_index()
    assert build.status == IndexBuild.Status.DONE and build.documents > 5
    return world


def test_rebuild_is_incremental(indexed: Any) -> None:
    again = services.rebuild_index()
    assert again.changed == 0 and again.removed == 0
    Achievement.objects.filter(title="陶瓷辊道窑余热回收").delete()
    assert services.rebuild_index().removed == 1


def test_suggestions_are_refreshed_only_when_the_index_changed_for_them(indexed: Any) -> None:
    """Most rebuilds follow a workflow step that changes no indexed text: recomputing every open demand's
    suggestions then would be work for nothing."""

    def run_rebuild_task() -> IndexBuild:
        build = IndexBuild.objects.create()
        rebuild_index_task.call(build.pk)
        build.refresh_from_db()
        assert build.status == IndexBuild.Status.DONE and build.suggestions_refreshed
        return build

    first = run_rebuild_task()  # no build has refreshed suggestions yet
    runs = SuggestionRun.objects.count()
    assert runs > 0
    same = run_rebuild_task()
    assert same.fingerprint == first.fingerprint and SuggestionRun.objects.count() == runs

    # an indexed text changes: every follower is recomputed
    Achievement.objects.filter(title="陶瓷辊道窑余热回收").update(abstract="窑炉烟气余热回收用于喷雾干燥塔。")
    changed = run_rebuild_task()
    assert changed.fingerprint != first.fingerprint and SuggestionRun.objects.count() > runs
    runs = SuggestionRun.objects.count()
    # only who may see a document changes: that can change suggestions too
    Achievement.objects.filter(title="陶瓷辊道窑余热回收").update(is_public=False)
    hidden = run_rebuild_task()
    assert hidden.fingerprint != changed.fingerprint and SuggestionRun.objects.count() > runs
    # the fingerprint also covers the scoring settings
    index = services.current_index()
    assert index is not None
    docs = [doc for provider in PROVIDERS.values() for doc in provider()]
    assert services.index_fingerprint(docs=docs, index=index) == hidden.fingerprint
    kept, index.fusion = index.fusion, FusionConfig(w_lexical=0.3)
    try:
        assert services.index_fingerprint(docs=docs, index=index) != hidden.fingerprint
    finally:
        index.fusion = kept


def test_demand_suggestions_are_stored_with_reasons(indexed: Any) -> None:
    run = services.compute_suggestions(source_kind="demand", source_id=indexed.own_demand.pk)
    assert run is not None and run.confidence_label in {"高", "中", "低"}
    achievements = list(run.suggestions.filter(target_kind="achievement").order_by("rank"))
    assert achievements[0].title == "高耐磨运动鞋底橡胶配方"
    assert "耐磨" in achievements[0].reasons["terms"] or "鞋底" in achievements[0].reasons["terms"]
    assert "保密的内部成果" not in {s.title for s in achievements}  # private achievement never suggested
    experts = run.suggestions.filter(target_kind="expert")
    assert indexed.own_expert.pk in set(experts.values_list("target_id", flat=True))


def test_nothing_fits_is_said(indexed: Any) -> None:
    demand = demand_services.file_demand(
        actor=None, enterprise=indexed.own_enterprise, data=data("区块链供应链金融平台")
    )
    run = services.compute_suggestions(source_kind="demand", source_id=demand.pk)
    assert run is not None and run.nothing_fits and run.confidence_label == "低"


def test_search_respects_audience(indexed: Any) -> None:
    _, public_hits = selectors.search(principal=ANONYMOUS, query="鞋底 耐磨")
    public_titles = {h.title for h in public_hits}
    assert "高耐磨运动鞋底橡胶配方" in public_titles
    assert indexed.own_demand.title not in public_titles and "保密的内部成果" not in public_titles
    owner = Principal(role=Role.ENTERPRISE, user_id=9, organization_id=indexed.own_enterprise.organization_id)
    assert indexed.own_demand.title in {
        h.title for h in selectors.search(principal=owner, query="良品率 工艺")[1]
    }
    enclave = Principal(role=Role.ENCLAVE_OPERATOR, user_id=8, enclave_id=indexed.own_enclave.pk)
    assert indexed.own_demand.title in {
        h.title for h in selectors.search(principal=enclave, query="良品率 工艺")[1]
    }
    stranger = Principal(
        role=Role.ENTERPRISE, user_id=7, organization_id=indexed.other_enterprise.organization_id
    )
    assert indexed.own_demand.title not in {
        h.title for h in selectors.search(principal=stranger, query="良品率")[1]
    }


@pytest.mark.parametrize(
    "query",
    [
        "",
        "鞋",
        "😀😀",
        "SELECT * FROM demands; --",
        "<script>alert(1)</script>",
        "wear resistant sole",
        "鞋底" * 20000,
    ],
)
def test_bad_queries_do_not_crash(indexed: Any, client_for: Any, query: str) -> None:
    response = client_for("public").get("/matching/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_search_page_without_index_says_so(client_for: Any, world: Any) -> None:
    html = client_for("public").get("/matching/search/", {"q": "鞋底"}).content.decode()
    assert "检索索引尚未建立" in html


def test_demand_page_shows_suggestions_and_staff_judge_them(indexed: Any, client_for: Any) -> None:
    run = services.compute_suggestions(source_kind="demand", source_id=indexed.own_demand.pk)
    assert run is not None
    staff = client_for("bureau_staff")
    html = staff.get(f"/demands/{indexed.own_demand.pk}/").content.decode()
    assert "智能推荐" in html and "高耐磨运动鞋底橡胶配方" in html and "匹配词" in html
    suggestion = run.suggestions.filter(target_kind="achievement").order_by("rank").first()
    assert suggestion is not None
    staff.post(f"/matching/suggestions/{suggestion.pk}/judge/", {"verdict": "confirmed"})
    staff.post(
        f"/matching/suggestions/{run.suggestions.order_by('-rank').first().pk}/judge/",
        {"verdict": "rejected"},
    )
    figures = selectors.precision_figures()
    assert figures["judged"] == 2 and figures["precision"] == 0.5
    assert Suggestion.objects.get(pk=suggestion.pk).verdict_by == indexed.users["bureau_staff"]
    # the enterprise sees the suggestions but cannot judge them (it gives its own feedback instead)
    owner_page = client_for("enterprise").get(f"/demands/{indexed.own_demand.pk}/").content.decode()
    assert "/judge/" not in owner_page


def test_route_page_uses_engine_suggestions_when_available(indexed: Any, client_for: Any) -> None:
    services.compute_suggestions(source_kind="demand", source_id=indexed.own_demand.pk)
    html = client_for("bureau_staff").get(f"/demands/{indexed.own_demand.pk}/route/").content.decode()
    assert f'value="expert:{indexed.own_expert.pk}"' in html


def test_achievement_page_lists_demands_for_bureau_only(indexed: Any, client_for: Any) -> None:
    achievement = Achievement.objects.get(title="高耐磨运动鞋底橡胶配方")
    run = services.compute_suggestions(source_kind="achievement", source_id=achievement.pk)
    assert run is not None
    assert indexed.own_demand.pk in set(
        run.suggestions.filter(target_kind="demand").values_list("target_id", flat=True)
    )
    assert (
        indexed.own_demand.title
        in client_for("bureau_staff").get(f"/achievements/{achievement.pk}/").content.decode()
    )
    assert (
        indexed.own_demand.title
        not in client_for("enterprise").get(f"/achievements/{achievement.pk}/").content.decode()
    )


def _achievements_with_suggestions() -> set[int]:
    return set(SuggestionRun.objects.filter(source_kind="achievement").values_list("source_id", flat=True))


def test_refresh_follows_open_demands_then_the_achievements_they_name(indexed: Any) -> None:
    named = Achievement.objects.get(title="高耐磨运动鞋底橡胶配方")
    counts = services.refresh_pending_suggestions()
    assert list(counts) == ["demand", "achievement"]  # demands first: they decide which achievements follow
    assert counts["demand"] >= 1
    assert selectors.latest_run(source_kind="demand", source_id=indexed.own_demand.pk) is not None
    followed = _achievements_with_suggestions()
    assert named.pk in followed  # the own demand's top suggestion gets its "who may need it" list
    assert not Achievement.objects.filter(title="保密的内部成果", pk__in=followed).exists()
    assert counts["achievement"] == len(followed) <= 3 * counts["demand"]

    # Only open demands name achievements: once none is open, no achievement follows the index (the
    # lists already computed stay on their pages).
    Demand.objects.filter(pk__in=list(selectors.PENDING["demand"]())).update(status=Status.CLOSED)
    assert selectors.suggested_by_followed(source_kind="demand", target_kind="achievement", max_rank=3) == []
    assert services.refresh_pending_suggestions() == {"demand": 0, "achievement": 0}
    assert named.pk in _achievements_with_suggestions()


def test_panels_say_how_suggestions_come_about(indexed: Any, client_for: Any) -> None:
    staff = client_for("bureau_staff")
    draft = demand_services.file_demand(
        actor=None, enterprise=indexed.own_enterprise, data=data("鞋底橡胶耐磨改性"), submit=False
    )
    html = staff.get(f"/demands/{draft.pk}/").content.decode()
    assert "需求提交后，平台会在后台推荐" in html and "推荐正在后台计算" not in html
    kiln = Achievement.objects.get(title="陶瓷辊道窑余热回收")
    html = staff.get(f"/achievements/{kiln.pk}/").content.decode()
    assert "尚未计算" in html and "计算可能需要该成果的企业和需求" in html and "推荐正在后台计算" not in html
    # An open demand without a run yet is the one case that is waiting for the worker.
    html = staff.get(f"/demands/{indexed.own_demand.pk}/").content.decode()
    assert "推荐正在后台计算" in html
