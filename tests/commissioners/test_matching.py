"""Suggestions through the matching engine (rank_entities, lexical backend in tests) on a tiny set."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kechuang.achievements.models import Achievement
from kechuang.commissioners import rules, selectors, services
from kechuang.commissioners.models import Commissioner
from tests import factories as f

pytestmark = pytest.mark.django_db


def _with_achievement(
    expert: Any, field: str, title: str, abstract: str, expertise: str = ""
) -> Commissioner:
    a = Achievement.objects.create(title=title, abstract=abstract, is_public=True)
    a.experts.add(expert)
    return services.save_commissioner(actor=None, expert=expert, field=field, expertise=expertise)


@pytest.fixture
def trio(world: Any) -> dict[str, Commissioner]:
    shoes = _with_achievement(
        world.own_expert, "shoes", "运动鞋底橡胶耐磨配方", "提高鞋底材料耐磨性与防滑性的橡胶配方与硫化工艺"
    )
    kiln = _with_achievement(
        world.other_expert,
        "ceramics",
        "陶瓷窑炉余热回收节能技术",
        "建筑陶瓷辊道窑烟气余热回收，降低窑炉能耗",
        expertise="抛釉砖、仿古砖烧成工艺",
    )
    tea_expert = f.expert("赵研究员")
    tea_expert.fields = "茶叶加工"
    tea_expert.save()
    tea = _with_achievement(tea_expert, "food", "茶叶低温保鲜包装", "乌龙茶低温充氮包装延长货架期")
    private = Achievement.objects.create(title="未公开的鞋底耐磨秘方", abstract="鞋底耐磨", is_public=False)
    private.experts.add(world.other_expert)
    return {"shoes": shoes, "kiln": kiln, "tea": tea}


def test_open_demand_ranks_the_matching_commissioner_first_with_the_reason(
    world: Any, trio: dict[str, Commissioner]
) -> None:
    query, basis = selectors.enterprise_query(world.own_enterprise)
    assert "鞋底材料耐磨性提升" in query and basis == "企业在办技术需求 1 项"
    suggestions = selectors.suggest(world.own_enterprise)
    assert suggestions[0].commissioner == trio["shoes"]
    assert suggestions[0].score == 1.0
    assert suggestions[0].reason == "成果：运动鞋底橡胶耐磨配方"
    assert trio["tea"] not in [s.commissioner for s in suggestions]  # no shared term: no evidence
    assert all("未公开" not in s.reason for s in suggestions)  # private achievements are not the profile


def test_other_enterprise_gets_the_kiln_expert(world: Any, trio: dict[str, Commissioner]) -> None:
    suggestions = selectors.suggest(world.other_enterprise)
    assert [s.commissioner for s in suggestions][:1] == [trio["kiln"]]
    assert suggestions[0].reason == "成果：陶瓷窑炉余热回收节能技术"


def test_without_demands_the_products_are_the_query(world: Any, trio: dict[str, Commissioner]) -> None:
    firm = f.enterprise("晋江市丁陶瓷有限公司", town=world.other_town)
    firm.main_products = "抛釉砖、仿古砖"
    firm.save()
    query, basis = selectors.enterprise_query(firm)
    assert query == "抛釉砖、仿古砖" and "暂无在办技术需求" in basis
    suggestions = selectors.suggest(firm)
    assert suggestions[0].commissioner == trio["kiln"]
    assert suggestions[0].reason == "专长：抛釉砖、仿古砖烧成工艺"


def test_inactive_commissioners_and_empty_queries_suggest_nothing(
    world: Any, trio: dict[str, Commissioner]
) -> None:
    services.save_commissioner(actor=None, commissioner=trio["shoes"], is_active=False)
    assert trio["shoes"] not in [s.commissioner for s in selectors.suggest(world.own_enterprise)]
    bare = f.enterprise("晋江市空白有限公司", town=world.town)
    assert selectors.suggest(bare) == []


def test_best_reason_takes_each_entity_first_scoring_text() -> None:
    ranked = [("2:1", 1.0), ("1:0", 0.6), ("2:0", 0.5), ("1:1", 0.4), ("3:0", 0.0)]
    titles = {"1:0": "甲", "1:1": "乙", "2:0": "丙", "2:1": "丁", "3:0": "戊"}
    assert rules.best_reason(ranked, titles) == {"2": "丁", "1": "甲"}


def test_a_batch_is_assigned_as_a_whole_under_capacity(world: Any, trio: dict[str, Commissioner]) -> None:
    """Both enterprises' best is not the same commissioner here, so each gets its own; once the shoe
    expert is full, the shoe enterprise is told why instead of being given someone unrelated."""
    proposals = selectors.propose_assignments([world.own_enterprise, world.other_enterprise])
    assert [p.commissioner for p in proposals] == [trio["shoes"], trio["kiln"]]
    assert "专长匹配度" in proposals[0].reason and "排第 1 位" in proposals[0].reason
    Commissioner.objects.filter(pk=trio["shoes"].pk).update(max_enterprises=1)
    services.assign(
        actor=None,
        commissioner=trio["shoes"],
        enterprise=world.same_town_enterprise,
        goals="已有派驻",
        starts_on=dt.date.today(),
        ends_on=dt.date.today() + dt.timedelta(days=30),
    )
    again = selectors.propose_assignments([world.own_enterprise, world.other_enterprise])
    assert again[1].commissioner == trio["kiln"]
    assert again[0].commissioner != trio["shoes"]
    if again[0].commissioner is not None:
        assert "已满额" in again[0].reason  # the better one skipped, and said so
    else:
        assert "已满额" in again[0].unfilled
    assert selectors.propose_assignments([]) == []


def test_the_batch_page_adopts_ticked_pairs_through_the_service(
    world: Any, trio: dict[str, Commissioner], client_for: Any
) -> None:
    staff = client_for("bureau_staff")
    url = f"/commissioners/match/batch/?e={world.own_enterprise.pk}&e={world.other_enterprise.pk}"
    page = staff.get(url).content.decode()
    own_pair = f"{world.own_enterprise.pk}:{trio['shoes'].pk}"
    assert own_pair in page and "专长匹配度" in page
    bad_pair = f"{world.other_enterprise.pk}:999999"
    response = staff.post(
        "/commissioners/match/batch/",
        {"e": [world.own_enterprise.pk, world.other_enterprise.pk], "pair": [own_pair, bad_pair]},
    )
    assert response.status_code == 302
    from kechuang.commissioners.models import Assignment

    made = Assignment.objects.filter(enterprise=world.own_enterprise, commissioner=trio["shoes"])
    assert made.count() == 1 and made.get().created_by == world.users["bureau_staff"]
    assert not Assignment.objects.filter(enterprise=world.other_enterprise).exists()
    # a township officer cannot slip in another township's enterprise
    officer = client_for("township_officer")
    officer.post(
        "/commissioners/match/batch/",
        {"e": [world.other_enterprise.pk], "pair": [f"{world.other_enterprise.pk}:{trio['kiln'].pk}"]},
    )
    assert not Assignment.objects.filter(enterprise=world.other_enterprise).exists()
    assert "没有选择企业" in client_for("bureau_staff").get("/commissioners/match/batch/").content.decode()
