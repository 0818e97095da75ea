"""Writes for the talent registry: persons, certifications (bureau review and 自主认定), publicity,
objections and certificates, authorisations, quota rules and the catalogue.

The one rule that must hold under any load: an enterprise's places for a year are never exceeded. The
place is taken by a conditional UPDATE (``used < places``) as the first write of the submission, under
a row lock on PostgreSQL, with the table's CheckConstraint as the last guard. Every refusal is a Chinese
ValidationError and writes nothing (each service is one transaction).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from kechuang.accounts.conflicts import check_reviewer, conflict_reason
from kechuang.core import pii
from kechuang.core.uploads import check_attachment
from kechuang.core.workdays import add_workdays
from kechuang.orgs.models import Enclave, Enterprise, EnterpriseYearFigure, Institution
from kechuang.talents.models import (
    OPEN_STATUSES,
    VIA_ENCLAVE_SOURCES,
    Authorization,
    CatalogueItem,
    CertificateCounter,
    Certification,
    CertPath,
    Employment,
    Evidence,
    ExpertScore,
    IdKind,
    Objection,
    ObjectionStatus,
    Person,
    Quota,
    QuotaRule,
    Source,
    Status,
    TalentLevel,
)
from kechuang.talents.quota import bands_error, places_for

logger = logging.getLogger("kechuang.talents")

LOCK_RETRIES = 8


def publicity_workdays() -> int:
    return int(getattr(settings, "KECHUANG_TALENT_PUBLICITY_WORKDAYS", 5))


def _today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


def _saved(obj: Any, actor: User | None, reason: str, *, exclude: Sequence[str] = ()) -> Any:
    obj.full_clean(exclude=list(exclude) or None)
    obj._history_user = actor
    obj._change_reason = reason
    obj.save()
    return obj


def _holidays() -> dict[dt.date, bool]:
    from kechuang.demands.models import Holiday

    return dict(Holiday.objects.values_list("date", "is_workday"))


def _d(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# ---- persons ---------------------------------------------------------------------------------------------


def _check_id(id_kind: str, id_number: str) -> str:
    number = pii.normalise_id(id_number)
    if not number:
        raise ValidationError({"id_number": "请填写证件号码"})
    error = pii.resident_id_error(number) if id_kind == IdKind.RESIDENT else pii.passport_error(number)
    if error:
        raise ValidationError({"id_number": error})
    return number


def duplicate_message(person: Person) -> str:
    return (
        f"该证件号已登记：{person.name}（{person.id_masked}，人才编号 {person.pk}），"
        "一人只建一条记录，请在该记录上办理"
    )


def _employer_fields(
    enterprise: Enterprise | None, institution: Institution | None, enclave: Enclave | None
) -> dict[str, Any]:
    chosen = [x for x in (enterprise, institution, enclave) if x is not None]
    if len(chosen) != 1:
        raise ValidationError({"enterprise": "请选择一个工作单位（企业、高校院所或飞地，只选一项）"})
    if enterprise is not None:
        return {
            "enterprise": enterprise,
            "employer_name": enterprise.organization.name,
            "township": enterprise.township,
        }
    if institution is not None:
        return {
            "enterprise": None,
            "employer_name": institution.organization.name,
            "township": institution.organization.township,
        }
    assert enclave is not None
    return {"enterprise": None, "employer_name": enclave.name, "township": None}


@transaction.atomic
def register_person(
    *,
    actor: User | None,
    name: str,
    id_number: str,
    source: str,
    id_kind: str = IdKind.RESIDENT,
    phone: str = "",
    degree: str = "",
    field: str = "",
    title: str = "",
    enclave: Enclave | None = None,
    enterprise: Enterprise | None = None,
    institution: Institution | None = None,
    employer_enclave: Enclave | None = None,
    since: dt.date | None = None,
    on: dt.date | None = None,
    is_demo: bool = False,
) -> Person:
    """Register a talent (one person, one record: a known ID number is refused, naming the record)."""
    today = _today(on)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写姓名"})
    number = _check_id(id_kind, id_number)
    digest = pii.id_lookup_hash(number)
    existing = Person.objects.filter(id_hash=digest).first()
    if existing is not None:
        raise ValidationError({"id_number": duplicate_message(existing)})
    if source in VIA_ENCLAVE_SOURCES and source == Source.ENCLAVE and enclave is None:
        raise ValidationError({"enclave": "飞地引进的人才请选择引进飞地"})
    if source not in VIA_ENCLAVE_SOURCES:
        enclave = None
    employer = _employer_fields(enterprise, institution, employer_enclave)
    person = Person(
        name=name,
        id_kind=id_kind,
        id_hash=digest,
        id_cipher=pii.encrypt_id(number),
        id_masked=pii.mask_id(number),
        phone=(phone or "").strip(),
        degree=degree,
        field=(field or "").strip(),
        title=(title or "").strip(),
        source=source,
        enclave=enclave,
        registered_on=today,
        is_demo=is_demo,
        **employer,
    )
    try:
        with transaction.atomic():
            _saved(person, actor, "登记人才", exclude=["id_hash"])
    except IntegrityError as exc:  # a parallel registration of the same number won the race
        existing = Person.objects.filter(id_hash=digest).first()
        if existing is None:
            raise
        raise ValidationError({"id_number": duplicate_message(existing)}) from exc
    _saved(
        Employment(
            person=person,
            enterprise=enterprise,
            institution=institution,
            enclave=employer_enclave,
            since=since or today,
        ),
        actor,
        "登记任职",
    )
    logger.info("talent registered: person %s (%s)", person.pk, person.id_masked)
    return person


@transaction.atomic
def change_employer(
    *,
    actor: User | None,
    person: Person,
    since: dt.date,
    enterprise: Enterprise | None = None,
    institution: Institution | None = None,
    enclave: Enclave | None = None,
) -> Employment:
    """The person moves: the open employment ends the day before ``since``, a new one starts."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    employer = _employer_fields(enterprise, institution, enclave)
    current = person.employments.filter(until__isnull=True).first()
    if current is not None:
        if since <= current.since:
            raise ValidationError({"since": f"入职日期应晚于现单位的入职日期（{_d(current.since)}）"})
        current.until = since - dt.timedelta(days=1)
        _saved(current, actor, "离职")
    employment = _saved(
        Employment(
            person=person, enterprise=enterprise, institution=institution, enclave=enclave, since=since
        ),
        actor,
        "变更工作单位",
    )
    for key, value in employer.items():
        setattr(person, key, value)
    _saved(person, actor, "变更工作单位", exclude=["id_hash"])
    return employment


