"""免申即享 pages: staff start, confirm and pay a round; an enterprise answers; the ledger exports."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kechuang.policies.models import Disbursement, Round, RoundCandidate
from tests import factories as f
from tests.policies.test_rounds import MEASURE, _county


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_run_a_round_and_the_enterprise_answers_in_the_app(db: Any) -> None:
    c = _county()
    staff, owner = _login(c["staff"]), _login(c["owner"])
    page = staff.get(reverse("policies:round_list"))
    assert page.status_code == 200 and "还没有免申即享批次" in page.content.decode()

    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    bad = staff.post(
        reverse("policies:round_list"), {"measure_id": MEASURE, "year": "", "deadline": deadline}
    )
    assert bad.status_code == 200 and "数据年度无效" in bad.content.decode()
    assert not Round.objects.exists()
    made = staff.post(
        reverse("policies:round_list"), {"measure_id": MEASURE, "year": "2024", "deadline": deadline}
    )
    round_ = Round.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("policies:round_detail", args=[round_.pk])
    detail = staff.get(made["Location"]).content.decode()
    assert "甲鞋业" in detail and "乙纺织" in detail and "丁服饰" not in detail
    assert "20.00万元" in detail or "20万元" in detail

    staff.post(made["Location"], {"action": "confirm"})
    round_.refresh_from_db()
    assert round_.status == Round.Status.CONFIRMING

    mine = owner.get(reverse("policies:my_rounds")).content.decode()
    assert round_.measure_title in mine
    candidate = RoundCandidate.objects.get(round=round_, enterprise=c["grows"])
    url = reverse("policies:respond", args=[candidate.pk])
    typed = {
        "accept": "1",
        "account_name": "甲鞋业有限公司",
        "bank_name": "晋江农商银行",
        "account_number": "12ab",
    }
    kept = owner.post(url, typed)
    body = kept.content.decode()
    assert kept.status_code == 200 and "晋江农商银行" in body and "账号" in body
    candidate.refresh_from_db()
    assert candidate.response == RoundCandidate.Response.PENDING
    typed["account_number"] = "6217 0012 3456 7890"
    assert owner.post(url, typed).status_code == 302
    candidate.refresh_from_db()
    assert candidate.response == RoundCandidate.Response.ACCEPTED

    # another enterprise's candidacy is not found, not forbidden-with-details
    other = RoundCandidate.objects.get(round=round_, enterprise=c["big"])
    assert owner.get(reverse("policies:respond", args=[other.pk])).status_code == 404

    Round.objects.filter(pk=round_.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    staff.post(made["Location"], {"action": "close_willingness"})
    staff.post(made["Location"], {"action": "approve_all"})
    entry = Disbursement.objects.get()
    assert entry.enterprise_id == c["grows"].pk and entry.status == Disbursement.Status.APPROVED
    staff.post(
        made["Location"],
        {
            "action": "pay",
            "disbursement": str(entry.pk),
            "paid_on": timezone.localdate().isoformat(),
            "voucher_no": "记-2025-001",
        },
    )
    entry.refresh_from_db()
    assert entry.status == Disbursement.Status.PAID

    listed = staff.get(reverse("policies:round_export", args=[round_.pk]))
    sheet = load_workbook(io.BytesIO(listed.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "企业名称", "统一社会信用代码") and len(rows) == 3

    ledger = staff.get(reverse("policies:ledger"))
    assert "甲鞋业" in ledger.content.decode()
    book = load_workbook(io.BytesIO(staff.get(reverse("policies:ledger"), {"format": "xlsx"}).content))
    assert book.sheetnames == ["台账", "汇总"]
    summary = list(book["汇总"].iter_rows(values_only=True))
    assert summary[1][3:] == (1, 200000.0, 200000.0)


def test_round_pages_have_empty_states(db: Any) -> None:
    c = _county()
    assert "empty" in _login(c["owner"]).get(reverse("policies:my_rounds")).content.decode()
    assert "empty" in _login(c["staff"]).get(reverse("policies:ledger")).content.decode()


def test_round_page_queries_do_not_grow_with_the_list(db: Any, django_assert_max_num_queries: Any) -> None:
    from kechuang.policies import services

    c = _county()
    for i in range(12):  # more listed firms: the page must not query per row
        ent = f.enterprise(f"增量企业{i}", town=c["grows"].township)
        f.figure(ent, 2023, "10000", "100")
        f.figure(ent, 2024, "12000", "200")
    from kechuang.orgs.models import EnterpriseYearFigure

    EnterpriseYearFigure.objects.filter(year=2024).update(major_incident=False)
    round_ = services.start_round(
        actor=c["staff"], measure_id=MEASURE, year=2024, deadline=timezone.localdate() + dt.timedelta(days=5)
    )
    services.confirm_round_list(actor=c["staff"], round_=round_)
    staff = _login(c["staff"])
    with django_assert_max_num_queries(16):
        page = staff.get(reverse("policies:round_detail", args=[round_.pk]))
    assert page.status_code == 200 and page.content.decode().count("增量企业") == 12
