"""免申即享 pages: staff run rounds and the ledger; an enterprise confirms its willingness and bank details.

Thin: every decision is in services; a refused step comes back as a Chinese message on the same page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from kechuang.core.access import requires
from kechuang.core.excel import write_xlsx_sheets
from kechuang.core.formatting import format_yuan
from kechuang.core.http import actor_of, int_param, paginate, principal_of, xlsx_response
from kechuang.orgs.models import Township
from kechuang.policies import selectors, services
from kechuang.policies.models import Disbursement, Round, RoundCandidate


def _money_measures() -> list[Any]:
    _, library = selectors.library_in_force()
    return [m for m in library.measures if m.amount is not None]


@requires("policy.round")
def round_list(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        try:
            round_ = services.start_round(
                actor=actor_of(request),
                measure_id=request.POST.get("measure_id", ""),
                year=int(request.POST.get("year") or 0),
                deadline=dt.date.fromisoformat(request.POST.get("deadline") or "1900-01-01"),
            )
        except (ValidationError, ValueError) as exc:
            errors = exc.messages if isinstance(exc, ValidationError) else ["请填写有效的年度和截止日期"]
        else:
            messages.success(request, f"数据比对完成：{round_.candidates.count()} 家企业符合条件，请核对名单")
            return redirect("policies:round_detail", round_.pk)
    today = timezone.localdate()
    return render(
        request,
        "policies/round_list.html",
        {
            "rounds": selectors.rounds(),
            "measures": _money_measures(),
            "errors": errors,
            "posted": request.POST,
            "default_year": today.year - 1,
            "default_deadline": (today + dt.timedelta(days=15)).isoformat(),
        },
    )


@requires("policy.round")
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round, pk=pk)
    if request.method == "POST":
        _round_action(request, round_)
        return redirect("policies:round_detail", round_.pk)
    candidates = selectors.round_candidates(round_)
    listed = candidates.filter(included=True).aggregate(n=Count("pk"), yuan=Sum("amount_yuan"))
    return render(
        request,
        "policies/round_detail.html",
        {
            "round": round_,
            "page": paginate(request, candidates, per_page=100),
            "candidate_count": candidates.count(),
            "listed_count": listed["n"],
            "listed_yuan": listed["yuan"] or 0,
            "today": timezone.localdate(),
        },
    )


def _round_action(request: HttpRequest, round_: Round) -> None:
    actor, action = actor_of(request), request.POST.get("action", "")
    try:
        if action in ("exclude", "include"):
            candidate = get_object_or_404(
                RoundCandidate, pk=int_param_post(request, "candidate"), round=round_
            )
            services.set_candidate_included(
                actor=actor,
                candidate=candidate,
                included=action == "include",
                reason=request.POST.get("reason", ""),
            )
        elif action == "confirm":
            services.confirm_round_list(actor=actor, round_=round_)
            messages.success(request, "名单已确认，已通知企业确认意愿")
        elif action == "close_willingness":
            services.close_willingness(actor=actor, round_=round_)
            messages.success(request, "意愿确认已截止，未确认的企业已记为“逾期未确认”")
        elif action == "approve_all":
            approved, refused = services.approve_all(actor=actor, round_=round_)
            messages.success(request, f"已审批 {approved} 家")
            for message in refused:
                messages.error(request, message)
        elif action == "pay":
            entry = get_object_or_404(Disbursement, pk=int_param_post(request, "disbursement"), round=round_)
            services.record_payment(
                actor=actor,
                disbursement=entry,
                paid_on=dt.date.fromisoformat(request.POST.get("paid_on") or "2100-01-01"),
                voucher_no=request.POST.get("voucher_no", ""),
            )
        elif action == "close":
            services.close_round(actor=actor, round_=round_)
        else:
            messages.error(request, "无法识别的操作")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except ValueError:
        messages.error(request, "日期格式无效")


def int_param_post(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


@requires("policy.round")
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The list as a finance office reads it: one row per enterprise with account, amount and answer."""
    round_ = get_object_or_404(Round, pk=pk)
    headers = [
        "序号",
        "企业名称",
        "统一社会信用代码",
        "镇街",
        "测算金额(元)",
        "列入名单",
        "企业意愿",
        "开户名称",
        "开户银行",
        "银行账号",
        "确认时间",
        "拨付状态",
    ]
    rows = []
    for i, c in enumerate(selectors.round_candidates(round_), start=1):
        entry = getattr(c, "disbursement", None)
        rows.append(
            [
                i,
                c.enterprise.organization.name,
                c.enterprise.organization.credit_code,
                c.township.name if c.township else "",
                float(c.amount_yuan),
                "是" if c.included else f"否（{c.exclusion_reason}）",
                c.get_response_display(),
                c.account_name,
                c.bank_name,
                c.account_number,
                timezone.localtime(c.responded_at).strftime("%Y-%m-%d %H:%M") if c.responded_at else "",
                entry.get_status_display() if entry else "",
            ]
        )
    title = f"{round_.measure_title}{round_.year}年度免申即享名单"
    return xlsx_response(f"{title}.xlsx", write_xlsx_sheets([("名单", headers, rows)]))


