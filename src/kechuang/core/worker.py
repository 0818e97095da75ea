"""The background worker: django-tasks' database worker that stops promptly and loses no job.

Why: django-tasks' own worker, on SIGTERM, waits for the running job to finish (an index build takes
minutes) and a second signal marks the job failed. Here a SIGTERM or SIGINT interrupts the job at once
(its transactions roll back), puts it back in the queue and exits; on start, jobs left "running" by a
worker of this host that no longer exists (kill -9, power loss) are put back too. Jobs are written to be
re-runnable from the start (index builds skip unchanged texts; suggestion and schedule runs replace their
previous results in one transaction).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from types import FrameType

from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, TaskResultStatus

log = logging.getLogger("kechuang.worker")


class JobInterrupted(BaseException):
    """Raised inside a running job by a stop signal (a BaseException: jobs' `except Exception` lets it by)."""


def this_worker_id() -> str:
    """``host:pid`` — lets a later worker on this host tell that the one holding a job is gone."""
    return f"{socket.gethostname()[:48]}:{os.getpid()}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def requeue(result: DBTaskResult) -> None:
    """Back to the queue as if never started (the list of workers that tried it is kept)."""
    DBTaskResult.objects.filter(pk=result.pk).update(
        status=TaskResultStatus.READY,
        started_at=None,
        finished_at=None,
        exception_class_path="",
        traceback="",
    )


def requeue_orphaned_jobs(*, backend_name: str = "default") -> int:
    """Put back the jobs that a dead worker of this host left running; returns how many."""
    host = socket.gethostname()[:48]
    count = 0
    with transaction.atomic():
        running = DBTaskResult.objects.running().filter(backend_name=backend_name).select_for_update()
        for result in running:
            holder = (result.worker_ids or [""])[-1]
            holder_host, _, pid = holder.rpartition(":")
            if holder_host == host and pid.isdigit() and not _process_alive(int(pid)):
                requeue(result)
                count += 1
    if count:
        log.warning("重新排队 %d 个因后台进程中断而未完成的任务", count)
    return count


class StoppableWorker(Worker):
    """db_worker's loop with an interrupting stop and re-queue (see the module docstring)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._in_job = False

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        self.running = False
        if self._in_job:
            self._in_job = False  # a second signal while unwinding must not raise again
            raise JobInterrupted(signal.strsignal(signum))
        if not self.running_task:  # idle (sleeping between polls): leave now
            sys.exit(0)
        # between a job's end and its bookkeeping: the loop ends after the (short) bookkeeping

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.running_task = True
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            self._in_job = True
            try:
                if task.takes_context:
                    value = task.call(
                        TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                    )
                else:
                    value = task.call(*task_result.args, **task_result.kwargs)
            finally:
                self._in_job = False
            db_task_result.set_successful(value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except JobInterrupted:
            requeue(db_task_result)
            log.warning("任务 %s 被停止信号中断，已重新排队", db_task_result.pk)
        except Exception as exc:  # a failing job is recorded as failed, the worker goes on
            db_task_result.set_failed(exc)
            try:  # a job whose code is gone (after an upgrade) cannot name its backend: record, go on
                sender = type(db_task_result.task.get_backend())
            except (ImportError, SuspiciousOperation):
                log.exception("任务 %s 无法加载", db_task_result.pk)
            else:
                task_finished.send(sender=sender, task_result=db_task_result.task_result)
        finally:
            self.running_task = False
            self._run_tasks += 1
