"""Every write to a demand. Status moves only through `transition`, which checks the state machine,
records the event on the timeline, bumps the version (optimistic locking) and notifies the parties."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kechuang.core.uploads import check_attachment
from kechuang.core.validators import normalise_phone
from kechuang.core.workdays import add_workdays
from kechuang.demands.choices import (
    STAGE_OF_STATUS,
    CloseReason,
    Confidentiality,
    CooperationMode,
    RejectReason,
    RoutingStatus,
    Status,
    TargetKind,
)
from kechuang.demands.models import (
    Demand,
    DemandAttachment,
    DemandEvent,
    DockingMeeting,
    Holiday,
    Interest,
    LandedProject,
    Response,
    Routing,
    TechContract,
)
from kechuang.notifications.services import notify
from kechuang.orgs.models import Enclave, Enterprise, Expert, Institution, Investor

ACK_WORKDAYS = int(os.environ.get("KECHUANG_ACK_WORKDAYS", "5"))
TRIAGE_WORKDAYS = int(os.environ.get("KECHUANG_TRIAGE_WORKDAYS", "3"))


class TransitionError(Exception):
    """The requested step is not allowed from the demand's current status."""


class ConcurrentEditError(Exception):
    """Someone else changed the demand since this user loaded it."""


@dataclass(frozen=True)
class Step:
    label: str
    sources: frozenset[str]
    target: str | None  # None: the status stays as it is (an event on the timeline only)


S = Status
STEPS: dict[str, Step] = {
    "submit": Step("提交", frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED),
    "accept": Step("受理", frozenset({S.SUBMITTED}), S.ACCEPTED),
    "return": Step("退回修改", frozenset({S.SUBMITTED}), S.RETURNED),
    "reject": Step("不予受理", frozenset({S.SUBMITTED}), S.REJECTED),
    "merge": Step("合并重复需求", frozenset({S.SUBMITTED, S.ACCEPTED}), S.MERGED),
    "route": Step("分派", frozenset({S.ACCEPTED}), S.ROUTED),
    "route_more": Step("追加分派", frozenset({S.ROUTED, S.ANSWERED, S.DOCKING}), None),
    "acknowledge": Step("确认收到", frozenset({S.ROUTED, S.ANSWERED, S.DOCKING}), None),
    "decline": Step("无法承接", frozenset({S.ROUTED, S.ANSWERED, S.DOCKING}), None),
    "answer": Step("提交响应", frozenset({S.ROUTED}), S.ANSWERED),
    "answer_more": Step("提交响应", frozenset({S.ANSWERED, S.DOCKING}), None),
    "accept_response": Step("采纳响应", frozenset({S.ANSWERED}), S.DOCKING),
    "accept_more": Step("采纳响应", frozenset({S.DOCKING}), None),
    "meeting": Step("记录对接", frozenset({S.DOCKING, S.CONTRACTED}), None),
    "contract": Step("登记技术合同", frozenset({S.DOCKING}), S.CONTRACTED),
    "contract_more": Step("登记技术合同", frozenset({S.CONTRACTED, S.LANDED}), None),
    "land": Step("登记项目落地", frozenset({S.DOCKING, S.CONTRACTED}), S.LANDED),
    "close": Step(
        "关闭需求", frozenset({S.ACCEPTED, S.ROUTED, S.ANSWERED, S.DOCKING, S.CONTRACTED}), S.CLOSED
    ),
    "rate": Step("评价服务", frozenset({S.CONTRACTED, S.LANDED, S.CLOSED, S.DOCKING, S.ANSWERED}), None),
    "edit": Step("修改需求", frozenset({S.DRAFT, S.RETURNED, S.SUBMITTED}), None),
}


def allowed_steps(demand: Demand) -> set[str]:
    return {name for name, step in STEPS.items() if demand.status in step.sources}


def _holidays() -> dict[dt.date, bool]:
    return dict(Holiday.objects.values_list("date", "is_workday"))


def ack_due_date(start: dt.date | None = None) -> dt.date:
    return add_workdays(start or timezone.localdate(), ACK_WORKDAYS, _holidays())


def demand_url(demand: Demand) -> str:
    return reverse("demands:detail", args=[demand.pk])


