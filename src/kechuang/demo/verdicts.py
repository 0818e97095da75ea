"""Demo verdicts on the matching engine's suggestions, so its online precision and `kechuang matching
learn` have something to work on in the demo.

Simulated, and said so: a staff member confirms a suggested achievement when one of its keywords (the
achievement's own keyword list, which the index does not hold: it indexes title and abstract) occurs in
the demand's text, and rejects it otherwise; the filing enterprise marks some of the same suggestions by
the same rule. Verdicts are spread over the last six months. Deterministic for a given seed. Every write
goes through kechuang.matching.services (record_verdict, record_feedback).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.utils import timezone

from kechuang.accounts.models import Profile
from kechuang.accounts.selectors import principal_for
from kechuang.achievements.models import Achievement
from kechuang.core.access import Role
from kechuang.demands.choices import OPEN_STATUSES
from kechuang.demands.models import Demand
from kechuang.matching import services as matching
from kechuang.matching.models import Suggestion, SuggestionFeedback
from kechuang.matching.selectors import latest_run

STAFF = "staff"
MONTHS = 6


def _fits(keywords: list[str], text: str) -> bool:
    return any(len(k) >= 2 and k in text for k in keywords)


def record_demo_verdicts(*, seed: int, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Build the index and the open demo demands' suggestions when missing, then judge them."""
    if matching.current_index() is None:
        if progress:
            progress("建立匹配索引")
        matching.rebuild_index()
    demands = list(
        Demand.objects.filter(is_demo=True, status__in=OPEN_STATUSES)
        .select_related("enterprise__organization")
        .order_by("pk")
    )
    if progress:
        progress("计算推荐")
    runs = {}
    for demand in demands:
        run = latest_run(source_kind="demand", source_id=demand.pk) or matching.compute_suggestions(
            source_kind="demand", source_id=demand.pk
        )
        if run is not None:
            runs[demand.pk] = run
    staff = get_user_model().objects.filter(username=STAFF).first()
    owners = {  # the filing enterprises' accounts (the demo has a few)
        p.organization_id: p.user
        for p in Profile.objects.filter(
            role=Role.ENTERPRISE, organization_id__in={d.enterprise.organization_id for d in demands}
        ).select_related("user")
    }
    rng = random.Random(seed)
    now = timezone.now()
    counts = {"verdicts": 0, "confirmed": 0, "feedback": 0}
    if progress:
        progress("模拟判断")
    for demand in demands:
        run = runs.get(demand.pk)
        if run is None:
            continue
        text = f"{demand.title}{demand.description}{demand.indicators}"
        suggestions = list(run.suggestions.filter(target_kind="achievement").order_by("rank"))
        if (
            any(s.verdict for s in suggestions)
            or SuggestionFeedback.objects.filter(suggestion__run=run).exists()
        ):
            continue  # judged by an earlier run of this command (or by hand): once is enough
        keywords = dict(
            Achievement.objects.filter(pk__in=[s.target_id for s in suggestions]).values_list(
                "pk", "keywords"
            )
        )
        at = now - dt.timedelta(days=rng.uniform(0, MONTHS * 30))
        for suggestion in suggestions:
            if suggestion.verdict or rng.random() < 0.3:  # not every suggestion gets looked at
                continue
            useful = _fits(list(keywords.get(suggestion.target_id) or []), text)
            verdict = Suggestion.Verdict.CONFIRMED if useful else Suggestion.Verdict.REJECTED
            matching.record_verdict(actor=staff, suggestion=suggestion, verdict=verdict)
            Suggestion.objects.filter(pk=suggestion.pk).update(verdict_at=at)
            counts["verdicts"] += 1
            counts["confirmed"] += int(useful)
        user = owners.get(demand.enterprise.organization_id)
        for first in suggestions[:2]:  # the demo accounts' own demands
            if user is None:
                break
            useful = _fits(list(keywords.get(first.target_id) or []), text)
            feedback = matching.record_feedback(
                actor=user, principal=principal_for(user), suggestion=first, useful=useful
            )
            if feedback is not None:
                SuggestionFeedback.objects.filter(pk=feedback.pk).update(at=at)
                counts["feedback"] += 1
    return counts
