from __future__ import annotations

from django.db.models import QuerySet

from kechuang.notifications.models import Notification


def notifications_for(*, user_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user_id)


def unread_count(*, user_id: int | None) -> int:
    if not user_id:
        return 0
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
