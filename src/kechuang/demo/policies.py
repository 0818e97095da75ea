"""Demo policy data: the yearly figures the rules read, a paid 免申即享 round and one awaiting answers.

The registry generator predates the policy inputs, so this step fills them for the demo enterprises with
its own seeded generator (domestic R&D share, cost, assets, taxes, head counts and the compliance flags
every year's report carries), then runs two rounds of the demo R&D subsidy through the real services:
data year 2023 from comparison to payment, closed; data year 2024 with its list confirmed and answers
coming in, the deadline ahead, so the demo enterprise account finds it under 政策兑现.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from kechuang.orgs.models import Enterprise, EnterpriseYearFigure
from kechuang.policies import services
from kechuang.policies.models import Disbursement, Round, RoundCandidate

MEASURE = "demo.rd_subsidy"
BANKS = (
    "晋江农村商业银行",
    "中国工商银行晋江分行",
    "中国建设银行晋江支行",
    "兴业银行晋江分行",
    "泉州银行晋江支行",
)


def _fill_policy_inputs(rng: random.Random) -> int:
    enterprises = {
        e.pk: e for e in Enterprise.all_objects.filter(is_demo=True).only("pk", "employees", "tech_staff")
    }
    figures = list(EnterpriseYearFigure.objects.filter(enterprise_id__in=list(enterprises)).order_by("pk"))
    for f in figures:
        revenue = float(f.revenue or 0)
        rd = float(f.rd_spend or 0)
        ent = enterprises[f.enterprise_id]
        f.rd_spend_domestic = Decimal(f"{rd * rng.uniform(0.75, 1.0):.2f}") if rd else f.rd_spend
        f.total_cost = Decimal(f"{revenue * rng.uniform(0.78, 0.96):.2f}")
        f.total_assets = Decimal(f"{revenue * rng.uniform(0.6, 1.8):.2f}")
        f.taxes_paid = Decimal(f"{revenue * rng.uniform(0.015, 0.05):.2f}")
        f.employees = ent.employees
        f.tech_staff = ent.tech_staff
        f.major_incident = rng.random() < 0.01
        f.research_misconduct = False
        f.abnormal_listed = rng.random() < 0.005
        f.restricted_products = False
    EnterpriseYearFigure.objects.bulk_update(
        figures,
        [
            "rd_spend_domestic",
            "total_cost",
            "total_assets",
            "taxes_paid",
            "employees",
            "tech_staff",
            "major_incident",
            "research_misconduct",
            "abnormal_listed",
            "restricted_products",
        ],
        batch_size=1000,
    )
    return len(figures)


def _answer(
    rng: random.Random, candidate: RoundCandidate, *, accept_share: float, decline_share: float
) -> None:
    roll = rng.random()
    if roll < accept_share:
        services.respond_to_round(
            actor=None,
            candidate=candidate,
            accept=True,
            account_name=candidate.enterprise.organization.name,
            bank_name=rng.choice(BANKS),
            account_number="".join(str(rng.randint(0, 9)) for _ in range(19)),
        )
    elif roll < accept_share + decline_share:
        services.respond_to_round(
            actor=None, candidate=candidate, accept=False, decline_reason="本年度已享受同类市级补助，自愿放弃"
        )


def _candidates(round_: Round) -> list[RoundCandidate]:
    return list(round_.candidates.select_related("enterprise__organization").order_by("pk"))


def load_demo_policies(*, seed: int) -> dict[str, int]:
    rng = random.Random(seed * 7 + 16)
    staff = get_user_model().objects.filter(username="staff").first()
    today = timezone.localdate()
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        figures = _fill_policy_inputs(rng)
        closed = services.start_round(
            actor=staff, measure_id=MEASURE, year=2023, deadline=today + dt.timedelta(days=1)
        )
        services.confirm_round_list(actor=staff, round_=closed)
        for candidate in _candidates(closed):
            _answer(rng, candidate, accept_share=0.86, decline_share=0.04)
        Round.objects.filter(pk=closed.pk).update(deadline=today - dt.timedelta(days=1))
        closed.refresh_from_db()
        services.close_willingness(actor=staff, round_=closed)
        services.approve_all(actor=staff, round_=closed)
        for i, entry in enumerate(Disbursement.objects.filter(round=closed).order_by("pk"), start=1):
            services.record_payment(
                actor=staff,
                disbursement=entry,
                paid_on=today,  # not before the approval, which the demo records today
                voucher_no=f"演示-拨-{i:04d}",
            )
        services.close_round(actor=staff, round_=closed)

        open_round = services.start_round(
            actor=staff, measure_id=MEASURE, year=2024, deadline=today + dt.timedelta(days=20)
        )
        services.confirm_round_list(actor=staff, round_=open_round)
        for candidate in _candidates(open_round):
            if "陈盛鞋业" not in candidate.enterprise.organization.name:  # the demo account answers itself
                _answer(rng, candidate, accept_share=0.45, decline_share=0.02)
    return {
        "policy_figures": figures,
        "policy_rounds": 2,
        "policy_candidates": RoundCandidate.objects.filter(round__in=[closed, open_round]).count(),
        "policy_disbursements": Disbursement.objects.filter(round=closed).count(),
    }


def delete_demo_policies() -> dict[str, int]:
    """Rounds that listed demo enterprises go with them (their candidacies and payments protect them)."""
    demo = Enterprise.all_objects.filter(is_demo=True).values("pk")
    rounds = list(
        Round.objects.filter(candidates__enterprise_id__in=demo).values_list("pk", flat=True).distinct()
    )
    Disbursement.history.filter(round_id__in=rounds).delete()  # type: ignore[attr-defined]
    RoundCandidate.history.filter(round_id__in=rounds).delete()  # type: ignore[attr-defined]
    Round.history.filter(id__in=rounds).delete()  # type: ignore[attr-defined]
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        payments = Disbursement.objects.filter(round_id__in=rounds).delete()[0]
        RoundCandidate.objects.filter(round_id__in=rounds).delete()
        deleted = Round.objects.filter(pk__in=rounds).delete()[0]
    return {"policy_rounds": deleted, "policy_disbursements": payments}
