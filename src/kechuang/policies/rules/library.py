"""A policy library as data: policies, their measures, each measure's conditions and amount formula.

The JSON file format (also what the database stores per measure) is documented in docs/policies.md.
:func:`load_library` checks the whole file and refuses it whole, with one Chinese message per problem and
the line it is on, so a library is never half-loaded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .expr import Formula, FormulaError, compile_formula

#: The texts' comparison words and what they mean: "以上/以下" include the number, "超过/不足/低于" do not.
OPERATORS: dict[str, str] = {
    "以上": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "达到": ">=",
    "以下": "<=",
    "不超过": "<=",
    "不高于": "<=",
    "超过": ">",
    "高于": ">",
    "多于": ">",
    "不足": "<",
    "低于": "<",
    "少于": "<",
    "为": "==",
    "不为": "!=",
}
UNITS = frozenset({"%", "万元", "元", "人", "件", "分", "年", "项", "个", ""})
LEVELS = {"state": "国家", "province": "省", "city": "市", "county": "县（市）"}


class LibraryError(ValueError):
    """A library that cannot be used; ``messages`` has one line per problem."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("政策库有误：" + "；".join(messages[:20]))


@dataclass
class Condition:
    id: str
    text: str
    cites: str
    value: Formula | None = None
    op: str = ""
    word: str = ""
    threshold: Formula | None = None
    unit: str = ""
    test: Formula | None = None
    any_of: list[Condition] = field(default_factory=list)
    all_of: list[Condition] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return bool(self.any_of or self.all_of)


@dataclass
class Amount:
    formula: Formula
    unit: str
    text: str
    cites: str


@dataclass
class Measure:
    id: str
    title: str
    policy_id: str
    kind: str  # "qualification" (a status to reach) or "money"
    cites: str
    conditions: list[Condition]
    amount: Amount | None
    is_demo: bool = False
    tier: str = ""  # the qualification this measure leads to, for tier cultivation
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Policy:
    id: str
    title: str
    issuer: str
    level: str
    doc_no: str
    year: int | None
    is_demo: bool


@dataclass
class Variable:
    name: str
    label: str
    unit: str
    formula: Formula


@dataclass(frozen=True)
class TierStep:
    """One rung of the ladder (梯度培育): reached by holding one of ``holds``, checked by a measure."""

    id: str
    label: str
    measure_id: str
    holds: tuple[str, ...]


@dataclass
class Library:
    policies: dict[str, Policy]
    variables: dict[str, Variable]
    measures: list[Measure]
    tiers: list[TierStep] = field(default_factory=list)

    def measure(self, measure_id: str) -> Measure:
        for m in self.measures:
            if m.id == measure_id:
                return m
        raise KeyError(measure_id)