@contextmanager
def _locked(demand: Demand, expected_version: int | None) -> Iterator[Demand]:
    """Lock the row, refuse if it changed since the user loaded it, bump the version on the way out."""
    with transaction.atomic():
        current = Demand.objects.select_for_update().get(pk=demand.pk)
        if expected_version is not None and current.version != expected_version:
            raise ConcurrentEditError(
                "该需求已被他人更新，请刷新页面查看最新内容后再操作（您填写的内容已保留）。"
            )
        yield current
        current.version += 1
        current.save()
        demand.__dict__.update({k: v for k, v in current.__dict__.items() if not k.startswith("_")})


def _close_status_span(demand: Demand, leaving: str) -> None:
    """Record on the event that entered `leaving` how long the demand stayed in it."""
    entered = (
        DemandEvent.objects.filter(demand=demand, to_status=leaving, seconds_in_status__isnull=True)
        .exclude(from_status=leaving)
        .order_by("-created_at", "-pk")
        .first()
    )
    if entered is not None:
        entered.seconds_in_status = max(0, int((timezone.now() - entered.created_at).total_seconds()))
        entered.save(update_fields=["seconds_in_status"])


def _matching_changed(demand: Demand, *, text: bool) -> None:
    """Keep the matching index (and, when the text changed, the demand's suggestions) up to date; the
    work runs in the background worker, never on the request path."""
    from kechuang.matching import services as matching

    matching.request_rebuild()
    if text:
        matching.request_suggestions(source_kind="demand", source_id=demand.pk)


# Steps after which the demand's text or who may read it changed.
MATCHING_STEPS = {
    "submit": True,
    "accept": False,
    "route": False,
    "route_more": False,
    "close": False,
    "merge": False,
    "reject": False,
}


def transition(
    *,
    actor: User | None,
    demand: Demand,
    step: str,
    comment: str = "",
    expected_version: int | None = None,
    notify_users: list[User] | None = None,
    changes: dict[str, Any] | None = None,
) -> Demand:
    """Apply one step of the state machine (plus any field `changes` that go with it, in the same save), or
    refuse with a message naming the current status."""
    rule = STEPS[step]
    with _locked(demand, expected_version) as current:
        if current.status not in rule.sources:
            raise TransitionError(f"需求当前状态为“{current.get_status_display()}”，不能执行“{rule.label}”")
        before = current.status
        for name, value in (changes or {}).items():
            setattr(current, name, value)
        if rule.target is not None and rule.target != before:
            _close_status_span(current, before)
            current.status = rule.target
            current.status_changed_at = timezone.now()
            if rule.target == S.SUBMITTED and current.submitted_at is None:
                current.submitted_at = current.status_changed_at
            current.stage_reached = max(current.stage_reached, STAGE_OF_STATUS.get(rule.target, 0))
        if actor is not None:
            current._history_user = actor  # type: ignore[attr-defined]
        DemandEvent.objects.create(
            demand=current,
            actor=actor,
            action=rule.label,
            from_status=before,
            to_status=current.status,
            comment=comment[:5000],
        )
    if step in MATCHING_STEPS:
        transaction.on_commit(lambda: _matching_changed(demand, text=MATCHING_STEPS[step]))
    if notify_users:
        status_note = f"（状态：{demand.get_status_display()}）" if rule.target else ""
        notify(
            recipients=notify_users,
            title=f"需求“{demand.title}”：{rule.label}{status_note}",
            body=comment,
            url=demand_url(demand),
        )
    return demand


# ---- parties ------------------------------------------------------------------------------------------


def enterprise_users(demand: Demand) -> list[User]:
    return list(
        User.objects.filter(profile__organization_id=demand.enterprise.organization_id, is_active=True)
    )


def bureau_users() -> list[User]:
    return list(User.objects.filter(profile__role__in=["bureau_admin", "bureau_staff"], is_active=True))


def township_users(demand: Demand) -> list[User]:
    if not demand.township_id:
        return []
    return list(
        User.objects.filter(
            profile__role="township_officer", profile__township_id=demand.township_id, is_active=True
        )
    )


def routing_users(routing: Routing) -> list[User]:
    qs = User.objects.filter(is_active=True)
    if routing.target_kind == TargetKind.ENCLAVE:
        return list(qs.filter(profile__enclave=routing.enclave))
    if routing.target_kind == TargetKind.EXPERT:
        return list(qs.filter(profile__expert=routing.expert))
    if routing.target_kind == TargetKind.INSTITUTION:
        assert routing.institution is not None
        return list(qs.filter(profile__organization_id=routing.institution.organization_id))
    assert routing.investor is not None
    return list(qs.filter(profile__organization_id=routing.investor.organization_id))


