"""Forms for commissioners, assignments and service records: they parse input; services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from kechuang.commissioners.models import AssignmentStatus, ServiceField
from kechuang.orgs.models import Expert, Institution

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # HTML date inputs need ISO dates


class ExpertChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.institution or '未填单位'}）"


class CommissionerForm(forms.Form):
    expert = ExpertChoice(
        label="专家档案",
        queryset=Expert.objects.select_related("institution__organization").order_by("name"),
        required=False,
        empty_label="（非专家库人员）",
        help_text="选择专家后，其成果与论文作为匹配画像；姓名、单位、电话可留空沿用专家档案",
    )
    name = forms.CharField(label="姓名", max_length=40, required=False)
    field = forms.ChoiceField(label="服务领域", choices=ServiceField.choices)
    expertise = forms.CharField(
        label="专长与服务方向", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    institution = forms.ModelChoiceField(
        label="派出单位",
        queryset=Institution.objects.select_related("organization").order_by("organization__name"),
        required=False,
        empty_label="（沿用专家所在单位）",
    )
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    max_enterprises = forms.IntegerField(label="同时服务企业上限", min_value=1, max_value=50, initial=3)
    available_from = forms.DateField(label="可服务起始日期", required=False, widget=DATE)
    available_until = forms.DateField(label="可服务截止日期", required=False, widget=DATE)
    is_active = forms.BooleanField(label="在册", required=False, initial=True)


class AssignForm(forms.Form):
    commissioner = forms.IntegerField(widget=forms.HiddenInput)
    goals = forms.CharField(label="服务目标", max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label="派驻起始日期", widget=DATE)
    ends_on = forms.DateField(label="派驻截止日期", widget=DATE)


class ServiceForm(forms.Form):
    served_on = forms.DateField(label="服务日期", widget=DATE)
    problem = forms.CharField(
        label="企业问题/需求", max_length=3000, widget=forms.Textarea(attrs={"rows": 2})
    )
    action = forms.CharField(label="服务内容", max_length=3000, widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.CharField(
        label="服务成效", max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    value_claimed_wan = forms.DecimalField(
        label="申报创造价值(万元)", max_digits=14, decimal_places=2, min_value=0, required=False
    )
    solved = forms.BooleanField(label="解决技术难题", required=False)


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label="变更为",
        choices=[(AssignmentStatus.FINISHED, "结束派驻"), (AssignmentStatus.CANCELLED, "取消派驻")],
    )
    note = forms.CharField(label="说明", max_length=500, required=False)
