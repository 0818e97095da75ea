"""The platform's conflict-of-interest rule applied to an incubation review (imported by services and
selectors alike, so neither imports the other for it)."""

from __future__ import annotations

from kechuang.accounts.conflicts import conflict_reason
from kechuang.incubation.models import Review


def conflict_of(review: Review) -> str | None:
    """Why this review may not count (declared or linked conflict of interest), or None."""
    project = review.project
    return conflict_reason(
        review.reviewer,
        declared=review.conflict_declared,
        submitted_by_id=project.submitted_by_id,
        organization_id=project.applicant_id,
    )
