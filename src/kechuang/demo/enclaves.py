"""Demo enclave assessment: the seed's three enclaves under contracts with personalised indicators, a
full previous year of quarterly reports (with evidence, platform-computed figures, a settled discrepancy,
a missing-evidence item, a late report, a bureau deduction and a mid-year amendment), finalised
scorecards with rewards and a ranking, and the current year reported up to the last finished quarter.

Everything goes through kechuang.enclaves.services so the demo exercises the real code path; it runs
after the demands and incubation demos because their records feed the computed figures.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from kechuang.core.access import Role
from kechuang.enclaves import selectors, services
from kechuang.enclaves.models import Assessment, AssessmentContract, Evidence, IndicatorValue
from kechuang.enclaves.scoring import Indicator
from kechuang.enclaves.scoring.library import default_contract, linear_indicator
from kechuang.enclaves.specs import contract_to_spec, period_end, report_due
from kechuang.orgs.models import Enclave

QUARTERS = ("Q1", "Q2", "Q3", "Q4")
SHARE = {"Q1": 0.22, "Q2": 0.48, "Q3": 0.73, "Q4": 1.0}


@dataclass(frozen=True)
class EnclavePlan:
    """How one demo enclave is assessed and how well it does (achievement ratio per indicator)."""

    city: str
    weights: dict[str, int]
    targets: dict[str, int]
    extra: tuple[Indicator, ...]
    performance: float


PLANS = (
    EnclavePlan(
        city="武汉",
        weights={"flex_talent": 6},
        targets={"incubated": 6, "teams": 2, "landed": 2, "output": 3000, "matched": 25},
        extra=(
            linear_indicator(
                "hi_talent", "引进高层次创新创业人才数", "人", 4, 5, "人才引进协议及人才层次认定材料"
            ),
        ),
        performance=1.02,
    ),
    EnclavePlan(
        city="深圳",
        weights={"tech_results": 6, "output": 6},
        targets={"incubated": 6, "teams": 3, "landed": 2, "output": 2500, "matched": 30},
        extra=(
            linear_indicator(
                "design_pilot",
                "设计成果在晋江中试熟化/量产项目数",
                "个",
                6,
                6,
                "中试或量产合作协议、样品照片",
            ),
        ),
        performance=0.82,
    ),
    EnclavePlan(
        city="西安",
        weights={"flex_talent": 4},
        targets={"incubated": 6, "teams": 2, "landed": 3, "output": 1000, "flex_talent": 20, "transfers": 6},
        extra=(
            linear_indicator(
                "joint_training", "半导体人才联合培养人数", "人", 6, 40, "联合培养协议及学员名单"
            ),
        ),
        performance=0.78,
    ),
)

#: Annual figures a fully on-target enclave would report for indicators the platform cannot count.
TYPICAL = {
    "tech_results": 20,
    "flex_talent": 30,
    "talent_apps": 4,
    "national_talent": 1,
    "honours": 1,
    "hi_talent": 5,
    "design_pilot": 6,
    "joint_training": 40,
    "matched": 30,
    "transfers": 5,
}
#: Work the platform only partly sees (offline docking, contracts registered elsewhere): the operator
#: reports more than the platform counts, with evidence, and the bureau accepts it after checking.
OFFLINE = frozenset({"matched", "transfers"})


def _spec(plan: EnclavePlan) -> dict[str, Any]:
    contract = default_contract("", "", targets=plan.targets, weights=plan.weights, extra=plan.extra)
    contract = replace(contract, late_deduction_per_item=Decimal("0.5"), late_deduction_max=Decimal(5))
    return contract_to_spec(contract)


def _evidence(code: str, period: str) -> SimpleUploadedFile:
    body = f"%PDF-1.4\n% 演示佐证材料 {code} {period}\n".encode()
    return SimpleUploadedFile(f"{code}-{period}-佐证.pdf", body, content_type="application/pdf")


class Loader:
    def __init__(self, seed: int, as_of: dt.date) -> None:
        self.rng = random.Random(seed * 7 + 5)
        self.as_of = as_of
        users = get_user_model().objects
        self.staff = users.filter(username="staff").first()
        #: each enclave reports through its own operator account (demo users enclave, enclave_sz, enclave_xa)
        operators = users.filter(profile__role=Role.ENCLAVE_OPERATOR, profile__enclave__isnull=False)
        self.operators = {u.profile.enclave_id: u for u in operators.select_related("profile")}
        self.counts: dict[str, int] = {"assessment_contracts": 0, "indicator_values": 0, "assessments": 0}

    def run(self) -> dict[str, int]:
        enclaves = {e.city: e for e in Enclave.objects.filter(is_demo=True)}
        year = self.as_of.year - 1
        for plan in PLANS:
            enclave = enclaves.get(plan.city)
            if enclave is None:
                continue
            self.previous_year(enclave, plan, year)
            self.current_year(enclave, plan, year + 1)
        self.counts["indicator_values"] = IndicatorValue.objects.filter(is_demo=True).count()
        return self.counts

    # -- helpers ---------------------------------------------------------------------------------------
    def _contract(self, enclave: Enclave, plan: EnclavePlan, year: int) -> AssessmentContract:
        contract = services.create_contract(enclave=enclave, year=year, actor=self.staff, spec=_spec(plan))
        AssessmentContract.objects.filter(pk=contract.pk).update(is_demo=True)
        contract.is_demo = True
        services.sign_contract(contract=contract, actor=self.staff)
        self.counts["assessment_contracts"] += 1
        return contract

    def _reporter(self, enclave: Enclave) -> Any:
        return self.operators.get(enclave.pk)

    def _report(
        self,
        contract: AssessmentContract,
        plan: EnclavePlan,
        period: str,
        *,
        late_days: int = 0,
        skip_evidence: str = "",
    ) -> None:
        services.refresh_platform_figures(contract=contract, period=period, actor=self.staff)
        rows = {r.code: r for r in selectors.stored_values(contract.enclave_id, contract.year, period)}
        figures: dict[str, object] = {}
        for ind in contract.spec["indicators"]:
            code = ind["code"]
            if ind["kind"] in ("deduction", "veto"):
                continue  # recorded by the bureau, not reported
            row = rows.get(code)
            computed = row.computed if row is not None else None
            typical = TYPICAL.get(code)
            if computed is not None and (code not in OFFLINE or typical is None):
                # Operators report what the platform also counts.
                figures[code] = computed
                continue
            if typical is None:
                continue
            base = typical * SHARE[period] * plan.performance * self.rng.uniform(0.9, 1.1)
            figure = Decimal(round(base)) if ind.get("unit") != "万元" else Decimal(round(base, 1))
            figures[code] = max(figure, computed or Decimal(0))
        if period in ("Q1",) and "national_talent" in figures:
            figures["national_talent"] = Decimal(0)
        due = report_due(contract.spec, contract.year, period)
        at = timezone.make_aware(dt.datetime.combine(due + dt.timedelta(days=late_days - 5), dt.time(16, 30)))
        actor = self._reporter(contract.enclave)
        services.report_values(contract=contract, period=period, figures=figures, actor=actor, at=at)
        indicators = {i["code"]: i for i in contract.spec["indicators"]}
        for code in figures:
            if indicators[code].get("requires_evidence") and code != skip_evidence:
                value = services.open_value(contract=contract, period=period, code=code)
                services.add_evidence(value=value, upload=_evidence(code, period), actor=actor)

    def _settle(self, contract: AssessmentContract, period: str) -> None:
        """The bureau settles what the card flags, as an officer would after checking the files."""
        view = selectors.scorecard(contract, period, as_of=period_end(contract.year, period))
        assert view.live is not None
        for result in view.live.indicators:
            if not result.needs_review:
                continue
            row = next((r for r in view.rows if r.code == result.code), None)
            if row is not None and result.code in OFFLINE and row.reported is not None:
                figure, note = row.reported, "已核对线下对接活动签到表与合作协议，认可运营方填报值"
            elif row is not None and row.computed is not None:
                figure, note = row.computed, "经核对入孵协议与工商登记，以平台统计为准"
            else:
                figure, note = Decimal(0), "经核查无此情况"
            services.verify_value(
                contract=contract,
                period=period,
                code=result.code,
                verified=figure,
                note=note,
                actor=self.staff,
            )

    def _finalise(self, contract: AssessmentContract, period: str) -> None:
        self._settle(contract, period)
        services.finalise_assessment(
            contract=contract,
            period=period,
            actor=self.staff,
            note="季度检查" if period != "Q4" else "年度考核定稿",
            as_of=period_end(contract.year, period) + dt.timedelta(days=30),
        )
        self.counts["assessments"] += 1

    # -- years -----------------------------------------------------------------------------------------
    def previous_year(self, enclave: Enclave, plan: EnclavePlan, year: int) -> None:
        contract = self._contract(enclave, plan, year)
        for period in QUARTERS:
            late = 12 if (plan.city == "西安" and period == "Q2") else 0
            missing = "honours" if (plan.city == "深圳" and period == "Q4") else ""
            self._report(contract, plan, period, late_days=late, skip_evidence=missing)
            if plan.city == "武汉" and period == "Q2":
                # An over-report the platform does not confirm: flagged, then settled by the bureau.
                row = services.open_value(contract=contract, period=period, code="landed")
                services.report_values(
                    contract=contract,
                    period=period,
                    figures={"landed": (row.computed or 0) + 2},
                    notes={"landed": "含两家已签意向、尚未完成工商注册的企业"},
                    actor=self._reporter(enclave),
                    at=row.reported_at,
                )
            if plan.city == "深圳" and period == "Q4":
                services.verify_value(
                    contract=contract,
                    period=period,
                    code="unrectified",
                    verified=1,
                    note=f"{year}年第三季度检查发现的台账不全问题逾期未整改",
                    actor=self.staff,
                )
            if plan.city == "西安" and period == "Q2":
                self._finalise(contract, period)
                contract = services.amend_contract(
                    contract=contract,
                    reason="经联席会议商定，下半年提高专利转让/技术委托开发目标",
                    actor=self.staff,
                )
                spec = dict(contract.spec)
                spec["indicators"] = [
                    {**i, "target": "8"} if i["code"] == "transfers" else i for i in spec["indicators"]
                ]
                services.update_contract_spec(contract=contract, spec=spec, actor=self.staff)
                services.sign_contract(contract=contract, actor=self.staff)
                self.counts["assessment_contracts"] += 1
                continue
            self._finalise(contract, period)

    def current_year(self, enclave: Enclave, plan: EnclavePlan, year: int) -> None:
        contract = self._contract(enclave, plan, year)
        done = [q for q in QUARTERS if period_end(year, q) + dt.timedelta(days=15) <= self.as_of]
        for period in done:
            self._report(contract, plan, period)
            if period != done[-1]:
                self._finalise(contract, period)


def load_demo_enclaves(*, seed: int, as_of: dt.date | None = None) -> dict[str, int]:
    """Write the demo contracts, reports and assessments; returns counts by label."""
    with transaction.atomic():
        return Loader(seed, as_of or dt.date.today()).run()


def delete_demo_enclaves() -> dict[str, int]:
    """Delete demo assessments, values (with their evidence files), contracts and their history."""
    contracts = AssessmentContract.objects.filter(is_demo=True)
    values = IndicatorValue.objects.filter(is_demo=True)
    evidence = Evidence.objects.filter(value__in=values)
    for name in evidence.values_list("file", flat=True):
        if name and default_storage.exists(name):
            default_storage.delete(name)
    value_ids = list(values.values_list("pk", flat=True))
    contract_ids = list(contracts.values_list("pk", flat=True))
    # History by id: a contract's first history row predates its demo mark.
    Evidence.history.filter(value_id__in=value_ids).delete()  # type: ignore[attr-defined]
    Assessment.history.filter(contract_id__in=contract_ids).delete()  # type: ignore[attr-defined]
    IndicatorValue.history.filter(id__in=value_ids).delete()  # type: ignore[attr-defined]
    AssessmentContract.history.filter(id__in=contract_ids).delete()  # type: ignore[attr-defined]
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        deleted = {
            "evidence": evidence.delete()[0],
            "assessments": Assessment.objects.filter(is_demo=True).delete()[0],
            "indicator_values": values.delete()[0],
            "assessment_contracts": contracts.delete()[0],
        }
    return deleted


__all__ = ["delete_demo_enclaves", "load_demo_enclaves"]
