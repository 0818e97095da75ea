"""Reads of the enclave assessment: contracts in force, the figures the platform already knows, and
scorecards (live, simulated or finalised) built by the plain-Python scoring core."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet

from kechuang.core.access import Principal, scope
from kechuang.core.formatting import format_date_cn
from kechuang.enclaves.models import PERIODS, Assessment, AssessmentContract, IndicatorValue
from kechuang.enclaves.scoring import Contract, RankEntry, Scorecard, Value, rank, score, simulate
from kechuang.enclaves.scoring.model import fmt
from kechuang.enclaves.specs import contract_from_spec, period_end, report_due
from kechuang.orgs.models import Enclave

PERIOD_CODES = tuple(code for code, _ in PERIODS)
#: What the platform can count itself (platform_figures keys), for personalised indicators to use.
PLATFORM_SOURCES: dict[str, str] = {
    "response_rate": "需求响应率（需求分派记录）",
    "response_timely": "需求响应及时率（需求分派记录）",
    "matched": "答复的企业需求数（需求分派记录）",
    "transfers": "经飞地对接登记的技术合同数",
    "incubated": "在孵项目数（孵化台账）",
    "teams": "决定入孵的项目数（孵化台账）",
    "landed": "落地晋江项目数（按统一社会信用代码）",
    "output": "落地企业产值（万元）",
}


@dataclass(frozen=True)
class PlatformFigure:
    """A value the platform counted itself, with the sentence saying how."""

    value: Decimal
    basis: str


def contracts_for(principal: Principal, *, year: int | None = None) -> QuerySet[AssessmentContract]:
    qs = scope(
        principal, AssessmentContract.objects.select_related("enclave", "signed_by"), "assessment.view"
    )
    return qs.filter(year=year) if year else qs


def visible_contract(principal: Principal, pk: int, action: str = "assessment.view") -> AssessmentContract:
    """The contract `pk` if `principal` may `action` it (404 otherwise, so ids cannot be probed)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        scope(principal, AssessmentContract.objects.select_related("enclave"), action), pk=pk
    )


def contract_in_force(enclave_id: int, year: int) -> AssessmentContract | None:
    """The latest signed version, else the draft (scored with a note that it is not signed yet)."""
    versions = AssessmentContract.objects.filter(enclave_id=enclave_id, year=year)
    signed = versions.filter(status=AssessmentContract.Status.SIGNED).order_by("-version").first()
    return signed or versions.order_by("-version").first()


def versions_of(contract: AssessmentContract) -> QuerySet[AssessmentContract]:
    return AssessmentContract.objects.filter(
        enclave_id=contract.enclave_id, year=contract.year
    ).select_related("signed_by")


def scoring_contract(contract: AssessmentContract, period: str) -> Contract:
    return contract_from_spec(
        contract.spec,
        enclave=contract.enclave.name,
        year=contract.year,
        period=period,
        version=str(contract.version),
    )