def clear_id(person: Person) -> str:
    """The clear ID number (for the holder or staff with talent.pii only; the caller checks)."""
    return pii.decrypt_id(person.id_cipher)


# ---- checks shared by both paths ----------------------------------------------------------------------


def _check_candidate(person: Person, basis: CatalogueItem, today: dt.date) -> None:
    if basis.valid_until is not None and basis.valid_until < today:
        raise ValidationError(
            {
                "basis": f"认定依据“{basis.code} {basis.text}”已于{_d(basis.valid_until)}失效，"
                "请选择现行目录条目"
            }
        )
    level = basis.level
    held = (
        Certification.objects.filter(
            person=person,
            status=Status.CERTIFIED,
            valid_from__lte=today,
            valid_until__gte=today,
            level__rank__lte=level.rank,
        )
        .select_related("level")
        .first()
    )
    if held is not None:
        raise ValidationError(
            {
                "basis": f"{person.name}已持有有效的“{held.level}”认定（证书 {held.certificate_no}，"
                f"有效期至{_d(held.valid_until)}），不能再认定同级或更低层次"  # type: ignore[arg-type]
            }
        )
    pending = Certification.objects.filter(person=person, status__in=OPEN_STATUSES).first()
    if pending is not None:
        raise ValidationError(
            f"{person.name}已有在办的认定申请（{pending.get_status_display()}），请办结后再申报"
        )


# ---- quota -----------------------------------------------------------------------------------------------


def rule_for(year: int) -> QuotaRule | None:
    """The active rule of that year, else the latest active rule of an earlier year."""
    return QuotaRule.objects.filter(active=True, year__lte=year).order_by("-year", "-pk").first()


def last_year_taxes(enterprise: Enterprise, year: int) -> Decimal | None:
    return (
        EnterpriseYearFigure.objects.filter(enterprise=enterprise, year=year - 1)
        .values_list("taxes_paid", flat=True)
        .first()
    )


