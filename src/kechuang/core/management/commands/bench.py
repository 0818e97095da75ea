"""`kechuang bench NAME [--json]`: run benchmarks/NAME.py on a scratch database and print its figures.

The parent process makes a throw-away data dir and database, migrates it, and re-runs itself there, so
a benchmark never touches the real database. `--database-url` benchmarks on PostgreSQL instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

SCRATCH_FLAG = "KECHUANG_BENCH_SCRATCH"


def benchmarks_dir() -> Path:
    configured = os.environ.get("KECHUANG_BENCHMARKS_DIR")
    candidates = [Path(configured)] if configured else []
    candidates += [Path.cwd() / "benchmarks", Path(__file__).resolve().parents[5] / "benchmarks"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise CommandError("找不到 benchmarks 目录（请在项目根目录运行，或设置 KECHUANG_BENCHMARKS_DIR）")


class Command(BaseCommand):
    help = "在临时数据库上运行基准测试并输出结果。Run a benchmark on a scratch database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name")
        parser.add_argument("--json", action="store_true", help="只输出一个 JSON 对象")
        parser.add_argument("--database-url", default="", help="在指定数据库（如 PostgreSQL）上运行")
        parser.add_argument("--keep", action="store_true", help="保留临时目录")

    def handle(self, *args: Any, **options: Any) -> None:
        path = benchmarks_dir() / f"{options['name']}.py"
        if not path.exists():
            names = sorted(p.stem for p in benchmarks_dir().glob("*.py") if not p.stem.startswith("_"))
            raise CommandError(f"没有名为 {options['name']} 的基准测试；可选：{', '.join(names)}")
        if os.environ.get(SCRATCH_FLAG) != "1":
            self._run_in_scratch(options)
            return
        spec = importlib.util.spec_from_file_location(f"benchmarks.{path.stem}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        from django.conf import settings

        result = module.run(Path(settings.DATA_DIR))
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key:>24}: {value}")

    def _run_in_scratch(self, options: dict[str, Any]) -> None:
        scratch = Path(tempfile.mkdtemp(prefix=f"kechuang-bench-{options['name']}-"))
        env = {
            **os.environ,
            SCRATCH_FLAG: "1",
            "KECHUANG_DATA_DIR": str(scratch),
            "KECHUANG_DATABASE_URL": options["database_url"] or f"sqlite:///{scratch / 'bench.sqlite3'}",
            "KECHUANG_BENCHMARKS_DIR": str(benchmarks_dir()),
        }
        base = [sys.executable, "-m", "kechuang.cli"]
        try:
            subprocess.run([*base, "migrate", "-v0"], env=env, check=True)  # noqa: S603 - our own CLI
            argv = [*base, "bench", options["name"], *(["--json"] if options["json"] else [])]
            completed = subprocess.run(argv, env=env, check=False)  # noqa: S603 - our own CLI
            if completed.returncode:
                raise CommandError(f"基准测试失败（退出码 {completed.returncode}）")
        finally:
            if not options["keep"]:
                import shutil

                shutil.rmtree(scratch, ignore_errors=True)
