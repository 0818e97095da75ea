"""Achievements for the matching engine, and the achievement page's question: who may need it?"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse

from kechuang.achievements.models import Achievement
from kechuang.matching.registry import PUBLIC, MatchSource, MatchText, register_provider, register_source

BUREAU_ONLY = ("bureau",)


def achievement_texts() -> Iterator[MatchText]:
    for a in Achievement.objects.prefetch_related("experts").iterator(chunk_size=2000):
        metadata: dict[str, object] = {
            "category": a.category,
            "discipline": a.discipline,
            "maturity": a.maturity,
            "experts": [e.pk for e in a.experts.all()],
        }
        if a.institution_id:
            metadata["institution"] = a.institution_id
        yield MatchText(
            "achievement", a.pk, a.title, a.abstract, (PUBLIC,) if a.is_public else BUREAU_ONLY, metadata
        )


def achievement_source(pk: int) -> MatchSource | None:
    achievement = Achievement.objects.filter(pk=pk).first()
    if achievement is None:
        return None
    return MatchSource(
        "achievement",
        pk,
        achievement.title,
        f"{achievement.title}。{achievement.abstract}",
        targets=("demand", "enterprise"),
        audience=("*",),
    )


def register() -> None:
    register_provider(
        "achievement", "科技成果", achievement_texts, lambda pk: reverse("achievements:detail", args=[pk])
    )
    register_source("achievement", achievement_source)
