"""Tech finance (科技金融): fund profiles and investments, bank credit products, financing requests, loans,
interest subsidies (贴息) and the risk-compensation pool (风险补偿资金池).

A financing request is a demands.Demand of type "financing" plus the money facts below, so routing to banks
and funds, deadlines, acknowledgements and feedback are the demands app's. Every money record keeps its
history; amounts are in 万元. Writes go through ``services``, which refuse what the records forbid (a loan
above a product's limit, a compensation beyond what is left in the pool) with nothing written.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from kechuang.core.models import TimeStampedModel
from kechuang.demands.models import Demand
from kechuang.events.models import InvestorInterest
from kechuang.orgs.models import Enterprise, Fund, Investor


def wan(label: str) -> models.DecimalField:
    """A required non-negative amount in 万元."""
    return models.DecimalField(
        label, max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )


def pct(label: str) -> models.DecimalField:
    """A percentage such as an annual rate (3.45 means 3.45%)."""
    return models.DecimalField(
        label,
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )


class FundTier(models.TextChoices):
    PARENT = "parent", "母基金"
    GUIDANCE = "guidance", "政府引导基金"
    PARTNER = "partner", "合作子基金"


class FundProfile(TimeStampedModel):
    """What the registry's Fund lacks for the county's fund system: its tier, manager and parent fund."""

    fund = models.OneToOneField(Fund, verbose_name="基金", on_delete=models.CASCADE, related_name="profile")
    tier = models.CharField("层级", max_length=10, choices=FundTier.choices)
    manager = models.CharField("基金管理人", max_length=120, blank=True)
    established_on = models.DateField("设立日期", null=True, blank=True)
    parent = models.ForeignKey(
        Fund,
        verbose_name="上级母基金",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="child_profiles",
    )
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["tier", "fund__name"]
        verbose_name = verbose_name_plural = "基金档案"
        constraints = [models.CheckConstraint(condition=~Q(parent=F("fund")), name="fund_not_own_parent")]

    def __str__(self) -> str:
        return f"{self.fund}（{self.get_tier_display()}）"


class FundInvestment(TimeStampedModel):
    """An investment a fund made in an enterprise; from a roadshow interest it links it, not retyped."""

    fund = models.ForeignKey(Fund, verbose_name="基金", on_delete=models.PROTECT, related_name="investments")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="被投企业", on_delete=models.PROTECT, related_name="fund_investments"
    )
    amount_wan = wan("投资金额(万元)")
    invested_on = models.DateField("投资日期")
    round = models.CharField("轮次", max_length=10, choices=InvestorInterest.Round.choices, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    interest = models.OneToOneField(
        InvestorInterest,
        verbose_name="来自路演投资意向",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fund_investment",
    )
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-invested_on", "-pk"]
        verbose_name = verbose_name_plural = "基金投资"
        constraints = [models.CheckConstraint(condition=Q(amount_wan__gt=0), name="fund_investment_positive")]

    def __str__(self) -> str:
        return f"{self.fund} → {self.enterprise} {self.amount_wan}万元"


class ProductKind(models.TextChoices):
    TECH = "tech", "科技贷"
    IP = "ip", "知识产权质押贷"
    TALENT = "talent", "人才贷"
    OTHER = "other", "其他"


class CreditProduct(TimeStampedModel):
    """A bank's credit product; ``eligibility`` is a condition in the policy rule language."""

    bank = models.ForeignKey(
        Investor,
        verbose_name="银行",
        on_delete=models.PROTECT,
        related_name="credit_products",
        limit_choices_to={"kind": "bank"},
    )
    name = models.CharField("产品名称", max_length=120)
    kind = models.CharField("产品类型", max_length=10, choices=ProductKind.choices)
    max_amount_wan = wan("单户最高额度(万元)")
    rate_pct = pct("年利率(%)")
    max_term_months = models.PositiveSmallIntegerField("最长期限(月)", validators=[MinValueValidator(1)])
    terms = models.TextField("产品说明", blank=True, max_length=5000)
    eligibility = models.TextField(
        "准入条件",
        blank=True,
        max_length=2000,
        help_text="政策规则语言的条件表达式，如 holds('high_tech') and revenue >= 2000；"
        "多项用 and 连接，留空为不限",
    )
    is_active = models.BooleanField("在售", default=True)
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["bank", "name"]
        verbose_name = verbose_name_plural = "信贷产品"
        constraints = [
            models.UniqueConstraint(fields=["bank", "name"], name="credit_product_name_per_bank"),
            models.CheckConstraint(condition=Q(max_amount_wan__gt=0), name="credit_product_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.bank} {self.name}"


class LoanUse(models.TextChoices):
    WORKING_CAPITAL = "working_capital", "流动资金"
    EQUIPMENT = "equipment", "设备购置"
    RD = "rd", "研发投入"
    PLANT = "plant", "厂房建设"
    OTHER = "other", "其他"


class Collateral(models.TextChoices):
    NONE = "none", "无"
    IP_PLEDGE = "ip_pledge", "知识产权质押"
    PROPERTY = "property", "房产抵押"
    EQUIPMENT = "equipment", "设备抵押"
    GUARANTEE = "guarantee", "担保"
    CREDIT = "credit", "信用"


class Channel(models.TextChoices):
    LOAN = "loan", "银行贷款"
    EQUITY = "equity", "股权融资"
    EITHER = "either", "均可"


class FinancingRequest(TimeStampedModel):
    """The money facts of a financing demand; the demand itself (routing, deadlines) is a Demand."""

    demand = models.OneToOneField(
        Demand, verbose_name="融资需求", on_delete=models.CASCADE, related_name="financing"
    )
    # Denormalised from the demand so scope filters are one-table queries.
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="financing_requests"
    )
    amount_wan = wan("融资金额(万元)")
    use = models.CharField("资金用途", max_length=16, choices=LoanUse.choices)
    term_months = models.PositiveSmallIntegerField(
        "期限(月)", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(360)]
    )
    collateral = models.CharField("担保方式", max_length=10, choices=Collateral.choices)
    channel = models.CharField("意向渠道", max_length=8, choices=Channel.choices, default=Channel.LOAN)
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "融资需求"
        constraints = [
            models.CheckConstraint(condition=Q(amount_wan__gt=0), name="financing_amount_positive")
        ]

    def __str__(self) -> str:
        return self.demand.title


