"""Back-office views of technology services: read and correct with history; bookings and ledger claims
change only through the services (double bookings and confirmations are checked there)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kechuang.techservices.models import Booking, Equipment, IPCase, IPCaseStep, PilotPlatform, ServiceClaim


class IPCaseStepInline(admin.TabularInline):
    model = IPCaseStep
    extra = 0
    readonly_fields = ("on", "kind", "note", "actor")
    can_delete = False


@admin.register(IPCase)
class IPCaseAdmin(SimpleHistoryAdmin):
    list_display = ("title", "enterprise", "case_type", "status", "intake_on", "closed_on", "outcome")
    list_filter = ("case_type", "status", "outcome")
    search_fields = ("title", "enterprise__organization__name")
    list_select_related = ("enterprise__organization",)
    inlines = [IPCaseStepInline]


@admin.register(PilotPlatform)
class PilotPlatformAdmin(SimpleHistoryAdmin):
    list_display = ("name", "operator", "township", "field")
    search_fields = ("name", "field")


@admin.register(Equipment)
class EquipmentAdmin(SimpleHistoryAdmin):
    list_display = ("name", "platform", "capacity", "fee_yuan_per_hour", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "platform__name")


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ("equipment", "enterprise", "starts_at", "ends_at", "status", "fee_yuan", "used_hours")
    list_filter = ("status",)
    list_select_related = ("equipment__platform", "enterprise__organization")
    search_fields = ("enterprise__organization__name", "equipment__name")


@admin.register(ServiceClaim)
class ServiceClaimAdmin(ReadOnlyAdmin):
    list_display = (
        "provider_name",
        "provider_kind",
        "enterprise",
        "served_on",
        "status",
        "value_claimed_wan",
    )
    list_filter = ("status", "provider_kind", "solved")
    list_select_related = ("enterprise__organization",)
    search_fields = ("provider_name", "enterprise__organization__name")
