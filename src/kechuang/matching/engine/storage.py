"""The on-disk format of a saved index, and the atomic replace that always leaves one on disk.

A saved index is a directory: ``meta.json`` (format, model, terms, store, means),
``docs.jsonl`` (one record per live document), ``vectors.npy`` (rows in docs order; empty
when the vectors live in an external store), ``token_lens.npy``/``token_ids.npy`` (tokens, so
a restart does not re-tokenise; length -1 for a row never tokenised) and ``vocab.json``.
Why apart from the index: what is stored, and how it is replaced safely, is one contract
that old saves must keep meeting; the index decides what to put in and how to use it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "FORMAT_VERSION",
    "SavedIndex",
    "read_meta",
    "read_saved",
    "recover_interrupted_save",
    "write_index",
]

FORMAT_VERSION = 1


@dataclass
class SavedIndex:
    """What a save directory holds besides ``meta.json`` (see :func:`read_saved`)."""

    records: list[dict[str, Any]]
    vectors: np.ndarray
    #: the vocabulary, or None for a save without tokens (then every row is None below)
    vocab: list[str] | None = None
    tokens: list[np.ndarray | None] = field(default_factory=list)


def write_index(
    directory: str | Path,
    *,
    records: Iterable[Mapping[str, Any]],
    vectors: np.ndarray,
    tokens: Sequence[np.ndarray | None],
    vocab: list[str],
    meta: Mapping[str, Any],
) -> None:
    """Write a save to ``directory``, replacing what was there without a moment of no index.

    ``records`` are the documents (in the order of ``vectors`` and ``tokens``); ``meta`` is
    written after the format version.
    """
    directory = Path(directory)
    tmp = directory.with_name(directory.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    with (tmp / "docs.jsonl").open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
    np.save(tmp / "vectors.npy", vectors)
    lens = np.array([-1 if t is None else len(t) for t in tokens], dtype=np.int64)
    flat = [t for t in tokens if t is not None]
    np.save(tmp / "token_lens.npy", lens)
    np.save(tmp / "token_ids.npy", np.concatenate(flat) if flat else np.zeros(0, np.int32))
    (tmp / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    full_meta = {"format": FORMAT_VERSION, **meta}
    (tmp / "meta.json").write_text(json.dumps(full_meta, ensure_ascii=False), encoding="utf-8")
    # Two renames, never a moment without a complete index on disk: a crash between them leaves the
    # previous one under ``.old``, which load() takes back.
    previous = directory.with_name(directory.name + ".old")
    if previous.exists():
        shutil.rmtree(previous)
    if directory.exists():
        directory.rename(previous)
    tmp.rename(directory)
    shutil.rmtree(previous, ignore_errors=True)


def recover_interrupted_save(directory: str | Path) -> bool:
    """Take back the previous index when a save was cut between its two renames (see write_index())."""
    directory = Path(directory)
    previous = directory.with_name(directory.name + ".old")
    if directory.exists() or not (previous / "meta.json").exists():
        return False
    previous.rename(directory)
    return True


def read_meta(directory: str | Path) -> dict[str, Any]:
    """``meta.json`` of a save, refused when it is of a format this code does not read."""
    meta: dict[str, Any] = json.loads((Path(directory) / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT_VERSION:
        raise ValueError(f"不支持的索引格式：{meta.get('format')}")
    return meta


def read_saved(directory: str | Path) -> SavedIndex:
    """Documents, vectors and tokens of a save (``tokens[r]``: row r's token ids or None)."""
    directory = Path(directory)
    vecs = np.load(directory / "vectors.npy")
    recs = []
    with (directory / "docs.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            recs.append(json.loads(line))
    n = len(recs)
    tokens: list[np.ndarray | None] = [None] * n
    vocab: list[str] | None = None
    if (directory / "vocab.json").exists():
        vocab = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
        lens = np.load(directory / "token_lens.npy")
        flat = np.load(directory / "token_ids.npy")
        pos = 0
        for r, ln in enumerate(lens[:n]):
            if ln >= 0:
                tokens[r] = flat[pos : pos + ln].astype(np.int32)
                pos += int(ln)
    return SavedIndex(records=recs, vectors=vecs, vocab=vocab, tokens=tokens)
