from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kechuang.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is only ever added to, by the platform itself."""

    list_display = ["at", "category", "summary", "actor_name", "ip"]
    list_filter = ["category"]
    search_fields = ["summary", "actor_name", "ip"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
