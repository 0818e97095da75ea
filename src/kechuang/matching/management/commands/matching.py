"""`kechuang matching reindex [--wait]`: rebuild the matching index (incremental by content hash).

Without --wait the rebuild is queued for the background worker; with --wait it runs here, with progress.

`kechuang matching learn [--corpus C --queries Q --qrels R …] [--folds 5] [--no-adopt] [--json]`: fit the
fusion weights on the platform's verdicts (staff, enterprises, experts), plus a shared judged set when
given, with cross-validation by query; adopt the new weights only when their cross-validated nDCG@10 is
higher than the current weights' on the same queries. Prints what it measured and why it adopted or not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from kechuang.matching import services
from kechuang.matching.models import IndexBuild
from kechuang.matching.registry import LABELS


class Command(BaseCommand):
    help = "匹配引擎维护：reindex 重建索引（增量）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["reindex", "suggest", "learn"])
        parser.add_argument("--wait", action="store_true", help="在当前进程中完成，而不是交给后台任务")
        parser.add_argument("--corpus", default="", help="learn：共享评测集的文档 JSON lines")
        parser.add_argument("--queries", action="append", default=[], help="learn：共享评测查询，可给多次")
        parser.add_argument("--qrels", action="append", default=[], help="learn：共享评测 qrels，可给多次")
        parser.add_argument("--folds", type=int, default=5, help="learn：交叉验证折数（按查询分折）")
        parser.add_argument("--no-adopt", action="store_true", help="learn：只评估，不采用新模型")
        parser.add_argument("--json", action="store_true", help="learn：只输出一个 JSON 对象")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console()
        if options["action"] == "learn":
            self._learn(console, options)
            return
        if options["action"] == "suggest":
            with console.status("正在计算推荐…"):
                counts = services.refresh_pending_suggestions()
            for kind, n in counts.items():
                console.print(f"{LABELS.get(kind, kind)}：已为 {n} 条记录计算推荐")
            return
        if not options["wait"]:
            build = services.request_rebuild()
            console.print(
                f"已加入后台任务（编号 {build.pk}）；"
                "运行 `kechuang worker` 或 `kechuang serve` 的进程会处理它。"
            )
            return
        build = IndexBuild.objects.create()
        with console.status("正在重建索引（首次需计算语义向量，约每秒 10 篇）…"):
            build = services.rebuild_index(build=build)
        console.print(
            f"完成：{build.documents} 篇文档，新增或变化 {build.changed}，删除 {build.removed}，"
            f"方式 {build.mode}。{build.message}"
        )

    def _learn(self, console: Console, options: dict[str, Any]) -> None:
        if len(options["queries"]) != len(options["qrels"]) or (options["queries"] and not options["corpus"]):
            raise CommandError("--queries 与 --qrels 须成对给出，并同时给出 --corpus")
        for path in [options["corpus"], *options["queries"], *options["qrels"]]:
            if path and not Path(path).is_file():
                raise CommandError(f"找不到文件：{path}")
        try:
            with console.status("正在按评判拟合排序权重（交叉验证）…"):
                model = services.learn_fusion(
                    corpus=options["corpus"],
                    queries=options["queries"],
                    qrels=options["qrels"],
                    folds=options["folds"],
                    adopt=not options["no_adopt"],
                )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        report = {**model.report, "model_id": model.pk, "adopted": model.adopted}
        report.pop("per_query", None)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        console.print(
            f"评判：{report['queries']} 条查询（{report['queries_by_source']}），{report['judged_pairs']} 对"
        )
        if report["folds"]:
            console.print(
                f"当前模型 {report['current_version']} nDCG@10 {report['current_ndcg']:.4f}；"
                f"{report['folds']} 折交叉验证 {report['cv_ndcg']:.4f}"
                f"（差 {report['gain']:+.4f}，95% 区间 {report['gain_ci95']}）；"
                f"全部评判上最好的权重 {report['best']} → {report['best_version']}"
            )
        if model.report.get("adopted") and not model.adopted:
            console.print("（--no-adopt：只评估，未采用）")
        console.print(("已采用：" if model.adopted else "未采用：") + report["reason"])
