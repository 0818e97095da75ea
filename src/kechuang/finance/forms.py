"""Finance forms: shapes and choices only; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from kechuang.core.validators import validate_phone
from kechuang.events.models import InvestorInterest
from kechuang.finance.models import Channel, Collateral, FundTier, LoanUse, ProductKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # HTML date inputs need ISO dates


def _wan(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=required,
        error_messages={"min_value": f"{label}不能为负数", "invalid": f"{label}应为数字，例如 120.5"},
    )


def _pct(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=100,
        max_digits=6,
        decimal_places=3,
        required=required,
        error_messages={"invalid": f"{label}应为数字，例如 3.45", "max_value": f"{label}不能超过 100"},
    )


def _date(label: str, *, required: bool = True, today: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DATE,
        required=required,
        initial=timezone.localdate if today else None,
        error_messages={"invalid": f"{label}格式应为 年-月-日"},
    )


def _months(label: str, *, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=360,
        required=required,
        error_messages={"invalid": f"{label}应为整数（月）", "min_value": f"{label}至少 1 个月"},
    )


class _Labelled(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class FinancingForm(forms.Form):
    title = forms.CharField(label="需求名称", max_length=120)
    description = forms.CharField(
        label="融资用途说明", max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    amount_wan = _wan("融资金额(万元)")
    use = forms.ChoiceField(label="资金用途", choices=[("", "请选择"), *LoanUse.choices])
    term_months = _months("期限(月)", required=False)
    collateral = forms.ChoiceField(label="担保方式", choices=[("", "请选择"), *Collateral.choices])
    channel = forms.ChoiceField(label="意向融资渠道", choices=Channel.choices, initial=Channel.LOAN)
    contact_name = forms.CharField(label="联系人", max_length=40, required=False)
    contact_phone = forms.CharField(
        label="联系电话", max_length=20, required=False, validators=[validate_phone]
    )


class RouteForm(forms.Form):
    investors: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label="分派给银行/投资机构",
        queryset=None,  # type: ignore[arg-type]
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label="分派说明", max_length=500, required=False)

    def __init__(self, *args: Any, investors: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["investors"].queryset = investors  # type: ignore[attr-defined]


class GrantForm(forms.Form):
    product = _Labelled(label="信贷产品", queryset=None, empty_label="请选择")  # type: ignore[arg-type]
    amount_wan = _wan("贷款金额(万元)")
    rate_pct = _pct("年利率(%)", required=False)
    term_months = _months("期限(月)")
    granted_on = _date("放款日期")

    def __init__(self, *args: Any, products: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products  # type: ignore[attr-defined]
        self.fields["rate_pct"].help_text = "留空则按产品年利率"


class DefaultForm(forms.Form):
    defaulted_on = _date("违约日期")
    default_amount_wan = _wan("违约金额(万元)")


class SubsidyForm(forms.Form):
    rate_pct = _pct("贴息率(%)")
    months = _months("贴息月数", required=False)
    cap_wan = _wan("单笔贴息上限(万元)", required=False)
    approved_on = _date("批准日期")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["months"].help_text = "留空则按贷款期限"
        self.fields["cap_wan"].help_text = "留空为不设上限"


class CompensationForm(forms.Form):
    loan = _Labelled(label="违约贷款", queryset=None, empty_label="请选择")  # type: ignore[arg-type]
    paid_on = _date("补偿日期")
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args: Any, loans: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["loan"].queryset = loans  # type: ignore[attr-defined]


class ProductForm(forms.Form):
    bank = _Labelled(label="银行", queryset=None, empty_label="请选择")  # type: ignore[arg-type]
    name = forms.CharField(label="产品名称", max_length=120)
    kind = forms.ChoiceField(label="产品类型", choices=[("", "请选择"), *ProductKind.choices])
    max_amount_wan = _wan("单户最高额度(万元)")
    rate_pct = _pct("年利率(%)")
    max_term_months = _months("最长期限(月)")
    terms = forms.CharField(
        label="产品说明", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    eligibility = forms.CharField(
        label="准入条件（规则表达式）",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如 holds('high_tech') and revenue >= 2000；可用 revenue、rd_spend、employees、"
        "invention_patents、years_registered() 等；留空为不限",
    )
    is_active = forms.BooleanField(label="在售", required=False, initial=True)

    def __init__(self, *args: Any, banks: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = banks  # type: ignore[attr-defined]


class FundForm(forms.Form):
    investor = _Labelled(label="管理机构", queryset=None, empty_label="请选择")  # type: ignore[arg-type]
    name = forms.CharField(label="基金名称", max_length=120)
    tier = forms.ChoiceField(label="层级", choices=[("", "请选择"), *FundTier.choices])
    size_wan = _wan("规模(万元)", required=False)
    focus = forms.CharField(label="投向", max_length=200, required=False)
    manager = forms.CharField(label="基金管理人", max_length=120, required=False)
    established_on = _date("设立日期", required=False, today=False)
    parent = _Labelled(label="上级母基金", queryset=None, required=False, empty_label="无")  # type: ignore[arg-type]

    def __init__(self, *args: Any, investors: QuerySet[Any], parents: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["investor"].queryset = investors  # type: ignore[attr-defined]
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class InterestChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, InvestorInterest)
        parties = f"{obj.investor.organization} → {obj.presenter.organization}"
        return f"{obj.event} · {parties} {obj.invested_amount}万元"


class InvestmentForm(forms.Form):
    interest = InterestChoice(
        label="来自路演投资意向（已投资）",
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label="不关联，手工登记",
    )
    enterprise = forms.CharField(
        label="被投企业（统一社会信用代码或企业全称）", max_length=120, required=False
    )
    amount_wan = _wan("投资金额(万元)", required=False)
    invested_on = _date("投资日期")
    round = forms.ChoiceField(
        label="轮次", choices=[("", "—"), *InvestorInterest.Round.choices], required=False
    )
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args: Any, interests: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["interest"].queryset = interests  # type: ignore[attr-defined]
        self.fields["interest"].help_text = "选择后企业、金额和轮次取自投资意向，无需重复填写"
