"""Technology demands (技术需求) and everything that happens to them until a deal, a landing or a close.

Status changes only through services.transition(), which records a DemandEvent (who, when, from, to,
comment); the event log is the timeline and the source of the funnel's time-in-state figures.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from kechuang.core.models import TimeStampedModel
from kechuang.demands.choices import (
    CloseReason,
    Confidentiality,
    ContractType,
    DemandType,
    Maturity,
    RoutingStatus,
    Status,
    TargetKind,
)
from kechuang.orgs.models import (
    Enclave,
    Enterprise,
    Expert,
    IndustryChainTag,
    Institution,
    Investor,
    Township,
    money,
)

USER = settings.AUTH_USER_MODEL


class Campaign(TimeStampedModel):
    """A demand collection drive (需求征集活动) with target industries/townships and a deadline."""

    title = models.CharField("活动名称", max_length=120)
    description = models.TextField("说明", blank=True, max_length=5000)
    chains = models.ManyToManyField(IndustryChainTag, verbose_name="目标产业链", blank=True)
    townships = models.ManyToManyField(Township, verbose_name="目标镇街", blank=True)
    opens_on = models.DateField("开始日期", default=timezone.localdate)
    deadline = models.DateField("截止日期")
    target_per_township = models.PositiveIntegerField("每镇街走访目标(家)", default=20)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords(m2m_fields=[chains, townships])

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = verbose_name_plural = "需求征集活动"

    def __str__(self) -> str:
        return self.title


class FieldVisit(TimeStampedModel):
    """A township officer's visit to an enterprise (企业走访) during a campaign."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name="征集活动",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="visits"
    )
    township = models.ForeignKey(
        Township, verbose_name="镇街", null=True, on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(
        USER, verbose_name="走访人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    visited_on = models.DateField("走访日期", default=timezone.localdate)
    notes = models.TextField("走访记录", blank=True, max_length=5000)
    demands_found = models.PositiveSmallIntegerField("发现需求数", default=0)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = verbose_name_plural = "企业走访"

    def __str__(self) -> str:
        return f"{self.enterprise} {self.visited_on}"


class VisitPlanItem(TimeStampedModel):
    """An enterprise a campaign means to visit (走访计划) and why, e.g. from a tier-cultivation list."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="征集活动", on_delete=models.CASCADE, related_name="plan"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="+"
    )
    township = models.ForeignKey(
        Township, verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("走访事由", max_length=300, blank=True)
    added_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["township_id", "pk"]
        verbose_name = verbose_name_plural = "走访计划"
        constraints = [models.UniqueConstraint(fields=["campaign", "enterprise"], name="visit_plan_once")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.enterprise}"


class Demand(TimeStampedModel):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="需求企业", on_delete=models.PROTECT, related_name="demands"
    )
    # Denormalised from the enterprise for scope filters and the funnel by township.
    township = models.ForeignKey(
        Township, verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name="征集活动",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="demands",
    )
    filed_by = models.ForeignKey(
        USER, verbose_name="填报人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField("需求名称", max_length=120)
    description = models.TextField("需求描述", max_length=20000)
    demand_type = models.CharField("需求类型", max_length=16, choices=DemandType.choices, db_index=True)
    industry_code = models.CharField("所属行业(GB/T 4754)", max_length=4, blank=True, db_index=True)
    chain = models.ForeignKey(
        IndustryChainTag,
        verbose_name="产业链",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    indicators = models.TextField("技术指标要求", blank=True, max_length=5000)
    budget_min = money("预算下限(万元)")
    budget_max = money("预算上限(万元)")
    deadline = models.DateField("期望完成时间", null=True, blank=True)
    cooperation_modes = models.JSONField("合作方式", default=list, blank=True)
    contact_name = models.CharField("联系人", max_length=40, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    confidentiality = models.CharField(
        "公开方式", max_length=10, choices=Confidentiality.choices, default=Confidentiality.PRIVATE
    )
    public_summary = models.TextField("公开摘要（脱敏）", blank=True, max_length=2000)
    summary_approved = models.BooleanField("企业已确认摘要", default=False)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField("状态变更时间", default=timezone.now)
    # Furthest funnel stage ever reached (filed=1 … landed=7); kept by services.transition so the funnel is
    # one GROUP BY even over 100,000 demands, and closed demands still count for the stages they passed.
    stage_reached = models.PositiveSmallIntegerField("最远阶段", default=0, db_index=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True, db_index=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="合并到",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
    )
    close_reason = models.CharField("关闭原因", max_length=20, choices=CloseReason.choices, blank=True)
    close_note = models.TextField("关闭说明", blank=True, max_length=2000)
    service_rating = models.PositiveSmallIntegerField(
        "服务评价", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    service_rating_reason = models.CharField("评价理由", max_length=500, blank=True)
    version = models.PositiveIntegerField("版本", default=1)  # optimistic locking
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = verbose_name_plural = "技术需求"
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["township", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=models.F("budget_max")),
                name="demand_budget_range",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def cooperation_labels(self) -> list[str]:
        from kechuang.demands.choices import CooperationMode

        labels = dict(CooperationMode.choices)
        return [labels.get(mode, mode) for mode in self.cooperation_modes]

    @property
    def is_published(self) -> bool:
        from kechuang.demands.choices import PUBLISHED_STATUSES

        return self.status in PUBLISHED_STATUSES and (
            self.confidentiality == Confidentiality.PUBLIC
            or (self.confidentiality == Confidentiality.SUMMARY and self.summary_approved)
        )


class DemandAttachment(TimeStampedModel):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to="demands/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小(字节)")
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["pk"]
        verbose_name = verbose_name_plural = "需求附件"

    def __str__(self) -> str:
        return self.name


class DemandEvent(models.Model):
    """One step on a demand's timeline."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField("动作", max_length=40)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    comment = models.TextField("说明", blank=True, max_length=5000)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # On the event that entered a status: how long the demand stayed there, filled when it leaves, so the
    # funnel's time-in-state is one aggregate rather than a scan of every event pair.
    seconds_in_status = models.PositiveIntegerField("停留秒数", null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = verbose_name_plural = "需求进展"
        indexes = [models.Index(fields=["demand", "to_status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.action}"


class Routing(TimeStampedModel):
    """The demand sent to one party (an enclave, institution, expert or investor) that should answer."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="routings")
    target_kind = models.CharField("对象类型", max_length=12, choices=TargetKind.choices)
    enclave = models.ForeignKey(
        Enclave, null=True, blank=True, on_delete=models.PROTECT, related_name="routings"
    )
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.PROTECT, related_name="routings"
    )
    expert = models.ForeignKey(
        Expert, null=True, blank=True, on_delete=models.PROTECT, related_name="routings"
    )
    investor = models.ForeignKey(
        Investor, null=True, blank=True, on_delete=models.PROTECT, related_name="routings"
    )
    routed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField("分派说明", max_length=500, blank=True)
    status = models.CharField(
        "状态", max_length=14, choices=RoutingStatus.choices, default=RoutingStatus.PENDING, db_index=True
    )
    ack_due = models.DateField("确认期限")
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    answered_at = models.DateTimeField("响应时间", null=True, blank=True)
    decline_reason = models.CharField("无法承接原因", max_length=500, blank=True)
    from_suggestion = models.BooleanField("来自推荐", default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = verbose_name_plural = "需求分派"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(target_kind="enclave", enclave__isnull=False)
                    | Q(target_kind="institution", institution__isnull=False)
                    | Q(target_kind="expert", expert__isnull=False)
                    | Q(target_kind="investor", investor__isnull=False)
                ),
                name="routing_has_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.demand} → {self.target_name}"

    @property
    def target(self) -> Enclave | Institution | Expert | Investor:
        target = getattr(self, self.target_kind)
        assert target is not None
        return target

    @property
    def target_name(self) -> str:
        target = self.target
        return target.name if isinstance(target, Enclave | Expert) else target.organization.name


class Response(TimeStampedModel):
    """A routed party's standard answer: approach, team, maturity, time, cost, references."""

    routing = models.ForeignKey(Routing, on_delete=models.CASCADE, related_name="responses")
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="responses")
    approach = models.TextField("解决思路/技术方案", max_length=10000)
    team = models.TextField("团队与依托平台", max_length=3000)
    maturity = models.PositiveSmallIntegerField("技术成熟度(TRL)", choices=Maturity.choices)
    duration_months = models.PositiveSmallIntegerField("预计周期(月)", validators=[MaxValueValidator(120)])
    cost_estimate = money("费用估算(万元)")
    references = models.TextField("成功案例/参考", blank=True, max_length=3000)
    submitted_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    accepted = models.BooleanField("企业已采纳", default=False)
    rating = models.PositiveSmallIntegerField(
        "企业评分", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_reason = models.CharField("评分理由", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = verbose_name_plural = "需求响应"

    def __str__(self) -> str:
        return f"{self.routing.target_name} 的响应"


class DockingMeeting(TimeStampedModel):
    """A meeting between the enterprise and an accepted responder (对接记录)."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="meetings")
    response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    met_on = models.DateField("对接日期", default=timezone.localdate)
    place = models.CharField("地点/方式", max_length=120, blank=True)
    attendees = models.CharField("参加人员", max_length=300, blank=True)
    notes = models.TextField("对接纪要", max_length=5000)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["met_on", "pk"]
        verbose_name = verbose_name_plural = "对接记录"

    def __str__(self) -> str:
        return f"{self.demand} {self.met_on}"


class TechContract(TimeStampedModel):
    """A signed technology contract resulting from a demand."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="contracts")
    response = models.ForeignKey(Response, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contract_type = models.CharField("合同类型", max_length=12, choices=ContractType.choices)
    amount = models.DecimalField(
        "合同金额(万元)", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    registration_no = models.CharField("技术合同登记号", max_length=40, blank=True)
    signed_on = models.DateField("签订日期")
    counterparty = models.CharField("合同相对方", max_length=120)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_on", "-pk"]
        verbose_name = verbose_name_plural = "技术合同"

    def __str__(self) -> str:
        return f"{self.get_contract_type_display()} {self.amount}万元"


class LandedProject(TimeStampedModel):
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="landings")
    name = models.CharField("项目名称", max_length=120)
    description = models.TextField("项目说明", blank=True, max_length=3000)
    landed_on = models.DateField("落地日期")
    investment = money("投资额(万元)")
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-landed_on", "-pk"]
        verbose_name = verbose_name_plural = "落地项目"

    def __str__(self) -> str:
        return self.name


class Interest(TimeStampedModel):
    """An expert/institution/investor user declaring interest in a published demand; staff see these."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="interests")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "意向登记"
        constraints = [models.UniqueConstraint(fields=["demand", "user"], name="interest_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user} → {self.demand}"


class Holiday(models.Model):
    """Chinese public holidays and make-up working days (调休), configured by staff each year."""

    date = models.DateField("日期", unique=True)
    name = models.CharField("名称", max_length=40)
    is_workday = models.BooleanField("调休上班", default=False, help_text="周末因调休需上班时勾选")

    class Meta:
        ordering = ["date"]
        verbose_name = verbose_name_plural = "节假日与调休"

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
