"""Result types returned by the engine (plain dataclasses, JSON-friendly)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Explanation", "Hit", "Passage", "SearchResult"]


@dataclass
class Passage:
    """A document sentence that drove the match; spans are in document coordinates."""

    start: int
    end: int
    text: str
    score: float


@dataclass
class Explanation:
    """Why a hit matched: shared terms with highlight spans on both sides."""

    matched_terms: list[str]
    query_spans: list[tuple[int, int]]
    doc_spans: list[tuple[int, int]]
    passages: list[Passage]
    #: Share of the query's key-term weight (IDF) found in the document.
    coverage: float


@dataclass
class Hit:
    """One ranked document."""

    id: str
    rank: int
    score: float
    lexical: float
    dense: float
    kind: str = ""
    title: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    explanation: Explanation | None = None


@dataclass
class SearchResult:
    """A ranked list plus how sure the engine is about it.

    ``mode`` is ``hybrid``, ``lexical``, ``dense`` or ``lexical-fallback`` (the vector
    backend failed; ``message`` says why, in Chinese).  ``confidence`` is in [0, 1];
    ``label`` is 高/中/低; ``nothing_fits`` is True when the best match is too weak to
    be presented as a fit.
    """

    query: str
    hits: list[Hit]
    mode: str
    confidence: float
    label: str
    nothing_fits: bool
    message: str = ""
    took_ms: float = 0.0
    signals: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (for the API layer)."""
        return asdict(self)
