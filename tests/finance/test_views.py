"""Finance pages: forms keep typed values on refusal, the eligibility answer shows its reasons, the loop
from a financing demand to a loan and a subsidy works through the pages, and the loan list exports."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from kechuang.finance import services
from kechuang.finance.models import Compensation, FinancingRequest, InterestSubsidy, Loan
from tests.finance import factories as fx

D = Decimal
pytestmark = pytest.mark.django_db


def test_financing_form_keeps_input_on_error_then_files(world: Any, client_for: Any) -> None:
    client = client_for("enterprise")
    data = {
        "title": "研发中心建设融资",
        "description": "太短",
        "amount_wan": "350",
        "use": "rd",
        "collateral": "ip_pledge",
        "channel": "loan",
        "term_months": "36",
    }
    response = client.post(reverse("finance:request_create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "需求描述过短" in html and 'value="研发中心建设融资"' in html and 'value="350"' in html
    assert FinancingRequest.objects.count() == 0
    data["description"] = "建设省级企业技术中心，购置检测设备与研发投入。"
    response = client.post(reverse("finance:request_create"), data)
    assert response.status_code == 302
    req = FinancingRequest.objects.get()
    assert req.enterprise == world.own_enterprise and req.amount_wan == D("350")
    page = client.get(reverse("finance:request_detail", args=[req.pk])).content.decode()
    assert reverse("demands:detail", args=[req.demand_id]) in page and "尚未分派" in page


def test_grant_above_limit_keeps_input_then_loan_and_subsidy(world: Any, client_for: Any) -> None:
    bank = fx.bank()
    product = fx.product(bank, max_amount_wan=D("300"))
    req = fx.request(world.own_enterprise)
    services.route_financing_request(actor=None, request=req, investors=[bank])
    client = client_for("bureau_staff")
    url = reverse("finance:loan_grant", args=[req.pk])
    form = {"product": str(product.pk), "amount_wan": "350", "term_months": "24", "granted_on": "2025-05-06"}
    response = client.post(url, form)
    assert response.status_code == 400
    html = response.content.decode()
    assert "超过产品“科创贷”单户最高额度 300 万元" in html and 'value="350"' in html
    assert Loan.objects.count() == 0
    form["amount_wan"] = "300"
    response = client.post(url, form)
    assert response.status_code == 302
    loan = Loan.objects.get()
    req.demand.refresh_from_db()
    assert req.demand.status == "closed"
    response = client.post(
        reverse("finance:subsidy_create", args=[loan.pk]), {"rate_pct": "1.5", "approved_on": "2025-06-01"}
    )
    assert response.status_code == 302
    assert InterestSubsidy.objects.get(loan=loan).amount_wan == D("9.00")  # 300 × 1.5% × 24/12
    detail = client.get(reverse("finance:loan_detail", args=[loan.pk])).content.decode()
    assert "9万元" in detail


def test_product_page_tells_the_enterprise_why_not(world: Any, client_for: Any) -> None:
    product = fx.product(fx.bank(), eligibility="holds('high_tech') and revenue >= 10000")
    html = client_for("enterprise").get(reverse("finance:product_detail", args=[product.pk])).content.decode()
    assert "我是否符合条件" in html and "不符合" in html and "持有有效资质“高新技术企业”" in html
    listing = client_for("enterprise").get(reverse("finance:product_list")).content.decode()
    assert "我可申请的产品" in listing


def test_compensation_beyond_pool_is_shown_and_nothing_written(world: Any, client_for: Any) -> None:
    import datetime as dt

    product = fx.product(fx.bank())
    loan = fx.loan(product, world.own_enterprise, amount="400")
    services.default_loan(
        actor=None, loan=loan, defaulted_on=dt.date(2025, 9, 1), default_amount_wan=D("400")
    )
    pool = services.create_pool(actor=None, name="小风险池", size_wan=D("100"), share_pct=D("50"))
    response = client_for("bureau_admin").post(
        reverse("finance:compensation_create", args=[pool.pk]),
        {"loan": str(loan.pk), "paid_on": "2025-10-01", "note": "第一笔"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "超过资金池“小风险池”剩余额度 100 万元" in html and 'value="第一笔"' in html
    assert Compensation.objects.count() == 0


def test_loan_list_exports_and_is_scoped(world: Any, client_for: Any) -> None:
    product = fx.product(fx.bank())
    fx.loan(product, world.own_enterprise, amount="120")
    fx.loan(product, world.other_enterprise, amount="80")
    response = client_for("bureau_staff").get(reverse("finance:loan_list") + "?export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    own_page = client_for("enterprise").get(reverse("finance:loan_list")).content.decode()
    assert "晋江市甲鞋业有限公司" in own_page and "晋江市丙陶瓷有限公司" not in own_page
    empty = client_for("investor").get(reverse("finance:loan_list")).content.decode()
    assert "暂无贷款记录" in empty


def test_fund_list_shows_tiers_and_empty_state(world: Any, client_for: Any) -> None:
    client = client_for("bureau_staff")
    assert "暂无基金" in client.get(reverse("finance:fund_list")).content.decode()
    from kechuang.finance.models import FundTier

    services.save_fund(
        actor=None, investor=world.investor, name="晋江科创母基金", tier=FundTier.PARENT, size_wan=D("200000")
    )
    html = client.get(reverse("finance:fund_list")).content.decode()
    assert "晋江科创母基金" in html and "20.00亿元" in html
