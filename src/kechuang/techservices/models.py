"""Technology services: IP protection cases (知识产权维权), pilot platforms (中试熟化) with bookings,
and the service ledger (服务台账) in which providers record what they did for a firm and the firm confirms it.

The county's "服务企业 X 家次，解决技术难题 Y 项，创造价值 Z 亿元" come from confirmed ledger rows only
(selectors.ledger_figures); a booking's fee is computed when it is made, never typed; a piece of
equipment never holds two live bookings at once (services.book_equipment refuses under a row lock).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from kechuang.core.models import TimeStampedModel
from kechuang.demands.models import Demand, DockingMeeting, TechContract
from kechuang.orgs.models import Enclave, Enterprise, Institution, Organization, Township

USER = settings.AUTH_USER_MODEL


def wan_field(label: str, *, default: Decimal | None = None) -> models.DecimalField:
    """A non-negative amount in 万元 (like orgs.Fund.size), optional unless a default is given."""
    return models.DecimalField(
        label,
        max_digits=14,
        decimal_places=2,
        null=default is None,
        blank=default is None,
        default=default,
        validators=[MinValueValidator(Decimal(0))],
    )


# ---- IP protection cases (知识产权维权) ---------------------------------------------------------------


class CaseType(models.TextChoices):
    PATENT = "patent", "专利侵权"
    TRADEMARK = "trademark", "商标侵权"
    COPYRIGHT = "copyright", "著作权"
    TRADE_SECRET = "trade_secret", "商业秘密"
    UNFAIR = "unfair", "不正当竞争"
    OTHER = "other", "其他"


class CaseStatus(models.TextChoices):
    INTAKE = "intake", "受理"
    MEDIATION = "mediation", "调解中"
    REFERRED = "referred", "已移送"
    CLOSED = "closed", "已结案"


OPEN_CASE_STATUSES = (CaseStatus.INTAKE, CaseStatus.MEDIATION, CaseStatus.REFERRED)


class ReferredTo(models.TextChoices):
    COURT = "court", "法院"
    MARKET = "market", "市场监管部门"
    ARBITRATION = "arbitration", "仲裁机构"


class Outcome(models.TextChoices):
    MEDIATED = "mediated", "调解成功"
    WON = "won", "判决胜诉"
    WITHDRAWN = "withdrawn", "撤诉"
    REJECTED = "rejected", "未获支持"
    OTHER = "other", "其他"


class IPCase(TimeStampedModel):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="权利人企业", on_delete=models.PROTECT, related_name="ip_cases"
    )
    case_type = models.CharField("案件类型", max_length=16, choices=CaseType.choices, db_index=True)
    title = models.CharField("案件名称", max_length=120)
    description = models.TextField("案情简述", max_length=5000, blank=True)
    intake_on = models.DateField("受理日期")
    status = models.CharField(
        "状态", max_length=12, choices=CaseStatus.choices, default=CaseStatus.INTAKE, db_index=True
    )
    referred_to = models.CharField("移送至", max_length=16, choices=ReferredTo.choices, blank=True)
    outcome = models.CharField("结案结果", max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField("结案说明", max_length=2000, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    amount_involved_wan = wan_field("涉案金额(万元)")
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-intake_on", "-pk"]
        verbose_name = verbose_name_plural = "知识产权维权案件"
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("intake_on")),
                name="ipcase_closed_after_intake",
            )
        ]

    def __str__(self) -> str:
        return self.title


class StepKind(models.TextChoices):
    INTAKE = "intake", "受理"
    MEDIATION = "mediation", "启动调解"
    REFERRAL = "referral", "移送"
    PROGRESS = "progress", "进展"
    CLOSE = "close", "结案"


class IPCaseStep(TimeStampedModel):
    """One step of a case (受理、调解、移送、进展、结案), in the order they happened."""

    case = models.ForeignKey(IPCase, verbose_name="案件", on_delete=models.CASCADE, related_name="steps")
    on = models.DateField("日期")
    kind = models.CharField("环节", max_length=12, choices=StepKind.choices)
    note = models.TextField("说明", max_length=2000, blank=True)
    actor = models.ForeignKey(
        USER, verbose_name="经办人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = verbose_name_plural = "维权办理环节"

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()}"


# ---- pilot platforms (中试熟化平台), equipment and bookings -------------------------------------------


class PilotPlatform(TimeStampedModel):
    name = models.CharField("平台名称", max_length=120, unique=True)
    operator = models.ForeignKey(
        Organization,
        verbose_name="运营单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pilot_platforms",
    )
    township = models.ForeignKey(
        Township, verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    field = models.CharField("服务领域", max_length=120, blank=True)
    description = models.TextField("简介", max_length=5000, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "中试熟化平台"

    def __str__(self) -> str:
        return self.name


class Equipment(TimeStampedModel):
    platform = models.ForeignKey(
        PilotPlatform, verbose_name="平台", on_delete=models.CASCADE, related_name="equipment"
    )
    name = models.CharField("设备名称", max_length=120)
    capacity = models.CharField("能力/规格", max_length=200, blank=True)
    fee_yuan_per_hour = models.DecimalField(
        "收费(元/小时)", max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    is_active = models.BooleanField("可预约", default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["platform", "name"]
        verbose_name = verbose_name_plural = "中试设备"
        constraints = [
            models.UniqueConstraint(fields=["platform", "name"], name="equipment_name_per_platform"),
            models.CheckConstraint(condition=Q(fee_yuan_per_hour__gte=0), name="equipment_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} · {self.name}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "已预约"
    CANCELLED = "cancelled", "已取消"
    COMPLETED = "completed", "已完成"


class Booking(TimeStampedModel):
    equipment = models.ForeignKey(
        Equipment, verbose_name="设备", on_delete=models.PROTECT, related_name="bookings"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="预约企业", on_delete=models.PROTECT, related_name="pilot_bookings"
    )
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    purpose = models.CharField("用途", max_length=300)
    status = models.CharField(
        "状态", max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED, db_index=True
    )
    fee_yuan = models.DecimalField("费用(元)", max_digits=12, decimal_places=2, default=Decimal(0))
    used_hours = models.DecimalField("实际使用(小时)", max_digits=8, decimal_places=2, null=True, blank=True)
    booked_by = models.ForeignKey(
        USER, verbose_name="预约人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = verbose_name_plural = "设备预约"
        indexes = [models.Index(fields=["equipment", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.equipment} · {self.enterprise}"


# ---- the service ledger (服务台账) --------------------------------------------------------------------


class ProviderKind(models.TextChoices):
    RESEARCH_PLATFORM = "research_platform", "科研平台"
    ENCLAVE = "enclave", "创新飞地"
    INSTITUTION = "institution", "高校院所"
    COMMISSIONER = "commissioner", "科技特派员"
    CARRIER = "carrier", "孵化载体"
    PILOT_PLATFORM = "pilot_platform", "中试平台"
    OTHER = "other", "其他"


class ClaimStatus(models.TextChoices):
    CLAIMED = "claimed", "待企业确认"
    CONFIRMED = "confirmed", "企业已确认"
    DISPUTED = "disputed", "企业有异议"


class ServiceClaim(TimeStampedModel):
    """A provider's record of one service to one firm; it counts in the county figures once confirmed."""

    provider_kind = models.CharField("服务方类型", max_length=20, choices=ProviderKind.choices, db_index=True)
    provider_name = models.CharField("服务方", max_length=120)
    institution = models.ForeignKey(
        Institution,
        verbose_name="高校院所",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_claims",
    )
    enclave = models.ForeignKey(
        Enclave,
        verbose_name="创新飞地",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_claims",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="服务企业", on_delete=models.PROTECT, related_name="service_claims"
    )
    served_on = models.DateField("服务日期")
    problem = models.TextField("企业问题/需求", max_length=3000)
    action = models.TextField("服务内容", max_length=3000)
    result = models.TextField("服务成效", max_length=3000, blank=True)
    value_claimed_wan = wan_field("申报创造价值(万元)", default=Decimal(0))
    solved = models.BooleanField("解决技术难题", default=False)
    status = models.CharField("状态", max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.CLAIMED)
    dispute_reason = models.TextField("异议理由", max_length=2000, blank=True)
    confirmed_by = models.ForeignKey(
        USER, verbose_name="确认人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认/异议时间", null=True, blank=True)
    demand = models.ForeignKey(
        Demand,
        verbose_name="关联技术需求",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_claims",
    )
    meeting = models.ForeignKey(
        DockingMeeting,
        verbose_name="关联对接记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_claims",
    )
    contract = models.ForeignKey(
        TechContract,
        verbose_name="关联技术合同",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_claims",
    )
    booking = models.ForeignKey(
        Booking,
        verbose_name="关联设备预约",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_claims",
    )
    recorded_by = models.ForeignKey(
        USER, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-served_on", "-pk"]
        verbose_name = verbose_name_plural = "服务台账"
        indexes = [
            # Covers ledger_figures: the county figures read this index, never the rows' long texts.
            models.Index(
                fields=["served_on", "status", "provider_kind", "enterprise", "solved", "value_claimed_wan"],
                name="claim_figures",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(value_claimed_wan__gte=0), name="claim_value_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="disputed") | ~Q(dispute_reason=""), name="claim_dispute_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_name} → {self.enterprise}（{self.served_on}）"
