"""政策计算器: every measure a firm meets, nearly meets or cannot tell, sorted by money, with reasons.

The public types figures in; an enterprise starts from its own registry data and may change any figure to
see "what if" — nothing typed here is saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kechuang.core.access import requires
from kechuang.core.http import principal_of
from kechuang.orgs.selectors import own_enterprise
from kechuang.policies import selectors
from kechuang.policies.forms import CalculatorForm, initial_from_facts, other_qualifications
from kechuang.policies.rules import RESULT_LABELS, FactsError, explain, facts_from_json


def _grouped(result: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {"met": [], "nearly": [], "unknown": [], "not_met": []}
    for m in result["measures"]:
        groups["nearly" if m["nearly"] else m["result"]].append(m)
    return groups


@requires("policy.calculate")
def calculator(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    enterprise = own_enterprise(principal)
    facts = selectors.facts_for_enterprise(enterprise) if enterprise else None
    result: dict[str, Any] | None = None
    errors: list[str] = []
    what_if = False
    if request.method == "POST":
        form = CalculatorForm(request.POST)
        if form.is_valid():
            data = form.enterprise_json(
                name=facts.name if facts else "", keep=other_qualifications(facts) if facts else None
            )
            if facts and facts.static.get("township"):
                data["township"] = facts.static["township"]
            try:
                result = explain(selectors.library_in_force()[1], facts_from_json(data))
                what_if = facts is not None
            except FactsError as exc:
                errors = exc.messages
    else:
        initial = initial_from_facts(facts) if facts else {"data_year": dt.date.today().year - 1}
        form = CalculatorForm(initial=initial)
        if facts is not None:
            result = explain(selectors.library_in_force()[1], facts)
    return render(
        request,
        "policies/calculator.html",
        {
            "form": form,
            "enterprise": enterprise,
            "result": result,
            "groups": _grouped(result) if result else None,
            "errors": errors,
            "what_if": what_if,
            "labels": RESULT_LABELS,
        },
    )
