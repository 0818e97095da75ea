"""The policy library shipped with the platform (official texts plus clearly marked 演示 measures)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kechuang.policies.rules import Library, load_library

SHIPPED_LIBRARY = Path(__file__).resolve().parent / "data" / "library.json"


@cache
def shipped_library() -> Library:
    return load_library(SHIPPED_LIBRARY.read_text(encoding="utf-8"))


def library_from_file(path: str) -> Library:
    return load_library(Path(path).read_text(encoding="utf-8"))
