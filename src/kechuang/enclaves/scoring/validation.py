"""Contract checks with Chinese messages.

:func:`validate_contract` returns *errors*: a contract with any of them cannot be scored
(:func:`~kechuang.enclaves.scoring.engine.score` raises :class:`ContractError`).
:func:`contract_warnings` returns *warnings*: the contract can be scored but something
will be clamped or cannot happen (e.g. the reward formula can exceed the cap) — they are
copied into every scorecard so that nobody is surprised by a clamp.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from .model import (
    HUNDRED,
    KIND_LABELS,
    KINDS,
    ONE,
    POLICY_MAX_REWARD,
    ZERO,
    Contract,
    Indicator,
    fmt,
    q2,
)


class ContractError(ValueError):
    """A contract that cannot be scored; ``messages`` lists every problem in Chinese."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        numbered = "；".join(f"{i}) {m}" for i, m in enumerate(self.messages, 1))
        super().__init__(f"契约配置有误：{numbered}")


def _label(ind: Indicator) -> str:
    return f"「{ind.name}」({ind.code})"


def _indicator_errors(ind: Indicator) -> list[str]:
    errors: list[str] = []
    label = _label(ind)
    if not ind.code.strip():
        errors.append(f"指标「{ind.name}」缺少指标代码")
    if not ind.name.strip():
        errors.append(f"指标 {ind.code} 缺少名称")
    if not ind.unit.strip():
        errors.append(f"指标{label}缺少计量单位")
    if ind.kind not in KINDS:
        errors.append(f"指标{label}的计分方式“{ind.kind}”无效，应为 linear/bands/bonus/deduction/veto 之一")
        return errors
    kind_label = KIND_LABELS[ind.kind]
    if ind.weight < ZERO:
        errors.append(f"指标{label}的权重不能为负数（当前为{fmt(ind.weight)}）")
    if ind.weighted:
        if ind.weight <= ZERO:
            errors.append(f"{kind_label}指标{label}必须设置大于0的权重")
        if ind.cap_ratio < ONE:
            errors.append(
                f"指标{label}的上限系数应不小于1（当前为{fmt(ind.cap_ratio)}），否则完成目标也拿不到满分"
            )
    elif ind.weight != ZERO:
        what = "否决项" if ind.kind == "veto" else kind_label
        errors.append(f"{what}{label}不占权重，请将权重设为0（当前为{fmt(ind.weight)}）")
    if ind.kind == "linear":
        if ind.target is None or ind.target <= ZERO:
            errors.append(f"线性计分指标{label}必须设置大于0的目标值")
    elif ind.kind == "bands":
        errors.extend(_band_errors(ind, label))
    elif ind.kind in ("bonus", "deduction"):
        if ind.per_unit <= ZERO:
            errors.append(f"{kind_label}{label}的每单位分值必须大于0")
        if ind.max_points <= ZERO:
            errors.append(f"{kind_label}{label}的最高分值必须大于0")
    elif ind.kind == "veto" and ind.veto_threshold <= ZERO:
        errors.append(f"否决项{label}的触发阈值必须大于0，否则任何单位都会被否决")
    if ind.requires_evidence:
        if ind.kind in ("deduction", "veto"):
            errors.append(f"{kind_label}{label}不能设置“需佐证”：缺少佐证不应免于扣分或否决")
        elif not ind.evidence_rule.strip():
            errors.append(f"指标{label}要求佐证材料，但未写明佐证规则（需提供哪些材料）")
    if ind.max_value is not None and ind.max_value <= ind.min_value:
        errors.append(f"指标{label}的有效范围上限（{fmt(ind.max_value)}）应大于下限（{fmt(ind.min_value)}）")
    return errors


def _band_errors(ind: Indicator, label: str) -> list[str]:
    if not ind.bands:
        return [f"分档计分指标{label}未设置任何档位"]
    errors: list[str] = []
    thresholds = [t for t, _ in ind.bands]
    shares = [s for _, s in ind.bands]
    if any(b <= a for a, b in pairwise(thresholds)):
        shown = "、".join(fmt(t) for t in thresholds)
        errors.append(f"分档计分指标{label}的档位门槛必须从低到高严格递增（当前为 {shown}）")
    if any(b < a for a, b in pairwise(shares)):
        errors.append(f"分档计分指标{label}的得分比例应随门槛提高而不减少")
    if any(s < ZERO or s > ind.cap_ratio for s in shares):
        errors.append(
            f"分档计分指标{label}的得分比例应在0到上限系数{fmt(ind.cap_ratio)}之间"
            f"（当前为 {'、'.join(fmt(s) for s in shares)}）"
        )
    return errors