def computed_places(enterprise: Enterprise, year: int) -> tuple[int, Decimal | None, QuotaRule | None]:
    rule = rule_for(year)
    taxes = last_year_taxes(enterprise, year)
    if rule is None:
        return 0, taxes, None
    return places_for(rule.bands, rule.cap, taxes), taxes, rule


def ensure_quota(enterprise: Enterprise, year: int) -> Quota:
    """The enterprise's quota row for the year, created from the active rule when missing."""
    quota = Quota.objects.filter(enterprise=enterprise, year=year).first()
    if quota is not None:
        return quota
    places, taxes, rule = computed_places(enterprise, year)
    try:
        with transaction.atomic():
            return Quota.objects.create(
                enterprise=enterprise, year=year, places=places, taxes_wan=taxes, rule=rule
            )
    except IntegrityError:  # created by a parallel submission
        return Quota.objects.get(enterprise=enterprise, year=year)


def quota_refusal(quota: Quota) -> ValidationError:
    return ValidationError(
        f"本年度自主认定名额已用完：名额 {quota.places} 个，已用 {quota.used} 个，剩余 0 个。"
        "如需增加名额请联系科技局"
    )


def _take_place(quota: Quota) -> None:
    """Take one place or refuse: a conditional UPDATE is atomic on both databases; the lock and the
    CheckConstraint stay as further guards."""
    Quota.objects.select_for_update().filter(pk=quota.pk).first()
    try:
        with transaction.atomic():
            taken = Quota.objects.filter(pk=quota.pk, used__lt=F("places")).update(used=F("used") + 1)
    except IntegrityError as exc:
        quota.refresh_from_db()
        raise quota_refusal(quota) from exc
    if taken != 1:
        quota.refresh_from_db()
        raise quota_refusal(quota)


def _return_place(cert: Certification) -> None:
    if cert.holds_place and cert.enterprise_id:
        Quota.objects.filter(enterprise_id=cert.enterprise_id, year=cert.year, used__gt=0).update(
            used=F("used") - 1
        )
    cert.holds_place = False


def authorization_for(enterprise: Enterprise, today: dt.date) -> Authorization | None:
    return (
        Authorization.objects.filter(
            enterprise=enterprise, active=True, valid_from__lte=today, valid_until__gte=today
        )
        .prefetch_related("levels")
        .first()
    )


def _check_authorization(enterprise: Enterprise, level: TalentLevel, today: dt.date) -> None:
    if level.rank == 1 or not level.self_certifiable:
        raise ValidationError({"basis": f"“{level}”不可由用人单位自主认定，须由科技局评审认定"})
    authorization = authorization_for(enterprise, today)
    if authorization is None:
        last = Authorization.objects.filter(enterprise=enterprise).order_by("-valid_until").first()
        if last is None:
            raise ValidationError("该企业未获自主认定授权，请向科技局申请授权或走评审认定")
        if not last.active:
            raise ValidationError("该企业的自主认定授权已被撤销")
        if last.valid_until < today:
            raise ValidationError(f"该企业的自主认定授权已于{_d(last.valid_until)}到期，请向科技局申请续期")
        raise ValidationError(f"该企业的自主认定授权自{_d(last.valid_from)}起生效")
    allowed = list(authorization.levels.all())
    if level not in allowed:
        names = "、".join(str(x) for x in allowed) or "无"
        raise ValidationError({"basis": f"授权范围不含“{level}”，本企业可自主认定：{names}"})


