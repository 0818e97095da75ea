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
        items.append({"href": href, "label": label, "icon": icon, "active": request.path.startswith(href)})
    return {"principal": principal, "nav_items": items}
