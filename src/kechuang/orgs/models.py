"""The county's innovation actors: organisations, enterprises and their figures, institutions, experts,
investors and funds, enclaves, townships and industry-chain tags.

Every model keeps full history (django-simple-history: who, when, what) and registry rows are soft
deleted, so nothing typed into the registry is ever lost.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from kechuang.core.models import SoftDeleteModel, TimeStampedModel
from kechuang.core.validators import validate_credit_code, validate_phone
from kechuang.orgs.choices import (
    EnclaveModel,
    InstitutionCategory,
    InvestorKind,
    Level,
    OrgKind,
    QualificationKind,
    TownshipKind,
)


def money(label: str) -> models.DecimalField:
    """An optional non-negative amount in 万元."""
    return models.DecimalField(
        label,
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )


class Township(TimeStampedModel):
    """One of the county's 镇街; township officers are scoped to one."""

    name = models.CharField("名称", max_length=40, unique=True)
    kind = models.CharField("类型", max_length=12, choices=TownshipKind.choices)
    code = models.CharField("区划代码", max_length=12, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = verbose_name_plural = "镇街"

    def __str__(self) -> str:
        return self.name


class IndustryChainTag(TimeStampedModel):
    """The county's key industry chains (configurable), e.g. 鞋服, 纺织, 集成电路."""

    name = models.CharField("产业链", max_length=40, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = verbose_name_plural = "产业链标签"

    def __str__(self) -> str:
        return self.name


class Organization(SoftDeleteModel):
    """Any legal entity: enterprise, institution, investor, operator."""

    kind = models.CharField("主体类型", max_length=16, choices=OrgKind.choices, db_index=True)
    name = models.CharField("名称", max_length=120, db_index=True)
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code]
    )
    township = models.ForeignKey(
        Township, verbose_name="所在镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=40, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])
    contact_email = models.EmailField("电子邮箱", blank=True)
    website = models.URLField("网址", blank=True)
    description = models.TextField("简介", blank=True, max_length=5000)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "组织机构"
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code="") & Q(deleted_at__isnull=True),
                name="org_unique_live_credit_code",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Enterprise(SoftDeleteModel):
    """An enterprise's profile; its identity (name, code, township) lives on its Organization."""

    organization = models.OneToOneField(
        Organization, verbose_name="主体", on_delete=models.PROTECT, related_name="enterprise"
    )
    # Denormalised from the organisation so scope filters and dashboards are one-table queries.
    township = models.ForeignKey(
        Township, verbose_name="所在镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    industry_code = models.CharField("行业代码(GB/T 4754)", max_length=4, blank=True, db_index=True)
    chains = models.ManyToManyField(IndustryChainTag, verbose_name="产业链", blank=True)
    is_above_scale = models.BooleanField("规上企业", default=False, db_index=True)
    employees = models.PositiveIntegerField(
        "从业人员", null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    tech_staff = models.PositiveIntegerField(
        "科技人员", null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    founded_on = models.DateField("成立日期", null=True, blank=True)
    main_products = models.CharField("主营产品", max_length=200, blank=True)
    # Read by the policy rules (高企 第十一条 (三)、(七)); unknown until someone states them.
    in_supported_field = models.BooleanField(
        "核心技术属于国家重点支持的高新技术领域", null=True, blank=True, default=None
    )
    innovation_score = models.PositiveSmallIntegerField(
        "创新能力评价得分（自评）", null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    history = HistoricalRecords(m2m_fields=[chains])

    class Meta:
        ordering = ["organization__name"]
        verbose_name = verbose_name_plural = "企业"

    def __str__(self) -> str:
        return self.organization.name


class EnterpriseYearFigure(TimeStampedModel):
    """One year of an enterprise's figures (amounts in 万元); the time series behind the dashboard."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="figures")
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)], db_index=True
    )
    revenue = money("营业收入(万元)")
    rd_spend = money("研发投入(万元)")
    hightech_revenue = money("高新技术产品收入(万元)")
    has_rd_activity = models.BooleanField("有研发活动", default=False)
    invention_patents = models.PositiveIntegerField("发明专利(件)", default=0)
    utility_patents = models.PositiveIntegerField("实用新型专利(件)", default=0)
    design_patents = models.PositiveIntegerField("外观设计专利(件)", default=0)
    software_copyrights = models.PositiveIntegerField("软件著作权(件)", default=0)
    # From the tax and statistics departments' yearly files; the policy rules read them.
    rd_spend_domestic = money("境内研发费用(万元)")
    total_assets = money("资产总额(万元)")
    total_cost = money("成本费用总额(万元)")
    taxes_paid = money("纳税总额(万元)")
    employees = models.PositiveIntegerField(
        "职工总数(人)", null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    tech_staff = models.PositiveIntegerField(
        "科技人员(人)", null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    # Compliance for the year, as the departments report it: None = not reported, never "clean".
    major_incident = models.BooleanField("重大安全、质量事故或严重环境违法", null=True, blank=True)
    research_misconduct = models.BooleanField("科研严重失信行为", null=True, blank=True)
    abnormal_listed = models.BooleanField("列入经营异常名录或严重违法失信名单", null=True, blank=True)
    restricted_products = models.BooleanField("产品属于禁止、限制和淘汰类", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["enterprise", "-year"]
        verbose_name = verbose_name_plural = "企业年度数据"
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="figure_unique_year")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}年"


class Qualification(TimeStampedModel):
    """A qualification or honour (高新技术企业, 专精特新, 企业技术中心 …) with level, issuer and validity."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField("资质/荣誉", max_length=32, choices=QualificationKind.choices, db_index=True)
    level = models.CharField("级别", max_length=12, choices=Level.choices, blank=True)
    issuer = models.CharField("认定机关", max_length=80, blank=True)
    certificate_no = models.CharField("证书编号", max_length=60, blank=True)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization", "kind"]
        verbose_name = verbose_name_plural = "资质荣誉"

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_kind_display()}"


class Institution(SoftDeleteModel):
    """A university, research institute, new-type R&D institution, platform or incubator."""

    organization = models.OneToOneField(
        Organization, verbose_name="主体", on_delete=models.PROTECT, related_name="institution"
    )
    category = models.CharField("类别", max_length=24, choices=InstitutionCategory.choices)
    level = models.CharField("级别", max_length=12, choices=Level.choices, blank=True)
    disciplines = models.CharField("优势学科/方向", max_length=300, blank=True)
    city = models.CharField("所在城市", max_length=40, blank=True)
    in_county = models.BooleanField("落地本县", default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization__name"]
        verbose_name = verbose_name_plural = "高校院所"

    def __str__(self) -> str:
        return self.organization.name


class Expert(SoftDeleteModel):
    """A person whose knowledge can be matched to demands; their papers/achievements make the profile."""

    name = models.CharField("姓名", max_length=40, db_index=True)
    institution = models.ForeignKey(
        Institution,
        verbose_name="所在单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="experts",
    )
    title = models.CharField("职称", max_length=40, blank=True)
    fields = models.CharField("研究领域", max_length=300, blank=True)
    bio = models.TextField("简介", blank=True, max_length=5000)
    publications = models.TextField("代表性成果/论文（每行一项）", blank=True, max_length=20000)
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField("电子邮箱", blank=True)
    is_tech_commissioner = models.BooleanField("科技特派员", default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "专家"

    def __str__(self) -> str:
        return self.name


class Investor(SoftDeleteModel):
    """An investment institution, bank or guidance fund manager."""

    organization = models.OneToOneField(
        Organization, verbose_name="主体", on_delete=models.PROTECT, related_name="investor"
    )
    kind = models.CharField("类型", max_length=12, choices=InvestorKind.choices)
    focus_industries = models.CharField("关注领域", max_length=200, blank=True)
    focus_stages = models.CharField("投资阶段", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization__name"]
        verbose_name = verbose_name_plural = "投资机构"

    def __str__(self) -> str:
        return self.organization.name


class Fund(TimeStampedModel):
    investor = models.ForeignKey(
        Investor, verbose_name="管理机构", on_delete=models.CASCADE, related_name="funds"
    )
    name = models.CharField("基金名称", max_length=120)
    size = money("规模(万元)")
    is_government_guided = models.BooleanField("政府引导基金", default=False)
    focus = models.CharField("投向", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["investor", "name"]
        verbose_name = verbose_name_plural = "基金"

    def __str__(self) -> str:
        return self.name


class Enclave(SoftDeleteModel):
    """An innovation enclave (创新飞地) in another city, run by an operator under contract."""

    name = models.CharField("名称", max_length=80, unique=True)
    city = models.CharField("所在城市", max_length=40)
    host_site = models.CharField("载体/场地", max_length=120, blank=True)
    operator = models.ForeignKey(
        Organization,
        verbose_name="运营机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operated_enclaves",
    )
    model = models.CharField("飞地模式", max_length=12, choices=EnclaveModel.choices)
    opened_on = models.DateField("启用日期", null=True, blank=True)
    focus_industries = models.CharField("重点产业", max_length=200, blank=True)
    partner_institutions = models.ManyToManyField(Institution, verbose_name="合作高校院所", blank=True)
    description = models.TextField("简介", blank=True, max_length=5000)
    history = HistoricalRecords(m2m_fields=[partner_institutions])

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "创新飞地"

    def __str__(self) -> str:
        return self.name


class ImportBatch(TimeStampedModel):
    """One Excel/CSV upload: previewed first, committed atomically, kept as import history."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "已预检"
        COMMITTED = "committed", "已导入"
        REJECTED = "rejected", "有错误未导入"

    kind = models.CharField("导入类型", max_length=16)
    filename = models.CharField("文件名", max_length=200)
    stored_file = models.FileField("文件", upload_to="imports/%Y/%m/")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PREVIEWED)
    uploaded_by = models.ForeignKey(
        "auth.User", verbose_name="导入人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    error_count = models.PositiveIntegerField("错误行", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True)
    committed_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "导入记录"

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"
