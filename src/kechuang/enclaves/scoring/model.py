"""Input dataclasses of the enclave (创新飞地) KPI scoring core.

Everything here is plain data: frozen dataclasses holding :class:`~decimal.Decimal`
numbers so that a contract or a reported value can be hashed, compared, copied into a
what-if simulation and serialised without any surprise.  Constructors accept ``int``,
``str`` and ``float`` for convenience and convert them once (floats via ``str`` so that
``0.1`` stays ``0.1``).  Only *type* problems raise here; *semantic* problems (weights
not summing to 100, unsorted bands …) are collected by
:func:`kechuang.enclaves.scoring.validation.validate_contract` so that the bureau sees
every problem of a contract at once.

Money is expressed in 万元 like the rest of the platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

Kind = Literal["linear", "bands", "bonus", "deduction", "veto"]
KINDS: tuple[str, ...] = ("linear", "bands", "bonus", "deduction", "veto")
WEIGHTED_KINDS: frozenset[str] = frozenset({"linear", "bands"})
KIND_LABELS: dict[str, str] = {
    "linear": "线性计分",
    "bands": "分档计分",
    "bonus": "加分项",
    "deduction": "扣分项",
    "veto": "一票否决项",
}

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
#: 《飞地运营绩效考核评估办法》: "最高给予200万元运营绩效奖励" (万元).
POLICY_MAX_REWARD = Decimal(200)

Number = Decimal | int | str | float


def q2(value: Decimal) -> Decimal:
    """Round half up to 2 places: the one rounding rule for points and money."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros (``100``, ``1.2``, ``92.5``).

    Written with string operations because it runs for every number on every card.
    """
    text = str(value)
    if "E" in text:
        text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def to_decimal(value: Number, what: str) -> Decimal:
    """Convert user input to a finite Decimal or raise a Chinese ``ValueError`` naming ``what``."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise ValueError(f"{what}应为数字，而不是布尔值")
    elif isinstance(value, int):
        return Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"{what}“{value}”不是有效数字") from None
    else:
        raise ValueError(f"{what}应为数字，收到 {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{what}“{value}”不是有限数值")
    return result


def _opt_decimal(value: Number | None, what: str) -> Decimal | None:
    return None if value is None else to_decimal(value, what)


def as_day(value: date | datetime | None) -> date | None:
    """Reports may carry a timestamp; deadlines are whole days (a report on the due day is on time)."""
    if isinstance(value, datetime):
        return value.date()
    return value


@dataclass(frozen=True, slots=True)
class Indicator:
    """One KPI of a contract.

    ``weight`` is in points of the 100-point base score (only ``linear``/``bands`` carry
    weight).  ``cap_ratio`` limits over-achievement: 1.2 means an indicator can earn up
    to 120 % of its weight.  ``bands`` are ``(threshold, share)`` pairs, ascending: a
    value ≥ threshold earns ``share × weight``.  ``bonus``/``deduction`` earn
    ``per_unit`` points per unit up to ``max_points``.  ``veto`` triggers 一票否决 when
    the value reaches ``veto_threshold``.  ``requires_evidence`` with ``evidence_rule``
    (what the operator must upload) applies to operator-reported figures.
    ``min_value``/``max_value`` bound what a valid figure can be (e.g. a rate ≤ 100 %).
    """

    code: str
    name: str
    unit: str
    kind: Kind
    weight: Decimal = ZERO
    target: Decimal | None = None
    cap_ratio: Decimal = ONE
    bands: tuple[tuple[Decimal, Decimal], ...] = ()
    per_unit: Decimal = ZERO
    max_points: Decimal = ZERO
    veto_threshold: Decimal = ONE
    requires_evidence: bool = False
    evidence_rule: str = ""
    min_value: Decimal = ZERO
    max_value: Decimal | None = None
    personalised: bool = False
    description: str = ""
    #: Formatted rule figures (weight, target …) memoised by the engine: the indicator is
    #: immutable and the same texts appear on every card scored under it.
    _texts: dict[str, str] | None = field(default=None, init=False, repr=False, compare=False, hash=False)
    _max: Decimal = field(default=ZERO, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        label = f"指标「{self.name or self.code}」"
        set_ = object.__setattr__
        set_(self, "weight", to_decimal(self.weight, f"{label}的权重"))
        set_(self, "target", _opt_decimal(self.target, f"{label}的目标值"))
        set_(self, "cap_ratio", to_decimal(self.cap_ratio, f"{label}的上限系数"))
        set_(self, "per_unit", to_decimal(self.per_unit, f"{label}的每单位分值"))
        set_(self, "max_points", to_decimal(self.max_points, f"{label}的最高分值"))
        set_(self, "veto_threshold", to_decimal(self.veto_threshold, f"{label}的否决阈值"))
        set_(self, "min_value", to_decimal(self.min_value, f"{label}的有效下限"))
        set_(self, "max_value", _opt_decimal(self.max_value, f"{label}的有效上限"))
        set_(
            self,
            "bands",
            tuple(
                (to_decimal(t, f"{label}的档位门槛"), to_decimal(s, f"{label}的档位得分比例"))
                for t, s in self.bands
            ),
        )
        set_(self, "_max", self._compute_max())

    @property
    def weighted(self) -> bool:
        """Counts towards the 100-point base score (and the weights-sum-to-100 rule)."""
        return self.kind in WEIGHTED_KINDS

    def max_score(self) -> Decimal:
        """Most points this indicator can contribute (negative for deductions)."""
        return self._max

    def _compute_max(self) -> Decimal:
        if self.kind == "linear":
            return q2(self.weight * self.cap_ratio)
        if self.kind == "bands":
            return q2(self.weight * max((s for _, s in self.bands), default=ZERO))
        if self.kind == "bonus":
            return self.max_points
        if self.kind == "deduction":
            return -self.max_points
        return ZERO


@dataclass(frozen=True, slots=True)
class RewardTier:
    """One row of the reward table: from ``min_score`` on, reward = base × factor (× score/100)."""

    min_score: Decimal
    factor: Decimal
    proportional: bool = True
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "min_score", to_decimal(self.min_score, "奖励档位的起始分"))
        object.__setattr__(self, "factor", to_decimal(self.factor, "奖励档位的系数"))


