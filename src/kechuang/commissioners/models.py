"""科技特派员 (science and technology commissioners): the registry, their assignments to enterprises, and
the link from each assignment to the service records they report.

A service record is not kept here: it is a row of the platform's service ledger
(``techservices.ServiceClaim`` with provider_kind "commissioner"), which the served enterprise confirms or
disputes. ``ServiceLink`` ties that row to the commissioner and the assignment, so the figures per
commissioner, enterprise and township are read from confirmed ledger rows only, never typed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from kechuang.core.models import TimeStampedModel
from kechuang.core.validators import validate_phone
from kechuang.orgs.models import Enterprise, Expert, Institution
from kechuang.techservices.models import ServiceClaim

USER = settings.AUTH_USER_MODEL


class ServiceField(models.TextChoices):
    """The sectors commissioners serve (the county's industry chains, as the bureau groups them)."""

    SHOES = "shoes", "鞋服"
    TEXTILE = "textile", "纺织化纤"
    CERAMICS = "ceramics", "建材陶瓷"
    FOOD = "food", "食品饮料"
    EQUIPMENT = "equipment", "智能装备"
    IC = "ic", "集成电路"
    MATERIALS = "materials", "新材料"
    DIGITAL = "digital", "数字经济"
    HEALTH = "health", "医疗健康"
    ENERGY = "energy", "新能源"
    OTHER = "other", "其他"


class Commissioner(TimeStampedModel):
    """A commissioner: most are registered experts (their achievements and papers are the profile)."""

    expert = models.OneToOneField(
        Expert,
        verbose_name="专家档案",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commissioner",
    )
    name = models.CharField("姓名", max_length=40, db_index=True)
    field = models.CharField("服务领域", max_length=16, choices=ServiceField.choices, db_index=True)
    expertise = models.TextField("专长与服务方向", max_length=2000, blank=True)
    institution = models.ForeignKey(
        Institution,
        verbose_name="派出单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commissioners",
    )
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])
    max_enterprises = models.PositiveSmallIntegerField(
        "同时服务企业上限",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="同一时段最多可承担的有效派驻数",
    )
    available_from = models.DateField("可服务起始日期", null=True, blank=True)
    available_until = models.DateField("可服务截止日期", null=True, blank=True)
    is_active = models.BooleanField("在册", default=True, db_index=True)
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = verbose_name_plural = "科技特派员"
        constraints = [
            models.CheckConstraint(
                condition=Q(available_until__isnull=True)
                | Q(available_from__isnull=True)
                | Q(available_until__gte=F("available_from")),
                name="commissioner_available_period",
            ),
            models.CheckConstraint(
                condition=Q(max_enterprises__gte=1), name="commissioner_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", "服务中"
    FINISHED = "finished", "已结束"
    CANCELLED = "cancelled", "已取消"


class Assignment(TimeStampedModel):
    """A commissioner sent to one enterprise for a period, with the goals agreed."""

    commissioner = models.ForeignKey(
        Commissioner, verbose_name="科技特派员", on_delete=models.PROTECT, related_name="assignments"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="服务企业", on_delete=models.PROTECT, related_name="commissioner_assignments"
    )
    goals = models.TextField("服务目标", max_length=3000)
    starts_on = models.DateField("派驻起始日期")
    ends_on = models.DateField("派驻截止日期")
    status = models.CharField(
        "状态",
        max_length=12,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ACTIVE,
        db_index=True,
    )
    close_note = models.CharField("结束/取消说明", max_length=500, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name="派驻人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = verbose_name_plural = "特派员派驻"
        indexes = [models.Index(fields=["commissioner", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="assignment_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commissioner} → {self.enterprise}"


class ServiceLink(TimeStampedModel):
    """One service-ledger row reported by a commissioner under an assignment."""

    commissioner = models.ForeignKey(
        Commissioner, verbose_name="科技特派员", on_delete=models.PROTECT, related_name="service_links"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name="派驻", on_delete=models.PROTECT, related_name="service_links"
    )
    # CASCADE: the ledger owns the claim; a link without its claim would be a figure with no record.
    claim = models.OneToOneField(
        ServiceClaim, verbose_name="服务记录", on_delete=models.CASCADE, related_name="commissioner_link"
    )

    class Meta:
        ordering = ["-claim__served_on", "-pk"]
        verbose_name = verbose_name_plural = "特派员服务记录"

    def __str__(self) -> str:
        return f"{self.commissioner} · {self.claim_id}"
