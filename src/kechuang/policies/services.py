"""Writes for policies: library versions, 免申即享 rounds (数据比对 → 名单确认 → 意愿确认 → 拨付), ledger.

Every step checks the round's state and who may take it; the ledger's "once per enterprise, measure and
year" is a database constraint, so two staff approving at the same moment cannot pay twice.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kechuang.accounts.models import Profile
from kechuang.core.audit import record_money_decision
from kechuang.core.formatting import format_yuan
from kechuang.demands.campaigns import add_to_visit_plan, create_campaign
from kechuang.demands.models import Campaign
from kechuang.notifications.services import notify
from kechuang.orgs.choices import QualificationKind
from kechuang.orgs.models import Enterprise
from kechuang.policies import selectors
from kechuang.policies.models import Disbursement, LibraryVersion, Round, RoundCandidate
from kechuang.policies.rules import (
    MET,
    UNKNOWN,
    FactTable,
    LibraryError,
    evaluate_table,
    explain_rows,
    load_library,
)

ACCOUNT_NUMBER = re.compile(r"^\d{8,30}$")


# ---- library versions ----------------------------------------------------------------------------------


def _measures_by_id(document: str) -> dict[str, Any]:
    return {str(m.get("id")): m for m in json.loads(document).get("measures", []) if isinstance(m, dict)}


@transaction.atomic
def save_library_version(*, actor: User | None, document: str, source: str, note: str) -> LibraryVersion:
    """Check the whole document (refused whole, line by line) and save it as the next version in force."""
    if not note.strip():
        raise ValidationError({"note": "请填写修改说明"})
    library = load_library(document)  # raises LibraryError with every problem
    unknown_kinds = sorted({k for step in library.tiers for k in step.holds} - set(QualificationKind.values))
    if unknown_kinds:
        raise LibraryError([f"培育梯度的资质代码“{k}”不是平台的资质类别" for k in unknown_kinds])
    number, _ = selectors.library_in_force()
    before = _measures_by_id(selectors.library_document_in_force())
    after = _measures_by_id(document)
    changed = sorted(str(k) for k in set(before) | set(after) if before.get(k) != after.get(k))
    if not changed:
        raise ValidationError({"document": "与现行版本相同，没有需要保存的修改"})
    try:
        with transaction.atomic():
            return LibraryVersion.objects.create(
                number=number + 1,
                document=document,
                source=source,
                note=note.strip()[:200],
                changed_measures=changed,
                created_by=actor,
            )
    except IntegrityError:  # someone saved the same next number a moment ago
        raise ValidationError({"document": "其他人刚刚保存了新版本，请刷新后在新版本上修改"}) from None


def replace_measure(*, actor: User | None, measure_text: str, note: str) -> LibraryVersion:
    """Staff's form edit: one measure's JSON replaces the measure with its id (or is added)."""
    try:
        measure = json.loads(measure_text)
    except json.JSONDecodeError as exc:
        raise LibraryError([f"第{exc.lineno}行第{exc.colno}列：JSON 格式错误（{exc.msg}）"]) from None
    if not isinstance(measure, dict) or not measure.get("id"):
        raise LibraryError(["措施应为 JSON 对象，且有 id"])
    document = json.loads(selectors.library_document_in_force())
    measures = [m for m in document["measures"] if m.get("id") != measure["id"]]
    position = next((i for i, m in enumerate(document["measures"]) if m.get("id") == measure["id"]), None)
    measures.insert(len(measures) if position is None else position, measure)
    document["measures"] = measures
    return save_library_version(
        actor=actor,
        document=json.dumps(document, ensure_ascii=False, indent=1),
        source=LibraryVersion.Source.FORM,
        note=note,
    )


# ---- 免申即享 rounds -------------------------------------------------------------------------------------


@transaction.atomic
def start_round(
    *, actor: User | None, measure_id: str, year: int, deadline: dt.date, as_of: dt.date | None = None
) -> Round:
    """数据比对: evaluate one measure for every enterprise in the registry and list those that qualify.

    Enterprises already paid for this measure and year are left off; those the data cannot decide are
    counted (not listed: silence in the data is not qualification).
    """
    today = timezone.localdate()
    as_of = as_of or today
    if deadline <= today:
        raise ValidationError({"deadline": "意愿确认截止日期应晚于今天"})
    number, library = selectors.library_in_force()
    try:
        measure = library.measure(measure_id)
    except KeyError:
        raise ValidationError({"measure_id": "政策库中没有该措施"}) from None
    if measure.amount is None:
        raise ValidationError({"measure_id": "该措施是资格认定，不涉及资金拨付，不能发起免申即享"})
    if not 2000 <= year <= today.year:
        raise ValidationError({"year": "数据年度无效"})
    enterprises = list(Enterprise.objects.select_related("organization"))
    facts = selectors.facts_for_enterprises(enterprises, as_of=as_of)
    table = FactTable(facts, data_year=year)
    (outcome,) = evaluate_table(library, table, [measure_id])
    paid = set(
        Disbursement.objects.filter(program=measure_id, year=year).values_list("enterprise_id", flat=True)
    )
    policy = library.policies[measure.policy_id]
    round_ = Round.objects.create(
        measure_id=measure_id,
        measure_title=measure.title,
        policy_title=policy.title,
        year=year,
        as_of=as_of,
        library_number=number,
        deadline=deadline,
        compared_count=len(enterprises),
        unknown_count=int((outcome.results == UNKNOWN).sum()),
        created_by=actor,
    )
    listed = [i for i, e in enumerate(enterprises) if outcome.results[i] == MET and e.pk not in paid]
    candidates = [
        RoundCandidate(
            round=round_,
            enterprise=enterprises[i],
            township_id=enterprises[i].township_id,
            amount_yuan=Decimal(int(outcome.amount_yuan[i])),
            working=reasons["working"],
            conditions=reasons["conditions"],
        )
        for i, reasons in zip(listed, explain_rows(library, table, measure_id, listed), strict=True)
    ]
    RoundCandidate.objects.bulk_create(candidates, batch_size=500)
    return round_


def _state(round_: Round, *allowed: str) -> None:
    if round_.status not in allowed:
        raise ValidationError(f"本批次当前为“{round_.get_status_display()}”，不能进行此操作")


@transaction.atomic
def set_candidate_included(
    *, actor: User | None, candidate: RoundCandidate, included: bool, reason: str = ""
) -> RoundCandidate:
    """Staff review of the compared list: an exclusion needs a reason, kept in history."""
    _state(candidate.round, Round.Status.COMPARED)
    if not included and not reason.strip():
        raise ValidationError({"reason": "剔除企业须填写原因"})
    candidate.included = included
    candidate.exclusion_reason = "" if included else reason.strip()[:200]
    candidate._change_reason = "列入名单" if included else f"剔除：{candidate.exclusion_reason}"  # type: ignore[attr-defined]
    candidate.save()
    return candidate


@transaction.atomic
def confirm_round_list(*, actor: User | None, round_: Round) -> Round:
    """Staff confirm the list; each listed enterprise is asked for its willingness and bank details."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _state(round_, Round.Status.COMPARED)
    if round_.deadline <= timezone.localdate():
        raise ValidationError({"deadline": "意愿确认截止日期已过，请重新发起比对"})
    round_.status = Round.Status.CONFIRMING
    round_.list_confirmed_by = actor
    round_.list_confirmed_at = timezone.now()
    round_.save()
    listed = RoundCandidate.objects.filter(round=round_, included=True).values_list(
        "enterprise__organization_id", flat=True
    )
    users = [
        p.user
        for p in Profile.objects.select_related("user").filter(
            role="enterprise", organization_id__in=list(listed)
        )
    ]
    notify(
        recipients=users,
        title=f"免申即享：{round_.measure_title}（{round_.year}年度）请确认申领意愿",
        body=f"经数据比对，贵单位符合条件。请于{round_.deadline:%Y年%m月%d日}前确认意愿并核对收款账户；逾期未确认视为未申领。",
        url="/policies/mine/",
    )
    return round_


