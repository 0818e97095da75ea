from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kechuang.enclaves.models import Assessment, AssessmentContract, Evidence, IndicatorValue


@admin.register(AssessmentContract)
class AssessmentContractAdmin(SimpleHistoryAdmin):
    list_display = ("title", "enclave", "year", "version", "status", "signed_at")
    list_filter = ("year", "status", "enclave")
    readonly_fields = ("status", "signed_at", "signed_by")


@admin.register(IndicatorValue)
class IndicatorValueAdmin(SimpleHistoryAdmin):
    list_display = ("enclave", "year", "period", "code", "reported", "computed", "verified")
    list_filter = ("year", "period", "enclave")
    search_fields = ("code",)


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "value", "size", "uploaded_by", "created_at")


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ("enclave", "year", "period", "total", "grade", "reward", "contract")
    list_filter = ("year", "period", "grade")
    readonly_fields = ("card",)
