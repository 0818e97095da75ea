"""Reads of the matching app: stored suggestions, index status, live search, precision figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth

from kechuang.core.access import Principal
from kechuang.matching.audience import audience_of
from kechuang.matching.engine import SearchResult
from kechuang.matching.models import FusionModel, IndexBuild, Suggestion, SuggestionFeedback, SuggestionRun
from kechuang.matching.registry import LABELS, PENDING, URLS, split_doc_id
from kechuang.matching.services import (
    backend_spec,
    cache_dir,
    current_index,
    may_give_feedback,
    source_owners,
)

MAX_QUERY = 2000


@dataclass
class SuggestionPanel:
    run: SuggestionRun | None
    groups: list[tuple[str, str, list[Suggestion]]]  # (kind, label, suggestions)
    status: IndexBuild | None
    # Whether a run is on its way without anybody asking (an open demand after a rebuild); without one the
    # page says how suggestions come about instead of "being computed".
    awaiting: bool = True
    note: str = ""


def latest_run(*, source_kind: str, source_id: int) -> SuggestionRun | None:
    return (
        SuggestionRun.objects.filter(source_kind=source_kind, source_id=source_id)
        .order_by("-computed_at", "-pk")
        .first()
    )


def latest_runs(*, source_kind: str) -> Any:
    """The newest run of every record of one kind (older runs stay for the judged-precision figures)."""
    newest = SuggestionRun.objects.filter(
        source_kind=OuterRef("source_kind"), source_id=OuterRef("source_id")
    ).order_by("-computed_at", "-pk")
    return (
        SuggestionRun.objects.filter(source_kind=source_kind)
        .annotate(newest=Subquery(newest.values("pk")[:1]))
        .filter(pk=F("newest"))
    )


def suggested_by_followed(*, source_kind: str, target_kind: str, max_rank: int) -> list[int]:
    """Records of ``target_kind`` ranked within ``max_rank`` by the newest runs of the ``source_kind``
    records that follow the index (e.g. open demands; closed ones no longer count)."""
    pending = PENDING.get(source_kind)
    if pending is None:
        return []
    followed = list(pending())
    newest = latest_runs(source_kind=source_kind).filter(source_id__in=followed).values("pk")
    return list(
        Suggestion.objects.filter(run__in=newest, target_kind=target_kind, rank__lte=max_rank)
        .order_by("target_id")
        .values_list("target_id", flat=True)
        .distinct()
    )


def suggestion_panel(
    *,
    source_kind: str,
    source_id: int,
    awaiting: bool = True,
    note: str = "",
    principal: Principal | None = None,
    user_id: int | None = None,
) -> SuggestionPanel:
    """The newest suggestions of a record, grouped by kind; with ``principal`` each suggestion also says
    whether that viewer may mark it useful (``can_feedback``) and what they said (``my_feedback``)."""
    run = latest_run(source_kind=source_kind, source_id=source_id)
    groups: dict[str, list[Suggestion]] = {}
    if run is not None:
        owners = (
            source_owners(source_kind=source_kind, source_id=source_id)
            if principal is not None and not principal.is_bureau
            else ()
        )
        mine = (
            dict(
                SuggestionFeedback.objects.filter(suggestion__run=run, user_id=user_id).values_list(
                    "suggestion_id", "useful"
                )
            )
            if user_id
            else {}
        )
        for suggestion in run.suggestions.select_related("verdict_by").order_by("target_kind", "rank"):
            url = URLS[suggestion.target_kind](suggestion.target_id) if suggestion.target_kind in URLS else ""
            suggestion.url = url  # type: ignore[attr-defined]
            suggestion.can_feedback = principal is not None and may_give_feedback(  # type: ignore[attr-defined]
                principal=principal, suggestion=suggestion, owners=owners
            )
            suggestion.my_feedback = mine.get(suggestion.pk)  # type: ignore[attr-defined]
            groups.setdefault(suggestion.target_kind, []).append(suggestion)
    ordered = [(kind, LABELS.get(kind, kind), items) for kind, items in groups.items()]
    return SuggestionPanel(run=run, groups=ordered, status=index_status(), awaiting=awaiting, note=note)


def index_status() -> IndexBuild | None:
    return IndexBuild.objects.order_by("-requested_at", "-pk").first()


@dataclass
class SearchHit:
    kind: str
    label: str
    ref_id: int
    title: str
    url: str
    score: float
    snippet: list[tuple[str, bool]]  # (text, highlighted)
    terms: list[str]


def _snippet(text: str, spans: list[tuple[int, int]], width: int = 160) -> list[tuple[str, bool]]:
    """A window of `text` around the first highlight, split into plain and highlighted pieces."""
    if not text:
        return []
    start = max(0, (spans[0][0] if spans else 0) - 40)
    end = min(len(text), start + width)
    pieces: list[tuple[str, bool]] = []
    cursor = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        if s > cursor:
            pieces.append((text[cursor:s], False))
        pieces.append((text[s:e], True))
        cursor = e
    if cursor < end:
        pieces.append((text[cursor:end], False))
    if start > 0:
        pieces.insert(0, ("…", False))
    if end < len(text):
        pieces.append(("…", False))
    return pieces


def search(
    *, principal: Principal, query: str, kinds: list[str] | None = None, k: int = 20
) -> tuple[SearchResult | None, list[SearchHit]]:
    """Search everything the principal may see; None when no index has been built yet."""
    index = current_index()
    if index is None:
        return None, []
    if kinds and "demand" in kinds:
        kinds = [*kinds, "demand_summary"]  # a summary-only demand is found through its public summary
    filters = {"kind": kinds} if kinds else None
    result = index.search(
        query[:MAX_QUERY], k=k, filters=filters, audience=audience_of(principal), explain=True
    )
    hits = []
    for hit in result.hits:
        kind, ref_id = split_doc_id(hit.id)
        kind = str(hit.metadata.get("link_kind", kind))
        ref_id = int(hit.metadata.get("link_id", ref_id))
        doc = index.get(hit.id) or {}
        spans = [tuple(s) for s in (hit.explanation.doc_spans if hit.explanation else [])]
        hits.append(
            SearchHit(
                kind=kind,
                label=LABELS.get(kind, kind),
                ref_id=ref_id,
                title=hit.title,
                url=URLS[kind](ref_id) if kind in URLS else "",
                score=round(hit.score, 3),
                snippet=_snippet(doc.get("text", ""), spans),  # type: ignore[arg-type]
                terms=hit.explanation.matched_terms[:6] if hit.explanation else [],
            )
        )
    return result, hits


def precision_figures() -> dict[str, Any]:
    """Online precision: of the suggestions staff judged, the share confirmed (overall and per kind)."""
    rows = (
        Suggestion.objects.exclude(verdict="")
        .values("target_kind")
        .annotate(judged=Count("pk"), confirmed=Count("pk", filter=Q(verdict=Suggestion.Verdict.CONFIRMED)))
    )
    per_kind = {
        r["target_kind"]: {
            "label": LABELS.get(r["target_kind"], r["target_kind"]),
            "judged": r["judged"],
            "confirmed": r["confirmed"],
            "precision": r["confirmed"] / r["judged"] if r["judged"] else None,
        }
        for r in rows
    }
    judged = sum(v["judged"] for v in per_kind.values())
    confirmed = sum(v["confirmed"] for v in per_kind.values())
    return {
        "judged": judged,
        "confirmed": confirmed,
        "precision": confirmed / judged if judged else None,
        "per_kind": per_kind,
    }


def precision_over_time() -> list[dict[str, Any]]:
    """Online precision month by month (staff verdicts by the month they were given) and each month's
    model versions, plus the owners' feedback of the same month: is the engine getting better?"""
    staff = (
        Suggestion.objects.exclude(verdict="")
        .exclude(verdict_at=None)
        .annotate(month=TruncMonth("verdict_at"))
        .values("month", "run__model_version")
        .annotate(judged=Count("pk"), confirmed=Count("pk", filter=Q(verdict=Suggestion.Verdict.CONFIRMED)))
    )
    owners = (
        SuggestionFeedback.objects.annotate(month=TruncMonth("at"))
        .values("month")
        .annotate(given=Count("pk"), useful=Count("pk", filter=Q(useful=True)))
    )
    months: dict[Any, dict[str, Any]] = {}

    def row(month: Any) -> dict[str, Any]:
        key = month.date() if hasattr(month, "date") else month
        return months.setdefault(
            key, {"month": key, "judged": 0, "confirmed": 0, "versions": set(), "feedback": 0, "useful": 0}
        )

    for r in staff:
        entry = row(r["month"])
        entry["judged"] += r["judged"]
        entry["confirmed"] += r["confirmed"]
        entry["versions"].add(r["run__model_version"] or "（未记录）")
    for o in owners:
        entry = row(o["month"])
        entry["feedback"] += o["given"]
        entry["useful"] += o["useful"]
    out = []
    for key in sorted(months):
        entry = months[key]
        entry["precision"] = entry["confirmed"] / entry["judged"] if entry["judged"] else None
        entry["useful_share"] = entry["useful"] / entry["feedback"] if entry["feedback"] else None
        entry["versions"] = sorted(entry["versions"])
        out.append(entry)
    return out


def precision_by_model() -> list[dict[str, Any]]:
    """Online precision of each model version that made judged suggestions (newest first)."""
    rows = (
        Suggestion.objects.exclude(verdict="")
        .values("run__model_version")
        .annotate(
            judged=Count("pk"),
            confirmed=Count("pk", filter=Q(verdict=Suggestion.Verdict.CONFIRMED)),
            first=Min("run__computed_at"),
        )
        .order_by("-first")
    )
    return [
        {
            "version": r["run__model_version"] or "（未记录）",
            "judged": r["judged"],
            "confirmed": r["confirmed"],
            "precision": r["confirmed"] / r["judged"] if r["judged"] else None,
            "first": r["first"],
        }
        for r in rows
    ]


def fusion_models(limit: int = 10) -> list[FusionModel]:
    """The latest runs of `kechuang matching learn` (adopted or not), newest first."""
    return list(FusionModel.objects.select_related("created_by")[:limit])


def engine_options() -> dict[str, Any]:
    """The backend and vector cache the platform's own index uses, for callers of ``rank_entities`` and
    ``entity_affinities`` (so their texts share the cache of vectors already computed)."""
    return {"backend": backend_spec(), "cache_dir": cache_dir()}
