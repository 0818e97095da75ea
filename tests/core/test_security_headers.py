"""Security headers on every page (issue #19): a Content-Security-Policy that allows scripts from this site
only, and templates without inline scripts or inline event handlers (which that policy would block)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
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


def _check_deploy(tmp_path: Any, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KECHUANG_") and k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "-m", "kechuang.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env={**base, "KECHUANG_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path: Any) -> None:
    """docs/operations.md's production settings pass Django's deployment checklist; the defaults
    (plain HTTP on a laptop) do not, so the check is really looking."""
    production = _check_deploy(
        tmp_path, KECHUANG_SECRET_KEY="k" * 20 + secrets.token_urlsafe(40), KECHUANG_SECURE_COOKIES="1"
    )
    assert production.returncode == 0, production.stdout + production.stderr
    laptop = _check_deploy(tmp_path)
    assert laptop.returncode != 0 and "security.W004" in laptop.stdout + laptop.stderr  # no HSTS over HTTP
