"""Cross-cutting views: the home page that sends each role to its own world, and error pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date

from kechuang.core import selectors
from kechuang.core.access import Role, requires
from kechuang.core.http import export_rows, paginate
from kechuang.core.models import AuditEvent


def home(request: HttpRequest) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    if principal.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.TOWNSHIP_OFFICER):
        return redirect("dashboard:home")
    if principal.role == Role.ENTERPRISE and principal.organization_id:
        from django.urls import reverse

        from kechuang.orgs.models import Enterprise

        enterprise_id = (
            Enterprise.objects.filter(organization_id=principal.organization_id)
            .values_list("pk", flat=True)
            .first()
        )
        if enterprise_id:
            return redirect(reverse("orgs:enterprise_detail", args=[enterprise_id]))
    if principal.role == Role.ENCLAVE_OPERATOR and principal.enclave_id:
        return redirect("orgs:enclave_detail", pk=principal.enclave_id)
    if principal.role == Role.EXPERT and principal.expert_id:
        return redirect("orgs:expert_detail", pk=principal.expert_id)
    if principal.role == Role.INVESTOR:
        return redirect("orgs:investor_list")
    return render(request, "core/public_home.html", _public_figures())


def _public_figures() -> dict[str, Any]:
    from kechuang.achievements.models import Achievement
    from kechuang.orgs.models import Enclave, Expert, Institution

    return {
        "figures": {
            "institutions": Institution.objects.count(),
            "experts": Expert.objects.count(),
            "enclaves": Enclave.objects.count(),
            "achievements": Achievement.objects.filter(is_public=True).count(),
        }
    }


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) and "{" not in str(exception) else "页面不存在"
    return render(request, "errors/404.html", {"message": message}, status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)


AUDIT_HEADERS = ["时间", "类别", "动作", "内容", "操作人", "IP 地址", "对象类型", "对象编号", "请求地址"]


@requires("audit.view")
def audit_log(request: HttpRequest) -> HttpResponse:
    """The bureau admin reads (and exports) who signed in, exported, changed permissions, decided money."""
    category = request.GET.get("category", "")
    filters: dict[str, Any] = {
        "category": category if category in AuditEvent.Category.values else "",
        "who": request.GET.get("who", "").strip()[:150],
        "text": request.GET.get("text", "").strip()[:100],
        "since": _date_param(request, "since"),
        "until": _date_param(request, "until"),
    }
    rows = selectors.audit_events(**filters)
    if request.GET.get("format") == "xlsx":
        body = (
            [
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                e.get_category_display(),
                e.action,
                e.summary,
                e.actor_name or "系统",
                e.ip or "",
                e.target_kind,
                e.target_id,
                e.path,
            ]
            for e in rows[:AUDIT_EXPORT_LIMIT]
        )
        return export_rows("审计日志.xlsx", AUDIT_HEADERS, body)
    bad_dates = [n for n in ("since", "until") if request.GET.get(n, "").strip() and filters[n] is None]
    return render(
        request,
        "core/audit_log.html",
        {
            "page": paginate(request, rows, per_page=50),
            "filters": filters,
            "categories": AuditEvent.Category.choices,
            "filtered": any(filters.values()),
            "bad_dates": bad_dates,
            "export_limit": AUDIT_EXPORT_LIMIT,
        },
    )


AUDIT_EXPORT_LIMIT = 100_000


def _date_param(request: HttpRequest, name: str) -> dt.date | None:
    """A YYYY-MM-DD query parameter, or None when empty or not a date (the page then says so)."""
    try:
        return parse_date(request.GET.get(name, "").strip())
    except ValueError:
        return None
