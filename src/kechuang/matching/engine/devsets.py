"""A small expert-finding dev set built from public papers, in the reviewer gold standard's shape.

Why: the held-out reviewer gold standard (Stelmakh et al. 2023) must stay unseen, so tuning needs a set
of our own. Built from the CSL papers (``data/csl``, Apache-2.0): each synthetic reviewer's profile is
five papers of one discipline (every third reviewer also two of a sibling discipline: broader
expertise); each reviewer then "evaluates" twelve other papers, graded by the papers' own labels —
2 = a discipline of the profile, 1 = the same category (e.g. 工学), 0 = another category. The grades
come from metadata, not from people: the set tells whether affinities order a reviewer's papers by
field, and says nothing finer than that. Deterministic for a seed.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from .evaluate import read_jsonl

__all__ = ["build_expert_devset"]

PROFILE_PAPERS = 5
SIBLING_PAPERS = 2
PER_GRADE = 4


def build_expert_devset(
    corpus_path: str | Path, out_dir: str | Path, *, reviewers: int = 30, seed: int = 7
) -> dict[str, Any]:
    """Write ``entities.jsonl``, ``queries.jsonl`` and ``qrels.txt`` (``qid 0 reviewer grade``) to
    ``out_dir`` and return their sizes."""
    rng = random.Random(seed)
    papers = [p for p in read_jsonl(corpus_path) if p.get("discipline") and p.get("category")]
    by_discipline: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in papers:
        by_discipline[str(p["discipline"])].append(p)
    # disciplines large enough for a profile and four judged papers, biggest first (ties by name)
    usable = sorted(
        (d for d, ps in by_discipline.items() if len(ps) >= PROFILE_PAPERS + PER_GRADE + SIBLING_PAPERS),
        key=lambda d: (-len(by_discipline[d]), d),
    )[:reviewers]
    category_of = {d: str(by_discipline[d][0]["category"]) for d in by_discipline}
    used: set[str] = set()
    profiles: list[tuple[str, list[dict[str, Any]], set[str]]] = []
    for i, discipline in enumerate(usable):
        pool = [p for p in by_discipline[discipline] if p["id"] not in used]
        texts = rng.sample(pool, PROFILE_PAPERS)
        fields = {discipline}
        siblings = [d for d in usable if d != discipline and category_of[d] == category_of[discipline]]
        if i % 3 == 2 and siblings:
            sibling = rng.choice(siblings)
            spare = [p for p in by_discipline[sibling] if p["id"] not in used]
            texts += rng.sample(spare, min(SIBLING_PAPERS, len(spare)))
            fields.add(sibling)
        used.update(p["id"] for p in texts)
        profiles.append((f"reviewer-{i + 1:02d}", texts, fields))
    free = [p for p in papers if p["id"] not in used]
    judged: dict[str, dict[str, int]] = defaultdict(dict)
    for reviewer, _, fields in profiles:
        categories = {category_of[d] for d in fields}
        groups = {
            2: [p for p in free if p["discipline"] in fields],
            1: [p for p in free if p["discipline"] not in fields and p["category"] in categories],
            0: [p for p in free if p["category"] not in categories],
        }
        for grade, group in groups.items():
            for p in rng.sample(group, min(PER_GRADE, len(group))):
                judged[str(p["id"])][reviewer] = grade
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "entities.jsonl").open("w", encoding="utf-8") as fh:
        for reviewer, texts, _ in profiles:
            record = {
                "id": reviewer,
                "texts": [{"title": p["title"], "abstract": p["abstract"]} for p in texts],
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    query_papers = [p for p in free if str(p["id"]) in judged]
    with (out / "queries.jsonl").open("w", encoding="utf-8") as fh:
        for p in query_papers:
            text = f"{p['title']}。{p['abstract']}"
            fh.write(json.dumps({"qid": str(p["id"]), "text": text}, ensure_ascii=False) + "\n")
    with (out / "qrels.txt").open("w", encoding="utf-8") as fh:
        for qid in sorted(judged):
            for reviewer, grade in sorted(judged[qid].items()):
                fh.write(f"{qid} 0 {reviewer} {grade}\n")
    return {
        "reviewers": len(profiles),
        "queries": len(query_papers),
        "judgments": sum(len(v) for v in judged.values()),
        "seed": seed,
    }
