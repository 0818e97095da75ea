"""`kechuang worker`: run background jobs (index builds, suggestions, schedules, e-mail copies).

See kechuang.core.worker: a stop signal interrupts the running job and puts it back in the queue; jobs a
dead worker left running are put back on start.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand

from kechuang.core.worker import StoppableWorker, requeue_orphaned_jobs, this_worker_id


class Command(BaseCommand):
    help = "运行后台任务（索引构建、智能推荐、日程编排）。Run background jobs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="队列为空时的轮询间隔（秒）")
        parser.add_argument("--batch", action="store_true", help="处理完队列中的任务后退出")

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("kechuang.worker").setLevel(logging.INFO)
        requeue_orphaned_jobs()
        worker = StoppableWorker(
            queue_names=["*"],
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=this_worker_id(),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
