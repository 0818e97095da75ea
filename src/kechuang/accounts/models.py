"""A user's role and the scope it is bound to (a township, an enterprise, an enclave, an expert)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from kechuang.core.access import Role
from kechuang.core.models import TimeStampedModel


class Profile(TimeStampedModel):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField("角色", max_length=20, choices=[c for c in Role.choices if c[0] != Role.PUBLIC])
    display_name = models.CharField("显示名称", max_length=60, blank=True)
    phone = models.CharField("手机", max_length=20, blank=True)
    township = models.ForeignKey(
        "orgs.Township",
        verbose_name="负责镇街",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enclave = models.ForeignKey(
        "orgs.Enclave",
        verbose_name="运营飞地",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expert = models.ForeignKey(
        "orgs.Expert",
        verbose_name="专家档案",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "用户角色"

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"
