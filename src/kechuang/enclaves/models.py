"""Enclave operator contracts (契约化考核): versioned contracts, reported/computed/verified KPI values
with evidence files, and finalised assessments whose scorecards are frozen with their inputs.

Values belong to the enclave and period, not to a contract version, so amending a contract never loses
what the operator reported; a finalised assessment stores the card it produced, so old scores stay
reproducible after the contract changes.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from kechuang.core.models import TimeStampedModel
from kechuang.orgs.models import Enclave

USER = settings.AUTH_USER_MODEL

#: Quarterly checkpoints; Q4 is the annual assessment. Targets are pro-rated by quarter.
PERIODS: tuple[tuple[str, str], ...] = (
    ("Q1", "第一季度"),
    ("Q2", "第二季度（半年）"),
    ("Q3", "第三季度"),
    ("Q4", "年度考核"),
)
PERIOD_LABELS = dict(PERIODS)


class AssessmentContract(TimeStampedModel):
    """One version of an enclave's contract for a year. Signed versions are frozen."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草拟中"
        SIGNED = "signed", "已签订"
        SUPERSEDED = "superseded", "已被新版本替代"

    enclave = models.ForeignKey(
        Enclave, verbose_name="飞地", on_delete=models.PROTECT, related_name="contracts"
    )
    year = models.PositiveSmallIntegerField(
        "考核年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    version = models.PositiveSmallIntegerField("版本", default=1)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField("契约名称", max_length=120)
    spec = models.JSONField("指标与规则", default=dict)
    amendment_reason = models.CharField("变更原因", max_length=500, blank=True)
    signed_at = models.DateTimeField("签订时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        USER, verbose_name="签订人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "enclave__name", "-version"]
        verbose_name = verbose_name_plural = "飞地考核契约"
        constraints = [
            models.UniqueConstraint(fields=["enclave", "year", "version"], name="contract_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT


class IndicatorValue(TimeStampedModel):
    """What is known of one indicator for one enclave, year and checkpoint (cumulative year to date)."""

    enclave = models.ForeignKey(Enclave, verbose_name="飞地", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("考核年度")
    period = models.CharField("考核期", max_length=2, choices=PERIODS)
    code = models.CharField("指标代码", max_length=40)
    reported = models.DecimalField("填报值", max_digits=16, decimal_places=4, null=True, blank=True)
    reported_at = models.DateTimeField("填报时间", null=True, blank=True)
    reported_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    report_note = models.CharField("填报说明", max_length=500, blank=True)
    computed = models.DecimalField("平台统计值", max_digits=16, decimal_places=4, null=True, blank=True)
    computed_basis = models.CharField("统计口径", max_length=500, blank=True)
    computed_at = models.DateTimeField("统计时间", null=True, blank=True)
    verified = models.DecimalField("核定值", max_digits=16, decimal_places=4, null=True, blank=True)
    verified_at = models.DateTimeField("核定时间", null=True, blank=True)
    verified_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verify_note = models.CharField("核定说明", max_length=500, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["enclave", "year", "period", "code"]
        verbose_name = verbose_name_plural = "考核指标数据"
        constraints = [
            models.UniqueConstraint(
                fields=["enclave", "year", "period", "code"], name="indicator_value_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enclave} {self.year}{self.period} {self.code}"


def evidence_path(instance: Evidence, filename: str) -> str:
    value = instance.value
    return f"enclaves/evidence/{value.enclave_id}/{value.year}{value.period}/{value.code}/{filename}"


class Evidence(TimeStampedModel):
    """A supporting document (佐证材料) uploaded with a reported figure."""

    value = models.ForeignKey(IndicatorValue, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_path, max_length=300)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["value", "pk"]
        verbose_name = verbose_name_plural = "佐证材料"

    def __str__(self) -> str:
        return self.name


class Assessment(TimeStampedModel):
    """A finalised checkpoint result: the card is frozen together with the contract version it used."""

    enclave = models.ForeignKey(Enclave, verbose_name="飞地", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("考核年度")
    period = models.CharField("考核期", max_length=2, choices=PERIODS)
    contract = models.ForeignKey(
        AssessmentContract, verbose_name="所用契约版本", on_delete=models.PROTECT, related_name="assessments"
    )
    total = models.DecimalField("总分", max_digits=7, decimal_places=2)
    grade = models.CharField("等级", max_length=10)
    reward = models.DecimalField("绩效奖励(万元)", max_digits=10, decimal_places=2)
    card = models.JSONField("评分明细")
    finalised_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField("定稿说明", max_length=500, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-period", "enclave__name"]
        verbose_name = verbose_name_plural = "考核结果"
        constraints = [
            models.UniqueConstraint(fields=["enclave", "year", "period"], name="assessment_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.enclave} {self.year}年{PERIOD_LABELS.get(self.period, self.period)}"
