"""Actions, row rules and side navigation of tech finance, declared to kechuang.core.access at start-up.

The bureau sees and manages everything. An enterprise files financing demands and sees its own requests
and loans (another's are 404) and the products on sale; an investor user sees its own institution's funds,
products and loans and the requests routed to it (the demands app's routing).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from kechuang.core.access import BUREAU, Principal, Role, register_actions, register_nav, register_scope

NOTHING = Q(pk__in=[])
NON_BUREAU = [r for r in Role if r not in BUREAU]


def fund_q(principal: Principal) -> Q:
    if principal.role == Role.INVESTOR and principal.organization_id:
        return Q(investor__organization_id=principal.organization_id)
    return NOTHING


def product_q(principal: Principal) -> Q:
    if principal.role == Role.INVESTOR and principal.organization_id:
        return Q(bank__organization_id=principal.organization_id)
    if principal.role == Role.ENTERPRISE:
        return Q(is_active=True)
    return NOTHING


def request_q(principal: Principal) -> Q:
    org = principal.organization_id
    if not org:
        return NOTHING
    if principal.role == Role.ENTERPRISE:
        return Q(enterprise__organization_id=org)
    if principal.role == Role.INVESTOR:
        from kechuang.demands.models import Routing

        routed = Routing.objects.filter(demand=OuterRef("demand_id"), investor__organization_id=org)
        return Q(Exists(routed))
    return NOTHING


def loan_q(principal: Principal) -> Q:
    org = principal.organization_id
    if not org:
        return NOTHING
    if principal.role == Role.ENTERPRISE:
        return Q(enterprise__organization_id=org)
    if principal.role == Role.INVESTOR:
        return Q(product__bank__organization_id=org)
    return NOTHING


INVESTOR = frozenset({Role.INVESTOR})
PARTIES = BUREAU | {Role.ENTERPRISE, Role.INVESTOR}


def register() -> None:
    register_actions(
        {
            "finance.view": BUREAU | INVESTOR,
            "product.view": PARTIES,
            "financing.view": PARTIES,
            "loan.view": PARTIES,
            "financing.file": frozenset({Role.ENTERPRISE}),
            "financing.route": BUREAU,
            "fund.manage": BUREAU,
            "product.manage": BUREAU,
            "loan.manage": BUREAU,
            "subsidy.manage": BUREAU,
            "pool.manage": BUREAU,
        }
    )
    register_scope("finance_fund", {r: fund_q for r in NON_BUREAU}, {"finance.view": "finance_fund"})
    register_scope("finance_product", {r: product_q for r in NON_BUREAU}, {"product.view": "finance_product"})
    register_scope(
        "finance_request", {r: request_q for r in NON_BUREAU}, {"financing.view": "finance_request"}
    )
    register_scope("finance_loan", {r: loan_q for r in NON_BUREAU}, {"loan.view": "finance_loan"})
    register_nav(
        [
            ("finance:fund_list", "基金体系", "◇", "finance.view"),
            ("finance:product_list", "信贷产品", "¤", "product.view"),
            ("finance:request_list", "融资需求", "↗", "financing.view"),
            ("finance:loan_list", "贷款台账", "≣", "loan.view"),
            ("finance:pool_list", "风险补偿", "⛨", "pool.manage"),
        ]
    )
