"""The dashboard's policy money is the ledger's, to the yuan, by program, year and township."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kechuang.policies import services
from kechuang.policies.models import Disbursement
from tests import factories as f
from tests.policies.test_rounds import _county, _past_deadline, _start


def _paid_round(c: dict[str, Any]) -> None:
    """Both listed firms accept; one is paid, the other approved only."""
    round_ = _start(c["staff"])
    services.confirm_round_list(actor=c["staff"], round_=round_)
    for ent in (c["grows"], c["big"]):
        services.respond_to_round(
            actor=None,
            candidate=round_.candidates.get(enterprise=ent),
            accept=True,
            account_name=ent.organization.name,
            bank_name="晋江农商银行",
            account_number="6217001234567890",
        )
    _past_deadline(round_)
    services.close_willingness(actor=c["staff"], round_=round_)
    services.approve_all(actor=c["staff"], round_=round_)
    services.record_payment(
        actor=c["staff"],
        disbursement=Disbursement.objects.get(enterprise=c["grows"]),
        paid_on=timezone.localdate(),
        voucher_no="JJ-001",
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_dashboard_money_matches_the_ledger_exactly(db: Any) -> None:
    c = _county()
    _paid_round(c)
    ledger_total = Disbursement.objects.aggregate(s=Sum("amount_yuan"))["s"]
    assert ledger_total == Decimal(700_000)
    staff = _client(c["staff"])

    figures = staff.get("/api/dashboard").json()["policies"]
    assert figures["approved_yuan"] == 700_000 and figures["paid_yuan"] == 200_000
    by_town = {r["township__name"]: r["approved_yuan"] for r in figures["money"]}
    assert by_town == {"陈埭镇": 200_000, "磁灶镇": 500_000}
    (outcome,) = figures["rounds"]
    assert (outcome["qualifying"], outcome["accepted"], outcome["paid"]) == (2, 2, 1)
    assert [s["id"] for s in figures["tiers"]["steps"]] == ["tech_sme", "high_tech", "specialised", "leader"]

    page = staff.get(reverse("dashboard:home")).content.decode()
    assert "惠企政策兑现" in page and "70万元" in page

    book = load_workbook(io.BytesIO(staff.get(reverse("dashboard:home"), {"export": "xlsx"}).content))
    # 核心指标 (the seed's headline figures) leads the county export (tests/dashboard/test_headlines.py)
    assert book.sheetnames == ["核心指标", "科技创新数据", "政策资金", "免申即享", "梯度培育"]
    money = list(book["政策资金"].iter_rows(min_row=2, values_only=True))
    assert sum(r[4] for r in money) == 700_000 and sum(r[5] for r in money) == 200_000

    ledger = load_workbook(io.BytesIO(staff.get(reverse("policies:ledger"), {"format": "xlsx"}).content))
    summary = list(ledger["汇总"].iter_rows(min_row=2, values_only=True))
    assert sorted(summary) == sorted(money)  # the ledger's summary and the dashboard's sheet are one table


def test_township_officer_dashboard_shows_his_township_money_only(db: Any) -> None:
    c = _county()
    _paid_round(c)
    officer = f.user("officer", "township_officer", township=c["grows"].township)
    figures = _client(officer).get("/api/dashboard", {"township": c["big"].township_id}).json()["policies"]
    assert figures["approved_yuan"] == 200_000
    assert {r["township__name"] for r in figures["money"]} == {"陈埭镇"}


def test_dashboard_pipeline_is_cached_until_the_registry_changes(
    db: Any, django_assert_max_num_queries: Any
) -> None:
    from kechuang.accounts.selectors import principal_for
    from kechuang.policies.selectors import cached_tier_overview

    c = _county()
    principal = principal_for(c["staff"])
    before = cached_tier_overview(principal)
    with django_assert_max_num_queries(4):  # the stamp only: nothing re-evaluated
        assert cached_tier_overview(principal) == before
    f.qualification(c["grows"], "high_tech")
    after = cached_tier_overview(principal)
    assert after[1][1].holding == before[1][1].holding + 1  # the new 高企 is counted at once
