from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kechuang.achievements import selectors
from kechuang.core.access import may, require, requires
from kechuang.core.http import export_rows, paginate


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
    achievement = selectors.achievement_get(principal=request.principal, pk=pk)  # type: ignore[attr-defined]
    return render(request, "achievements/detail.html", {"achievement": achievement})
