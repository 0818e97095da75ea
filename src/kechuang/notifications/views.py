from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kechuang.core.access import requires
from kechuang.core.http import actor_of, paginate
from kechuang.notifications import selectors, services


@requires("account.view")
def notification_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.notifications_for(user_id=request.principal.user_id))  # type: ignore[attr-defined]
    return render(request, "notifications/list.html", {"page": page})


@require_POST
@requires("account.view")
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    assert user is not None
    services.mark_read(user=user, notification_id=pk)
    notification = selectors.notifications_for(user_id=user.pk).filter(pk=pk).first()
    target = notification.url if notification else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
@requires("account.view")
def notification_read_all(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    assert user is not None
    services.mark_read(user=user)
    return redirect("notifications:list")
