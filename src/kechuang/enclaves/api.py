"""JSON API of the enclave assessment: the same selectors and row rules as the pages (operators see
only their own enclave)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from kechuang.core.access import require
from kechuang.enclaves import selectors
from kechuang.enclaves.models import PERIOD_LABELS

router = Router(tags=["飞地考核 enclave assessment"])


class PeriodResult(Schema):
    period: str
    label: str
    total: str
    grade: str
    reward: str
    final: bool


class ContractScores(Schema):
    contract_id: int
    enclave: str
    year: int
    version: int
    status: str
    periods: list[PeriodResult]


@router.get("/assessment/contracts", response=list[ContractScores], summary="飞地考核契约与各考核期得分")
def list_contract_scores(request: HttpRequest, year: int | None = None) -> list[dict[str, Any]]:
    principal = request.principal  # type: ignore[attr-defined]
    require(principal, "assessment.view")
    return [
        {
            "contract_id": c.pk,
            "enclave": c.enclave.name,
            "year": c.year,
            "version": c.version,
            "status": c.status,
            "periods": selectors.year_history(c),
        }
        for c in selectors.contracts_for(principal, year=year).order_by("-year", "enclave__name", "-version")[
            :200
        ]
    ]


@router.get("/assessment/contracts/{pk}/scorecards/{period}", summary="评分表（每个数字附计算过程与来源）")
def get_scorecard(request: HttpRequest, pk: int, period: str) -> dict[str, Any]:
    principal = request.principal  # type: ignore[attr-defined]
    require(principal, "assessment.view")
    if period not in PERIOD_LABELS:
        raise Http404
    contract = selectors.visible_contract(principal, pk)
    view = selectors.scorecard(contract, period)
    return {"finalised": view.finalised is not None, **view.card}
