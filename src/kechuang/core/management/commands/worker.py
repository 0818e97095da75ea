"""`kechuang worker`: run background jobs (index builds, suggestions). Wraps django-tasks' db_worker."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "运行后台任务（索引构建、智能推荐）。Run background jobs."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("db_worker")
