"""`kechuang matching reindex [--wait]`: rebuild the matching index (incremental by content hash).

Without --wait the rebuild is queued for the background worker; with --wait it runs here, with progress.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console

from kechuang.matching import services
from kechuang.matching.models import IndexBuild
from kechuang.matching.registry import LABELS


class Command(BaseCommand):
    help = "匹配引擎维护：reindex 重建索引（增量）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["reindex", "suggest"])
        parser.add_argument("--wait", action="store_true", help="在当前进程中完成，而不是交给后台任务")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console()
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
