"""Writes to the registry. Every write goes through here so history records who did it and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core.validators import credit_code_error, normalise_credit_code, normalise_phone
from kechuang.orgs.choices import OrgKind
from kechuang.orgs.industries import industry_code_error
from kechuang.orgs.models import (
    Enterprise,
    EnterpriseYearFigure,
    Expert,
    IndustryChainTag,
    Organization,
    Qualification,
    Township,
)


@dataclass
class EnterpriseData:
    """What a person types about an enterprise; validated by the form, written by the service."""

    name: str
    credit_code: str
    township: Township | None = None
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    industry_code: str = ""
    is_above_scale: bool = False
    employees: int | None = None
    tech_staff: int | None = None
    founded_on: dt.date | None = None
    main_products: str = ""
    description: str = ""
    chains: list[IndustryChainTag] = field(default_factory=list)
    in_supported_field: bool | None = None
    innovation_score: int | None = None


def with_actor(obj: Any, actor: User | None, reason: str = "") -> Any:
    """Tell simple-history who made the change when it happens outside a request (CLI, jobs)."""
    if actor is not None:
        obj._history_user = actor
    if reason:
        obj._change_reason = reason
    return obj


def credit_code_taken(code: str, *, exclude_org_id: int | None = None) -> bool:
    qs = Organization.objects.filter(credit_code=normalise_credit_code(code))
    if exclude_org_id:
        qs = qs.exclude(pk=exclude_org_id)
    return qs.exists()


def _check_enterprise(data: EnterpriseData, *, exclude_org_id: int | None) -> None:
    errors: dict[str, str] = {}
    if error := credit_code_error(data.credit_code):
        errors["credit_code"] = error
    elif credit_code_taken(data.credit_code, exclude_org_id=exclude_org_id):
        errors["credit_code"] = "该统一社会信用代码已登记，请勿重复录入（可在企业库中搜索该代码）"
    if error := industry_code_error(data.industry_code):
        errors["industry_code"] = error
    if data.employees is not None and data.tech_staff is not None and data.tech_staff > data.employees:
        errors["tech_staff"] = "科技人员数不能大于从业人员数"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_enterprise(*, actor: User | None, data: EnterpriseData) -> Enterprise:
    _check_enterprise(data, exclude_org_id=None)
    org = with_actor(
        Organization(
            kind=OrgKind.ENTERPRISE,
            name=data.name.strip(),
            credit_code=normalise_credit_code(data.credit_code),
            township=data.township,
            address=data.address,
            contact_name=data.contact_name,
            contact_phone=normalise_phone(data.contact_phone),
            contact_email=data.contact_email,
            description=data.description,
        ),
        actor,
    )
    org.save()
    enterprise = with_actor(
        Enterprise(
            organization=org,
            township=data.township,
            industry_code=data.industry_code,
            is_above_scale=data.is_above_scale,
            employees=data.employees,
            tech_staff=data.tech_staff,
            founded_on=data.founded_on,
            main_products=data.main_products,
            in_supported_field=data.in_supported_field,
            innovation_score=data.innovation_score,
        ),
        actor,
    )
    enterprise.save()
    enterprise.chains.set(data.chains)
    return enterprise


@transaction.atomic
def update_enterprise(
    *, actor: User | None, enterprise: Enterprise, data: EnterpriseData, reason: str = ""
) -> Enterprise:
    _check_enterprise(data, exclude_org_id=enterprise.organization_id)
    org = enterprise.organization
    org.name = data.name.strip()
    org.credit_code = normalise_credit_code(data.credit_code)
    org.township = data.township
    org.address = data.address
    org.contact_name = data.contact_name
    org.contact_phone = normalise_phone(data.contact_phone)
    org.contact_email = data.contact_email
    org.description = data.description
    with_actor(org, actor, reason).save()
    enterprise.township = data.township
    enterprise.industry_code = data.industry_code
    enterprise.is_above_scale = data.is_above_scale
    enterprise.employees = data.employees
    enterprise.tech_staff = data.tech_staff
    enterprise.founded_on = data.founded_on
    enterprise.main_products = data.main_products
    enterprise.in_supported_field = data.in_supported_field
    enterprise.innovation_score = data.innovation_score
    with_actor(enterprise, actor, reason).save()
    enterprise.chains.set(data.chains)
    return enterprise


@transaction.atomic
def soft_delete_enterprise(*, actor: User | None, enterprise: Enterprise, reason: str) -> None:
    """Hide the enterprise everywhere but keep it (and its history) in the database."""
    if not reason.strip():
        raise ValidationError({"reason": "请填写删除原因"})
    now = timezone.now()
    for obj in (enterprise, enterprise.organization):
        obj.deleted_at = now
        with_actor(obj, actor, f"删除：{reason.strip()}").save()


@transaction.atomic
def restore_enterprise(*, actor: User | None, enterprise: Enterprise) -> None:
    org = enterprise.organization
    if credit_code_taken(org.credit_code, exclude_org_id=org.pk):
        raise ValidationError("已有同一统一社会信用代码的在册企业，不能恢复")
    for obj in (enterprise, org):
        obj.deleted_at = None
        with_actor(obj, actor, "恢复").save()


FIGURE_FIELDS = (
    "revenue",
    "rd_spend",
    "hightech_revenue",
    "has_rd_activity",
    "invention_patents",
    "utility_patents",
    "design_patents",
    "software_copyrights",
    "rd_spend_domestic",
    "total_assets",
    "total_cost",
    "taxes_paid",
    "employees",
    "tech_staff",
    "major_incident",
    "research_misconduct",
    "abnormal_listed",
    "restricted_products",
)


def save_year_figure(
    *, actor: User | None, enterprise: Enterprise, year: int, values: dict[str, Any]
) -> EnterpriseYearFigure:
    """Create or replace one year's figures; R&D spend cannot exceed revenue."""
    revenue, rd_spend = values.get("revenue"), values.get("rd_spend")
    errors = {}
    if revenue is not None and rd_spend is not None and Decimal(rd_spend) > Decimal(revenue):
        errors["rd_spend"] = "研发投入不能大于营业收入"
    hightech = values.get("hightech_revenue")
    if revenue is not None and hightech is not None and Decimal(hightech) > Decimal(revenue):
        errors["hightech_revenue"] = "高新技术产品收入不能大于营业收入"
    domestic = values.get("rd_spend_domestic")
    if rd_spend is not None and domestic is not None and Decimal(domestic) > Decimal(rd_spend):
        errors["rd_spend_domestic"] = "境内研发费用不能大于研发投入"
    employees, tech_staff = values.get("employees"), values.get("tech_staff")
    if employees is not None and tech_staff is not None and tech_staff > employees:
        errors["tech_staff"] = "科技人员不能多于职工总数"
    if errors:
        raise ValidationError(errors)
    figure = EnterpriseYearFigure.objects.filter(
        enterprise=enterprise, year=year
    ).first() or EnterpriseYearFigure(enterprise=enterprise, year=year)
    for name in FIGURE_FIELDS:
        if name in values:
            setattr(figure, name, values[name])
    if figure.rd_spend and figure.rd_spend > 0:
        figure.has_rd_activity = True
    figure.full_clean()
    with_actor(figure, actor).save()
    return figure


def add_qualification(
    *,
    actor: User | None,
    organization: Organization,
    kind: str,
    level: str = "",
    issuer: str = "",
    certificate_no: str = "",
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> Qualification:
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError({"valid_until": "有效期至不能早于生效日期"})
    qualification = Qualification(
        organization=organization,
        kind=kind,
        level=level,
        issuer=issuer,
        certificate_no=certificate_no,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    qualification.full_clean()
    with_actor(qualification, actor).save()
    return qualification


def remove_qualification(*, actor: User | None, qualification: Qualification) -> None:
    with_actor(qualification, actor).delete()


def update_expert(*, actor: User | None, expert: Expert, values: dict[str, Any]) -> Expert:
    for name, value in values.items():
        setattr(expert, name, value)
    expert.phone = normalise_phone(expert.phone)
    expert.full_clean()
    with_actor(expert, actor).save()
    return expert


def update_enclave(*, actor: User | None, enclave: Any, values: dict[str, Any]) -> Any:
    for name, value in values.items():
        setattr(enclave, name, value)
    enclave.full_clean()
    with_actor(enclave, actor).save()
    return enclave
