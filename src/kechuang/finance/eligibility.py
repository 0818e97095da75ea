"""A credit product's eligibility, written and evaluated in the policy rule language (no Django here).

A product's condition is one expression such as ``holds('high_tech') and revenue >= 2000``. Its top-level
``and`` parts become the conditions of a one-measure policy library, so the rule engine answers each part
for an enterprise the way it answers a policy: met, not met with the gap ("营业收入 1500万元，差 500
万元"), or unknown with the missing datum and where to fill it in.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kechuang.policies.rules import MET, NOT_MET, UNKNOWN, Facts, Library, explain
from kechuang.policies.rules.inputs import INPUTS
from kechuang.policies.rules.library import LibraryError, parse_library

# Comparison symbol -> the library's comparison word (see policies.rules.library.OPERATORS).
WORDS = {">=": "不低于", ">": "超过", "<=": "不超过", "<": "低于", "==": "为", "!=": "不为"}
_SYMBOLS = {ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<=", ast.Lt: "<", ast.Eq: "==", ast.NotEq: "!="}
_UNITS = {"万元", "人", "件", "分", "年", ""}
RESULT_TEXT = {MET: "符合", NOT_MET: "不符合", UNKNOWN: "无法判断"}


class EligibilityError(ValueError):
    """An eligibility expression that cannot be used; the message is Chinese."""


@dataclass
class Check:
    text: str
    result: str
    gap: str = ""

    @property
    def result_text(self) -> str:
        return RESULT_TEXT[self.result]


@dataclass
class Verdict:
    """One enterprise against one product: overall result and each condition's reason."""

    result: str
    checks: list[Check] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return self.result == MET

    @property
    def result_text(self) -> str:
        return RESULT_TEXT[self.result]

    @property
    def reasons(self) -> list[str]:
        return [c.gap for c in self.checks if c.result != MET and c.gap]


def _number_text(node: ast.AST, source: str) -> str:
    return ast.get_source_segment(source, node) or ""


def _describe(node: ast.AST, source: str, labels: dict[str, str]) -> str:
    """A Chinese reading of a non-comparison part (holds('high_tech') → 持有有效资质“高新技术企业”)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            name = labels.get(first.value, first.value)
            if node.func.id == "holds":
                return f"持有有效资质“{name}”"
            if node.func.id == "industry_in":
                codes = "、".join(str(getattr(a, "value", "")) for a in node.args)
                return f"所属行业代码以 {codes} 开头"
            if node.func.id == "township_in":
                towns = "、".join(str(getattr(a, "value", "")) for a in node.args)
                return f"位于{towns}"
    if isinstance(node, ast.BoolOp):
        joiner = "，或" if isinstance(node.op, ast.Or) else "，且"
        return joiner.join(_describe(v, source, labels) for v in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return f"不满足：{_describe(node.operand, source, labels)}"
    if isinstance(node, ast.Name) and node.id in INPUTS:
        return INPUTS[node.id].label
    return _number_text(node, source)


def _measured(node: ast.AST) -> tuple[str, str] | None:
    """(label, unit) when the part compares one input that has a unit with a number, so the rule engine
    can state the gap ("差 500 万元"); None for any other part, which is answered as a plain test."""
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _SYMBOLS):
        return None
    left = node.left
    if isinstance(left, ast.Name) and left.id in INPUTS:
        spec = INPUTS[left.id]
        return (spec.label, spec.unit) if spec.unit and spec.unit in _UNITS else None
    if isinstance(left, ast.Call) and isinstance(left.func, ast.Name) and left.func.id == "years_registered":
        return "成立年限", "年"
    return None


def _condition(node: ast.AST, source: str, index: int, labels: dict[str, str]) -> dict[str, Any]:
    part = ast.get_source_segment(source, node) or ""
    cid = f"c{index + 1}"
    measured = _measured(node)
    if measured is not None and isinstance(node, ast.Compare):
        label, unit = measured
        left, right = node.left, node.comparators[0]
        word = WORDS[_SYMBOLS[type(node.ops[0])]]
        return {
            "id": cid,
            "text": f"{label}{word}{_number_text(right, source)}{unit}",
            "cites": "产品准入条件",
            "value": _number_text(left, source),
            "op": word,
            "threshold": _number_text(right, source),
            "unit": unit,
        }
    return {"id": cid, "text": _describe(node, source, labels), "cites": "产品准入条件", "test": part}


@lru_cache(maxsize=256)
def _library(expression: str, labels_key: tuple[tuple[str, str], ...]) -> Library:
    labels = dict(labels_key)
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        raise EligibilityError(f"准入条件“{expression}”无法解析（第{exc.offset or 0}个字符附近）") from None
    body = tree.body
    parts = body.values if isinstance(body, ast.BoolOp) and isinstance(body.op, ast.And) else [body]
    data = {
        "policies": [{"id": "product", "title": "信贷产品准入", "level": "county"}],
        "measures": [
            {
                "id": "eligibility",
                "title": "准入条件",
                "policy": "product",
                "kind": "qualification",
                "conditions": [_condition(p, expression, i, labels) for i, p in enumerate(parts)],
            }
        ],
    }
    try:
        return parse_library(data)
    except LibraryError as exc:
        raise EligibilityError("准入条件有误：" + "；".join(exc.messages)) from None


def compile_eligibility(expression: str, labels: dict[str, str] | None = None) -> Library | None:
    """The one-measure library for an expression (None when empty: no conditions), or EligibilityError."""
    text = (expression or "").strip()
    if not text:
        return None
    if len(text) > 2000:
        raise EligibilityError("准入条件过长（超过 2000 个字符）")
    return _library(text, tuple(sorted((labels or {}).items())))


def evaluate(expression: str, facts: Facts, labels: dict[str, str] | None = None) -> Verdict:
    """Is this enterprise eligible for a product with this condition, and if not, why not?"""
    library = compile_eligibility(expression, labels)
    if library is None:
        return Verdict(MET, [Check("不限准入条件", MET)])
    measure = explain(library, facts)["measures"][0]
    checks = [Check(c["text"], c["result"], c.get("gap", "")) for c in measure["conditions"]]
    return Verdict(str(measure["result"]), checks)
