"""Back office for events until their pages land: staff can set up a fair, review registrations, and
see meetings and intention orders."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kechuang.events import models


class SlotInline(admin.TabularInline):
    model = models.MeetingSlot
    extra = 0


@admin.register(models.Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "starts_at", "venue", "capacity", "registration_open"]
    list_filter = ["kind"]
    inlines = [SlotInline]


@admin.register(models.Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["organization", "event", "role", "status", "checked_in_at"]
    list_filter = ["event", "role", "status"]
    raw_id_fields = ["organization", "user"]
    filter_horizontal = ["available_slots"]


@admin.register(models.IntentionOrder)
class IntentionOrderAdmin(SimpleHistoryAdmin):
    list_display = [
        "event",
        "supplier",
        "buyer",
        "cooperation",
        "intended_amount",
        "stage",
        "contract_amount",
    ]
    list_filter = ["event", "stage"]
    raw_id_fields = ["supplier", "buyer", "achievement", "demand", "meeting"]


@admin.register(models.InvestorInterest)
class InvestorInterestAdmin(SimpleHistoryAdmin):
    list_display = ["event", "investor", "presenter", "level", "amount", "funding_round", "stage"]
    list_filter = ["event", "stage", "level"]
    raw_id_fields = ["investor", "presenter"]


admin.site.register(models.MeetingRequest)
admin.site.register(models.Meeting)
admin.site.register(models.ScheduleRun)
