"""Finance writes: limits refused with nothing written, subsidy arithmetic, pool balance under lock, and a
financing demand that is a Demand routed to an investor and closed by its loan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kechuang.demands.choices import DemandType, Status, TargetKind
from kechuang.demands.models import Demand, Routing
from kechuang.finance import services
from kechuang.finance.models import (
    Compensation,
    FinancingRequest,
    FundInvestment,
    FundTier,
    InterestSubsidy,
    Loan,
    LoanStatus,
)
from kechuang.notifications.models import Notification
from tests.finance import factories as fx

D = Decimal
pytestmark = pytest.mark.django_db


def test_loan_above_product_limit_is_refused_and_nothing_written(world: Any) -> None:
    product = fx.product(fx.bank(), max_amount_wan=D("500"), max_term_months=36)
    with pytest.raises(ValidationError) as exc:
        fx.loan(product, world.own_enterprise, amount="500.01")
    assert "超过产品“科创贷”单户最高额度 500 万元" in exc.value.message_dict["amount_wan"][0]
    with pytest.raises(ValidationError) as exc:
        fx.loan(product, world.own_enterprise, amount="100", term_months=37)
    assert "最长期限 36 个月" in exc.value.message_dict["term_months"][0]
    assert Loan.objects.count() == 0
    assert Loan.history.count() == 0
    loan = fx.loan(product, world.own_enterprise, amount="500")
    assert loan.rate_pct == D("3.80") and loan.status == LoanStatus.ACTIVE
    assert loan.history.count() == 1


def test_product_must_be_a_banks_and_its_condition_must_compile(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        fx.product(world.investor)
    assert "不是银行" in exc.value.message_dict["bank"][0]
    with pytest.raises(ValidationError) as exc:
        fx.product(fx.bank(), eligibility="revenue >= ")
    assert "准入条件" in exc.value.message_dict["eligibility"][0]
    with pytest.raises(ValidationError) as exc:
        fx.product(fx.bank("泉州银行晋江支行"), eligibility="profit >= 1")
    assert "未知的变量“profit”" in exc.value.message_dict["eligibility"][0]


def test_financing_demand_is_a_demand_routed_to_an_investor_and_closed_by_the_loan(world: Any) -> None:
    bank = fx.bank()
    staff = world.users["bureau_staff"]
    req = fx.request(world.own_enterprise, actor=world.users["enterprise"])
    demand = Demand.objects.get(pk=req.demand_id)
    assert demand.demand_type == DemandType.FINANCING
    assert demand.status == Status.SUBMITTED and demand.enterprise == world.own_enterprise
    assert req.amount_wan == D("300") and req.enterprise == world.own_enterprise

    routings = services.route_financing_request(actor=staff, request=req, investors=[bank, world.investor])
    assert {(r.target_kind, r.investor_id) for r in routings} == {
        (TargetKind.INVESTOR, bank.pk),
        (TargetKind.INVESTOR, world.investor.pk),
    }
    demand.refresh_from_db()
    assert demand.status == Status.ROUTED
    assert Routing.objects.get(demand=demand, investor=world.investor).ack_due is not None
    # the investor's user is told, as for any routed demand
    assert Notification.objects.filter(
        recipient=world.users["investor"], url__contains=str(demand.pk)
    ).exists()

    product = fx.product(bank)
    before = Notification.objects.filter(recipient=world.users["enterprise"]).count()
    loan = services.grant_loan(
        actor=staff,
        product=product,
        amount_wan=D("300"),
        term_months=24,
        granted_on=dt.date(2025, 5, 6),
        financing_request=req,
    )
    assert loan.enterprise == world.own_enterprise and loan.financing_request == req
    demand.refresh_from_db()
    assert demand.status == Status.CLOSED
    assert "融资到位" in demand.close_note and "300 万元" in demand.close_note
    assert Notification.objects.filter(recipient=world.users["enterprise"]).count() > before


def test_financing_demand_refused_writes_nothing(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        fx.request(world.own_enterprise, amount_wan=D("0"), use="bogus", description="短")
    errors = exc.value.message_dict
    assert set(errors) >= {"amount_wan", "use", "description"}
    assert Demand.objects.filter(demand_type=DemandType.FINANCING).count() == 0
    assert FinancingRequest.objects.count() == 0


def test_loan_for_another_enterprise_than_the_request_is_refused(world: Any) -> None:
    req = fx.request(world.own_enterprise)
    with pytest.raises(ValidationError):
        fx.loan(fx.product(fx.bank()), world.other_enterprise, financing_request=req)
    assert Loan.objects.count() == 0


def test_subsidy_amount_is_principal_times_rate_times_months_capped() -> None:
    assert services.subsidy_amount(principal_wan=D("300"), rate_pct=D("1.5"), months=12) == D("4.50")
    assert services.subsidy_amount(principal_wan=D("200"), rate_pct=D("2"), months=18) == D("6.00")
    assert services.subsidy_amount(principal_wan=D("100"), rate_pct=D("1.333"), months=7) == D("0.78")
    assert services.subsidy_amount(principal_wan=D("1000"), rate_pct=D("2"), months=24, cap_wan=D("30")) == D(
        "30"
    )


def test_subsidy_rules(world: Any) -> None:
    product = fx.product(fx.bank(), rate_pct=D("3.5"))
    loan = fx.loan(product, world.own_enterprise, amount="400", term_months=12)
    with pytest.raises(ValidationError) as exc:
        services.approve_subsidy(actor=None, loan=loan, rate_pct=D("3.6"), approved_on=dt.date(2025, 4, 1))
    assert "不能高于贷款年利率 3.5%" in exc.value.message_dict["rate_pct"][0]
    with pytest.raises(ValidationError):
        services.approve_subsidy(
            actor=None, loan=loan, rate_pct=D("1"), months=13, approved_on=dt.date(2025, 4, 1)
        )
    assert InterestSubsidy.objects.count() == 0
    subsidy = services.approve_subsidy(
        actor=None, loan=loan, rate_pct=D("1.5"), cap_wan=D("5"), approved_on=dt.date(2025, 4, 1)
    )
    assert subsidy.amount_wan == D("5.00")  # 400 × 1.5% × 12/12 = 6, capped at 5
    assert subsidy.months == 12 and subsidy.history.count() == 1
    with pytest.raises(ValidationError):
        services.approve_subsidy(actor=None, loan=loan, rate_pct=D("1"), approved_on=dt.date(2025, 4, 1))


def test_default_rules(world: Any) -> None:
    loan = fx.loan(fx.product(fx.bank()), world.own_enterprise, amount="200")
    with pytest.raises(ValidationError) as exc:
        services.default_loan(
            actor=None, loan=loan, defaulted_on=dt.date(2025, 9, 1), default_amount_wan=D("201")
        )
    assert "超过贷款金额 200 万元" in exc.value.message_dict["default_amount_wan"][0]
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE and loan.history.count() == 1
    services.default_loan(
        actor=None, loan=loan, defaulted_on=dt.date(2025, 9, 1), default_amount_wan=D("150")
    )
    loan.refresh_from_db()
    assert loan.status == LoanStatus.DEFAULTED and loan.history.count() == 2


def _defaulted(product: Any, enterprise: Any, amount: str, unpaid: str) -> Loan:
    loan = fx.loan(product, enterprise, amount=amount)
    return services.default_loan(
        actor=None, loan=loan, defaulted_on=dt.date(2025, 10, 1), default_amount_wan=D(unpaid)
    )


def test_compensation_is_a_share_of_the_default_and_refused_beyond_the_pool(world: Any) -> None:
    bank = fx.bank()
    product = fx.product(bank)
    pool = services.create_pool(
        actor=None, name="晋江科技贷风险池", size_wan=D("100"), share_pct=D("50"), banks=[bank]
    )
    first = _defaulted(product, world.own_enterprise, "200", "120")
    second = _defaulted(product, world.other_enterprise, "200", "90")
    active = fx.loan(product, world.same_town_enterprise)
    with pytest.raises(ValidationError, match="只有已登记违约"):
        services.compensate(actor=None, pool=pool, loan=active, paid_on=dt.date(2025, 11, 1))

    paid = services.compensate(actor=None, pool=pool, loan=first, paid_on=dt.date(2025, 11, 1))
    assert paid.amount_wan == D("60.00")  # 120 × 50%
    # the second asks 45 while 40 is left: refused, with both figures, nothing written
    with pytest.raises(ValidationError) as exc:
        services.compensate(actor=None, pool=pool, loan=second, paid_on=dt.date(2025, 11, 2))
    assert "补偿金额 45 万元" in exc.value.messages[0] and "剩余额度 40 万元" in exc.value.messages[0]
    assert Compensation.objects.count() == 1 and Compensation.history.count() == 1
    assert services.pool_used(pool) == D("60")
    with pytest.raises(ValidationError, match="不能重复补偿"):
        services.compensate(actor=None, pool=pool, loan=first, paid_on=dt.date(2025, 11, 3))


def test_two_compensations_racing_are_decided_in_turn_against_the_locked_pool(world: Any) -> None:
    """Both fit the pool as it was read before either was paid; under the pool lock the second sees the
    first one's payment and is refused (the sequential form of the race)."""
    bank = fx.bank()
    product = fx.product(bank)
    pool = services.create_pool(actor=None, name="风险池", size_wan=D("80"), share_pct=D("100"))
    a = _defaulted(product, world.own_enterprise, "100", "50")
    b = _defaulted(product, world.other_enterprise, "100", "50")
    stale_remaining = pool.size_wan - services.pool_used(pool)
    assert services.compensation_for(pool, a) <= stale_remaining
    assert services.compensation_for(pool, b) <= stale_remaining
    services.compensate(actor=None, pool=pool, loan=a, paid_on=dt.date(2025, 11, 1))
    with pytest.raises(ValidationError, match="剩余额度 30 万元"):
        services.compensate(actor=None, pool=pool, loan=b, paid_on=dt.date(2025, 11, 1))
    assert list(Compensation.objects.values_list("loan_id", flat=True)) == [a.pk]


