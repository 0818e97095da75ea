from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kechuang.achievements import selectors
from kechuang.core.access import may, require, requires
from kechuang.core.http import export_rows, paginate
from kechuang.matching.selectors import suggestion_panel
from kechuang.matching.services import request_suggestions


@requires("achievement.view")
def achievement_list(request: HttpRequest) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    q = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "")
    rows = selectors.achievement_list(principal=principal, q=q, category=category)
    if request.GET.get("export") == "xlsx":
        require(principal, "directory.export")
        return export_rows(
            "科技成果.xlsx",
            ["成果名称", "学科门类", "学科", "关键词", "所属单位", "来源"],
            (
                [
                    a.title,
                    a.category,
                    a.discipline,
                    "、".join(a.keywords or []),
                    a.institution.organization.name if a.institution else "",
                    a.source,
                ]
                for a in rows.iterator()
            ),
        )
    return render(
        request,
        "achievements/list.html",
        {
            "page": paginate(request, rows),
            "q": q,
            "category": category,
            "categories": selectors.achievement_categories(),
            "can_export": may(principal, "directory.export"),
        },
    )


@requires("achievement.view")
def achievement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    achievement = selectors.achievement_get(principal=principal, pk=pk)
    # Who may need it: demands (incl. private ones) and enterprises, so shown to the bureau only.
    panel = (
        suggestion_panel(
            source_kind="achievement",
            source_id=pk,
            awaiting=False,
            note="尚未计算。点击下方按钮，平台会在后台找出可能需要该成果的企业和需求。",
        )
        if principal.is_bureau
        else None
    )
    return render(
        request,
        "achievements/detail.html",
        {"achievement": achievement, "matching": panel, "can_judge": may(principal, "matching.judge")},
    )


@require_POST
def achievement_suggest(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the background worker to find demands and enterprises that may need this achievement."""
    principal = request.principal  # type: ignore[attr-defined]
    require(principal, "matching.judge")
    selectors.achievement_get(principal=principal, pk=pk)
    request_suggestions(source_kind="achievement", source_id=pk)
    messages.success(request, "已安排计算（后台进行），稍后刷新本页查看")
    return redirect("achievements:detail", pk=pk)
