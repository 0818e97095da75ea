from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from kechuang.accounts.models import Profile
from kechuang.core.access import ANONYMOUS, Principal, Role


def principal_for(user: AbstractBaseUser | AnonymousUser) -> Principal:
    """Build the Principal the access rules work on. A signed-in user without a profile gets no rights
    beyond the public's, except superusers, who act as bureau admins."""
    if not user.is_authenticated:
        return ANONYMOUS
    profile = Profile.objects.filter(user_id=user.pk).first()
    name = getattr(user, "get_full_name", lambda: "")() or user.get_username()
    if profile is None:
        if getattr(user, "is_superuser", False):
            return Principal(role=Role.BUREAU_ADMIN, user_id=user.pk, display_name=name)
        return Principal(role=Role.PUBLIC, user_id=user.pk, display_name=name)
    return Principal(
        role=Role(profile.role),
        user_id=user.pk,
        display_name=profile.display_name or name,
        township_id=profile.township_id,
        organization_id=profile.organization_id,
        enclave_id=profile.enclave_id,
        expert_id=profile.expert_id,
    )


def reviewer_texts(user: Any) -> list[str]:
    """What a reviewer is known for: the linked expert's fields, bio and each listed publication (the
    texts ``entity_affinities`` compares applications with, for incubation and talent reviews)."""
    expert = getattr(getattr(user, "profile", None), "expert", None)
    if expert is None:
        return []
    texts = [t for t in (expert.fields, expert.bio) if t and t.strip()]
    return texts + [line.strip() for line in (expert.publications or "").splitlines() if line.strip()]
