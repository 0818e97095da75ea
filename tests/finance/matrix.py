"""Permission cases for the finance app's routes (collected by tests/test_permission_matrix.py).

The world's investor becomes a bank with its own product, fund and a loan; "own" requests and loans are
the signed-in enterprise's (the own request is routed to the investor), "other" ones another enterprise's
at another bank, so the enterprise and the investor get 404 for them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse

from tests.matrix_support import BUREAU, Case, expect, u

PARTIES = BUREAU | {"enterprise", "investor"}


def _pk(name: str) -> Any:
    return lambda w: getattr(w, name).pk


CASES: list[Case] = [
    Case("finance:fund_list", u("finance:fund_list"), expect(BUREAU | {"investor"})),
    Case("finance:fund_detail", u("finance:fund_detail", _pk("fin_own_fund")), expect(BUREAU | {"investor"})),
    Case(
        "finance:fund_detail other",
        u("finance:fund_detail", _pk("fin_other_fund")),
        expect(BUREAU, scoped_out={"investor"}),
    ),
    Case("finance:fund_create", u("finance:fund_create"), expect(BUREAU)),
    Case("finance:investment_create", u("finance:investment_create", _pk("fin_own_fund")), expect(BUREAU)),
    Case("finance:product_list", u("finance:product_list"), expect(PARTIES)),
    Case("finance:product_detail", u("finance:product_detail", _pk("fin_own_product")), expect(PARTIES)),
    Case(
        "finance:product_detail other",
        u("finance:product_detail", _pk("fin_other_product")),
        expect(BUREAU | {"enterprise"}, scoped_out={"investor"}),
    ),
    Case("finance:product_create", u("finance:product_create"), expect(BUREAU)),
    Case("finance:request_list", u("finance:request_list"), expect(PARTIES)),
    Case("finance:request_create", u("finance:request_create"), expect({"enterprise"})),
    Case("finance:request_detail", u("finance:request_detail", _pk("fin_own_request")), expect(PARTIES)),
    Case(
        "finance:request_detail other",
        u("finance:request_detail", _pk("fin_other_request")),
        expect(BUREAU, scoped_out={"enterprise", "investor"}),
    ),
    Case(
        "finance:request_route",
        u("finance:request_route", _pk("fin_other_request")),
        expect(BUREAU, ok=302),
        method="post",
        data={},  # filled in setup: the other bank
    ),
    Case("finance:loan_grant", u("finance:loan_grant", _pk("fin_own_request")), expect(BUREAU)),
    Case("finance:loan_list", u("finance:loan_list"), expect(PARTIES)),
    Case(
        "finance:loan_list export", lambda w: reverse("finance:loan_list") + "?export=xlsx", expect(PARTIES)
    ),
    Case("finance:loan_detail", u("finance:loan_detail", _pk("fin_own_loan")), expect(PARTIES)),
    Case(
        "finance:loan_detail other",
        u("finance:loan_detail", _pk("fin_other_loan")),
        expect(BUREAU, scoped_out={"enterprise", "investor"}),
    ),
    Case("finance:loan_default", u("finance:loan_default", _pk("fin_own_loan")), expect(BUREAU)),
    Case(
        "finance:loan_repay",
        u("finance:loan_repay", _pk("fin_own_loan")),
        expect(BUREAU, ok=302),
        method="post",
        data={"repaid_on": "2026-01-05"},
    ),
    Case("finance:subsidy_create", u("finance:subsidy_create", _pk("fin_own_loan")), expect(BUREAU)),
    Case("finance:pool_list", u("finance:pool_list"), expect(BUREAU)),
    Case("finance:pool_detail", u("finance:pool_detail", _pk("fin_pool")), expect(BUREAU)),
    Case("finance:compensation_create", u("finance:compensation_create", _pk("fin_pool")), expect(BUREAU)),
]


def setup(world: Any) -> None:
    """Add the objects these cases need to the shared matrix world."""
    from kechuang.finance import services
    from kechuang.finance.models import FundTier
    from kechuang.orgs.models import Investor
    from tests import factories as f
    from tests.finance import factories as fx

    Investor.objects.filter(pk=world.investor.pk).update(kind="bank")
    world.investor.refresh_from_db()
    other_bank = fx.bank("泉州银行晋江支行")
    staff = world.users["bureau_staff"]
    world.fin_own_product = fx.product(world.investor, name="测试科技贷")
    world.fin_other_product = fx.product(other_bank, name="测试人才贷", kind="talent")
    world.fin_own_fund = services.save_fund(
        actor=None, investor=world.investor, name="测试合作子基金", tier=FundTier.PARTNER
    )
    world.fin_other_fund = services.save_fund(
        actor=None, investor=f.investor("晋江市产业投资公司"), name="测试母基金", tier=FundTier.PARENT
    )
    world.fin_own_request = fx.request(world.own_enterprise, actor=world.users["enterprise"])
    services.route_financing_request(actor=staff, request=world.fin_own_request, investors=[world.investor])
    world.fin_other_request = fx.request(world.other_enterprise, title="窑炉改造融资")
    world.fin_own_loan = fx.loan(world.fin_own_product, world.own_enterprise)
    world.fin_other_loan = fx.loan(world.fin_other_product, world.other_enterprise)
    world.fin_pool = services.create_pool(
        actor=None, name="测试风险池", size_wan=Decimal("500"), share_pct=Decimal("50")
    )
    services.default_loan(
        actor=None,
        loan=world.fin_other_loan,
        defaulted_on=dt.date(2025, 9, 1),
        default_amount_wan=Decimal("100"),
    )
    for case in CASES:
        if case.name == "finance:request_route":
            case.data = {"investors": str(other_bank.pk)}
