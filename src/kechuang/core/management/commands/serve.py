"""`kechuang serve`: the production server (gunicorn), never Django's runserver."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "以生产方式启动平台（gunicorn）。Serve the platform with gunicorn."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("KECHUANG_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("KECHUANG_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=4)
        # Longer than a reader's pause between two clicks: with gunicorn's 2 s default the server closed
        # idle connections just as clients reused them, and those requests failed with a reset.
        parser.add_argument("--keep-alive", type=int, default=75)
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run gunicorn and the background worker side by side; stop both when either stops."""
        python = sys.executable
        server = [
            python,
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
            "--keep-alive",
            str(options["keep_alive"]),
            "--config",
            "python:kechuang.gunicorn_conf",
        ]
        # SIGTERM (systemd, docker stop, kill) stops the children like Ctrl+C does: none is left behind.
        signal.signal(signal.SIGTERM, _raise_interrupt)
        children = [subprocess.Popen(server)]  # noqa: S603 - our own server
        if not options["no_worker"]:
            children.append(subprocess.Popen([python, "-m", "kechuang.cli", "worker"]))  # noqa: S603
        self.stdout.write(f"科创平台已启动：http://{options['bind']}/  （Ctrl+C 停止）")
        self.stdout.flush()
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
