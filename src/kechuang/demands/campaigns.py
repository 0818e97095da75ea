"""Demand collection campaigns and township field visits (writes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from kechuang.demands.models import Campaign, FieldVisit, VisitPlanItem
from kechuang.orgs.models import Enterprise


@transaction.atomic
def create_campaign(*, actor: User | None, values: dict[str, Any]) -> Campaign:
    chains, townships = values.pop("chains", []), values.pop("townships", [])
    campaign = Campaign(created_by=actor, **values)
    campaign.full_clean()
    campaign.save()
    campaign.chains.set(chains)
    campaign.townships.set(townships)
    return campaign


def record_visit(
    *,
    actor: User | None,
    campaign: Campaign | None,
    enterprise: Enterprise,
    visited_on: dt.date,
    notes: str = "",
    demands_found: int = 0,
) -> FieldVisit:
    return FieldVisit.objects.create(
        campaign=campaign,
        enterprise=enterprise,
        township_id=enterprise.township_id,
        officer=actor,
        visited_on=visited_on,
        notes=notes,
        demands_found=demands_found,
    )


@transaction.atomic
def add_to_visit_plan(
    *, actor: User | None, campaign: Campaign, items: Sequence[tuple[Enterprise, str]]
) -> int:
    """Add enterprises to a campaign's visit plan with the reason; one already planned is left as it is."""
    planned = set(VisitPlanItem.objects.filter(campaign=campaign).values_list("enterprise_id", flat=True))
    new = [
        VisitPlanItem(
            campaign=campaign,
            enterprise=enterprise,
            township_id=enterprise.township_id,
            reason=reason[:300],
            added_by=actor,
        )
        for enterprise, reason in items
        if enterprise.pk not in planned
    ]
    VisitPlanItem.objects.bulk_create(new, batch_size=500)
    return len(new)
