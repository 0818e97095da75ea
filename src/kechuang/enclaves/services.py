"""Writes of the enclave assessment: contract versions (draft → signed, amended into new versions),
operator reports with evidence, platform-computed figures, bureau verification and finalisation.

Every function validates first and raises ValidationError with a Chinese message; history
(simple-history) records who changed what.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from kechuang.core.audit import record_money_decision
from kechuang.core.formatting import format_wan
from kechuang.core.uploads import check_content
from kechuang.enclaves import selectors
from kechuang.enclaves.models import Assessment, AssessmentContract, Evidence, IndicatorValue
from kechuang.enclaves.scoring import ContractError, contract_warnings, validate_contract
from kechuang.enclaves.specs import contract_from_spec, default_spec
from kechuang.orgs.models import Enclave
from kechuang.orgs.services import with_actor

EVIDENCE_SUFFIXES = frozenset(
    {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".zip", ".ofd"}
)
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


def check_spec(spec: dict[str, Any], *, enclave: str = "—", year: int = 2000) -> list[str]:
    """Every problem of a spec at once (Chinese), or [] when it can be signed."""
    try:
        contract = contract_from_spec(spec, enclave=enclave, year=year, period="Q4")
    except (ValueError, TypeError, KeyError) as exc:
        return [str(exc)]
    unknown = [
        f"指标「{row.get('name', row.get('code'))}」的平台统计来源“{row['source']}”不存在"
        for row in spec.get("indicators", [])
        if row.get("source") and row["source"] not in selectors.PLATFORM_SOURCES
    ]
    return validate_contract(contract) + unknown


def spec_warnings(spec: dict[str, Any]) -> list[str]:
    try:
        return contract_warnings(contract_from_spec(spec, enclave="—", year=2000, period="Q4"))
    except (ValueError, TypeError, KeyError, ContractError):
        return []


def create_contract(
    *, enclave: Enclave, year: int, actor: User | None, spec: dict[str, Any] | None = None, title: str = ""
) -> AssessmentContract:
    """A first draft for an enclave and year, from the indicator library unless a spec is given."""
    if AssessmentContract.objects.filter(enclave=enclave, year=year).exists():
        raise ValidationError(f"{enclave.name}{year}年度已有考核契约，请在现有契约上变更")
    spec = spec if spec is not None else default_spec()
    errors = check_spec(spec, enclave=enclave.name, year=year)
    if errors:
        raise ValidationError(errors)
    contract = AssessmentContract(
        enclave=enclave, year=year, spec=spec, title=title or f"{enclave.name}{year}年度运营绩效考核契约"
    )
    with_actor(contract, actor).save()
    return contract


def update_contract_spec(
    *, contract: AssessmentContract, spec: dict[str, Any], actor: User | None
) -> AssessmentContract:
    """Change a draft; a signed version is frozen (amend it instead)."""
    if contract.is_frozen:
        raise ValidationError("已签订的契约不能直接修改，请发起变更生成新版本")
    errors = check_spec(spec, enclave=contract.enclave.name, year=contract.year)
    if errors:
        raise ValidationError(errors)
    contract.spec = spec
    with_actor(contract, actor, "修改指标与规则").save(update_fields=["spec", "updated_at"])
    return contract


@transaction.atomic
def sign_contract(*, contract: AssessmentContract, actor: User | None) -> AssessmentContract:
    """Freeze this version; the previously signed version of the same year is superseded."""
    if contract.status != AssessmentContract.Status.DRAFT:
        raise ValidationError("只有草拟中的契约可以签订")
    errors = check_spec(contract.spec, enclave=contract.enclave.name, year=contract.year)
    if errors:
        raise ValidationError(errors)
    for old in AssessmentContract.objects.filter(
        enclave_id=contract.enclave_id, year=contract.year, status=AssessmentContract.Status.SIGNED
    ).exclude(pk=contract.pk):
        old.status = AssessmentContract.Status.SUPERSEDED
        with_actor(old, actor, f"被第{contract.version}版替代").save(update_fields=["status", "updated_at"])
    contract.status = AssessmentContract.Status.SIGNED
    contract.signed_at = timezone.now()
    contract.signed_by = actor
    with_actor(contract, actor, "签订").save(update_fields=["status", "signed_at", "signed_by", "updated_at"])
    return contract


def amend_contract(*, contract: AssessmentContract, reason: str, actor: User | None) -> AssessmentContract:
    """A new draft version copying the signed one; scores under the old version stay as they were."""
    if contract.status != AssessmentContract.Status.SIGNED:
        raise ValidationError("只能对现行已签订的契约发起变更")
    if not reason.strip():
        raise ValidationError("请填写变更原因")
    versions = AssessmentContract.objects.filter(enclave_id=contract.enclave_id, year=contract.year)
    if versions.filter(status=AssessmentContract.Status.DRAFT).exists():
        raise ValidationError("已有待签订的变更版本，请先完成或修改该版本")
    latest = max(v.version for v in versions)
    amended = AssessmentContract(
        enclave_id=contract.enclave_id,
        year=contract.year,
        version=latest + 1,
        title=contract.title,
        spec=contract.spec,
        amendment_reason=reason.strip()[:500],
        is_demo=contract.is_demo,
    )
    with_actor(amended, actor, reason.strip()[:100]).save()
    return amended


def parse_figure(raw: object, what: str) -> Decimal | None:
    """A typed figure → Decimal; blank → None; anything else a Chinese error naming the field."""
    if raw is None:
        return None
    text = str(raw).strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{what}“{raw}”不是有效数字") from None
    if not value.is_finite():
        raise ValidationError(f"{what}“{raw}”不是有效数字")
    return value


def _range_error(ind: dict[str, Any], value: Decimal) -> str | None:
    low = Decimal(ind.get("min_value") or 0)
    high = ind.get("max_value")
    if value < low:
        return f"“{ind['name']}”的填报值 {value} 小于允许的最小值 {low}"
    if high is not None and value > Decimal(high):
        return f"“{ind['name']}”的填报值 {value} 超过允许的最大值 {high}"
    return None


def _open_value(enclave_id: int, year: int, period: str, code: str, is_demo: bool = False) -> IndicatorValue:
    value, _ = IndicatorValue.objects.get_or_create(
        enclave_id=enclave_id, year=year, period=period, code=code, defaults={"is_demo": is_demo}
    )
    return value


def open_value(*, contract: AssessmentContract, period: str, code: str) -> IndicatorValue:
    """The value row an upload attaches to (created empty when the operator sends a file first)."""
    return _open_value(contract.enclave_id, contract.year, period, code, contract.is_demo)


def _not_finalised(contract: AssessmentContract, period: str) -> None:
    if selectors.is_finalised(contract, period):
        raise ValidationError("该考核期已定稿，数据不能再修改")


@transaction.atomic
def report_values(
    *,
    contract: AssessmentContract,
    period: str,
    figures: dict[str, object],
    actor: User | None,
    notes: dict[str, str] | None = None,
    at: dt.datetime | None = None,
) -> list[IndicatorValue]:
    """The operator's year-to-date figures for a checkpoint. All or nothing: one bad figure rejects the
    whole report with every problem listed, so nothing typed is half-saved."""
    _not_finalised(contract, period)
    indicators = {row["code"]: row for row in contract.spec.get("indicators", [])}
    unknown = sorted(set(figures) - set(indicators))
    if unknown:
        raise ValidationError(f"契约中没有这些指标：{'、'.join(unknown)}")
    errors: list[str] = []
    parsed: dict[str, Decimal | None] = {}
    for code, raw in figures.items():
        try:
            value = parse_figure(raw, f"“{indicators[code]['name']}”的填报值")
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        problem = None if value is None else _range_error(indicators[code], value)
        if problem:
            errors.append(problem)
        parsed[code] = value
    if errors:
        raise ValidationError(errors)
    when = at or timezone.now()
    saved = []
    for code, value in parsed.items():
        row = _open_value(contract.enclave_id, contract.year, period, code, contract.is_demo)
        note = (notes or {}).get(code, "").strip()[:500]
        if row.reported == value and row.report_note == note:
            continue
        row.reported = value
        row.reported_at = when if value is not None else None
        row.reported_by = actor
        row.report_note = note
        with_actor(row, actor, "运营方填报").save()
        saved.append(row)
    return saved


def add_evidence(*, value: IndicatorValue, upload: UploadedFile, actor: User | None) -> Evidence:
    """Attach a supporting document; type and size are checked before anything is stored."""
    name = PurePath(upload.name or "").name
    if PurePath(name).suffix.lower() not in EVIDENCE_SUFFIXES:
        raise ValidationError(f"“{name}”的文件类型不支持，请上传 PDF、图片、Word、Excel、OFD 或 ZIP 文件")
    if (upload.size or 0) > EVIDENCE_MAX_BYTES:
        raise ValidationError(f"“{name}”超过 20MB，请压缩后再上传")
    if not upload.size:
        raise ValidationError(f"“{name}”是空文件")
    check_content(upload, PurePath(name).suffix.lower())
    if selectors.period_is_final(value.enclave_id, value.year, value.period):
        raise ValidationError("该考核期已定稿，不能再补充材料")
    evidence = Evidence(value=value, file=upload, name=name[:200], size=upload.size, uploaded_by=actor)
    with_actor(evidence, actor).save()
    return evidence


def refresh_platform_figures(*, contract: AssessmentContract, period: str, actor: User | None = None) -> int:
    """Store what the platform counts itself beside the reported figures. Returns how many changed."""
    if selectors.is_finalised(contract, period):
        return 0
    figures = selectors.platform_figures(enclave_id=contract.enclave_id, year=contract.year, period=period)
    changed = 0
    now = timezone.now()
    for indicator in contract.spec.get("indicators", []):
        # A library indicator is counted under its own code; a personalised one may name a source.
        code = indicator["code"]
        figure = figures.get(indicator.get("source") or code)
        if figure is None:
            continue
        row = _open_value(contract.enclave_id, contract.year, period, code, contract.is_demo)
        if row.computed == figure.value and row.computed_basis == figure.basis[:500]:
            continue
        row.computed, row.computed_basis, row.computed_at = figure.value, figure.basis[:500], now
        with_actor(row, actor, "平台统计").save()
        changed += 1
    return changed


def verify_value(
    *, contract: AssessmentContract, period: str, code: str, verified: object, note: str, actor: User | None
) -> IndicatorValue:
    """The bureau settles a figure (e.g. when reported and computed differ). A note is required so the
    scorecard can say why; a blank figure clears an earlier verification."""
    _not_finalised(contract, period)
    indicator = next((row for row in contract.spec.get("indicators", []) if row["code"] == code), None)
    if indicator is None:
        raise ValidationError(f"契约中没有指标代码 {code}")
    value = parse_figure(verified, f"“{indicator['name']}”的核定值")
    if value is not None:
        problem = _range_error(indicator, value)
        if problem:
            raise ValidationError(problem.replace("填报值", "核定值"))
    if not note.strip():
        raise ValidationError("请填写核定说明（依据或与填报值不同的原因）")
    row = _open_value(contract.enclave_id, contract.year, period, code, contract.is_demo)
    row.verified = value
    row.verified_at = timezone.now() if value is not None else None
    row.verified_by = actor if value is not None else None
    row.verify_note = note.strip()[:500]
    with_actor(row, actor, "科技局核定").save()
    return row


@transaction.atomic
def finalise_assessment(
    *,
    contract: AssessmentContract,
    period: str,
    actor: User | None,
    note: str = "",
    as_of: dt.date | None = None,
) -> Assessment:
    """Freeze the checkpoint's card with the contract version that produced it."""
    if contract.status != AssessmentContract.Status.SIGNED:
        raise ValidationError("只能按现行已签订的契约定稿")
    _not_finalised(contract, period)
    view = selectors.scorecard(contract, period, as_of=as_of)
    assert view.live is not None
    pending = [r.name for r in view.live.indicators if r.needs_review]
    if pending:
        raise ValidationError(f"以下指标待核定，核定后才能定稿：{'、'.join(pending)}")
    card = view.live
    assessment = Assessment(
        enclave_id=contract.enclave_id,
        year=contract.year,
        period=period,
        contract=contract,
        total=card.total,
        grade=card.grade,
        reward=card.reward,
        card=card.to_dict(),
        finalised_by=actor,
        note=note.strip()[:500],
        is_demo=contract.is_demo,
    )
    with_actor(assessment, actor, "定稿").save()
    record_money_decision(
        action="enclave.assessment.finalise",
        summary=f"考核定稿：{contract.enclave}{contract.year}年{period}，{card.total}分，"
        f"{card.grade}，绩效奖励{format_wan(card.reward)}",
        actor=actor,
        target=assessment,
    )
    return assessment
