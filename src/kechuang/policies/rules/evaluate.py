"""Evaluate a library: for many enterprises at once (results and amounts), or for one with every reason.

:func:`evaluate_table` is the county-wide pass (免申即享 candidate lists, the benchmark): one numpy pass
per measure. :func:`explain` answers for one enterprise condition by condition: met, not met with the
gap, or unknown with the missing data and where to fill it in, plus the amount and its working.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import intervals as iv
from .expr import Compiled, Env, Formula, FormulaError
from .inputs import INPUTS, Facts, FactTable
from .library import LEVELS, Condition, Library, Measure

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
RESULT_LABELS = {MET: "符合", NOT_MET: "不符合", UNKNOWN: "无法判断"}


def _env(library: Library) -> Env:
    return Env({name: v.formula.run for name, v in library.variables.items()})


def _run(formula: Formula, table: FactTable, env: Env, where: str) -> iv.Iv:
    """A formula over the whole table, computed once per env (an env serves one table): explaining many
    rows reuses it."""

    def build() -> iv.Iv:
        try:
            return formula.run(table, env)
        except FormulaError:
            raise
        except Exception as exc:  # a rule that cannot be evaluated is reported, never skipped
            raise FormulaError(f"{where}无法计算：{exc}") from exc

    result: iv.Iv = env.remember(("run", id(formula)), build)
    return result


def _condition_truth(cond: Condition, table: FactTable, env: Env, where: str) -> iv.Iv:
    if cond.any_of:
        return iv.logical_or([_condition_truth(c, table, env, where) for c in cond.any_of])
    if cond.all_of:
        return iv.logical_and([_condition_truth(c, table, env, where) for c in cond.all_of])
    if cond.test is not None:
        return _run(cond.test, table, env, f"{where}条件 {cond.id}")
    assert cond.value is not None and cond.threshold is not None
    value = _run(cond.value, table, env, f"{where}条件 {cond.id}")
    threshold = _run(cond.threshold, table, env, f"{where}条件 {cond.id}")
    return iv.compare(cond.op, value, threshold)


def _labels(truth: iv.Iv) -> np.ndarray:
    return np.where(truth.lo >= 1, MET, np.where(truth.hi <= 0, NOT_MET, UNKNOWN))


@dataclass
class TableResult:
    """One measure over a fact table: a result label and an amount (元, NaN when unknown) per row."""

    measure: Measure
    results: np.ndarray
    amount_yuan: np.ndarray


def _amount_yuan(measure: Measure, table: FactTable, env: Env) -> np.ndarray:
    if measure.amount is None:
        return np.full(table.n, np.nan)
    value = _run(measure.amount.formula, table, env, f"措施 {measure.id} 的金额公式")
    scale = 10_000.0 if measure.amount.unit == "万元" else 1.0
    amount = np.where(value.known, np.maximum(value.lo, 0.0) * scale, np.nan)
    return np.floor(amount + 0.5)  # whole yuan, half up


def _selected(library: Library, measures: Iterable[str] | None) -> list[Measure]:
    """The library's measures, or only those named (in library order)."""
    if measures is None:
        return list(library.measures)
    wanted = set(measures)
    return [m for m in library.measures if m.id in wanted]


def evaluate_table(
    library: Library, table: FactTable, measures: Iterable[str] | None = None
) -> list[TableResult]:
    env = _env(library)
    out = []
    for measure in _selected(library, measures):
        where = f"措施 {measure.id} "
        truth = iv.logical_and([_condition_truth(c, table, env, where) for c in measure.conditions])
        out.append(TableResult(measure, _labels(truth), _amount_yuan(measure, table, env)))
    return out


@dataclass
class ConditionColumns:
    """One top-level condition over a fact table: its result per row and, where not met, how far off.

    ``relative_gap`` is |threshold − value| / |threshold| capped at 1 for a comparison both sides of which
    are known, 1 for any other condition not met, 0 where met or undecided (missing data is not a gap).
    """

    condition: Condition
    results: np.ndarray
    relative_gap: np.ndarray


def evaluate_conditions(library: Library, table: FactTable, measure_id: str) -> list[ConditionColumns]:
    env = _env(library)
    measure = library.measure(measure_id)
    where = f"措施 {measure.id} "
    out = []
    for cond in measure.conditions:
        labels = _labels(_condition_truth(cond, table, env, where))
        not_met = labels == NOT_MET
        gap = np.where(not_met, 1.0, 0.0)
        if not cond.is_group and cond.test is None:
            assert cond.value is not None and cond.threshold is not None
            value = _run(cond.value, table, env, f"{where}条件 {cond.id}")
            threshold = _run(cond.threshold, table, env, f"{where}条件 {cond.id}")
            known = value.known & threshold.known & np.isfinite(value.lo) & np.isfinite(threshold.lo)
            with np.errstate(invalid="ignore", divide="ignore"):
                rel = np.abs(threshold.lo - value.lo) / np.maximum(np.abs(threshold.lo), 1e-12)
            gap = np.where(not_met & known, np.minimum(np.nan_to_num(rel, nan=1.0), 1.0), gap)
        out.append(ConditionColumns(cond, labels, gap))
    return out