# ---- filing -------------------------------------------------------------------------------------------


@dataclass
class DemandData:
    title: str
    description: str
    demand_type: str
    industry_code: str = ""
    chain_id: int | None = None
    indicators: str = ""
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    deadline: dt.date | None = None
    cooperation_modes: list[str] = field(default_factory=list)
    contact_name: str = ""
    contact_phone: str = ""
    confidentiality: str = Confidentiality.PRIVATE
    public_summary: str = ""
    summary_approved: bool = False
    campaign_id: int | None = None


def check_demand_data(data: DemandData) -> None:
    """Raise a ValidationError (field → Chinese message) for data no demand may have."""
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "请填写需求名称"
    if len(data.description.strip()) < 10:
        errors["description"] = "需求描述过短，请至少写清楚要解决的问题（10字以上）"
    if data.budget_min is not None and data.budget_max is not None and data.budget_min > data.budget_max:
        errors["budget_max"] = "预算上限不能小于下限"
    if data.deadline and data.deadline < timezone.localdate():
        errors["deadline"] = "期望完成时间不能早于今天"
    bad_modes = [m for m in data.cooperation_modes if m not in CooperationMode.values]
    if bad_modes:
        errors["cooperation_modes"] = "合作方式无效"
    if data.confidentiality == Confidentiality.SUMMARY and not data.public_summary.strip():
        errors["public_summary"] = "选择“仅公开摘要”时，请填写脱敏后的公开摘要"
    if errors:
        raise ValidationError(errors)


def _apply(demand: Demand, data: DemandData) -> None:
    for name in (
        "title",
        "description",
        "demand_type",
        "industry_code",
        "chain_id",
        "indicators",
        "budget_min",
        "budget_max",
        "deadline",
        "cooperation_modes",
        "contact_name",
        "confidentiality",
        "public_summary",
        "summary_approved",
        "campaign_id",
    ):
        setattr(demand, name, getattr(data, name))
    demand.title = demand.title.strip()
    demand.contact_phone = normalise_phone(data.contact_phone)
    if demand.confidentiality != Confidentiality.SUMMARY:
        demand.summary_approved = False


@transaction.atomic
def file_demand(
    *, actor: User | None, enterprise: Enterprise, data: DemandData, submit: bool = True
) -> Demand:
    """Create a demand (as a draft, or submitted straight away for triage)."""
    check_demand_data(data)
    demand = Demand(
        enterprise=enterprise,
        township_id=enterprise.township_id,
        filed_by=actor,
        industry_code=data.industry_code or enterprise.industry_code,
    )
    _apply(demand, data)
    if not demand.industry_code:
        demand.industry_code = enterprise.industry_code
    if actor is not None:
        demand._history_user = actor  # type: ignore[attr-defined]
    demand.save()
    DemandEvent.objects.create(demand=demand, actor=actor, action="创建需求", to_status=demand.status)
    if submit:
        transition(actor=actor, demand=demand, step="submit", notify_users=bureau_users())
    return demand


def update_demand(*, actor: User | None, demand: Demand, data: DemandData, expected_version: int) -> Demand:
    check_demand_data(data)
    with _locked(demand, expected_version) as current:
        if current.status not in STEPS["edit"].sources:
            raise TransitionError(f"需求当前状态为“{current.get_status_display()}”，不能再修改内容")
        _apply(current, data)
        if actor is not None:
            current._history_user = actor  # type: ignore[attr-defined]
        DemandEvent.objects.create(
            demand=current,
            actor=actor,
            action="修改需求",
            from_status=current.status,
            to_status=current.status,
        )
    transaction.on_commit(lambda: _matching_changed(demand, text=True))
    return demand


def add_attachment(*, actor: User | None, demand: Demand, upload: UploadedFile) -> DemandAttachment:
    name = check_attachment(upload)
    return DemandAttachment.objects.create(
        demand=demand, file=upload, name=name[:200], size=upload.size or 0, uploaded_by=actor
    )


# ---- triage -------------------------------------------------------------------------------------------


