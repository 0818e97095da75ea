"""Pages: forms keep what was typed on a refusal, enterprises act on their own claims only, exports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from kechuang.techservices import services
from kechuang.techservices.models import Booking, ClaimStatus, IPCase, ServiceClaim
from tests.techservices import factories as fx

pytestmark = pytest.mark.django_db


def test_clashing_booking_comes_back_with_the_clash_and_the_typed_values(world: Any, client_for: Any) -> None:
    machine = fx.equipment()
    day = fx.future_day()
    services.book_equipment(
        actor=None,
        equipment=machine,
        enterprise=world.other_enterprise,
        starts_at=fx.aware(day, 9),
        ends_at=fx.aware(day, 12),
        purpose="检测",
    )
    client = client_for("enterprise")
    url = reverse("techservices:booking_create", args=[machine.pk])
    posted = {"starts_at": f"{day}T10:00", "ends_at": f"{day}T11:30", "purpose": "鞋底发泡工艺试制"}
    response = client.post(url, posted)
    assert response.status_code == 400
    text = response.content.decode()
    assert "已被预约" in text and "09:00–12:00" in text
    assert "鞋底发泡工艺试制" in text and f"{day}T10:00" in text
    assert Booking.objects.count() == 1
    ok = client.post(url, posted | {"starts_at": f"{day}T13:00", "ends_at": f"{day}T15:00"})
    assert ok.status_code == 302
    booking = Booking.objects.get(enterprise=world.own_enterprise)
    assert booking.fee_yuan == Decimal("600.00") and booking.booked_by == world.users["enterprise"]
    calendar = client.get(ok["Location"]).content.decode()
    assert "13:00–15:00 晋江市甲鞋业有限公司" in calendar and "09:00–12:00 已预约" in calendar


def test_claim_form_keeps_input_when_the_link_belongs_to_another_firm(world: Any, client_for: Any) -> None:
    from kechuang.demands.models import DockingMeeting

    meeting = DockingMeeting.objects.create(demand=world.own_demand, met_on=dt.date(2024, 6, 3), notes="对接")
    client = client_for("bureau_staff")
    posted = {
        "provider_kind": "research_platform",
        "provider_name": "福州大学晋江科教园",
        "enterprise": world.other_enterprise.organization.name,
        "meeting_id": str(meeting.pk),
        "problem": "窑炉能耗高",
        "action": "现场诊断并出具节能方案",
        "value_claimed_wan": "30",
    }
    response = client.post(reverse("techservices:claim_create"), posted)
    assert response.status_code == 400
    text = response.content.decode()
    assert "与所填服务企业" in text and "现场诊断并出具节能方案" in text
    assert ServiceClaim.objects.count() == 0
    posted["enterprise"] = ""
    assert client.post(reverse("techservices:claim_create"), posted).status_code == 302
    claim = ServiceClaim.objects.get()
    assert claim.enterprise == world.own_enterprise and claim.served_on == dt.date(2024, 6, 3)


def test_enclave_operator_claims_as_its_enclave(world: Any, client_for: Any) -> None:
    client = client_for("enclave_operator")
    posted = {
        "provider_kind": "other",
        "provider_name": "冒名",
        "enterprise": world.own_enterprise.organization.credit_code,
        "served_on": "2024-05-01",
        "problem": "芯片封装良率",
        "action": "对接武汉高校团队",
    }
    assert client.post(reverse("techservices:claim_create"), posted).status_code == 302
    claim = ServiceClaim.objects.get()
    assert (claim.provider_kind, claim.provider_name, claim.enclave) == (
        "enclave",
        world.own_enclave.name,
        world.own_enclave,
    )


def test_enterprise_confirms_and_disputes_its_own_claims(world: Any, client_for: Any) -> None:
    a, b = fx.claim(world.own_enterprise), fx.claim(world.own_enterprise)
    other = fx.claim(world.other_enterprise)
    client = client_for("enterprise")
    page = client.get(reverse("techservices:my_claims")).content.decode()
    assert f"#{a.pk}" in page and f"#{other.pk}" not in page
    assert client.post(reverse("techservices:claim_confirm", args=[a.pk])).status_code == 302
    refused = client.post(reverse("techservices:claim_dispute", args=[b.pk]), {f"c{b.pk}-reason": ""})
    assert refused.status_code == 400 and "请填写异议理由" in refused.content.decode()
    disputed = client.post(
        reverse("techservices:claim_dispute", args=[b.pk]), {f"c{b.pk}-reason": "未到企业"}
    )
    assert disputed.status_code == 302
    assert client.post(reverse("techservices:claim_confirm", args=[other.pk])).status_code == 404
    statuses = dict(ServiceClaim.objects.values_list("pk", "status"))
    assert statuses == {
        a.pk: ClaimStatus.CONFIRMED,
        b.pk: ClaimStatus.DISPUTED,
        other.pk: ClaimStatus.CLAIMED,
    }
    # Confirming the disputed one again is refused with a message, nothing changes.
    again = client.post(reverse("techservices:claim_confirm", args=[b.pk]), follow=True)
    assert "已提出异议，不能再确认" in again.content.decode()
    assert ServiceClaim.objects.get(pk=b.pk).status == ClaimStatus.DISPUTED


def test_ledger_page_figures_filter_and_export(world: Any, client_for: Any) -> None:
    a = fx.claim(world.own_enterprise, value_claimed_wan=Decimal("25"), solved=True)
    fx.claim(world.other_enterprise, value_claimed_wan=Decimal("40"))
    services.confirm_claim(actor=None, claim=a, enterprise=world.own_enterprise)
    client = client_for("bureau_staff")
    page = client.get(reverse("techservices:ledger") + "?status=confirmed").content.decode()
    assert "1 家次" in page and "25万元" in page and "40万元" in page  # pending value shown apart
    assert world.other_enterprise.organization.name not in page.split("<tbody>")[-1]
    export = client.get(reverse("techservices:ledger") + "?export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    township = client_for("township_officer").get(reverse("techservices:ledger")).content.decode()
    assert world.own_enterprise.organization.name in township
    assert world.other_enterprise.organization.name not in township


def test_ip_case_form_keeps_input_and_close_flow(world: Any, client_for: Any) -> None:
    client = client_for("bureau_staff")
    posted = {
        "enterprise": "不存在的企业",
        "case_type": "trademark",
        "title": "运动鞋商标仿冒案",
        "intake_on": "2024-03-01",
    }
    response = client.post(reverse("techservices:ipcase_create"), posted)
    assert response.status_code == 400 and "运动鞋商标仿冒案" in response.content.decode()
    posted["enterprise"] = world.own_enterprise.organization.name
    created = client.post(reverse("techservices:ipcase_create"), posted)
    case = IPCase.objects.get()
    assert created["Location"] == reverse("techservices:ipcase_detail", args=[case.pk])
    bad = client.post(
        reverse("techservices:ipcase_act", args=[case.pk, "close"]),
        {"close-on": "2024-03-10", "close-outcome": "mediated", "close-outcome_note": "双方和解"},
    )
    assert bad.status_code == 400 and "双方和解" in bad.content.decode()
    client.post(reverse("techservices:ipcase_act", args=[case.pk, "mediate"]), {"mediate-on": "2024-03-05"})
    client.post(
        reverse("techservices:ipcase_act", args=[case.pk, "close"]),
        {"close-on": "2024-03-10", "close-outcome": "mediated", "close-outcome_note": "双方和解"},
    )
    case.refresh_from_db()
    assert case.status == "closed" and case.outcome == "mediated" and case.closed_on == dt.date(2024, 3, 10)
    listing = client.get(reverse("techservices:ipcase_list")).content.decode()
    assert "调解成功" in listing and ">9<" in listing  # days open
