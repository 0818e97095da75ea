"""The formula language of the rules: Python's expression syntax, whitelisted, compiled to column code.

A formula is parsed with :mod:`ast` (never ``eval``): numbers, strings, the names of inputs and
variables, + - * /, comparisons, and/or/not, and a fixed set of functions. Anything else (attributes,
subscripts, lambdas, unknown names or functions) is refused with a Chinese message naming it. A parsed
formula compiles to a closure over :class:`~.intervals.Iv` columns, so the same formula answers for one
enterprise or fifty thousand.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import intervals as iv
from .inputs import INPUTS, YEARS_KEPT, FactTable, completed_years

Compiled = Callable[[FactTable, "Env"], iv.Iv]


class FormulaError(ValueError):
    """A formula that cannot be used; the message says what and where, in Chinese."""


@dataclass
class Env:
    """Values of library variables already computed for a fact table (formulas may name them)."""

    variables: dict[str, Compiled]
    cache: dict[str, iv.Iv] = field(default_factory=dict)
    #: Other results for the same table (formula runs, condition truths), keyed by the rule object's id.
    memo: dict[Any, Any] = field(default_factory=dict)

    def remember(self, key: Any, build: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]

    def variable(self, name: str, table: FactTable) -> iv.Iv:
        if name not in self.cache:
            self.cache[name] = self.variables[name](table, self)
        return self.cache[name]


@dataclass(frozen=True)
class Reference:
    """An input a formula reads; for a series, the year offsets (0 = data year) it needs."""

    name: str
    offsets: tuple[int, ...] = ()
    founding_aware: bool = False


@dataclass
class Formula:
    source: str
    run: Compiled
    inputs: list[Reference]
    variables: set[str]


FUNCTIONS: dict[str, str] = {
    "min": "最小值 min(a, b, …)",
    "max": "最大值 max(a, b, …)",
    "where": "条件取值 where(条件, 成立时, 不成立时)",
    "tier_from": "分档（下限含）tier_from(x, [[下限, 值], …], 默认值)",
    "tier_upto": "分档（上限含）tier_upto(x, [[上限, 值], …], 默认值)",
    "sum_years": "近 n 个年度合计（不满 n 年按实际经营年度）sum_years(序列, n)",
    "year_ago": "前第 k 年的值 year_ago(序列, k)",
    "holds": "评价日持有有效资质 holds('high_tech'[, '级别'])",
    "new_in_year": "数据年度内新获得资质 new_in_year('high_tech'[, '级别'])",
    "held_before": "数据年度之前曾获得资质 held_before('high_tech'[, '级别'])",
    "industry_in": "行业代码以所列前缀开头 industry_in('39', '40')",
    "township_in": "位于所列镇街 township_in('陈埭镇', …)",
    "years_registered": "成立至评价日的周年数 years_registered()",
}
_CMP = {ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<=", ast.Lt: "<", ast.Eq: "==", ast.NotEq: "!="}


def _bounds(name: str) -> tuple[float, float]:
    spec = INPUTS[name]
    if spec.kind == "flag":
        return 0.0, 1.0
    if spec.kind == "score":
        return 0.0, spec.maximum or iv.INF
    return 0.0, spec.maximum if spec.maximum is not None else iv.INF


class _Compiler:
    def __init__(self, source: str, variable_names: set[str]) -> None:
        self.source = source
        self.variable_names = variable_names
        self.inputs: list[Reference] = []
        self.variables: set[str] = set()

    def fail(self, node: ast.AST, message: str) -> FormulaError:
        return FormulaError(f"公式“{self.source}”第{getattr(node, 'col_offset', 0) + 1}个字符处：{message}")

    def compile(self, node: ast.AST) -> Compiled:
        if isinstance(node, ast.Expression):
            return self.compile(node.body)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                value = float(node.value)
                return lambda t, e: iv.Iv.const(value, t.n)
            if isinstance(node.value, int | float):
                number = float(node.value)
                return lambda t, e: iv.Iv.const(number, t.n)
            raise self.fail(node, "这里需要数字（文字只能作为函数参数，如 holds('high_tech')）")
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp):
            ops = {ast.Add: iv.add, ast.Sub: iv.sub, ast.Mult: iv.mul, ast.Div: iv.div}
            fn = ops.get(type(node.op))
            if fn is None:
                raise self.fail(node, "只支持 + - * / 四则运算")
            left, right = self.compile(node.left), self.compile(node.right)
            return lambda t, e: fn(left(t, e), right(t, e))
        if isinstance(node, ast.UnaryOp):
            inner = self.compile(node.operand)
            if isinstance(node.op, ast.USub):
                return lambda t, e: iv.neg(inner(t, e))
            if isinstance(node.op, ast.Not):
                return lambda t, e: iv.logical_not(inner(t, e))
            if isinstance(node.op, ast.UAdd):
                return inner
            raise self.fail(node, "不支持的运算符")
        if isinstance(node, ast.BoolOp):
            parts = [self.compile(v) for v in node.values]
            combine = iv.logical_and if isinstance(node.op, ast.And) else iv.logical_or
            return lambda t, e: combine([p(t, e) for p in parts])
        if isinstance(node, ast.Compare):
            if len(node.ops) != 1:
                raise self.fail(node, "一次只能比较两个值，连续比较请用 and 连接")
            op = _CMP.get(type(node.ops[0]))
            if op is None:
                raise self.fail(node, "只支持 >= > <= < == != 比较")
            left, right = self.compile(node.left), self.compile(node.comparators[0])
            return lambda t, e: iv.compare(op, left(t, e), right(t, e))
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.fail(node, f"不支持的写法（{type(node).__name__}）")

    def name(self, node: ast.Name) -> Compiled:
        name = node.id
        if name in self.variable_names:
            self.variables.add(name)
            return lambda t, e: e.variable(name, t)
        spec = INPUTS.get(name)
        if spec is None:
            raise self.fail(node, f"未知的变量“{name}”")
        if spec.yearly:
            self.inputs.append(Reference(name, (0,)))
            low, high = _bounds(name)
            return lambda t, e: iv.Iv.column(t.series[name][:, 0], low=low, high=high)
        if spec.kind in ("text", "date"):
            raise self.fail(node, f"“{name}”不是数值，请用 industry_in / township_in / years_registered")
        self.inputs.append(Reference(name))
        low, high = _bounds(name)
        return lambda t, e: iv.Iv.column(t.static[name], low=low, high=high)

    def series_arg(self, node: ast.AST, fn: str) -> str:
        if not isinstance(node, ast.Name) or node.id not in INPUTS or not INPUTS[node.id].yearly:
            raise self.fail(node, f"{fn} 的第一个参数应为年度数据项，如 revenue、rd_spend")
        return node.id

    def int_arg(self, node: ast.AST, fn: str, low: int, high: int) -> int:
        if (
            not isinstance(node, ast.Constant)
            or not isinstance(node.value, int)
            or isinstance(node.value, bool)
        ):
            raise self.fail(node, f"{fn} 的年数应为整数")
        if not low <= node.value <= high:
            raise self.fail(node, f"{fn} 的年数应在 {low}–{high} 之间")
        return node.value

    def text_args(self, node: ast.Call, fn: str, *, least: int = 1, most: int = 50) -> list[str]:
        args = node.args
        if not least <= len(args) <= most or not all(
            isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args
        ):
            raise self.fail(
                node, f"{fn} 的参数应为 {least} 个以上的文字，如 {FUNCTIONS[fn].split(' ', 1)[1]}"
            )
        return [a.value for a in args]  # type: ignore[attr-defined]

    def table_arg(self, node: ast.AST, fn: str) -> list[tuple[float, float]]:
        try:
            rows = ast.literal_eval(node)
            table = [(float(a), float(b)) for a, b in rows]
        except (ValueError, TypeError, SyntaxError):
            raise self.fail(node, f"{fn} 的分档表应写作 [[门槛, 值], …]") from None
        if not table:
            raise self.fail(node, f"{fn} 的分档表不能为空")
        return table

    def number_arg(self, node: ast.AST, fn: str) -> float:
        try:
            value = ast.literal_eval(node)
        except (ValueError, SyntaxError):
            value = None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(node, f"{fn} 的默认值应为数字")
        return float(value)

    def call(self, node: ast.Call) -> Compiled:
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise self.fail(node, "只能调用规定的函数，且不使用关键字参数")
        fn = node.func.id
        if fn not in FUNCTIONS:
            raise self.fail(node, f"未知的函数“{fn}”；可用：{'、'.join(FUNCTIONS)}")
        args = node.args
        if fn in ("min", "max"):
            if len(args) < 2:
                raise self.fail(node, f"{fn} 至少需要两个参数")
            parts = [self.compile(a) for a in args]
            combine = iv.minimum if fn == "min" else iv.maximum
            return lambda t, e: combine([p(t, e) for p in parts])
        if fn == "where":
            if len(args) != 3:
                raise self.fail(node, "where 需要三个参数：条件、成立时的值、不成立时的值")
            c, a, b = (self.compile(x) for x in args)
            return lambda t, e: iv.where(c(t, e), a(t, e), b(t, e))
        if fn in ("tier_from", "tier_upto"):
            if len(args) != 3:
                raise self.fail(node, f"{fn} 需要三个参数：数值、分档表、默认值")
            x = self.compile(args[0])
            table = self.table_arg(args[1], fn)
            default = self.number_arg(args[2], fn)
            upward = fn == "tier_from"
            return lambda t, e: iv.tier(x(t, e), table, default, upward=upward)
        if fn == "sum_years":
            if len(args) != 2:
                raise self.fail(node, "sum_years 需要两个参数：年度数据项、年数")
            name = self.series_arg(args[0], fn)
            years = self.int_arg(args[1], fn, 1, YEARS_KEPT)
            self.inputs.append(Reference(name, tuple(range(years)), founding_aware=True))
            return lambda t, e: _sum_years(t, name, years)
        if fn == "year_ago":
            if len(args) != 2:
                raise self.fail(node, "year_ago 需要两个参数：年度数据项、年数")
            name = self.series_arg(args[0], fn)
            k = self.int_arg(args[1], fn, 0, YEARS_KEPT - 1)
            self.inputs.append(Reference(name, (k,)))
            low, high = _bounds(name)
            return lambda t, e: iv.Iv.column(t.series[name][:, k], low=low, high=high)
        if fn in ("holds", "new_in_year", "held_before"):
            texts = self.text_args(node, fn, least=1, most=2)
            kind, level = texts[0], (texts[1] if len(texts) > 1 else "")
            return lambda t, e: _qualification_test(t, fn, kind, level)
        if fn in ("industry_in", "township_in"):
            texts = self.text_args(node, fn)
            field_name = "industry_code" if fn == "industry_in" else "township"
            self.inputs.append(Reference(field_name))
            prefix = fn == "industry_in"
            return lambda t, e: _text_test(t, field_name, tuple(texts), prefix=prefix)
        if fn == "years_registered":
            if args:
                raise self.fail(node, "years_registered() 不带参数")
            self.inputs.append(Reference("founded_on"))
            return lambda t, e: iv.Iv.column(t.years_registered, low=0.0, high=iv.INF)
        raise self.fail(node, f"未实现的函数“{fn}”")  # pragma: no cover - FUNCTIONS and cases agree


def _sum_years(t: FactTable, name: str, years: int) -> iv.Iv:
    """Total over the last ``years`` years; years before founding are not needed ("按实际经营时间")."""

    def build() -> iv.Iv:
        block = t.series[name][:, :years]
        offsets = np.arange(years)
        needed = np.ones((t.n, years), dtype=bool)
        founded = t.founded_year
        has_founding = ~np.isnan(founded)
        year_of = t.data_years[:, None] - offsets[None, :]
        needed[has_founding] = year_of[has_founding] >= founded[has_founding, None]
        needed[:, 0] = True  # the data year itself is always needed
        present = ~np.isnan(block)
        known_sum = np.where(present & needed, block, 0.0).sum(axis=1)
        complete = (present | ~needed).all(axis=1)
        return iv.Iv(known_sum, np.where(complete, known_sum, iv.INF))

    return t.cached(("sum_years", name, years), build)


def _qualification_test(t: FactTable, fn: str, kind: str, level: str) -> iv.Iv:
    def build() -> iv.Iv:
        out = np.zeros(t.n)
        for r, f in enumerate(t.rows):
            y = int(t.data_years[r])
            for q in f.qualifications:
                if q.kind != kind or (level and q.level != level):
                    continue
                if fn == "holds":
                    started = q.valid_from is None or q.valid_from <= f.as_of
                    lasting = q.valid_until is None or q.valid_until >= f.as_of
                    hit = started and lasting
                elif fn == "new_in_year":
                    hit = q.valid_from is not None and q.valid_from.year == y
                else:
                    hit = q.valid_from is not None and q.valid_from.year < y
                if hit:
                    out[r] = 1.0
                    break
        return iv.Iv(out, out)

    return t.cached(("qualification", fn, kind, level), build)


def _text_test(t: FactTable, field_name: str, texts: tuple[str, ...], *, prefix: bool) -> iv.Iv:
    def build() -> iv.Iv:
        values = t.static[field_name]
        lo, hi = np.zeros(t.n), np.ones(t.n)
        for r, v in enumerate(values):
            if v is None:
                continue
            hit = any(str(v).startswith(x) for x in texts) if prefix else str(v) in texts
            lo[r] = hi[r] = float(hit)
        return iv.Iv(lo, hi)

    return t.cached(("text", field_name, texts, prefix), build)


def compile_formula(source: Any, variable_names: set[str]) -> Formula:
    """Parse and compile one formula, or raise FormulaError with a Chinese message."""
    if isinstance(source, bool):
        source = "1" if source else "0"
    if isinstance(source, int | float):
        source = repr(source)
    if not isinstance(source, str) or not source.strip():
        raise FormulaError("公式不能为空")
    if len(source) > 2000:
        raise FormulaError("公式过长（超过 2000 个字符）")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"公式“{source}”无法解析（第{exc.offset or 0}个字符附近）") from None
    compiler = _Compiler(source.strip(), variable_names)
    run = compiler.compile(tree)
    return Formula(source.strip(), run, compiler.inputs, compiler.variables)


__all__ = ["FUNCTIONS", "Env", "Formula", "FormulaError", "Reference", "compile_formula", "completed_years"]
