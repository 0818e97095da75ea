"""Security headers on every page (issue #19): a Content-Security-Policy that allows scripts from this site
only, and templates without inline scripts or inline event handlers (which that policy would block)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "kechuang" / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


def test_pages_carry_the_security_headers(client_for: Any) -> None:
    response = client_for("bureau_staff").get(reverse("dashboard:home"))
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_template_has_an_inline_script_or_handler() -> None:
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
            offenders += [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert not offenders, offenders
