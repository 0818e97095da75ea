"""Attach `request.principal` once per request and turn LoginRequired into a redirect."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import SimpleLazyObject

from kechuang.accounts.selectors import principal_for
from kechuang.core.access import LoginRequired


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
