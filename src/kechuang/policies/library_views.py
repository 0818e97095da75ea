"""The policy library for staff: what is in force, its version history, one measure edited, a file imported.

Rules are data: an edit or an import is checked whole by the rule core and saved as the next version, so
the library in force always loads; a refused edit comes back with every problem and the text as typed.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kechuang.core.access import requires
from kechuang.core.http import actor_of, int_param
from kechuang.policies import selectors, services
from kechuang.policies.models import LibraryVersion
from kechuang.policies.rules import LibraryError
from kechuang.policies.rules.library import LEVELS

MAX_LIBRARY_BYTES = 2 * 1024 * 1024


def _problems(exc: LibraryError | ValidationError) -> list[str]:
    return list(exc.messages)


@requires("policy.library")
def library(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        upload, note = request.FILES.get("document"), request.POST.get("note", "")
        if upload is None:
            errors = ["请选择政策库 JSON 文件"]
        elif upload.size is not None and upload.size > MAX_LIBRARY_BYTES:
            errors = ["文件超过 2MB，政策库文件不应这么大，请检查是否选错了文件"]
        else:
            try:
                text = upload.read().decode("utf-8-sig")
                version = services.save_library_version(
                    actor=actor_of(request), document=text, source=LibraryVersion.Source.IMPORT, note=note
                )
            except UnicodeDecodeError:
                errors = ["文件不是 UTF-8 编码的文本，请另存为 UTF-8 后重试"]
            except (LibraryError, ValidationError) as exc:
                errors = _problems(exc)
            else:
                messages.success(request, f"已导入为{version}，变更措施 {len(version.changed_measures)} 项")
                return redirect("policies:library")
    number = int_param(request, "version")
    if request.GET.get("format") == "json":
        document = (
            LibraryVersion.objects.get(number=number).document
            if number and LibraryVersion.objects.filter(number=number).exists()
            else selectors.library_document_in_force()
        )
        response = HttpResponse(document, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="policy-library-v{number or "current"}.json"'
        return response
    in_force, rules = selectors.library_in_force()
    return render(
        request,
        "policies/library.html",
        {
            "in_force": in_force,
            "policies": rules.policies,
            "measures": rules.measures,
            "levels": LEVELS,
            "versions": selectors.library_versions()[:50],
            "errors": errors,
            "note": request.POST.get("note", ""),
        },
    )


@requires("policy.library")
def measure_edit(request: HttpRequest) -> HttpResponse:
    measure_id = request.GET.get("measure", "")
    errors: list[str] = []
    if request.method == "POST":
        text, note = request.POST.get("measure_text", ""), request.POST.get("note", "")
        try:
            version = services.replace_measure(actor=actor_of(request), measure_text=text, note=note)
        except (LibraryError, ValidationError) as exc:
            errors = _problems(exc)
        else:
            messages.success(request, f"已保存为{version}")
            return redirect("policies:library")
    else:
        note = ""
        document = json.loads(selectors.library_document_in_force())
        current: dict[str, Any] | None = next(
            (m for m in document.get("measures", []) if m.get("id") == measure_id), None
        )
        text = json.dumps(current or _blank_measure(document), ensure_ascii=False, indent=2)
    return render(
        request,
        "policies/measure_edit.html",
        {"measure_id": measure_id, "text": text, "note": note, "errors": errors},
    )


def _blank_measure(document: dict[str, Any]) -> dict[str, Any]:
    """A starting point for a new measure: one condition and a fixed award, to be rewritten."""
    policy = next((p["id"] for p in document.get("policies", []) if p.get("demo")), "")
    return {
        "id": "new.measure",
        "policy": policy,
        "kind": "money",
        "title": "新措施（请修改）",
        "cites": "第×条第×款",
        "conditions": [
            {
                "id": "rd_spend",
                "text": "上年度研究开发费用100万元以上",
                "value": "rd_spend",
                "op": "以上",
                "threshold": "100",
                "unit": "万元",
                "cites": "第×条",
            }
        ],
        "amount": {"formula": "10", "unit": "万元", "text": "一次性奖励10万元", "cites": "第×条"},
    }