class _Lines:
    """Finds the line a problem is on: the first line after the measure's id that holds the snippet."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def of(self, anchor: str, snippet: str = "") -> int:
        start = 0
        if anchor:
            needle = json.dumps(anchor, ensure_ascii=False)
            start = next((i for i, line in enumerate(self.lines) if needle in line), 0)
        if snippet:
            for i in range(start, len(self.lines)):
                if snippet in self.lines[i]:
                    return i + 1
        return start + 1


def _text(raw: dict[str, Any], key: str, where: str, errors: list[str], *, required: bool = True) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        if required:
            errors.append(f"{where}缺少“{key}”")
        return ""
    return value.strip()


def parse_library(data: Any, *, text: str = "") -> Library:
    """Build a library from parsed JSON; every problem is collected and raised as one LibraryError."""
    lines = _Lines(text)
    errors: list[str] = []

    def err(anchor: str, snippet: str, message: str) -> None:
        errors.append(f"第{lines.of(anchor, snippet)}行：{message}" if text else message)

    if not isinstance(data, dict):
        raise LibraryError(["政策库应为 JSON 对象，含 policies、variables、measures"])
    policies: dict[str, Policy] = {}
    for raw in data.get("policies") or []:
        pid = str(raw.get("id", "")) if isinstance(raw, dict) else ""
        if not pid:
            err("", "", "有政策缺少 id")
            continue
        if pid in policies:
            err(pid, "", f"政策 {pid} 重复")
        level = raw.get("level", "")
        if level not in LEVELS:
            err(pid, '"level"', f"政策 {pid} 的 level“{level}”应为 {'/'.join(LEVELS)} 之一")
        local: list[str] = []
        policies[pid] = Policy(
            id=pid,
            title=_text(raw, "title", f"政策 {pid} ", local),
            issuer=_text(raw, "issuer", "", local, required=False),
            level=level,
            doc_no=_text(raw, "doc_no", "", local, required=False),
            year=raw.get("year") if isinstance(raw.get("year"), int) else None,
            is_demo=bool(raw.get("demo", False)),
        )
        for message in local:
            err(pid, "", message)
    raw_variables = data.get("variables") or {}
    if not isinstance(raw_variables, dict):
        raise LibraryError(["variables 应为对象：{名称: {label, unit, formula}}"])
    names = set(raw_variables)
    variables: dict[str, Variable] = {}
    for name, raw in raw_variables.items():
        if not name.isidentifier() or not name.isascii():
            err(name, "", f"变量名“{name}”只能用英文字母、数字和下划线")
            continue
        if not isinstance(raw, dict):
            err(name, "", f"变量 {name} 应为对象")
            continue
        try:
            formula = compile_formula(raw.get("formula"), names - {name})
        except FormulaError as exc:
            err(name, '"formula"', f"变量 {name}：{exc}")
            continue
        unit = raw.get("unit", "")
        if unit not in UNITS:
            err(name, '"unit"', f"变量 {name} 的单位“{unit}”无效")
        variables[name] = Variable(name, str(raw.get("label") or name), unit, formula)
    _check_cycles(variables, err)
    measures: list[Measure] = []
    seen: set[str] = set()
    for raw in data.get("measures") or []:
        mid = str(raw.get("id", "")) if isinstance(raw, dict) else ""
        if not mid:
            err("", "", "有措施缺少 id")
            continue
        if mid in seen:
            err(mid, "", f"措施 {mid} 重复")
        seen.add(mid)
        measure = _measure(raw, mid, policies, names, err)
        if measure is not None:
            measures.append(measure)
    if not measures and not errors:
        errors.append("政策库中没有任何措施")
    tiers = _tiers(data.get("tiers") or [], seen, err)
    if errors:
        raise LibraryError(errors)
    return Library(policies, variables, measures, tiers)


def _tiers(raw_tiers: Any, measure_ids: set[str], err: Any) -> list[TierStep]:
    """The ladder, lowest rung first; each rung names the measure that says how close a firm is to it."""
    if not isinstance(raw_tiers, list):
        err("", '"tiers"', "tiers 应为列表：[{id, label, measure, holds}]，从低到高")
        return []
    steps: list[TierStep] = []
    for i, raw in enumerate(raw_tiers):
        tid = str(raw.get("id", "")) if isinstance(raw, dict) else ""
        if not tid:
            err("", '"tiers"', f"培育梯度第{i + 1}级缺少 id")
            continue
        holds = raw.get("holds")
        if isinstance(holds, str):
            holds = [holds]
        if not isinstance(holds, list) or not holds or not all(isinstance(h, str) and h for h in holds):
            err(tid, '"holds"', f'培育梯度 {tid} 的 holds 应为资质代码列表，如 ["high_tech"]')
            continue
        measure = str(raw.get("measure", ""))
        if measure not in measure_ids:
            err(tid, '"measure"', f"培育梯度 {tid} 的措施“{measure}”不在 measures 中")
            continue
        if any(s.id == tid for s in steps):
            err(tid, "", f"培育梯度 {tid} 重复")
        steps.append(TierStep(tid, str(raw.get("label") or tid), measure, tuple(holds)))
    return steps


def _check_cycles(variables: dict[str, Variable], err: Any) -> None:
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2 or name not in variables:
            return
        if state.get(name) == 1:
            err(name, "", f"变量循环引用：{' → '.join([*path, name])}")
            return
        state[name] = 1
        for dep in variables[name].formula.variables:
            visit(dep, [*path, name])
        state[name] = 2

    for name in variables:
        visit(name, [])


def _measure(
    raw: dict[str, Any], mid: str, policies: dict[str, Policy], names: set[str], err: Any
) -> Measure | None:
    local: list[str] = []
    title = _text(raw, "title", f"措施 {mid} ", local)
    pid = str(raw.get("policy", ""))
    if pid not in policies:
        local.append(f"措施 {mid} 所属政策“{pid}”不在 policies 中")
    kind = raw.get("kind", "money")
    if kind not in ("money", "qualification"):
        local.append(f"措施 {mid} 的 kind 应为 money 或 qualification")
    for message in local:
        err(mid, "", message)
    raw_conditions = raw.get("conditions")
    if not isinstance(raw_conditions, list) or not raw_conditions:
        err(mid, "", f"措施 {mid} 至少需要一个条件")
        return None
    conditions = [c for c in (_condition(c, mid, names, err, i) for i, c in enumerate(raw_conditions)) if c]
    amount = None
    raw_amount = raw.get("amount")
    if raw_amount is not None:
        if not isinstance(raw_amount, dict):
            err(mid, '"amount"', f"措施 {mid} 的 amount 应为对象")
        else:
            try:
                formula = compile_formula(raw_amount.get("formula"), names)
            except FormulaError as exc:
                err(mid, '"formula"', f"措施 {mid} 的金额公式：{exc}")
            else:
                unit = raw_amount.get("unit", "万元")
                if unit not in ("万元", "元"):
                    err(mid, '"unit"', f"措施 {mid} 的金额单位应为 万元 或 元")
                amount = Amount(
                    formula, unit, str(raw_amount.get("text", "")), str(raw_amount.get("cites", ""))
                )
    if kind == "money" and raw_amount is None:
        err(mid, "", f"资金类措施 {mid} 缺少 amount（金额公式）")
    if len(conditions) != len(raw_conditions) or local:
        return None
    return Measure(
        id=mid,
        title=title,
        policy_id=pid,
        kind=kind,
        cites=str(raw.get("cites", "")),
        conditions=conditions,
        amount=amount,
        is_demo=bool(raw.get("demo", policies[pid].is_demo)),
        tier=str(raw.get("tier", "")),
        raw=raw,
    )


def _condition(raw: Any, mid: str, names: set[str], err: Any, index: int) -> Condition | None:
    where = f"措施 {mid} 的第{index + 1}个条件"
    if not isinstance(raw, dict):
        err(mid, "", f"{where}应为对象")
        return None
    cid = str(raw.get("id") or f"c{index + 1}")
    where = f"措施 {mid} 的条件 {cid}"
    text = str(raw.get("text", "")).strip()
    if not text:
        err(mid, f'"{cid}"', f"{where}缺少 text（条件原文）")
    cond = Condition(
        id=cid, text=text, cites=str(raw.get("cites", "")).strip(), unit=str(raw.get("unit", ""))
    )
    if cond.unit not in UNITS:
        err(
            mid,
            f'"{cid}"',
            f"{where}的单位“{cond.unit}”无效，可用：{'、'.join(sorted(u for u in UNITS if u))}",
        )
    if not cond.cites:
        err(mid, f'"{cid}"', f"{where}缺少 cites（所依据的条款）")
    ok = bool(text and cond.cites and cond.unit in UNITS)
    for key in ("any", "all"):
        if key in raw:
            children = raw[key]
            if not isinstance(children, list) or len(children) < 2:
                err(mid, f'"{cid}"', f"{where}的 {key} 至少需要两个子条件")
                return None
            parsed = [_condition(c, mid, names, err, i) for i, c in enumerate(children)]
            if not all(parsed):
                return None
            if key == "any":
                cond.any_of = parsed  # type: ignore[assignment]
            else:
                cond.all_of = parsed  # type: ignore[assignment]
            return cond if ok else None
    try:
        if "test" in raw:
            cond.test = compile_formula(raw["test"], names)
            return cond if ok else None
        cond.value = compile_formula(raw.get("value"), names)
        word = str(raw.get("op", ""))
        if word not in OPERATORS:
            err(mid, f'"{cid}"', f"{where}的比较词“{word}”无效，应为 {'、'.join(OPERATORS)} 之一")
            return None
        cond.word, cond.op = word, OPERATORS[word]
        cond.threshold = compile_formula(raw.get("threshold"), names)
    except FormulaError as exc:
        err(mid, f'"{cid}"', f"{where}：{exc}")
        return None
    return cond if ok else None


def load_library(text: str) -> Library:
    """Parse a library file's text; a JSON syntax error is reported with its line."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LibraryError([f"第{exc.lineno}行第{exc.colno}列：JSON 格式错误（{exc.msg}）"]) from None
    return parse_library(data, text=text)