@transaction.atomic
def respond_to_round(
    *,
    actor: User | None,
    candidate: RoundCandidate,
    accept: bool,
    account_name: str = "",
    bank_name: str = "",
    account_number: str = "",
    decline_reason: str = "",
) -> RoundCandidate:
    """意愿确认 by the enterprise, in-app, until the deadline; it may change its answer until then."""
    candidate = RoundCandidate.objects.select_for_update().select_related("round").get(pk=candidate.pk)
    round_ = candidate.round
    _state(round_, Round.Status.CONFIRMING)
    if not candidate.included:
        raise ValidationError("贵单位不在本批次名单中")
    if timezone.localdate() > round_.deadline:
        raise ValidationError(f"意愿确认已于{round_.deadline:%Y年%m月%d日}截止")
    errors: dict[str, str] = {}
    if accept:
        account_number = re.sub(r"[\s-]", "", account_number)
        if not account_name.strip():
            errors["account_name"] = "请填写开户名称"
        if not bank_name.strip():
            errors["bank_name"] = "请填写开户银行"
        if not ACCOUNT_NUMBER.match(account_number):
            errors["account_number"] = "银行账号应为 8 至 30 位数字"
    if errors:
        raise ValidationError(errors)
    candidate.response = RoundCandidate.Response.ACCEPTED if accept else RoundCandidate.Response.DECLINED
    candidate.account_name = account_name.strip()[:120] if accept else ""
    candidate.bank_name = bank_name.strip()[:120] if accept else ""
    candidate.account_number = account_number if accept else ""
    candidate.decline_reason = "" if accept else decline_reason.strip()[:200]
    candidate.responded_at = timezone.now()
    candidate.responded_by = actor
    candidate._change_reason = "确认申领" if accept else "放弃申领"  # type: ignore[attr-defined]
    candidate.save()
    return candidate


