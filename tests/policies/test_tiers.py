"""Tier cultivation: rungs from qualifications held; the next tier's candidates ranked by what they lack."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kechuang.demands.models import Campaign, VisitPlanItem
from kechuang.orgs.models import EnterpriseYearFigure
from kechuang.policies.library import shipped_library
from kechuang.policies.rules import Facts, Qualification
from kechuang.policies.rules.tiers import rung_of, tier_candidates, tier_pipeline
from tests import factories as f

DAY = dt.date(2025, 6, 30)


def firm(
    name: str, *kinds: str, revenue: float | None = None, rd: float | None = None, **extra: Any
) -> Facts:
    year: dict[str, float] = {}
    if revenue is not None:
        year["revenue"] = revenue
    if rd is not None:
        year["rd_spend"] = rd
    year.update(extra)
    return Facts(
        name=name,
        as_of=DAY,
        data_year=2024,
        years={2024: year},
        qualifications=[Qualification(kind=k, valid_from=dt.date(2023, 1, 1)) for k in kinds],
    )


def test_rung_is_the_highest_valid_qualification_held() -> None:
    steps = shipped_library().tiers
    assert [s.id for s in steps] == ["tech_sme", "high_tech", "specialised", "leader"]
    assert rung_of(firm("无"), steps) == -1
    assert rung_of(firm("科小", "tech_sme"), steps) == 0
    assert rung_of(firm("高企+专精", "high_tech", "specialised", "tech_sme"), steps) == 2
    assert rung_of(firm("小巨人", "little_giant"), steps) == 2
    expired = firm("过期高企")
    expired.qualifications = [Qualification(kind="high_tech", valid_until=dt.date(2025, 6, 29))]
    assert rung_of(expired, steps) == -1
    still = firm("当天到期")
    still.qualifications = [Qualification(kind="high_tech", valid_until=DAY)]
    assert rung_of(still, steps) == 1


def test_candidates_rank_by_conditions_failed_then_gap_and_missing_data_is_not_a_gap() -> None:
    library = shipped_library()
    facts = [
        firm("差两项", "high_tech", revenue=5000, rd=50),  # rd 50 < 100, ratio 1% < 3%
        firm("恰好达标", "high_tech", revenue=3000, rd=100),  # 100万 "不低于100万元" is met; 3.33%
        firm("差一万元", "high_tech", revenue=3300, rd=99),  # ratio exactly 3% met; rd short by 1万
        firm("差二十万元", "high_tech", revenue=2000, rd=80),  # ratio 4% met; short by 20万
        firm("缺营业收入", "high_tech", rd=120),  # revenue and ratio unknown, nothing failed
        firm("只是科小", "tech_sme", revenue=3000, rd=200),  # rung below high_tech: not a candidate here
    ]
    ranked = tier_candidates(library, facts, "specialised")
    names = [facts[c.row].name for c in ranked]
    assert names == ["恰好达标", "缺营业收入", "差一万元", "差二十万元", "差两项"]
    by_name = {facts[c.row].name: c for c in ranked}
    assert by_name["恰好达标"].ready
    assert (by_name["缺营业收入"].unmet, by_name["缺营业收入"].unknown) == (0, 2)
    assert not by_name["缺营业收入"].ready
    assert by_name["差一万元"].unmet_ids == ("rd_spend",)
    assert abs(by_name["差一万元"].gap - 0.01) < 1e-9
    assert by_name["差两项"].unmet == 2

    outside, steps = tier_pipeline(library, facts)
    assert outside == 0
    counts = {p.step.id: (p.holding, p.candidates, p.ready, p.close) for p in steps}
    assert counts["high_tech"][0] == 5 and counts["specialised"] == (0, 5, 1, 4)
    assert counts["tech_sme"] == (1, 0, 0, 0)


def _county() -> dict[str, Any]:
    town, other = f.township("陈埭镇"), f.township("磁灶镇")
    near = f.enterprise("甲鞋业", town=town)
    far = f.enterprise("乙纺织", town=town)
    elsewhere = f.enterprise("丙陶瓷", town=other)
    for ent, revenue, rd in ((near, "3300", "99"), (far, "5000", "50"), (elsewhere, "3000", "150")):
        f.qualification(ent, "high_tech")
        f.figure(ent, 2024, revenue, rd)
    EnterpriseYearFigure.objects.update(major_incident=False)
    return {
        "near": near,
        "far": far,
        "elsewhere": elsewhere,
        "staff": f.user("staff", "bureau_staff"),
        "officer": f.user("officer", "township_officer", township=town),
    }


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


URL = reverse("policies:tiers")


def test_township_officer_sees_his_township_and_staff_plan_visits(db: Any) -> None:
    c = _county()
    officer = _login(c["officer"]).get(URL, {"step": "specialised", "township": "999"}).content.decode()
    assert "甲鞋业" in officer and "乙纺织" in officer and "丙陶瓷" not in officer
    assert "差 1 万元" in officer or "差 1万元" in officer
    assert "生成走访计划" not in officer
    refused = _login(c["officer"]).post(URL, {"step": "specialised", "enterprise": [str(c["near"].pk)]})
    assert refused.status_code == 403 and not Campaign.objects.exists()

    staff = _login(c["staff"])
    page = staff.get(URL, {"step": "specialised"}).content.decode()
    assert page.index("丙陶瓷") < page.index("甲鞋业") < page.index("乙纺织")  # ready, one short, two short
    book = load_workbook(io.BytesIO(staff.get(URL, {"step": "specialised", "format": "xlsx"}).content))
    rows = list(book.active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["丙陶瓷", "甲鞋业", "乙纺织"] and rows[2][5] == 1

    deadline = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    chosen = [str(c["near"].pk), str(c["far"].pk)]
    kept = staff.post(URL, {"step": "specialised", "enterprise": chosen, "title": "", "deadline": deadline})
    assert "请填写活动名称" in kept.content.decode() and not Campaign.objects.exists()
    made = staff.post(
        URL, {"step": "specialised", "enterprise": chosen, "title": "专精特新培育走访", "deadline": deadline}
    )
    campaign = Campaign.objects.get()
    assert made["Location"] == reverse("demands:campaign_detail", args=[campaign.pk])
    plan = {p.enterprise_id: p.reason for p in VisitPlanItem.objects.filter(campaign=campaign)}
    assert set(plan) == {c["near"].pk, c["far"].pk}
    assert plan[c["near"].pk] == "距专精特新 / 科技小巨人：研究开发费用 99万元，差 1 万元"
    detail = _login(c["officer"]).get(made["Location"]).content.decode()
    assert "走访计划" in detail and "甲鞋业" in detail and "待走访" in detail
