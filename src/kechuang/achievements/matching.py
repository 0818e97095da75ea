"""Achievements for the matching engine, and the achievement page's question: who may need it?"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse

from kechuang.achievements.models import Achievement
from kechuang.matching import selectors
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


#: An achievement an open demand's newest suggestions rank this high is one staff are likely to open next.
NAMED_BY_DEMAND_RANK = 3


def achievements_followed() -> list[int]:
    """Achievements whose "who may need it" list is refreshed after every rebuild (after the demands):
    those an open demand's newest suggestions rank in its top 3, so at most 3 per open demand.  All
    2,000+ would cost a query embedding each on every rebuild; any other achievement is computed when
    someone asks on its page."""
    named = selectors.suggested_by_followed(
        source_kind="demand", target_kind="achievement", max_rank=NAMED_BY_DEMAND_RANK
    )
    return list(Achievement.objects.filter(pk__in=named).order_by("pk").values_list("pk", flat=True))


def register() -> None:
    register_provider(
        "achievement", "科技成果", achievement_texts, lambda pk: reverse("achievements:detail", args=[pk])
    )
    register_source("achievement", achievement_source, achievements_followed, order=1)
