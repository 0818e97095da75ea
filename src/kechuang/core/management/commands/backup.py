"""`kechuang backup PATH`: the database, uploaded files and the matching index, with a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kechuang.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库、上传文件和匹配索引到一个新目录。Back up the platform into a new directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="备份目录（须为新目录或空目录）")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["path"]).resolve()
        try:
            manifest = create_backup(target, progress=lambda step: self.stdout.write(f"备份：{step}"))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"备份完成：{target}（{len(manifest['tables'])} 张表 {rows} 行，{len(manifest['files'])} 个文件）"
        )
