"""Scoring of one contract against one period's values.

Rules, in the order they are applied (each leaves a Chinese note on the result):

1. *Which figure counts*: a what-if override, else the bureau's verified figure, else the
   platform's computed figure, else the operator's reported figure.  Reported vs computed
   gaps above the contract's tolerance are flagged "待科技局核定" (the computed figure is
   still used: the platform is the more neutral source until the bureau decides).
2. *Validity*: no figure → 0 points; a figure outside the indicator's valid range → 0
   points (never clamped); an operator-reported figure that needs evidence but has none →
   0 points.  Verified/computed/simulated figures need no uploaded evidence.
3. *Points*: linear = weight × min(value/target, cap_ratio); bands = weight × share of the
   highest band reached; bonus/deduction = ±min(value × per_unit, max_points); a veto
   item reaching its threshold vetoes the whole card.
4. *Total* = Σ weighted points + bonus − deductions − late-report deductions, floored at 0
   and capped at ``max_total`` (each with a note when it bites).
5. *Grade* from the thresholds (veto → fail grade), *reward* from the piecewise table,
   capped at the contract's cap (note when it bites; veto → no reward).

Points and money are Decimals rounded half up to 2 places at each reported figure, and
the total is the sum of the rounded figures, so every number on a card adds up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .model import (
    HUNDRED,
    KIND_LABELS,
    ONE,
    ZERO,
    Contract,
    Indicator,
    Number,
    Value,
    as_day,
    fmt,
    q2,
    to_decimal,
)
from .validation import ContractError, checked

SOURCE_LABELS: dict[str, str] = {
    "simulated": "模拟值",
    "verified": "科技局核定值",
    "computed": "平台统计值",
    "reported": "运营方填报值",
    "missing": "无数据",
}

#: Zero as a 2-place figure, so that every points/money field prints alike ("0.00").
P0 = Decimal("0.00")

#: Flags that mean a person at the bureau should look at the figure before it is final.
REVIEW_FLAGS: frozenset[str] = frozenset({"discrepancy", "invalid", "veto_unreported"})


def _s(value: Decimal | None) -> str:
    return "" if value is None else fmt(value)


def _raw(value: Decimal | None) -> str:
    """An input figure exactly as given (``str`` of the Decimal, cheaper than :func:`fmt`)."""
    return "" if value is None else str(value)


@dataclass(slots=True)
class IndicatorResult:
    """How one indicator was scored: the figure used, why, the points and their formula.

    ``inputs`` lists every number the points depend on (as text, for export), ``formula``
    spells the arithmetic out, ``flags`` are machine-readable markers (``capped``,
    ``missing``, ``missing_evidence``, ``invalid``, ``discrepancy``, ``late``,
    ``veto`` …) and ``notes`` the human-readable Chinese explanations.  Tuples, not
    lists: results are final, and tuples of strings drop out of the garbage collector's
    scans, which matters when 120,000 results are alive at once.
    """

    code: str
    name: str
    unit: str
    kind: str
    weight: Decimal
    value: Decimal | None
    source: str
    source_reason: str
    points: Decimal
    max_points: Decimal
    formula: str
    inputs: dict[str, str]
    notes: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def needs_review(self) -> bool:
        """A bureau officer should check this figure before the card is final."""
        return any(f in REVIEW_FLAGS for f in self.flags)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict; Decimals become exact strings (``"23.33"``)."""
        return {
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "kind": self.kind,
            "kind_label": KIND_LABELS.get(self.kind, self.kind),
            "weight": str(self.weight),
            "value": None if self.value is None else str(self.value),
            "source": self.source,
            "source_label": SOURCE_LABELS[self.source],
            "source_reason": self.source_reason,
            "points": str(self.points),
            "max_points": str(self.max_points),
            "formula": self.formula,
            "inputs": dict(self.inputs),
            "notes": list(self.notes),
            "flags": list(self.flags),
            "needs_review": self.needs_review,
        }


