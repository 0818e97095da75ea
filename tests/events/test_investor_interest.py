"""Investor interest at roadshows (投融资路演): the service rules, the follow-up stages, the report figures,
and who sees and records what on the event page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from kechuang.events import selectors, services
from kechuang.events.models import EventKind, InvestorInterest, ParticipantRole, Registration
from kechuang.orgs.choices import OrgKind
from kechuang.orgs.models import Organization

START = timezone.make_aware(dt.datetime(2026, 6, 18, 14, 0))


def _register(event: Any, org: Organization, role: str, *, approve: bool = True) -> Registration:
    registration = services.register(
        event=event, organization=org, role=role, user=None, contact_name="联系人"
    )
    if approve:
        services.review_registration(registration=registration, approve=True)
    return registration


@pytest.fixture
def roadshow(db: Any) -> dict[str, Any]:
    event = services.create_event(
        title="科技型企业投融资路演",
        kind=EventKind.ROADSHOW,
        starts_at=START,
        ends_at=START + dt.timedelta(hours=3),
        venue="晋江市科技大市场",
    )
    vc = _register(event, Organization.objects.create(kind=OrgKind.INVESTOR, name="甲创投"), "investor")
    bank = _register(event, Organization.objects.create(kind=OrgKind.INVESTOR, name="乙银行"), "investor")
    shoes = _register(
        event, Organization.objects.create(kind=OrgKind.ENTERPRISE, name="丙鞋材科技"), "enterprise"
    )
    lab = _register(
        event, Organization.objects.create(kind=OrgKind.INSTITUTION, name="丁研究院"), "exhibitor"
    )
    return {"event": event, "vc": vc, "bank": bank, "shoes": shoes, "lab": lab}


def test_interest_is_recorded_once_and_followed_to_an_investment(roadshow: dict[str, Any]) -> None:
    vc, shoes = roadshow["vc"], roadshow["shoes"]
    interest = services.record_investor_interest(
        investor=vc,
        presenter=shoes,
        level=InvestorInterest.Level.STRONG,
        amount=Decimal("800"),
        funding_round=InvestorInterest.Round.A,
        note="看好超临界发泡中底量产",
    )
    assert interest.stage == InvestorInterest.Stage.INTENTION and interest.event == roadshow["event"]
    with pytest.raises(ValidationError, match="已登记对“丙鞋材科技”的投资意向"):
        services.record_investor_interest(investor=vc, presenter=shoes, level="moderate")

    services.advance_investor_interest(interest=interest, stage="due_diligence", note="已进场尽调")
    with pytest.raises(ValidationError, match="进展不能倒退"):
        services.advance_investor_interest(interest=interest, stage="intention")
    with pytest.raises(ValidationError, match="实际投资金额"):
        services.advance_investor_interest(interest=interest, stage="invested")
    with pytest.raises(ValidationError, match="不能为负"):
        services.advance_investor_interest(interest=interest, stage="invested", invested_amount=Decimal(-1))
    services.advance_investor_interest(interest=interest, stage="invested", invested_amount=Decimal("600"))
    interest.refresh_from_db()
    assert interest.stage == "invested" and interest.invested_amount == Decimal("600")
    assert interest.stage_note == "已进场尽调" and interest.funding_round == "a"
    with pytest.raises(ValidationError, match="已投资，不能再变更"):
        services.advance_investor_interest(interest=interest, stage="dropped", note="x")
    assert interest.history.count() == 3  # type: ignore[attr-defined]


def test_dropping_needs_a_reason(roadshow: dict[str, Any]) -> None:
    interest = services.record_investor_interest(
        investor=roadshow["bank"], presenter=roadshow["lab"], level="watching"
    )
    with pytest.raises(ValidationError, match="请说明原因"):
        services.advance_investor_interest(interest=interest, stage="dropped")
    services.advance_investor_interest(interest=interest, stage="dropped", note="估值分歧")
    assert InvestorInterest.objects.get(pk=interest.pk).stage_note == "估值分歧"


@pytest.mark.parametrize(
    ("investor", "presenter", "message"),
    [
        ("shoes", "lab", "审核通过的投资机构"),  # an enterprise cannot record investor interest
        ("vc", "bank", "不能是投资机构"),  # an investor is not a presented project
        ("vc", "pending", "尚未通过审核"),
        ("pending_vc", "shoes", "审核通过的投资机构"),
        ("vc", "elsewhere", "同一活动"),
    ],
)
def test_who_may_record_interest_in_whom(
    roadshow: dict[str, Any], investor: str, presenter: str, message: str
) -> None:
    event = roadshow["event"]
    roadshow["pending"] = _register(
        event,
        Organization.objects.create(kind=OrgKind.ENTERPRISE, name="待审企业"),
        "enterprise",
        approve=False,
    )
    roadshow["pending_vc"] = _register(
        event, Organization.objects.create(kind=OrgKind.INVESTOR, name="待审创投"), "investor", approve=False
    )
    other = services.create_event(
        title="另一场路演", kind=EventKind.ROADSHOW, starts_at=START, ends_at=START + dt.timedelta(hours=1)
    )
    roadshow["elsewhere"] = _register(other, roadshow["shoes"].organization, "enterprise")
    with pytest.raises(ValidationError, match=message):
        services.record_investor_interest(
            investor=roadshow[investor], presenter=roadshow[presenter], level="strong"
        )
    assert not InvestorInterest.objects.exists()


def test_amounts_levels_and_event_kind_are_checked(roadshow: dict[str, Any]) -> None:
    vc, shoes = roadshow["vc"], roadshow["shoes"]
    with pytest.raises(ValidationError, match="不能为负"):
        services.record_investor_interest(investor=vc, presenter=shoes, level="strong", amount=Decimal(-5))
    with pytest.raises(ValidationError, match="意向程度"):
        services.record_investor_interest(investor=vc, presenter=shoes, level="huge")
    with pytest.raises(ValidationError, match="轮次无效"):
        services.record_investor_interest(investor=vc, presenter=shoes, level="strong", funding_round="z")
    fair = services.create_event(
        title="对接洽谈会", kind=EventKind.FAIR, starts_at=START, ends_at=START + dt.timedelta(hours=1)
    )
    a = _register(fair, vc.organization, "investor")
    b = _register(fair, shoes.organization, "enterprise")
    with pytest.raises(ValidationError, match="只有投融资路演和项目推介"):
        services.record_investor_interest(investor=a, presenter=b, level="strong")


def test_report_and_county_figures_count_interests(roadshow: dict[str, Any]) -> None:
    r = roadshow
    first = services.record_investor_interest(
        investor=r["vc"], presenter=r["shoes"], level="strong", amount=Decimal("500")
    )
    services.record_investor_interest(
        investor=r["vc"], presenter=r["lab"], level="moderate", amount=Decimal(120)
    )
    services.record_investor_interest(investor=r["bank"], presenter=r["shoes"], level="watching")
    services.advance_investor_interest(interest=first, stage="invested", invested_amount=Decimal("450"))
    report = selectors.event_report(event=r["event"])
    assert report["investor_interests"] == 3 and report["interest_amount"] == 620.0
    assert report["invested"] == 1 and report["invested_amount"] == 450.0
    county = selectors.county_summary()
    assert (county["investor_interests"], county["invested"], county["interest_amount"]) == (3, 1, 620.0)


# ---- pages -------------------------------------------------------------------------------------------


@pytest.fixture
def roadshow_world(world: Any) -> dict[str, Any]:
    """A roadshow where the world's investor, its own enterprise and the other enterprise take part."""
    event = services.create_event(
        title="投融资路演", kind=EventKind.ROADSHOW, starts_at=START, ends_at=START + dt.timedelta(hours=3)
    )
    rival = Organization.objects.create(kind=OrgKind.INVESTOR, name="另一家创投")
    regs = {
        "investor": _register(event, world.investor.organization, ParticipantRole.INVESTOR),
        "rival": _register(event, rival, ParticipantRole.INVESTOR),
        "own": _register(event, world.own_enterprise.organization, ParticipantRole.ENTERPRISE),
        "other": _register(event, world.other_enterprise.organization, ParticipantRole.ENTERPRISE),
    }
    mine = services.record_investor_interest(
        investor=regs["investor"], presenter=regs["other"], level="strong", note="我方意向ALPHA"
    )
    theirs = services.record_investor_interest(
        investor=regs["rival"], presenter=regs["own"], level="moderate", note="对方意向BETA"
    )
    services.record_investor_interest(
        investor=regs["rival"], presenter=regs["other"], level="watching", note="对方意向GAMMA"
    )
    return {"event": event, "regs": regs, "mine": mine, "theirs": theirs}


