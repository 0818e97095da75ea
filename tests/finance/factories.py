"""Finance objects for tests, built through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kechuang.finance import services
from kechuang.finance.models import CreditProduct, FinancingRequest, Loan
from kechuang.orgs.choices import InvestorKind, OrgKind
from kechuang.orgs.models import Enterprise, Investor, Organization

D = Decimal


def bank(name: str = "晋江农商银行") -> Investor:
    org = Organization.objects.create(kind=OrgKind.INVESTOR, name=name)
    return Investor.objects.create(organization=org, kind=InvestorKind.BANK)


def product(bank_: Investor, **kw: Any) -> CreditProduct:
    values: dict[str, Any] = {
        "bank": bank_,
        "name": "科创贷",
        "kind": "tech",
        "max_amount_wan": D("500"),
        "rate_pct": D("3.80"),
        "max_term_months": 36,
        "eligibility": "",
    }
    values.update(kw)
    return services.save_product(actor=None, **values)


def request(enterprise: Enterprise, actor: Any = None, **kw: Any) -> FinancingRequest:
    values: dict[str, Any] = {
        "title": "新建鞋材生产线融资",
        "description": "购置两条自动化鞋底生产线，需要设备贷款支持。",
        "amount_wan": D("300"),
        "use": "equipment",
        "collateral": "equipment",
        "term_months": 24,
    }
    values.update(kw)
    return services.file_financing_demand(actor=actor, enterprise=enterprise, **values)


def loan(product_: CreditProduct, enterprise: Enterprise, amount: str = "200", **kw: Any) -> Loan:
    return services.grant_loan(
        actor=None,
        product=product_,
        enterprise=enterprise,
        amount_wan=D(amount),
        term_months=kw.pop("term_months", 12),
        granted_on=kw.pop("granted_on", dt.date(2025, 3, 1)),
        **kw,
    )


def invested_interest(world: Any, amount: str = "800", presenter: Organization | None = None) -> Any:
    """A roadshow where the world's investor invested in the own enterprise (stage 已投资)."""
    from django.utils import timezone

    from kechuang.events import services as events
    from kechuang.events.models import InvestorInterest

    start = timezone.now() - dt.timedelta(days=40)
    roadshow = events.create_event(
        title="科技项目投融资路演", kind="roadshow", starts_at=start, ends_at=start + dt.timedelta(hours=3)
    )

    def approved(org: Any, role: str) -> Any:
        reg = events.register(event=roadshow, organization=org, role=role, user=None, contact_name="联系人")
        return events.review_registration(registration=reg, approve=True)

    interest = events.record_investor_interest(
        investor=approved(world.investor.organization, "investor"),
        presenter=approved(presenter or world.own_enterprise.organization, "enterprise"),
        level="strong",
    )
    return events.advance_investor_interest(
        interest=interest, stage=InvestorInterest.Stage.INVESTED, invested_amount=D(amount), funding_round="a"
    )
