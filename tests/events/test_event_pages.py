"""The event pages end to end: register, approve, request, accept, schedule, agenda and table plan."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone
from openpyxl import load_workbook

from kechuang.events import services
from kechuang.events.models import Meeting, MeetingRequest, Registration


def test_fair_from_registration_to_agenda(client_for: Any, world: Any) -> None:
    start = timezone.now() + dt.timedelta(days=10)
    event = services.create_event(
        title="鞋服产业对接会",
        kind="fair",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=4),
        venue="陈埭镇会议中心",
    )
    services.add_slots(event=event, first_start=start, minutes=30, count=4, tables=5)
    enterprise, investor, staff = client_for("enterprise"), client_for("investor"), client_for("bureau_staff")
    for client in (enterprise, investor):
        assert client.post(f"/events/{event.pk}/act/register/", {"contact_name": "联系人"}).status_code == 302
    for registration in Registration.objects.filter(event=event):
        staff.post(f"/events/{event.pk}/act/review/", {"registration": registration.pk, "approve": "1"})
    investor_reg = Registration.objects.get(event=event, organization=world.investor.organization)
    enterprise.post(
        f"/events/{event.pk}/act/request/", {"invitee": investor_reg.pk, "message": "希望洽谈融资"}
    )
    request = MeetingRequest.objects.get(event=event)
    assert "希望洽谈融资" in investor.get(f"/events/{event.pk}/").content.decode()
    investor.post(f"/events/{event.pk}/act/respond/", {"request": request.pk, "accept": "1"})
    staff.post(f"/events/{event.pk}/act/schedule/")
    meeting = Meeting.objects.get(request=request)
    html = enterprise.get(f"/events/{event.pk}/agenda/").content.decode()
    assert world.investor.organization.name in html and f">{meeting.table}<" in html
    sheet = load_workbook(
        io.BytesIO(enterprise.get(f"/events/{event.pk}/agenda/?format=xlsx").content)
    ).worksheets[0]
    assert sheet.cell(row=2, column=3).value == world.investor.organization.name
    assert "洽谈桌位表" in staff.get(f"/events/{event.pk}/tables/").content.decode()
    detail = staff.get(f"/events/{event.pk}/").content.decode()
    assert "安排 1/1 场" in detail


def test_schedule_without_slots_is_explained(client_for: Any, world: Any) -> None:
    start = timezone.now() + dt.timedelta(days=10)
    event = services.create_event(
        title="沙龙", kind="salon", starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    response = client_for("bureau_staff").post(f"/events/{event.pk}/act/schedule/", follow=True)
    assert "请先设置洽谈时段" in response.content.decode()


def test_outcomes_and_orders_followed_to_a_contract(client_for: Any, world: Any) -> None:
    start = timezone.now() + dt.timedelta(days=10)
    event = services.create_event(
        title="路演", kind="roadshow", starts_at=start, ends_at=start + dt.timedelta(hours=3)
    )
    services.add_slots(event=event, first_start=start, minutes=30, count=2, tables=2)
    regs = [
        services.register(event=event, organization=org, role=role, user=None, contact_name="x")
        for org, role in (
            (world.own_enterprise.organization, "enterprise"),
            (world.investor.organization, "investor"),
        )
    ]
    for registration in regs:
        services.review_registration(registration=registration, approve=True)
    services.respond_to_request(
        meeting_request=services.request_meeting(requester=regs[0], invitee=regs[1]), accept=True
    )
    services.schedule_event(event=event, time_limit_s=5)
    staff = client_for("bureau_staff")
    meeting = Meeting.objects.get(request__event=event)
    staff.post(
        f"/events/{event.pk}/act/outcome/",
        {"meeting": meeting.pk, "held": "1", "interest": "high", "notes": "投资意向明确"},
    )
    staff.post(
        f"/events/{event.pk}/act/order/",
        {
            "supplier": regs[1].organization_id,
            "buyer": regs[0].organization_id,
            "cooperation": "股权投资",
            "intended_amount": "500",
            "meeting": meeting.pk,
        },
    )
    order = event.orders.get()
    bad = staff.post(
        f"/events/{event.pk}/act/advance/", {"order": order.pk, "stage": "contract"}, follow=True
    )
    assert "登记合同须填写" in bad.content.decode()
    staff.post(
        f"/events/{event.pk}/act/advance/",
        {
            "order": order.pk,
            "stage": "contract",
            "contract_type": "service",
            "contract_amount": "300",
            "signed_on": "2026-06-01",
            "contract_no": "2026350582000009",
        },
    )
    html = staff.get(f"/events/{event.pk}/").content.decode()
    assert "已签合同" in html and "意向强烈" in html
    assert client_for("enterprise").post(f"/events/{event.pk}/act/order/", {}).status_code == 403


def test_report_export_and_dashboard_section(client_for: Any, world: Any) -> None:
    start = timezone.now() + dt.timedelta(days=10)
    event = services.create_event(
        title="面对面", kind="face_to_face", starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    response = client_for("bureau_staff").get(f"/events/{event.pk}/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.cell(row=1, column=1).value == "指标"
    assert (
        client_for("investor")
        .get(f"/events/{event.pk}/", {"export": "xlsx"})["Content-Type"]
        .startswith("text/html")
    )  # others just see the page
    assert "对接活动成效" in client_for("bureau_staff").get("/dashboard/").content.decode()