def _is_locked(exc: OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "deadlock" in text or "could not serialize" in text


def submit_self_certification(
    *,
    actor: User | None,
    enterprise: Enterprise,
    person: Person,
    basis: CatalogueItem,
    statement: str = "",
    on: dt.date | None = None,
    is_demo: bool = False,
) -> Certification:
    """An authorised enterprise certifies one of its own talents: a place is taken now (returned when the
    certification is withdrawn or refused). Retried a few times when SQLite is busy, then refused."""
    for attempt in range(LOCK_RETRIES):
        try:
            return _submit_self(
                actor=actor,
                enterprise=enterprise,
                person=person,
                basis=basis,
                statement=statement,
                on=on,
                is_demo=is_demo,
            )
        except OperationalError as exc:
            if not _is_locked(exc) or attempt == LOCK_RETRIES - 1:
                if _is_locked(exc):
                    raise ValidationError("系统繁忙，提交未成功，请稍后重试（未占用名额）") from exc
                raise
            time.sleep(0.05 * (2**attempt) * (1 + random.random()))
    raise AssertionError("unreachable")


@transaction.atomic
def _submit_self(
    *,
    actor: User | None,
    enterprise: Enterprise,
    person: Person,
    basis: CatalogueItem,
    statement: str,
    on: dt.date | None,
    is_demo: bool,
) -> Certification:
    today = _today(on)
    basis = CatalogueItem.objects.select_related("level").get(pk=basis.pk)
    level = basis.level
    if person.enterprise_id != enterprise.pk:
        raise ValidationError({"person": f"{person.name}不在本企业任职，只能自主认定本单位在职人才"})
    _check_authorization(enterprise, level, today)
    _check_candidate(person, basis, today)
    quota = ensure_quota(enterprise, today.year)
    _take_place(quota)
    cert = Certification(
        person=person,
        level=level,
        basis=basis,
        path=CertPath.SELF,
        enterprise=enterprise,
        employer_name=enterprise.organization.name,
        year=today.year,
        status=Status.FILING if level.needs_filing else Status.PUBLICITY,
        holds_place=True,
        statement=(statement or "").strip(),
        submitted_by=actor,
        submitted_on=today,
        is_demo=is_demo,
    )
    if not level.needs_filing:
        _open_publicity(cert, today)
    _saved(cert, actor, "自主认定（占用名额）")
    logger.info(
        "self-certification %s by enterprise %s for person %s", cert.pk, enterprise.pk, person.id_masked
    )
    return cert


def _open_publicity(cert: Certification, today: dt.date) -> None:
    cert.status = Status.PUBLICITY
    cert.publicity_from = today
    cert.publicity_until = add_workdays(today, publicity_workdays(), _holidays())


def _locked(cert: Certification) -> Certification:
    return (
        Certification.objects.select_for_update().select_related("level", "basis", "person").get(pk=cert.pk)
    )


def _require_status(cert: Certification, *statuses: str) -> None:
    if cert.status not in statuses:
        labels = "、".join(Status(s).label for s in statuses)
        raise ValidationError(f"当前状态为“{cert.get_status_display()}”，只有“{labels}”的申请可以办理此项")


@transaction.atomic
def approve_filing(
    *, actor: User | None, certification: Certification, note: str = "", on: dt.date | None = None
) -> Certification:
    """Staff approve the filing (备案) a level requires; the certification then goes to publicity."""
    cert = _locked(certification)
    _require_status(cert, Status.FILING)
    cert.filing_note = (note or "备案通过").strip()[:300]
    _open_publicity(cert, _today(on))
    return _saved(cert, actor, "备案通过，进入公示")


@transaction.atomic
def withdraw_certification(
    *, actor: User | None, certification: Certification, reason: str = "", on: dt.date | None = None
) -> Certification:
    cert = _locked(certification)
    _require_status(cert, *OPEN_STATUSES)
    _return_place(cert)
    cert.status = Status.WITHDRAWN
    cert.decided_on = _today(on)
    cert.decision_reason = (reason or "申报单位撤回").strip()[:500]
    return _saved(cert, actor, "撤回（退还名额）" if cert.path == CertPath.SELF else "撤回")


@transaction.atomic
def refuse_certification(
    *, actor: User | None, certification: Certification, reason: str, on: dt.date | None = None
) -> Certification:
    """不予认定 at any open stage, with a reason; a self-certification's place is returned."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写不予认定的理由"})
    cert = _locked(certification)
    _require_status(cert, *OPEN_STATUSES)
    _return_place(cert)
    cert.status = Status.REFUSED
    cert.decided_on = _today(on)
    cert.decision_reason = reason[:500]
    return _saved(cert, actor, "不予认定")


# ---- bureau review ---------------------------------------------------------------------------------------


@transaction.atomic
def apply_for_certification(
    *,
    actor: User | None,
    person: Person,
    basis: CatalogueItem,
    statement: str = "",
    files: Iterable[UploadedFile] = (),
    on: dt.date | None = None,
    is_demo: bool = False,
) -> Certification:
    """An application to the bureau (评审认定) with evidence files; any level, the top one included."""
    today = _today(on)
    basis = CatalogueItem.objects.select_related("level").get(pk=basis.pk)
    _check_candidate(person, basis, today)
    uploads = list(files)
    names = []
    for upload in uploads:
        try:
            names.append(check_attachment(upload))
        except ValidationError as exc:
            raise ValidationError({"evidence_files": exc.messages}) from exc
    cert = _saved(
        Certification(
            person=person,
            level=basis.level,
            basis=basis,
            path=CertPath.BUREAU,
            enterprise=person.enterprise,
            employer_name=person.employer_name,
            year=today.year,
            status=Status.SUBMITTED,
            statement=(statement or "").strip(),
            submitted_by=actor,
            submitted_on=today,
            is_demo=is_demo,
        ),
        actor,
        "提交评审认定申请",
    )
    for upload, name in zip(uploads, names, strict=True):
        Evidence.objects.create(certification=cert, file=upload, name=name[:200], size=upload.size or 0)
    return cert


@transaction.atomic
def add_evidence(*, actor: User | None, certification: Certification, upload: UploadedFile) -> Evidence:
    cert = _locked(certification)
    _require_status(cert, Status.SUBMITTED, Status.ACCEPTED)
    try:
        name = check_attachment(upload)
    except ValidationError as exc:
        raise ValidationError({"evidence_files": exc.messages}) from exc
    return Evidence.objects.create(certification=cert, file=upload, name=name[:200], size=upload.size or 0)


@transaction.atomic
def accept_application(*, actor: User | None, certification: Certification, note: str = "") -> Certification:
    cert = _locked(certification)
    _require_status(cert, Status.SUBMITTED)
    if not cert.evidence.exists():
        raise ValidationError("申请未附证明材料，不能受理")
    cert.status = Status.ACCEPTED
    cert.review_note = (note or "").strip()[:300]
    return _saved(cert, actor, "受理")


@transaction.atomic
def pass_first_review(*, actor: User | None, certification: Certification, note: str = "") -> Certification:
    cert = _locked(certification)
    _require_status(cert, Status.ACCEPTED)
    cert.status = Status.FIRST_REVIEW
    cert.review_note = (note or "初审通过").strip()[:300]
    return _saved(cert, actor, "初审通过")


def _organization_id(cert: Certification) -> int | None:
    return cert.enterprise.organization_id if cert.enterprise_id and cert.enterprise else None


@transaction.atomic
def assign_reviewer(*, actor: User | None, certification: Certification, reviewer: User) -> ExpertScore:
    """Assign an expert (conflict-of-interest check of kechuang.accounts.conflicts); starts 专家评审."""
    cert = _locked(certification)
    _require_status(cert, Status.FIRST_REVIEW, Status.EXPERT_REVIEW)
    check_reviewer(reviewer, submitted_by_id=cert.submitted_by_id, organization_id=_organization_id(cert))
    if ExpertScore.objects.filter(certification=cert, reviewer=reviewer).exists():
        raise ValidationError("该专家已分配评审此申请")
    score = _saved(ExpertScore(certification=cert, reviewer=reviewer), actor, "分配评审专家")
    if cert.status != Status.EXPERT_REVIEW:
        cert.status = Status.EXPERT_REVIEW
        _saved(cert, actor, "进入专家评审")
    return score


@transaction.atomic
def score_certification(
    *,
    reviewer: User,
    certification: Certification,
    score: int | None,
    comment: str = "",
    conflict_declared: bool = False,
    on: dt.date | None = None,
) -> ExpertScore:
    cert = _locked(certification)
    _require_status(cert, Status.EXPERT_REVIEW)
    row = ExpertScore.objects.select_for_update().filter(certification=cert, reviewer=reviewer).first()
    if row is None:
        raise ValidationError("您未被分配评审此申请")
    if not conflict_declared and (score is None or not 0 <= score <= 100):
        raise ValidationError({"score": "评分应为 0 至 100 分"})
    row.score = None if conflict_declared else score
    row.comment = (comment or "").strip()[:500]
    row.conflict_declared = conflict_declared
    row.scored_on = _today(on)
    return _saved(row, reviewer, "声明利益冲突" if conflict_declared else "专家评分")


def counted_scores(cert: Certification) -> list[ExpertScore]:
    """Scores that count: given, and the reviewer neither declared nor has a conflict of interest."""
    rows = list(
        ExpertScore.objects.filter(certification=cert, score__isnull=False).select_related("reviewer")
    )
    org = _organization_id(cert)
    return [
        row
        for row in rows
        if conflict_reason(
            row.reviewer,
            declared=row.conflict_declared,
            submitted_by_id=cert.submitted_by_id,
            organization_id=org,
        )
        is None
    ]


PASS_SCORE = 60


@transaction.atomic
def conclude_review(
    *, actor: User | None, certification: Certification, on: dt.date | None = None
) -> Certification:
    """The mean of the counted scores decides: ≥ 60 goes to publicity, below is 不予认定 with the mean."""
    cert = _locked(certification)
    _require_status(cert, Status.EXPERT_REVIEW)
    pending = ExpertScore.objects.filter(
        certification=cert, score__isnull=True, conflict_declared=False
    ).count()
    if pending:
        raise ValidationError(f"还有 {pending} 位专家未评分")
    scores = counted_scores(cert)
    if not scores:
        raise ValidationError("没有有效的专家评分（评分均因利益冲突不计），请另行分配专家")
    mean = (Decimal(sum(s.score or 0 for s in scores)) / len(scores)).quantize(Decimal("0.01"))
    cert.review_score = mean
    today = _today(on)
    if mean < PASS_SCORE:
        cert.status = Status.REFUSED
        cert.decided_on = today
        cert.decision_reason = f"专家评审平均分 {mean} 分，低于 {PASS_SCORE} 分"
        return _saved(cert, actor, "专家评审未通过，不予认定")
    _open_publicity(cert, today)
    return _saved(cert, actor, f"专家评审通过（均分 {mean}），进入公示")


# ---- publicity, objections, certificates --------------------------------------------------------------


@transaction.atomic
def file_objection(
    *, actor: User | None, certification: Certification, reason: str, on: dt.date | None = None
) -> Objection:
    """Anyone signed in may object during publicity; the certification is then held until staff decide."""
    today = _today(on)
    reason = (reason or "").strip()
    cert = _locked(certification)
    if cert.status not in (Status.PUBLICITY, Status.ON_HOLD) or cert.publicity_until is None:
        raise ValidationError("该认定不在公示期，不能提出异议")
    if today > cert.publicity_until:
        raise ValidationError(f"公示期已结束（{_d(cert.publicity_until)}），不能再提出异议")
    if len(reason) < 5:
        raise ValidationError({"reason": "请写明异议理由（不少于5个字）"})
    objection = _saved(
        Objection(certification=cert, by=actor, reason=reason[:2000], filed_on=today), actor, "提出公示异议"
    )
    if cert.status != Status.ON_HOLD:
        cert.status = Status.ON_HOLD
        _saved(cert, actor, "公示异议，暂缓认定")
    return objection


@transaction.atomic
def decide_objection(
    *, actor: User | None, objection: Objection, upheld: bool, note: str, on: dt.date | None = None
) -> Objection:
    """Upheld: 不予认定 (a place is returned). Dismissed: back to publicity when no objection is left open."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请填写处理意见"})
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != ObjectionStatus.OPEN:
        raise ValidationError("该异议已处理")
    today = _today(on)
    cert = _locked(objection.certification)
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.decided_by = actor
    objection.decided_on = today
    objection.decision_note = note[:500]
    _saved(objection, actor, objection.get_status_display())
    if upheld:
        if cert.status in OPEN_STATUSES:
            _return_place(cert)
            cert.status = Status.REFUSED
            cert.decided_on = today
            cert.decision_reason = f"公示异议成立：{note}"[:500]
            _saved(cert, actor, "公示异议成立，不予认定")
    elif (
        cert.status == Status.ON_HOLD
        and not cert.objections.filter(status=ObjectionStatus.OPEN).exclude(pk=objection.pk).exists()
    ):
        cert.status = Status.PUBLICITY
        _saved(cert, actor, "异议不成立，恢复公示")
    return objection


