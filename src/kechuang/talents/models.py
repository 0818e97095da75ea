"""The talent registry: a configurable catalogue of levels, persons with their employers, and certifications
by bureau review or by an authorised employer's self-certification (自主认定) within a yearly quota.

A person's ID number is never stored in clear: ``id_cipher`` (Fernet) for staff with ``talent.pii``,
``id_hash`` (HMAC) for the one-person-one-record lookup, ``id_masked`` for everyone else (see
kechuang.core.pii). History never records the cipher or the hash.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from kechuang.core.models import TimeStampedModel
from kechuang.orgs.models import Enclave, Enterprise, Institution, Township

PII_FIELDS = ["id_hash", "id_cipher"]


class TalentLevel(TimeStampedModel):
    """One level of the catalogue (泉州 A–E, 第一至第五层次 …); rank 1 is the top and never self-certified."""

    code = models.CharField("层次代码", max_length=8, unique=True)
    name = models.CharField("层次名称", max_length=40)
    rank = models.PositiveSmallIntegerField("层级（1为最高）", validators=[MinValueValidator(1)])
    self_certifiable = models.BooleanField("可由用人单位自主认定", default=True)
    needs_filing = models.BooleanField("自主认定须先备案", default=False)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["rank", "sort", "code"]
        verbose_name = verbose_name_plural = "人才层次"

    def __str__(self) -> str:
        return f"{self.code}类 {self.name}" if len(self.code) == 1 else self.name


class CatalogueItem(TimeStampedModel):
    """A condition of the catalogue a certification rests on (认定依据), e.g. "国家级领军人才"."""

    level = models.ForeignKey(
        TalentLevel, verbose_name="层次", on_delete=models.PROTECT, related_name="items"
    )
    code = models.CharField("条目编号", max_length=20, unique=True)
    text = models.CharField("认定条件", max_length=300)
    validity_years = models.PositiveSmallIntegerField(
        "证书有效期(年)", default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    valid_until = models.DateField("条目有效期至", null=True, blank=True, help_text="目录修订后旧条目停用")
    history = HistoricalRecords()

    class Meta:
        ordering = ["level__rank", "code"]
        verbose_name = verbose_name_plural = "人才目录条目"

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class IdKind(models.TextChoices):
    RESIDENT = "resident", "居民身份证"
    PASSPORT = "passport", "护照"


class Degree(models.TextChoices):
    DOCTOR = "doctor", "博士"
    MASTER = "master", "硕士"
    BACHELOR = "bachelor", "学士"
    COLLEGE = "college", "大专"
    OTHER = "other", "其他"


class Source(models.TextChoices):
    FULL_TIME = "full_time", "全职引进"
    FLEXIBLE = "flexible", "柔性引进"
    ENCLAVE = "enclave", "飞地引进"
    LOCAL = "local", "本土培养"


VIA_ENCLAVE_SOURCES = (Source.FLEXIBLE, Source.ENCLAVE)


class Person(TimeStampedModel):
    """One talent, one record (``id_hash`` is unique). The current employer is copied from Employment."""

    name = models.CharField("姓名", max_length=40, db_index=True)
    id_kind = models.CharField("证件类型", max_length=10, choices=IdKind.choices, default=IdKind.RESIDENT)
    id_hash = models.CharField("证件号查重值", max_length=64, unique=True, editable=False)
    id_cipher = models.TextField("证件号密文", editable=False)
    id_masked = models.CharField("证件号（脱敏）", max_length=24)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    degree = models.CharField("学历学位", max_length=10, choices=Degree.choices, blank=True)
    field = models.CharField("专业领域", max_length=80, blank=True)
    title = models.CharField("职称/职务", max_length=60, blank=True)
    source = models.CharField("来源", max_length=12, choices=Source.choices, db_index=True)
    enclave = models.ForeignKey(
        Enclave,
        verbose_name="引进飞地",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="talents",
    )
    # Denormalised from the open Employment so the list, the scope rule and the filters are one table.
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="现工作企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="talents",
    )
    employer_name = models.CharField("现工作单位", max_length=120, blank=True)
    township = models.ForeignKey(
        Township, verbose_name="所在镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_on = models.DateField("登记日期", default=dt.date.today, db_index=True)
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords(excluded_fields=PII_FIELDS)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = verbose_name_plural = "人才"
        indexes = [models.Index(fields=["township", "source"], name="talent_person_town_source")]

    def __str__(self) -> str:
        return self.name


class Employment(TimeStampedModel):
    """Where a person works (an enterprise, an institution or an enclave — exactly one) and since when."""

    person = models.ForeignKey(
        Person, verbose_name="人才", on_delete=models.CASCADE, related_name="employments"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name="高校院所",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enclave = models.ForeignKey(
        Enclave, verbose_name="飞地", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField("入职日期")
    until = models.DateField("离职日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "-since"]
        verbose_name = verbose_name_plural = "任职经历"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(enterprise__isnull=False, institution__isnull=True, enclave__isnull=True)
                    | Q(enterprise__isnull=True, institution__isnull=False, enclave__isnull=True)
                    | Q(enterprise__isnull=True, institution__isnull=True, enclave__isnull=False)
                ),
                name="talent_employment_one_employer",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")), name="talent_employment_period"
            ),
        ]

    @property
    def employer(self) -> Enterprise | Institution | Enclave | None:
        return self.enterprise or self.institution or self.enclave

    def __str__(self) -> str:
        return f"{self.person} @ {self.employer}"


class Authorization(TimeStampedModel):
    """The bureau lets an enterprise certify its own talents (自主认定) of some levels for a period."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="talent_authorizations"
    )
    valid_from = models.DateField("授权起始日期")
    valid_until = models.DateField("授权截止日期")
    levels = models.ManyToManyField(TalentLevel, verbose_name="可认定层次", related_name="+")
    active = models.BooleanField("有效", default=True)
    note = models.CharField("备注", max_length=200, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords(m2m_fields=[levels])

    class Meta:
        ordering = ["-valid_until", "pk"]
        verbose_name = verbose_name_plural = "自主认定授权"
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="talent_auth_period")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.valid_from}—{self.valid_until}"


