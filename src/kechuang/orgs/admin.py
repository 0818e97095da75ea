"""Back office for bureau staff; history shown through SimpleHistoryAdmin; deletes are soft."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from kechuang.orgs import models


class SoftDeleteAdmin(SimpleHistoryAdmin):
    """Admin 'delete' hides the row (soft delete); a filter shows deleted rows for restoring."""

    actions = ["soft_delete", "restore"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.model.all_objects.all()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="删除所选（软删除，可恢复）")
    def soft_delete(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            obj.deleted_at = timezone.now()
            obj.save()

    @admin.action(description="恢复所选")
    def restore(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            obj.deleted_at = None
            obj.save()


class DeletedFilter(admin.SimpleListFilter):
    title = "状态"
    parameter_name = "deleted"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "在册"), ("yes", "已删除")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


@admin.register(models.Township)
class TownshipAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "code", "sort_order"]


@admin.register(models.IndustryChainTag)
class IndustryChainTagAdmin(SimpleHistoryAdmin):
    list_display = ["name", "description", "sort_order"]


class QualificationInline(admin.TabularInline):
    model = models.Qualification
    extra = 0


@admin.register(models.Organization)
class OrganizationAdmin(SoftDeleteAdmin):
    list_display = ["name", "kind", "credit_code", "township", "deleted_at"]
    list_filter = ["kind", "township", DeletedFilter]
    search_fields = ["name", "credit_code"]
    inlines = [QualificationInline]


class FigureInline(admin.TabularInline):
    model = models.EnterpriseYearFigure
    extra = 0


@admin.register(models.Enterprise)
class EnterpriseAdmin(SoftDeleteAdmin):
    list_display = ["organization", "township", "industry_code", "is_above_scale", "employees"]
    list_filter = ["is_above_scale", "township", DeletedFilter]
    search_fields = ["organization__name", "organization__credit_code"]
    raw_id_fields = ["organization"]
    inlines = [FigureInline]


@admin.register(models.Institution)
class InstitutionAdmin(SoftDeleteAdmin):
    list_display = ["organization", "category", "level", "city", "in_county"]
    list_filter = ["category", "level", DeletedFilter]
    raw_id_fields = ["organization"]


@admin.register(models.Expert)
class ExpertAdmin(SoftDeleteAdmin):
    list_display = ["name", "institution", "title", "is_tech_commissioner"]
    search_fields = ["name", "fields"]
    list_filter = [DeletedFilter]


class FundInline(admin.TabularInline):
    model = models.Fund
    extra = 0


@admin.register(models.Investor)
class InvestorAdmin(SoftDeleteAdmin):
    list_display = ["organization", "kind", "focus_industries"]
    inlines = [FundInline]
    raw_id_fields = ["organization"]


@admin.register(models.Enclave)
class EnclaveAdmin(SoftDeleteAdmin):
    list_display = ["name", "city", "operator", "model", "opened_on"]


@admin.register(models.ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "filename",
        "kind",
        "status",
        "total_rows",
        "created_count",
        "updated_count",
        "error_count",
        "uploaded_by",
        "created_at",
    ]
    readonly_fields = [f.name for f in models.ImportBatch._meta.fields]
