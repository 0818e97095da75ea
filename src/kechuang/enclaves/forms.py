"""Forms of the contract editor: one row per indicator plus the contract-wide rules. They only parse
input into a spec; validation of the contract as a whole is the scoring core's (validate_contract)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kechuang.enclaves.scoring import KIND_LABELS

KIND_CHOICES = list(KIND_LABELS.items())


def _dec(label: str, *, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, max_digits=14, decimal_places=4)


class IndicatorForm(forms.Form):
    code = forms.SlugField(label="代码", max_length=40)
    name = forms.CharField(label="名称", max_length=60)
    unit = forms.CharField(label="单位", max_length=10, required=False)
    kind = forms.ChoiceField(label="计分方式", choices=[("", "—"), *KIND_CHOICES])
    weight = _dec("权重")
    target = _dec("年度目标")
    cap_ratio = _dec("封顶系数")
    bands = forms.CharField(
        label="分档（门槛:得分比例，空格分隔）",
        max_length=200,
        required=False,
        help_text="如 70:0.6 85:0.8 95:1",
    )
    per_unit = _dec("每单位分值")
    max_points = _dec("最高分值")
    veto_threshold = _dec("否决阈值")
    max_value = _dec("有效上限")
    requires_evidence = forms.BooleanField(label="需佐证", required=False)
    evidence_rule = forms.CharField(label="佐证要求", max_length=200, required=False)
    personalised = forms.BooleanField(label="个性化", required=False)
    source = forms.ChoiceField(label="平台统计来源", required=False, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kechuang.enclaves.selectors import PLATFORM_SOURCES

        source = self.fields["source"]
        assert isinstance(source, forms.ChoiceField)
        source.choices = [("", "—（运营方填报）"), *PLATFORM_SOURCES.items()]

    def clean_bands(self) -> list[list[str]]:
        raw = self.cleaned_data.get("bands", "").replace("：", ":").replace("，", " ").replace(",", " ")
        bands = []
        for part in raw.split():
            threshold, sep, share = part.partition(":")
            try:
                if not sep:
                    raise ValueError
                bands.append([str(Decimal(threshold)), str(Decimal(share))])
            except (ValueError, ArithmeticError):
                raise forms.ValidationError(f"分档“{part}”应写作 门槛:得分比例，如 85:0.8") from None
        return bands

    def to_spec(self) -> dict[str, Any]:
        data = self.cleaned_data
        row: dict[str, Any] = {
            "code": data["code"],
            "name": data["name"],
            "unit": data.get("unit", ""),
            "kind": data["kind"],
            "bands": data.get("bands", []),
            "requires_evidence": bool(data.get("requires_evidence")),
            "evidence_rule": data.get("evidence_rule", ""),
            "personalised": bool(data.get("personalised")),
        }
        if data.get("source"):
            row["source"] = data["source"]
        for name in (
            "weight",
            "target",
            "cap_ratio",
            "per_unit",
            "max_points",
            "veto_threshold",
            "max_value",
        ):
            value = data.get(name)
            if value is not None:
                row[name] = format(value.normalize(), "f")
        return row


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=1, can_delete=True, max_num=60)


class ContractRulesForm(forms.Form):
    excellent = _dec("优秀最低分", required=True)
    good = _dec("良好最低分", required=True)
    passing = _dec("合格最低分", required=True)
    max_total = _dec("总分封顶")
    reward_base = _dec("奖励基数（万元）", required=True)
    reward_cap = _dec("奖励上限（万元）", required=True)
    factor_excellent = _dec("优秀奖励系数", required=True)
    factor_good = _dec("良好奖励系数", required=True)
    factor_passing = _dec("合格奖励系数", required=True)
    tolerance = _dec("填报与平台统计差异容差（比例）", required=True)
    late_per_item = _dec("逾期填报每项扣分", required=True)
    late_max = _dec("逾期扣分上限")
    report_due_days = forms.IntegerField(label="考核期结束后几日内填报", min_value=0, max_value=90)


def rules_initial(spec: dict[str, Any]) -> dict[str, Any]:
    grades = {name: minimum for name, minimum in spec.get("grades", [])}
    tiers = {t.get("label"): t for t in spec.get("reward", {}).get("tiers", [])}
    return {
        "excellent": grades.get("优秀"),
        "good": grades.get("良好"),
        "passing": grades.get("合格"),
        "max_total": spec.get("max_total"),
        "reward_base": spec.get("reward", {}).get("base"),
        "reward_cap": spec.get("reward", {}).get("cap"),
        "factor_excellent": tiers.get("优秀", {}).get("factor"),
        "factor_good": tiers.get("良好", {}).get("factor"),
        "factor_passing": tiers.get("合格", {}).get("factor"),
        "tolerance": spec.get("discrepancy_tolerance"),
        "late_per_item": spec.get("late_deduction_per_item"),
        "late_max": spec.get("late_deduction_max"),
        "report_due_days": spec.get("report_due_days", 15),
    }


def indicators_initial(spec: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for row in spec.get("indicators", []):
        item = dict(row)
        item["bands"] = " ".join(f"{t}:{s}" for t, s in row.get("bands", []))
        rows.append(item)
    return rows


def build_spec(rules: ContractRulesForm, indicators: Any, base: dict[str, Any]) -> dict[str, Any]:
    """A spec from valid forms; keys the editor does not show are carried over from `base`."""
    r = rules.cleaned_data

    def s(value: Decimal | None) -> str | None:
        return None if value is None else format(value.normalize(), "f")

    old = {row["code"]: row for row in base.get("indicators", [])}
    rows = []
    for form in indicators.forms:
        if not form.has_changed() and not form.initial:
            continue
        if form.cleaned_data.get("DELETE"):
            continue
        row = form.to_spec()
        kept = old.get(row["code"], {})
        for key in ("description", "min_value"):
            if key in kept:
                row.setdefault(key, kept[key])
        rows.append(row)
    spec = dict(base)
    spec.update(
        {
            "indicators": rows,
            "grades": [["优秀", s(r["excellent"])], ["良好", s(r["good"])], ["合格", s(r["passing"])]],
            "max_total": s(r.get("max_total")),
            "reward": {
                "base": s(r["reward_base"]),
                "cap": s(r["reward_cap"]),
                "tiers": [
                    {
                        "min_score": s(r["excellent"]),
                        "factor": s(r["factor_excellent"]),
                        "proportional": True,
                        "label": "优秀",
                    },
                    {
                        "min_score": s(r["good"]),
                        "factor": s(r["factor_good"]),
                        "proportional": True,
                        "label": "良好",
                    },
                    {
                        "min_score": s(r["passing"]),
                        "factor": s(r["factor_passing"]),
                        "proportional": True,
                        "label": "合格",
                    },
                ],
            },
            "discrepancy_tolerance": s(r["tolerance"]),
            "late_deduction_per_item": s(r["late_per_item"]),
            "late_deduction_max": s(r.get("late_max")),
            "report_due_days": r["report_due_days"],
        }
    )
    return spec
