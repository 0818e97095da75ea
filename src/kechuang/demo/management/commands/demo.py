"""`kechuang demo [--if-empty] [--reset] [--enterprises N] [--seed S]`: load the Jinjiang demo data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kechuang.demo.embeddings import seed_cache
from kechuang.demo.generator import DEFAULT_ENTERPRISES, DEFAULT_SEED, demo_accounts
from kechuang.demo.loader import STAGES, LoadResult, demo_present, load_demo, registry_empty
from kechuang.demo.verdicts import record_demo_verdicts


class Command(BaseCommand):
    help = "载入晋江演示数据：企业及资质、年度数据、高校院所、专家、投资机构、飞地、科技成果与演示账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="仅当库中还没有任何组织机构和科技成果时载入，否则什么也不做（供 make run 使用）",
        )
        parser.add_argument("--reset", action="store_true", help="先删除已有的演示数据（is_demo）再重新载入")
        parser.add_argument(
            "--enterprises",
            type=int,
            default=DEFAULT_ENTERPRISES,
            help=f"企业数量，默认 {DEFAULT_ENTERPRISES}",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子：同一种子生成同样的数据")
        parser.add_argument("--achievements", type=int, default=None, help="只载入前 N 条科技成果，默认全部")
        parser.add_argument(
            "--verdicts",
            action="store_true",
            help="为已载入的演示需求计算推荐并生成模拟的判断与企业反馈（供 kechuang matching learn 使用）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stream: Any = getattr(self.stdout, "_out", self.stdout)  # rich writes partial lines: skip the wrapper
        console = Console(file=stream, highlight=False)
        if not console.is_terminal:
            console.width = 120  # logs and pipes: room for the accounts table
        if options["verdicts"]:
            self._verdicts(console, options["seed"])
            return
        if options["if_empty"] and options["reset"]:
            raise CommandError("--if-empty 与 --reset 不能同时使用")
        if not 2 <= options["enterprises"] <= 200_000:
            raise CommandError("--enterprises 应在 2 至 200000 之间")
        if options["if_empty"] and not registry_empty():
            console.print("库中已有数据，跳过演示数据载入。")
            if demo_present():
                console.print(self._accounts_table([]))
            return

        with Progress(
            TextColumn("[bold]载入演示数据[/]"),
            BarColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("生成数据", total=len(STAGES))

            def step(label: str) -> None:
                progress.update(task, description=label, completed=STAGES.index(label))

            result = load_demo(
                enterprises=options["enterprises"],
                seed=options["seed"],
                reset=options["reset"],
                achievements_limit=options["achievements"],
                progress=step,
            )
            progress.update(task, completed=len(STAGES))
        if not result.loaded:
            raise CommandError(result.message)
        if seed_cache(Path(settings.DATA_DIR)):
            console.print(
                "已放入演示数据的语义向量（成果、企业、专家、需求等），建立匹配索引时无需重新计算。"
            )
        self._report(console, result)

    def _verdicts(self, console: Console, seed: int) -> None:
        if not demo_present():
            raise CommandError("库中没有演示数据：请先运行 kechuang demo")
        with console.status("正在计算推荐并生成模拟判断…") as status:
            counts = record_demo_verdicts(seed=seed, progress=lambda label: status.update(label))
        console.print(
            f"模拟判断 {counts['verdicts']} 条（确认有用 {counts['confirmed']} 条），"
            f"企业反馈 {counts['feedback']} 条。判断规则见 kechuang/demo/verdicts.py（模拟，非真实评判）。"
        )

    def _report(self, console: Console, result: LoadResult) -> None:
        counts = Table(title=f"{result.message}（用时 {result.seconds:.1f} 秒）", title_justify="left")
        counts.add_column("数据")
        counts.add_column("条数", justify="right")
        for label, number in result.counts.items():
            counts.add_row(label, f"{number:,}")
        console.print(counts)

        console.print(self._accounts_table(result.skipped_accounts))

    @staticmethod
    def _accounts_table(skipped: list[str]) -> Table:
        accounts = Table(
            title="演示账号",
            title_justify="left",
            caption=f"所有演示账号的密码：{settings.KECHUANG_DEMO_PASSWORD}",
            caption_justify="left",
        )
        accounts.add_column("用户名", style="bold")
        accounts.add_column("角色")
        accounts.add_column("可见范围", overflow="fold")
        for username, role, sees in demo_accounts():
            if username in skipped:
                sees = f"（已有同名用户，未创建）{sees}"
            accounts.add_row(username, role, sees)
        return accounts
