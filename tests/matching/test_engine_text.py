"""Normalisation, tokenisation, term learning and metrics (no model needed)."""

from __future__ import annotations

from kechuang.matching.engine.metrics import auc, mrr_at_k, ndcg_at_k, recall_at_k
from kechuang.matching.engine.text import (
    Tokenizer,
    learn_terms,
    normalize,
    normalize_with_offsets,
    split_sentences,
)


def test_normalize_width_case_traditional() -> None:
    assert normalize("ＡＢＣ１２３") == "abc123"
    assert normalize("電腦軟體") == "电脑软体"
    assert normalize("Deep Learning") == "deep learning"
    assert normalize("") == ""


def test_offsets_point_into_original_when_length_changes() -> None:
    src = "㎏級鋰電池"  # NFKC expands ㎏ to "kg"
    norm, offsets = normalize_with_offsets(src)
    assert norm.startswith("kg")
    assert len(offsets) == len(norm)
    assert offsets[0] == 0 and offsets[1] == 0 and offsets[2] == 1


def test_tokens_mixed_language_and_stopwords() -> None:
    tk = Tokenizer()
    toks = tk.tokens("本文研究了基于Lyapunov函数的锂离子电池 Batteries 管理")
    assert "lyapunov" in toks
    assert "battery" in toks  # S-stemmer
    assert "本文" not in toks and "的" not in toks
    assert any("锂离子" in t or "电池" in t for t in toks)


def test_tokens_survive_junk() -> None:
    tk = Tokenizer()
    assert tk.tokens("") == []
    assert tk.tokens("😀😀🎉") == []
    assert tk.tokens("，。！？") == []
    assert tk.tokens("'; DROP TABLE users; --") == ["drop", "table", "user"]
    assert "script" in tk.tokens("<script>alert(1)</script>")


def test_domain_terms_are_kept_whole_and_split() -> None:
    terms = learn_terms(["再生骨料混凝土性能", "再生骨料强度研究", "再生骨料的制备"], min_df=2)
    assert "再生骨料" in terms
    tk = Tokenizer(terms)
    toks = tk.tokens("再生骨料")
    assert "再生骨料" in toks  # compound
    assert "骨料" in toks or "再生" in toks  # and its parts (search mode)


def test_spans_map_to_original_text() -> None:
    tk = Tokenizer()
    text = "鋰離子電池ＡＢＣ"
    for tok, s, e in tk.spans(text):
        assert normalize(text[s:e]).replace(" ", "") == tok or tok in normalize(text[s:e])


def test_split_sentences() -> None:
    spans = split_sentences("第一句。第二句！third; 末尾")
    assert len(spans) == 4


def test_metrics() -> None:
    gains = {"a": 2, "b": 1, "c": 0}
    assert ndcg_at_k(["a", "b"], gains) == 1.0
    assert 0 < ndcg_at_k(["b", "a"], gains) < 1.0
    assert ndcg_at_k(["x"], {"x": 0}) == 0.0
    assert mrr_at_k(["c", "b"], gains) == 0.5
    assert recall_at_k(["a"], gains) == 0.5
    assert auc([0.9, 0.8], [0.1]) == 1.0
    assert auc([0.5], [0.5]) == 0.5


def test_numpy_bm25_build_equals_bm25s() -> None:
    import numpy as np

    from kechuang.matching.engine.lexical import LexicalIndex

    rng = np.random.default_rng(3)
    docs = [rng.integers(0, 60, int(rng.integers(0, 40))).astype(np.int32) for _ in range(300)]
    a = LexicalIndex()
    a.build(docs, 60)
    b = LexicalIndex()
    b._build_numpy(docs, 60)
    for _ in range(20):
        q = rng.integers(0, 60, 5).tolist()
        np.testing.assert_allclose(a.scores(q, 300), b.scores(q, 300), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a.idf, b.idf, rtol=1e-5)
