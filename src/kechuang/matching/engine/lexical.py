"""BM25 over pre-tokenised documents, built with ``bm25s``.

Why: bm25s precomputes per-(doc, term) BM25 weights into a sparse matrix, so a query
costs one pass over its terms' postings.  It is static, so the index rebuilds lazily
(on the first search after a change); removals are handled by the search mask and
need no rebuild.  We score with our own vectorised accumulation over bm25s' CSC
arrays so repeated query terms count (query term frequency matters for long
demands) and unknown terms cost nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import bm25s
import numpy as np

__all__ = ["LexicalIndex", "Vocabulary"]

#: Above this many rows the BM25 matrix is built with numpy instead of bm25s' loops.
BULK_ROWS = 200_000


class Vocabulary:
    """token <-> id, append-only so stored token ids stay valid."""

    def __init__(self, tokens: Sequence[str] = ()) -> None:
        self.ids: dict[str, int] = {}
        for t in tokens:
            self.ids.setdefault(t, len(self.ids))

    def encode(self, tokens: Sequence[str], *, grow: bool = True) -> np.ndarray:
        """Token ids; with ``grow=False`` unknown tokens are dropped."""
        ids = list(map(self.ids.get, tokens))  # C-speed lookup; fix up the misses
        if None in ids:
            for j, t in enumerate(tokens):
                if ids[j] is None:
                    i = self.ids.get(t)
                    if i is None and grow:
                        i = self.ids[t] = len(self.ids)
                    ids[j] = i
            ids = [i for i in ids if i is not None]
        return np.fromiter(ids, dtype=np.int32, count=len(ids))

    def tokens(self) -> list[str]:
        """Tokens ordered by id (for persistence)."""
        out = [""] * len(self.ids)
        for t, i in self.ids.items():
            out[i] = t
        return out


class LexicalIndex:
    """bm25s index over rows; ``docs[row]`` is an int32 token-id array."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._bm25: bm25s.BM25 | None = None
        self._built_rows = 0
        self.idf: np.ndarray = np.zeros(0, np.float32)
        self.avgdl = 1.0

    @property
    def built(self) -> bool:
        """True once an index exists."""
        return self._bm25 is not None

    def build(self, docs: Sequence[np.ndarray], vocab_size: int) -> None:
        """(Re)build from all rows; removed rows should be passed as empty arrays.

        Up to ``BULK_ROWS`` rows bm25s builds the matrix; beyond that bm25s' per-doc
        Python loops take minutes and gigabytes, so the same Lucene-BM25 matrix is
        computed with numpy (tested equal to bm25s) and installed into the bm25s
        retriever.
        """
        if len(docs) > BULK_ROWS:
            self._build_numpy(docs, vocab_size)
            return
        vocab = {i: i for i in range(max(vocab_size, 1))}
        retriever = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        corpus = [d if len(d) else np.zeros(0, np.int32) for d in docs]
        if not corpus:
            self._bm25 = None
            self._built_rows = 0
            return
        retriever.index((list(corpus), vocab), show_progress=False)
        self._bm25 = retriever
        self._built_rows = len(corpus)
        n = len(corpus)
        self.avgdl = float(np.mean([len(d) for d in corpus])) or 1.0
        indptr = retriever.scores["indptr"]
        df = np.diff(indptr).astype(np.float64)
        self.idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)

    def _build_numpy(self, docs: Sequence[np.ndarray], vocab_size: int) -> None:
        n = len(docs)
        v = max(vocab_size, 1)
        lens = np.fromiter((len(d) for d in docs), dtype=np.int64, count=n)
        avgdl = float(lens.mean()) if n else 1.0
        self.avgdl = avgdl or 1.0
        d_parts, t_parts, f_parts = [], [], []
        step = 100_000
        for s in range(0, n, step):
            chunk = [np.asarray(d, dtype=np.int64) for d in docs[s : s + step]]
            flat = np.concatenate(chunk) if chunk else np.zeros(0, np.int64)
            rows = np.repeat(np.arange(s, s + len(chunk), dtype=np.int64), lens[s : s + len(chunk)])
            key, tf = np.unique(rows * v + flat, return_counts=True)
            d_parts.append((key // v).astype(np.int32))
            t_parts.append((key % v).astype(np.int32))
            f_parts.append(tf.astype(np.float32))
        doc = np.concatenate(d_parts)
        term = np.concatenate(t_parts)
        tf = np.concatenate(f_parts)
        del d_parts, t_parts, f_parts
        df = np.bincount(term, minlength=v).astype(np.float64)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = (self.k1 * ((1 - self.b) + self.b * lens / avgdl)).astype(np.float32)
        data = idf[term] * tf / (tf + norm[doc])
        order = np.argsort(term, kind="stable")
        retriever = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        retriever.scores = {
            "data": data[order].astype(np.float32),
            "indices": doc[order].astype(np.int32),
            "indptr": np.concatenate([[0], np.cumsum(df.astype(np.int64))]).astype(np.int64),
            "num_docs": n,
        }
        retriever.vocab_dict = {i: i for i in range(v)}
        self._bm25 = retriever
        self._built_rows = n
        self.idf = idf

    def scores(self, query_ids: Sequence[int] | np.ndarray, n_rows: int) -> np.ndarray:
        """BM25 score of every row (rows added since the build score 0)."""
        out = np.zeros(n_rows, dtype=np.float32)
        if self._bm25 is None or not len(query_ids):
            return out
        sc = self._bm25.scores
        data, indices, indptr = sc["data"], sc["indices"], sc["indptr"]
        n_vocab = len(indptr) - 1
        counts = Counter(int(t) for t in query_ids if 0 <= int(t) < n_vocab)
        if not counts:
            return out
        parts_i = []
        parts_w = []
        for t, c in counts.items():
            a, b = int(indptr[t]), int(indptr[t + 1])
            if b > a:
                parts_i.append(indices[a:b])
                parts_w.append(data[a:b] * c if c != 1 else data[a:b])
        if not parts_i:
            return out
        idx = np.concatenate(parts_i)
        w = np.concatenate(parts_w)
        acc = np.bincount(idx, weights=w, minlength=self._built_rows)
        m = min(n_rows, len(acc))
        out[:m] = acc[:m]
        return out

    def score_docs(
        self, query_ids: Sequence[int] | np.ndarray, docs: Sequence[np.ndarray | None]
    ) -> np.ndarray:
        """BM25 of documents outside the built matrix, with the built IDF/avgdl.

        Used for rows changed since the last build; terms the build never saw get the
        IDF of a term with document frequency 0.
        """
        m = len(docs)
        out = np.zeros(m, dtype=np.float32)
        q = np.asarray(query_ids, dtype=np.int64)
        if not m or not len(q):
            return out
        qu, qc = np.unique(q, return_counts=True)
        arrays = [np.zeros(0, np.int64) if d is None else np.asarray(d, np.int64) for d in docs]
        lens = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=m)
        flat = np.concatenate(arrays)
        owner = np.repeat(np.arange(m), lens)
        sel = np.isin(flat, qu)
        if not sel.any():
            return out
        v = int(max(flat.max(), qu.max())) + 1
        key, tf = np.unique(owner[sel] * v + flat[sel], return_counts=True)
        d, t = key // v, key % v
        n = max(self._built_rows, 1)
        idf = np.full(len(t), np.log(1.0 + (n + 0.5) / 0.5), dtype=np.float64)
        known = t < len(self.idf)
        idf[known] = self.idf[t[known]]
        qtf = qc[np.searchsorted(qu, t)]
        norm = self.k1 * ((1 - self.b) + self.b * lens[d] / self.avgdl)
        contrib = qtf * idf * tf / (tf + norm)
        out[:] = np.bincount(d, weights=contrib, minlength=m)
        return out

    def idf_of(self, token_id: int) -> float:
        """IDF of a token id (0 for unknown)."""
        if 0 <= token_id < len(self.idf):
            return float(self.idf[token_id])
        return 0.0