def accept_demand(
    *, actor: User | None, demand: Demand, comment: str = "", expected_version: int | None = None
) -> Demand:
    return transition(
        actor=actor,
        demand=demand,
        step="accept",
        comment=comment,
        expected_version=expected_version,
        notify_users=enterprise_users(demand) + township_users(demand),
    )


def return_demand(
    *, actor: User | None, demand: Demand, reason: str, expected_version: int | None = None
) -> Demand:
    if not reason.strip():
        raise ValidationError({"reason": "退回时请说明需要补充或修改的内容"})
    return transition(
        actor=actor,
        demand=demand,
        step="return",
        comment=reason,
        expected_version=expected_version,
        notify_users=enterprise_users(demand) + township_users(demand),
    )


def reject_demand(
    *, actor: User | None, demand: Demand, reason: str, note: str = "", expected_version: int | None = None
) -> Demand:
    if reason not in RejectReason.values:
        raise ValidationError({"reason": "请选择不予受理的原因"})
    label = RejectReason(reason).label
    return transition(
        actor=actor,
        demand=demand,
        step="reject",
        comment=f"{label}。{note}".strip("。") + "。",
        expected_version=expected_version,
        notify_users=enterprise_users(demand) + township_users(demand),
    )


def merge_demand(
    *, actor: User | None, demand: Demand, into: Demand, expected_version: int | None = None
) -> Demand:
    if into.pk == demand.pk:
        raise ValidationError("不能合并到自身")
    if into.status in (S.MERGED, S.REJECTED, S.DRAFT):
        raise ValidationError(f"目标需求状态为“{into.get_status_display()}”，不能作为合并目标")
    with transaction.atomic():
        transition(
            actor=actor,
            demand=demand,
            step="merge",
            comment=f"与需求 #{into.pk}“{into.title}”重复，已合并",
            expected_version=expected_version,
            notify_users=enterprise_users(demand),
            changes={"merged_into": into},
        )
        DemandEvent.objects.create(
            demand=into,
            actor=actor,
            action="合并重复需求",
            from_status=into.status,
            to_status=into.status,
            comment=f"合并了需求 #{demand.pk}“{demand.title}”",
        )
    return demand


TARGET_MODELS: dict[str, type[Any]] = {
    TargetKind.ENCLAVE: Enclave,
    TargetKind.INSTITUTION: Institution,
    TargetKind.EXPERT: Expert,
    TargetKind.INVESTOR: Investor,
}


def route_demand(
    *,
    actor: User | None,
    demand: Demand,
    targets: list[tuple[str, int]],
    note: str = "",
    suggested: set[tuple[str, int]] | None = None,
    expected_version: int | None = None,
) -> list[Routing]:
    """Send the demand to one or more parties; each must acknowledge within ACK_WORKDAYS working days."""
    if not targets:
        raise ValidationError("请至少选择一个分派对象")
    existing = {(r.target_kind, getattr(r, f"{r.target_kind}_id")) for r in demand.routings.all()}
    due = ack_due_date()
    routings = []
    for kind, pk in dict.fromkeys(targets):  # a target picked twice is routed once
        if kind not in TARGET_MODELS:
            raise ValidationError(f"未知的分派对象类型：{kind}")
        if (kind, pk) in existing:
            continue
        target = TARGET_MODELS[kind].objects.filter(pk=pk).first()
        if target is None:
            raise ValidationError("分派对象不存在或已删除")
        routings.append(
            Routing(
                demand=demand,
                target_kind=kind,
                **{kind: target},
                routed_by=actor,
                note=note[:500],
                ack_due=due,
                from_suggestion=(kind, pk) in (suggested or set()),
            )
        )
    if not routings:
        raise ValidationError("所选对象都已分派过")
    step = "route" if demand.status == S.ACCEPTED else "route_more"
    with transaction.atomic():
        names = []
        for routing in routings:
            routing.save()
            names.append(f"{routing.get_target_kind_display()}：{routing.target_name}")
        transition(
            actor=actor,
            demand=demand,
            step=step,
            expected_version=expected_version,
            comment=f"分派给 {'；'.join(names)}（{due:%Y-%m-%d} 前确认）{('。' + note) if note else ''}",
        )
    for routing in routings:
        notify(
            recipients=routing_users(routing),
            title=f"新的技术需求待确认：{demand.title}",
            body=f"请于{due.year}年{due.month}月{due.day}日前确认收到，并提交响应方案。",
            url=demand_url(demand),
        )
    notify(
        recipients=enterprise_users(demand),
        title=f"需求“{demand.title}”已分派",
        body="；".join(names),
        url=demand_url(demand),
    )
    return routings


