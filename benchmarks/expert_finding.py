"""Expert finding on simulated profiles: which aggregation of an expert's texts ranks best?

Run: ``kechuang bench expert_finding --json`` (or ``python -m benchmarks.expert_finding [SCRATCH_DIR]``).

There is no judged expert set here, so experts are simulated from the 2,000 CSL papers:
within each discipline the papers are split into topical groups by spherical k-means on
their e5 vectors (an expert's papers are on neighbouring topics, as a real researcher's
are), groups of about 3, 5 or 10 papers.  Each group becomes an entity, and its texts
are its papers' title + abstract.  Judgments follow the dev qrels, moved from papers to
their experts:
- CSL keyword queries: the expert owning the source paper is grade 2, the other experts
  of the same discipline grade 1 (the CSL grade-1 rule);
- CCF demands: an expert takes the best grade of its papers.
Every variant goes through ``evaluate_entities`` → ``rank_entities`` (the product's
code path) and only the aggregation weights change.  Needs the embeddings of the 2,000
papers: set ``KECHUANG_EMBEDDING_CACHE`` to a warm cache (e.g. ``var/matching/embeddings``
after ``kechuang eval matching``) or wait ≈ 5 min for them to be embedded.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

_SRC = Path(__file__).resolve().parents[1] / "src"
if str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))

from kechuang.matching.engine import MatchIndex, evaluate_entities  # noqa: E402
from kechuang.matching.engine.evaluate import load_qrels, read_jsonl  # noqa: E402

SHARED = Path(os.environ.get("KECHUANG_SHARED_DIR", "/work/shared"))
CORPUS = SHARED / "data/csl/achievements.jsonl"
QUERY_SETS = {
    "csl": (SHARED / "eval/csl-dev-queries.jsonl", SHARED / "eval/csl-dev-qrels.txt"),
    "ccf": (SHARED / "eval/ccf-dev-queries.jsonl", SHARED / "eval/ccf-dev-qrels.txt"),
}
PROFILE_SIZES = (3, 5, 10)
WEIGHTS = {
    "max": (1.0,),
    "top3_decay": (1.0, 0.5, 0.25),
    "top3_sum": (1.0, 1.0, 1.0),
    "sum": (1.0,) * 1000,
}
SEED = 20261127


def _log(msg: str) -> None:
    sys.stderr.write(f"[bench] {msg}\n")
    sys.stderr.flush()


def _paper_vectors(corpus: list[dict[str, Any]], cache: Path) -> tuple[list[str], np.ndarray]:
    """The papers' e5 passage vectors, through the engine's content-hash cache."""
    index = MatchIndex(None, cache_dir=cache, auto_terms=False)
    index.add_many({"id": d["id"], "title": d["title"], "text": d["abstract"]} for d in corpus)
    index.refresh()
    return list(index.ids), index.vectors.get_rows(np.arange(len(index.ids)))


def _group_papers(
    corpus: list[dict[str, Any]], ids: list[str], vecs: np.ndarray, size: int
) -> dict[str, str]:
    """paper id -> expert id: spherical k-means within each discipline (seeded)."""
    rng = np.random.default_rng(SEED + size)
    row = {pid: i for i, pid in enumerate(ids)}
    by_discipline: dict[str, list[str]] = defaultdict(list)
    for d in corpus:
        by_discipline[str(d["discipline"])].append(d["id"])
    owner: dict[str, str] = {}
    for discipline, papers in sorted(by_discipline.items()):
        x = vecs[[row[p] for p in papers]]
        k = max(1, round(len(papers) / size))
        centres = x[rng.choice(len(papers), k, replace=False)].copy()
        assign = np.zeros(len(papers), np.int64)
        for _ in range(15):
            assign = np.argmax(x @ centres.T, axis=1)
            for c in range(k):
                members = x[assign == c]
                if len(members):
                    centre = members.sum(axis=0)
                    centres[c] = centre / np.linalg.norm(centre)
        for paper, c in zip(papers, assign, strict=True):
            owner[paper] = f"{discipline}-{c}"
    return owner


def _write_set(
    scratch: Path, corpus: list[dict[str, Any]], owner: dict[str, str], size: int
) -> tuple[Path, dict[str, Path]]:
    """entities.jsonl plus one qrels file per query set, judgments moved to experts."""
    texts: dict[str, list[str]] = defaultdict(list)
    discipline_of_expert: dict[str, str] = {}
    for d in corpus:
        texts[owner[d["id"]]].append(f"{d['title']}。{d['abstract']}")
        discipline_of_expert[owner[d["id"]]] = str(d["discipline"])
    entities = scratch / f"experts-{size}.jsonl"
    with entities.open("w", encoding="utf-8") as fh:
        for eid, ts in texts.items():
            fh.write(json.dumps({"id": eid, "texts": ts}, ensure_ascii=False) + "\n")
    discipline_of_paper = {d["id"]: str(d["discipline"]) for d in corpus}
    experts_of_discipline: dict[str, list[str]] = defaultdict(list)
    for eid, disc in discipline_of_expert.items():
        experts_of_discipline[disc].append(eid)
    qrels_paths = {}
    for name, (_, qrels_path) in QUERY_SETS.items():
        lines = []
        for qid, judged in load_qrels(qrels_path).items():
            grades: dict[str, int] = {}
            for paper, grade in judged.items():
                if paper not in owner:
                    continue
                if name == "csl" and grade == 1:  # same discipline -> every expert of it
                    for eid in experts_of_discipline[discipline_of_paper[paper]]:
                        grades[eid] = max(grades.get(eid, 0), 1)
                else:
                    grades[owner[paper]] = max(grades.get(owner[paper], 0), grade)
            lines += [f"{qid} 0 {eid} {g}" for eid, g in grades.items()]
        qrels_paths[name] = scratch / f"experts-{size}-{name}-qrels.txt"
        qrels_paths[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return entities, qrels_paths


def run(scratch_dir: Path) -> dict[str, Any]:
    scratch_dir.mkdir(parents=True, exist_ok=True)
    cache = Path(os.environ.get("KECHUANG_EMBEDDING_CACHE") or scratch_dir / "embcache")
    corpus = read_jsonl(CORPUS)
    _log(f"paper vectors ({len(corpus)}; cache {cache})")
    ids, vecs = _paper_vectors(corpus, cache)
    out: dict[str, Any] = {"papers": len(corpus)}
    for size in PROFILE_SIZES:
        owner = _group_papers(corpus, ids, vecs, size)
        entities, qrels = _write_set(scratch_dir, corpus, owner, size)
        row: dict[str, Any] = {"experts": len(set(owner.values()))}
        for name, (queries, _) in QUERY_SETS.items():
            for label, weights in WEIGHTS.items():
                _log(f"size {size} {name} {label}")
                r = evaluate_entities(entities, queries, qrels[name], cache_dir=cache, weights=weights)
                row[f"{name}_{label}"] = {k: r[k] for k in ("ndcg@10", "mrr@10", "recall@50", "p95_ms")}
                row[f"{name}_queries"] = r["queries_with_relevant"]
        out[str(size)] = row
    return out


if __name__ == "__main__":
    result = run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("var/bench-expert-finding"))
    print(json.dumps(result, ensure_ascii=False, indent=1))