class LoanStatus(models.TextChoices):
    ACTIVE = "active", "放款"
    REPAID = "repaid", "结清"
    DEFAULTED = "defaulted", "违约"


class Loan(TimeStampedModel):
    financing_request = models.ForeignKey(
        FinancingRequest,
        verbose_name="融资需求",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="loans",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="借款企业", on_delete=models.PROTECT, related_name="loans"
    )
    product = models.ForeignKey(
        CreditProduct, verbose_name="信贷产品", on_delete=models.PROTECT, related_name="loans"
    )
    amount_wan = wan("贷款金额(万元)")
    rate_pct = pct("年利率(%)")
    term_months = models.PositiveSmallIntegerField("期限(月)", validators=[MinValueValidator(1)])
    granted_on = models.DateField("放款日期")
    status = models.CharField("状态", max_length=10, choices=LoanStatus.choices, default=LoanStatus.ACTIVE)
    repaid_on = models.DateField("结清日期", null=True, blank=True)
    defaulted_on = models.DateField("违约日期", null=True, blank=True)
    default_amount_wan = models.DecimalField(
        "违约金额(万元)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_on", "-pk"]
        verbose_name = verbose_name_plural = "贷款"
        indexes = [models.Index(fields=["status", "granted_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount_wan__gt=0), name="loan_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="defaulted") | Q(defaulted_on__isnull=False, default_amount_wan__gt=0),
                name="loan_default_has_date_and_amount",
            ),
            models.CheckConstraint(
                condition=Q(default_amount_wan__isnull=True) | Q(default_amount_wan__lte=F("amount_wan")),
                name="loan_default_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.product.name} {self.amount_wan}万元"


class SubsidyStatus(models.TextChoices):
    APPROVED = "approved", "已批准"
    PAID = "paid", "已拨付"


class InterestSubsidy(TimeStampedModel):
    """贴息: part of a loan's interest paid by the county; amount = 本金 × 贴息率 × 月数/12, capped."""

    loan = models.OneToOneField(Loan, verbose_name="贷款", on_delete=models.PROTECT, related_name="subsidy")
    rate_pct = pct("贴息率(%)")
    months = models.PositiveSmallIntegerField("贴息月数", validators=[MinValueValidator(1)])
    cap_wan = models.DecimalField(
        "单笔贴息上限(万元)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    amount_wan = wan("贴息金额(万元)")
    approved_on = models.DateField("批准日期")
    status = models.CharField(
        "状态", max_length=10, choices=SubsidyStatus.choices, default=SubsidyStatus.APPROVED
    )
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-approved_on", "-pk"]
        verbose_name = verbose_name_plural = "贷款贴息"

    def __str__(self) -> str:
        return f"{self.loan} 贴息 {self.amount_wan}万元"


class RiskPool(TimeStampedModel):
    """风险补偿资金池: compensates banks a share of defaulted loans until the pool is used up."""

    name = models.CharField("资金池名称", max_length=120, unique=True)
    size_wan = wan("资金池规模(万元)")
    share_pct = pct("补偿比例(%)")
    banks = models.ManyToManyField(
        Investor,
        verbose_name="合作银行",
        blank=True,
        related_name="risk_pools",
        limit_choices_to={"kind": "bank"},
        help_text="不选则所有银行的贷款均可申请补偿",
    )
    established_on = models.DateField("设立日期", null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords(m2m_fields=[banks])

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "风险补偿资金池"
        constraints = [models.CheckConstraint(condition=Q(size_wan__gt=0), name="risk_pool_size_positive")]

    def __str__(self) -> str:
        return self.name


class Compensation(TimeStampedModel):
    """A payment from the pool for one defaulted loan: 违约金额 × 补偿比例."""

    pool = models.ForeignKey(
        RiskPool, verbose_name="资金池", on_delete=models.PROTECT, related_name="compensations"
    )
    loan = models.OneToOneField(
        Loan, verbose_name="违约贷款", on_delete=models.PROTECT, related_name="compensation"
    )
    amount_wan = wan("补偿金额(万元)")
    paid_on = models.DateField("补偿日期")
    note = models.CharField("说明", max_length=500, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-paid_on", "-pk"]
        verbose_name = verbose_name_plural = "风险补偿"
        constraints = [models.CheckConstraint(condition=Q(amount_wan__gt=0), name="compensation_positive")]

    def __str__(self) -> str:
        return f"{self.pool} → {self.loan} {self.amount_wan}万元"
