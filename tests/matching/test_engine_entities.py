"""rank_entities (expert finding) and its evaluation command."""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from kechuang.matching.engine import entities as entities_module
from kechuang.matching.engine import entity_affinities, evaluate_entities, format_entity_report, rank_entities
from kechuang.matching.engine.devsets import build_expert_devset
from kechuang.matching.engine.metrics import expertise_loss
from tests.matching.test_engine_index import BrokenBackend, FakeBackend

FILLER = ["水稻育种", "桥梁抗震", "茶叶加工", "港口物流", "古建筑修缮", "中药炮制", "海水淡化", "纺织印染"]


def _crowd(n: int) -> dict[str, list[str]]:
    """Many unrelated experts, so the relevant ones stand far above the rest (large z gaps)."""
    return {
        f"other{i}": [f"{FILLER[i % len(FILLER)]}技术研究第{i}号", f"{FILLER[(i + 3) % len(FILLER)]}工艺"]
        for i in range(n)
    }


def test_order_far_below_the_best_is_kept() -> None:
    """Relative scores far below the best used to round to 0 and fall back to input order."""
    experts = {
        **_crowd(300),
        "faint": ["本项目涉及" + "，".join(FILLER * 4) + "以及检测"],
        "weak": ["焊缝检测" + "，".join(FILLER * 2)],
        "best": ["激光焊接焊缝气孔检测方法"],
    }
    ranked = rank_entities("激光焊接 焊缝 气孔 检测", experts, backend="lexical")
    assert [e for e, _ in ranked[:3]] == ["best", "weak", "faint"]
    scores = dict(ranked)
    assert scores["best"] == 1.0
    assert 0 < scores["faint"] < scores["weak"] < 1
    assert all(score == 0.0 for e, score in ranked if e.startswith("other"))


def test_three_best_texts_count_equally_and_volume_beyond_does_not() -> None:
    one = ["锂电池热失控防护"]
    three = ["锂电池热失控防护", "锂电池热失控预警", "锂电池热失控机理"]
    many = three + ["锂电池热失控测试"] * 5
    ranked = dict(
        rank_entities("锂电池热失控", {"one": one, "three": three, "many": many}, backend="lexical")
    )
    assert ranked["three"] > ranked["one"]
    assert ranked["many"] == pytest.approx(ranked["three"], rel=0.2)


def test_index_is_reused_for_the_same_texts_and_rebuilt_when_they_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(entities_module, "_INDEXES", OrderedDict())  # nothing kept from other tests
    built: list[int] = []
    original = entities_module.MatchIndex.add_many

    def counting_add_many(self, docs, **kwargs):  # type: ignore[no-untyped-def]
        docs = list(docs)
        built.append(len(docs))
        return original(self, docs, **kwargs)

    monkeypatch.setattr(entities_module.MatchIndex, "add_many", counting_add_many)
    experts = {"a": ["风电叶片复合材料"], "b": ["茶叶加工机械"]}
    assert rank_entities("风电叶片", experts, backend="lexical")[0][0] == "a"
    assert rank_entities("茶叶机械", experts, backend="lexical")[0][0] == "b"
    assert len(built) == 1
    changed = {"a": ["茶叶加工机械自动化"], "b": ["风电叶片复合材料"]}
    assert rank_entities("风电叶片", changed, backend="lexical")[0][0] == "b"  # never the stale index
    assert len(built) == 2


def test_bad_input_gives_no_false_evidence() -> None:
    experts = {
        "a": ["锂电池", None, 5, "", "   "],
        "b": None,
        "c": ["😀😀"],
        "d": ["<script>alert(1)</script> 电池"],
    }  # type: ignore[dict-item]
    for query in ["", "😀", "x" * 100_000, "battery", "'; DROP TABLE x; --"]:
        ranked = rank_entities(query, experts, backend="lexical")
        assert sorted(e for e, _ in ranked) == ["a", "b", "c", "d"]
        assert all(score == 0.0 for _, score in ranked), query  # nothing shares a term: nobody fits
    ranked = rank_entities("<b>电池</b>", experts, backend="lexical")
    assert {e for e, score in ranked if score > 0} == {"a", "d"}  # markup is text, 锂电池 contains 电池


def test_an_index_built_while_the_backend_failed_is_not_kept() -> None:
    experts = {"a": ["风电叶片复合材料"], "b": ["茶叶加工机械"]}
    broken = BrokenBackend()
    assert rank_entities("风电叶片", experts, backend=broken)[0][0] == "a"  # answered lexically
    assert not any(index.backend is broken for index in entities_module._INDEXES.values())
    working = FakeBackend()
    rank_entities("风电叶片", experts, backend=working)
    assert any(index.backend is working for index in entities_module._INDEXES.values())


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def _expert_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    entities = _write(
        tmp_path / "e.jsonl",
        [
            {
                "id": "zhang",
                "texts": [
                    "锂离子电池热失控机理研究",
                    {"title": "动力电池防爆", "abstract": "壳体泄压结构设计"},
                ],
            },
            {"id": "li", "texts": ["汽车悬架动力学仿真", "空气弹簧刚度分析"]},
            {"id": "smith", "texts": ["Thermal runaway of lithium-ion batteries"]},
        ],
    )
    queries = _write(
        tmp_path / "q.jsonl",
        [
            {"qid": "q1", "text": "锂电池防爆"},
            {"qid": "q2", "text": "悬架仿真"},
            {"qid": "q3", "text": "量子通信"},
        ],
    )
    qrels = tmp_path / "r.txt"
    qrels.write_text("q1 0 zhang 2\nq1 0 smith 1\nq2 0 li 2\nq3 0 zhang 0\n", encoding="utf-8")
    return entities, queries, qrels


