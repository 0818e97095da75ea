"""The audit log's one write path, and the middleware and signal handlers that feed it.

Every app records a money decision by calling `record_audit_event` inside the service that makes it, so
the line is written in the same transaction: a decision that rolls back leaves no line, and one that
stands always has one. Who and from where come from the request being served (a context variable set by
`AuditMiddleware`), so services need not pass the request down.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest, HttpResponse

from kechuang.core.models import AuditEvent

_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "kechuang_audit_request", default=None
)

EXPORT_TYPES = ("spreadsheetml", "text/csv", "ms-excel")


def client_ip(request: HttpRequest) -> str | None:
    """The address Django saw (REMOTE_ADDR; behind a proxy, gunicorn's forwarded-allow-ips sets it)."""
    address = request.META.get("REMOTE_ADDR") or ""
    return address or None


def record_audit_event(
    *,
    category: str,
    action: str,
    summary: str,
    actor: User | AnonymousUser | None = None,
    actor_name: str = "",
    target: Any = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one line. `actor` defaults to the signed-in user of the request being served."""
    request = request or _current_request.get()
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=(user.get_username() if user is not None else actor_name)[:150],
        ip=client_ip(request) if request is not None else None,
        category=category,
        action=action[:60],
        summary=summary[:300],
        target_kind=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        path=request.get_full_path()[:300] if request is not None else "",
    )


def record_money_decision(*, actor: User | None, target: Any, action: str, summary: str) -> AuditEvent:
    """A money decision's line; called inside the service's transaction, so it stands or falls with it."""
    return record_audit_event(
        category=AuditEvent.Category.MONEY, action=action, summary=summary, actor=actor, target=target
    )


_FILENAME = re.compile(r"filename\*=UTF-8''([^;]+)|filename=\"?([^\";]+)")


def _attachment_name(disposition: str) -> str:
    match = _FILENAME.search(disposition)
    if not match:
        return ""
    return unquote(match.group(1)) if match.group(1) else match.group(2)


class AuditMiddleware:
    """Makes the request known to `record_audit_event`, and logs every file handed out as an attachment.

    Exports and downloads go through many views (every list's Excel button, evidence and attachment
    downloads); catching them here, on the response, means a new export cannot forget to be logged.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
            disposition = response.get("Content-Disposition", "")
            if response.status_code == 200 and disposition.startswith("attachment"):
                name = _attachment_name(disposition)
                is_export = any(t in response.get("Content-Type", "") for t in EXPORT_TYPES)
                record_audit_event(
                    category=AuditEvent.Category.EXPORT if is_export else AuditEvent.Category.DOWNLOAD,
                    action="export" if is_export else "download",
                    summary=f"{'导出' if is_export else '下载'}“{name or request.path}”",
                    request=request,
                )
            return response
        finally:
            _current_request.reset(token)


def on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    record_audit_event(
        category=AuditEvent.Category.LOGIN, action="login", summary="登录成功", actor=user, request=request
    )


def on_logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    record_audit_event(
        category=AuditEvent.Category.LOGOUT, action="logout", summary="退出登录", actor=user, request=request
    )


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already replaced the password with asterisks; only the username typed is kept.
    username = str(credentials.get("username") or "")[:150]
    record_audit_event(
        category=AuditEvent.Category.LOGIN_FAILED,
        action="login_failed",
        summary=f"登录失败（账号“{username}”）",
        actor_name=username,
        request=request,
    )
