"""Pages: match and assign, refusals keep what was typed, the assigned expert records, the enterprise
confirms through the service ledger and the figures follow, the report and its export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kechuang.achievements.models import Achievement
from kechuang.commissioners import services
from kechuang.commissioners.models import Assignment, Commissioner, ServiceLink
from kechuang.techservices.models import ClaimStatus, ServiceClaim

pytestmark = pytest.mark.django_db


@pytest.fixture
def shoes(world: Any) -> Commissioner:
    a = Achievement.objects.create(
        title="运动鞋底橡胶耐磨配方", abstract="提高鞋底材料耐磨性的橡胶配方", is_public=True
    )
    a.experts.add(world.own_expert)
    return services.save_commissioner(actor=None, expert=world.own_expert, field="shoes", max_enterprises=1)


def _assignment(c: Commissioner, enterprise: Any) -> Assignment:
    today = timezone.localdate()
    return services.assign(
        actor=None,
        commissioner=c,
        enterprise=enterprise,
        goals="鞋底耐磨配方改进",
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=300),
    )


def test_township_officer_matches_and_assigns_then_capacity_refusal_keeps_the_form(
    world: Any, client_for: Any, shoes: Commissioner
) -> None:
    client = client_for("township_officer")
    url = reverse("commissioners:match", args=[world.own_enterprise.pk])
    page = client.get(url).content.decode()
    assert "李教授" in page and "成果：运动鞋底橡胶耐磨配方" in page and "100.0%" in page
    assert "企业在办技术需求 1 项" in page
    today = timezone.localdate()
    posted = {
        "commissioner": str(shoes.pk),
        "goals": "鞋底耐磨配方改进",
        "starts_on": str(today),
        "ends_on": str(today + dt.timedelta(days=180)),
    }
    response = client.post(url, posted)
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert assignment.enterprise == world.own_enterprise
    assert assignment.created_by == world.users["township_officer"]
    # the commissioner's one place is taken: the next firm is refused, the typed goals stay
    other_url = reverse("commissioners:match", args=[world.same_town_enterprise.pk])
    refused = client.post(other_url, posted | {"goals": "面料抗菌整理指导"})
    text = refused.content.decode()
    assert refused.status_code == 200
    assert "达到同时服务上限" in text and "面料抗菌整理指导" in text
    assert Assignment.objects.count() == 1


def test_expert_records_enterprise_confirms_figures_follow(
    world: Any, client_for: Any, shoes: Commissioner
) -> None:
    assignment = _assignment(shoes, world.own_enterprise)
    url = reverse("commissioners:assignment", args=[assignment.pk])
    expert = client_for("expert")
    bad = {
        "served_on": "2001-01-01",
        "problem": "外底磨耗大",
        "action": "调整配方",
        "value_claimed_wan": "30",
    }
    refused = expert.post(url, bad)
    assert refused.status_code == 200
    assert "服务日期应在派驻期内" in refused.content.decode() and "外底磨耗大" in refused.content.decode()
    assert not ServiceClaim.objects.exists()
    served = timezone.localdate() - dt.timedelta(days=5)
    ok = expert.post(url, bad | {"served_on": str(served), "solved": "on"})
    assert ok.status_code == 302
    claim = ServiceLink.objects.get().claim
    assert claim.provider_kind == "commissioner" and claim.value_claimed_wan == Decimal("30")
    assert claim.recorded_by == world.users["expert"] and claim.solved

    enterprise = client_for("enterprise")
    mine = enterprise.get(reverse("commissioners:mine")).content.decode()
    assert "李教授" in mine and "待企业确认" in mine and reverse("techservices:my_claims") in mine
    assert enterprise.post(url, bad).status_code == 403  # the enterprise does not record services
    confirm = enterprise.post(reverse("techservices:claim_confirm", args=[claim.pk]))
    assert confirm.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CONFIRMED

    bureau = client_for("bureau_staff")
    listing = bureau.get(reverse("commissioners:list")).content.decode()
    assert "30万元" in listing or "30.00万元" in listing
    detail = bureau.get(reverse("commissioners:detail", args=[shoes.pk])).content.decode()
    assert "企业已确认" in detail and "外底磨耗大" in detail


def test_create_refuses_the_same_expert_twice_keeping_the_typed_values(
    world: Any, client_for: Any, shoes: Commissioner
) -> None:
    client = client_for("bureau_admin")
    posted = {
        "expert": str(world.own_expert.pk),
        "field": "textile",
        "expertise": "针织面料后整理",
        "max_enterprises": "2",
        "is_active": "on",
    }
    response = client.post(reverse("commissioners:create"), posted)
    text = response.content.decode()
    assert response.status_code == 200 and "已登记为科技特派员" in text and "针织面料后整理" in text
    assert Commissioner.objects.count() == 1
    ok = client.post(reverse("commissioners:create"), posted | {"expert": str(world.other_expert.pk)})
    assert ok.status_code == 302
    assert Commissioner.objects.get(expert=world.other_expert).name == "王研究员"


def test_report_by_township_and_its_export(world: Any, client_for: Any, shoes: Commissioner) -> None:
    assignment = _assignment(shoes, world.own_enterprise)
    link = services.record_service(
        actor=None,
        assignment=assignment,
        served_on=timezone.localdate() - dt.timedelta(days=3),
        problem="问题",
        action="服务",
        value_claimed_wan=Decimal("12.5"),
    )
    from kechuang.techservices import services as ledger

    ledger.confirm_claim(actor=None, claim=link.claim, enterprise=world.own_enterprise)
    client = client_for("bureau_staff")
    page = client.get(reverse("commissioners:report"), {"by": "township"}).content.decode()
    assert "陈埭镇" in page
    response = client.get(reverse("commissioners:report"), {"by": "township", "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:3] == ["镇街", "服务企业(家)", "特派员(人)"]
    town = next(r for r in rows[1:] if r[0] == "陈埭镇")
    assert town[header.index("确认服务(次)")] == 1
    assert town[header.index("确认价值(万元)")] == 12.5
    by_commissioner = client.get(reverse("commissioners:report"), {"export": "xlsx"})
    first = list(load_workbook(io.BytesIO(by_commissioner.content)).active.iter_rows(values_only=True))[1]
    assert first[0] == "李教授" and first[1] == "鞋服"


def test_empty_states(world: Any, client_for: Any) -> None:
    bureau = client_for("bureau_staff")
    assert "暂无科技特派员" in bureau.get(reverse("commissioners:list")).content.decode()
    assert "暂无统计数据" in bureau.get(reverse("commissioners:report")).content.decode()
    match = bureau.get(reverse("commissioners:match", args=[world.own_enterprise.pk])).content.decode()
    assert "暂无可推荐的特派员" in match
    mine = client_for("enterprise").get(reverse("commissioners:mine")).content.decode()
    assert "尚无科技特派员服务本企业" in mine
