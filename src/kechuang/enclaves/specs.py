"""Contract spec (JSON stored on AssessmentContract) <-> the scoring core's frozen dataclasses.

The spec is plain JSON with Decimals as strings so a signed version can be stored, diffed in history and
re-scored years later exactly as it was. Quarterly checkpoints score cumulative year-to-date figures
against targets pro-rated by quarter (Q1 25 %, … Q4 100 %); rates and bands are not pro-rated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

from kechuang.enclaves.scoring import Contract, Indicator, RewardRule, RewardTier
from kechuang.enclaves.scoring.library import default_contract
from kechuang.enclaves.scoring.model import fmt

QUARTER_SHARE = {"Q1": Decimal("0.25"), "Q2": Decimal("0.5"), "Q3": Decimal("0.75"), "Q4": Decimal(1)}
#: Indicator fields kept in the spec, in the order an editor shows them.
INDICATOR_FIELDS = (
    "code",
    "name",
    "unit",
    "kind",
    "weight",
    "target",
    "cap_ratio",
    "bands",
    "per_unit",
    "max_points",
    "veto_threshold",
    "requires_evidence",
    "evidence_rule",
    "min_value",
    "max_value",
    "personalised",
    "description",
)
DEFAULT_REPORT_DUE_DAYS = 15


def _num(value: Decimal | None) -> str | None:
    return None if value is None else fmt(value)


def indicator_to_spec(ind: Indicator) -> dict[str, Any]:
    return {
        "code": ind.code,
        "name": ind.name,
        "unit": ind.unit,
        "kind": ind.kind,
        "weight": _num(ind.weight),
        "target": _num(ind.target),
        "cap_ratio": _num(ind.cap_ratio),
        "bands": [[fmt(t), fmt(s)] for t, s in ind.bands],
        "per_unit": _num(ind.per_unit),
        "max_points": _num(ind.max_points),
        "veto_threshold": _num(ind.veto_threshold),
        "requires_evidence": ind.requires_evidence,
        "evidence_rule": ind.evidence_rule,
        "min_value": _num(ind.min_value),
        "max_value": _num(ind.max_value),
        "personalised": ind.personalised,
        "description": ind.description,
    }


def contract_to_spec(contract: Contract, *, report_due_days: int = DEFAULT_REPORT_DUE_DAYS) -> dict[str, Any]:
    return {
        "indicators": [indicator_to_spec(i) for i in contract.indicators],
        "grades": [[name, fmt(minimum)] for name, minimum in contract.grades],
        "fail_grade": contract.fail_grade,
        "max_total": _num(contract.max_total),
        "reward": {
            "base": fmt(contract.reward.base),
            "cap": fmt(contract.reward.cap),
            "tiers": [
                {
                    "min_score": fmt(t.min_score),
                    "factor": fmt(t.factor),
                    "proportional": t.proportional,
                    "label": t.label,
                }
                for t in contract.reward.tiers
            ],
        },
        "discrepancy_tolerance": fmt(contract.discrepancy_tolerance),
        "late_deduction_per_item": fmt(contract.late_deduction_per_item),
        "late_deduction_max": _num(contract.late_deduction_max),
        "report_due_days": report_due_days,
    }


def default_spec(**overrides: Any) -> dict[str, Any]:
    """The library contract as a spec, with the late-report rule the demo and new contracts start from."""
    base = default_contract("", "", **overrides)
    base = replace(base, late_deduction_per_item=Decimal("0.5"), late_deduction_max=Decimal(5))
    return contract_to_spec(base)


def indicator_from_spec(row: dict[str, Any]) -> Indicator:
    """Raises ValueError with a Chinese message on a malformed row (the form shows it)."""
    kwargs: dict[str, Any] = {}
    for name in INDICATOR_FIELDS:
        if name not in row or row[name] is None or row[name] == "":
            continue
        value = row[name]
        if name == "bands":
            value = tuple((t, s) for t, s in value)
        kwargs[name] = value
    for required in ("code", "name", "kind"):
        if not kwargs.get(required):
            raise ValueError(f"指标缺少{ {'code': '代码', 'name': '名称', 'kind': '计分方式'}[required] }")
    kwargs.setdefault("unit", "")
    return Indicator(**kwargs)


def period_end(year: int, period: str) -> dt.date:
    month = {"Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12}[period]
    return (dt.date(year, month % 12 + 1, 1) if month < 12 else dt.date(year + 1, 1, 1)) - dt.timedelta(
        days=1
    )


def report_due(spec: dict[str, Any], year: int, period: str) -> dt.date:
    return period_end(year, period) + dt.timedelta(
        days=int(spec.get("report_due_days", DEFAULT_REPORT_DUE_DAYS))
    )


def contract_from_spec(
    spec: dict[str, Any], *, enclave: str, year: int, period: str, version: str = "1"
) -> Contract:
    """The scoring contract for one checkpoint: count targets pro-rated to the quarter."""
    share = QUARTER_SHARE[period]
    indicators = []
    for row in spec.get("indicators", []):
        ind = indicator_from_spec(row)
        if ind.kind == "linear" and ind.target is not None and share != 1:
            ind = replace(ind, target=ind.target * share)
        indicators.append(ind)
    reward = spec.get("reward", {})
    return Contract(
        enclave=enclave,
        period=f"{year}{period}",
        indicators=tuple(indicators),
        grades=tuple((name, minimum) for name, minimum in spec.get("grades", [])),
        reward=RewardRule(
            base=reward.get("base", "200"),
            cap=reward.get("cap", "200"),
            tiers=tuple(
                RewardTier(t["min_score"], t["factor"], bool(t.get("proportional", True)), t.get("label", ""))
                for t in reward.get("tiers", [])
            ),
        ),
        version=version,
        fail_grade=spec.get("fail_grade", "不合格"),
        max_total=spec.get("max_total"),
        discrepancy_tolerance=spec.get("discrepancy_tolerance", "0.05"),
        late_deduction_per_item=spec.get("late_deduction_per_item", "0"),
        late_deduction_max=spec.get("late_deduction_max"),
        report_due=report_due(spec, year, period),
    )
