"""Forms for carriers, units, leases and park projects: they only parse input; services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from kechuang.carriers.models import Building, CarrierKind, ParkStatus, SpaceUnit, UnitUse
from kechuang.incubation.models import Project
from kechuang.orgs.choices import Level
from kechuang.orgs.fields import EnterpriseByCodeField
from kechuang.orgs.models import Township

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # HTML date inputs need ISO dates


def _townships() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="镇街", queryset=Township.objects.order_by("name"), required=False, empty_label="（不限）"
    )


class CarrierForm(forms.Form):
    name = forms.CharField(label="载体名称", max_length=120)
    kind = forms.ChoiceField(label="类型", choices=CarrierKind.choices)
    level = forms.ChoiceField(label="级别", choices=[("", "（未认定）"), *Level.choices], required=False)
    operator = forms.CharField(label="运营单位", max_length=120, required=False)
    township = _townships()
    address = forms.CharField(label="地址", max_length=200, required=False)
    opened_on = forms.DateField(label="启用日期", required=False, widget=DATE)


class BuildingForm(forms.Form):
    name = forms.CharField(label="楼栋名称", max_length=60)
    floors = forms.IntegerField(label="层数", min_value=1, max_value=200, required=False)


class UnitForm(forms.Form):
    building = forms.ModelChoiceField(label="楼栋", queryset=Building.objects.none())
    code = forms.CharField(label="房号", max_length=30)
    area_m2 = forms.DecimalField(label="面积(㎡)", max_digits=10, decimal_places=2)
    use = forms.ChoiceField(label="用途", choices=UnitUse.choices)
    rent_yuan_m2_month = forms.DecimalField(
        label="租金(元/㎡·月)", max_digits=8, decimal_places=2, required=False, min_value=0
    )
    available_from = forms.DateField(label="可出租起始日期", required=False, widget=DATE)

    def __init__(self, *args: Any, carrier_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(carrier_id=carrier_id)  # type: ignore[attr-defined]


class LeaseForm(forms.Form):
    unit = forms.ModelChoiceField(label="房源", queryset=SpaceUnit.objects.none())
    enterprise = EnterpriseByCodeField(
        label="入驻企业（统一社会信用代码）",
        max_length=30,
        required=False,
        help_text="企业或孵化项目至少填一项",
    )
    project = forms.ModelChoiceField(
        label="孵化项目", queryset=Project.objects.order_by("name"), required=False, empty_label="（无）"
    )
    tenant_name = forms.CharField(
        label="入驻主体名称", max_length=120, required=False, help_text="不填则取企业或项目名称"
    )
    starts_on = forms.DateField(label="起租日期", widget=DATE)
    ends_on = forms.DateField(label="到期日期", required=False, widget=DATE, help_text="不填为长期")

    def __init__(self, *args: Any, carrier_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = SpaceUnit.objects.filter(  # type: ignore[attr-defined]
            building__carrier_id=carrier_id
        ).select_related("building")


class EndLeaseForm(forms.Form):
    moved_out_on = forms.DateField(label="退租日期", widget=DATE)
    graduated = forms.BooleanField(label="毕业迁出（孵化毕业/迁往园区）", required=False)


class ParkProjectForm(forms.Form):
    name = forms.CharField(label="项目名称", max_length=120)
    township = _townships()
    site = forms.CharField(label="选址", max_length=200, required=False)
    industry = forms.CharField(label="产业方向", max_length=60, required=False)
    planned_m2 = forms.DecimalField(label="规划建筑面积(㎡)", max_digits=12, decimal_places=2, min_value=0.01)
    built_m2 = forms.DecimalField(
        label="已建成面积(㎡)", max_digits=12, decimal_places=2, min_value=0, initial=0
    )
    status = forms.ChoiceField(label="状态", choices=ParkStatus.choices)
    started_on = forms.DateField(label="开工日期", required=False, widget=DATE)
    completed_on = forms.DateField(label="建成日期", required=False, widget=DATE)
    expected_output_wan = forms.DecimalField(
        label="预计新增产值(万元)", max_digits=14, decimal_places=2, required=False, min_value=0
    )


class TenancyForm(forms.Form):
    enterprise = EnterpriseByCodeField(label="签约企业（统一社会信用代码）", max_length=30)
    signed_on = forms.DateField(label="签约日期", widget=DATE)


class ProductionForm(forms.Form):
    producing_since = forms.DateField(label="投产日期", widget=DATE)
