"""Cross-cutting views: the home page that sends each role to its own world, and error pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kechuang.core.access import Role


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
