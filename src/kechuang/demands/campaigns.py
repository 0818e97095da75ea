"""Demand collection campaigns and township field visits (writes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from kechuang.demands.models import Campaign, FieldVisit
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
