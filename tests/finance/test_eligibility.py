"""Product eligibility through the policy rule engine: met, not met with the gap, unknown with what is
missing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kechuang.finance import selectors
from kechuang.finance.eligibility import EligibilityError, compile_eligibility
from tests.finance import factories as fx

pytestmark = pytest.mark.django_db


def test_eligible_and_not_with_reasons(world: Any) -> None:
    bank = fx.bank()
    product = fx.product(bank, eligibility="holds('high_tech') and revenue >= 12500")
    other = selectors.eligibility_of(product, world.other_enterprise)  # 高企, 2024 revenue 12000
    assert other.result == "not_met"
    assert [c.result for c in other.checks] == ["met", "not_met"]
    assert other.reasons == ["营业收入（销售收入） 12,000万元，差 500 万元"]
    own = selectors.eligibility_of(product, world.own_enterprise)
    assert own.result == "not_met"
    assert own.checks[0].text == "持有有效资质“高新技术企业”" and own.checks[0].result == "not_met"

    easy = fx.product(bank, name="高企贷", eligibility="holds('high_tech') and revenue >= 10000")
    verdict = selectors.eligibility_of(easy, world.other_enterprise)
    assert verdict.eligible and verdict.reasons == []


def test_unknown_names_the_missing_datum(world: Any) -> None:
    product = fx.product(fx.bank(), eligibility="year_ago(revenue, 3) >= 1000")
    verdict = selectors.eligibility_of(product, world.own_enterprise)
    assert verdict.result == "unknown"
    assert "缺少：2021年营业收入（销售收入）" in verdict.reasons[0]


def test_eligible_products_lists_eligible_first(world: Any) -> None:
    bank = fx.bank()
    hard = fx.product(bank, name="高企贷", eligibility="holds('high_tech')", max_amount_wan=Decimal("1000"))
    open_ = fx.product(bank, name="普惠贷", eligibility="")
    fx.product(bank, name="停售贷", eligibility="", is_active=False)
    rows = selectors.eligible_products(world.own_enterprise)
    assert [(r.product.name, r.verdict.result) for r in rows] == [("普惠贷", "met"), ("高企贷", "not_met")]
    assert [r.product for r in selectors.eligible_products(world.other_enterprise, only_eligible=True)] == [
        hard,
        open_,
    ]


def test_bad_expression_is_refused_in_chinese() -> None:
    with pytest.raises(EligibilityError, match="未知的函数"):
        compile_eligibility("profit_of(1) > 2")
    assert compile_eligibility("  ") is None