def validate_contract(contract: Contract) -> list[str]:
    """Every reason why ``contract`` cannot be scored, in Chinese; empty when it is sound."""
    errors: list[str] = []
    if not contract.enclave.strip():
        errors.append("契约缺少飞地名称")
    if not contract.period.strip():
        errors.append("契约缺少考核期")
    if not contract.indicators:
        errors.append("契约没有任何考核指标")
    seen: set[str] = set()
    for ind in contract.indicators:
        if ind.code in seen:
            errors.append(f"指标代码重复：{ind.code}")
        seen.add(ind.code)
        errors.extend(_indicator_errors(ind))
    weighted = [i for i in contract.indicators if i.kind in ("linear", "bands")]
    total_weight = sum((i.weight for i in weighted), ZERO)
    if contract.indicators and total_weight != HUNDRED:
        errors.append(
            f"计分指标（线性、分档）的权重合计应为100，当前为{fmt(total_weight)}"
            f"（共{len(weighted)}项；加分、扣分、否决项不计入权重）"
        )
    errors.extend(_grade_errors(contract))
    errors.extend(_reward_errors(contract))
    if contract.max_total is not None and contract.max_total <= ZERO:
        errors.append(f"总分封顶值必须大于0（当前为{fmt(contract.max_total)}）")
    if not ZERO <= contract.discrepancy_tolerance < ONE:
        errors.append(f"平台数据与填报的差异容差应在0到1之间（当前为{fmt(contract.discrepancy_tolerance)}）")
    if contract.late_deduction_per_item < ZERO:
        errors.append("逾期报送扣分不能为负数")
    if contract.late_deduction_max is not None and contract.late_deduction_max < ZERO:
        errors.append("逾期报送扣分上限不能为负数")
    return errors


def _grade_errors(contract: Contract) -> list[str]:
    errors: list[str] = []
    if not contract.grades:
        errors.append("未设置等级门槛（如 优秀≥90、良好≥80、合格≥60）")
        return errors
    names = [n for n, _ in contract.grades] + [contract.fail_grade]
    if len(set(names)) != len(names):
        errors.append(f"等级名称重复：{'、'.join(names)}")
    mins = [s for _, s in contract.grades]
    if any(b >= a for a, b in pairwise(mins)):
        shown = "、".join(f"{n}≥{fmt(s)}" for n, s in contract.grades)
        errors.append(f"等级门槛必须从高到低严格递减（当前为 {shown}）")
    if any(s < ZERO for s in mins):
        errors.append("等级门槛不能为负数")
    return errors


def _reward_errors(contract: Contract) -> list[str]:
    rule = contract.reward
    errors: list[str] = []
    if rule.base < ZERO:
        errors.append(f"奖励基数不能为负数（当前为{fmt(rule.base)}万元）")
    if rule.cap <= ZERO:
        errors.append(f"奖励上限必须大于0（当前为{fmt(rule.cap)}万元）")
    elif rule.cap > POLICY_MAX_REWARD:
        errors.append(
            f"奖励上限{fmt(rule.cap)}万元超过考核办法规定的最高{fmt(POLICY_MAX_REWARD)}万元运营绩效奖励"
        )
    mins = [t.min_score for t in rule.tiers]
    dupes = sorted({m for m in mins if mins.count(m) > 1})
    if dupes:
        errors.append(f"奖励档位起始分重复：{'、'.join(fmt(d) for d in dupes)}")
    for tier in rule.tiers:
        if tier.factor < ZERO:
            errors.append(f"奖励档位（≥{fmt(tier.min_score)}分）的系数不能为负数")
        if tier.min_score < ZERO:
            errors.append(f"奖励档位起始分不能为负数（当前为{fmt(tier.min_score)}）")
    return errors


def max_total_score(contract: Contract) -> Decimal:
    """Highest total a unit could reach under ``contract`` (after ``max_total``)."""
    best = sum((i.max_score() for i in contract.indicators if i.kind != "deduction"), ZERO)
    if contract.max_total is not None:
        best = min(best, contract.max_total)
    return best


def contract_warnings(contract: Contract) -> list[str]:
    """Non-blocking problems: places where a result will be clamped or a grade is unreachable."""
    warnings: list[str] = []
    best = max_total_score(contract)
    rule = contract.reward
    if rule.tiers:
        reachable = [t for t in rule.tiers if t.min_score <= best]
        worst_case = max(
            (rule.base * t.factor * (best / HUNDRED if t.proportional else ONE) for t in reachable),
            default=ZERO,
        )
        if worst_case > rule.cap:
            warnings.append(
                f"按奖励公式最高可算得{q2(worst_case)}万元（总分最高{q2(best)}分），"
                f"超过奖励上限{fmt(rule.cap)}万元；超出部分按上限发放，并在结果中注明"
            )
        unreachable = [t for t in rule.tiers if t.min_score > best]
        for tier in unreachable:
            warnings.append(
                f"奖励档位起始分{fmt(tier.min_score)}高于可得最高总分{q2(best)}，该档永远不会触发"
            )
    else:
        warnings.append("奖励表为空：任何得分都不发放运营绩效奖励")
    for name, minimum in contract.grades:
        if minimum > best:
            warnings.append(f"等级「{name}」门槛{fmt(minimum)}分高于可得最高总分{q2(best)}分，无法达到")
    return warnings


def checked(contract: Contract) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(errors, warnings)`` of ``contract``, computed once per (immutable) contract object."""
    cached = contract._checks
    if cached is None:
        errors = tuple(validate_contract(contract))
        cached = (errors, () if errors else tuple(contract_warnings(contract)))
        object.__setattr__(contract, "_checks", cached)
    return cached
