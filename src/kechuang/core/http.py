"""Small response helpers shared by every app's views."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from kechuang.core.access import Principal
from kechuang.core.excel import write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def export_rows(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    return xlsx_response(filename, write_xlsx(headers, rows, title=filename.rsplit(".", 1)[0]))


def paginate(request: HttpRequest, queryset: QuerySet[Any] | list[Any], per_page: int = 30) -> Page:
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def actor_of(request: HttpRequest) -> User | None:
    """The signed-in user to record in history, or None (history then says 系统)."""
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def principal_of(request: HttpRequest) -> Principal:
    """Who is asking (set by PrincipalMiddleware on every request)."""
    return request.principal  # type: ignore[attr-defined,no-any-return]


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors by name, the rest on top."""
    if hasattr(exc, "error_dict"):
        for name, errs in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    return int(value) if value.isdigit() else None


def submit_form(request: HttpRequest, form: forms.Form, write: Callable[[dict[str, Any]], Any]) -> Any | None:
    """On a valid POST, call the service ``write(cleaned_data)`` and return its result; None when the form
    is to be shown again (a GET, invalid input, or the service's ValidationError put on the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return write(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
