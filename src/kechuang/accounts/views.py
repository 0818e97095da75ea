from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kechuang.core.ratelimits import login_limited, too_many_requests


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续多次错误后账号将被暂时锁定。",
        "inactive": "该账号已停用，请联系科技局管理员。",
    }


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if login_limited(request):
            return too_many_requests(request, "登录尝试")
        return super().post(request, *args, **kwargs)


def profile(request: HttpRequest) -> HttpResponse:
    from kechuang.core.access import require

    require(request.principal, "account.view")  # type: ignore[attr-defined]
    return render(request, "accounts/profile.html")
