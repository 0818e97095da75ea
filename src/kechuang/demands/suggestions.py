"""Keyword suggestions of whom to route a demand to, with the shared words as the reason.

A stop-gap until the matching engine (issue #4) supplies ranked, explained suggestions: it compares the
demand's content words with each party's profile text.
"""

from __future__ import annotations

from dataclasses import dataclass

from kechuang.demands.choices import DemandType, TargetKind
from kechuang.demands.models import Demand
from kechuang.demands.text import shared_words, words
from kechuang.orgs.models import Enclave, Expert, Institution, Investor


@dataclass(frozen=True)
class Suggestion:
    kind: str
    pk: int
    name: str
    score: float
    reasons: list[str]


def _rank(kind: str, query: str, profiles: list[tuple[int, str, str]], limit: int) -> list[Suggestion]:
    query_words = words(query)
    ranked = []
    for pk, name, text in profiles:
        shared = shared_words(query, text)
        if not shared:
            continue
        score = len(shared) / max(1, len(query_words)) ** 0.5
        ranked.append(Suggestion(kind, pk, name, round(score, 3), shared[:6]))
    return sorted(ranked, key=lambda s: -s.score)[:limit]


def suggest_targets(
    demand: Demand, *, limit: int = 5, investors_only: bool = False
) -> dict[str, list[Suggestion]]:
    """Keyword suggestions per target kind; `investors_only` when the engine already ranked the rest."""
    query = f"{demand.title} {demand.description} {demand.indicators}"
    result: dict[str, list[Suggestion]] = {}
    if not investors_only:
        enclaves = [
            (e.pk, e.name, f"{e.focus_industries} {e.description} {e.city}") for e in Enclave.objects.all()
        ]
        institutions = [
            (i.pk, i.organization.name, f"{i.disciplines} {i.organization.description}")
            for i in Institution.objects.select_related("organization")
        ]
        experts = [
            (
                x.pk,
                f"{x.name}（{x.institution.organization.name if x.institution else '独立专家'}）",
                f"{x.fields} {x.bio} {x.publications}",
            )
            for x in Expert.objects.select_related("institution__organization")
        ]
        result[TargetKind.ENCLAVE] = _rank(TargetKind.ENCLAVE, query, enclaves, limit)
        result[TargetKind.INSTITUTION] = _rank(TargetKind.INSTITUTION, query, institutions, limit)
        result[TargetKind.EXPERT] = _rank(TargetKind.EXPERT, query, experts, limit)
    if demand.demand_type == DemandType.FINANCING:
        investors = [
            (v.pk, v.organization.name, f"{v.focus_industries} {v.focus_stages}")
            for v in Investor.objects.select_related("organization")
        ]
        result[TargetKind.INVESTOR] = _rank(TargetKind.INVESTOR, query, investors, limit) or [
            Suggestion(TargetKind.INVESTOR, pk, name, 0.0, ["融资需求"]) for pk, name, _ in investors[:limit]
        ]
    return {str(k): v for k, v in result.items()}