def _next_certificate_no(year: int) -> str:
    CertificateCounter.objects.get_or_create(year=year)
    CertificateCounter.objects.filter(year=year).update(last=F("last") + 1)
    number = CertificateCounter.objects.get(year=year).last
    return f"JJRC-{year}-{number:06d}"


@transaction.atomic
def certify(*, actor: User | None, certification: Certification, on: dt.date | None = None) -> Certification:
    """After publicity with no open objection: 认定, a certificate number and the basis's validity."""
    today = _today(on)
    cert = _locked(certification)
    if cert.status == Status.ON_HOLD:
        raise ValidationError("公示异议尚未处理，不能认定")
    _require_status(cert, Status.PUBLICITY)
    assert cert.publicity_until is not None
    if today <= cert.publicity_until:
        raise ValidationError(f"公示期至{_d(cert.publicity_until)}，期满后方可认定")
    cert.status = Status.CERTIFIED
    cert.holds_place = False if cert.path == CertPath.BUREAU else cert.holds_place
    cert.certificate_no = _next_certificate_no(today.year)
    cert.valid_from = today
    cert.valid_until = add_years(today, cert.basis.validity_years) - dt.timedelta(days=1)
    cert.decided_on = today
    cert.decision_reason = cert.decision_reason or "公示无异议，予以认定"
    return _saved(cert, actor, f"认定，发放证书 {cert.certificate_no}")


