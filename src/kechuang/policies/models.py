"""Policy library versions, 免申即享 rounds and the disbursement ledger.

The rules themselves are data: a library version stores one complete JSON document (the format of
docs/policies.md), checked whole before it is saved, so the library in force is always one that loads.
Every round records the version it compared against, so its list can be explained later from the same
rules even after staff have edited them.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from kechuang.core.models import TimeStampedModel
from kechuang.orgs.models import Enterprise, Township


class LibraryVersion(TimeStampedModel):
    """One complete policy library; the highest number is in force (none saved yet: the shipped file)."""

    class Source(models.TextChoices):
        SHIPPED = "shipped", "平台内置"
        FORM = "form", "在线编辑"
        IMPORT = "import", "文件导入"

    number = models.PositiveIntegerField("版本号", unique=True)
    document = models.TextField("政策库（JSON）")
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    note = models.CharField("修改说明", max_length=200)
    changed_measures = models.JSONField("变更的措施", default=list, blank=True)
    created_by = models.ForeignKey(
        "auth.User", verbose_name="修改人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = verbose_name_plural = "政策库版本"

    def __str__(self) -> str:
        return f"政策库第{self.number}版"


class Round(TimeStampedModel):
    """One 免申即享 round: a measure and a data year, from data comparison to disbursement."""

    class Status(models.TextChoices):
        COMPARED = "compared", "数据比对（待确认名单）"
        CONFIRMING = "confirming", "意愿确认中"
        DISBURSING = "disbursing", "审批拨付"
        CLOSED = "closed", "已结束"

    measure_id = models.CharField("措施编号", max_length=80, db_index=True)
    measure_title = models.CharField("措施", max_length=200)
    policy_title = models.CharField("政策", max_length=200)
    year = models.PositiveSmallIntegerField("数据年度", validators=[MinValueValidator(2000)])
    as_of = models.DateField("比对日期")
    library_number = models.PositiveIntegerField("政策库版本", default=0)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.COMPARED)
    deadline = models.DateField("意愿确认截止日期")
    compared_count = models.PositiveIntegerField("参与比对企业数", default=0)
    unknown_count = models.PositiveIntegerField("数据不全无法判断", default=0)
    created_by = models.ForeignKey(
        "auth.User", verbose_name="发起人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    list_confirmed_by = models.ForeignKey(
        "auth.User",
        verbose_name="名单确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    list_confirmed_at = models.DateTimeField("名单确认时间", null=True, blank=True)
    willingness_closed_at = models.DateTimeField("意愿确认截止处理时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "免申即享批次"

    def __str__(self) -> str:
        return f"{self.measure_title}（{self.year}年度）"


class RoundCandidate(TimeStampedModel):
    """An enterprise the data comparison found qualifying, and what it answered."""

    class Response(models.TextChoices):
        PENDING = "pending", "待确认"
        ACCEPTED = "accepted", "确认申领"
        DECLINED = "declined", "放弃"
        SILENT = "silent", "逾期未确认"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="candidates")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="policy_candidacies")
    township = models.ForeignKey(
        Township, verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount_yuan = models.DecimalField("测算金额(元)", max_digits=14, decimal_places=2)
    working = models.JSONField("测算过程", default=list)
    conditions = models.JSONField("比对依据", default=list)
    included = models.BooleanField("列入名单", default=True)
    exclusion_reason = models.CharField("剔除原因", max_length=200, blank=True)
    response = models.CharField(
        "企业意愿", max_length=10, choices=Response.choices, default=Response.PENDING, db_index=True
    )
    responded_at = models.DateTimeField("确认时间", null=True, blank=True)
    responded_by = models.ForeignKey(
        "auth.User", verbose_name="确认人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    account_name = models.CharField("开户名称", max_length=120, blank=True)
    bank_name = models.CharField("开户银行", max_length=120, blank=True)
    account_number = models.CharField("银行账号", max_length=40, blank=True)
    decline_reason = models.CharField("放弃原因", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "-amount_yuan", "pk"]
        verbose_name = verbose_name_plural = "免申即享名单"
        constraints = [
            models.UniqueConstraint(fields=["round", "enterprise"], name="round_candidate_unique_enterprise")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.enterprise}"


class Disbursement(TimeStampedModel):
    """The ledger: one payment of one measure for one data year to one enterprise, ever."""

    class Status(models.TextChoices):
        APPROVED = "approved", "已审批待拨付"
        PAID = "paid", "已拨付"

    program = models.CharField("项目（措施编号）", max_length=80)
    program_title = models.CharField("项目名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="disbursements")
    township = models.ForeignKey(
        Township, verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="disbursements")
    candidate = models.OneToOneField(RoundCandidate, on_delete=models.PROTECT, related_name="disbursement")
    amount_yuan = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.APPROVED)
    account_name = models.CharField("开户名称", max_length=120)
    bank_name = models.CharField("开户银行", max_length=120)
    account_number = models.CharField("银行账号", max_length=40)
    approved_by = models.ForeignKey(
        "auth.User", verbose_name="审批人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField("审批时间")
    paid_by = models.ForeignKey(
        "auth.User",
        verbose_name="拨付登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    paid_on = models.DateField("拨付日期", null=True, blank=True)
    voucher_no = models.CharField("拨付凭证号", max_length=60, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "program", "pk"]
        verbose_name = verbose_name_plural = "资金拨付台账"
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "program", "year"], name="disbursement_once_per_measure_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program_title} {self.year}年度 · {self.enterprise}"
