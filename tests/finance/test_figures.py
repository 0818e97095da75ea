"""The dashboard's finance figures, exact on a small set, overall and for one year, in bounded queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kechuang.finance import selectors, services
from kechuang.finance.models import FundTier
from tests import factories as f
from tests.finance import factories as fx

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_world(world: Any) -> Any:
    bank = fx.bank()
    tech = fx.product(bank, name="科技贷", kind="tech")
    ip = fx.product(bank, name="知识产权质押贷", kind="ip")
    l1 = fx.loan(tech, world.own_enterprise, amount="200", granted_on=dt.date(2025, 2, 1))
    l2 = fx.loan(ip, world.other_enterprise, amount="300", granted_on=dt.date(2025, 3, 1))
    fx.loan(tech, world.same_town_enterprise, amount="100", granted_on=dt.date(2024, 6, 1))
    services.default_loan(actor=None, loan=l2, defaulted_on=dt.date(2025, 9, 1), default_amount_wan=D("150"))
    pool = services.create_pool(actor=None, name="风险池", size_wan=D("1000"), share_pct=D("50"))
    services.compensate(actor=None, pool=pool, loan=l2, paid_on=dt.date(2025, 11, 1))
    services.approve_subsidy(actor=None, loan=l1, rate_pct=D("1.5"), approved_on=dt.date(2025, 2, 10))

    manager = f.investor("晋江市产业发展投资有限公司")
    parent = services.save_fund(
        actor=None, investor=manager, name="晋江市科创母基金", tier=FundTier.PARENT, size_wan=D("100000")
    )
    for name in ("晋江市集成电路引导基金", "晋江市鞋服产业引导基金"):
        services.save_fund(
            actor=None,
            investor=manager,
            name=name,
            tier=FundTier.GUIDANCE,
            size_wan=D("50000"),
            parent=parent,
        )
    partner = services.save_fund(
        actor=None, investor=world.investor, name="测试合作子基金", tier=FundTier.PARTNER, size_wan=D("20000")
    )
    services.record_fund_investment(
        actor=None,
        fund=partner,
        enterprise=world.own_enterprise,
        amount_wan=D("500"),
        invested_on=dt.date(2025, 5, 1),
    )
    linked = fx.invested_interest(world, amount="800")
    services.record_investment_from_interest(
        actor=None, interest=linked, fund=partner, invested_on=dt.date(2025, 7, 1)
    )
    fourth = f.enterprise("晋江市丁科技有限公司")
    fx.invested_interest(world, amount="250", presenter=fourth.organization)
    return world


def test_figures_overall(finance_world: Any, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(12):
        figures = selectors.finance_figures()
    assert figures["loans_count"] == 3
    assert figures["loans_amount_wan"] == D("600")
    assert figures["fund_investment_amount_wan"] == D("1300")
    assert figures["roadshow_investment_amount_wan"] == D("1050")
    assert figures["subsidy_amount_wan"] == D("3.00")  # 200 × 1.5% × 12/12
    assert figures["defaulted_amount_wan"] == D("150")
    assert figures["compensation_amount_wan"] == D("75")
    assert figures["pool_remaining_wan"] == D("925")
    assert figures["enterprises_financed"] == 4
    channels = {c["channel"]: c["amount_wan"] for c in figures["raised_by_channel"]}
    # the 800 roadshow investment recorded by the fund counts once, under funds
    assert channels == {
        "tech": D("300"),
        "ip": D("300"),
        "talent": D("0"),
        "other": D("0"),
        "fund": D("1300"),
        "roadshow": D("250"),
    }
    assert {c["channel"]: c["label"] for c in figures["raised_by_channel"]}["ip"] == "知识产权质押贷"
    tiers = {t["tier"]: (t["label"], t["count"], t["size_wan"]) for t in figures["funds_by_tier"]}
    assert tiers == {
        "parent": ("母基金", 1, D("100000")),
        "guidance": ("政府引导基金", 2, D("100000")),
        "partner": ("合作子基金", 1, D("20000")),
    }


def test_figures_for_one_year(finance_world: Any) -> None:
    figures = selectors.finance_figures(year=2025)
    assert figures["loans_count"] == 2
    assert figures["loans_amount_wan"] == D("500")
    assert figures["fund_investment_amount_wan"] == D("1300")
    assert figures["roadshow_investment_amount_wan"] == D("0")  # the roadshows are this year's
    assert figures["subsidy_amount_wan"] == D("3.00")
    assert figures["defaulted_amount_wan"] == D("150")
    assert figures["compensation_amount_wan"] == D("75")
    assert figures["enterprises_financed"] == 2
    empty = selectors.finance_figures(year=2019)
    assert (
        empty["loans_count"] == 0
        and empty["loans_amount_wan"] == D("0")
        and empty["enterprises_financed"] == 0
    )
