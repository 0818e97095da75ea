"""Per-request plumbing for accounts: the idle timeout, `request.principal`, LoginRequired as a redirect."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import SimpleLazyObject

from kechuang.accounts.selectors import principal_for
from kechuang.core.access import LoginRequired

LAST_SEEN_KEY = "kechuang_last_seen"
LAST_SEEN_RESOLUTION = 60  # seconds: the session is rewritten at most once a minute, not on every request


class IdleTimeoutMiddleware:
    """Ends a signed-in session after KECHUANG_IDLE_TIMEOUT_MINUTES without a request (0 turns it off).

    The 8-hour cookie age bounds a working day; this bounds a desk left unattended. Django has no idle
    timeout of its own, and the one small package for it is unmaintained, so these few lines do it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.KECHUANG_IDLE_TIMEOUT_MINUTES * 60
        if limit and request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if isinstance(last_seen, int) and now - last_seen > limit:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "长时间未操作，已自动退出，请重新登录"}, status=401)
                messages.info(request, f"超过 {limit // 60} 分钟未操作，已自动退出，请重新登录。")
                return redirect_to_login(request.get_full_path())
            if not isinstance(last_seen, int) or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def stamp_sign_in(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """Start the idle clock at sign-in, so the first page after it need not write the session."""
    session = getattr(request, "session", None)
    if session is not None:
        session[LAST_SEEN_KEY] = int(time.time())


class PrincipalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.principal = SimpleLazyObject(lambda: principal_for(request.user))  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, LoginRequired):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "请先登录"}, status=401)
            return redirect_to_login(request.get_full_path())
        return None
