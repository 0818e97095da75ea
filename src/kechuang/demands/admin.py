"""Back office for demands: holidays (for working-day deadlines), campaigns, and read-mostly demand data.

Demand status is not editable here: it moves only through the platform's steps so the timeline stays true.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kechuang.demands import models


@admin.register(models.Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "is_workday"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


@admin.register(models.Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["title", "opens_on", "deadline", "target_per_township"]
    filter_horizontal = ["chains", "townships"]


class EventInline(admin.TabularInline):
    model = models.DemandEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "action", "from_status", "to_status", "comment"]

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(models.Demand)
class DemandAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "title", "enterprise", "township", "status", "confidentiality", "submitted_at"]
    list_filter = ["status", "demand_type", "confidentiality", "township"]
    search_fields = ["title", "enterprise__organization__name"]
    readonly_fields = [
        "status",
        "stage_reached",
        "status_changed_at",
        "submitted_at",
        "version",
        "merged_into",
        "enterprise",
        "filed_by",
    ]
    inlines = [EventInline]


@admin.register(models.TechContract)
class TechContractAdmin(SimpleHistoryAdmin):
    list_display = ["demand", "contract_type", "amount", "counterparty", "signed_on", "registration_no"]


admin.site.register(models.FieldVisit)
admin.site.register(models.LandedProject)
