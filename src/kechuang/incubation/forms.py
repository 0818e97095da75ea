"""Incubation forms: shapes only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone

from kechuang.core.validators import validate_phone
from kechuang.incubation.choices import Round, ServiceKind, Stage, next_stages
from kechuang.incubation.services import ApplicationData
from kechuang.orgs.models import Fund, Investor

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # HTML date inputs need ISO dates


def _text(label: str, rows: int = 3, *, required: bool = True, max_length: int = 5000) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


def _wan(label: str, *, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=required,
        error_messages={"min_value": f"{label}不能为负数", "invalid": f"{label}应为数字，例如 120.5"},
    )


class ApplicationForm(forms.Form):
    field_order = ["name", "carrier", "applicant_code", "industry", "funding_needed"]

    carrier = forms.ChoiceField(label="申请入驻的孵化载体")
    applicant_code = forms.CharField(
        label="申请单位（统一社会信用代码或单位全称，可不填）", max_length=120, required=False
    )
    name = forms.CharField(label="项目名称", max_length=120)
    industry = forms.CharField(label="所属产业", max_length=40, required=False)
    team = _text("团队情况（核心成员、背景与分工）", 4)
    technology = _text("核心技术（先进性、成熟度、知识产权）", 4)
    market = _text("市场前景（目标客户、市场空间、商业模式）", 4)
    funding_plan = _text("融资计划", 3, required=False)
    funding_needed = _wan("资金需求(万元)")
    contact_name = forms.CharField(label="联系人", max_length=40, required=False)
    contact_phone = forms.CharField(
        label="联系电话", max_length=20, required=False, validators=[validate_phone]
    )

    def __init__(
        self, *args: Any, carriers: list[tuple[str, str]], fixed_applicant: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [("", "请选择"), *carriers]  # type: ignore[attr-defined]
        if fixed_applicant:
            del self.fields["applicant_code"]

    def to_data(self) -> ApplicationData:
        d = self.cleaned_data
        return ApplicationData(
            name=d["name"],
            team=d["team"],
            technology=d["technology"],
            market=d["market"],
            funding_plan=d["funding_plan"],
            funding_needed=d["funding_needed"],
            industry=d["industry"],
            contact_name=d["contact_name"],
            contact_phone=d["contact_phone"],
        )


class ReviewerChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        profile = getattr(obj, "profile", None)
        if profile is None:
            return obj.get_username()
        where = ""
        if profile.expert and profile.expert.institution:
            where = f"，{profile.expert.institution.organization.name}"
        elif profile.organization:
            where = f"，{profile.organization.name}"
        return f"{profile.display_name or obj.get_username()}（{profile.get_role_display()}{where}）"


class ReviewersForm(forms.Form):
    reviewers = ReviewerChoice(
        label="评审人（专家或科技局工作人员）",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一位评审人"},
    )

    def __init__(self, *args: Any, queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = queryset  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    """One score field per criterion of the project's frozen rubric, then the comment."""

    def __init__(self, *args: Any, criteria: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for c in criteria:
            self.fields[f"score_{c['code']}"] = forms.DecimalField(
                label=f"{c['name']}（权重 {c['weight']}%，满分 {c['max_score']}）",
                min_value=0,
                max_value=c["max_score"],
                max_digits=6,
                decimal_places=2,
                help_text=c.get("guidance", ""),
                error_messages={
                    "required": f"请为“{c['name']}”评分",
                    "max_value": f"“{c['name']}”得分不能超过 {c['max_score']}",
                    "min_value": f"“{c['name']}”得分不能为负数",
                },
            )
        self.fields["comment"] = _text("评审意见", 4, required=False, max_length=3000)
        self.criteria = criteria

    def scores(self) -> dict[str, Any]:
        return {str(c["code"]): self.cleaned_data[f"score_{c['code']}"] for c in self.criteria}


class ConflictForm(forms.Form):
    note = forms.CharField(label="利益冲突说明", max_length=500, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="入孵决定", choices=[("admit", "同意入孵"), ("reject", "不予入孵")], widget=forms.RadioSelect
    )
    reason = _text("决定理由", 3, max_length=2000)


class AdvanceForm(forms.Form):
    to_stage = forms.ChoiceField(label="推进到阶段", choices=[])
    on = forms.DateField(label="变更日期", initial=timezone.localdate, widget=DATE)
    note = forms.CharField(label="说明", max_length=2000, required=False)

    def __init__(self, *args: Any, stage: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Stage.choices)
        options = next_stages(stage) if stage else list(labels)
        self.fields["to_stage"].choices = [(s, labels[s]) for s in options]  # type: ignore[attr-defined]


class MilestoneForm(forms.Form):
    title = forms.CharField(label="里程碑", max_length=120)
    due_on = forms.DateField(label="计划完成日期", widget=DATE)
    note = forms.CharField(label="说明", max_length=500, required=False)


class MilestoneDoneForm(forms.Form):
    milestone = forms.IntegerField(widget=forms.HiddenInput)
    done_on = forms.DateField(label="实际完成日期", initial=timezone.localdate, widget=DATE)


class InvestmentForm(forms.Form):
    investor = forms.ModelChoiceField(
        label="投资机构（库内）", queryset=Investor.objects.select_related("organization"), required=False
    )
    fund = forms.ModelChoiceField(label="基金", queryset=Fund.objects.all(), required=False)
    investor_name = forms.CharField(label="投资方名称（库外机构或个人）", max_length=120, required=False)
    amount = _wan("金额(万元)", required=True)
    round = forms.ChoiceField(label="轮次", choices=Round.choices)
    invested_on = forms.DateField(label="投资日期", initial=timezone.localdate, widget=DATE)
    note = forms.CharField(label="说明", max_length=500, required=False)


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(label="服务类型", choices=ServiceKind.choices)
    description = _text("服务内容", 2, max_length=2000)
    provided_on = forms.DateField(label="服务日期", initial=timezone.localdate, widget=DATE)
    provider = forms.CharField(label="服务提供方", max_length=120, required=False)


class PeriodicReviewForm(forms.Form):
    reviewed_on = forms.DateField(label="评估日期", initial=timezone.localdate, widget=DATE)
    score = forms.DecimalField(
        label="评估得分(0–100)",
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        error_messages={"max_value": "评估得分应在 0–100 之间", "min_value": "评估得分应在 0–100 之间"},
    )
    progress_note = _text("进展情况", 3, max_length=3000)


class LandingForm(forms.Form):
    credit_code = forms.CharField(label="落地企业统一社会信用代码", max_length=30)
    landed_on = forms.DateField(label="落地日期", initial=timezone.localdate, widget=DATE)
    note = forms.CharField(label="落地说明", max_length=500, required=False)


class FigureForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    jobs = forms.IntegerField(
        label="就业人数",
        min_value=0,
        required=False,
        error_messages={"min_value": "就业人数不能为负数", "invalid": "就业人数应为整数"},
    )
    output = _wan("产值(万元)")
    tax = _wan("税收(万元)")


class EliminationForm(forms.Form):
    eliminate = forms.ChoiceField(
        label="决定",
        choices=[("0", "保留，继续孵化"), ("1", "淘汰（移出在孵名单）")],
        widget=forms.RadioSelect,
    )
    reason = _text("决定理由", 2, max_length=2000)
