"""Tell people what happened: an in-app notification and an e-mail (Django's mail framework)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mass_mail
from django.utils import timezone

from kechuang.notifications.models import Notification

log = logging.getLogger(__name__)


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
    messages = [
        (f"【科创平台】{title}", f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, [u.email])
        for u in users.values()
        if u.email
    ]
    if messages:
        try:
            send_mass_mail(messages, fail_silently=False)
        except Exception:  # mail servers on intranets fail often; the in-app notice is the record
            log.exception("notification e-mail failed")
    return len(users)


def mark_read(*, user: User, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
