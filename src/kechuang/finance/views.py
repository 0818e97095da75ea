"""Finance pages: funds, credit products (with "am I eligible"), financing demands, loans, subsidies and the
risk pool. Forms keep what was typed when a service refuses it; object pages 404 outside the viewer's
scope, so ids cannot be probed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kechuang.core.access import may, requires
from kechuang.core.http import (
    actor_of,
    add_service_errors,
    export_rows,
    int_param,
    paginate,
    principal_of,
)
from kechuang.core.validators import normalise_credit_code
from kechuang.demands.choices import Status as DemandStatus
from kechuang.finance import forms as f
from kechuang.finance import selectors, services
from kechuang.finance.models import FundTier, LoanStatus, ProductKind
from kechuang.orgs.models import Enterprise, Fund, Investor
from kechuang.orgs.selectors import history_for, own_enterprise


def _form_page(request: HttpRequest, form: forms.Form, **context: Any) -> HttpResponse:
    return render(request, "finance/form.html", {"form": form, **context}, status=400 if form.errors else 200)


def _try(form: forms.Form, call: Any) -> Any:
    """Run a service call; its ValidationError goes onto the form (typed values are kept)."""
    try:
        return call()
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


# ---- funds ---------------------------------------------------------------------------------------------


@requires("finance.view")
def fund_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    tier = request.GET.get("tier", "")
    rows = selectors.funds(principal, tier=tier)
    return render(
        request,
        "finance/fund_list.html",
        {
            "page": paginate(request, rows, per_page=50),
            "tiers": FundTier.choices,
            "tier": tier,
            "summary": selectors.tier_summary(principal),
            "figures": selectors.finance_figures() if principal.is_bureau else None,
            "can_manage": may(principal, "fund.manage"),
        },
    )


@requires("finance.view")
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    fund = selectors.fund_get(principal, pk)
    return render(
        request,
        "finance/fund_detail.html",
        {
            "fund": fund,
            "investments": selectors.fund_investments(fund),
            "children": selectors.funds(principal).filter(profile__parent=fund),
            "can_manage": may(principal, "fund.manage"),
            "history": history_for(fund.profile) if principal.is_bureau else None,
        },
    )


@requires("fund.manage")
def fund_create(request: HttpRequest) -> HttpResponse:
    form = f.FundForm(
        request.POST or None,
        investors=selectors.fund_managers(),
        parents=Fund.objects.filter(profile__tier=FundTier.PARENT),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fund = _try(
            form,
            lambda: services.save_fund(
                actor=actor_of(request),
                investor=d["investor"],
                name=d["name"],
                tier=d["tier"],
                size_wan=d["size_wan"],
                focus=d["focus"],
                manager=d["manager"],
                established_on=d["established_on"],
                parent=d["parent"],
            ),
        )
        if fund is not None:
            messages.success(request, f"已登记基金“{fund.name}”")
            return redirect("finance:fund_detail", pk=fund.pk)
    return _form_page(request, form, title="登记基金", back=("finance:fund_list", "基金体系"))


def _enterprise_named(value: str) -> Enterprise | None:
    value = value.strip()
    if not value:
        return None
    return (
        Enterprise.objects.filter(
            Q(organization__credit_code=normalise_credit_code(value)) | Q(organization__name=value)
        )
        .select_related("organization")
        .first()
    )


@requires("fund.manage")
def investment_create(request: HttpRequest, pk: int) -> HttpResponse:
    fund = selectors.fund_get(principal_of(request), pk)
    interests = selectors.invested_interests_unrecorded().filter(
        investor__organization_id=fund.investor.organization_id
    )
    form = f.InvestmentForm(request.POST or None, interests=interests)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        actor = actor_of(request)
        done = None
        if d["interest"] is not None:
            done = _try(
                form,
                lambda: services.record_investment_from_interest(
                    actor=actor,
                    interest=d["interest"],
                    fund=fund,
                    invested_on=d["invested_on"],
                    note=d["note"],
                ),
            )
        else:
            enterprise = _enterprise_named(d["enterprise"])
            if enterprise is None:
                form.add_error("enterprise", "平台中未找到该企业，请核对统一社会信用代码或企业全称")
            elif d["amount_wan"] is None:
                form.add_error("amount_wan", "请填写投资金额")
            else:
                done = _try(
                    form,
                    lambda: services.record_fund_investment(
                        actor=actor,
                        fund=fund,
                        enterprise=enterprise,
                        amount_wan=d["amount_wan"],
                        invested_on=d["invested_on"],
                        round=d["round"],
                        note=d["note"],
                    ),
                )
        if done is not None:
            messages.success(request, "已登记基金投资")
            return redirect("finance:fund_detail", pk=fund.pk)
    return _form_page(
        request,
        form,
        title=f"登记投资：{fund.name}",
        back=("finance:fund_detail", "基金详情"),
        back_pk=fund.pk,
    )


# ---- credit products -----------------------------------------------------------------------------------


@requires("product.view")
def product_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    kind = request.GET.get("kind", "")
    enterprise = own_enterprise(principal_of(request))
    return render(
        request,
        "finance/product_list.html",
        {
            "page": paginate(request, selectors.products(principal, kind=kind)),
            "kinds": ProductKind.choices,
            "kind": kind,
            "eligible": selectors.eligible_products(enterprise) if enterprise else None,
            "can_manage": may(principal, "product.manage"),
        },
    )


@requires("product.view")
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    product = selectors.product_get(principal, pk)
    enterprise = own_enterprise(principal_of(request))
    return render(
        request,
        "finance/product_detail.html",
        {
            "product": product,
            "verdict": selectors.eligibility_of(product, enterprise) if enterprise else None,
            "enterprise": enterprise,
            "loans": selectors.loans(principal).filter(product=product)[:50],
            "can_file": may(principal, "financing.file"),
            "history": history_for(product) if principal.is_bureau else None,
        },
    )


@requires("product.manage")
def product_create(request: HttpRequest) -> HttpResponse:
    form = f.ProductForm(request.POST or None, banks=selectors.banks())
    if request.method == "POST" and form.is_valid():
        product = _try(form, lambda: services.save_product(actor=actor_of(request), **form.cleaned_data))
        if product is not None:
            messages.success(request, f"已发布信贷产品“{product.name}”")
            return redirect("finance:product_detail", pk=product.pk)
    return _form_page(request, form, title="发布信贷产品", back=("finance:product_list", "信贷产品"))


# ---- financing requests --------------------------------------------------------------------------------


@requires("financing.view")
def request_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    status = status if status in DemandStatus.values else ""
    return render(
        request,
        "finance/request_list.html",
        {
            "page": paginate(request, selectors.requests(principal, q=q, status=status)),
            "filters": {"q": q, "status": status},
            "statuses": DemandStatus.choices,
            "can_file": may(principal, "financing.file"),
        },
    )


@requires("financing.file")
def request_create(request: HttpRequest) -> HttpResponse:
    enterprise = own_enterprise(principal_of(request))
    form = f.FinancingForm(request.POST or None)
    if enterprise is None:
        form.add_error(None, "您的账号未关联企业，请联系科技局")
    elif request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        made = _try(
            form,
            lambda: services.file_financing_demand(actor=actor_of(request), enterprise=enterprise, **d),
        )
        if made is not None:
            messages.success(request, "融资需求已提交，科技局受理后将分派给合作银行和基金")
            return redirect("finance:request_detail", pk=made.pk)
    return _form_page(request, form, title="提交融资需求", back=("finance:request_list", "融资需求"))


def _request_page(
    request: HttpRequest, pk: int, *, route_form: f.RouteForm | None = None, status: int = 200
) -> HttpResponse:
    principal = principal_of(request)
    item = selectors.request_get(principal, pk)
    can_route = may(principal, "financing.route")
    can_grant = may(principal, "loan.manage")
    return render(
        request,
        "finance/request_detail.html",
        {
            "item": item,
            "demand": item.demand,
            "routings": selectors.routings_of(item),
            "eligible": selectors.eligible_products(item.enterprise),
            "loans": selectors.loans(principal).filter(financing_request=item),
            "can_route": can_route,
            "can_grant": can_grant,
            "route_form": route_form
            or (
                f.RouteForm(investors=Investor.objects.select_related("organization")) if can_route else None
            ),
            "history": history_for(item) if principal.is_bureau else None,
        },
        status=status,
    )


@requires("financing.view")
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_page(request, pk)


@require_POST
@requires("financing.route")
def request_route(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.request_get(principal_of(request), pk)
    form = f.RouteForm(request.POST, investors=Investor.objects.select_related("organization"))
    if form.is_valid():
        done = _try(
            form,
            lambda: services.route_financing_request(
                actor=actor_of(request),
                request=item,
                investors=list(form.cleaned_data["investors"]),
                note=form.cleaned_data["note"],
            ),
        )
        if done is not None:
            messages.success(request, f"已分派给 {len(done)} 家机构，须在期限内确认收到")
            return redirect("finance:request_detail", pk=item.pk)
    return _request_page(request, pk, route_form=form, status=400)


@requires("loan.manage")
def loan_grant(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.request_get(principal_of(request), pk)
    initial = {"amount_wan": item.amount_wan, "term_months": item.term_months}
    form = f.GrantForm(request.POST or None, initial=initial, products=selectors.active_products())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        loan = _try(
            form,
            lambda: services.grant_loan(
                actor=actor_of(request),
                product=d["product"],
                amount_wan=d["amount_wan"],
                rate_pct=d["rate_pct"],
                term_months=d["term_months"],
                granted_on=d["granted_on"],
                financing_request=item,
            ),
        )
        if loan is not None:
            messages.success(request, "已登记放款，融资需求已办结并通知企业")
            return redirect("finance:loan_detail", pk=loan.pk)
    return _form_page(
        request,
        form,
        title=f"登记放款：{item.demand.title}",
        back=("finance:request_detail", "融资需求"),
        back_pk=item.pk,
        note=f"{item.enterprise} 申请 {item.amount_wan} 万元"
        f"（{item.get_use_display()}，{item.get_collateral_display()}）",
    )


# ---- loans ---------------------------------------------------------------------------------------------


EXPORT_HEADERS = [
    "编号",
    "借款企业",
    "银行",
    "产品",
    "产品类型",
    "贷款金额(万元)",
    "年利率(%)",
    "期限(月)",
    "放款日期",
    "状态",
    "违约日期",
    "违约金额(万元)",
    "贴息(万元)",
    "风险补偿(万元)",
    "融资需求",
]


@requires("loan.view")
def loan_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    filters = {
        "status": request.GET.get("status", ""),
        "kind": request.GET.get("kind", ""),
        "bank": int_param(request, "bank"),
        "year": int_param(request, "year"),
    }
    rows = selectors.loans(principal, **filters)  # type: ignore[arg-type]
    if request.GET.get("export") == "xlsx":
        return export_rows(
            "贷款台账.xlsx",
            EXPORT_HEADERS,
            (
                [
                    x.pk,
                    x.enterprise.organization.name,
                    x.product.bank.organization.name,
                    x.product.name,
                    x.product.get_kind_display(),
                    x.amount_wan,
                    x.rate_pct,
                    x.term_months,
                    x.granted_on,
                    x.get_status_display(),
                    x.defaulted_on,
                    x.default_amount_wan,
                    x.subsidy_wan,  # type: ignore[attr-defined]
                    x.compensation_wan,  # type: ignore[attr-defined]
                    x.financing_request.demand.title if x.financing_request else "",
                ]
                for x in rows.iterator(chunk_size=2000)
            ),
        )
    return render(
        request,
        "finance/loan_list.html",
        {
            "page": paginate(request, rows),
            "filters": filters,
            "statuses": LoanStatus.choices,
            "kinds": ProductKind.choices,
            "banks": selectors.banks() if principal.is_bureau else [],
        },
    )


@requires("loan.view")
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request)
    loan = selectors.loan_get(principal, pk)
    return render(
        request,
        "finance/loan_detail.html",
        {
            "loan": loan,
            "subsidy": selectors.subsidy_of(loan),
            "compensation": selectors.compensation_of(loan),
            "can_manage": may(principal, "loan.manage"),
            "can_subsidy": may(principal, "subsidy.manage"),
            "can_pool": may(principal, "pool.manage"),
            "history": history_for(loan) if principal.is_bureau else None,
        },
    )


@requires("loan.manage")
def loan_default(request: HttpRequest, pk: int) -> HttpResponse:
    loan = selectors.loan_get(principal_of(request), pk)
    form = f.DefaultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _try(
            form, lambda: services.default_loan(actor=actor_of(request), loan=loan, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, "已登记违约，可向风险补偿资金池申请补偿")
            return redirect("finance:loan_detail", pk=loan.pk)
    return _form_page(
        request, form, title=f"登记违约：{loan}", back=("finance:loan_detail", "贷款详情"), back_pk=loan.pk
    )


@require_POST
@requires("loan.manage")
def loan_repay(request: HttpRequest, pk: int) -> HttpResponse:
    loan = selectors.loan_get(principal_of(request), pk)
    try:
        day = forms.DateField().clean(request.POST.get("repaid_on") or None)
        services.repay_loan(actor=actor_of(request), loan=loan, repaid_on=day)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages) or "无法登记结清")
    else:
        messages.success(request, "已登记结清")
    return redirect("finance:loan_detail", pk=loan.pk)


@requires("subsidy.manage")
def subsidy_create(request: HttpRequest, pk: int) -> HttpResponse:
    loan = selectors.loan_get(principal_of(request), pk)
    form = f.SubsidyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _try(
            form, lambda: services.approve_subsidy(actor=actor_of(request), loan=loan, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, f"已批准贴息 {done.amount_wan} 万元")
            return redirect("finance:loan_detail", pk=loan.pk)
    return _form_page(
        request,
        form,
        title=f"批准贴息：{loan}",
        back=("finance:loan_detail", "贷款详情"),
        back_pk=loan.pk,
        note=f"贴息金额 = 贷款金额 {loan.amount_wan} 万元 × 贴息率 × 贴息月数/12，不超过单笔上限；"
        f"贷款年利率 {loan.rate_pct}%，期限 {loan.term_months} 个月",
    )


# ---- risk pool -----------------------------------------------------------------------------------------


@requires("pool.manage")
def pool_list(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.pools())
    for p in rows:
        p.remaining_wan = p.size_wan - p.used_wan  # type: ignore[attr-defined]
    return render(
        request,
        "finance/pool_list.html",
        {"pools": rows, "figures": selectors.finance_figures()},
    )


@requires("pool.manage")
def pool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pool = selectors.pool_get(pk)
    return render(
        request,
        "finance/pool_detail.html",
        {
            "pool": pool,
            "compensations": selectors.pool_compensations(pool),
            "compensable": selectors.compensable_loans(pool)[:100],
            "history": history_for(pool),
        },
    )


@requires("pool.manage")
def compensation_create(request: HttpRequest, pk: int) -> HttpResponse:
    pool = selectors.pool_get(pk)
    form = f.CompensationForm(request.POST or None, loans=selectors.compensable_loans(pool))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _try(
            form,
            lambda: services.compensate(
                actor=actor_of(request), pool=pool, loan=d["loan"], paid_on=d["paid_on"], note=d["note"]
            ),
        )
        if done is not None:
            messages.success(request, f"已补偿 {done.amount_wan} 万元")
            return redirect("finance:pool_detail", pk=pool.pk)
    return _form_page(
        request,
        form,
        title=f"风险补偿：{pool.name}",
        back=("finance:pool_detail", "资金池"),
        back_pk=pool.pk,
        note=f"补偿金额 = 违约金额 × {pool.share_pct}%；资金池剩余 {pool.remaining_wan} 万元",  # type: ignore[attr-defined]
    )