def platform_figures(*, enclave_id: int, year: int, period: str) -> dict[str, PlatformFigure]:
    """Year-to-date figures the platform can count for the library indicators (cumulative to the checkpoint).

    Demand routings give the response rates and docking count, technology contracts signed through the
    enclave give 专利转让/技术委托开发数, and incubation records give admitted/incubating/landed projects
    and the landed companies' output; the talent registry gives 柔性引进人才数 and 辅导申报人才项目数.
    Indicators the platform cannot see (honours …) are absent.
    """
    from kechuang.demands.models import TechContract
    from kechuang.demands.selectors import party_figures
    from kechuang.incubation.selectors import enclave_figures
    from kechuang.talents.selectors import enclave_talent_figures

    since, until = dt.date(year, 1, 1), period_end(year, period)
    span = f"{format_date_cn(since)}至{format_date_cn(until)}"
    out: dict[str, PlatformFigure] = {}
    row = next(
        (
            r
            for r in party_figures(since=since, until=until)
            if r["kind"] == "enclave" and r["id"] == enclave_id
        ),
        None,
    )
    if row and row["routed"]:
        routed = row["routed"]
        out["response_rate"] = PlatformFigure(
            (Decimal(row["answered"]) * 100 / routed).quantize(Decimal("0.01")),
            f"{span}推送给本飞地的需求 {routed} 条，已答复 {row['answered']} 条",
        )
        on_time = round(row["on_time_rate"] * routed)
        out["response_timely"] = PlatformFigure(
            (Decimal(on_time) * 100 / routed).quantize(Decimal("0.01")),
            f"{span}推送的需求 {routed} 条，在时限内确认 {on_time} 条",
        )
        out["matched"] = PlatformFigure(
            Decimal(row["answered"]), f"{span}本飞地答复并提出对接方案的企业需求 {row['answered']} 条"
        )
    contracts = TechContract.objects.filter(
        response__routing__enclave_id=enclave_id, signed_on__gte=since, signed_on__lte=until
    ).count()
    out["transfers"] = PlatformFigure(
        Decimal(contracts), f"{span}经本飞地对接签订并登记的技术合同 {contracts} 份"
    )
    incubation = enclave_figures(enclave_id=enclave_id, since=since, until=until)
    for code, key in (
        ("incubated", "incubating"),
        ("teams", "admitted"),
        ("landed", "landed"),
        ("output", "landed_output"),
    ):
        figure = incubation.get(key)
        if figure is not None:
            out[code] = PlatformFigure(Decimal(figure.value), figure.basis)
    talents = enclave_talent_figures(enclave_id=enclave_id, since=since, until=until)
    out["flex_talent"] = PlatformFigure(
        Decimal(talents["flexible_talents"]),
        f"{span}人才库中经本飞地柔性引进或飞地引进、并于期内登记或获认定的人才"
        f" {talents['flexible_talents']} 人",
    )
    out["talent_apps"] = PlatformFigure(
        Decimal(talents["talent_projects_coached"]),
        f"{span}经本飞地引进的人才提交的人才认定申报 {talents['talent_projects_coached']} 个",
    )
    return out


def is_finalised(contract: AssessmentContract, period: str) -> bool:
    return period_is_final(contract.enclave_id, contract.year, period)


def period_is_final(enclave_id: int, year: int, period: str) -> bool:
    """Finalised checkpoints are frozen: no report, evidence, verification or refresh changes them."""
    return Assessment.objects.filter(enclave_id=enclave_id, year=year, period=period).exists()


def _values(enclave_id: int, year: int) -> QuerySet[IndicatorValue]:
    return (
        IndicatorValue.objects.filter(enclave_id=enclave_id, year=year)
        .annotate(evidence_count=Count("evidence"))
        .select_related("reported_by", "verified_by")
        .prefetch_related("evidence")
        .order_by("period", "code")
    )


def stored_values(enclave_id: int, year: int, period: str) -> list[IndicatorValue]:
    return list(_values(enclave_id, year).filter(period=period))


def _finals(enclave_id: int, year: int) -> QuerySet[Assessment]:
    return Assessment.objects.filter(enclave_id=enclave_id, year=year).select_related(
        "finalised_by", "contract"
    )


def _plain(value: Decimal | None) -> Decimal | None:
    """Stored figures carry 4 places (22.0000); the card shows them as typed (22)."""
    return None if value is None else Decimal(fmt(value))


def scoring_values(contract: AssessmentContract, period: str, rows: list[IndicatorValue]) -> list[Value]:
    due = report_due(contract.spec, contract.year, period)
    codes = {row["code"] for row in contract.spec.get("indicators", [])}
    return [
        Value(
            code=r.code,
            reported=_plain(r.reported),
            computed=_plain(r.computed),
            verified=_plain(r.verified),
            evidence_count=getattr(r, "evidence_count", 0),
            reported_at=r.reported_at.date() if r.reported_at else None,
            due=due,
        )
        for r in rows
        if r.code in codes
    ]


@dataclass
class CardView:
    """A scorecard with what the page needs around it."""

    contract: AssessmentContract
    period: str
    card: dict[str, Any]
    finalised: Assessment | None
    rows: list[IndicatorValue]
    live: Scorecard | None


def scorecard(contract: AssessmentContract, period: str, *, as_of: dt.date | None = None) -> CardView:
    """The frozen card of a finalised assessment made under this version, else a live score."""
    final = _finals(contract.enclave_id, contract.year).filter(period=period).first()
    return _card(contract, period, stored_values(contract.enclave_id, contract.year, period), final, as_of)


