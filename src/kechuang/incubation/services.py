"""Every write to an incubation project. Stages move only through `decide_admission`,
`advance_project_stage` and `decide_elimination`, each leaving a ProjectEvent on the timeline; every
recorded activity moves `last_progress_on`, which the elimination rules read."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.accounts.conflicts import check_reviewer, link_to_party
from kechuang.accounts.models import Profile
from kechuang.core.access import BUREAU
from kechuang.core.formatting import format_date_cn, plain_number
from kechuang.core.validators import credit_code_error, normalise_credit_code, normalise_phone
from kechuang.incubation.choices import ACTIVE_STAGES, Decision, Round, ServiceKind, Stage, next_stages
from kechuang.incubation.conflicts import conflict_of
from kechuang.incubation.models import (
    EliminationDecision,
    EliminationRules,
    Investment,
    LandingFigure,
    Milestone,
    PeriodicReview,
    Project,
    ProjectEvent,
    Review,
    Rubric,
    RubricCriterion,
    ServiceRecord,
)
from kechuang.incubation.selectors import propose_reviewers
from kechuang.orgs.choices import InstitutionCategory
from kechuang.orgs.models import Enclave, Enterprise, Fund, Institution, Investor, Organization

CENT = Decimal("0.01")
# Stages in which a project has been admitted and not eliminated: it may still record landings, figures
# and investments after graduating (they keep crediting the carrier).
ADMITTED_STAGES = (*ACTIVE_STAGES, Stage.GRADUATED)

# (code, name, weight, guidance) of the rubric created on first use.
DEFAULT_RUBRIC_NAME = "入孵评审默认评分表"
DEFAULT_CRITERIA = (
    ("team", "团队", 30, "创始团队背景、分工与全职投入"),
    ("technology", "技术", 30, "核心技术先进性、成熟度与知识产权"),
    ("market", "市场", 25, "市场空间、商业模式与客户验证"),
    ("funding", "资金", 15, "资金需求合理性、融资计划与自我造血能力"),
)


def _today() -> dt.date:
    return timezone.localdate()


def _stage_label(stage: str) -> str:
    return Stage(stage).label if stage in Stage.values else stage


def _not_future(day: dt.date, label: str) -> None:
    if day > _today():
        raise ValidationError(f"{label}不能晚于今天")


def _history_user(obj: object, actor: User | None) -> None:
    if actor is not None:
        obj._history_user = actor  # type: ignore[attr-defined]


def _touch(project: Project, day: dt.date) -> None:
    """Activity on `day` is progress: move last_progress_on forward (never back); the caller saves."""
    if day > project.last_progress_on:
        project.last_progress_on = day


def _progress(project: Project, day: dt.date) -> None:
    """Move last_progress_on forward for an activity recorded in its own table. A plain UPDATE: the
    activity row is the record, so the project gets no history entry of its own for it."""
    if day > project.last_progress_on:
        project.last_progress_on = day
        Project.objects.filter(pk=project.pk).update(last_progress_on=day, updated_at=timezone.now())


def _event(
    project: Project,
    *,
    actor: User | None,
    action: str,
    on: dt.date,
    before: str | None = None,
    note: str = "",
) -> ProjectEvent:
    return ProjectEvent.objects.create(
        project=project,
        actor=actor,
        action=action,
        from_stage=project.stage if before is None else before,
        to_stage=project.stage,
        happened_on=on,
        note=note[:2000],
    )


def _save(project: Project, actor: User | None, *fields: str) -> None:
    _history_user(project, actor)
    project.save(update_fields=[*fields, "updated_at"])


def _require_stage(project: Project, stages: Sequence[str], doing: str) -> None:
    if project.stage not in stages:
        raise ValidationError(f"项目当前阶段为“{project.get_stage_display()}”，不能{doing}")


def is_bureau_user(user: User | None) -> bool:
    if user is None:
        return False
    role = Profile.objects.filter(user_id=user.pk).values_list("role", flat=True).first()
    return role in BUREAU or (role is None and user.is_superuser)


def _require_bureau(actor: User | None, doing: str) -> None:
    if not is_bureau_user(actor):
        raise ValidationError(f"只有科技局工作人员可以{doing}")


# ---- rubric -------------------------------------------------------------------------------------------


def check_rubric_weights(weights: Sequence[int]) -> None:
    """Raise unless the weights are positive and add up to exactly 100."""
    if not weights:
        raise ValidationError("评分表至少需要一个评分项")
    if any(w <= 0 for w in weights):
        raise ValidationError("每个评分项的权重须大于0")
    total = sum(weights)
    if total != 100:
        raise ValidationError(f"各评分项权重之和应为100，当前为{total}")


def default_rubric() -> Rubric:
    """The default rubric (团队/技术/市场/资金, admission line 70), created on first use."""
    rubric = Rubric.objects.filter(is_default=True).first()
    if rubric is not None:
        return rubric
    with transaction.atomic():
        rubric, created = Rubric.objects.get_or_create(
            name=DEFAULT_RUBRIC_NAME, defaults={"is_default": True, "admission_line": Decimal(70)}
        )
        if created:
            RubricCriterion.objects.bulk_create(
                RubricCriterion(
                    rubric=rubric, code=code, name=name, weight=weight, guidance=guidance, sort_order=i
                )
                for i, (code, name, weight, guidance) in enumerate(DEFAULT_CRITERIA)
            )
        elif not rubric.is_default:
            rubric.is_default = True
            rubric.save(update_fields=["is_default", "updated_at"])
    return rubric


@transaction.atomic
def make_default_rubric(*, rubric: Rubric) -> Rubric:
    """Use `rubric` for applications assigned from now on (projects keep the rubric frozen on them)."""
    Rubric.objects.exclude(pk=rubric.pk).filter(is_default=True).update(is_default=False)
    if not rubric.is_default:
        rubric.is_default = True
        rubric.save(update_fields=["is_default", "updated_at"])
    return rubric


def rubric_snapshot(rubric: Rubric) -> dict[str, object]:
    """The rubric as frozen onto a project; refuses a rubric whose weights do not add up to 100."""
    criteria = list(rubric.criteria.order_by("sort_order", "pk"))
    try:
        check_rubric_weights([c.weight for c in criteria])
    except ValidationError as exc:
        raise ValidationError(f"评分表“{rubric.name}”配置有误：{exc.messages[0]}，请先在后台修正") from exc
    return {
        "rubric": rubric.name,
        "admission_line": plain_number(rubric.admission_line),
        "criteria": [
            {
                "code": c.code,
                "name": c.name,
                "weight": c.weight,
                "max_score": c.max_score,
                "guidance": c.guidance,
            }
            for c in criteria
        ],
    }


# ---- application --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationData:
    name: str
    team: str
    technology: str
    market: str
    funding_plan: str = ""
    funding_needed: Decimal | None = None
    industry: str = ""
    contact_name: str = ""
    contact_phone: str = ""


def check_application(data: ApplicationData) -> None:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = "请填写项目名称"
    for field, label in (("team", "团队情况"), ("technology", "核心技术"), ("market", "市场前景")):
        if len(getattr(data, field).strip()) < 10:
            errors[field] = f"{label}过短，请至少写10个字"
    if data.funding_needed is not None and data.funding_needed < 0:
        errors["funding_needed"] = "资金需求不能为负数"
    if errors:
        raise ValidationError(errors)


def _carrier_fields(carrier: Enclave | Institution) -> dict[str, object]:
    if isinstance(carrier, Enclave):
        return {"enclave": carrier, "incubator": None}
    if isinstance(carrier, Institution) and carrier.category == InstitutionCategory.INCUBATOR:
        return {"enclave": None, "incubator": carrier}
    raise ValidationError("孵化载体须为创新飞地，或类别为“孵化载体”的孵化器/众创空间")


@transaction.atomic
def submit_application(
    *,
    actor: User | None,
    carrier: Enclave | Institution,
    data: ApplicationData,
    applicant: Organization | None = None,
    applied_on: dt.date | None = None,
) -> Project:
    """A new application (stage 项目招引) to an enclave or a county incubator."""
    check_application(data)
    day = applied_on or _today()
    _not_future(day, "申请日期")
    fields = _carrier_fields(carrier)
    duplicate = Project.objects.filter(name=data.name.strip(), **fields).exclude(
        stage__in=[Stage.REJECTED, Stage.ELIMINATED]
    )
    if duplicate.exists():
        raise ValidationError({"name": f"“{carrier}”已有同名项目“{data.name.strip()}”，请勿重复申请"})
    project = Project(
        name=data.name.strip(),
        applicant=applicant,
        submitted_by=actor,
        contact_name=data.contact_name.strip(),
        contact_phone=normalise_phone(data.contact_phone),
        industry=data.industry.strip(),
        team=data.team.strip(),
        technology=data.technology.strip(),
        market=data.market.strip(),
        funding_plan=data.funding_plan.strip(),
        funding_needed=data.funding_needed,
        applied_on=day,
        stage=Stage.RECRUITING,
        stage_changed_on=day,
        last_progress_on=day,
        **fields,
    )
    _history_user(project, actor)
    project.save()
    _event(project, actor=actor, action="提交入孵申请", on=day, before="")
    return project


# ---- reviews ------------------------------------------------------------------------------------------


def link_to_applicant(reviewer: User, project: Project) -> str | None:
    """Why ``reviewer`` may not score this application (the platform's conflict rule), or None."""
    return link_to_party(
        reviewer, submitted_by_id=project.submitted_by_id, organization_id=project.applicant_id
    )


@transaction.atomic
def assign_reviewers(
    *, actor: User | None, project: Project, reviewers: Sequence[User], on: dt.date | None = None
) -> list[Review]:
    """Assign experts or bureau staff to score the application; freezes the rubric on the first call."""
    _require_stage(project, [Stage.RECRUITING], "再指派评审（入孵决定已作出）")
    if not reviewers:
        raise ValidationError("请至少选择一位评审人")
    for user in reviewers:  # every reviewer is checked before any is assigned
        check_reviewer(user, submitted_by_id=project.submitted_by_id, organization_id=project.applicant_id)
    if not project.rubric_snapshot:
        rubric = project.rubric or default_rubric()
        project.rubric = rubric
        project.rubric_snapshot = rubric_snapshot(rubric)
        _save(project, actor, "rubric", "rubric_snapshot")
    existing = set(project.reviews.values_list("reviewer_id", flat=True))
    created = []
    for user in reviewers:
        if user.pk in existing:
            continue
        review = Review(project=project, reviewer=user, assigned_by=actor)
        _history_user(review, actor)
        review.save()
        existing.add(user.pk)
        created.append(review)
    if created:
        # The timeline is seen by the applicant and the operator: who reviews is for the bureau only
        # (the Review rows and their history keep the names).
        _event(
            project,
            actor=actor,
            action="指派评审",
            on=on or _today(),
            note=f"已指派 {len(created)} 位评审人（名单仅科技局可见）",
        )
    return created


@transaction.atomic
def assign_reviewers_by_expertise(
    *,
    actor: User | None,
    projects: Sequence[Project],
    per_project: int = 3,
    candidates: Sequence[User] | None = None,
    max_load: int | None = None,
    on: dt.date | None = None,
) -> dict[int, list[Review]]:
    """Assign each application the panel ``propose_reviewers`` proposes (best total expertise under load
    limits and conflicts), all or nothing; applications past recruiting are left out."""
    open_projects = [p for p in projects if p.stage == Stage.RECRUITING]
    created: dict[int, list[Review]] = {}
    limits = {} if max_load is None else {"max_load": max_load}
    proposals = propose_reviewers(
        projects=open_projects, per_project=per_project, candidates=candidates, **limits
    )
    for proposal in proposals:
        if proposal.reviewers:
            chosen = [user for user, _, _ in proposal.reviewers]
            created[proposal.project.pk] = assign_reviewers(
                actor=actor, project=proposal.project, reviewers=chosen, on=on
            )
    return created


def declare_conflict(*, actor: User, review: Review, note: str = "") -> Review:
    """The reviewer declares a conflict of interest; the review then never counts."""
    if review.reviewer_id != actor.pk:
        raise ValidationError("只能由评审人本人声明利益冲突")
    _require_stage(review.project, [Stage.RECRUITING], "再声明利益冲突（入孵决定已作出）")
    review.conflict_declared = True
    review.conflict_note = note.strip()[:500]
    _history_user(review, actor)
    review.save(update_fields=["conflict_declared", "conflict_note", "updated_at"])
    _refresh_review_score(review.project, actor)
    # Not named on the shared timeline (see assign_reviewers); the review's history records who and why.
    _event(
        review.project,
        actor=None,
        action="评审人声明利益冲突",
        on=_today(),
        note="一位评审人声明利益冲突，其评审不计入得分",
    )
    return review


def _number(value: object, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"“{label}”得分应为数字") from exc
    if not number.is_finite():
        raise ValidationError(f"“{label}”得分应为数字")
    return number


def weighted_total(criteria: Sequence[Mapping[str, object]], scores: Mapping[str, Decimal]) -> Decimal:
    """Score out of 100: each criterion's share of its maximum, times its weight."""
    total = sum(
        (scores[str(c["code"])] / Decimal(str(c["max_score"])) * Decimal(str(c["weight"])) for c in criteria),
        Decimal(0),
    )
    return total.quantize(CENT)


def _refresh_review_score(project: Project, actor: User | None) -> None:
    """The project's review score: the mean of the submitted, non-conflicted reviews' weighted totals."""
    totals = [
        review.total
        for review in project.reviews.select_related("reviewer").filter(submitted_at__isnull=False)
        if review.total is not None and conflict_of(review) is None
    ]
    score = (sum(totals, Decimal(0)) / len(totals)).quantize(CENT) if totals else None
    if score != project.review_score:
        project.review_score = score
        _save(project, actor, "review_score")


@transaction.atomic
def submit_review(*, actor: User, review: Review, scores: Mapping[str, object], comment: str = "") -> Review:
    """Score each criterion of the frozen rubric (may be resubmitted until the decision)."""
    if review.reviewer_id != actor.pk:
        raise ValidationError("您未被指派评审该项目")
    project = review.project
    _require_stage(project, [Stage.RECRUITING], "再评分（入孵决定已作出）")
    if review.conflict_declared:
        raise ValidationError("您已声明与该项目存在利益冲突，不能评分")
    link = link_to_applicant(actor, project)
    if link:
        raise ValidationError(f"{link}，存在利益冲突，不能为该项目评分")
    criteria = project.criteria
    if not criteria:
        raise ValidationError("该项目尚未确定评分标准，请联系科技局")
    known = {str(c["code"]) for c in criteria}
    unknown = sorted(set(scores) - known)
    if unknown:
        raise ValidationError(f"未知的评分项：{'、'.join(unknown)}")
    errors: dict[str, str] = {}
    parsed: dict[str, Decimal] = {}
    for c in criteria:
        code, name, top = str(c["code"]), str(c["name"]), Decimal(str(c["max_score"]))
        raw = scores.get(code)
        if raw is None or str(raw).strip() == "":
            errors[f"score_{code}"] = f"请为“{name}”评分"
            continue
        try:
            value = _number(raw, name)
        except ValidationError as exc:
            errors[f"score_{code}"] = exc.messages[0]
            continue
        if not Decimal(0) <= value <= top:
            errors[f"score_{code}"] = (
                f"“{name}”得分应在 0–{plain_number(top)} 之间，当前为 {plain_number(value)}"
            )
            continue
        parsed[code] = value
    if errors:
        raise ValidationError(errors)
    review.scores = {code: str(value) for code, value in parsed.items()}
    review.total = weighted_total(criteria, parsed)
    review.comment = comment.strip()[:3000]
    review.submitted_at = timezone.now()
    _history_user(review, actor)
    review.save(update_fields=["scores", "total", "comment", "submitted_at", "updated_at"])
    _refresh_review_score(project, actor)
    return review


def counting_reviews(project: Project) -> list[Review]:
    """Submitted reviews without a conflict of interest: the ones a decision may rest on."""
    return [
        review
        for review in project.reviews.select_related("reviewer").filter(submitted_at__isnull=False)
        if conflict_of(review) is None
    ]


@transaction.atomic
def decide_admission(
    *, actor: User | None, project: Project, admit: bool, reason: str, decided_on: dt.date | None = None
) -> Project:
    """The bureau admits the project into incubation (入孵) or rejects it, with reasons."""
    _require_bureau(actor, "作出入孵决定")
    if not reason.strip():
        raise ValidationError({"reason": "请填写决定理由"})
    _require_stage(project, [Stage.RECRUITING], "再作入孵决定")
    if not counting_reviews(project):
        raise ValidationError("至少需要一份无利益冲突的评审意见，才能作出入孵决定")
    day = decided_on or _today()
    _not_future(day, "决定日期")
    if day < project.applied_on:
        raise ValidationError(f"决定日期不能早于申请日期（{format_date_cn(project.applied_on)}）")
    before = project.stage
    project.decision = Decision.ADMIT if admit else Decision.REJECT
    project.decision_reason = reason.strip()[:2000]
    project.decided_by = actor
    project.decided_on = day
    project.stage = Stage.INCUBATING if admit else Stage.REJECTED
    project.stage_changed_on = day
    if admit:
        project.admitted_on = day
    _touch(project, day)
    _save(
        project,
        actor,
        "decision",
        "decision_reason",
        "decided_by",
        "decided_on",
        "stage",
        "stage_changed_on",
        "admitted_on",
        "last_progress_on",
    )
    _event(
        project,
        actor=actor,
        action="决定入孵" if admit else "决定不予入孵",
        on=day,
        before=before,
        note=reason,
    )
    return project


# ---- lifecycle ----------------------------------------------------------------------------------------


@transaction.atomic
def advance_project_stage(
    *, actor: User | None, project: Project, to_stage: str, note: str = "", on: dt.date | None = None
) -> Project:
    """Move the project forward (入孵 → 投资支持 → 落地辅导 → 成长跟踪 → 毕业); never backwards."""
    if to_stage not in Stage.values:
        raise ValidationError("未知的阶段")
    if to_stage in (Stage.INCUBATING, Stage.REJECTED) and project.stage == Stage.RECRUITING:
        raise ValidationError("是否入孵须由科技局在评审后作出入孵决定")
    if to_stage == Stage.ELIMINATED:
        raise ValidationError("淘汰须由科技局在淘汰候选名单中作出决定，不能直接变更阶段")
    allowed = next_stages(project.stage)
    if to_stage not in allowed:
        hint = "、".join(_stage_label(s) for s in allowed)
        raise ValidationError(
            f"项目当前阶段为“{project.get_stage_display()}”，不能变更为“{_stage_label(to_stage)}”"
            + (f"（只能向后推进到：{hint}）" if hint else "")
        )
    day = on or _today()
    _not_future(day, "变更日期")
    if day < project.stage_changed_on:
        raise ValidationError(f"变更日期不能早于上一次阶段变更（{format_date_cn(project.stage_changed_on)}）")
    before = project.stage
    project.stage = to_stage
    project.stage_changed_on = day
    if to_stage == Stage.GRADUATED:
        project.graduated_on = day
    _touch(project, day)
    _save(project, actor, "stage", "stage_changed_on", "graduated_on", "last_progress_on")
    _event(project, actor=actor, action=f"进入{_stage_label(to_stage)}", on=day, before=before, note=note)
    return project


def _activity_day(day: dt.date, project: Project, label: str) -> dt.date:
    _not_future(day, label)
    if day < project.applied_on:
        raise ValidationError(f"{label}不能早于申请日期（{format_date_cn(project.applied_on)}）")
    return day


@transaction.atomic
def add_milestone(
    *, actor: User | None, project: Project, title: str, due_on: dt.date, note: str = ""
) -> Milestone:
    """A planned milestone (planning is not progress: only completing one moves last_progress_on)."""
    _require_stage(project, ACTIVE_STAGES, "添加里程碑")
    if not title.strip():
        raise ValidationError({"title": "请填写里程碑名称"})
    if project.admitted_on and due_on < project.admitted_on:
        raise ValidationError(
            {"due_on": f"计划完成日期不能早于入孵日期（{format_date_cn(project.admitted_on)}）"}
        )
    milestone = Milestone(project=project, title=title.strip()[:120], due_on=due_on, note=note.strip()[:500])
    _history_user(milestone, actor)
    milestone.save()
    return milestone


@transaction.atomic
def complete_milestone(
    *, actor: User | None, milestone: Milestone, done_on: dt.date | None = None
) -> Milestone:
    project = milestone.project
    _require_stage(project, ACTIVE_STAGES, "更新里程碑")
    if milestone.done_on is not None:
        raise ValidationError(f"里程碑“{milestone.title}”已于{format_date_cn(milestone.done_on)}完成")
    day = _activity_day(done_on or _today(), project, "完成日期")
    milestone.done_on = day
    _history_user(milestone, actor)
    milestone.save(update_fields=["done_on", "updated_at"])
    late = "（逾期完成）" if day > milestone.due_on else ""
    _progress(project, day)
    _event(project, actor=actor, action="完成里程碑", on=day, note=f"{milestone.title}{late}")
    return milestone


@transaction.atomic
def record_investment(
    *,
    actor: User | None,
    project: Project,
    amount: Decimal,
    round: str,
    invested_on: dt.date,
    investor: Investor | None = None,
    fund: Fund | None = None,
    investor_name: str = "",
    note: str = "",
) -> Investment:
    _require_stage(project, ADMITTED_STAGES, "登记投资")
    errors: dict[str, str] = {}
    if amount is None or amount <= 0:
        errors["amount"] = "投资金额应大于0（万元）"
    if round not in Round.values:
        errors["round"] = "请选择投资轮次"
    if fund is not None and investor is not None and fund.investor_id != investor.pk:
        errors["fund"] = f"基金“{fund.name}”不属于“{investor}”"
    if fund is not None and investor is None:
        investor = fund.investor
    name = investor_name.strip() or (investor.organization.name if investor is not None else "")
    if not name:
        errors["investor_name"] = "请选择投资机构或填写投资方名称"
    if errors:
        raise ValidationError(errors)
    day = _activity_day(invested_on, project, "投资日期")
    investment = Investment(
        project=project,
        investor=investor,
        fund=fund,
        investor_name=name[:120],
        amount=amount,
        round=round,
        invested_on=day,
        note=note.strip()[:500],
        recorded_by=actor,
    )
    _history_user(investment, actor)
    investment.save()
    _progress(project, day)
    _event(
        project,
        actor=actor,
        action="登记投资",
        on=day,
        note=f"{name} {investment.get_round_display()} {amount}万元",
    )
    return investment


@transaction.atomic
def record_service(
    *,
    actor: User | None,
    project: Project,
    kind: str,
    description: str,
    provided_on: dt.date,
    provider: str = "",
) -> ServiceRecord:
    _require_stage(project, ACTIVE_STAGES, "登记服务")
    if kind not in ServiceKind.values:
        raise ValidationError({"kind": "请选择服务类型"})
    if not description.strip():
        raise ValidationError({"description": "请填写服务内容"})
    day = _activity_day(provided_on, project, "服务日期")
    record = ServiceRecord.objects.create(
        project=project,
        kind=kind,
        description=description.strip()[:2000],
        provided_on=day,
        provider=provider.strip()[:120],
        recorded_by=actor,
    )
    _progress(project, day)
    return record


@transaction.atomic
def record_periodic_review(
    *, actor: User | None, project: Project, reviewed_on: dt.date, score: Decimal, progress_note: str
) -> PeriodicReview:
    _require_stage(project, ACTIVE_STAGES, "登记定期评估")
    if score is None or not Decimal(0) <= Decimal(score) <= Decimal(100):
        raise ValidationError({"score": "评估得分应在 0–100 之间"})
    if not progress_note.strip():
        raise ValidationError({"progress_note": "请填写进展情况"})
    day = _activity_day(reviewed_on, project, "评估日期")
    review = PeriodicReview(
        project=project,
        reviewed_on=day,
        score=Decimal(score),
        progress_note=progress_note.strip()[:3000],
        recorded_by=actor,
    )
    _history_user(review, actor)
    review.save()
    _progress(project, day)
    _event(
        project,
        actor=actor,
        action="定期评估",
        on=day,
        note=f"得分 {plain_number(score)}：{progress_note.strip()[:200]}",
    )
    return review


# ---- landing in Jinjiang ------------------------------------------------------------------------------


def find_registered_enterprise(credit_code: str) -> Enterprise:
    """The registry's enterprise with this 统一社会信用代码, or a Chinese error saying what is wrong."""
    code = normalise_credit_code(credit_code)
    error = credit_code_error(code)
    if error:
        raise ValidationError({"credit_code": error})
    enterprise = (
        Enterprise.objects.select_related("organization").filter(organization__credit_code=code).first()
    )
    if enterprise is None:
        raise ValidationError(
            {
                "credit_code": f"企业库中没有统一社会信用代码为 {code} 的企业。落地晋江须在本县注册，"
                "请先在企业库中登记该企业后再登记落地"
            }
        )
    return enterprise


@transaction.atomic
def record_landing(
    *, actor: User | None, project: Project, credit_code: str, landed_on: dt.date, note: str = ""
) -> Project:
    """Link the project to the company it registered in the county (by credit code): 落地晋江."""
    _require_stage(project, ADMITTED_STAGES, "登记落地")
    if project.landed_organization_id:
        raise ValidationError(
            f"该项目已于{format_date_cn(project.landed_on)}登记落地企业“{project.landed_organization}”，"
            "如需更正请联系科技局"
        )
    enterprise = find_registered_enterprise(credit_code)
    other = (
        Project.objects.filter(landed_organization_id=enterprise.organization_id)
        .exclude(pk=project.pk)
        .first()
    )
    if other is not None:
        raise ValidationError(
            {
                "credit_code": f"“{enterprise.organization.name}”已登记为项目“{other.name}”的落地企业，"
                "不能重复计入"
            }
        )
    day = _activity_day(landed_on, project, "落地日期")
    if project.admitted_on and day < project.admitted_on:
        raise ValidationError(
            {"landed_on": f"落地日期不能早于入孵日期（{format_date_cn(project.admitted_on)}）"}
        )
    project.credit_code = enterprise.organization.credit_code
    project.landed_organization = enterprise.organization
    project.landed_on = day
    project.landing_note = note.strip()[:500]
    _touch(project, day)
    _save(
        project, actor, "credit_code", "landed_organization", "landed_on", "landing_note", "last_progress_on"
    )
    _event(
        project,
        actor=actor,
        action="落地晋江",
        on=day,
        note=f"{enterprise.organization.name}（{project.credit_code}）",
    )
    return project


@transaction.atomic
def record_landing_figure(
    *,
    actor: User | None,
    project: Project,
    year: int,
    jobs: int | None,
    output: Decimal | None,
    tax: Decimal | None,
) -> LandingFigure:
    """One year of the landed company's jobs, output and tax (replaces that year's earlier figure)."""
    if not project.landed_on:
        raise ValidationError("项目尚未登记落地企业，不能填报落地企业年度数据")
    if project.stage in (Stage.ELIMINATED, Stage.REJECTED):  # an exited project records nothing more
        raise ValidationError(f"项目已{project.get_stage_display()}，不再填报落地企业年度数据")
    if year < project.landed_on.year:
        raise ValidationError({"year": f"年度不能早于落地年份（{project.landed_on.year}年）"})
    if year > _today().year:
        raise ValidationError({"year": "不能填报未来年度的数据"})
    errors: dict[str, str] = {}
    if jobs is not None and jobs < 0:
        errors["jobs"] = "就业人数不能为负数"
    for field, value, label in (("output", output, "产值"), ("tax", tax, "税收")):
        if value is not None and value < 0:
            errors[field] = f"{label}不能为负数"
    if jobs is None and output is None and tax is None:
        errors["jobs"] = "请至少填写就业人数、产值、税收中的一项"
    if errors:
        raise ValidationError(errors)
    figure = LandingFigure.objects.filter(project=project, year=year).first() or LandingFigure(
        project=project, year=year
    )
    figure.jobs, figure.output, figure.tax, figure.recorded_by = jobs, output, tax, actor
    _history_user(figure, actor)
    figure.save()
    _progress(project, min(_today(), dt.date(year, 12, 31)))
    return figure


# ---- elimination --------------------------------------------------------------------------------------


def rules_for(project: Project) -> EliminationRules:
    """The thresholds for this project's carrier: its own row, else the global row, else the defaults."""
    keys = [EliminationRules.key_for(project.enclave_id, project.incubator_id), "global"]
    rows = {r.scope_key: r for r in EliminationRules.objects.filter(scope_key__in=keys)}
    return rows.get(keys[0]) or rows.get("global") or EliminationRules()


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (clamped to the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def decide_elimination(
    *, project: Project, eliminate: bool, reason: str, actor: User | None, as_of: dt.date | None = None
) -> EliminationDecision:
    """The bureau's decision on a candidate: eliminate (stage 淘汰, nothing deleted) or keep for now.

    A keep decision hides the project from the candidate list for the carrier's `keep_months`, or until
    evidence appears that was not in front of the decider."""
    from kechuang.incubation.selectors import rule_hits

    _require_bureau(actor, "作出淘汰决定")
    if not reason.strip():
        raise ValidationError({"reason": "请填写决定理由（淘汰或保留均须说明）"})
    _require_stage(project, ACTIVE_STAGES, "作淘汰决定（仅在孵项目）")
    day = as_of or _today()
    _not_future(day, "决定日期")
    if project.admitted_on and day < project.admitted_on:
        raise ValidationError(f"决定日期不能早于入孵日期（{format_date_cn(project.admitted_on)}）")
    if eliminate and project.stage_changed_on and day < project.stage_changed_on:
        # the timeline stays in date order: 淘汰 cannot predate the stage it ends
        raise ValidationError(
            f"淘汰日期不能早于项目进入当前阶段的日期（{format_date_cn(project.stage_changed_on)}）"
        )
    hits = rule_hits(project=project, as_of=day)
    if not eliminate and not hits:
        raise ValidationError("该项目当前未触发任何淘汰规则，无需作保留决定")
    evidence = "；".join(h.evidence for h in hits) or "未触发自动规则，由科技局直接决定"
    decision = EliminationDecision.objects.create(
        project=project,
        eliminate=eliminate,
        reason=reason.strip()[:2000],
        rules=[h.rule for h in hits],
        evidence=evidence[:5000],
        evidence_keys=sorted({k for h in hits for k in h.keys}),
        decided_on=day,
        suppress_until=None if eliminate else add_months(day, rules_for(project).keep_months),
        decided_by=actor,
    )
    if eliminate:
        before = project.stage
        project.stage = Stage.ELIMINATED
        project.stage_changed_on = day
        project.eliminated_on = day
        project.elimination_reason = reason.strip()[:2000]
        _save(project, actor, "stage", "stage_changed_on", "eliminated_on", "elimination_reason")
        _event(
            project,
            actor=actor,
            action="决定淘汰",
            on=day,
            before=before,
            note=f"{reason.strip()}\n依据：{evidence}",
        )
    else:
        _event(
            project,
            actor=actor,
            action="决定保留",
            on=day,
            note=f"{reason.strip()}\n依据：{evidence}\n保留至{format_date_cn(decision.suppress_until)}",
        )
    return decision
