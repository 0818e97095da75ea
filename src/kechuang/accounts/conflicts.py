"""Conflicts of interest for reviewers: one home for the rule, used by every review on the platform
(incubation applications now, talent certifications and other expert reviews as they come).

A reviewer may not score an application they filed, one from the organisation they belong to, or — for an
expert — one from their own university or institute. A declared conflict always counts.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from kechuang.accounts.models import Profile
from kechuang.core.access import BUREAU, Role

REVIEWER_ROLES = frozenset({Role.EXPERT, *BUREAU})


def reviewer_profile(user: User) -> Profile | None:
    return Profile.objects.select_related("expert__institution").filter(user_id=user.pk).first()


def link_to_party(
    reviewer: User,
    *,
    submitted_by_id: int | None,
    organization_id: int | None,
    profile: Profile | None = None,
) -> str | None:
    """Why ``reviewer`` is linked to the applying party (and so may not score it), or None. Pass the
    reviewer's profile (with expert__institution) when it is already loaded."""
    if submitted_by_id and submitted_by_id == reviewer.pk:
        return "评审人是该项目的申请人"
    if not organization_id:
        return None
    profile = profile or reviewer_profile(reviewer)
    if profile is None:
        return None
    if profile.organization_id == organization_id:
        return "评审人所在单位即申请单位"
    expert = profile.expert
    if (
        expert is not None
        and expert.institution is not None
        and expert.institution.organization_id == organization_id
    ):
        return "评审人（专家）所在高校院所即申请单位"
    return None


def conflict_reason(
    reviewer: User, *, declared: bool, submitted_by_id: int | None, organization_id: int | None
) -> str | None:
    """Why a review may not count (a declared or a linked conflict of interest), or None."""
    if declared:
        return "评审人已声明利益冲突"
    return link_to_party(reviewer, submitted_by_id=submitted_by_id, organization_id=organization_id)


def check_reviewer(user: User, *, submitted_by_id: int | None, organization_id: int | None) -> str:
    """The reviewer's display name, or a ValidationError: not an expert or bureau staff, or linked."""
    profile = reviewer_profile(user)
    name = (profile.display_name if profile else "") or user.get_full_name() or user.get_username()
    role = profile.role if profile else ("bureau_admin" if user.is_superuser else None)
    if role not in REVIEWER_ROLES:
        raise ValidationError(f"“{name}”不是专家或科技局工作人员，不能担任评审")
    link = link_to_party(
        user, submitted_by_id=submitted_by_id, organization_id=organization_id, profile=profile
    )
    if link:
        raise ValidationError(f"“{name}”与申请方存在关联（{link}），存在利益冲突，不能评审该项目")
    return name
