"""Back-office views of finance records; money records are read-only here (the services check the rules)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kechuang.finance.models import (
    Compensation,
    CreditProduct,
    FinancingRequest,
    FundInvestment,
    FundProfile,
    InterestSubsidy,
    Loan,
    RiskPool,
)


class ReadOnlyMoney(SimpleHistoryAdmin):
    """Loans, subsidies and compensations are written through the services, which refuse what breaks a
    limit; the back office reads them and their history."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(FundProfile)
class FundProfileAdmin(SimpleHistoryAdmin):
    list_display = ("fund", "tier", "manager", "established_on", "parent")
    list_filter = ("tier",)
    search_fields = ("fund__name", "manager")


@admin.register(FundInvestment)
class FundInvestmentAdmin(ReadOnlyMoney):
    list_display = ("fund", "enterprise", "amount_wan", "invested_on", "round")
    list_select_related = ("fund", "enterprise__organization")


@admin.register(CreditProduct)
class CreditProductAdmin(SimpleHistoryAdmin):
    list_display = ("name", "bank", "kind", "max_amount_wan", "rate_pct", "max_term_months", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "bank__organization__name")


@admin.register(FinancingRequest)
class FinancingRequestAdmin(ReadOnlyMoney):
    list_display = ("demand", "enterprise", "amount_wan", "use", "collateral", "channel")
    list_select_related = ("demand", "enterprise__organization")


@admin.register(Loan)
class LoanAdmin(ReadOnlyMoney):
    list_display = ("enterprise", "product", "amount_wan", "rate_pct", "term_months", "granted_on", "status")
    list_filter = ("status", "product__kind")
    list_select_related = ("enterprise__organization", "product__bank__organization")


@admin.register(InterestSubsidy)
class InterestSubsidyAdmin(ReadOnlyMoney):
    list_display = ("loan", "rate_pct", "months", "cap_wan", "amount_wan", "approved_on", "status")


@admin.register(RiskPool)
class RiskPoolAdmin(ReadOnlyMoney):
    list_display = ("name", "size_wan", "share_pct", "established_on")


@admin.register(Compensation)
class CompensationAdmin(ReadOnlyMoney):
    list_display = ("pool", "loan", "amount_wan", "paid_on")
