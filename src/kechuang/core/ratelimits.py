"""Rate limits on what is cheap to ask and dear to answer: sign-in attempts and the semantic search.

Counting is django-ratelimit's (`is_ratelimited`, fixed windows in the default cache). The cache is
per server process, so with N gunicorn workers a client can reach at most N times a limit; the limits
are set with that in mind, and behind a shared cache (Redis, Memcached) they are exact.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited


def _ip(group: str, request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _ip_and_account(group: str, request: HttpRequest) -> str:
    return f"{_ip(group, request)}|{request.POST.get('username', '')[:150].lower()}"


def _user_or_ip(group: str, request: HttpRequest) -> str:
    user = request.user
    return f"user:{user.pk}" if user.is_authenticated else f"ip:{_ip(group, request)}"


def login_limited(request: HttpRequest) -> bool:
    """Too many sign-in attempts from one address (password spraying), or for one account from it.

    The axes lockout stops guessing one account's password; this also slows trying many accounts.
    The per-address limit is high because a township's office signs in behind one NAT address.
    """
    return any(
        is_ratelimited(request, group=group, key=key, rate=rate, increment=True)
        for group, key, rate in (
            ("login-ip", _ip, settings.KECHUANG_LOGIN_RATE_PER_ADDRESS),
            ("login-account", _ip_and_account, settings.KECHUANG_LOGIN_RATE_PER_ACCOUNT),
        )
    )


def search_limited(request: HttpRequest) -> bool:
    """Each semantic search embeds the query and ranks the whole index: one user or address at a time."""
    return is_ratelimited(
        request, group="search", key=_user_or_ip, rate=settings.KECHUANG_SEARCH_RATE, increment=True
    )


def too_many_requests(request: HttpRequest, what: str) -> HttpResponse:
    response = render(request, "errors/429.html", {"what": what}, status=429)
    response["Retry-After"] = "60"
    return response