# ---- one enterprise, with reasons --------------------------------------------------------------------


def _fmt_number(x: float) -> str:
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_value(x: float | None, unit: str) -> str:
    if x is None:
        return "—"
    if unit == "%":
        return f"{_fmt_number(x * 100)}%"
    if unit == "":
        return "是" if x >= 1 else "否" if x <= 0 else _fmt_number(x)
    return f"{_fmt_number(x)}{unit}"


def gap_text(value: float, threshold: float, op: str, word: str, unit: str, label: str) -> str:
    """How far a not-met comparison is from its threshold, in the unit people use for it."""
    diff = abs(threshold - value)
    if unit == "%":
        amount = f"{_fmt_number(diff * 100)} 个百分点"
    elif unit == "":
        return f"{label}为{format_value(value, unit)}，应{word}{format_value(threshold, unit)}"
    else:
        amount = f"{_fmt_number(diff)} {unit}".rstrip()
    shown = format_value(value, unit)
    if op in (">=", ">"):
        if diff <= iv.EPS * max(1.0, abs(threshold)):
            return f"{label} {shown}，恰为门槛，须{word} {format_value(threshold, unit)}"
        return f"{label} {shown}，差 {amount}"
    if op in ("<=", "<"):
        if diff <= iv.EPS * max(1.0, abs(threshold)):
            return f"{label} {shown}，恰为上限，须{word} {format_value(threshold, unit)}"
        return f"{label} {shown}，超出 {amount}"
    return f"{label} {shown}，应{word} {format_value(threshold, unit)}"


def _single(x: iv.Iv, row: int) -> float | None:
    lo, hi = float(x.lo[row]), float(x.hi[row])
    return lo if lo == hi else None


def _missing(
    formulas: list[Formula], library: Library, facts: Facts, table: FactTable, row: int
) -> list[dict[str, str]]:
    """The inputs these formulas read that this enterprise lacks (following variables)."""
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    todo = list(formulas)
    visited: set[str] = set()
    year = int(table.data_years[row])
    while todo:
        formula = todo.pop()
        for name in formula.variables:
            if name not in visited:
                visited.add(name)
                todo.append(library.variables[name].formula)
        for ref in formula.inputs:
            spec = INPUTS[ref.name]
            if spec.yearly:
                for k in ref.offsets:
                    y = year - k
                    founded = table.founded_year[row]
                    if ref.founding_aware and k > 0 and not np.isnan(founded) and y < founded:
                        continue
                    if np.isnan(table.series[ref.name][row, k]):
                        key = f"{ref.name}@{y}"
                        if key not in seen:
                            seen.add(key)
                            out.append(
                                {"datum": ref.name, "label": f"{y}年{spec.label}", "where": spec.where}
                            )
            else:
                raw = facts.static.get(ref.name)
                if raw is None and ref.name not in seen:
                    seen.add(ref.name)
                    out.append({"datum": ref.name, "label": spec.label, "where": spec.where})
    return out


def _formulas_of(cond: Condition) -> list[Formula]:
    if cond.is_group:
        return [f for c in (*cond.any_of, *cond.all_of) for f in _formulas_of(c)]
    return [f for f in (cond.test, cond.value, cond.threshold) if f is not None]


def _explain_condition(
    cond: Condition, library: Library, table: FactTable, env: Env, where: str, row: int
) -> dict[str, Any]:
    labels = env.remember(("labels", id(cond)), lambda: _labels(_condition_truth(cond, table, env, where)))
    result = str(labels[row])
    out: dict[str, Any] = {
        "id": cond.id,
        "text": cond.text,
        "result": result,
        "value": None,
        "threshold": None,
        "gap": "",
        "cites": cond.cites,
    }
    if cond.is_group:
        children = [
            _explain_condition(c, library, table, env, where, row) for c in (*cond.any_of, *cond.all_of)
        ]
        out["mode"] = "any" if cond.any_of else "all"
        out["conditions"] = children
        if result == NOT_MET:
            out["gap"] = "；".join(c["gap"] for c in children if c["gap"])
    elif cond.test is not None:
        out["value"] = _single(_run(cond.test, table, env, where), row)
        if result == NOT_MET:
            out["gap"] = f"不满足：{cond.text}"
    else:
        assert cond.value is not None and cond.threshold is not None
        value_iv = _run(cond.value, table, env, where)
        value, threshold = _single(value_iv, row), _single(_run(cond.threshold, table, env, where), row)
        out["value"], out["threshold"], out["unit"], out["op"] = value, threshold, cond.unit, cond.word
        out["value_text"] = format_value(value, cond.unit)
        if value is None:
            lower = value_iv.lo[row]
            if np.isfinite(lower) and lower > 0:
                out["value_text"] = f"至少{format_value(float(lower), cond.unit)}"
        out["threshold_text"] = f"{cond.word}{format_value(threshold, cond.unit)}"
        if result == NOT_MET and value is not None and threshold is not None:
            label = _label_of(cond.value, library)
            out["gap"] = gap_text(value, threshold, cond.op, cond.word, cond.unit, label)
            out["relative_gap"] = abs(threshold - value) / max(abs(threshold), 1e-12)
    if result == UNKNOWN:
        missing = _missing(_formulas_of(cond), library, table.rows[row], table, row)
        out["missing"] = missing
        out["gap"] = (
            "缺少：" + "、".join(f"{m['label']}（在{m['where']}填写）" for m in missing)
            if missing
            else "现有数据无法计算（如除数为 0）"
        )
    return out


