"""The JSON API (django-ninja, OpenAPI at /api/docs). Session auth with CSRF; the same access rules."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from kechuang.achievements.api import router as achievements_router
from kechuang.core.access import LoginRequired
from kechuang.dashboard.api import router as dashboard_router
from kechuang.demands.api import router as demands_router
from kechuang.enclaves.api import router as enclaves_router
from kechuang.incubation.api import router as incubation_router
from kechuang.orgs.api import router as orgs_router
from kechuang.policies.api import router as policies_router
from kechuang.talents.api import router as talents_router

api = NinjaAPI(
    title="科创 Kechuang API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    description="晋江科技创新服务平台接口。登录后使用会话凭据访问；返回内容按角色权限过滤。",
)
api.add_router("/", orgs_router)
api.add_router("/", achievements_router)
api.add_router("/", dashboard_router)
api.add_router("/", demands_router)
api.add_router("/", enclaves_router)
api.add_router("/", incubation_router)
api.add_router("/", policies_router)
api.add_router("/", talents_router)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "无权访问"}, status=403)


@api.exception_handler(LoginRequired)
def _login(request: HttpRequest, exc: LoginRequired) -> HttpResponse:
    return api.create_response(request, {"detail": "请先登录"}, status=401)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "不存在或无权查看"}, status=404)