def test_pool_of_named_banks_refuses_another_banks_loan(world: Any) -> None:
    partner, outsider = fx.bank(), fx.bank("泉州银行晋江支行")
    pool = services.create_pool(
        actor=None, name="风险池", size_wan=D("80"), share_pct=D("50"), banks=[partner]
    )
    loan = _defaulted(fx.product(outsider), world.own_enterprise, "100", "50")
    with pytest.raises(ValidationError, match="不是资金池“风险池”的合作银行"):
        services.compensate(actor=None, pool=pool, loan=loan, paid_on=dt.date(2025, 11, 1))
    assert Compensation.objects.count() == 0


def test_roadshow_interest_at_invested_becomes_a_linked_fund_investment(world: Any) -> None:
    from tests.finance.factories import invested_interest

    interest = invested_interest(world, amount="800")
    fund = services.save_fund(actor=None, investor=world.investor, name="测试子基金", tier=FundTier.PARTNER)
    investment = services.record_investment_from_interest(
        actor=None, interest=interest, fund=fund, invested_on=dt.date(2025, 6, 1)
    )
    assert investment.enterprise == world.own_enterprise and investment.amount_wan == D("800")
    assert investment.interest == interest
    with pytest.raises(ValidationError, match="不能重复登记"):
        services.record_investment_from_interest(
            actor=None, interest=interest, fund=fund, invested_on=dt.date(2025, 6, 1)
        )
    assert FundInvestment.objects.count() == 1
    other_fund = services.save_fund(actor=None, investor=fx.bank(), name="银行系基金", tier=FundTier.PARTNER)
    with pytest.raises(ValidationError):
        services.record_investment_from_interest(
            actor=None, interest=interest, fund=other_fund, invested_on=dt.date(2025, 6, 1)
        )
