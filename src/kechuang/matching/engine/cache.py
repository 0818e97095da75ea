"""On-disk embedding cache keyed by content hash.

Why: e5 on 2 CPU cores embeds ~9 abstracts/s, so a vector must be computed once per
(backend, role, exact text) and reused by every later build, update or evaluation.
Storage is append-only ``.npz`` shards (sha1 digests + float32 rows), written
atomically, so an interrupted build keeps what it already paid for.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ProgressFn = Callable[[int, int], None]


def content_hash(text: str, role: str = "") -> bytes:
    """sha1 over role + text; 20 raw bytes."""
    return hashlib.sha1(f"{role}\x00{text}".encode(), usedforsecurity=False).digest()


_SHARED: dict[tuple[str, str], EmbeddingCache] = {}


class EmbeddingCache:
    """Maps ``content_hash(text, role)`` -> vector for one backend namespace."""

    @classmethod
    def shared(cls, directory: str | Path | None, namespace: str) -> EmbeddingCache:
        """One cache object per (directory, namespace) per process, so repeated
        indexes (entity ranking, evaluations) reuse vectors already in memory."""
        key = (str(Path(directory).resolve()) if directory else "", namespace)
        if key not in _SHARED:
            _SHARED[key] = cls(directory, namespace)
        return _SHARED[key]

    def __init__(self, directory: str | Path | None, namespace: str) -> None:
        self.namespace = re.sub(r"[^A-Za-z0-9_.-]+", "_", namespace) or "default"
        self.dir = Path(directory) / self.namespace if directory else None
        self._rows: dict[bytes, np.ndarray] = {}
        self._pending: dict[bytes, np.ndarray] = {}
        if self.dir and self.dir.is_dir():
            for shard in sorted(self.dir.glob("shard-*.npz")):
                try:
                    with np.load(shard) as data:
                        keys, vecs = data["keys"], data["vecs"]
                except (OSError, ValueError, KeyError):
                    continue  # a corrupt shard only costs re-embedding
                if keys.dtype != np.uint8 or keys.ndim != 2:
                    continue
                for k, v in zip(keys, vecs, strict=False):
                    self._rows[k.tobytes()] = v

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, key: bytes) -> np.ndarray | None:
        """Vector for a hash, if cached."""
        return self._rows.get(key)

    def put(self, key: bytes, vec: np.ndarray) -> None:
        """Remember a vector (flushed to disk by :meth:`flush`)."""
        vec = np.asarray(vec, dtype=np.float32)
        self._rows[key] = vec
        self._pending[key] = vec

    def flush(self) -> None:
        """Write pending vectors as one new shard (atomic rename)."""
        if not self._pending or self.dir is None:
            self._pending.clear()
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        n = len(list(self.dir.glob("shard-*.npz")))
        # raw uint8 rows: numpy "S" strings would drop trailing NUL bytes of a digest
        keys = np.frombuffer(b"".join(self._pending.keys()), dtype=np.uint8).reshape(-1, 20)
        vecs = np.stack(list(self._pending.values())).astype(np.float32)
        final = self.dir / f"shard-{n:06d}-{os.getpid()}.npz"
        tmp = final.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vecs=vecs)
        tmp.replace(final)
        self._pending.clear()

    def embed(
        self,
        texts: Sequence[str],
        role: str,
        fn: Callable[[Sequence[str]], np.ndarray],
        *,
        batch_size: int = 16,
        progress: ProgressFn | None = None,
        flush_every: int = 256,
    ) -> tuple[np.ndarray, int]:
        """Vectors for ``texts``; only uncached ones go through ``fn``.

        Returns ``(matrix, n_newly_embedded)``.  Duplicated texts are embedded once.
        """
        keys = [content_hash(t, role) for t in texts]
        todo: dict[bytes, str] = {}
        for k, t in zip(keys, texts, strict=True):
            if k not in self._rows and k not in todo:
                todo[k] = t
        items = list(todo.items())
        done = 0
        since_flush = 0
        for i in range(0, len(items), batch_size):
            chunk = items[i : i + batch_size]
            vecs = fn([t for _, t in chunk])
            for (k, _), v in zip(chunk, vecs, strict=True):
                self.put(k, v)
            done += len(chunk)
            since_flush += len(chunk)
            if since_flush >= flush_every:
                self.flush()
                since_flush = 0
            if progress:
                progress(done, len(items))
        self.flush()
        if not keys:
            return np.zeros((0, 0), np.float32), 0
        return np.stack([self._rows[k] for k in keys]), len(items)
