from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kechuang.commissioners.models import Assignment, Commissioner, ServiceLink


@admin.register(Commissioner)
class CommissionerAdmin(SimpleHistoryAdmin):
    list_display = ("name", "field", "institution", "max_enterprises", "is_active")
    list_filter = ("field", "is_active")
    search_fields = ("name", "expertise")


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    """Read in the back office; assignments are made through the service, which checks capacity."""

    list_display = ("commissioner", "enterprise", "starts_on", "ends_on", "status")
    list_filter = ("status",)
    list_select_related = ("commissioner", "enterprise__organization")
    search_fields = ("commissioner__name", "enterprise__organization__name")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ServiceLink)
class ServiceLinkAdmin(admin.ModelAdmin):
    list_display = ("commissioner", "assignment", "claim")
    list_select_related = ("commissioner", "assignment__enterprise__organization", "claim")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
