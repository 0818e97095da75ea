"""Where domain apps plug their texts into matching (the matching app imports none of them).

- A *provider* yields every document of one kind for the index (achievements, experts, demands …).
- A *source* turns one record into a query (a demand's text, an achievement's text) plus the kinds of
  documents to suggest for it.

Apps register both from AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

PUBLIC = "public"


@dataclass(frozen=True)
class MatchText:
    """One document: `audience` lists the tags of who may see it (see kechuang.matching.audience)."""

    kind: str
    ref_id: int
    title: str
    text: str
    audience: tuple[str, ...] = (PUBLIC,)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        return doc_id(self.kind, self.ref_id)


@dataclass(frozen=True)
class MatchSource:
    """A record to find matches for: its query text and what to look for."""

    kind: str
    ref_id: int
    title: str
    text: str
    targets: tuple[str, ...]  # document kinds to suggest, e.g. ("achievement", "expert")
    # Matches are shown to those who may see the record; restrict hits to what they may all see.
    audience: tuple[str, ...] = (PUBLIC,)
    # Audience tags of the record's owners (e.g. the filing enterprise's org tag): they may mark its
    # suggestions useful or not.
    owners: tuple[str, ...] = ()


Provider = Callable[[], Iterable[MatchText]]
SourceLoader = Callable[[int], MatchSource | None]

PROVIDERS: dict[str, Provider] = {}
SOURCES: dict[str, SourceLoader] = {}
PENDING: dict[str, Callable[[], Iterable[int]]] = {}  # records whose suggestions follow every rebuild
PENDING_ORDER: dict[str, int] = {}  # lower first: a later kind may pick its records from earlier suggestions
URLS: dict[str, Callable[[int], str]] = {}
LABELS: dict[str, str] = {}


def register_provider(kind: str, label: str, provider: Provider, url: Callable[[int], str]) -> None:
    PROVIDERS[kind] = provider
    LABELS[kind] = label
    URLS[kind] = url


def register_source(
    kind: str, loader: SourceLoader, pending: Callable[[], Iterable[int]] | None = None, *, order: int = 0
) -> None:
    """``pending`` lists the records whose suggestions are refreshed after every rebuild; kinds with a
    higher ``order`` are refreshed after those with a lower one."""
    SOURCES[kind] = loader
    if pending is not None:
        PENDING[kind] = pending
        PENDING_ORDER[kind] = order


def pending_in_order() -> list[tuple[str, Callable[[], Iterable[int]]]]:
    return sorted(PENDING.items(), key=lambda item: PENDING_ORDER.get(item[0], 0))


def doc_id(kind: str, ref_id: int) -> str:
    return f"{kind}:{ref_id}"


def split_doc_id(value: str) -> tuple[str, int]:
    kind, _, raw = value.partition(":")
    return kind, int(raw)