def test_each_role_sees_only_its_own_interests(client_for: Any, roadshow_world: dict[str, Any]) -> None:
    url = f"/events/{roadshow_world['event'].pk}/"
    seen = {}
    for role in ("bureau_staff", "investor", "enterprise", "township_officer", "public", "expert"):
        html = client_for(role).get(url).content.decode()
        seen[role] = {note for note in ("ALPHA", "BETA", "GAMMA") if f"意向{note}" in html}
    assert seen == {
        "bureau_staff": {"ALPHA", "BETA", "GAMMA"},
        "investor": {"ALPHA"},  # its own interest only
        "enterprise": {"BETA"},  # interest in its own project only
        "township_officer": set(),
        "public": set(),
        "expert": set(),  # the test expert has no organisation
    }


def test_investor_records_and_follows_up_on_the_page(
    client_for: Any, roadshow_world: dict[str, Any], world: Any
) -> None:
    event, regs = roadshow_world["event"], roadshow_world["regs"]
    investor = client_for("investor")
    html = investor.get(f"/events/{event.pk}/").content.decode()
    assert "登记投资意向" in html and f'name="investor" value="{regs["investor"].pk}"' in html
    response = investor.post(
        f"/events/{event.pk}/act/interest/",
        {
            "investor": regs["investor"].pk,
            "presenter": regs["own"].pk,
            "level": "strong",
            "amount": "300",
            "funding_round": "angel",
            "note": "团队扎实",
        },
        follow=True,
    )
    assert "已登记对“晋江市甲鞋业有限公司”的投资意向" in response.content.decode()
    created = InvestorInterest.objects.get(investor=regs["investor"], presenter=regs["own"])
    assert created.amount == Decimal("300") and created.funding_round == "angel"
    assert created.history.first().history_user == world.users["investor"]  # type: ignore[attr-defined]
    # Posing as another investor, or following up someone else's interest, finds nothing.
    as_rival = {"investor": regs["rival"].pk, "presenter": regs["own"].pk, "level": "strong"}
    assert investor.post(f"/events/{event.pk}/act/interest/", as_rival).status_code == 404
    theirs = {"interest": roadshow_world["theirs"].pk, "stage": "due_diligence"}
    assert investor.post(f"/events/{event.pk}/act/interest_advance/", theirs).status_code == 404
    bad = investor.post(
        f"/events/{event.pk}/act/interest_advance/",
        {"interest": created.pk, "stage": "invested", "invested_amount": "abc"},
        follow=True,
    )
    assert "实际投资金额应为数字" in bad.content.decode()
    investor.post(
        f"/events/{event.pk}/act/interest_advance/",
        {"interest": created.pk, "stage": "invested", "invested_amount": "280"},
    )
    created.refresh_from_db()
    assert created.stage == "invested" and created.invested_amount == Decimal("280")
    # A presenter only reads; it may not record interest.
    enterprise = client_for("enterprise")
    assert "登记投资意向" not in enterprise.get(f"/events/{event.pk}/").content.decode()
    assert enterprise.post(f"/events/{event.pk}/act/interest/", as_rival).status_code == 403


