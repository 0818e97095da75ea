"""Why a document matched a query: shared terms, their spans, and the sentences that carry them.

Why its own module: explanations are read by people, not used in ranking; they only need
the tokenizer and term weights, so they can change without touching the search.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable

from .results import Explanation, Passage
from .text import Tokenizer, split_sentences

__all__ = ["explain_match", "merge_spans"]


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones joined (so highlights do not nest)."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def explain_match(
    tokenizer: Tokenizer,
    query: str,
    doc: str,
    idf_of: Callable[[str], float],
    *,
    coverage: float,
    max_passages: int = 2,
) -> Explanation:
    """Matched terms with spans on both sides, and the sentences that drove it.

    ``doc`` is the document as indexed (title and text), ``idf_of`` weighs a term (0 or
    unknown counts as 1) and ``coverage`` is the document's key-term coverage, passed through.
    """
    q_spans = tokenizer.spans(query)
    d_spans = tokenizer.spans(doc)
    q_terms = {t for t, _, _ in q_spans}
    d_terms = {t for t, _, _ in d_spans}
    matched = q_terms & d_terms
    weights = {t: idf_of(t) or 1.0 for t in matched}
    qs = merge_spans((s, e) for t, s, e in q_spans if t in matched)
    ds = merge_spans((s, e) for t, s, e in d_spans if t in matched)
    sentences = split_sentences(doc)
    starts = [s for s, _ in sentences]
    per_sentence: dict[int, set[str]] = {}
    for t, ts, _ in d_spans:
        if t in matched:
            j = bisect.bisect_right(starts, ts) - 1
            if j >= 0:
                per_sentence.setdefault(j, set()).add(t)
    passages: list[Passage] = []
    for j, terms_here in per_sentence.items():
        s, e = sentences[j]
        score = sum(weights[t] for t in terms_here)
        passages.append(Passage(s, e, doc[s:e], round(score, 3)))
    passages.sort(key=lambda p: (-p.score, p.start))
    return Explanation(
        matched_terms=sorted(matched, key=lambda t: (-weights[t], t)),  # ties by term: same order every run
        query_spans=qs,
        doc_spans=ds,
        passages=passages[:max_passages],
        coverage=coverage,
    )
