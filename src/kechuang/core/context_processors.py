from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from kechuang.core.access import ANONYMOUS, nav_items


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The side navigation for this role, with the current section marked for screen readers too."""
    principal = getattr(request, "principal", ANONYMOUS)
    items = []
    for url_name, label, icon in nav_items(principal):
        href = reverse(url_name)
        active = request.path.startswith(href)
        items.append({"href": href, "label": label, "icon": icon, "active": active, "name": url_name})
    return {"principal": principal, "nav_items": items}
