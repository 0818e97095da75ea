"""Abstract bases shared by the registry: timestamps and soft deletion (registry rows are never lost)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class AliveManager(models.Manager):
    """Default manager that hides soft-deleted rows."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class SoftDeleteModel(TimeStampedModel):
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True, editable=False)
    is_demo = models.BooleanField("演示数据", default=False, editable=False)

    objects = AliveManager()
    all_objects = models.Manager()  # noqa: DJ012 - managers stay together

    class Meta:
        abstract = True
        base_manager_name = "all_objects"