def _label_of(formula: Formula, library: Library) -> str:
    source = formula.source
    if source in library.variables:
        return library.variables[source].label
    if source in INPUTS:
        return INPUTS[source].label
    return "数值"


def _working(measure: Measure, library: Library, table: FactTable, env: Env, row: int) -> list[str]:
    """The amount's working: every variable and input it reads, with its value, then the formula."""
    if measure.amount is None:
        return []
    lines: list[str] = []
    year = int(table.data_years[row])
    order: list[str] = []

    def collect(formula: Formula) -> None:
        for name in sorted(formula.variables):
            collect(library.variables[name].formula)
            if name not in order:
                order.append(name)

    collect(measure.amount.formula)
    refs = {
        (r.name, k)
        for name in order
        for r in library.variables[name].formula.inputs
        for k in (r.offsets or (0,))
    }
    refs |= {(r.name, k) for r in measure.amount.formula.inputs for k in (r.offsets or (0,))}
    for name, k in sorted(refs):
        spec = INPUTS[name]
        if spec.yearly:
            raw = table.series[name][row, k]
            shown = "未填写" if np.isnan(raw) else format_value(float(raw), spec.unit)
            lines.append(f"{year - k}年{spec.label} = {shown}")
    for name in order:
        variable = library.variables[name]
        value = _single(env.variable(name, table), row)
        lines.append(f"{variable.label} = {variable.formula.source} = {format_value(value, variable.unit)}")
    value = _single(_run(measure.amount.formula, table, env, f"措施 {measure.id} 的金额公式"), row)
    lines.append(f"金额 = {measure.amount.formula.source} = {format_value(value, measure.amount.unit)}")
    return lines


def _explain_measure(
    measure: Measure, library: Library, table: FactTable, env: Env, row: int
) -> dict[str, Any]:
    where = f"措施 {measure.id} "
    conditions = [_explain_condition(c, library, table, env, where, row) for c in measure.conditions]
    results = {c["result"] for c in conditions}
    result = NOT_MET if NOT_MET in results else UNKNOWN if UNKNOWN in results else MET
    amount = env.remember(("amount", id(measure)), lambda: _amount_yuan(measure, table, env))[row]
    failing = [c for c in conditions if c["result"] == NOT_MET]
    nearly = (
        result == NOT_MET and len(failing) == 1 and failing[0].get("relative_gap", 1.0) <= NEARLY_RELATIVE_GAP
    )
    policy = library.policies[measure.policy_id]
    return {
        "id": measure.id,
        "title": measure.title,
        "policy": policy.title,
        "issuer": policy.issuer,
        "level": LEVELS.get(policy.level, ""),
        "demo": measure.is_demo,
        "kind": measure.kind,
        "result": result,
        "nearly": nearly,
        "amount_yuan": None if np.isnan(amount) else int(amount),
        "amount_text": measure.amount.text if measure.amount else "",
        "working": _working(measure, library, table, env, row),
        "cites": measure.cites,
        "data_year": int(table.data_years[row]),
        "conditions": conditions,
    }


def explain(library: Library, facts: Facts, *, measures: Iterable[str] | None = None) -> dict[str, Any]:
    """Every measure for one enterprise, with reasons (the CLI's and the API's JSON)."""
    table = FactTable([facts])
    env = _env(library)
    out = [_explain_measure(m, library, table, env, 0) for m in _selected(library, measures)]
    order = {MET: 0, UNKNOWN: 2, NOT_MET: 3}

    def rank(m: dict[str, Any]) -> tuple[int, int]:
        return (1 if m["nearly"] else order[str(m["result"])], -int(m["amount_yuan"] or 0))

    out.sort(key=rank)
    return {
        "enterprise": facts.name,
        "as_of": facts.as_of.isoformat(),
        "data_year": int(table.data_years[0]),
        "measures": out,
    }


def explain_rows(
    library: Library, table: FactTable, measure_id: str, rows: Iterable[int]
) -> list[dict[str, Any]]:
    """One measure's reasons for many rows of a table (a round's listed firms): the same dicts as
    :func:`explain`, with every formula computed once over the table instead of once per firm."""
    env = _env(library)
    measure = library.measure(measure_id)
    return [_explain_measure(measure, library, table, env, r) for r in rows]


#: A measure failing one condition by at most this share of its threshold "nearly" qualifies.
NEARLY_RELATIVE_GAP = 0.25

__all__ = [
    "MET",
    "NOT_MET",
    "RESULT_LABELS",
    "UNKNOWN",
    "Compiled",
    "ConditionColumns",
    "TableResult",
    "evaluate_conditions",
    "evaluate_table",
    "explain",
    "explain_rows",
]
