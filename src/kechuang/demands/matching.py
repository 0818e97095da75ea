"""Demands for the matching engine.

Each demand is indexed with the audience tags of those who may read it in full (its enterprise, its
township, the parties it was routed to; the public when published in full). A summary-only demand adds a
second, public document holding just its approved summary. A demand is also a *source*: the engine
suggests achievements, experts, institutions and enclaves for it (public profiles only).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse

from kechuang.demands.choices import OPEN_STATUSES, Confidentiality, Status
from kechuang.demands.models import Demand
from kechuang.matching.audience import enclave_tag, expert_tag, org_tag, township_tag
from kechuang.matching.registry import PUBLIC, MatchSource, MatchText, register_provider, register_source

INDEXED = [s for s in Status if s not in (Status.DRAFT, Status.REJECTED, Status.MERGED)]


def _tags(demand: Demand) -> tuple[str, ...]:
    tags = {org_tag(demand.enterprise.organization_id)}
    if demand.township_id:
        tags.add(township_tag(demand.township_id))
    for routing in demand.routings.all():
        if routing.enclave_id:
            tags.add(enclave_tag(routing.enclave_id))
        if routing.expert_id:
            tags.add(expert_tag(routing.expert_id))
        if routing.institution_id:
            tags.add(org_tag(routing.institution.organization_id))  # type: ignore[union-attr]
        if routing.investor_id:
            tags.add(org_tag(routing.investor.organization_id))  # type: ignore[union-attr]
    if demand.is_published and demand.confidentiality == Confidentiality.PUBLIC:
        tags.add(PUBLIC)
    return tuple(sorted(tags))


def demand_texts() -> Iterator[MatchText]:
    demands = (
        Demand.objects.filter(status__in=INDEXED)
        .select_related("enterprise")
        .prefetch_related("routings__institution", "routings__investor")
    )
    for demand in demands.iterator(chunk_size=1000):
        metadata = {"type": demand.demand_type, "industry": demand.industry_code[:2], "status": demand.status}
        yield MatchText(
            "demand",
            demand.pk,
            demand.title,
            f"{demand.description}\n{demand.indicators}".strip(),
            _tags(demand),
            metadata,
        )
        if demand.is_published and demand.confidentiality == Confidentiality.SUMMARY:
            yield MatchText(
                "demand_summary",
                demand.pk,
                demand.title,
                demand.public_summary,
                (PUBLIC,),
                {**metadata, "link_kind": "demand", "link_id": demand.pk},
            )


def demand_source(pk: int) -> MatchSource | None:
    demand = Demand.objects.filter(pk=pk).select_related("enterprise").first()
    if demand is None:
        return None
    return MatchSource(
        "demand",
        pk,
        demand.title,
        f"{demand.title}。{demand.description}\n{demand.indicators}".strip(),
        targets=("achievement", "expert", "institution", "enclave"),
        audience=(PUBLIC,),
        owners=(org_tag(demand.enterprise.organization_id),),
    )


def open_demands() -> Iterator[int]:
    yield from Demand.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True)


def register() -> None:
    url = lambda pk: reverse("demands:detail", args=[pk])  # noqa: E731
    register_provider("demand", "技术需求", demand_texts, url)
    register_source("demand", demand_source, open_demands)
