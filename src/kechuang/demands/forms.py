"""Demand forms: shapes only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from kechuang.core.validators import validate_phone
from kechuang.demands.choices import (
    CloseReason,
    Confidentiality,
    ContractType,
    CooperationMode,
    DemandType,
    Maturity,
    RejectReason,
)
from kechuang.demands.models import Campaign
from kechuang.demands.services import DemandData, ResponseData
from kechuang.orgs.models import IndustryChainTag

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # HTML date inputs need ISO dates


class DemandForm(forms.Form):
    enterprise_code = forms.CharField(
        label="需求企业（统一社会信用代码或企业全称）",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"list": "my-enterprises"}),  # the page's datalist of the user's firms
    )
    title = forms.CharField(label="需求名称", max_length=120)
    demand_type = forms.ChoiceField(label="需求类型", choices=DemandType.choices)
    description = forms.CharField(
        label="需求描述（要解决的问题、现状、难点）",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    indicators = forms.CharField(
        label="技术指标要求", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    chain = forms.ModelChoiceField(label="产业链", queryset=IndustryChainTag.objects.all(), required=False)
    industry_code = forms.CharField(label="行业代码（默认取企业行业）", max_length=4, required=False)
    budget_min = forms.DecimalField(
        label="预算下限(万元)", min_value=0, max_digits=12, decimal_places=2, required=False
    )
    budget_max = forms.DecimalField(
        label="预算上限(万元)", min_value=0, max_digits=12, decimal_places=2, required=False
    )
    deadline = forms.DateField(label="期望完成时间", required=False, widget=DATE)
    cooperation_modes = forms.MultipleChoiceField(
        label="合作方式", choices=CooperationMode.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    contact_name = forms.CharField(label="联系人", max_length=40, required=False)
    contact_phone = forms.CharField(
        label="联系电话", max_length=20, required=False, validators=[validate_phone]
    )
    confidentiality = forms.ChoiceField(
        label="公开方式",
        choices=Confidentiality.choices,
        initial=Confidentiality.PRIVATE,
        help_text="不公开：仅科技局、本企业、所在镇街和被分派对象可见",
    )
    public_summary = forms.CharField(
        label="公开摘要（不含企业名称和敏感信息）",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    summary_approved = forms.BooleanField(label="本企业确认上述摘要可以公开", required=False)
    campaign = forms.ModelChoiceField(label="所属征集活动", queryset=Campaign.objects.all(), required=False)
    attachment = forms.FileField(label="附件（可选，≤ 10 MB）", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, fixed_enterprise: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_enterprise:
            del self.fields["enterprise_code"]

    def to_data(self) -> DemandData:
        d = self.cleaned_data
        return DemandData(
            title=d["title"],
            description=d["description"],
            demand_type=d["demand_type"],
            industry_code=d["industry_code"],
            chain_id=d["chain"].pk if d["chain"] else None,
            indicators=d["indicators"],
            budget_min=d["budget_min"],
            budget_max=d["budget_max"],
            deadline=d["deadline"],
            cooperation_modes=list(d["cooperation_modes"]),
            contact_name=d["contact_name"],
            contact_phone=d["contact_phone"],
            confidentiality=d["confidentiality"],
            public_summary=d["public_summary"],
            summary_approved=d["summary_approved"],
            campaign_id=d["campaign"].pk if d["campaign"] else None,
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因/说明", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label="不予受理原因", choices=RejectReason.choices)
    note = forms.CharField(label="补充说明", max_length=2000, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AcceptForm(forms.Form):
    comment = forms.CharField(label="受理意见", max_length=2000, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MergeForm(forms.Form):
    into = forms.IntegerField(label="合并到需求编号", min_value=1)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label="关闭原因", choices=CloseReason.choices)
    note = forms.CharField(
        label="说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ResponseForm(forms.Form):
    approach = forms.CharField(
        label="解决思路/技术方案", max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    team = forms.CharField(label="团队与依托平台", max_length=3000, widget=forms.Textarea(attrs={"rows": 2}))
    maturity = forms.TypedChoiceField(label="技术成熟度", choices=Maturity.choices, coerce=int)
    duration_months = forms.IntegerField(label="预计周期(月)", min_value=1, max_value=120)
    cost_estimate = forms.DecimalField(
        label="费用估算(万元)", min_value=0, max_digits=12, decimal_places=2, required=False
    )
    references = forms.CharField(
        label="成功案例/参考", max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def to_data(self) -> ResponseData:
        return ResponseData(**self.cleaned_data)


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="评分", choices=[(i, f"{i}星") for i in range(5, 0, -1)], coerce=int
    )
    reason = forms.CharField(label="理由", max_length=500, required=False)


class MeetingForm(forms.Form):
    met_on = forms.DateField(label="对接日期", initial=timezone.localdate, widget=DATE)
    place = forms.CharField(label="地点/方式", max_length=120, required=False)
    attendees = forms.CharField(label="参加人员", max_length=300, required=False)
    notes = forms.CharField(label="对接纪要", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ContractForm(forms.Form):
    contract_type = forms.ChoiceField(label="合同类型", choices=ContractType.choices)
    amount = forms.DecimalField(label="合同金额(万元)", min_value=0, max_digits=12, decimal_places=2)
    signed_on = forms.DateField(label="签订日期", initial=timezone.localdate, widget=DATE)
    counterparty = forms.CharField(label="合同相对方", max_length=120)
    registration_no = forms.CharField(label="技术合同登记号", max_length=40, required=False)
    response = forms.IntegerField(widget=forms.HiddenInput, required=False)


class LandingForm(forms.Form):
    name = forms.CharField(label="落地项目名称", max_length=120)
    landed_on = forms.DateField(label="落地日期", initial=timezone.localdate, widget=DATE)
    investment = forms.DecimalField(
        label="投资额(万元)", min_value=0, max_digits=12, decimal_places=2, required=False
    )
    description = forms.CharField(
        label="项目说明", max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InterestForm(forms.Form):
    note = forms.CharField(label="说明（可承接的方向、联系方式等）", max_length=500, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label="附件（≤ 10 MB）", error_messages={"empty": "附件为空"})


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "title",
            "description",
            "chains",
            "townships",
            "opens_on",
            "deadline",
            "target_per_township",
        ]
        widgets = {
            "opens_on": DATE,
            "deadline": DATE,
            "chains": forms.CheckboxSelectMultiple,
            "townships": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opens_on") and data.get("deadline") and data["deadline"] < data["opens_on"]:
            self.add_error("deadline", "截止日期不能早于开始日期")
        return data


class VisitForm(forms.Form):
    enterprise_code = forms.CharField(label="走访企业（统一社会信用代码或企业全称）", max_length=120)
    visited_on = forms.DateField(label="走访日期", initial=timezone.localdate, widget=DATE)
    demands_found = forms.IntegerField(label="发现需求数", min_value=0, max_value=100, initial=0)
    notes = forms.CharField(
        label="走访记录", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
