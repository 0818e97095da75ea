"""The demo carries a paid 免申即享 round and an open one, and its ledger matches the dashboard."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from kechuang.demo.loader import delete_demo, load_demo
from kechuang.policies import selectors
from kechuang.policies.models import Disbursement, Round, RoundCandidate


def test_demo_rounds_from_comparison_to_payment_and_they_delete_with_the_demo(db: Any) -> None:
    result = load_demo(enterprises=300, achievements_limit=50)
    assert result.loaded
    closed, open_round = Round.objects.order_by("year")
    assert (closed.status, open_round.status) == (Round.Status.CLOSED, Round.Status.CONFIRMING)
    assert closed.candidates.exists() and open_round.candidates.exists()
    paid = Disbursement.objects.filter(round=closed)
    assert paid.exists() and not paid.exclude(status=Disbursement.Status.PAID).exists()
    silent = closed.candidates.filter(response=RoundCandidate.Response.SILENT).count()
    accepted = closed.candidates.filter(response=RoundCandidate.Response.ACCEPTED).count()
    assert accepted == paid.count() and silent + accepted <= closed.candidates.count()

    totals = selectors.ledger_totals(selectors.ledger())
    ledger_sum = Disbursement.objects.aggregate(s=Sum("amount_yuan"))["s"]
    assert sum(t["approved_yuan"] for t in totals) == ledger_sum

    delete_demo()
    assert not Round.objects.exists() and not Disbursement.objects.exists()