@dataclass(frozen=True, slots=True)
class RewardRule:
    """Piecewise reward formula in 万元: ``base × factor(score) [× score/100]``, at most ``cap``."""

    base: Decimal
    tiers: tuple[RewardTier, ...]
    cap: Decimal = POLICY_MAX_REWARD

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", to_decimal(self.base, "奖励基数"))
        object.__setattr__(self, "cap", to_decimal(self.cap, "奖励上限"))
        object.__setattr__(self, "tiers", tuple(self.tiers))


@dataclass(frozen=True, slots=True)
class Contract:
    """An operator's performance contract (契约) for one enclave and one assessment period.

    ``grades`` are ``(name, min_score)`` from best to worst; a score below all of them gets
    ``fail_grade``.  ``max_total`` (if set) caps the total score, ``discrepancy_tolerance``
    is the relative gap between reported and platform data that is still accepted
    silently, and late reports cost ``late_deduction_per_item`` points each (at most
    ``late_deduction_max``; ``None`` = no limit).  ``report_due`` is the default deadline
    for values that do not carry their own.
    """

    enclave: str
    period: str
    indicators: tuple[Indicator, ...]
    grades: tuple[tuple[str, Decimal], ...]
    reward: RewardRule
    version: str = "1"
    fail_grade: str = "不合格"
    max_total: Decimal | None = None
    discrepancy_tolerance: Decimal = Decimal("0.05")
    late_deduction_per_item: Decimal = ZERO
    late_deduction_max: Decimal | None = None
    report_due: date | None = None
    #: (errors, warnings) memoised by ``validation.checked``: a contract is immutable, and
    #: re-validating it for every period and simulation would dominate bulk scoring.
    _checks: tuple[tuple[str, ...], tuple[str, ...]] | None = field(
        default=None, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "indicators", tuple(self.indicators))
        set_(self, "grades", tuple((str(n), to_decimal(s, f"等级「{n}」的门槛")) for n, s in self.grades))
        set_(self, "max_total", _opt_decimal(self.max_total, "总分封顶值"))
        set_(self, "discrepancy_tolerance", to_decimal(self.discrepancy_tolerance, "差异容差"))
        set_(self, "late_deduction_per_item", to_decimal(self.late_deduction_per_item, "逾期扣分"))
        set_(self, "late_deduction_max", _opt_decimal(self.late_deduction_max, "逾期扣分上限"))

    def indicator(self, code: str) -> Indicator:
        """The indicator with ``code`` (``KeyError`` with a Chinese message otherwise)."""
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(f"契约中没有指标代码 {code}")


@dataclass(frozen=True, slots=True)
class Value:
    """The figures known for one indicator in one period.

    ``reported`` comes from the operator, ``computed`` from the platform's own records
    (may be ``None`` when the platform cannot count it), ``verified`` is the figure the
    bureau settled on (``None`` until it does).  ``evidence_count`` counts uploaded
    supporting documents; ``reported_at``/``due`` decide whether the report was late.
    """

    code: str
    reported: Decimal | None = None
    computed: Decimal | None = None
    verified: Decimal | None = None
    evidence_count: int = 0
    reported_at: date | None = None
    due: date | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "reported", _opt_decimal(self.reported, f"指标{self.code}的填报值"))
        set_(self, "computed", _opt_decimal(self.computed, f"指标{self.code}的平台统计值"))
        set_(self, "verified", _opt_decimal(self.verified, f"指标{self.code}的核定值"))
        if isinstance(self.evidence_count, bool) or not isinstance(self.evidence_count, int):
            raise ValueError(f"指标{self.code}的佐证材料数量应为整数")
        if self.evidence_count < 0:
            raise ValueError(f"指标{self.code}的佐证材料数量不能为负数")
        set_(self, "reported_at", as_day(self.reported_at))
        set_(self, "due", as_day(self.due))