# ---- authorisations, quota rules, catalogue -----------------------------------------------------------


@transaction.atomic
def save_authorization(
    *,
    actor: User | None,
    enterprise: Enterprise,
    valid_from: dt.date,
    valid_until: dt.date,
    levels: Iterable[TalentLevel],
    active: bool = True,
    note: str = "",
    authorization: Authorization | None = None,
    is_demo: bool = False,
) -> Authorization:
    chosen = list(levels)
    if not chosen:
        raise ValidationError({"levels": "请至少选择一个可认定层次"})
    top = [x for x in chosen if x.rank == 1 or not x.self_certifiable]
    if top:
        raise ValidationError({"levels": f"“{top[0]}”不可授权用人单位自主认定"})
    if valid_until < valid_from:
        raise ValidationError({"valid_until": "授权截止日期不能早于起始日期"})
    creating = authorization is None
    auth = authorization or Authorization(is_demo=is_demo)
    auth.enterprise = enterprise
    auth.valid_from, auth.valid_until, auth.active, auth.note = valid_from, valid_until, active, note.strip()
    overlapping = Authorization.objects.filter(
        enterprise=enterprise, active=True, valid_from__lte=valid_until, valid_until__gte=valid_from
    ).exclude(pk=auth.pk)
    if active and overlapping.exists():
        raise ValidationError("该企业在此期间已有有效授权，请修改原授权")
    _saved(auth, actor, "授权自主认定" if creating else "修改自主认定授权")
    auth.levels.set(chosen)
    return auth