def test_staff_records_for_any_investor_and_exports_the_figures(
    client_for: Any, roadshow_world: dict[str, Any]
) -> None:
    event, regs = roadshow_world["event"], roadshow_world["regs"]
    staff = client_for("bureau_staff")
    staff.post(
        f"/events/{event.pk}/act/interest/",
        {"investor": regs["rival"].pk, "presenter": regs["own"].pk, "level": "strong"},
    )  # a duplicate: refused with a message
    staff.post(
        f"/events/{event.pk}/act/interest/",
        {"investor": regs["investor"].pk, "presenter": regs["own"].pk, "level": "moderate", "amount": "50"},
    )
    staff.post(
        f"/events/{event.pk}/act/interest_advance/",
        {"interest": roadshow_world["theirs"].pk, "stage": "invested", "invested_amount": "90"},
    )
    assert InvestorInterest.objects.filter(event=event).count() == 4
    page = staff.get(f"/events/{event.pk}/")
    assert page.context["investor_levels"][0] == ("strong", "强烈")
    assert page.context["interest_levels"][0][0] == "high"  # the meeting outcomes keep their own choices
    response = staff.get(f"/events/{event.pk}/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    figures = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert figures["投资意向"] == 4 and figures["意向投资金额(万元)"] == 50
    assert figures["已投资项目"] == 1 and figures["实际投资金额(万元)"] == 90
