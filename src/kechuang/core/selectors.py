"""Reads of the core app: the audit log, filtered as the bureau admin asks."""

from __future__ import annotations

import datetime as dt
import ipaddress

from django.db.models import Q, QuerySet

from kechuang.core.models import AuditEvent


def audit_events(
    *,
    category: str = "",
    who: str = "",
    text: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    rows = AuditEvent.objects.all()
    if category:
        rows = rows.filter(category=category)
    if who:  # an account name, or an IP address typed whole
        by_ip = Q(ip=who) if _is_ip(who) else Q(pk__in=[])
        rows = rows.filter(Q(actor_name__icontains=who) | by_ip)
    if text:
        rows = rows.filter(summary__icontains=text)
    if since:
        rows = rows.filter(at__date__gte=since)
    if until:
        rows = rows.filter(at__date__lte=until)
    return rows.order_by("-at", "-pk")


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
