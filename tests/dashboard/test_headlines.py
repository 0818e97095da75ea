"""The seed's headline figures on the dashboard are computed from records and link to those records; the
carriers and finance pages and their exports show the same figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from kechuang.carriers import services as carriers
from kechuang.dashboard.selectors import county_headlines
from kechuang.finance import services as finance
from kechuang.techservices import services as techservices
from tests.finance import factories as money
from tests.talents import support as talent_support
from tests.techservices import factories as ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(world: Any) -> Any:
    today = timezone.localdate()
    space = carriers.create_carrier(
        actor=None, name="三创园", kind="incubator", level="national", township=world.town
    )
    hall = carriers.add_building(actor=None, carrier=space, name="A栋")
    for code in ("101", "102"):
        carriers.add_unit(actor=None, building=hall, code=code, area_m2=Decimal("100"))
    carriers.sign_lease(
        actor=None,
        unit=hall.units.get(code="101"),
        starts_on=dt.date(2020, 1, 1),
        ends_on=None,
        tenant_name="甲",
    )
    park = carriers.save_park_project(
        actor=None,
        name="鞋服产业社区",
        planned_m2=Decimal("60000"),
        built_m2=Decimal("50000"),
        status="leasing",
    )
    carriers.sign_park_tenancy(
        actor=None, project=park, enterprise=world.own_enterprise, signed_on=dt.date(2024, 1, 1)
    )
    confirmed = ledger.claim(world.own_enterprise, solved=True, value_claimed_wan=Decimal("120"))
    techservices.confirm_claim(
        actor=world.users["enterprise"], claim=confirmed, enterprise=world.own_enterprise
    )
    ledger.claim(world.other_enterprise, value_claimed_wan=Decimal("999"))  # not confirmed: not counted
    bank = money.bank()
    finance.save_fund(
        actor=None, investor=bank, name="晋江产业母基金", tier="parent", size_wan=Decimal("1000000")
    )
    loan = money.loan(money.product(bank), world.own_enterprise, amount="200", term_months=12)
    finance.approve_subsidy(actor=None, loan=loan, rate_pct=Decimal("1.5"), approved_on=today)
    talent_support.person(1, world.own_enterprise)
    return world


def test_headlines_come_from_records_and_link_to_them(records: Any, client_for: Any) -> None:
    headlines = {h.label: h for h in county_headlines(as_of=timezone.localdate())}
    assert headlines["众创空间、科技企业孵化器"].value == "1 家"
    assert "国家级载体 1 家" in headlines["众创空间、科技企业孵化器"].sub
    assert headlines["园区标准化项目"].value == "1 个" and "5.0 万㎡" in headlines["园区标准化项目"].sub
    assert headlines["服务企业（已确认）"].value == "1 家次"
    assert "待确认 1 家次" in headlines["服务企业（已确认）"].sub
    assert headlines["解决技术难题（已确认）"].value == "1 项"
    assert headlines["创造价值（已确认）"].value == "120万元"  # the pending 999 万元 is shown apart
    assert headlines["产业母基金 / 政府引导基金"].value == "1 / 0 只"
    assert headlines["科技信贷"].value == "1 笔" and "贴息 3万元" in headlines["科技信贷"].sub
    talents = headlines["有效认定的各层级人才"]
    assert talents.value == "0 名" and "人才库登记 1 名" in talents.sub  # registered, not yet certified
    assert headlines["科技特派员服务企业（已确认）"].value == "0 家次"

    staff = client_for("bureau_staff")
    page = staff.get(reverse("dashboard:home")).content.decode()
    assert "核心指标" in page and "超 6000 家次" in page
    # the link behind 解决技术难题 lists exactly the confirmed claims that solved a problem
    listed = staff.get(headlines["解决技术难题（已确认）"].url).content.decode()
    assert "鞋底发泡材料回弹率不足" in listed and records.other_enterprise.organization.name not in listed
    export = staff.get(reverse("dashboard:home") + "?export=xlsx")
    sheet = CalamineWorkbook.from_filelike(BytesIO(export.content)).get_sheet_by_name("核心指标").to_python()
    assert sheet[6][:3] == ["科技服务", "服务企业（已确认）", "1 家次"]


def test_township_officers_do_not_get_county_headlines(records: Any, client_for: Any) -> None:
    page = client_for("township_officer").get(reverse("dashboard:home")).content.decode()
    assert "核心指标" not in page


def test_carriers_and_finance_pages_and_exports(records: Any, client_for: Any) -> None:
    staff = client_for("bureau_staff")
    page = staff.get(reverse("dashboard:carriers")).content.decode()
    assert "各载体月末出租率" in page and "chart-occupancy" in page and "50.0%" in page
    book = CalamineWorkbook.from_filelike(
        BytesIO(staff.get(reverse("dashboard:carriers") + "?export=xlsx").content)
    )
    occupancy = book.get_sheet_by_name("月末出租率").to_python()
    assert occupancy[1][0] == "三创园" and len(occupancy[1]) == 2 + 36 and occupancy[1][-1] == 0.5
    page = staff.get(reverse("dashboard:finance")).content.decode()
    assert "各渠道融资金额" in page and "200万元" in page
    book = CalamineWorkbook.from_filelike(
        BytesIO(staff.get(reverse("dashboard:finance") + "?export=xlsx").content)
    )
    totals = dict(book.get_sheet_by_name("科技金融").to_python()[1:])
    assert totals["贷款笔数"] == 1 and totals["贴息金额(万元)"] == 3


def test_empty_county_pages_say_so(world: Any, client_for: Any) -> None:
    staff = client_for("bureau_staff")
    assert "暂无载体数据" in staff.get(reverse("dashboard:carriers")).content.decode()
    assert "暂无融资记录" in staff.get(reverse("dashboard:finance")).content.decode()
