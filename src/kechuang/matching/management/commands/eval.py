"""`kechuang eval matching --corpus C.jsonl --queries Q.jsonl --qrels R.txt [--json]`.

Runs the product's own engine (same code path) over a corpus and judged queries, and prints nDCG@10,
MRR@10, Recall@50, latency p50/p95 and, where some queries have nothing relevant, confidence AUC, for
lexical, dense and hybrid, each with a bootstrap 95 % interval over queries (`ci95`), and hybrid's
paired gap to each single method. `--queries/--qrels` may be given several times: the pairs are pooled
into one set. Embeddings are cached by content hash, so a second run does not embed again.

`kechuang eval experts --entities E.jsonl --queries Q.jsonl --qrels R.txt [--json]` does the same for
expert (or institution) finding through `rank_entities`: entities are JSON lines `{"id", "texts": [...]}`
and the qrels name entity ids. It also reports the reviewer gold standard's loss of `entity_affinities`
over every graded (entity, query) pair. `kechuang eval experts-devset --corpus papers.jsonl --out DIR`
writes a small expert dev set of that shape built from public papers (see engine/devsets.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from kechuang.matching.engine import evaluate, evaluate_entities, format_entity_report, format_report
from kechuang.matching.engine.devsets import build_expert_devset


class Command(BaseCommand):
    help = "评测匹配引擎（与产品相同的代码路径）。Evaluate the matching engine."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["matching", "experts", "experts-devset"])
        parser.add_argument("--out", default="", help="experts-devset：写出评测集的目录")
        parser.add_argument("--seed", type=int, default=7, help="experts-devset：随机种子")
        parser.add_argument("--corpus", default="", help="matching：文档 JSON lines（id, title, abstract）")
        parser.add_argument("--entities", default="", help="experts：实体 JSON lines（id, texts）")
        parser.add_argument(
            "--queries", action="append", default=[], help="查询 JSON lines；可给多次，与 --qrels 成对"
        )
        parser.add_argument("--qrels", action="append", default=[], help="TREC qrels；可给多次")
        parser.add_argument("--json", action="store_true", help="只输出一个 JSON 对象")
        parser.add_argument(
            "--cache-dir", default="", help="向量缓存目录（默认：数据目录/matching/embeddings）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "experts-devset":
            self._build_devset(options)
            return
        first = "corpus" if options["what"] == "matching" else "entities"
        for name in (first, "queries", "qrels"):
            if not options[name]:
                raise CommandError(f"缺少参数：--{name}")
            for path in [options[name]] if isinstance(options[name], str) else options[name]:
                if not Path(path).is_file():
                    raise CommandError(f"找不到文件：{path}")
        if len(options["queries"]) != len(options["qrels"]):
            raise CommandError("--queries 与 --qrels 须成对给出，次数相同")
        cache = options["cache_dir"] or str(Path(settings.DATA_DIR) / "matching" / "embeddings")
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=None,
            transient=True,
            disable=options["json"],
            redirect_stdout=False,
        ) as bar:
            tasks: dict[str, Any] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            run = evaluate if options["what"] == "matching" else evaluate_entities
            try:
                result = run(
                    options[first],
                    options["queries"],
                    options["qrels"],
                    cache_dir=cache,
                    progress=progress,
                    backend=settings.KECHUANG_MATCHING_BACKEND,
                )
            except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
                raise CommandError(f"评测文件格式有误：{exc}") from exc
        if options["json"]:
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        elif options["what"] == "matching":
            self.stdout.write(format_report(result))
        else:
            self.stdout.write(format_entity_report(result))

    def _build_devset(self, options: dict[str, Any]) -> None:
        if not options["corpus"] or not Path(options["corpus"]).is_file():
            raise CommandError("experts-devset 需要 --corpus（论文 JSON lines，含 discipline 与 category）")
        if not options["out"]:
            raise CommandError("experts-devset 需要 --out 目录")
        try:
            sizes = build_expert_devset(options["corpus"], options["out"], seed=options["seed"])
        except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
            raise CommandError(f"论文文件格式有误：{exc}") from exc
        if options["json"]:
            sys.stdout.write(json.dumps(sizes, ensure_ascii=False) + "\n")
        else:
            self.stdout.write(
                f"已写出 {options['out']}：评审人 {sizes['reviewers']} 位，论文 {sizes['queries']} 篇，"
                f"评分 {sizes['judgments']} 条（种子 {sizes['seed']}）"
            )
