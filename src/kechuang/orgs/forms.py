"""Forms only validate shapes; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms

from kechuang.core.validators import credit_code_error, validate_phone
from kechuang.orgs.choices import Level, QualificationKind
from kechuang.orgs.imports import SPECS
from kechuang.orgs.industries import industry_code_error
from kechuang.orgs.models import Enclave, EnterpriseYearFigure, Expert, IndustryChainTag, Township
from kechuang.orgs.services import EnterpriseData


class EnterpriseForm(forms.Form):
    name = forms.CharField(label="企业名称", max_length=120)
    credit_code = forms.CharField(
        label="统一社会信用代码", max_length=30, help_text="18位，如 91350582MA2XXXXXXX"
    )
    township = forms.ModelChoiceField(
        label="所在镇街", queryset=Township.objects.all(), required=False, empty_label="请选择"
    )
    address = forms.CharField(label="地址", max_length=200, required=False)
    contact_name = forms.CharField(label="联系人", max_length=40, required=False)
    contact_phone = forms.CharField(
        label="联系电话", max_length=20, required=False, validators=[validate_phone]
    )
    contact_email = forms.EmailField(label="电子邮箱", required=False)
    industry_code = forms.CharField(label="行业代码(GB/T 4754-2017)", max_length=4, required=False)
    is_above_scale = forms.BooleanField(label="规上企业", required=False)
    employees = forms.IntegerField(label="从业人员", min_value=0, max_value=1_000_000, required=False)
    tech_staff = forms.IntegerField(label="科技人员", min_value=0, max_value=1_000_000, required=False)
    founded_on = forms.DateField(
        label="成立日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    main_products = forms.CharField(label="主营产品", max_length=200, required=False)
    in_supported_field = forms.NullBooleanField(
        label="核心技术属于《国家重点支持的高新技术领域》",
        required=False,
        help_text="未确认时，高企认定第十一条（三）显示为“无法判断”",
    )
    innovation_score = forms.IntegerField(
        label="创新能力评价得分（自评，0–100）", min_value=0, max_value=100, required=False
    )
    chains = forms.ModelMultipleChoiceField(
        label="产业链",
        queryset=IndustryChainTag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label="企业简介", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    reason = forms.CharField(label="修改说明", max_length=200, required=False)

    def clean_credit_code(self) -> str:
        value = self.cleaned_data["credit_code"]
        if error := credit_code_error(value):
            raise forms.ValidationError(error)
        return value

    def clean_industry_code(self) -> str:
        value = self.cleaned_data["industry_code"].strip()
        if error := industry_code_error(value):
            raise forms.ValidationError(error)
        return value

    def to_data(self) -> EnterpriseData:
        d = self.cleaned_data
        return EnterpriseData(
            name=d["name"],
            credit_code=d["credit_code"],
            township=d["township"],
            address=d["address"],
            contact_name=d["contact_name"],
            contact_phone=d["contact_phone"],
            contact_email=d["contact_email"],
            industry_code=d["industry_code"],
            is_above_scale=d["is_above_scale"],
            employees=d["employees"],
            tech_staff=d["tech_staff"],
            founded_on=d["founded_on"],
            main_products=d["main_products"],
            description=d["description"],
            chains=list(d["chains"]),
            in_supported_field=d["in_supported_field"],
            innovation_score=d["innovation_score"],
        )

    @classmethod
    def initial_for(cls, enterprise: Any) -> dict[str, Any]:
        org = enterprise.organization
        return {
            "name": org.name,
            "credit_code": org.credit_code,
            "township": org.township_id,
            "address": org.address,
            "contact_name": org.contact_name,
            "contact_phone": org.contact_phone,
            "contact_email": org.contact_email,
            "industry_code": enterprise.industry_code,
            "is_above_scale": enterprise.is_above_scale,
            "employees": enterprise.employees,
            "tech_staff": enterprise.tech_staff,
            "founded_on": enterprise.founded_on,
            "main_products": enterprise.main_products,
            "in_supported_field": enterprise.in_supported_field,
            "innovation_score": enterprise.innovation_score,
            "description": org.description,
            "chains": [c.pk for c in enterprise.chains.all()],
        }


class YearFigureForm(forms.ModelForm):
    class Meta:
        model = EnterpriseYearFigure
        fields = [
            "year",
            "revenue",
            "rd_spend",
            "hightech_revenue",
            "has_rd_activity",
            "invention_patents",
            "utility_patents",
            "design_patents",
            "software_copyrights",
            "rd_spend_domestic",
            "total_assets",
            "total_cost",
            "taxes_paid",
            "employees",
            "tech_staff",
            "major_incident",
            "research_misconduct",
            "abnormal_listed",
            "restricted_products",
        ]


class QualificationForm(forms.Form):
    kind = forms.ChoiceField(label="资质/荣誉", choices=QualificationKind.choices)
    level = forms.ChoiceField(label="级别", choices=Level.choices, required=False)
    issuer = forms.CharField(label="认定机关", max_length=80, required=False)
    certificate_no = forms.CharField(label="证书编号", max_length=60, required=False)
    valid_from = forms.DateField(
        label="生效日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valid_until = forms.DateField(
        label="有效期至", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class DeleteForm(forms.Form):
    reason = forms.CharField(label="删除原因", max_length=200)


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入类型", choices=lambda: [(k, s.label) for k, s in SPECS.items()])
    file = forms.FileField(
        label="文件（.xlsx 或 .csv，≤ 20 MB）",
        error_messages={"empty": "文件为空，请选择填写好的模板文件", "required": "请选择要上传的文件"},
    )


class ExpertForm(forms.ModelForm):
    class Meta:
        model = Expert
        fields = ["title", "fields", "bio", "publications", "phone", "email", "is_tech_commissioner"]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4}),
            "publications": forms.Textarea(attrs={"rows": 6}),
        }


class EnclaveForm(forms.ModelForm):
    class Meta:
        model = Enclave
        fields = ["host_site", "focus_industries", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