@transaction.atomic
def close_willingness(*, actor: User | None, round_: Round) -> Round:
    """After the deadline: every unanswered enterprise is recorded as silent (逾期未确认), never as yes."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _state(round_, Round.Status.CONFIRMING)
    if timezone.localdate() <= round_.deadline:
        raise ValidationError(f"意愿确认截止日期（{round_.deadline:%Y年%m月%d日}）未到，不能提前截止")
    for candidate in RoundCandidate.objects.filter(
        round=round_, included=True, response=RoundCandidate.Response.PENDING
    ):
        candidate.response = RoundCandidate.Response.SILENT
        candidate._change_reason = "逾期未确认"  # type: ignore[attr-defined]
        candidate.save()
    round_.status = Round.Status.DISBURSING
    round_.willingness_closed_at = timezone.now()
    round_.save()
    return round_


def approve_disbursement(*, actor: User | None, candidate: RoundCandidate) -> Disbursement:
    """Enter one accepted candidate into the ledger; a second payment of the measure and year is refused."""
    candidate = RoundCandidate.objects.select_related("round", "enterprise__organization").get(
        pk=candidate.pk
    )
    round_ = candidate.round
    _state(round_, Round.Status.DISBURSING)
    if not candidate.included or candidate.response != RoundCandidate.Response.ACCEPTED:
        raise ValidationError("只有列入名单且确认申领的企业可以审批拨付")
    try:
        with transaction.atomic():
            disbursement = Disbursement.objects.create(
                program=round_.measure_id,
                program_title=round_.measure_title,
                year=round_.year,
                enterprise_id=candidate.enterprise_id,
                township_id=candidate.township_id,
                round=round_,
                candidate=candidate,
                amount_yuan=candidate.amount_yuan,
                account_name=candidate.account_name,
                bank_name=candidate.bank_name,
                account_number=candidate.account_number,
                approved_by=actor,
                approved_at=timezone.now(),
            )
            record_money_decision(
                action="policy.disbursement.approve",
                summary=f"审批拨付：{candidate.enterprise}“{round_.measure_title}”{round_.year}年度"
                f"{format_yuan(candidate.amount_yuan)}",
                actor=actor,
                target=disbursement,
            )
            return disbursement
    except IntegrityError:
        raise ValidationError(
            f"{candidate.enterprise}已有“{round_.measure_title}”{round_.year}年度的拨付记录，不能重复拨付"
        ) from None


def approve_all(*, actor: User | None, round_: Round) -> tuple[int, list[str]]:
    """Approve every accepted candidate not yet in the ledger; returns (approved, refusals)."""
    approved, refused = 0, []
    for candidate in RoundCandidate.objects.filter(
        round=round_, included=True, response=RoundCandidate.Response.ACCEPTED, disbursement__isnull=True
    ).select_related("round", "enterprise__organization"):
        try:
            approve_disbursement(actor=actor, candidate=candidate)
            approved += 1
        except ValidationError as exc:
            refused.extend(exc.messages)
    return approved, refused


@transaction.atomic
def record_payment(
    *, actor: User | None, disbursement: Disbursement, paid_on: dt.date, voucher_no: str
) -> Disbursement:
    """拨付到账: the finance office's date and voucher number; a payment is recorded once."""
    disbursement = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
    if disbursement.status == Disbursement.Status.PAID:
        raise ValidationError("该笔资金已登记拨付")
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": "拨付日期不能晚于今天"})
    approved_on = timezone.localdate(disbursement.approved_at)
    if paid_on < approved_on:
        raise ValidationError({"paid_on": f"拨付日期不能早于审批日期（{approved_on:%Y年%m月%d日}）"})
    if not voucher_no.strip():
        raise ValidationError({"voucher_no": "请填写拨付凭证号"})
    disbursement.status = Disbursement.Status.PAID
    disbursement.paid_on = paid_on
    disbursement.voucher_no = voucher_no.strip()[:60]
    disbursement.paid_by = actor
    disbursement.save()
    record_money_decision(
        action="policy.disbursement.paid",
        summary=f"登记拨付到账：{disbursement.program_title}{disbursement.year}年度"
        f"{format_yuan(disbursement.amount_yuan)}，凭证号{disbursement.voucher_no}",
        actor=actor,
        target=disbursement,
    )
    return disbursement


