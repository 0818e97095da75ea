"""`kechuang serve`: the production server (gunicorn), never Django's runserver."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "以生产方式启动平台（gunicorn）。Serve the platform with gunicorn."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("KECHUANG_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("KECHUANG_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "kechuang.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            "--timeout",
            "120",
        ]
        self.stdout.write(f"科创平台已启动：http://{options['bind']}/  （Ctrl+C 停止）")
        self.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
