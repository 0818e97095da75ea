"""Template filters for Chinese display conventions (loaded as a builtin in every template)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from kechuang.core import formatting

register = template.Library()


@register.filter
def wan(value: Any) -> str:
    return formatting.format_wan(value)


@register.filter
def yuan(value: Any) -> str:
    return formatting.format_yuan(value)


@register.filter
def yuan_as_wan(value: Any) -> str:
    """A yuan amount (the ledger's unit) shown in 万元/亿元 on figure cards."""
    if value is None or value == "":
        return "—"
    return formatting.format_wan(Decimal(str(value)) / 10000)


@register.filter
def cndate(value: Any) -> str:
    return formatting.format_date_cn(value)


@register.filter
def phone(value: Any) -> str:
    return formatting.format_phone(value)


@register.filter
def creditcode(value: Any) -> str:
    return formatting.format_credit_code(value)


@register.filter
def pct(value: Any) -> str:
    return formatting.format_percent(value)


@register.filter
def share_of(part: Any, whole: Any) -> str:
    """`rd|share_of:revenue` → 3.4%; a dash when either side is missing or zero."""
    if part in (None, "") or not whole:
        return "—"
    return formatting.format_percent(float(part) / float(whole))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def dash(value: Any) -> Any:
    return "—" if value in (None, "") else value


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **kwargs: Any) -> str:
    """Keep the current filters while changing one parameter (pagination, sorting)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def has_field_errors(form: Any) -> bool:
    """True when a field (not only the form as a whole) has an error, so the page can say which to fix."""
    return any(name != "__all__" for name in getattr(form, "errors", {}))
