"""Text normalisation and tokenisation for Chinese, English and mixed text.

Why: BM25 only works if documents and queries are cut the same way.  We normalise
width/case/traditional characters, cut with rjieba in *search mode* (compounds plus
their dictionary sub-words, so "平方和优化" matches both the compound and "优化"),
teach the cutter domain terms learnt from the corpus (titles, keywords), drop a small
hand-written stop list, and light-stem English plurals.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import rjieba

from .stopwords import STOPWORDS

__all__ = [
    "Tokenizer",
    "learn_terms",
    "normalize",
    "normalize_with_offsets",
    "split_sentences",
]

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_WORDY_RE = re.compile(f"[{_CJK}0-9a-z]")
_CJK_ONLY_RE = re.compile(f"^[{_CJK}]+$")
_SPACE_RE = re.compile(r"\s+")
_SENT_RE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]*")
_ASCII_WORD_RE = re.compile(r"^[a-z]+$")


@functools.lru_cache(maxsize=1)
def _t2s_table() -> tuple[dict[str, str], object | None]:
    """Traditional->simplified single-character table plus the full OpenCC converter."""
    try:
        import opencc
    except ImportError:  # pragma: no cover - dependency is pinned
        return {}, None
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[str, str] = {}
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 2 and len(parts[0]) == 1:
                simp = parts[1].split(" ")[0]
                if len(simp) == 1 and simp != parts[0]:
                    table[parts[0]] = simp
    except OSError:  # pragma: no cover
        return {}, None
    return table, opencc.OpenCC("t2s")


def _to_simplified(text: str) -> str:
    """OpenCC t2s, skipped (fast path) when the text has no traditional character."""
    table, conv = _t2s_table()
    if not table or table.keys().isdisjoint(text):
        return text
    out = conv.convert(text) if conv is not None else text  # type: ignore[attr-defined]
    if len(out) != len(text):  # phrase rule changed the length: keep offsets exact
        out = "".join(table.get(c, c) for c in text)
    return out


@functools.lru_cache(maxsize=65536)
def _norm_char(c: str) -> str:
    return unicodedata.normalize("NFKC", c).lower()


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalised text plus, per output char, the index of its source char.

    Full-width -> half-width (NFKC), lower case, traditional -> simplified.  The
    offsets let highlights computed on the normalised text point into the original.
    """
    fast = unicodedata.normalize("NFKC", text).lower()
    if len(fast) == len(text):
        offsets = list(range(len(text)))
        norm = fast
    else:
        parts: list[str] = []
        offsets = []
        for i, c in enumerate(text):
            n = _norm_char(c)
            parts.append(n)
            offsets.extend([i] * len(n))
        norm = "".join(parts)
    return _to_simplified(norm), offsets


def normalize(text: str) -> str:
    """Normalised form used for matching (see :func:`normalize_with_offsets`)."""
    return _to_simplified(unicodedata.normalize("NFKC", text or "").lower())


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentences/clauses, for passage explanations."""
    spans = []
    for m in _SENT_RE.finditer(text or ""):
        s, e = m.span()
        if text[s:e].strip():
            spans.append((s, e))
    return spans


def _stem(word: str) -> str:
    """Harman's S-stemmer: enough English conflation for plurals, nothing risky."""
    if len(word) <= 3 or not _ASCII_WORD_RE.match(word):
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def _keep(tok: str) -> bool:
    return bool(_WORDY_RE.search(tok)) and tok not in STOPWORDS


_CLEAN: dict[str, str] = {}


def _clean(raw: str) -> str:
    """Index form of a raw cut token ("" = drop); memoised, the vocabulary is small."""
    out = _CLEAN.get(raw)
    if out is None:
        tok = raw.strip()
        out = _stem(tok) if _keep(tok) else ""
        if len(_CLEAN) > 1_000_000:
            _CLEAN.clear()
        _CLEAN[raw] = out
    return out


class Tokenizer:
    """rjieba cutter with its own dictionary of domain terms.

    Each instance owns a ``rjieba.Jieba`` so indexes with different vocabularies do
    not leak terms into each other.
    """

    def __init__(self, terms: Iterable[str] = (), *, search_mode: bool = True) -> None:
        self._jieba = rjieba.Jieba()
        self.search_mode = search_mode
        self.terms: list[str] = []
        self.add_terms(terms)

    def add_terms(self, terms: Iterable[str]) -> None:
        """Teach domain terms (normalised) to the cutter."""
        for t in terms:
            t = _SPACE_RE.sub("", normalize(t))
            if 2 <= len(t) <= 16 and _CJK_RE.search(t) and t not in STOPWORDS and not self._jieba.has_word(t):
                self._jieba.add_word(t, None, None)
                self.terms.append(t)

    def _raw_cut(self, norm: str) -> list[str]:
        if self.search_mode:
            return self._jieba.cut_for_search(norm, hmm=True)
        return self._jieba.cut(norm, hmm=True)

    def tokens(self, text: str) -> list[str]:
        """Index/query tokens: normalised, stop words and punctuation removed."""
        cleaned = (_clean(x) for x in self._raw_cut(normalize(text)))
        return [t for t in cleaned if t]

    def words(self, text: str) -> list[str]:
        """Non-overlapping words (default mode), for key-term coverage."""
        norm = normalize(text)
        return [_stem(t) for t in (x.strip() for x in self._jieba.cut(norm, hmm=True)) if _keep(t)]

    def spans(self, text: str) -> list[tuple[str, int, int]]:
        """(token, start, end) in *original* text coordinates, search mode."""
        norm, offsets = normalize_with_offsets(text)
        out: list[tuple[str, int, int]] = []
        if not norm:
            return out
        mode = "search" if self.search_mode else "default"
        for tok, s, e in self._jieba.tokenize(norm, mode=mode, hmm=True):
            tok = tok.strip()
            if not _keep(tok) or e <= s:
                continue
            os_, oe = offsets[min(s, len(offsets) - 1)], offsets[min(e, len(offsets)) - 1] + 1
            out.append((_stem(tok), os_, oe))
        return out


def learn_terms(
    texts: Iterable[str],
    *,
    keywords: Iterable[str] = (),
    min_df: int = 3,
    max_terms: int = 50000,
) -> list[str]:
    """Domain terms from short, term-dense texts (titles) and explicit keywords.

    Keywords are taken as they are.  From titles we keep adjacent-word compounds
    (2-3 jieba words, 3-8 CJK chars, no stop word) seen in at least ``min_df``
    titles: frequent compounds are the field's terminology ("再生骨料", "锂离子电池").
    """
    base = rjieba.Jieba()
    counts: Counter[str] = Counter()
    for text in texts:
        words = [w for w in base.cut(normalize(text), hmm=True) if w.strip()]
        seen: set[str] = set()
        for n in (2, 3):
            for i in range(len(words) - n + 1):
                grams = words[i : i + n]
                if any(g in STOPWORDS or not _CJK_ONLY_RE.match(g) for g in grams):
                    continue
                cand = "".join(grams)
                if 3 <= len(cand) <= 8:
                    seen.add(cand)
        counts.update(seen)
    out = [normalize(k).strip() for k in keywords if k and k.strip()]
    out += [t for t, c in counts.most_common(max_terms) if c >= min_df]
    return list(dict.fromkeys(out))
