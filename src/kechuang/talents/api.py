"""JSON API for the talent registry: the same selectors, so the same row rules, as the pages. ID numbers
are always masked here (the clear number is never served by the API, whatever the role).

No `from __future__ import annotations` here: django-ninja resolves the Query[...] annotation at import."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kechuang.core.access import require
from kechuang.core.pagination import BoundedPageNumberPagination
from kechuang.core.pii import mask_phone
from kechuang.talents import selectors
from kechuang.talents.models import Person

router = Router(tags=["人才 talents"])


class TalentBrief(Schema):
    id: int
    name: str
    id_kind: str
    id_masked: str
    source: str
    source_label: str
    employer: str
    township: str | None
    enclave: str | None
    level: str | None


class CertificationOut(Schema):
    id: int
    level: str
    basis: str
    path: str
    status: str
    status_label: str
    submitted_on: dt.date
    certificate_no: str | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    review_score: Decimal | None


class TalentDetail(TalentBrief):
    phone_masked: str
    degree: str
    field: str
    title: str
    registered_on: dt.date
    certifications: list[CertificationOut]


class TalentQuery(Schema):
    q: str = ""
    level: str = ""
    source: str = ""
    township: int | None = None


def _brief(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "name": person.name,
        "id_kind": person.id_kind,
        "id_masked": person.id_masked,
        "source": person.source,
        "source_label": person.get_source_display(),
        "employer": person.employer_name,
        "township": person.township.name if person.township else None,
        "enclave": person.enclave.name if person.enclave else None,
        "level": getattr(person, "level_name", None),
    }


@router.get("/talents", response=list[TalentBrief], summary="我可查看的人才（证件号脱敏）")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_talents(request: HttpRequest, filters: Query[TalentQuery]) -> Any:
    principal = request.principal  # type: ignore[attr-defined]
    require(principal, "talent.view")
    qs = selectors.talent_list(
        principal=principal, filters=selectors.TalentFilters(**filters.dict()), as_of=timezone.localdate()
    )
    return _Mapped(qs)


class _Mapped:
    """A lazily mapped queryset: the paginator slices it, then only that page is turned into dicts."""

    def __init__(self, qs: Any) -> None:
        self.qs = qs

    def __len__(self) -> int:
        return int(self.qs.count())

    def count(self) -> int:
        return int(self.qs.count())

    def __getitem__(self, item: Any) -> Any:
        rows = self.qs[item]
        return [_brief(p) for p in rows] if isinstance(item, slice) else _brief(rows)


@router.get("/talents/{pk}", response=TalentDetail, summary="人才详情与认定记录（证件号脱敏）")
def get_talent(request: HttpRequest, pk: int) -> dict[str, Any]:
    principal = request.principal  # type: ignore[attr-defined]
    require(principal, "talent.view")
    person = selectors.person_get(principal, pk)
    return {
        **_brief(person),
        "level": None,
        "phone_masked": mask_phone(person.phone),
        "degree": person.get_degree_display(),
        "field": person.field,
        "title": person.title,
        "registered_on": person.registered_on,
        "certifications": [
            {
                "id": c.pk,
                "level": str(c.level),
                "basis": f"{c.basis.code} {c.basis.text}",
                "path": c.path,
                "status": c.status,
                "status_label": c.get_status_display(),
                "submitted_on": c.submitted_on,
                "certificate_no": c.certificate_no,
                "valid_from": c.valid_from,
                "valid_until": c.valid_until,
                "review_score": c.review_score,
            }
            for c in selectors.person_certifications(person)
        ],
    }