def acknowledge_routing(*, actor: User | None, routing: Routing) -> Routing:
    if routing.status != RoutingStatus.PENDING:
        raise TransitionError("该分派已确认过")
    routing.status = RoutingStatus.ACKNOWLEDGED
    routing.acknowledged_at = timezone.now()
    routing.save(update_fields=["status", "acknowledged_at", "updated_at"])
    transition(
        actor=actor, demand=routing.demand, step="acknowledge", comment=f"{routing.target_name} 已确认收到"
    )
    return routing


def decline_routing(*, actor: User | None, routing: Routing, reason: str) -> Routing:
    if not reason.strip():
        raise ValidationError({"reason": "请说明无法承接的原因"})
    if routing.status in (RoutingStatus.ANSWERED, RoutingStatus.DECLINED):
        raise TransitionError("该分派已响应或已拒绝")
    routing.status = RoutingStatus.DECLINED
    routing.decline_reason = reason[:500]
    routing.acknowledged_at = routing.acknowledged_at or timezone.now()
    routing.save(update_fields=["status", "decline_reason", "acknowledged_at", "updated_at"])
    transition(
        actor=actor,
        demand=routing.demand,
        step="decline",
        comment=f"{routing.target_name}：{reason}",
        notify_users=bureau_users(),
    )
    return routing


@dataclass
class ResponseData:
    approach: str
    team: str
    maturity: int
    duration_months: int
    cost_estimate: Decimal | None = None
    references: str = ""


def submit_response(*, actor: User | None, routing: Routing, data: ResponseData) -> Response:
    if routing.status == RoutingStatus.DECLINED:
        raise TransitionError("已选择无法承接，不能再提交响应")
    if len(data.approach.strip()) < 10:
        raise ValidationError({"approach": "请写明解决思路或技术方案（10字以上）"})
    demand = routing.demand
    step = "answer" if demand.status == S.ROUTED else "answer_more"
    with transaction.atomic():
        response = Response.objects.create(
            routing=routing,
            demand=demand,
            submitted_by=actor,
            approach=data.approach,
            team=data.team,
            maturity=data.maturity,
            duration_months=data.duration_months,
            cost_estimate=data.cost_estimate,
            references=data.references,
        )
        now = timezone.now()
        routing.status = RoutingStatus.ANSWERED
        routing.answered_at = now
        routing.acknowledged_at = routing.acknowledged_at or now
        routing.save(update_fields=["status", "answered_at", "acknowledged_at", "updated_at"])
        transition(
            actor=actor,
            demand=demand,
            step=step,
            comment=f"{routing.target_name} 提交了响应方案",
            notify_users=enterprise_users(demand) + bureau_users(),
        )
    return response


# ---- decisions and outcomes ---------------------------------------------------------------------------


def accept_response(*, actor: User | None, response: Response) -> Response:
    demand = response.demand
    if response.accepted:
        raise TransitionError("该响应已采纳")
    step = "accept_response" if demand.status == S.ANSWERED else "accept_more"
    with transaction.atomic():
        response.accepted = True
        response.save(update_fields=["accepted", "updated_at"])
        transition(
            actor=actor,
            demand=demand,
            step=step,
            comment=f"采纳 {response.routing.target_name} 的方案，进入对接",
            notify_users=routing_users(response.routing) + bureau_users(),
        )
    return response


def rate_response(*, actor: User | None, response: Response, rating: int, reason: str = "") -> Response:
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": "评分为1至5分"})
    response.rating = rating
    response.rating_reason = reason[:500]
    response.save(update_fields=["rating", "rating_reason", "updated_at"])
    return response


def record_meeting(
    *,
    actor: User | None,
    demand: Demand,
    met_on: dt.date,
    notes: str,
    place: str = "",
    attendees: str = "",
    response: Response | None = None,
) -> DockingMeeting:
    if not notes.strip():
        raise ValidationError({"notes": "请填写对接纪要"})
    if met_on > timezone.localdate():
        raise ValidationError({"met_on": "对接日期不能晚于今天（计划中的对接请在纪要中说明）"})
    with transaction.atomic():
        meeting = DockingMeeting.objects.create(
            demand=demand,
            response=response,
            met_on=met_on,
            place=place,
            attendees=attendees,
            notes=notes,
            recorded_by=actor,
        )
        transition(
            actor=actor, demand=demand, step="meeting", comment=f"{met_on:%Y-%m-%d} {place} {notes[:200]}"
        )
    return meeting