@transaction.atomic
def close_round(*, actor: User | None, round_: Round) -> Round:
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _state(round_, Round.Status.DISBURSING)
    if Disbursement.objects.filter(round=round_, status=Disbursement.Status.APPROVED).exists():
        raise ValidationError("仍有已审批未拨付的资金，登记拨付后才能结束批次")
    round_.status = Round.Status.CLOSED
    round_.closed_at = timezone.now()
    round_.save()
    return round_


__all__ = [
    "approve_all",
    "approve_disbursement",
    "close_round",
    "close_willingness",
    "confirm_round_list",
    "record_payment",
    "replace_measure",
    "respond_to_round",
    "save_library_version",
    "set_candidate_included",
    "start_round",
]


# ---- tier cultivation (梯度培育) ------------------------------------------------------------------------


@transaction.atomic
def plan_tier_visits(
    *, actor: User | None, step_label: str, rows: list[tuple[Enterprise, str]], title: str, deadline: dt.date
) -> Campaign:
    """Turn a tier list into a demand campaign whose visit plan names each firm and what it lacks."""
    if not rows:
        raise ValidationError("请至少选择一家企业")
    if not title.strip():
        raise ValidationError({"title": "请填写活动名称"})
    if deadline <= timezone.localdate():
        raise ValidationError({"deadline": "截止日期应晚于今天"})
    townships = sorted({e.township_id for e, _ in rows if e.township_id})
    per_township = max((sum(1 for e, _ in rows if e.township_id == t) for t in townships), default=len(rows))
    campaign = create_campaign(
        actor=actor,
        values={
            "title": title.strip()[:120],
            "description": f"梯度培育走访：{step_label}。走访计划列出每家企业距离认定还差的条件。",
            "deadline": deadline,
            "target_per_township": per_township,
            "townships": townships,
        },
    )
    add_to_visit_plan(actor=actor, campaign=campaign, items=rows)
    return campaign