@dataclass(slots=True)
class Scorecard:
    """One enclave's result for one period, with every step traceable to its inputs."""

    enclave: str
    period: str
    contract_version: str
    as_of: date | None
    indicators: list[IndicatorResult]
    weighted_points: Decimal
    bonus_points: Decimal
    deduction_points: Decimal
    late_items: list[str]
    late_deduction: Decimal
    total: Decimal
    total_formula: str
    vetoed: bool
    veto_reasons: list[str]
    grade: str
    grade_basis: str
    reward: Decimal
    reward_before_cap: Decimal
    reward_capped: bool
    reward_formula: str
    notes: list[str] = field(default_factory=list)
    contract_warnings: list[str] = field(default_factory=list)
    simulated: bool = False
    overrides: dict[str, str] = field(default_factory=dict)

    @property
    def needs_review(self) -> list[str]:
        """Codes of indicators a bureau officer should settle before the card is final."""
        return [r.code for r in self.indicators if r.needs_review]

    def result(self, code: str) -> IndicatorResult:
        """The result of indicator ``code``."""
        for r in self.indicators:
            if r.code == code:
                return r
        raise KeyError(f"评分结果中没有指标代码 {code}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (Decimals as exact strings, dates as ISO text)."""
        return {
            "enclave": self.enclave,
            "period": self.period,
            "contract_version": self.contract_version,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "indicators": [r.to_dict() for r in self.indicators],
            "weighted_points": str(self.weighted_points),
            "bonus_points": str(self.bonus_points),
            "deduction_points": str(self.deduction_points),
            "late_items": list(self.late_items),
            "late_deduction": str(self.late_deduction),
            "total": str(self.total),
            "total_formula": self.total_formula,
            "vetoed": self.vetoed,
            "veto_reasons": list(self.veto_reasons),
            "grade": self.grade,
            "grade_basis": self.grade_basis,
            "reward": str(self.reward),
            "reward_unit": "万元",
            "reward_before_cap": str(self.reward_before_cap),
            "reward_capped": self.reward_capped,
            "reward_formula": self.reward_formula,
            "needs_review": self.needs_review,
            "notes": list(self.notes),
            "contract_warnings": list(self.contract_warnings),
            "simulated": self.simulated,
            "overrides": dict(self.overrides),
        }

    def to_rows(self) -> list[dict[str, Any]]:
        """One flat row per indicator (for an Excel sheet); numbers stay Decimals."""
        return [
            {
                "飞地": self.enclave,
                "考核期": self.period,
                "指标代码": r.code,
                "指标名称": r.name,
                "单位": r.unit,
                "计分方式": KIND_LABELS.get(r.kind, r.kind),
                "权重": r.weight,
                "采用值": r.value,
                "数据来源": SOURCE_LABELS[r.source],
                "得分": r.points,
                "计算过程": r.formula,
                "说明": "；".join(r.notes),
                "待核定": "是" if r.needs_review else "",
            }
            for r in self.indicators
        ]


# --------------------------------------------------------------------------- values


def _pick(
    ind: Indicator, val: Value | None, override: Decimal | None, tolerance: Decimal
) -> tuple[Decimal | None, str, str, list[str], list[str]]:
    """Choose the figure to score and say why; flag reported/computed disagreements."""
    notes: list[str] = []
    flags: list[str] = []
    if override is not None:
        return override, "simulated", "what-if 模拟值（仅用于模拟，不影响正式结果）", notes, flags
    if val is None:
        return None, "missing", "未报送，平台也无统计数据", notes, flags
    reported, computed, verified = val.reported, val.computed, val.verified
    if verified is not None:
        if reported is not None and reported != verified:
            notes.append(
                f"科技局核定值与填报值不同（填报{fmt(reported)}，核定{fmt(verified)}），以核定值为准"
            )
        return verified, "verified", "采用科技局核定值（核定值优先于平台统计值和填报值）", notes, flags
    if computed is not None:
        if reported is not None and reported != computed:
            gap = _gap_text(reported, computed, tolerance)
            if gap is not None:
                notes.append(f"平台数据与填报不一致（{gap}），暂按平台统计值计分，待科技局核定")
                flags.append("discrepancy")
        return computed, "computed", "采用平台统计值（尚无核定值；平台数据优先于填报值）", notes, flags
    if reported is not None:
        return reported, "reported", "采用运营方填报值（尚无核定值，平台无统计数据）", notes, flags
    return None, "missing", "未报送，平台也无统计数据", notes, flags


def _gap_text(reported: Decimal, computed: Decimal, tolerance: Decimal) -> str | None:
    """Describe a reported/computed gap above ``tolerance`` (relative to the platform figure)."""
    if computed == ZERO:
        return f"平台统计为0，填报为{fmt(reported)}"
    ratio = abs(reported - computed) / abs(computed)
    if ratio <= tolerance:
        return None
    return (
        f"差异{q2(ratio * HUNDRED)}%：填报{fmt(reported)}，平台{fmt(computed)}，"
        f"容差{fmt(tolerance * HUNDRED)}%"
    )


def _range_text(ind: Indicator) -> str:
    if ind.max_value is None:
        return f"应不小于{fmt(ind.min_value)}"
    return f"应在{fmt(ind.min_value)}～{fmt(ind.max_value)}之间"


# --------------------------------------------------------------------------- points


def _texts(ind: Indicator) -> dict[str, str]:
    """The indicator's rule figures as text (also its static ``inputs``), built once per indicator."""
    texts = ind._texts
    if texts is None:
        kind = ind.kind
        texts = {}
        if kind in ("linear", "bands"):
            texts["weight"] = fmt(ind.weight)
            texts["cap_ratio"] = fmt(ind.cap_ratio)
        if kind == "linear":
            texts["target"] = _s(ind.target)
        elif kind == "bands":
            texts["bands"] = "、".join(f"≥{fmt(t)}:{fmt(s)}" for t, s in ind.bands)
        elif kind in ("bonus", "deduction"):
            texts["per_unit"] = fmt(ind.per_unit)
            texts["max_points"] = fmt(ind.max_points)
        else:
            texts["veto_threshold"] = fmt(ind.veto_threshold)
        object.__setattr__(ind, "_texts", texts)
    return texts


def _points(
    ind: Indicator, value: Decimal, vt: str, texts: dict[str, str], notes: list[str], flags: list[str]
) -> tuple[Decimal, str]:
    """Points for a valid figure (``vt`` is its text) and the arithmetic as text."""
    kind = ind.kind
    if kind == "linear":
        target = ind.target or ONE  # validated > 0
        ratio = value / target
        if ratio > ind.cap_ratio:
            used = ind.cap_ratio
            notes.append(f"超过目标（完成率{q2(ratio * HUNDRED)}%），按上限{fmt(used * HUNDRED)}%计分")
            flags.append("capped")
        else:
            used = ratio
            if ratio < ONE:
                notes.append(f"未完成目标（完成率{q2(ratio * HUNDRED)}%），按完成比例计分")
        points = q2(ind.weight * used)
        w = texts["weight"]
        formula = (
            f"权重{w} × min(实际{vt} ÷ 目标{texts['target']}, 上限{texts['cap_ratio']})"
            f" = {w} × {q2(used * HUNDRED)}% = {points}"
        )
        return points, formula
    if kind == "bands":
        reached: tuple[Decimal, Decimal] | None = None
        level = 0
        for i, band in enumerate(ind.bands, 1):
            if value >= band[0]:
                reached, level = band, i
        if reached is None:
            lowest = fmt(ind.bands[0][0])
            notes.append(f"未达到最低档（≥{lowest}{ind.unit}），该项计0分")
            return P0, f"实际{vt} < 最低档门槛{lowest} → 0"
        threshold, share = reached
        points = q2(ind.weight * share)
        notes.append(f"达到第{level}档（≥{fmt(threshold)}{ind.unit}），得权重的{fmt(share * HUNDRED)}%")
        formula = f"实际{vt} ≥ 门槛{fmt(threshold)} → 权重{texts['weight']} × {fmt(share)} = {points}"
        return points, formula
    raw = value * ind.per_unit
    capped = raw > ind.max_points
    earned = q2(ind.max_points if capped else raw)
    word = "加分" if kind == "bonus" else "扣分"
    if capped:
        notes.append(f"{word}已达上限{texts['max_points']}分（按数量应{word}{q2(raw)}分）")
        flags.append("capped")
    points = earned if kind == "bonus" or earned == ZERO else -earned
    formula = f"{word} min({vt}{ind.unit} × {texts['per_unit']}分, 上限{texts['max_points']}分) = {earned}"
    return points, formula


def _inputs(val: Value | None, vt: str, source: str, texts: dict[str, str]) -> dict[str, str]:
    inputs = {"value": vt, "source": source}
    if val is not None:
        inputs["reported"] = _raw(val.reported)
        inputs["computed"] = _raw(val.computed)
        inputs["verified"] = _raw(val.verified)
        inputs["evidence_count"] = str(val.evidence_count)
        if val.reported_at is not None:
            inputs["reported_at"] = val.reported_at.isoformat()
    inputs.update(texts)
    return inputs


def _score_indicator(
    ind: Indicator,
    val: Value | None,
    override: Decimal | None,
    contract: Contract,
    as_of: date | None,
) -> IndicatorResult:
    value, source, reason, notes, flags = _pick(ind, val, override, contract.discrepancy_tolerance)
    due = (val.due if val is not None else None) or contract.report_due
    texts = _texts(ind)
    vt = "" if value is None else fmt(value)
    inputs = _inputs(val, vt, source, texts)
    if due is not None:
        inputs["due"] = due.isoformat()
    _timing(ind.kind in ("deduction", "veto"), val, due, as_of, source, notes, flags)
    points = P0
    kind = ind.kind
    if value is None:
        flags.append("missing")
        if kind == "veto":
            flags.append("veto_unreported")
            notes.append("否决事项未报送，暂按未触发处理，待科技局核定")
            formula = "无数据 → 未触发"
        elif kind == "deduction":
            notes.append("无扣分记录，不扣分")
            formula = "无数据 → 0"
        elif kind == "bonus":
            notes.append("未报送加分事项，不加分")
            formula = "无数据 → 0"
        else:
            notes.append("未报送数据，该项计0分")
            formula = "无数据 → 0"
    elif value < ind.min_value or (ind.max_value is not None and value > ind.max_value):
        flags.append("invalid")
        notes.append(f"数值{vt}{ind.unit}超出有效范围（{_range_text(ind)}），该项计0分，请核实后更正")
        formula = f"数值{vt}无效 → 0"
    elif (
        ind.requires_evidence
        and source == "reported"
        and value > ZERO
        and (val is None or val.evidence_count == 0)
    ):
        flags.append("missing_evidence")
        notes.append(f"缺少佐证材料，该项计0分（佐证要求：{ind.evidence_rule}）")
        formula = f"填报{vt}，无佐证 → 0"
    elif kind == "veto":
        if value >= ind.veto_threshold:
            flags.append("veto")
            notes.append(f"触发一票否决：{ind.name}（{vt}{ind.unit} ≥ 阈值{texts['veto_threshold']}）")
            formula = f"{vt} ≥ 阈值{texts['veto_threshold']} → 一票否决"
        else:
            formula = f"{vt} < 阈值{texts['veto_threshold']} → 未触发"
    else:
        points, formula = _points(ind, value, vt, texts, notes, flags)
    return IndicatorResult(
        code=ind.code,
        name=ind.name,
        unit=ind.unit,
        kind=kind,
        weight=ind.weight,
        value=value,
        source=source,
        source_reason=reason,
        points=points,
        max_points=ind.max_score(),
        formula=formula,
        inputs=inputs,
        notes=tuple(notes),
        flags=tuple(flags),
    )


def _timing(
    bureau_recorded: bool,
    val: Value | None,
    due: date | None,
    as_of: date | None,
    source: str,
    notes: list[str],
    flags: list[str],
) -> None:
    """Late-report notes: late against the deadline, or overdue and still missing as of ``as_of``.

    Deductions and vetoes are recorded by the bureau, so their absence from the operator's
    report is not "overdue".
    """
    if due is None:
        return
    reported = val is not None and val.reported is not None
    if reported and val is not None:
        if val.reported_at is None:
            notes.append("未记录报送时间，无法判断是否逾期")
        elif val.reported_at > due:
            days = (val.reported_at - due).days
            notes.append(
                f"逾期报送（截止{due.isoformat()}，实际{val.reported_at.isoformat()}报送，逾期{days}天）"
            )
            flags.append("late")
    elif as_of is not None and source != "simulated" and not bureau_recorded:
        if as_of > due:
            notes.append(f"运营方已逾期未报送（截止{due.isoformat()}）")
            flags.append("not_reported")
        else:
            notes.append(f"尚未到报送截止日（{due.isoformat()}），当前结果为暂计")
            flags.append("pending")


# --------------------------------------------------------------------------- card


def _index_values(contract: Contract, values: Iterable[Value]) -> tuple[dict[str, Value], list[str]]:
    by_code: dict[str, Value] = {}
    codes = {i.code for i in contract.indicators}
    notes: list[str] = []
    for v in values:
        if v.code in by_code:
            raise ValueError(f"指标{v.code}有多条数据，请合并为一条后再评分")
        by_code[v.code] = v
        if v.code not in codes:
            notes.append(f"数据中的指标代码 {v.code} 不在本契约中，已忽略")
    return by_code, notes


def _build(
    contract: Contract,
    values: Iterable[Value],
    as_of: date | None,
    overrides: Mapping[str, Decimal],
) -> Scorecard:
    errors, warnings = checked(contract)
    if errors:
        raise ContractError(list(errors))
    by_code, notes = _index_values(contract, values)
    results = [
        _score_indicator(ind, by_code.get(ind.code), overrides.get(ind.code), contract, as_of)
        for ind in contract.indicators
    ]
    weighted = bonus = deduction = P0
    veto_reasons: list[str] = []
    late_items: list[str] = []
    for r in results:
        if r.kind in ("linear", "bands"):
            weighted += r.points
        elif r.kind == "bonus":
            bonus += r.points
        elif r.kind == "deduction":
            deduction -= r.points
        elif "veto" in r.flags:
            veto_reasons.append(next(n for n in r.notes if n.startswith("触发一票否决")))
        if "late" in r.flags:
            late_items.append(r.code)
    late_deduction = _late_deduction(contract, late_items, notes)
    total, total_formula = _total(contract, weighted, bonus, deduction, late_deduction, notes)
    vetoed = bool(veto_reasons)
    grade, grade_basis = _grade(contract, total, veto_reasons)
    reward, before_cap, capped, reward_formula = _reward(contract, total, vetoed, notes)
    return Scorecard(
        enclave=contract.enclave,
        period=contract.period,
        contract_version=contract.version,
        as_of=as_of,
        indicators=results,
        weighted_points=weighted,
        bonus_points=bonus,
        deduction_points=deduction,
        late_items=late_items,
        late_deduction=late_deduction,
        total=total,
        total_formula=total_formula,
        vetoed=vetoed,
        veto_reasons=veto_reasons,
        grade=grade,
        grade_basis=grade_basis,
        reward=reward,
        reward_before_cap=before_cap,
        reward_capped=capped,
        reward_formula=reward_formula,
        notes=notes,
        contract_warnings=list(warnings),
    )


def _late_deduction(contract: Contract, late_items: list[str], notes: list[str]) -> Decimal:
    if not late_items:
        return P0
    count = len(late_items)
    per_item = contract.late_deduction_per_item
    if per_item == ZERO:
        notes.append(f"逾期报送{count}项（{'、'.join(late_items)}）；本契约未设逾期扣分，仅作记录")
        return P0
    raw = q2(per_item * count)
    limit = contract.late_deduction_max
    if limit is not None and raw > limit:
        notes.append(
            f"逾期报送{count}项，按每项{fmt(per_item)}分应扣{raw}分，超过逾期扣分上限，按{q2(limit)}分扣除"
        )
        return q2(limit)
    notes.append(f"逾期报送{count}项（{'、'.join(late_items)}），每项扣{fmt(per_item)}分，共扣{raw}分")
    return raw


def _total(
    contract: Contract,
    weighted: Decimal,
    bonus: Decimal,
    deduction: Decimal,
    late: Decimal,
    notes: list[str],
) -> tuple[Decimal, str]:
    raw = weighted + bonus - deduction - late
    formula = f"指标得分{weighted} + 加分{bonus} − 扣分{deduction} − 逾期扣分{late} = {raw}"
    total = raw
    if raw < ZERO:
        total = P0
        notes.append(f"总分计算为{raw}，低于0分，按0分计")
        formula += " → 按0分计"
    elif contract.max_total is not None and raw > contract.max_total:
        total = q2(contract.max_total)
        notes.append(f"总分{raw}超过封顶{fmt(contract.max_total)}分，按{total}分计")
        formula += f" → 封顶{total}"
    return total, formula


def _grade(contract: Contract, total: Decimal, veto_reasons: list[str]) -> tuple[str, str]:
    if veto_reasons:
        return contract.fail_grade, f"{veto_reasons[0]}，直接评为{contract.fail_grade}"
    for name, minimum in contract.grades:
        if total >= minimum:
            return name, f"总分{total} ≥ {fmt(minimum)}（{name}线）"
    lowest_name, lowest = contract.grades[-1]
    return contract.fail_grade, f"总分{total} < {fmt(lowest)}（{lowest_name}线），评为{contract.fail_grade}"


def _reward(
    contract: Contract, total: Decimal, vetoed: bool, notes: list[str]
) -> tuple[Decimal, Decimal, bool, str]:
    rule = contract.reward
    if vetoed:
        return P0, P0, False, "触发一票否决，不予奖励 = 0万元"
    tiers = sorted(rule.tiers, key=lambda t: t.min_score, reverse=True)
    tier = next((t for t in tiers if total >= t.min_score), None)
    if tier is None:
        lowest = fmt(tiers[-1].min_score) if tiers else "—"
        return P0, P0, False, f"总分{total}低于最低奖励档（{lowest}分），不予奖励 = 0万元"
    label = (
        f"（{tier.label}档，≥{fmt(tier.min_score)}分）" if tier.label else f"（≥{fmt(tier.min_score)}分档）"
    )
    if tier.proportional:
        amount = q2(rule.base * tier.factor * total / HUNDRED)
        formula = f"基数{fmt(rule.base)}万元 × 系数{fmt(tier.factor)} × 总分{total}/100{label} = {amount}万元"
    else:
        amount = q2(rule.base * tier.factor)
        formula = f"基数{fmt(rule.base)}万元 × 系数{fmt(tier.factor)}{label} = {amount}万元"
    if amount > rule.cap:
        cap = q2(rule.cap)
        notes.append(f"按公式计得奖励{amount}万元，超过奖励上限{fmt(rule.cap)}万元，按上限{cap}万元发放")
        return cap, amount, True, f"{formula} → 超过上限，按{cap}万元发放"
    return amount, amount, False, formula


# --------------------------------------------------------------------------- API


def score(contract: Contract, values: Iterable[Value], *, as_of: date) -> Scorecard:
    """Score ``values`` under ``contract`` as known on ``as_of`` (used for missing-report notes).

    Raises :class:`ContractError` when the contract is invalid and ``ValueError`` when a
    code has two values: both are input errors to fix, not something to guess around.
    """
    return _build(contract, values, as_day(as_of), {})


def simulate(
    contract: Contract,
    values: Iterable[Value],
    overrides: Mapping[str, Number],
    *,
    as_of: date | None = None,
) -> Scorecard:
    """What-if: score as if indicator ``code`` had figure ``overrides[code]``.

    The inputs are not modified (they are frozen; the override only lives in this call).
    An overridden figure is treated as settled: it needs no evidence and raises no
    discrepancy; whether the original report was late still counts.  The card says which
    figures were replaced and from what, and that it is not an official result.
    """
    codes = {i.code for i in contract.indicators}
    unknown = sorted(set(overrides) - codes)
    if unknown:
        raise ValueError(f"模拟的指标代码不在契约中：{'、'.join(unknown)}")
    parsed = {code: to_decimal(v, f"指标{code}的模拟值") for code, v in overrides.items()}
    value_list = list(values)
    card = _build(contract, value_list, as_day(as_of), parsed)
    card.simulated = True
    card.overrides = {code: fmt(v) for code, v in parsed.items()}
    baseline = _baseline(contract, value_list)
    for ind in contract.indicators:
        if ind.code in parsed:
            before, source = baseline[ind.code]
            was = "无数据" if before is None else f"{fmt(before)}（{SOURCE_LABELS[source]}）"
            card.notes.append(f"模拟：{ind.name}由{was}改为{fmt(parsed[ind.code])}{ind.unit}")
    card.notes.append("本结果为模拟测算，不作为正式考核结果")
    return card


def _baseline(contract: Contract, values: list[Value]) -> dict[str, tuple[Decimal | None, str]]:
    by_code = {v.code: v for v in values}
    out: dict[str, tuple[Decimal | None, str]] = {}
    for ind in contract.indicators:
        value, source, *_ = _pick(ind, by_code.get(ind.code), None, contract.discrepancy_tolerance)
        out[ind.code] = (value, source)
    return out
