"""Tell people what happened: an in-app notification now, and an e-mail copy from a background job."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from kechuang.notifications.models import Notification
from kechuang.notifications.tasks import send_notification_emails_task


def notify(*, recipients: Iterable[User], title: str, body: str = "", url: str = "") -> int:
    """Notify each distinct active recipient once; e-mail failures never block the action itself."""
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not users:
        return 0
    Notification.objects.bulk_create(
        [
            Notification(recipient=u, title=title[:200], body=body[:2000], url=url[:300])
            for u in users.values()
        ]
    )
    messages: list[list[Any]] = [
        [f"【科创平台】{title}", f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, [u.email]]
        for u in users.values()
        if u.email and not _undeliverable(u.email)
    ]
    if messages:
        # Queued once the surrounding transaction commits (a rolled-back action sends nothing); robust:
        # a broken queue is logged and never undoes the action, the in-app notice is the record.
        transaction.on_commit(lambda: send_notification_emails_task.enqueue(messages), robust=True)
    return len(users)


def _undeliverable(address: str) -> bool:
    """Addresses under the reserved ``.invalid`` top-level domain (RFC 2606; the demo accounts use it)
    can never be delivered: queueing mail for them only fills the job queue."""
    return address.rstrip(".").lower().endswith(".invalid")


def mark_read(*, user: User, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
