"""Default indicator library, grade thresholds and reward table for enclave contracts.

Source: 晋江 2024 创新案例 "科学谋划创新飞地": the bureau assesses each enclave operator
under a contract (契约化考核) covering 建设目标、人才引进、项目实施、创新成果, with
personalised indicators per enclave and "最高给予200万元运营绩效奖励".  The indicators
named there are 入驻企业技术成果数、孵化企业数、柔性引进人才数、引进的优秀项目和团队数、
产值, plus the outcomes the case reports (对接项目、落地晋江企业、专利转让和技术委托开发、
辅导申报人才项目) and the demand-service loop (需求响应率与及时率).

Assumptions (all are defaults the bureau can change per contract):

* Targets are *annual* placeholders for a mid-sized enclave, sized from the case's
  figures (three enclaves together: >100 对接项目, 12 落地企业, 1 national + >10
  provincial/city talent applications by Oct 2024).  Real contracts set their own.
* Weights favour what the enclave model exists for — landing projects in Jinjiang
  ("产业承接在晋江") and bringing in talent and teams — and sum to 100.
* Count indicators are linear to target and may earn up to 120 % of their weight so
  over-achievement offsets a weak indicator; the total is capped at 100 so the reward
  never exceeds 200万元 from the formula itself.
* Rates (响应率、及时率) are banded: a 1-point change near 100 % should not move money.
* Bonus items reward rare high-level outcomes; deductions and vetoes are recorded by the
  bureau (so they need no operator evidence).
* Reward = 200万元 × tier factor × score/100: 优秀 1.0, 良好 0.6, 合格 0.3, 不合格 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal

from .model import POLICY_MAX_REWARD, Contract, Indicator, Number, RewardRule, RewardTier, to_decimal

#: (grade, minimum total) from best to worst; below the last one is 不合格.
DEFAULT_GRADES: tuple[tuple[str, Decimal], ...] = (
    ("优秀", Decimal(90)),
    ("良好", Decimal(80)),
    ("合格", Decimal(60)),
)
FAIL_GRADE = "不合格"
#: Over-achievement may offset weak indicators, but the total stays on a 100-point scale.
DEFAULT_MAX_TOTAL = Decimal(100)

#: 200万元 × factor × score/100, capped at the policy maximum of 200万元.
DEFAULT_REWARD = RewardRule(
    base=POLICY_MAX_REWARD,
    tiers=(
        RewardTier(Decimal(90), Decimal("1.0"), True, "优秀"),
        RewardTier(Decimal(80), Decimal("0.6"), True, "良好"),
        RewardTier(Decimal(60), Decimal("0.3"), True, "合格"),
    ),
    cap=POLICY_MAX_REWARD,
)

_RATE_BANDS = ((Decimal(70), Decimal("0.6")), (Decimal(85), Decimal("0.8")), (Decimal(95), Decimal(1)))
_CAP = Decimal("1.2")


def linear_indicator(
    code: str, name: str, unit: str, weight: int, target: Number, evidence: str
) -> Indicator:
    """A count indicator scored linearly up to 120 % of target, with evidence required (the seed's usual kind;
    also used for personalised indicators)."""
    return Indicator(
        code=code,
        name=name,
        unit=unit,
        kind="linear",
        weight=Decimal(weight),
        target=to_decimal(target, name),
        cap_ratio=_CAP,
        requires_evidence=True,
        evidence_rule=evidence,
    )


#: The seed's indicators. Weighted ones sum to 100.
DEFAULT_INDICATORS: tuple[Indicator, ...] = (
    linear_indicator(
        "tech_results", "入驻企业技术成果数", "项", 10, 20, "专利证书、软件著作权、新产品鉴定等成果证明"
    ),
    linear_indicator("incubated", "孵化企业数", "家", 12, 10, "入孵协议及企业营业执照"),
    linear_indicator("flex_talent", "柔性引进人才数", "人", 10, 30, "人才合作协议或聘书、服务记录"),
    linear_indicator("teams", "引进优秀项目和团队数", "个", 12, 8, "项目入驻协议、团队成员名单及评审意见"),
    linear_indicator("output", "入驻企业产值", "万元", 8, 5000, "企业财务报表或纳税证明"),
    linear_indicator("landed", "落地晋江企业数", "家", 14, 4, "在晋江注册的营业执照及落地协议"),
    linear_indicator("matched", "对接项目数", "个", 8, 30, "对接活动记录、签到表或合作意向书"),
    linear_indicator("transfers", "专利转让/技术委托开发数", "项", 8, 5, "专利转让登记或技术开发合同"),
    linear_indicator("talent_apps", "辅导申报人才项目数", "个", 6, 4, "申报受理回执或推荐函"),
    Indicator(
        code="response_rate",
        name="需求响应率",
        unit="%",
        kind="bands",
        weight=Decimal(6),
        bands=_RATE_BANDS,
        max_value=Decimal(100),
        description="平台推送给飞地的企业需求中已响应的比例；平台可自动统计",
    ),
    Indicator(
        code="response_timely",
        name="需求响应及时率",
        unit="%",
        kind="bands",
        weight=Decimal(6),
        bands=_RATE_BANDS,
        max_value=Decimal(100),
        description="在约定时限内响应的需求比例；平台可自动统计",
    ),
    Indicator(
        code="national_talent",
        name="获批国家级人才项目",
        unit="个",
        kind="bonus",
        per_unit=Decimal(3),
        max_points=Decimal(6),
        requires_evidence=True,
        evidence_rule="国家级人才项目立项或入选文件",
    ),
    Indicator(
        code="honours",
        name="获评省级以上孵化载体或荣誉",
        unit="项",
        kind="bonus",
        per_unit=Decimal(2),
        max_points=Decimal(4),
        requires_evidence=True,
        evidence_rule="认定文件或获奖证书",
    ),
    Indicator(
        code="unrectified",
        name="未按期整改问题数",
        unit="项",
        kind="deduction",
        per_unit=Decimal(2),
        max_points=Decimal(10),
        description="科技局日常监管发现、逾期未整改的问题",
    ),
    Indicator(
        code="fraud",
        name="弄虚作假、骗取奖补资金",
        unit="次",
        kind="veto",
        description="经查实的弄虚作假行为，一次即否决",
    ),
    Indicator(
        code="major_incident",
        name="重大安全事故或违法违规事件",
        unit="起",
        kind="veto",
    ),
)


def default_contract(
    enclave: str,
    period: str,
    *,
    targets: Mapping[str, Number] | None = None,
    weights: Mapping[str, Number] | None = None,
    extra: Iterable[Indicator] = (),
    drop: Iterable[str] = (),
    version: str = "默认指标库",
) -> Contract:
    """A contract from the library with personalised targets/weights, extra or dropped indicators.

    Changing weights or adding weighted indicators is the bureau's job; the result is
    not re-balanced automatically — :func:`validate_contract` reports a sum ≠ 100 instead.
    Other settings (late-report deductions, deadline, tolerance …) are changed with
    ``dataclasses.replace(contract, late_deduction_per_item=…)``.
    """
    targets = targets or {}
    weights = weights or {}
    known = {i.code for i in DEFAULT_INDICATORS}
    unknown = sorted((set(targets) | set(weights) | set(drop)) - known)
    if unknown:
        raise ValueError(f"指标库中没有这些指标代码：{'、'.join(unknown)}")
    dropped = set(drop)
    indicators: list[Indicator] = []
    for ind in DEFAULT_INDICATORS:
        if ind.code in dropped:
            continue
        if ind.code in targets:
            ind = replace(ind, target=to_decimal(targets[ind.code], f"{ind.name}的目标值"))
        if ind.code in weights:
            ind = replace(ind, weight=to_decimal(weights[ind.code], f"{ind.name}的权重"))
        indicators.append(ind)
    indicators.extend(replace(i, personalised=True) for i in extra)
    return Contract(
        enclave=enclave,
        period=period,
        indicators=tuple(indicators),
        grades=DEFAULT_GRADES,
        reward=DEFAULT_REWARD,
        version=version,
        fail_grade=FAIL_GRADE,
        max_total=DEFAULT_MAX_TOTAL,
    )
