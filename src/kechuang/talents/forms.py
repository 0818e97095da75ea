"""Forms of the talent registry: they only parse input; services check the rules (and say why in Chinese)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet

from kechuang.core.access import BUREAU, Role
from kechuang.orgs.fields import EnterpriseByCodeField
from kechuang.orgs.models import Enclave, Enterprise, Institution
from kechuang.talents.models import CatalogueItem, Degree, IdKind, Person, Source, TalentLevel
from kechuang.talents.quota import parse_bands

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:  # type: ignore[override]
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _enclaves() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="引进飞地", queryset=Enclave.objects.order_by("name"), required=False, empty_label="（无）"
    )


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=40)
    id_kind = forms.ChoiceField(label="证件类型", choices=IdKind.choices)
    id_number = forms.CharField(label="证件号码", max_length=24, help_text="身份证号按国家标准校验末位校验码")
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    degree = forms.ChoiceField(label="学历学位", choices=[("", "（未填）"), *Degree.choices], required=False)
    field = forms.CharField(label="专业领域", max_length=80, required=False)
    title = forms.CharField(label="职称/职务", max_length=60, required=False)
    source = forms.ChoiceField(label="来源", choices=Source.choices)
    enclave = _enclaves()
    enterprise = EnterpriseByCodeField(
        label="工作企业（统一社会信用代码）",
        max_length=30,
        required=False,
        help_text="企业、高校院所、飞地三选一",
    )
    institution = forms.ModelChoiceField(
        label="工作高校院所",
        queryset=Institution.objects.select_related("organization").order_by("organization__name"),
        required=False,
        empty_label="（无）",
    )
    employer_enclave = forms.ModelChoiceField(
        label="工作飞地", queryset=Enclave.objects.order_by("name"), required=False, empty_label="（无）"
    )
    since = forms.DateField(label="入职日期", required=False, widget=DATE)

    def __init__(self, *args: Any, own_enterprise: Enterprise | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.own_enterprise = own_enterprise
        if own_enterprise is not None:  # an enterprise registers its own staff only
            for name in ("enterprise", "institution", "employer_enclave"):
                del self.fields[name]

    def service_values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        if self.own_enterprise is not None:
            values["enterprise"] = self.own_enterprise
        return values


class BasisField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.level} · {obj.code} {obj.text}"


def current_bases() -> QuerySet[CatalogueItem]:
    return CatalogueItem.objects.select_related("level").order_by("level__rank", "code")


class ApplyForm(forms.Form):
    basis = BasisField(label="认定依据（目录条目）", queryset=CatalogueItem.objects.none())
    statement = forms.CharField(label="申报说明", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    evidence_files = MultipleFileField(
        label="证明材料", required=True, help_text="PDF、Office 文档或图片，单个不超过 10 MB"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["basis"].queryset = current_bases()  # type: ignore[attr-defined]


class SelfCertForm(forms.Form):
    person = forms.ModelChoiceField(label="本单位人才", queryset=Person.objects.none())
    basis = BasisField(label="认定依据（目录条目）", queryset=CatalogueItem.objects.none())
    statement = forms.CharField(label="认定说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(
        self, *args: Any, people: QuerySet[Person], bases: QuerySet[CatalogueItem], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["person"].label_from_instance = lambda p: f"{p.name}（{p.id_masked}）"  # type: ignore[attr-defined]
        self.fields["basis"].queryset = bases  # type: ignore[attr-defined]


class ObjectionForm(forms.Form):
    reason = forms.CharField(label="异议理由", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


class DecideObjectionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="处理结果",
        choices=[("0", "异议不成立（恢复公示）"), ("1", "异议成立（不予认定）")],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label="处理意见", max_length=500)


class ScoreForm(forms.Form):
    score = forms.IntegerField(label="评分（0-100）", min_value=0, max_value=100, required=False)
    comment = forms.CharField(
        label="评审意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    conflict_declared = forms.BooleanField(label="我与申请方存在利益冲突（回避，不评分）", required=False)


def reviewer_choices() -> QuerySet[User]:
    roles = [Role.EXPERT, *BUREAU]
    return (
        User.objects.filter(profile__role__in=roles, is_active=True)
        .select_related("profile")
        .order_by("username")
    )


class AuthorizationForm(forms.Form):
    enterprise = EnterpriseByCodeField(label="企业（统一社会信用代码）", max_length=30)
    valid_from = forms.DateField(label="授权起始日期", widget=DATE)
    valid_until = forms.DateField(label="授权截止日期", widget=DATE)
    levels = forms.ModelMultipleChoiceField(
        label="可认定层次",
        queryset=TalentLevel.objects.filter(self_certifiable=True),
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label="有效", required=False, initial=True)
    note = forms.CharField(label="备注", max_length=200, required=False)


class QuotaRuleForm(forms.Form):
    name = forms.CharField(label="规则名称", max_length=80)
    year = forms.IntegerField(label="适用年度", min_value=2000, max_value=2100)
    bands = forms.CharField(
        label="纳税档位（每行：上年纳税额下限(万元) 名额）",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="如：0 1 / 500 3 / 2000 5，从低到高",
    )
    cap = forms.IntegerField(label="单家企业名额上限", min_value=0, max_value=1000)
    active = forms.BooleanField(label="启用", required=False, initial=True)

    def clean_bands(self) -> list[list[Any]]:
        try:
            return parse_bands(self.cleaned_data["bands"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class LevelForm(forms.Form):
    code = forms.CharField(label="层次代码", max_length=8)
    name = forms.CharField(label="层次名称", max_length=40)
    rank = forms.IntegerField(label="层级（1为最高）", min_value=1, max_value=20)
    self_certifiable = forms.BooleanField(label="可自主认定", required=False, initial=True)
    needs_filing = forms.BooleanField(label="自主认定须先备案", required=False)


class CatalogueItemForm(forms.Form):
    level = forms.ModelChoiceField(label="层次", queryset=TalentLevel.objects.all())
    code = forms.CharField(label="条目编号", max_length=20)
    text = forms.CharField(label="认定条件", max_length=300)
    validity_years = forms.IntegerField(label="证书有效期(年)", min_value=1, max_value=20, initial=5)
    valid_until = forms.DateField(label="条目有效期至", required=False, widget=DATE)
