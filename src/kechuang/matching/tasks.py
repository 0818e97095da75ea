"""Background jobs (django-tasks, database backend: they survive restarts; `kechuang worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from kechuang.matching import services
from kechuang.matching.models import IndexBuild


@task()
def rebuild_index_task(build_id: int) -> int:
    build = IndexBuild.objects.get(pk=build_id)
    build = services.rebuild_index(build=build)
    # Suggestions follow the index: refresh them for records still waiting for an answer (unless the
    # rebuild changed nothing they depend on).
    services.refresh_suggestions_after_rebuild(build=build)
    return build_id


@task()
def compute_suggestions_task(source_kind: str, source_id: int) -> bool:
    return services.compute_suggestions(source_kind=source_kind, source_id=source_id) is not None
