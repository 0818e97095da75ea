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


class AuditEvent(models.Model):
    """One line of the audit log: a sign-in, an export or download, a permission change, a money decision.

    History (django-simple-history) keeps what a record looked like; this keeps who *did* what, including
    reads that leave no record behind (exports, downloads) and sign-ins. Rows are only ever added.
    """

    class Category(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出"
        EXPORT = "export", "导出"
        DOWNLOAD = "download", "下载附件"
        PERMISSION = "permission", "权限变更"
        MONEY = "money", "资金决定"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        "auth.User", verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept apart from the foreign key so the line still names the person after the account is deleted.
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    category = models.CharField("类别", max_length=20, choices=Category.choices, db_index=True)
    action = models.CharField("动作", max_length=60)
    summary = models.CharField("内容", max_length=300)
    target_kind = models.CharField("对象类型", max_length=60, blank=True)
    target_id = models.CharField("对象编号", max_length=40, blank=True)
    path = models.CharField("请求地址", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '系统'} {self.summary}"
