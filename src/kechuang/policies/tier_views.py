"""梯度培育: the ladder's pipeline and, per step, the firms closest to the next tier with what they lack.

A township officer sees his township only (the enterprise scope); bureau staff may filter by township and
turn a list into a demand campaign with a visit plan (走访计划).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kechuang.core.access import may, requires
from kechuang.core.excel import write_xlsx_sheets
from kechuang.core.http import actor_of, int_param, principal_of, xlsx_response
from kechuang.orgs.models import Township
from kechuang.policies import selectors, services

LIST_LIMIT = 200


@requires("policy.tiers")
def tiers(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    township_id = principal.township_id or int_param(request, "township")
    data = selectors.tier_data(principal, township_id=township_id)
    library = data.library
    steps = {s.id: s for s in library.tiers}
    step_id = (
        request.GET.get("step") or request.POST.get("step") or (library.tiers[1].id if len(steps) > 1 else "")
    )
    if step_id not in steps:
        step_id = next(iter(steps), "")
    can_plan = may(principal, "campaign.manage")
    if request.method == "POST" and not can_plan:
        raise PermissionDenied("只有科技局工作人员可以生成走访计划")
    rows = selectors.tier_list(data, step_id=step_id, limit=LIST_LIMIT) if step_id else []
    errors: list[str] = []
    if request.method == "POST" and can_plan and step_id:
        chosen = set(request.POST.getlist("enterprise"))
        picked = [
            (r["enterprise"], _reason(steps[step_id].label, r))
            for r in rows
            if str(r["enterprise"].pk) in chosen
        ]
        try:
            campaign = services.plan_tier_visits(
                actor=actor_of(request),
                step_label=steps[step_id].label,
                rows=picked,
                title=request.POST.get("title", ""),
                deadline=dt.date.fromisoformat(request.POST.get("deadline") or "1900-01-01"),
            )
        except ValidationError as exc:
            errors = exc.messages
        except ValueError:
            errors = ["截止日期格式无效"]
        else:
            messages.success(request, f"已生成走访计划：{len(picked)} 家企业")
            return redirect("demands:campaign_detail", campaign.pk)
    if request.GET.get("format") == "xlsx" and step_id:
        return _export(steps[step_id].label, rows)
    outside, pipeline = selectors.tier_overview(data)
    return render(
        request,
        "policies/tiers.html",
        {
            "pipeline": pipeline,
            "outside": outside,
            "total": len(data.enterprises),
            "step": steps.get(step_id),
            "rows": rows,
            "limit": LIST_LIMIT,
            "townships": [] if principal.township_id else Township.objects.all(),
            "township_id": township_id,
            "own_township": Township.objects.filter(pk=principal.township_id).first()
            if principal.township_id
            else None,
            "can_plan": can_plan,
            "errors": errors,
            "posted": request.POST,
            "chosen": set(request.POST.getlist("enterprise")),
            "default_title": f"{steps[step_id].label}培育走访" if step_id else "",
            "default_deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        },
    )


def _reason(label: str, row: dict[str, Any]) -> str:
    parts = row["gaps"] + row["missing"]
    return f"距{label}：" + ("；".join(parts) if parts else "已符合数据可核验的条件，可动员申报")


def _export(label: str, rows: list[dict[str, Any]]) -> HttpResponse:
    headers = [
        "排名",
        "企业名称",
        "统一社会信用代码",
        "镇街",
        "数据年度",
        "不符合条件数",
        "无法判断条件数",
        "差距",
        "缺少数据",
    ]
    body = [
        [
            r["position"],
            r["enterprise"].organization.name,
            r["enterprise"].organization.credit_code,
            r["enterprise"].township.name if r["enterprise"].township else "",
            r["data_year"],
            r["candidate"].unmet,
            r["candidate"].unknown,
            "；".join(r["gaps"]),
            "；".join(r["missing"]),
        ]
        for r in rows
    ]
    return xlsx_response(f"梯度培育-{label}.xlsx", write_xlsx_sheets([("培育名单", headers, body)]))