@requires("policy.ledger")
def ledger(request: HttpRequest) -> HttpResponse:
    year, township_id, program = (
        int_param(request, "year"),
        int_param(request, "township"),
        request.GET.get("program", ""),
    )
    rows = selectors.ledger(year=year, program=program, township_id=township_id)
    totals = selectors.ledger_totals(rows)
    if request.GET.get("format") == "xlsx":
        headers = [
            "项目",
            "年度",
            "企业名称",
            "统一社会信用代码",
            "镇街",
            "金额(元)",
            "状态",
            "开户名称",
            "开户银行",
            "银行账号",
            "审批人",
            "审批时间",
            "拨付日期",
            "凭证号",
        ]
        body = [
            [
                d.program_title,
                d.year,
                d.enterprise.organization.name,
                d.enterprise.organization.credit_code,
                d.township.name if d.township else "",
                float(d.amount_yuan),
                d.get_status_display(),
                d.account_name,
                d.bank_name,
                d.account_number,
                d.approved_by.username if d.approved_by else "",
                timezone.localtime(d.approved_at).strftime("%Y-%m-%d %H:%M"),
                d.paid_on.isoformat() if d.paid_on else "",
                d.voucher_no,
            ]
            for d in rows
        ]
        summary = [
            [
                t["program_title"],
                t["year"],
                t["township__name"] or "",
                t["enterprises"],
                float(t["approved_yuan"] or 0),
                float(t["paid_yuan"] or 0),
            ]
            for t in totals
        ]
        return xlsx_response(
            "资金拨付台账.xlsx",
            write_xlsx_sheets(
                [
                    ("台账", headers, body),
                    ("汇总", ["项目", "年度", "镇街", "企业数", "审批金额(元)", "已拨付(元)"], summary),
                ]
            ),
        )
    return render(
        request,
        "policies/ledger.html",
        {
            "rows": rows[:500],
            "totals": totals,
            "townships": Township.objects.all(),
            "year": year,
            "township_id": township_id,
            "program": program,
            "total_text": format_yuan(sum((t["approved_yuan"] or 0 for t in totals), start=0)),
        },
    )


@requires("policy.respond")
def my_rounds(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "policies/my_rounds.html",
        {"candidacies": selectors.own_candidacies(principal_of(request)), "today": timezone.localdate()},
    )


@requires("policy.respond")
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(selectors.own_candidacies(principal_of(request)), pk=pk)
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            services.respond_to_round(
                actor=actor_of(request),
                candidate=candidate,
                accept=request.POST.get("accept") == "1",
                account_name=request.POST.get("account_name", ""),
                bank_name=request.POST.get("bank_name", ""),
                account_number=request.POST.get("account_number", ""),
                decline_reason=request.POST.get("decline_reason", ""),
            )
        except ValidationError as exc:
            errors = dict(exc.message_dict) if hasattr(exc, "error_dict") else {"general": exc.messages}
            errors["general"] = errors.pop(NON_FIELD_ERRORS, errors.get("general", []))
        else:
            messages.success(request, "已提交，截止日期前可修改")
            return redirect("policies:my_rounds")
    return render(
        request,
        "policies/respond.html",
        {"candidate": candidate, "errors": errors, "posted": request.POST, "today": timezone.localdate()},
    )