def test_evaluate_entities(tmp_path: Path) -> None:
    entities, queries, qrels = _expert_files(tmp_path)
    res = evaluate_entities(entities, queries, qrels, cache_dir=None, backend="lexical")
    assert res["entities"] == 3 and res["texts"] == 5
    assert res["queries"] == 3 and res["queries_with_relevant"] == 2
    assert res["mrr@10"] == 1.0  # both judged queries put their grade-2 expert first
    assert 0.5 < res["ndcg@10"] <= 1.0
    assert res["expertise_pairs"] == 4 and res["expertise_loss"] == 0.0  # every graded pair in order
    assert "专长序损失" in format_entity_report(res)
    assert "nDCG@10" in format_entity_report(res)


def test_affinities_are_comparable_across_queries_and_never_nan() -> None:
    experts = {"battery": ["锂电池热失控防护", "锂电池防爆壳体"], "tea": ["茶叶杀青机械"], "none": []}
    queries = ["锂电池热失控防爆", "茶叶加工机械", "量子通信", ""]
    a = entity_affinities(queries, experts, backend="lexical")
    assert a.shape == (4, 3) and np.isfinite(a).all()
    assert a[0, 0] > a[0, 1] and a[1, 1] > a[1, 0]
    # the expert without texts has the lowest affinity of every row
    assert all(a[i, 2] == a[i].min() for i in range(4))
    # comparable across queries: battery's own paper scores above the tea query's score for it
    assert a[0, 0] > a[1, 0]
    assert entity_affinities([], experts, backend="lexical").shape == (0, 3)
    assert entity_affinities(queries, {}, backend="lexical").shape == (4, 0)


def test_affinities_on_many_entities_with_duplicate_texts() -> None:
    experts = {
        f"e{i}": ["风电叶片复合材料疲劳"] if i % 2 else [f"{FILLER[i % len(FILLER)]}{i}"]
        for i in range(10_000)
    }
    a = entity_affinities(["风电叶片疲劳"], experts, backend="lexical")
    assert a.shape == (1, 10_000) and np.isfinite(a).all()
    assert a[0, 1] == a[0, 3] > a[0, 0]  # the same text, the same affinity, above the unrelated


def test_expertise_loss_counts_pairs_out_of_order_weighted_by_the_grade_gap() -> None:
    expertise = {("r", "p1"): 2, ("r", "p2"): 0, ("r", "p3"): 1}
    right = {("r", "p1"): 3.0, ("r", "p2"): 1.0, ("r", "p3"): 2.0}
    assert expertise_loss(right, expertise) == 0.0
    wrong = {("r", "p1"): 1.0, ("r", "p2"): 3.0, ("r", "p3"): 2.0}
    assert expertise_loss(wrong, expertise) == 1.0
    tied = {key: 1.0 for key in expertise}
    assert expertise_loss(tied, expertise) == 0.5


def test_expert_devset_is_built_deterministically(tmp_path: Path) -> None:
    papers = [
        {
            "id": f"p{i}",
            "title": f"题目{i}",
            "abstract": f"摘要{i}",
            "discipline": f"学科{i % 4}",
            "category": "工学" if i % 4 < 2 else "理学",
        }
        for i in range(80)
    ]
    corpus = _write(tmp_path / "papers.jsonl", papers)  # type: ignore[arg-type]
    sizes = build_expert_devset(corpus, tmp_path / "a", reviewers=4)
    build_expert_devset(corpus, tmp_path / "b", reviewers=4)
    assert sizes["reviewers"] == 4 and sizes["judgments"] > 0
    for name in ("entities.jsonl", "queries.jsonl", "qrels.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    profile_ids = {
        json.dumps(t, ensure_ascii=False)
        for line in (tmp_path / "a/entities.jsonl").open()
        for t in json.loads(line)["texts"]
    }
    queried = {json.loads(line)["text"] for line in (tmp_path / "a/queries.jsonl").open()}
    assert len(profile_ids) == 4 * 5 + 2 and all("。" in q for q in queried)  # reviewer 3 has a sibling field


@pytest.mark.django_db
def test_eval_experts_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entities, queries, qrels = _expert_files(tmp_path)
    args = ["--entities", str(entities), "--queries", str(queries), "--qrels", str(qrels)]
    call_command("eval", "experts", *args, "--json", "--cache-dir", str(tmp_path / "cache"))
    out = json.loads(capsys.readouterr().out)
    assert {"ndcg@10", "mrr@10", "recall@50", "p50_ms", "p95_ms"} <= out.keys()
    with pytest.raises(CommandError, match="缺少参数：--entities"):
        call_command("eval", "experts", "--queries", str(queries), "--qrels", str(qrels))
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"texts": ["没有 id"]}\n', encoding="utf-8")
    with pytest.raises(CommandError, match="评测文件格式有误"):
        call_command(
            "eval", "experts", "--entities", str(broken), "--queries", str(queries), "--qrels", str(qrels)
        )
