"""`kechuang restore PATH [--force]`: check a backup's checksums, restore it, compare the row counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kechuang.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "从备份目录恢复数据库、上传文件和匹配索引。Restore the platform from a backup directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="由 kechuang backup 生成的备份目录")
        parser.add_argument("--force", action="store_true", help="当前数据库已有数据时仍然覆盖")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["path"]).resolve()
        try:
            result = restore_backup(
                source, force=options["force"], progress=lambda step: self.stdout.write(f"恢复：{step}")
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result["differences"]:
            lines = [
                f"{label}: 备份 {want} 行，恢复后 {got} 行"
                for label, (want, got) in result["differences"].items()
            ]
            raise CommandError("恢复后行数与备份清单不一致：\n" + "\n".join(lines))
        self.stdout.write(f"恢复完成：{result['tables']} 张表 {result['rows']} 行，与备份清单一致")