def save_quota_rule(
    *,
    actor: User | None,
    name: str,
    year: int,
    bands: list[list[Any]],
    cap: int,
    active: bool = True,
    rule: QuotaRule | None = None,
    is_demo: bool = False,
) -> QuotaRule:
    error = bands_error(bands)
    if error:
        raise ValidationError({"bands": error})
    if cap < 0:
        raise ValidationError({"cap": "名额上限不能为负数"})
    creating = rule is None
    rule = rule or QuotaRule(is_demo=is_demo)
    rule.name, rule.year, rule.bands, rule.cap, rule.active = name.strip(), year, bands, cap, active
    return _saved(rule, actor, "新增名额规则" if creating else "修改名额规则")  # type: ignore[no-any-return]


def save_level(*, actor: User | None, level: TalentLevel | None = None, **values: Any) -> TalentLevel:
    creating = level is None
    level = level or TalentLevel()
    for key, value in values.items():
        setattr(level, key, value)
    if level.rank == 1:
        level.self_certifiable = False
    if not level.self_certifiable:
        level.needs_filing = False
    return _saved(level, actor, "新增人才层次" if creating else "修改人才层次")  # type: ignore[no-any-return]


def save_catalogue_item(
    *, actor: User | None, item: CatalogueItem | None = None, **values: Any
) -> CatalogueItem:
    creating = item is None
    item = item or CatalogueItem()
    for key, value in values.items():
        setattr(item, key, value)
    return _saved(item, actor, "新增目录条目" if creating else "修改目录条目")  # type: ignore[no-any-return]
