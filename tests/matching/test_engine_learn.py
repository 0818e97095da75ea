"""Learning the fusion weights from judgments (engine/learn.py): cross-validation by query, adoption only
when the held-out nDCG@10 beats the current weights."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from kechuang.matching.engine import FusionConfig, MatchIndex
from kechuang.matching.engine.learn import (
    MIN_QUERIES,
    JudgedQuery,
    cross_validate,
    fit_fusion,
    learned_params,
    model_version,
)


class NoiseBackend:
    """Unrelated random unit vectors per text: the dense signal carries no information at all."""

    name = "noise-test"
    dim = 64

    def _vec(self, text: str) -> np.ndarray:
        seed = int(hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()[:8], 16)
        v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return v / np.linalg.norm(v)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vec("q" + t) for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vec("p" + t) for t in texts])


TOPICS = [
    "锂电池",
    "鞋底橡胶",
    "陶瓷釉料",
    "纺织印染",
    "食品保鲜",
    "芯片封装",
    "光伏组件",
    "污水处理",
    "机器视觉",
    "伺服电机",
    "纸尿裤",
    "石墨烯",
    "三维打印",
    "工业机器人",
    "茶叶加工",
    "氢燃料",
    "碳纤维",
    "无人机",
    "生物发酵",
    "智能仓储",
]


def _index(base: FusionConfig) -> tuple[MatchIndex, list[JudgedQuery]]:
    index = MatchIndex(NoiseBackend(), fusion=base)
    docs = []
    for i, topic in enumerate(TOPICS):
        docs.append({"id": f"a{i}", "title": f"{topic}关键技术", "text": f"{topic}的研究与应用，提高质量。"})
        docs.append({"id": f"b{i}", "title": f"通用方法{i}", "text": "提高质量，降低成本，研究与应用。"})
    index.add_many(docs)
    index.refresh()
    queries = [
        JudgedQuery(qid=f"q{i}", text=f"我们需要{topic}方面的技术，提高质量", gains={f"a{i}": 2})
        for i, topic in enumerate(TOPICS)
    ]
    return index, queries


def test_a_better_grid_point_is_adopted_by_cross_validation() -> None:
    """With a dense signal of pure noise, weights that ignore BM25 rank at random; weights that lean on
    BM25 find the one document naming the topic. The fit must see that on held-out folds."""
    base = FusionConfig(w_lexical=0.0, w_neighbour=0.0, w_expand=0.0)
    index, queries = _index(base)
    report = fit_fusion(index, queries, folds=5)
    assert report.queries == len(TOPICS) and report.folds == 5
    assert report.cv_ndcg > report.current_ndcg + 0.2
    assert report.adopted and "采用新模型" in report.reason
    assert report.best["w_lexical"] > base.w_lexical and report.best_ndcg_all > 0.9
    assert report.best_version == model_version(report.best) != report.current_version
    assert index.fusion == base  # the index's own weights are left as they were
    lo, hi = report.gain_ci95
    assert lo > 0 and lo <= report.gain <= hi


def test_the_current_weights_stay_when_nothing_is_better() -> None:
    """A lexical-only index ranks the same under every weight: the current model keeps a draw."""
    index = MatchIndex("lexical")
    index.add_many([{"id": f"d{i}", "title": t, "text": f"{t}的研究与应用"} for i, t in enumerate(TOPICS)])
    index.refresh()
    queries = [JudgedQuery(qid=f"q{i}", text=f"{t}需求", gains={f"d{i}": 1}) for i, t in enumerate(TOPICS)]
    report = fit_fusion(index, queries)
    assert not report.adopted
    assert report.best == learned_params(index.fusion) and report.cv_ndcg == report.current_ndcg
    assert "无需更换" in report.reason


def test_too_few_judged_queries_fit_nothing() -> None:
    index, queries = _index(FusionConfig())
    report = fit_fusion(index, [*queries[: MIN_QUERIES - 1], JudgedQuery("none", "鞋底", {"a1": 0})])
    assert not report.adopted and report.queries == MIN_QUERIES - 1 and report.folds == 0
    assert "至少需要" in report.reason


def test_cross_validation_keeps_row_zero_on_ties_and_never_scores_a_query_with_its_own_choice() -> None:
    scores = np.array([[0.5] * 10, [0.5] * 10])
    held, choices = cross_validate(scores, folds=5)
    assert choices == [0] * 5 and held.tolist() == [0.5] * 10
    # row 1 wins every query but one: the fold holding that query still picks row 1 on the others
    scores = np.array([[0.2] * 10, [0.9] * 9 + [0.0]])
    held, choices = cross_validate(scores, folds=10)
    assert choices == [1] * 10 and held[9] == 0.0 and held[:9].tolist() == [0.9] * 9
    # a row that is best only on its own query is not chosen for that query's fold
    scores = np.array([[0.5] * 10, [0.0] * 9 + [1.0]])
    held, choices = cross_validate(scores, folds=10)
    assert held.tolist() == [0.5] * 10
