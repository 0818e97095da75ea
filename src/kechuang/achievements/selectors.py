from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from kechuang.achievements.models import Achievement
from kechuang.core.access import Principal


def _visible(principal: Principal) -> QuerySet[Achievement]:
    qs = Achievement.objects.all()
    return qs if principal.is_bureau else qs.filter(is_public=True)


def achievement_list(*, principal: Principal, q: str = "", category: str = "") -> QuerySet[Achievement]:
    qs = _visible(principal).select_related("institution__organization")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(abstract__icontains=q) | Q(discipline__icontains=q))
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("pk")


def achievement_get(*, principal: Principal, pk: int) -> Achievement:
    achievement = (
        _visible(principal)
        .select_related("institution__organization")
        .prefetch_related("experts")
        .filter(pk=pk)
        .first()
    )
    if achievement is None:
        raise Http404("成果不存在或未公开")
    return achievement


def achievement_categories() -> list[str]:
    return sorted(c for c in Achievement.objects.values_list("category", flat=True).distinct() if c)
