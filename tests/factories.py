"""Plain helpers that build real rows for tests (no mocks)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User

from kechuang.accounts.models import Profile
from kechuang.core.validators import credit_code_check_char
from kechuang.orgs.choices import EnclaveModel, InstitutionCategory, InvestorKind, OrgKind, TownshipKind
from kechuang.orgs.models import (
    Enclave,
    Enterprise,
    EnterpriseYearFigure,
    Expert,
    Institution,
    Investor,
    Organization,
    Qualification,
    Township,
)

_seq = itertools.count(1)
PASSWORD = settings.KECHUANG_DEMO_PASSWORD


def credit_code(n: int | None = None) -> str:
    body = f"91350582{(n if n is not None else next(_seq)):09d}"
    return body + credit_code_check_char(body)


def township(name: str = "陈埭镇") -> Township:
    return Township.objects.get_or_create(name=name, defaults={"kind": TownshipKind.TOWN})[0]


def enterprise(
    name: str | None = None,
    *,
    town: Township | None = None,
    above_scale: bool = True,
    code: str | None = None,
) -> Enterprise:
    n = next(_seq)
    org = Organization.objects.create(
        kind=OrgKind.ENTERPRISE,
        name=name or f"测试企业{n}",
        credit_code=code or credit_code(n),
        township=town,
    )
    return Enterprise.objects.create(
        organization=org,
        township=town,
        industry_code="1952",
        is_above_scale=above_scale,
        employees=200,
        tech_staff=30,
    )


def figure(
    ent: Enterprise, year: int, revenue: str, rd: str, *, activity: bool = True
) -> EnterpriseYearFigure:
    return EnterpriseYearFigure.objects.create(
        enterprise=ent, year=year, revenue=Decimal(revenue), rd_spend=Decimal(rd), has_rd_activity=activity
    )


def qualification(
    ent: Enterprise, kind: str, *, until: dt.date | None = None, since: dt.date | None = None
) -> Qualification:
    return Qualification.objects.create(
        organization=ent.organization, kind=kind, valid_until=until, valid_from=since
    )


def institution(name: str = "测试大学") -> Institution:
    org = Organization.objects.create(kind=OrgKind.INSTITUTION, name=name)
    return Institution.objects.create(organization=org, category=InstitutionCategory.UNIVERSITY, city="福州")


def expert(name: str = "张教授", inst: Institution | None = None) -> Expert:
    return Expert.objects.create(
        name=name, institution=inst, title="教授", fields="材料", phone="13805951234"
    )


def investor(name: str = "测试创投") -> Investor:
    org = Organization.objects.create(kind=OrgKind.INVESTOR, name=name)
    return Investor.objects.create(organization=org, kind=InvestorKind.VC)


def enclave(name: str = "测试飞地", city: str = "武汉") -> Enclave:
    return Enclave.objects.create(name=name, city=city, model=EnclaveModel.TALENT)


def user(username: str, role: str, **scope: object) -> User:
    account = User.objects.create_user(
        username=username,
        password=PASSWORD,
        is_staff=role == "bureau_admin",
        is_superuser=role == "bureau_admin",
    )
    Profile.objects.create(user=account, role=role, display_name=username, **scope)  # type: ignore[arg-type]
    return account
