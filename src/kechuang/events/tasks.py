"""Background jobs for events (django-tasks): meeting suggestions need embeddings, which are slow."""

from __future__ import annotations

from django_tasks import task

from kechuang.events import services
from kechuang.events.models import Event


@task()
def suggest_meetings_task(event_id: int) -> int:
    return services.suggest_meetings(event=Event.objects.get(pk=event_id))
