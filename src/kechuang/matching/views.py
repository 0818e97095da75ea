"""Search over everything the viewer may see; staff verdicts on suggestions; index status."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kechuang.core.access import requires
from kechuang.core.http import actor_of
from kechuang.core.ratelimits import search_limited, too_many_requests
from kechuang.matching import selectors, services
from kechuang.matching.engine import SearchResult
from kechuang.matching.models import Suggestion
from kechuang.matching.registry import LABELS


@requires("matching.search")
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    result: SearchResult | None = None
    hits: list[selectors.SearchHit] = []
    if query and search_limited(request):
        return too_many_requests(request, "检索")
    if query:
        principal = request.principal  # type: ignore[attr-defined]
        result, hits = selectors.search(
            principal=principal, query=query, kinds=[kind] if kind in LABELS else None
        )
    return render(
        request,
        "matching/search.html",
        {
            "q": query,
            "kind": kind,
            "kinds": sorted(LABELS.items()),
            "result": result,
            "hits": hits,
            "index_missing": bool(query) and result is None,
            "too_long": len(query) > selectors.MAX_QUERY,
        },
    )


@require_POST
@requires("matching.judge")
def judge(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(Suggestion, pk=pk)
    verdict = request.POST.get("verdict", "")
    if verdict not in Suggestion.Verdict.values:
        messages.error(request, "未知的判断")
    else:
        services.record_verdict(actor=actor_of(request), suggestion=suggestion, verdict=verdict)
        messages.success(request, "已记录您的判断，将用于评估推荐准确率")
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("matching:status")


FEEDBACK_VALUES = {"useful": True, "not_useful": False, "": None}


@require_POST
@requires("matching.feedback")
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """An enterprise or an expert marks a suggestion useful or not (row rule in the service)."""
    suggestion = get_object_or_404(Suggestion.objects.select_related("run"), pk=pk)
    value = request.POST.get("useful", "")
    if value not in FEEDBACK_VALUES:
        messages.error(request, "未知的评价")
    else:
        try:
            services.record_feedback(
                actor=request.user,  # type: ignore[arg-type]
                principal=request.principal,  # type: ignore[attr-defined]
                suggestion=suggestion,
                useful=FEEDBACK_VALUES[value],
            )
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from exc
        messages.success(request, "谢谢，您的评价将用于改进推荐")
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("home")


@requires("matching.manage")
def status(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.request_rebuild()
        messages.success(request, "已安排重建索引（后台进行，仅处理新增或变化的内容）")
        return redirect("matching:status")
    from kechuang.matching.models import IndexBuild

    index = services.current_index()
    return render(
        request,
        "matching/status.html",
        {
            "builds": IndexBuild.objects.all()[:20],
            "precision": selectors.precision_figures(),
            "over_time": selectors.precision_over_time(),
            "by_model": selectors.precision_by_model(),
            "models": selectors.fusion_models(),
            "active_version": services.index_model_version(index)
            if (index := services.current_index())
            else "",
            "latest": selectors.index_status(),
        },
    )