def record_contract(
    *,
    actor: User | None,
    demand: Demand,
    contract_type: str,
    amount: Decimal,
    signed_on: dt.date,
    counterparty: str,
    registration_no: str = "",
    response: Response | None = None,
) -> TechContract:
    if amount is None or amount < 0:
        raise ValidationError({"amount": "请填写合同金额（万元）"})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "签订日期不能晚于今天"})
    step = "contract" if demand.status == S.DOCKING else "contract_more"
    with transaction.atomic():
        contract = TechContract.objects.create(
            demand=demand,
            response=response,
            contract_type=contract_type,
            amount=amount,
            signed_on=signed_on,
            counterparty=counterparty,
            registration_no=registration_no,
            recorded_by=actor,
        )
        transition(
            actor=actor,
            demand=demand,
            step=step,
            comment=f"{contract.get_contract_type_display()}合同 {amount}万元，相对方：{counterparty}",
            notify_users=bureau_users() + enterprise_users(demand),
        )
    return contract


def record_landing(
    *,
    actor: User | None,
    demand: Demand,
    name: str,
    landed_on: dt.date,
    description: str = "",
    investment: Decimal | None = None,
) -> LandedProject:
    if not name.strip():
        raise ValidationError({"name": "请填写项目名称"})
    if landed_on > timezone.localdate():
        raise ValidationError({"landed_on": "落地日期不能晚于今天"})
    with transaction.atomic():
        project = LandedProject.objects.create(
            demand=demand,
            name=name,
            landed_on=landed_on,
            description=description,
            investment=investment,
            recorded_by=actor,
        )
        transition(
            actor=actor,
            demand=demand,
            step="land",
            comment=f"项目“{name}”落地",
            notify_users=bureau_users() + enterprise_users(demand),
        )
    return project


def close_demand(
    *, actor: User | None, demand: Demand, reason: str, note: str = "", expected_version: int | None = None
) -> Demand:
    if reason not in CloseReason.values:
        raise ValidationError({"reason": "请从列表中选择关闭原因"})
    if reason == CloseReason.OTHER and not note.strip():
        raise ValidationError({"note": "选择“其他”时请写明原因"})
    label = CloseReason(reason).label
    return transition(
        actor=actor,
        demand=demand,
        step="close",
        comment=f"{label}。{note}".strip("。"),
        expected_version=expected_version,
        changes={"close_reason": reason, "close_note": note[:2000]},
        notify_users=enterprise_users(demand) + bureau_users() + township_users(demand),
    )


def rate_service(*, actor: User | None, demand: Demand, rating: int, reason: str = "") -> Demand:
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": "评分为1至5分"})
    if rating <= 2 and not reason.strip():
        raise ValidationError({"reason": "评分较低时请说明原因，便于改进"})
    return transition(
        actor=actor,
        demand=demand,
        step="rate",
        comment=f"{rating}星。{reason}".strip("。"),
        changes={"service_rating": rating, "service_rating_reason": reason[:500]},
    )


INTEREST_ROLES = frozenset({"enclave_operator", "expert", "investor"})


def declare_interest(*, actor: User, demand: Demand, note: str = "") -> Interest:
    """Experts, institutions, enclaves and investors signal they could help with a published demand."""
    role = getattr(getattr(actor, "profile", None), "role", "")
    if role not in INTEREST_ROLES:
        raise TransitionError("只有高校院所/专家、飞地运营方和投资机构可以登记合作意向")
    if not demand.is_published:
        raise TransitionError("该需求未公开，不能登记意向")
    interest, created = Interest.objects.get_or_create(
        demand=demand, user=actor, defaults={"note": note[:500]}
    )
    if not created:
        raise ValidationError("您已登记过对该需求的意向")
    notify(
        recipients=bureau_users(),
        title=f"有专家/机构对需求“{demand.title}”感兴趣",
        body=f"{actor.get_username()}：{note}",
        url=demand_url(demand),
    )
    return interest
