"""Technology-service forms: shapes only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from kechuang.core.validators import normalise_credit_code
from kechuang.orgs.models import Enterprise, Township
from kechuang.techservices.models import CaseType, Outcome, ProviderKind, ReferredTo

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # HTML date inputs need ISO dates
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local", "step": 900}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _text(label: str, rows: int = 3, *, required: bool = True, max_length: int = 3000) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"请填写{label}"},
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


def _date(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE, initial=timezone.localdate)


def enterprise_named(value: str) -> Enterprise | None:
    """The enterprise with this credit code or exact name (people type either)."""
    value = value.strip()
    if not value:
        return None
    return (
        Enterprise.objects.select_related("organization")
        .filter(Q(organization__credit_code=normalise_credit_code(value)) | Q(organization__name=value))
        .first()
    )


class EnterpriseField(forms.CharField):
    """Typed as credit code or full name, cleaned to an Enterprise."""

    def __init__(self, *, label: str = "企业（统一社会信用代码或全称）", required: bool = True) -> None:
        super().__init__(label=label, max_length=120, required=required)

    def clean(self, value: Any) -> Enterprise | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        enterprise = enterprise_named(text)
        if enterprise is None:
            raise forms.ValidationError("平台中未找到该企业，请核对统一社会信用代码或企业全称")
        return enterprise


# ---- IP cases ---------------------------------------------------------------------------------------


class CaseForm(forms.Form):
    enterprise = EnterpriseField(label="权利人企业（统一社会信用代码或全称）")
    case_type = forms.ChoiceField(label="案件类型", choices=[("", "请选择"), *CaseType.choices])
    title = forms.CharField(label="案件名称", max_length=120)
    intake_on = _date("受理日期")
    amount_involved_wan = _wan("涉案金额(万元)")
    description = _text("案情简述", 4, required=False, max_length=5000)


class MediateForm(forms.Form):
    on = _date("调解启动日期")
    note = _text("说明", 2, required=False, max_length=2000)


class ReferForm(forms.Form):
    on = _date("移送日期")
    referred_to = forms.ChoiceField(label="移送至", choices=[("", "请选择"), *ReferredTo.choices])
    note = _text("说明", 2, required=False, max_length=2000)


class StepForm(forms.Form):
    on = _date("日期")
    note = _text("进展说明", 2, max_length=2000)


class CloseForm(forms.Form):
    on = _date("结案日期")
    outcome = forms.ChoiceField(label="结案结果", choices=[("", "请选择"), *Outcome.choices])
    outcome_note = _text("结案说明", 2, required=False, max_length=2000)


# ---- pilot platforms --------------------------------------------------------------------------------


class PlatformForm(forms.Form):
    name = forms.CharField(label="平台名称", max_length=120)
    field = forms.CharField(label="服务领域", max_length=120, required=False)
    township = forms.ModelChoiceField(
        label="所在镇街", queryset=Township.objects.all(), required=False, empty_label="（不限）"
    )
    description = _text("简介", 3, required=False, max_length=5000)


class EquipmentForm(forms.Form):
    name = forms.CharField(label="设备名称", max_length=120)
    capacity = forms.CharField(label="能力/规格", max_length=200, required=False)
    fee_yuan_per_hour = forms.DecimalField(
        label="收费(元/小时)",
        min_value=0,
        max_digits=10,
        decimal_places=2,
        error_messages={"min_value": "收费标准不能为负数", "invalid": "收费应为数字，例如 300"},
    )


class BookingForm(forms.Form):
    enterprise = EnterpriseField(label="预约企业（统一社会信用代码或全称）")
    starts_at = forms.DateTimeField(label="开始时间", widget=DATETIME, input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label="结束时间", widget=DATETIME, input_formats=DATETIME_FORMATS)
    purpose = forms.CharField(label="用途（试制的产品、工艺或检测项目）", max_length=300)

    def __init__(self, *args: Any, for_self: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if for_self:
            del self.fields["enterprise"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "结束时间应晚于开始时间")
        return data


class CompleteForm(forms.Form):
    used_hours = forms.DecimalField(
        label="实际使用(小时)",
        min_value=0.01,
        max_digits=8,
        decimal_places=2,
        error_messages={"min_value": "实际使用小时数应大于 0", "invalid": "请填写小时数，例如 3.5"},
    )


# ---- the service ledger -----------------------------------------------------------------------------


class ClaimForm(forms.Form):
    field_order = [
        "provider_kind",
        "provider_name",
        "enterprise",
        "served_on",
        "demand_id",
        "meeting_id",
        "contract_id",
        "booking_id",
        "problem",
        "action",
        "result",
        "value_claimed_wan",
        "solved",
    ]

    provider_kind = forms.ChoiceField(label="服务方类型", choices=[("", "请选择"), *ProviderKind.choices])
    provider_name = forms.CharField(label="服务方名称", max_length=120)
    enterprise = EnterpriseField(
        label="服务企业（统一社会信用代码或全称；关联了需求、对接、合同或预约时可不填）", required=False
    )
    served_on = _date("服务日期（关联对接、合同或预约时可不填）", required=False)
    demand_id = forms.IntegerField(label="关联技术需求编号", required=False, min_value=1)
    meeting_id = forms.IntegerField(label="关联对接记录编号", required=False, min_value=1)
    contract_id = forms.IntegerField(label="关联技术合同编号", required=False, min_value=1)
    booking_id = forms.IntegerField(label="关联设备预约编号", required=False, min_value=1)
    problem = _text("企业问题/需求", 3)
    action = _text("服务内容（做了什么）", 3)
    result = _text("服务成效", 2, required=False)
    value_claimed_wan = _wan("创造价值(万元)")
    solved = forms.BooleanField(label="解决了技术难题", required=False)

    def __init__(self, *args: Any, fixed_provider: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["served_on"].initial = None
        if fixed_provider:
            del self.fields["provider_kind"]
            del self.fields["provider_name"]


class DisputeForm(forms.Form):
    reason = _text("异议理由", 2, max_length=2000)
