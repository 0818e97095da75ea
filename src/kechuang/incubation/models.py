"""Incubated projects (孵化项目) in an enclave or a county incubator/maker space, from the application to
graduation or elimination.

A project is its own application: reviewers score it against a rubric frozen on the project when they are
assigned; the bureau admits or rejects it; afterwards it moves forward through the lifecycle stages, each
move recorded as a ProjectEvent. Every activity (milestone done, investment, service, periodic review,
landing) moves `last_progress_on`, which the elimination rules read. Nothing here is ever deleted by the
platform: elimination is a stage reached by a human decision.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from kechuang.core.models import TimeStampedModel
from kechuang.core.validators import validate_credit_code
from kechuang.incubation.choices import Decision, Round, ServiceKind, Stage
from kechuang.orgs.models import Enclave, Fund, Institution, Investor, Organization, money

USER = settings.AUTH_USER_MODEL


def _score(label: str) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )


class Rubric(TimeStampedModel):
    """A scoring rubric for applications; its criteria's weights add up to 100."""

    name = models.CharField("名称", max_length=60, unique=True)
    admission_line = models.DecimalField(
        "入孵分数线",
        max_digits=5,
        decimal_places=2,
        default=70,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="加权总分（满分100）达到此线建议入孵",
    )
    is_default = models.BooleanField("默认评分表", default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = verbose_name_plural = "入孵评分表"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_rubric"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RubricCriterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField("代码", max_length=20)
    name = models.CharField("评分项", max_length=40)
    weight = models.PositiveSmallIntegerField(
        "权重(%)", validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_score = models.PositiveSmallIntegerField(
        "满分", default=100, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    guidance = models.CharField("评分要点", max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["rubric", "sort_order", "pk"]
        verbose_name = verbose_name_plural = "评分项"
        constraints = [models.UniqueConstraint(fields=["rubric", "code"], name="criterion_code_once")]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}%）"


class Project(TimeStampedModel):
    """An incubation project: the application, the admission decision and the lifecycle after it."""

    name = models.CharField("项目名称", max_length=120)
    # The carrier: exactly one of an enclave or a county incubator/maker space (孵化载体).
    enclave = models.ForeignKey(
        Enclave,
        verbose_name="创新飞地",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incubation_projects",
    )
    incubator = models.ForeignKey(
        Institution,
        verbose_name="孵化器/众创空间",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incubation_projects",
        limit_choices_to={"category": "incubator"},
    )
    applicant = models.ForeignKey(
        Organization,
        verbose_name="申请单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incubation_applications",
    )
    submitted_by = models.ForeignKey(
        USER, verbose_name="申请人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_name = models.CharField("联系人", max_length=40, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    industry = models.CharField("所属产业", max_length=40, blank=True)
    team = models.TextField("团队情况", max_length=5000)
    technology = models.TextField("核心技术", max_length=5000)
    market = models.TextField("市场前景", max_length=5000)
    funding_plan = models.TextField("融资计划", max_length=5000, blank=True)
    funding_needed = money("资金需求(万元)")
    applied_on = models.DateField("申请日期", default=timezone.localdate, db_index=True)

    stage = models.CharField("阶段", max_length=12, choices=Stage.choices, default=Stage.RECRUITING)
    stage_changed_on = models.DateField("阶段变更日期", default=timezone.localdate)
    last_progress_on = models.DateField("最近进展", default=timezone.localdate, db_index=True)

    # Frozen when reviewers are first assigned, so later rubric edits never change how it is scored:
    # {"rubric": name, "admission_line": "70", "criteria": [{"code", "name", "weight", "max_score"}]}.
    rubric = models.ForeignKey(
        Rubric, verbose_name="评分表", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rubric_snapshot = models.JSONField("评分标准（冻结）", default=dict, blank=True)
    review_score = models.DecimalField("评审得分", max_digits=5, decimal_places=2, null=True, blank=True)

    decision = models.CharField("入孵决定", max_length=8, choices=Decision.choices, blank=True)
    decision_reason = models.TextField("决定理由", max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name="决定人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_on = models.DateField("决定日期", null=True, blank=True)
    admitted_on = models.DateField("入孵日期", null=True, blank=True, db_index=True)

    # Landed in Jinjiang: the company registered in the county, found in the registry by its credit code.
    credit_code = models.CharField(
        "落地企业统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code]
    )
    landed_organization = models.ForeignKey(
        Organization,
        verbose_name="落地企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incubation_landings",
    )
    landed_on = models.DateField("落地日期", null=True, blank=True, db_index=True)
    landing_note = models.CharField("落地说明", max_length=500, blank=True)

    graduated_on = models.DateField("毕业日期", null=True, blank=True)
    eliminated_on = models.DateField("淘汰日期", null=True, blank=True)
    elimination_reason = models.TextField("淘汰理由", max_length=2000, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-applied_on", "-pk"]
        verbose_name = verbose_name_plural = "孵化项目"
        indexes = [models.Index(fields=["enclave", "stage"]), models.Index(fields=["incubator", "stage"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(enclave__isnull=False, incubator__isnull=True)
                | Q(enclave__isnull=True, incubator__isnull=False),
                name="project_one_carrier",
            ),
            models.CheckConstraint(
                condition=Q(landed_on__isnull=True) | Q(landed_organization__isnull=False),
                name="project_landing_has_company",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def carrier(self) -> Enclave | Institution:
        carrier = self.enclave or self.incubator
        assert carrier is not None
        return carrier

    @property
    def carrier_name(self) -> str:
        return self.enclave.name if self.enclave else str(self.incubator)

    @property
    def criteria(self) -> list[dict[str, object]]:
        return list(self.rubric_snapshot.get("criteria", []))


class ProjectEvent(models.Model):
    """One entry on a project's timeline: who did what when, and the stage before and after it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField("事项", max_length=40)
    from_stage = models.CharField("原阶段", max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField("新阶段", max_length=12, choices=Stage.choices)
    happened_on = models.DateField("日期", db_index=True)
    note = models.TextField("说明", max_length=2000, blank=True)
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        ordering = ["happened_on", "pk"]
        verbose_name = verbose_name_plural = "项目进展"

    def __str__(self) -> str:
        return f"{self.project_id} {self.action}"


class Review(TimeStampedModel):
    """A reviewer assigned to score one application; scores are per criterion code of the frozen rubric."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(USER, verbose_name="评审人", on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    conflict_declared = models.BooleanField("声明利益冲突", default=False)
    conflict_note = models.CharField("冲突说明", max_length=500, blank=True)
    scores = models.JSONField("各项得分", default=dict, blank=True)
    total = models.DecimalField("加权总分", max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.TextField("评审意见", max_length=3000, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "pk"]
        verbose_name = verbose_name_plural = "入孵评审"
        constraints = [
            models.UniqueConstraint(fields=["project", "reviewer"], name="review_once_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.project}"


class Milestone(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("里程碑", max_length=120)
    due_on = models.DateField("计划完成日期")
    done_on = models.DateField("实际完成日期", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = verbose_name_plural = "项目里程碑"

    def __str__(self) -> str:
        return self.title


class Investment(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="investments")
    investor = models.ForeignKey(
        Investor, verbose_name="投资机构", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fund = models.ForeignKey(
        Fund, verbose_name="基金", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    investor_name = models.CharField("投资方", max_length=120)
    amount = models.DecimalField(
        "金额(万元)", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    round = models.CharField("轮次", max_length=12, choices=Round.choices)
    invested_on = models.DateField("投资日期", db_index=True)
    note = models.CharField("说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["invested_on", "pk"]
        verbose_name = verbose_name_plural = "项目投资"

    def __str__(self) -> str:
        return f"{self.investor_name} {self.amount}万元"


class ServiceRecord(TimeStampedModel):
    """A value-added service the project received (资源对接、投融资面洽、尽调评估 …)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField("服务类型", max_length=16, choices=ServiceKind.choices)
    description = models.TextField("服务内容", max_length=2000)
    provided_on = models.DateField("服务日期")
    provider = models.CharField("服务提供方", max_length=120, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["provided_on", "pk"]
        verbose_name = verbose_name_plural = "项目服务记录"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.provided_on}"


class PeriodicReview(TimeStampedModel):
    """A periodic progress review (定期评估), scored 0–100."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="periodic_reviews")
    reviewed_on = models.DateField("评估日期")
    score = _score("评估得分")
    progress_note = models.TextField("进展情况", max_length=3000)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["reviewed_on", "pk"]
        verbose_name = verbose_name_plural = "定期评估"

    def __str__(self) -> str:
        return f"{self.project} {self.reviewed_on} {self.score}"


class LandingFigure(TimeStampedModel):
    """One year of the landed company's jobs, output and tax attributable to the project.

    Recorded per project rather than read only from the registry: EnterpriseYearFigure has revenue but no
    jobs or tax, and the enclave is credited with what its project brought, which the operator reports.
    Where a year has no figure here, output falls back to the registry's revenue for that company.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="figures")
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    jobs = models.PositiveIntegerField(
        "就业人数", null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    output = money("产值(万元)")
    tax = money("税收(万元)")
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "year"]
        verbose_name = verbose_name_plural = "落地企业年度数据"
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="landing_figure_once_a_year")]

    def __str__(self) -> str:
        return f"{self.project} {self.year}年"


class EliminationRules(TimeStampedModel):
    """Thresholds that put a project on the elimination candidate list: one global row (no carrier) plus
    optional rows for one enclave or incubator that override it."""

    enclave = models.ForeignKey(
        Enclave, verbose_name="创新飞地", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    incubator = models.ForeignKey(
        Institution,
        verbose_name="孵化器/众创空间",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"category": "incubator"},
    )
    no_progress_months = models.PositiveSmallIntegerField(
        "无进展月数", default=6, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    missed_milestones = models.PositiveSmallIntegerField(
        "逾期里程碑数", default=2, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    review_score_line = models.DecimalField(
        "定期评估淘汰线",
        max_digits=5,
        decimal_places=2,
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    keep_months = models.PositiveSmallIntegerField(
        "保留决定有效月数",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text="决定保留的项目在此期间不再列为候选，除非出现新的问题",
    )
    # "global", "enclave:<id>" or "incubator:<id>": one row per carrier and one global row.
    scope_key = models.CharField(max_length=32, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "淘汰规则"
        constraints = [
            models.CheckConstraint(
                condition=Q(enclave__isnull=True) | Q(incubator__isnull=True),
                name="rules_at_most_one_carrier",
            ),
        ]

    def clean(self) -> None:
        if self.enclave_id and self.incubator_id:
            raise ValidationError("一条淘汰规则只能针对一个创新飞地或一个孵化载体")
        key = self.key_for(self.enclave_id, self.incubator_id)
        if EliminationRules.objects.filter(scope_key=key).exclude(pk=self.pk).exists():
            raise ValidationError("该范围已有淘汰规则，请直接修改已有规则")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.scope_key = self.key_for(self.enclave_id, self.incubator_id)
        super().save(*args, **kwargs)

    @staticmethod
    def key_for(enclave_id: int | None, incubator_id: int | None) -> str:
        if enclave_id:
            return f"enclave:{enclave_id}"
        if incubator_id:
            return f"incubator:{incubator_id}"
        return "global"

    def __str__(self) -> str:
        if self.enclave_id:
            return f"{self.enclave}的淘汰规则"
        if self.incubator_id:
            return f"{self.incubator}的淘汰规则"
        return "全局默认淘汰规则"


class EliminationDecision(TimeStampedModel):
    """The bureau's decision on an elimination candidate: eliminate (stage → 淘汰) or keep for now.

    `evidence_keys` identify what the rules found ("milestone:12", "review:5", "no_progress:2024-03-01");
    a keep decision hides the candidate until `suppress_until`, or sooner when a key not seen here appears.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="elimination_decisions")
    eliminate = models.BooleanField("淘汰")
    reason = models.TextField("理由", max_length=2000)
    rules = models.JSONField("触发规则", default=list)
    evidence = models.TextField("依据", max_length=5000, blank=True)
    evidence_keys = models.JSONField(default=list)
    decided_on = models.DateField("决定日期")
    suppress_until = models.DateField("保留至", null=True, blank=True)
    decided_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = verbose_name_plural = "淘汰决定"

    def __str__(self) -> str:
        return f"{self.project} {'淘汰' if self.eliminate else '保留'}"
