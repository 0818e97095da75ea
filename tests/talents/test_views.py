"""Talent pages: forms keep what was typed on a refusal; the enterprise sees its quota (N/U/R) and is
refused past it; the clear ID number never appears on pages, exports, the API or publicity — except on
the person page for a bureau administrator who asks; the list's query count does not grow with rows."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from ninja.testing import TestClient
from python_calamine import CalamineWorkbook

from kechuang.accounts.selectors import principal_for
from kechuang.talents import services
from kechuang.talents.api import router
from kechuang.talents.models import Certification, Person
from tests.talents.support import authorise, catalogue, id_number, person

pytestmark = pytest.mark.django_db


def _xlsx_text(content: bytes) -> str:
    book = CalamineWorkbook.from_filelike(BytesIO(content))
    rows = book.get_sheet_by_index(0).to_python()
    return "\n".join("|".join(str(c) for c in row) for row in rows)


def test_register_form_refuses_a_wrong_check_digit_keeping_what_was_typed(
    world: Any, client_for: Any
) -> None:
    staff = client_for("bureau_staff")
    good = id_number(5)
    wrong = good[:17] + ("3" if good[17] != "3" else "4")
    data = {
        "name": "陈晓明",
        "id_kind": "resident",
        "id_number": wrong,
        "source": "full_time",
        "field": "高分子材料",
        "enterprise": world.own_enterprise.organization.credit_code,
    }
    response = staff.post(reverse("talents:person_create"), data)
    body = response.content.decode()
    assert response.status_code == 200 and "校验位错误" in body and "高分子材料" in body and "陈晓明" in body
    assert Person.objects.count() == 0
    response = staff.post(reverse("talents:person_create"), {**data, "id_number": good})
    person_obj = Person.objects.get()
    assert response.status_code == 302 and person_obj.enterprise == world.own_enterprise
    response = staff.post(reverse("talents:person_create"), {**data, "name": "陈小明", "id_number": good})
    body = response.content.decode()
    assert "该证件号已登记：陈晓明" in body and person_obj.id_masked in body
    assert body.count(good) == 1 and f'value="{good}"' in body  # only the typer's own input, kept
    assert Person.objects.count() == 1


def test_enterprise_registers_own_staff_and_self_certifies_up_to_its_quota(
    world: Any, client_for: Any
) -> None:
    cat = catalogue()
    today = timezone.localdate()
    authorise(world.own_enterprise, [cat["C"]], places=2, year=today.year)
    ent = client_for("enterprise")
    for k in range(3):
        response = ent.post(
            reverse("talents:person_create"),
            {"name": f"员工{k}", "id_kind": "resident", "id_number": id_number(100 + k), "source": "local"},
        )
        assert response.status_code == 302
    people = list(Person.objects.order_by("name"))
    assert all(p.enterprise == world.own_enterprise for p in people)
    page = ent.get(reverse("talents:self_cert")).content.decode()
    assert "本年度名额 2，已用 0，剩余 2" in page
    basis = cat["items"]["C"].pk
    for p in people[:2]:
        assert ent.post(reverse("talents:self_cert"), {"person": p.pk, "basis": basis}).status_code == 302
    page = ent.get(reverse("talents:self_cert")).content.decode()
    assert "本年度名额 2，已用 2，剩余 0" in page
    response = ent.post(
        reverse("talents:self_cert"), {"person": people[2].pk, "basis": basis, "statement": "第三位"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "名额已用完" in body and "第三位" in body
    assert Certification.objects.count() == 2
    # the top level is not even offered, and posting it is refused
    response = ent.post(reverse("talents:self_cert"), {"person": people[2].pk, "basis": cat["items"]["A"].pk})
    assert Certification.objects.count() == 2 and response.status_code == 200


def test_clear_id_only_for_the_bureau_admin_on_request(world: Any, client_for: Any, caplog: Any) -> None:
    number = id_number(77)
    p = services.register_person(
        actor=None,
        name="王芳",
        id_number=number,
        source="full_time",
        phone="13905951234",
        enterprise=world.own_enterprise,
    )
    url = reverse("talents:person_detail", args=[p.pk])
    for role in ("bureau_staff", "enterprise", "bureau_admin"):
        body = client_for(role).get(url).content.decode()
        assert number not in body and p.id_masked in body
    staff_body = client_for("bureau_staff").get(url + "?reveal=1").content.decode()
    assert number not in staff_body and "139****1234" in staff_body
    admin_body = client_for("bureau_admin").get(url + "?reveal=1").content.decode()
    assert number in admin_body
    assert number not in caplog.text


def test_masking_in_list_export_api_publicity_and_verification(world: Any, client_for: Any) -> None:
    cat = catalogue()
    today = timezone.localdate()
    authorise(world.own_enterprise, [cat["C"]], places=3, year=today.year)
    numbers = [id_number(200 + k) for k in range(3)]
    people = [
        services.register_person(
            actor=None, name=f"公示人{k}", id_number=n, source="flexible", enterprise=world.own_enterprise
        )
        for k, n in enumerate(numbers)
    ]
    cert = services.submit_self_certification(
        actor=None,
        enterprise=world.own_enterprise,
        person=people[0],
        basis=cat["items"]["C"],
        on=today - dt.timedelta(days=14),
    )
    cert = services.certify(actor=None, certification=cert, on=today)
    services.submit_self_certification(
        actor=None, enterprise=world.own_enterprise, person=people[1], basis=cat["items"]["C"], on=today
    )
    staff = client_for("bureau_staff")
    pages = [
        staff.get(reverse("talents:list")).content.decode(),
        staff.get(
            reverse("talents:list") + f"?q={numbers[2]}"
        ).content.decode(),  # searched by ID, via the hash
        client_for("investor").get(reverse("talents:publicity")).content.decode(),
        client_for("public").get(reverse("talents:verify", args=[cert.certificate_no])).content.decode(),
        staff.get(reverse("talents:certificate", args=[cert.pk])).content.decode(),
        staff.get(reverse("talents:cert_detail", args=[cert.pk])).content.decode(),
        _xlsx_text(staff.get(reverse("talents:list") + "?export=xlsx").content),
        _xlsx_text(staff.get(reverse("talents:certificate", args=[cert.pk]) + "?export=xlsx").content),
        _xlsx_text(staff.get(reverse("talents:reports") + "?export=xlsx").content),
    ]
    for k, text in enumerate(pages):
        leaked = [n for n in numbers if n in text]
        # only the search page echoes the searcher's own query (box and links); never a stored number
        assert leaked == ([numbers[2]] if k == 1 else []), (k, leaked)
    assert people[0].id_masked in pages[0] and "公示人2" in pages[1] and "公示人0" not in pages[1]
    assert "公示人1" in pages[2] and "3505" not in pages[2]  # publicity: name, employer, level only
    assert "公示人0" in pages[3] and "有效" in pages[3] and people[0].id_masked not in pages[3]
    assert people[0].id_masked in pages[6] and "公示人2" in pages[6]

    api = TestClient(router)
    user = world.users["bureau_staff"]
    listing = api.get("/talents", user=user, principal=principal_for(user))
    assert listing.status_code == 200 and listing.json()["count"] == 3
    detail = api.get(f"/talents/{people[0].pk}", user=user, principal=principal_for(user))
    payload = str(listing.json()) + str(detail.json())
    assert not any(n in payload for n in numbers) and people[0].id_masked in payload
    assert detail.json()["certifications"][0]["certificate_no"] == cert.certificate_no
    other = world.users["enterprise"]
    assert api.get("/talents", user=other, principal=principal_for(other)).json()["count"] == 3
    investor = world.users["investor"]
    with pytest.raises(PermissionDenied):  # the project's API turns this into a 403 (kechuang.api)
        api.get("/talents", user=investor, principal=principal_for(investor))


def test_verification_of_an_unknown_number_is_a_clear_404(client_for: Any, world: Any) -> None:
    response = client_for("public").get(reverse("talents:verify", args=["JJRC-2099-000001"]))
    assert response.status_code == 404 and "未查到编号" in response.content.decode()


def test_list_query_count_is_bounded(world: Any, client_for: Any) -> None:
    cat = catalogue()
    staff = client_for("bureau_staff")
    url = reverse("talents:list")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff.get(url).status_code == 200
        return len(ctx.captured_queries)

    person(1, world.own_enterprise, enclave=world.own_enclave, source="enclave")
    few = queries()
    for k in range(2, 40):
        person(k, world.own_enterprise if k % 2 else world.other_enterprise, source="local")
    assert cat and queries() == few


def test_bureau_review_through_the_pages(world: Any, client_for: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    cat = catalogue()
    p = person(1, world.own_enterprise)
    ent = client_for("enterprise")
    response = ent.post(
        reverse("talents:person_apply", args=[p.pk]),
        {
            "basis": cat["items"]["A"].pk,
            "statement": "国际大奖",
            "evidence_files": [SimpleUploadedFile("x.exe", b"MZ")],
        },
    )
    assert (
        response.status_code == 200
        and "不支持的附件类型" in response.content.decode()
        and "国际大奖" in response.content.decode()
    )
    response = ent.post(
        reverse("talents:person_apply", args=[p.pk]),
        {
            "basis": cat["items"]["A"].pk,
            "statement": "国际大奖",
            "evidence_files": [SimpleUploadedFile("奖状.pdf", b"%PDF-1")],
        },
    )
    cert = Certification.objects.get()
    assert response.status_code == 302
    evidence = cert.evidence.get()
    download = ent.get(reverse("talents:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert (
        client_for("investor").get(reverse("talents:evidence_download", args=[evidence.pk])).status_code
        == 403
    )
    staff = client_for("bureau_staff")
    act = reverse("talents:cert_act", args=[cert.pk])
    staff.post(act, {"op": "accept"})
    staff.post(act, {"op": "first_review"})
    staff.post(act, {"op": "assign", "reviewer": world.users["expert"].pk})
    expert = client_for("expert")
    assert expert.get(reverse("talents:reviews")).content.decode().count("评分") >= 1
    assert (
        expert.post(
            reverse("talents:cert_score", args=[cert.pk]), {"score": "91", "comment": "优秀"}
        ).status_code
        == 302
    )
    staff.post(act, {"op": "conclude"})
    cert.refresh_from_db()
    assert cert.status == "publicity" and cert.review_score == 91
