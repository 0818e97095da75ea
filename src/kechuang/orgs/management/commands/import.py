"""`kechuang import KIND FILE [--dry-run]`: the same import as the web page, from the command line."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table as RichTable

from kechuang.core.excel import TableReadError
from kechuang.orgs import imports
from kechuang.orgs.models import ImportBatch


class Command(BaseCommand):
    help = "从 Excel/CSV 导入企业、高校院所或专家。Import enterprises, institutions or experts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=sorted(imports.SPECS))
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只预检，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console()
        started = time.perf_counter()
        try:
            with console.status("正在读取并校验…"), open(options["file"], "rb") as handle:
                batch = imports.preview_import(
                    actor=None,
                    kind=options["kind"],
                    upload=handle,
                    filename=options["file"].rsplit("/", 1)[-1],
                )
            if batch.status == ImportBatch.Status.PREVIEWED and not options["dry_run"]:
                with console.status("正在写入…"):
                    batch = imports.commit_import(actor=None, batch=batch)
        except (TableReadError, imports.ImportRefused, OSError) as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        console.print(
            f"{batch.get_status_display()}：{batch.total_rows} 行，新增 {batch.created_count}，"
            f"更新 {batch.updated_count}，错误行 {batch.error_count}（{elapsed:.1f} 秒）"
        )
        if batch.errors:
            table = RichTable("行号", "列", "问题")
            for error in batch.errors[:50]:
                table.add_row(str(error["row"]), error["column"], error["message"])
            console.print(table)
            raise CommandError("存在错误，未导入任何数据")