def year_cards(contract: AssessmentContract) -> dict[str, CardView]:
    """Every checkpoint of the year from one read of its values and finalised cards (list pages, trend)."""
    rows: dict[str, list[IndicatorValue]] = {code: [] for code in PERIOD_CODES}
    for row in _values(contract.enclave_id, contract.year):
        rows[row.period].append(row)
    finals = {a.period: a for a in _finals(contract.enclave_id, contract.year)}
    return {code: _card(contract, code, rows[code], finals.get(code), None) for code in PERIOD_CODES}


def _card(
    contract: AssessmentContract,
    period: str,
    rows: list[IndicatorValue],
    final: Assessment | None,
    as_of: dt.date | None,
) -> CardView:
    if final is not None and final.contract_id == contract.pk:
        return CardView(contract, period, final.card, final, rows, None)
    live = score(
        scoring_contract(contract, period),
        scoring_values(contract, period, rows),
        as_of=as_of or dt.date.today(),
    )
    if contract.status == AssessmentContract.Status.DRAFT:
        live.notes.append("契约尚未签订，本结果仅供参考")
    return CardView(contract, period, live.to_dict(), final, rows, live)


def simulated_card(contract: AssessmentContract, period: str, overrides: dict[str, str]) -> Scorecard:
    rows = stored_values(contract.enclave_id, contract.year, period)
    return simulate(
        scoring_contract(contract, period),
        scoring_values(contract, period, rows),
        overrides,
        as_of=dt.date.today(),
    )


def year_history(
    contract: AssessmentContract, cards: dict[str, CardView] | None = None
) -> list[dict[str, Any]]:
    """Each checkpoint of the year: the finalised result or a live score, for the trend chart."""
    cards = cards if cards is not None else year_cards(contract)
    return [
        {
            "period": code,
            "label": label,
            "total": cards[code].card["total"],
            "grade": cards[code].card["grade"],
            "reward": cards[code].card["reward"],
            "final": cards[code].finalised is not None,
        }
        for code, label in PERIODS
    ]


def ranking(*, year: int, period: str) -> tuple[list[RankEntry], dict[str, AssessmentContract]]:
    """Rank every enclave with a contract for the year (finalised cards where they exist)."""
    cards: list[Scorecard] = []
    by_name: dict[str, AssessmentContract] = {}
    for enclave in Enclave.objects.order_by("name"):
        contract = contract_in_force(enclave.pk, year)
        if contract is None:
            continue
        contract.enclave = enclave
        view = scorecard(contract, period)
        card = view.live or _card_from_dict(view.card)
        cards.append(card)
        by_name[enclave.name] = contract
    return rank(cards), by_name


def _card_from_dict(data: dict[str, Any]) -> Scorecard:
    """Enough of a frozen card to rank it (ranking needs totals, grades, rewards and vetoes)."""
    return Scorecard(
        enclave=data["enclave"],
        period=data["period"],
        contract_version=data["contract_version"],
        as_of=None,
        indicators=[],
        weighted_points=Decimal(data["weighted_points"]),
        bonus_points=Decimal(data["bonus_points"]),
        deduction_points=Decimal(data["deduction_points"]),
        late_items=list(data["late_items"]),
        late_deduction=Decimal(data["late_deduction"]),
        total=Decimal(data["total"]),
        total_formula=data["total_formula"],
        vetoed=bool(data["vetoed"]),
        veto_reasons=list(data["veto_reasons"]),
        grade=data["grade"],
        grade_basis=data["grade_basis"],
        reward=Decimal(data["reward"]),
        reward_before_cap=Decimal(data["reward_before_cap"]),
        reward_capped=bool(data["reward_capped"]),
        reward_formula=data["reward_formula"],
    )


def county_summary() -> dict[str, Any]:
    """The latest finalised annual assessment of every enclave, for the bureau's dashboard."""
    latest = Assessment.objects.filter(period="Q4").order_by("-year").values_list("year", flat=True).first()
    if latest is None:
        return {"year": None, "rows": [], "reward": Decimal(0)}
    rows = list(
        Assessment.objects.filter(period="Q4", year=latest)
        .select_related("enclave")
        .order_by("-total", "enclave__name")
    )
    return {"year": latest, "rows": rows, "reward": sum((a.reward for a in rows), Decimal(0))}
