"""Enclave KPI scoring core: every scoring kind, the notes the bureau relies on, bad input."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from kechuang.enclaves.scoring import (
    Contract,
    ContractError,
    Indicator,
    RewardRule,
    RewardTier,
    Scorecard,
    Value,
    contract_warnings,
    rank,
    score,
    simulate,
    validate_contract,
)
from kechuang.enclaves.scoring.library import (
    DEFAULT_GRADES,
    DEFAULT_INDICATORS,
    DEFAULT_REWARD,
    default_contract,
)

D = Decimal
AS_OF = date(2025, 2, 1)
DUE = date(2025, 1, 15)
CAP_120 = Decimal("1.2")


def linear(
    code: str = "landed",
    weight: int = 100,
    target: int = 4,
    *,
    cap_ratio: Decimal | int = CAP_120,
    requires_evidence: bool = False,
    evidence_rule: str = "",
) -> Indicator:
    return Indicator(
        code,
        f"指标{code}",
        "家",
        "linear",
        weight=D(weight),
        target=D(target),
        cap_ratio=D(cap_ratio),
        requires_evidence=requires_evidence,
        evidence_rule=evidence_rule,
    )


def contract(*indicators: Indicator, **kw: object) -> Contract:
    params: dict[str, object] = {"grades": DEFAULT_GRADES, "reward": DEFAULT_REWARD, **kw}
    return Contract("深圳飞地", "2024", indicators, **params)  # type: ignore[arg-type]


def full_values(**overrides: Value) -> list[Value]:
    """Every library indicator met exactly on target by verified figures."""
    values = {}
    for ind in DEFAULT_INDICATORS:
        if ind.kind == "linear":
            values[ind.code] = Value(ind.code, verified=ind.target)
        elif ind.kind == "bands":
            values[ind.code] = Value(ind.code, verified=96)
        else:
            values[ind.code] = Value(ind.code, verified=0)
    values.update(overrides)
    return list(values.values())


# ------------------------------------------------------------------ library


def test_library_default_contract_is_valid_and_covers_the_seed_indicators() -> None:
    c = default_contract("晋江（武汉）离岸创新孵化中心", "2024")
    assert validate_contract(c) == []
    assert contract_warnings(c) == []
    names = {i.name for i in c.indicators}
    for expected in (
        "入驻企业技术成果数",
        "孵化企业数",
        "柔性引进人才数",
        "引进优秀项目和团队数",
        "入驻企业产值",
        "落地晋江企业数",
        "对接项目数",
        "专利转让/技术委托开发数",
        "辅导申报人才项目数",
        "需求响应率",
        "需求响应及时率",
    ):
        assert expected in names
    assert sum(i.weight for i in c.indicators if i.weighted) == 100
    assert {i.kind for i in c.indicators} == {"linear", "bands", "bonus", "deduction", "veto"}
    assert {i.unit for i in c.indicators} >= {"家", "个", "人", "万元", "%", "项"}
    assert c.reward.cap == 200


def test_library_personalisation_targets_extra_and_unknown_codes() -> None:
    extra = linear("design_orders", weight=5, target=10)
    c = default_contract("深圳", "2024", targets={"landed": 6}, extra=[extra])
    assert c.indicator("landed").target == 6
    assert c.indicator("design_orders").personalised
    assert any("权重合计应为100，当前为105" in m for m in validate_contract(c))
    fixed = default_contract("深圳", "2024", weights={"output": 3}, extra=[extra])
    assert validate_contract(fixed) == []
    # Memoised rule texts belong to the indicator object: a re-weighted copy shows its own weight.
    base = score(default_contract("深圳", "2024"), full_values(), as_of=AS_OF).result("output")
    card = score(fixed, full_values(), as_of=AS_OF)
    assert base.formula.startswith("权重8 ×")
    assert card.result("output").formula.startswith("权重3 ×")
    assert card.result("output").inputs["weight"] == "3"
    with pytest.raises(ValueError, match="指标库中没有这些指标代码：nope"):
        default_contract("深圳", "2024", targets={"nope": 1})


def test_all_on_target_scores_100_and_earns_the_full_reward() -> None:
    card = score(default_contract("深圳", "2024"), full_values(), as_of=AS_OF)
    assert card.total == D("100.00")
    assert card.grade == "优秀"
    assert card.reward == D("200.00")
    assert not card.reward_capped
    assert card.reward_formula == "基数200万元 × 系数1 × 总分100.00/100（优秀档，≥90分） = 200.00万元"


# ------------------------------------------------------------------ linear


@pytest.mark.parametrize(
    ("value", "points", "note"),
    [
        (2, "50.00", "未完成目标（完成率50.00%），按完成比例计分"),
        (4, "100.00", None),
        (D("4.4"), "110.00", None),
        (5, "120.00", "超过目标（完成率125.00%），按上限120%计分"),
        (40, "120.00", "超过目标（完成率1000.00%），按上限120%计分"),
    ],
)
def test_linear_is_proportional_to_target_up_to_the_cap(value: object, points: str, note: str | None) -> None:
    card = score(contract(linear()), [Value("landed", verified=value)], as_of=AS_OF)  # type: ignore[arg-type]
    r = card.result("landed")
    assert r.points == D(points)
    if note:
        assert note in r.notes
    assert ("capped" in r.flags) == (D(str(value)) > D("4.8"))
    assert r.max_points == D("120.00")


def test_linear_without_overachievement_caps_at_full_weight_with_a_note() -> None:
    c = contract(linear(cap_ratio=1))
    r = score(c, [Value("landed", verified=6)], as_of=AS_OF).result("landed")
    assert r.points == D("100.00")
    assert "超过目标（完成率150.00%），按上限100%计分" in r.notes


def test_points_round_half_up_to_two_places() -> None:
    c = contract(linear("a", weight=5, target=8), linear("b", weight=95, target=1))
    card = score(c, [Value("a", verified=1), Value("b", verified=0)], as_of=AS_OF)
    assert card.result("a").points == D("0.63")  # 0.625 → 0.63, not banker's 0.62
    assert card.total == D("0.63")


# ------------------------------------------------------------------ bands


def _rate_contract() -> Contract:
    rate = Indicator(
        "rate",
        "需求响应率",
        "%",
        "bands",
        weight=100,
        bands=((70, D("0.6")), (85, D("0.8")), (95, 1)),
        max_value=100,
    )
    return contract(rate)


@pytest.mark.parametrize(
    ("value", "points", "note"),
    [
        (69, "0.00", "未达到最低档（≥70%），该项计0分"),
        (70, "60.00", "达到第1档（≥70%），得权重的60%"),
        (D("94.9"), "80.00", "达到第2档（≥85%），得权重的80%"),
        (100, "100.00", "达到第3档（≥95%），得权重的100%"),
    ],
)
def test_bands_pick_the_highest_band_reached(value: object, points: str, note: str) -> None:
    r = score(_rate_contract(), [Value("rate", computed=value)], as_of=AS_OF).result("rate")  # type: ignore[arg-type]
    assert r.points == D(points)
    assert note in r.notes


def test_value_out_of_range_scores_zero_and_is_never_clamped_silently() -> None:
    card = score(_rate_contract(), [Value("rate", reported=120)], as_of=AS_OF)
    r = card.result("rate")
    assert r.points == 0
    assert r.value == 120
    assert "invalid" in r.flags and r.needs_review
    assert "数值120%超出有效范围（应在0～100之间），该项计0分，请核实后更正" in r.notes
    neg = score(contract(linear()), [Value("landed", verified=-1)], as_of=AS_OF).result("landed")
    assert neg.points == 0
    assert "数值-1家超出有效范围（应不小于0），该项计0分，请核实后更正" in neg.notes


# ------------------------------------------------------------------ bonus / deduction / veto


def _mixed_contract(**kw: object) -> Contract:
    bonus = Indicator(
        "talent",
        "国家级人才项目",
        "个",
        "bonus",
        per_unit=3,
        max_points=6,
        requires_evidence=True,
        evidence_rule="立项文件",
    )
    deduction = Indicator("issues", "未整改问题", "项", "deduction", per_unit=2, max_points=5)
    veto = Indicator("fraud", "弄虚作假", "次", "veto")
    return contract(linear(), bonus, deduction, veto, **kw)


def test_bonus_and_deduction_are_per_unit_with_a_maximum() -> None:
    values = [
        Value("landed", verified=3),
        Value("talent", reported=3, evidence_count=1),
        Value("issues", verified=4),
        Value("fraud", verified=0),
    ]
    card = score(_mixed_contract(), values, as_of=AS_OF)
    bonus, ded = card.result("talent"), card.result("issues")
    assert bonus.points == D("6.00")
    assert "加分已达上限6分（按数量应加分9.00分）" in bonus.notes
    assert ded.points == D("-5.00")
    assert "扣分已达上限5分（按数量应扣分8.00分）" in ded.notes
    assert card.weighted_points == D("75.00")
    assert card.bonus_points == D("6.00")
    assert card.deduction_points == D("5.00")
    assert card.total == D("76.00")
    assert card.total_formula == "指标得分75.00 + 加分6.00 − 扣分5.00 − 逾期扣分0.00 = 76.00"
    assert card.grade == "合格"


def test_veto_fails_the_card_and_withholds_the_reward_but_keeps_the_score_visible() -> None:
    values = [Value("landed", verified=5), Value("fraud", verified=1)]
    card = score(_mixed_contract(), values, as_of=AS_OF)
    assert card.vetoed
    assert card.total == D("120.00")
    assert card.grade == "不合格"
    assert card.reward == 0
    assert card.veto_reasons == ["触发一票否决：弄虚作假（1次 ≥ 阈值1）"]
    assert card.grade_basis.endswith("直接评为不合格")
    assert card.reward_formula == "触发一票否决，不予奖励 = 0万元"
    assert card.result("fraud").points == 0


def test_unreported_veto_item_is_flagged_for_the_bureau_not_silently_passed() -> None:
    card = score(_mixed_contract(), [Value("landed", verified=4)], as_of=AS_OF)
    r = card.result("fraud")
    assert not card.vetoed
    assert "veto_unreported" in r.flags
    assert "否决事项未报送，暂按未触发处理，待科技局核定" in r.notes
    assert "fraud" in card.needs_review


# ------------------------------------------------------------------ which value wins


def test_verified_beats_computed_beats_reported() -> None:
    c = contract(linear("a", weight=50), linear("b", weight=30), linear("c", weight=20))
    values = [
        Value("a", reported=4, computed=3, verified=2),
        Value("b", reported=4, computed=3),
        Value("c", reported=4, evidence_count=1),
    ]
    card = score(c, values, as_of=AS_OF)
    a, b, cc = card.result("a"), card.result("b"), card.result("c")
    assert (a.source, a.value) == ("verified", 2)
    assert a.source_reason.startswith("采用科技局核定值")
    assert "科技局核定值与填报值不同（填报4，核定2），以核定值为准" in a.notes
    assert (b.source, b.value) == ("computed", 3)
    assert b.source_reason.startswith("采用平台统计值")
    assert (cc.source, cc.value) == ("reported", 4)
    assert cc.source_reason.startswith("采用运营方填报值")


def test_discrepancy_between_report_and_platform_is_flagged_above_tolerance() -> None:
    c = contract(linear("a", weight=50), linear("b", weight=30), linear("c", weight=20))
    values = [
        Value("a", reported=5, computed=3),
        Value("b", reported=D("3.1"), computed=3),  # 3.33 % < 5 % tolerance
        Value("c", reported=2, computed=0),
    ]
    card = score(c, values, as_of=AS_OF)
    a = card.result("a")
    assert "discrepancy" in a.flags and a.needs_review
    assert a.notes[0] == (
        "平台数据与填报不一致（差异66.67%：填报5，平台3，容差5%），暂按平台统计值计分，待科技局核定"
    )
    assert "discrepancy" not in card.result("b").flags
    assert "平台数据与填报不一致（平台统计为0，填报为2）" in card.result("c").notes[0]
    assert card.needs_review == ["a", "c"]


# ------------------------------------------------------------------ evidence


def test_missing_evidence_zeroes_a_reported_figure_only() -> None:
    c = contract(
        *(
            linear(code, weight=25, requires_evidence=True, evidence_rule="营业执照")
            for code in ("rep", "ver", "com", "nil")
        )
    )
    values = [
        Value("rep", reported=4, evidence_count=0),
        Value("ver", reported=4, verified=4, evidence_count=0),
        Value("com", computed=4),
        Value("nil", reported=0),
    ]
    card = score(c, values, as_of=AS_OF)
    rep = card.result("rep")
    assert rep.points == 0
    assert "missing_evidence" in rep.flags
    assert "缺少佐证材料，该项计0分（佐证要求：营业执照）" in rep.notes
    assert card.result("ver").points == D("25.00")
    assert card.result("com").points == D("25.00")
    assert "missing_evidence" not in card.result("nil").flags
    with_evidence = score(c, [Value("rep", reported=4, evidence_count=2)], as_of=AS_OF)
    assert with_evidence.result("rep").points == D("25.00")


def test_missing_figure_scores_zero_with_a_reason() -> None:
    card = score(contract(linear()), [], as_of=AS_OF)
    r = card.result("landed")
    assert r.points == 0 and r.source == "missing"
    assert "未报送数据，该项计0分" in r.notes


# ------------------------------------------------------------------ late reports


def test_late_report_is_noted_and_deducted_per_contract() -> None:
    c = contract(
        linear("a", weight=50),
        linear("b", weight=50),
        late_deduction_per_item=D("1.5"),
        late_deduction_max=2,
    )
    values = [
        Value("a", reported=4, reported_at=date(2025, 1, 20), due=DUE),
        Value("b", reported=4, reported_at=datetime(2025, 1, 18, 9, 30), due=DUE),
    ]
    card = score(c, values, as_of=AS_OF)
    a = card.result("a")
    assert "late" in a.flags
    assert "逾期报送（截止2025-01-15，实际2025-01-20报送，逾期5天）" in a.notes
    assert card.late_items == ["a", "b"]
    assert card.late_deduction == D("2.00")
    assert "逾期报送2项，按每项1.5分应扣3.00分，超过逾期扣分上限，按2.00分扣除" in card.notes
    assert card.total == D("98.00")


def test_report_on_the_due_day_is_on_time_and_no_deduction_is_only_a_note() -> None:
    c = contract(linear("a", weight=50), linear("b", weight=50))
    values = [
        Value("a", reported=4, reported_at=datetime(2025, 1, 15, 23, 59), due=DUE),
        Value("b", reported=4, reported_at=date(2025, 1, 16), due=DUE),
    ]
    card = score(c, values, as_of=AS_OF)
    assert "late" not in card.result("a").flags
    assert card.late_deduction == 0
    assert "逾期报送1项（b）；本契约未设逾期扣分，仅作记录" in card.notes


def test_unreported_figures_are_overdue_or_pending_depending_on_as_of() -> None:
    c = contract(linear(), report_due=DUE)
    overdue = score(c, [Value("landed", computed=4)], as_of=AS_OF).result("landed")
    assert "运营方已逾期未报送（截止2025-01-15）" in overdue.notes
    assert overdue.points == D("100.00")  # the platform figure still counts
    pending = score(c, [], as_of=date(2025, 1, 10)).result("landed")
    assert "尚未到报送截止日（2025-01-15），当前结果为暂计" in pending.notes
    bureau = score(_mixed_contract(report_due=DUE), [Value("issues", verified=1)], as_of=AS_OF)
    assert not any("逾期" in n for n in bureau.result("issues").notes)


# ------------------------------------------------------------------ totals, grades, rewards


def test_total_is_capped_and_floored_with_notes() -> None:
    c = _mixed_contract(max_total=100)
    high = score(c, [Value("landed", verified=5), Value("talent", verified=2)], as_of=AS_OF)
    assert high.total == D("100.00")
    assert "总分126.00超过封顶100分，按100.00分计" in high.notes
    low = score(c, [Value("landed", verified=0), Value("issues", verified=2)], as_of=AS_OF)
    assert low.total == D("0.00")
    assert "总分计算为-4.00，低于0分，按0分计" in low.notes


def test_grade_thresholds_are_configurable() -> None:
    c = contract(linear(), grades=(("A", 95), ("B", 70)), fail_grade="C")
    assert score(c, [Value("landed", verified=D("3.9"))], as_of=AS_OF).grade == "A"
    assert score(c, [Value("landed", verified=D("3.5"))], as_of=AS_OF).grade == "B"
    card = score(c, [Value("landed", verified=2)], as_of=AS_OF)
    assert card.grade == "C"
    assert card.grade_basis == "总分50.00 < 70（B线），评为C"


def test_reward_over_the_cap_is_paid_at_the_cap_with_a_note_and_a_warning() -> None:
    rule = RewardRule(
        base=250, tiers=(RewardTier(90, 1, True, "优秀"), RewardTier(60, D("0.5"), False, "合格"))
    )
    c = contract(linear(), reward=rule)
    warnings = contract_warnings(c)
    assert warnings == [
        "按奖励公式最高可算得300.00万元（总分最高120.00分），超过奖励上限200万元；超出部分按上限发放，并在结果中注明"
    ]
    card = score(c, [Value("landed", verified=5)], as_of=AS_OF)
    assert card.reward == D("200.00")
    assert card.reward_before_cap == D("300.00")
    assert card.reward_capped
    assert "按公式计得奖励300.00万元，超过奖励上限200万元，按上限200.00万元发放" in card.notes
    assert card.reward_formula.endswith("→ 超过上限，按200.00万元发放")
    assert card.contract_warnings == warnings
    fixed = score(c, [Value("landed", verified=3)], as_of=AS_OF)
    assert fixed.reward == D("125.00")
    assert fixed.reward_formula == "基数250万元 × 系数0.5（合格档，≥60分） = 125.00万元"
    none = score(c, [Value("landed", verified=2)], as_of=AS_OF)
    assert none.reward == 0
    assert none.reward_formula == "总分50.00低于最低奖励档（60分），不予奖励 = 0万元"


def test_default_reward_table() -> None:
    c = default_contract("西安", "2024")
    good = full_values(landed=Value("landed", verified=D("2.5")))  # 14 × 62.5 % = 8.75 → total 94.75
    card = score(c, good, as_of=AS_OF)
    assert card.total == D("94.75")
    assert card.reward == D("189.50")
    ok = full_values(landed=Value("landed", verified=0), teams=Value("teams", verified=0))  # 74
    card = score(c, ok, as_of=AS_OF)
    assert (card.total, card.grade, card.reward) == (D("74.00"), "合格", D("44.40"))


# ------------------------------------------------------------------ contract validation


def test_weights_not_summing_to_100_is_refused_with_a_chinese_message() -> None:
    c = contract(linear("a", weight=60), linear("b", weight=35))
    errors = validate_contract(c)
    assert errors == [
        "计分指标（线性、分档）的权重合计应为100，当前为95（共2项；加分、扣分、否决项不计入权重）"
    ]
    with pytest.raises(ContractError) as info:
        score(c, [], as_of=AS_OF)
    assert info.value.messages == errors
    assert str(info.value).startswith("契约配置有误：1) 计分指标（线性、分档）的权重合计应为100")


def test_validation_collects_every_problem() -> None:
    bad = contract(
        linear("a", weight=100, target=0),
        linear("a", weight=0, cap_ratio=D("0.8")),
        Indicator("r", "响应率", "%", "bands", weight=0, bands=((90, 1), (80, D("0.5")))),
        Indicator("v", "否决", "次", "veto", weight=5),
        Indicator("b", "加分", "项", "bonus", weight=3, per_unit=0, max_points=0),
        Indicator("d", "扣分", "项", "deduction", per_unit=1, max_points=2, requires_evidence=True),
        Indicator("e", "成果", "项", "bonus", per_unit=1, max_points=2, requires_evidence=True),
        grades=(("良好", 80), ("优秀", 90)),
        reward=RewardRule(base=-1, tiers=(RewardTier(60, -1), RewardTier(60, 1)), cap=300),
    )
    errors = "\n".join(validate_contract(bad))
    for expected in (
        "指标代码重复：a",
        "线性计分指标「指标a」(a)必须设置大于0的目标值",
        "指标「指标a」(a)的上限系数应不小于1（当前为0.8）",
        "分档计分指标「响应率」(r)的档位门槛必须从低到高严格递增（当前为 90、80）",
        "分档计分指标「响应率」(r)的得分比例应随门槛提高而不减少",
        "否决项「否决」(v)不占权重，请将权重设为0（当前为5）",
        "加分项「加分」(b)不占权重，请将权重设为0（当前为3）",
        "加分项「加分」(b)的每单位分值必须大于0",
        "扣分项「扣分」(d)不能设置“需佐证”：缺少佐证不应免于扣分或否决",
        "指标「成果」(e)要求佐证材料，但未写明佐证规则（需提供哪些材料）",
        "等级门槛必须从高到低严格递减（当前为 良好≥80、优秀≥90）",
        "奖励基数不能为负数（当前为-1万元）",
        "奖励上限300万元超过考核办法规定的最高200万元运营绩效奖励",
        "奖励档位起始分重复：60",
        "奖励档位（≥60分）的系数不能为负数",
    ):
        assert expected in errors


def test_bad_values_raise_chinese_errors() -> None:
    with pytest.raises(ValueError, match="指标landed的填报值“abc”不是有效数字"):
        Value("landed", reported="abc")
    with pytest.raises(ValueError, match="不是有限数值"):
        Value("landed", reported=float("nan"))
    with pytest.raises(ValueError, match="佐证材料数量不能为负数"):
        Value("landed", reported=1, evidence_count=-1)
    assert Value("x", reported="1,200").reported == 1200
    assert Value("x", reported=0.1).reported == D("0.1")
    with pytest.raises(ValueError, match="指标landed有多条数据"):
        score(contract(linear()), [Value("landed", verified=1), Value("landed", verified=2)], as_of=AS_OF)
    card = score(contract(linear()), [Value("ghost", verified=1)], as_of=AS_OF)
    assert "数据中的指标代码 ghost 不在本契约中，已忽略" in card.notes


def test_unreachable_grades_are_warned() -> None:
    c = contract(linear(cap_ratio=1), grades=(("卓越", 110), ("合格", 60)))
    assert "等级「卓越」门槛110分高于可得最高总分100.00分，无法达到" in contract_warnings(c)


# ------------------------------------------------------------------ ranking


def _card(name: str, total: str, *, vetoed: bool = False, period: str = "2024") -> Scorecard:
    c = replace(contract(linear()), enclave=name, period=period)
    value = D(total) / 25  # weight 100, target 4
    values = [Value("landed", verified=value)]
    card = score(c, values, as_of=AS_OF)
    if vetoed:
        card.vetoed = True
        card.veto_reasons = ["触发一票否决：测试"]
    return card


def test_ranking_shares_ranks_on_ties_and_explains() -> None:
    cards = [_card("武汉", "88"), _card("深圳", "95"), _card("西安", "88"), _card("泉州", "70")]
    ranking = rank(cards)
    assert [(e.rank, e.enclave) for e in ranking] == [(1, "深圳"), (2, "武汉"), (2, "西安"), (4, "泉州")]
    assert ranking[1].tied_with == ["西安"]
    assert ranking[2].tied_with == ["武汉"]
    assert "与西安总分相同，并列第2名" in ranking[1].explanation
    assert "仅为显示顺序" in ranking[1].explanation
    assert ranking[0].explanation == "第1名：总分95.00，等级优秀"
    assert json.dumps([e.to_dict() for e in ranking], ensure_ascii=False)


def test_vetoed_units_rank_after_all_others() -> None:
    ranking = rank([_card("深圳", "110", vetoed=True), _card("武汉", "61")])
    assert [(e.rank, e.enclave) for e in ranking] == [(1, "武汉"), (2, "深圳")]
    assert "因触发一票否决，排在所有未被否决的单位之后" in ranking[1].explanation


def test_ranking_refuses_mixed_periods_and_duplicates() -> None:
    with pytest.raises(ValueError, match="不同考核期的结果不能放在一起排名"):
        rank([_card("深圳", "90"), _card("武汉", "90", period="2025")])
    with pytest.raises(ValueError, match="同一考核期内飞地重复出现：深圳"):
        rank([_card("深圳", "90"), _card("深圳", "80")])
    assert rank([]) == []


# ------------------------------------------------------------------ what-if


def test_simulation_does_not_touch_the_original() -> None:
    c = default_contract("武汉", "2024")
    values = full_values(landed=Value("landed", reported=1, evidence_count=0))
    before = score(c, values, as_of=AS_OF)
    snapshot = json.dumps(before.to_dict(), ensure_ascii=False)
    values_before = list(values)
    sim = simulate(c, values, {"landed": 4, "national_talent": 1}, as_of=AS_OF)
    assert values == values_before
    assert json.dumps(before.to_dict(), ensure_ascii=False) == snapshot
    assert before.result("landed").points == 0  # no evidence
    assert sim.result("landed").points == D("14.00")
    assert sim.result("landed").source == "simulated"
    assert sim.simulated and sim.overrides == {"landed": "4", "national_talent": "1"}
    assert sim.total == D("100.00")  # 86 + 14 + bonus 3, capped at 100
    assert "模拟：落地晋江企业数由1（运营方填报值）改为4家" in sim.notes
    assert "模拟：获批国家级人才项目由0（科技局核定值）改为1个" in sim.notes
    assert "本结果为模拟测算，不作为正式考核结果" in sim.notes
    assert not before.simulated
    with pytest.raises(ValueError, match="模拟的指标代码不在契约中：nope"):
        simulate(c, values, {"nope": 1})


# ------------------------------------------------------------------ traceability & export


def test_every_points_figure_lists_its_inputs_and_the_card_adds_up() -> None:
    c = replace(default_contract("深圳", "2024"), late_deduction_per_item=D(1))
    values = full_values(
        tech_results=Value(
            "tech_results", reported=25, evidence_count=2, reported_at=date(2025, 1, 20), due=DUE
        ),
        landed=Value("landed", reported=5, computed=3),
        response_rate=Value("response_rate", computed=80),
        national_talent=Value("national_talent", verified=3),
        unrectified=Value("unrectified", verified=1),
    )
    card = score(c, values, as_of=AS_OF)
    for r in card.indicators:
        assert r.formula, r.code
        assert r.inputs["source"] == r.source
        if r.value is None:
            assert r.inputs["value"] == ""
        else:
            assert D(r.inputs["value"]) == r.value
        if r.kind in ("linear", "bands"):
            assert r.inputs["weight"] and r.inputs["cap_ratio"]
        if r.kind == "linear":
            assert r.inputs["target"]
            assert str(r.points) in r.formula
        assert r.source_reason
    weighted = sum(r.points for r in card.indicators if r.kind in ("linear", "bands"))
    assert weighted == card.weighted_points
    assert card.bonus_points == sum(r.points for r in card.indicators if r.kind == "bonus")
    assert card.deduction_points == -sum(r.points for r in card.indicators if r.kind == "deduction")
    raw = card.weighted_points + card.bonus_points - card.deduction_points - card.late_deduction
    assert str(raw) in card.total_formula
    assert str(card.total) in card.grade_basis
    assert str(card.total) in card.reward_formula
    assert card.late_deduction == D("1.00")
    exported = json.loads(json.dumps(card.to_dict(), ensure_ascii=False))
    assert exported["indicators"][0]["notes"] == list(card.indicators[0].notes)
    assert exported["reward_unit"] == "万元"
    rows = card.to_rows()
    assert len(rows) == len(c.indicators)
    assert rows[5]["待核定"] == "是"  # landed: report and platform disagree


def test_scoring_is_deterministic() -> None:
    c = default_contract("深圳", "2024")
    values = full_values(landed=Value("landed", reported=5, computed=3))
    assert score(c, values, as_of=AS_OF).to_dict() == score(c, list(reversed(values)), as_of=AS_OF).to_dict()


def test_benchmark_contract_is_valid_and_has_30_indicators() -> None:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "assessment.py"
    spec = importlib.util.spec_from_file_location("bench_assessment", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import random

    c = module._contract(random.Random(1), 7, "2024Q1")
    assert validate_contract(c) == []
    assert len(c.indicators) == 30