class QuotaRule(TimeStampedModel):
    """Places per enterprise and year from last year's taxes: ``bands`` [[min_taxes_wan, places], …]."""

    name = models.CharField("规则名称", max_length=80)
    year = models.PositiveSmallIntegerField("适用年度", validators=[MinValueValidator(2000)])
    bands = models.JSONField("纳税档位 [[纳税额下限(万元), 名额], …]", default=list)
    cap = models.PositiveSmallIntegerField("单家企业名额上限", default=10)
    active = models.BooleanField("启用", default=True)
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = verbose_name_plural = "名额规则"

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"


class Quota(TimeStampedModel):
    """An enterprise's places for a year; ``used`` never passes ``places`` (checked by the database too).

    No history: ``used`` moves by conditional UPDATEs (the concurrency guard); the certifications holding
    places are the record of who used them."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    places = models.PositiveSmallIntegerField("名额")
    used = models.PositiveSmallIntegerField("已用", default=0)
    taxes_wan = models.DecimalField("上年纳税(万元)", max_digits=14, decimal_places=2, null=True, blank=True)
    rule = models.ForeignKey(
        QuotaRule, verbose_name="规则", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year", "enterprise"]
        verbose_name = verbose_name_plural = "自主认定名额"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="talent_quota_per_year"),
            models.CheckConstraint(condition=Q(used__lte=F("places")), name="talent_quota_not_exceeded"),
            models.CheckConstraint(condition=Q(used__gte=0), name="talent_quota_used_non_negative"),
        ]

    @property
    def left(self) -> int:
        return max(self.places - self.used, 0)

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}年 {self.used}/{self.places}"


class CertPath(models.TextChoices):
    BUREAU = "bureau", "科技局评审认定"
    SELF = "self", "用人单位自主认定"


class Status(models.TextChoices):
    SUBMITTED = "submitted", "受理待审"
    ACCEPTED = "accepted", "已受理"
    FIRST_REVIEW = "first_review", "初审通过"
    EXPERT_REVIEW = "expert_review", "专家评审"
    FILING = "filing_submitted", "备案中"
    PUBLICITY = "publicity", "公示中"
    ON_HOLD = "on_hold", "异议处理中"
    CERTIFIED = "certified", "已认定"
    REFUSED = "refused", "不予认定"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STATUSES = (
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.FIRST_REVIEW,
    Status.EXPERT_REVIEW,
    Status.FILING,
    Status.PUBLICITY,
    Status.ON_HOLD,
)


class Certification(TimeStampedModel):
    """One application for a level, by the bureau's review or an employer's self-certification."""

    person = models.ForeignKey(
        Person, verbose_name="人才", on_delete=models.PROTECT, related_name="certifications"
    )
    level = models.ForeignKey(TalentLevel, verbose_name="层次", on_delete=models.PROTECT, related_name="+")
    basis = models.ForeignKey(
        CatalogueItem, verbose_name="认定依据", on_delete=models.PROTECT, related_name="+"
    )
    path = models.CharField("认定方式", max_length=8, choices=CertPath.choices, db_index=True)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="申报/认定单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="talent_certifications",
    )
    employer_name = models.CharField("工作单位", max_length=120, blank=True)
    year = models.PositiveSmallIntegerField("申报年度", db_index=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, db_index=True)
    holds_place = models.BooleanField("占用名额", default=False)
    statement = models.TextField("申报说明", blank=True, max_length=5000)
    filing_note = models.CharField("备案意见", max_length=300, blank=True)
    review_note = models.CharField("审查意见", max_length=300, blank=True)
    review_score = models.DecimalField("专家评审均分", max_digits=5, decimal_places=2, null=True, blank=True)
    publicity_from = models.DateField("公示开始", null=True, blank=True)
    publicity_until = models.DateField("公示截止", null=True, blank=True)
    certificate_no = models.CharField("证书编号", max_length=24, unique=True, null=True, blank=True)
    valid_from = models.DateField("有效期起", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True, db_index=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decision_reason = models.CharField("决定理由", max_length=500, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申报人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_on = models.DateField("申报日期")
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_on", "-pk"]
        verbose_name = verbose_name_plural = "人才认定"
        indexes = [models.Index(fields=["status", "valid_until"], name="talent_cert_status_until")]

    def __str__(self) -> str:
        return f"{self.person} · {self.level}（{self.get_status_display()}）"

    def valid_on(self, day: dt.date) -> bool:
        return (
            self.status == Status.CERTIFIED
            and self.valid_from is not None
            and self.valid_until is not None
            and self.valid_from <= day <= self.valid_until
        )


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"talents/evidence/{instance.certification_id}/{filename}"


class Evidence(TimeStampedModel):
    certification = models.ForeignKey(
        Certification, verbose_name="认定申请", on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField("文件", upload_to=evidence_path)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小(字节)", default=0)

    class Meta:
        ordering = ["certification", "pk"]
        verbose_name = verbose_name_plural = "证明材料"

    def __str__(self) -> str:
        return self.name


class ExpertScore(TimeStampedModel):
    """A reviewer assigned to a bureau-path certification and (once scored) their score."""

    certification = models.ForeignKey(
        Certification, verbose_name="认定申请", on_delete=models.CASCADE, related_name="scores"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评审专家", on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        "评分", null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    comment = models.CharField("评审意见", max_length=500, blank=True)
    conflict_declared = models.BooleanField("声明利益冲突", default=False)
    scored_on = models.DateField("评分日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["certification", "pk"]
        verbose_name = verbose_name_plural = "专家评分"
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "reviewer"], name="talent_one_score_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="talent_score_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certification_id} · {self.reviewer_id}: {self.score}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "待处理"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


class Objection(TimeStampedModel):
    certification = models.ForeignKey(
        Certification, verbose_name="认定", on_delete=models.CASCADE, related_name="objections"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="异议人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField("异议理由", max_length=2000)
    filed_on = models.DateField("提出日期")
    status = models.CharField(
        "处理状态", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_on = models.DateField("处理日期", null=True, blank=True)
    decision_note = models.CharField("处理意见", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-filed_on", "-pk"]
        verbose_name = verbose_name_plural = "公示异议"

    def __str__(self) -> str:
        return f"{self.certification_id} 异议（{self.get_status_display()}）"


class CertificateCounter(models.Model):
    """The last certificate number issued in a year (JJRC-2025-000123); bumped by a conditional UPDATE."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    last = models.PositiveIntegerField("已发证书序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "证书编号序列"

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
