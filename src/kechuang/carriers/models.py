"""Carriers (众创空间, 孵化器, 加速器, 产业园区), their buildings and space units, and the leases of tenants.

Occupancy is never typed: it is computed from leases (see ``occupancy.py``), so the figure a report shows
is the one the records hold. A unit carries at most one lease at a time; ``services.sign_lease`` refuses
an overlap under a row lock on the unit.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from kechuang.core.models import TimeStampedModel
from kechuang.incubation.models import Project
from kechuang.orgs.choices import Level
from kechuang.orgs.models import Enterprise, Township


class CarrierKind(models.TextChoices):
    MAKER_SPACE = "maker_space", "众创空间"
    INCUBATOR = "incubator", "科技企业孵化器"
    ACCELERATOR = "accelerator", "加速器"
    PARK = "park", "产业园区"


class Carrier(TimeStampedModel):
    name = models.CharField("载体名称", max_length=120, unique=True)
    kind = models.CharField("类型", max_length=16, choices=CarrierKind.choices)
    level = models.CharField("级别", max_length=12, choices=Level.choices, blank=True)
    operator = models.CharField("运营单位", max_length=120, blank=True)
    township = models.ForeignKey(
        Township, verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    opened_on = models.DateField("启用日期", null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "创新载体"

    def __str__(self) -> str:
        return self.name


class Building(TimeStampedModel):
    carrier = models.ForeignKey(
        Carrier, verbose_name="载体", on_delete=models.CASCADE, related_name="buildings"
    )
    name = models.CharField("楼栋", max_length=60)
    floors = models.PositiveSmallIntegerField("层数", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["carrier", "name"]
        verbose_name = verbose_name_plural = "楼栋"
        constraints = [models.UniqueConstraint(fields=["carrier", "name"], name="building_name_per_carrier")]

    def __str__(self) -> str:
        return f"{self.carrier} {self.name}"


class UnitUse(models.TextChoices):
    OFFICE = "office", "办公"
    LAB = "lab", "研发/实验"
    WORKSHOP = "workshop", "生产厂房"
    SHARED = "shared", "共享工位"
    OTHER = "other", "其他"


class SpaceUnit(TimeStampedModel):
    building = models.ForeignKey(
        Building, verbose_name="楼栋", on_delete=models.CASCADE, related_name="units"
    )
    code = models.CharField("房号", max_length=30)
    area_m2 = models.DecimalField("面积(㎡)", max_digits=10, decimal_places=2)
    use = models.CharField("用途", max_length=12, choices=UnitUse.choices, default=UnitUse.OFFICE)
    rent_yuan_m2_month = models.DecimalField(
        "租金(元/㎡·月)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    available_from = models.DateField("可出租起始日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["building", "code"]
        verbose_name = verbose_name_plural = "房源"
        constraints = [
            models.UniqueConstraint(fields=["building", "code"], name="unit_code_per_building"),
            models.CheckConstraint(condition=Q(area_m2__gt=0), name="unit_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.building} {self.code}"


class Lease(TimeStampedModel):
    """A tenant in a unit from ``starts_on`` to ``ends_on`` (both included; open-ended when empty)."""

    unit = models.ForeignKey(SpaceUnit, verbose_name="房源", on_delete=models.PROTECT, related_name="leases")
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="入驻企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leases",
    )
    project = models.ForeignKey(
        Project,
        verbose_name="孵化项目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leases",
    )
    tenant_name = models.CharField("入驻主体", max_length=120)
    starts_on = models.DateField("起租日期")
    ends_on = models.DateField("到期日期", null=True, blank=True)
    ended_early_on = models.DateField("提前退租日期", null=True, blank=True)
    graduated = models.BooleanField("毕业/迁出入园", default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit", "starts_on"]
        verbose_name = verbose_name_plural = "租约"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="lease_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_name} @ {self.unit}"


class ParkStatus(models.TextChoices):
    BUILDING = "building", "在建"
    BUILT = "built", "建成"
    LEASING = "leasing", "招商"
    PRODUCING = "producing", "投产"


class ParkProject(TimeStampedModel):
    """A standardised park project (园区标准化项目): land, planned and built floor space, its status."""

    name = models.CharField("项目名称", max_length=120, unique=True)
    township = models.ForeignKey(
        Township, verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    site = models.CharField("选址", max_length=200, blank=True)
    industry = models.CharField("产业方向", max_length=60, blank=True)
    planned_m2 = models.DecimalField("规划建筑面积(㎡)", max_digits=12, decimal_places=2)
    built_m2 = models.DecimalField("已建成面积(㎡)", max_digits=12, decimal_places=2, default=0)
    status = models.CharField("状态", max_length=12, choices=ParkStatus.choices, default=ParkStatus.BUILDING)
    started_on = models.DateField("开工日期", null=True, blank=True)
    completed_on = models.DateField("建成日期", null=True, blank=True)
    expected_output_wan = models.DecimalField(
        "预计新增产值(万元)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "园区标准化项目"
        constraints = [
            models.CheckConstraint(condition=Q(planned_m2__gt=0), name="park_planned_positive"),
            models.CheckConstraint(condition=Q(built_m2__gte=0), name="park_built_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class ParkTenancy(TimeStampedModel):
    """An enterprise signed into a park project, and since when it produces there."""

    project = models.ForeignKey(
        ParkProject, verbose_name="园区项目", on_delete=models.CASCADE, related_name="tenancies"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="入驻企业", on_delete=models.PROTECT, related_name="park_tenancies"
    )
    signed_on = models.DateField("签约日期")
    producing_since = models.DateField("投产日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "signed_on"]
        verbose_name = verbose_name_plural = "园区入驻企业"
        constraints = [
            models.UniqueConstraint(fields=["project", "enterprise"], name="park_tenancy_once"),
            models.CheckConstraint(
                condition=Q(producing_since__isnull=True) | Q(producing_since__gte=F("signed_on")),
                name="park_producing_after_signing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} @ {self.project}"
