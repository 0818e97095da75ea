"""Background jobs of notifications (django-tasks database backend; `kechuang worker` runs them)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import send_mass_mail
from django_tasks import task

log = logging.getLogger(__name__)


@task()
def send_notification_emails_task(messages: list[list[Any]]) -> int:
    """Send the e-mail copies of notifications.

    Why a job: an intranet mail server that is slow or down must not hold up the click
    that caused the notification; the in-app notice is already saved.
    """
    rows = [(str(s), str(b), str(f), [str(a) for a in to]) for s, b, f, to in messages]
    try:
        return send_mass_mail(rows, fail_silently=False)
    except Exception:  # the in-app notice is the record; a failed copy is logged, not retried forever
        log.exception("notification e-mail failed")
        return 0
