"""The audit log: sign-ins, exports and downloads, permission changes and money decisions are recorded
with who, when and from where; only the bureau admin reads it; a rolled-back decision leaves no line."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from kechuang.core.models import AuditEvent
from kechuang.finance import services as finance
from tests.finance import factories as fx

D = Decimal


def lines(category: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(category=category).order_by("pk"))


def test_sign_in_failure_and_sign_out_are_logged_with_address(world: Any) -> None:
    c = Client(REMOTE_ADDR="10.1.2.3")
    c.post("/accounts/login/", {"username": "staff", "password": "wrong-password"})
    c.post("/accounts/login/", {"username": "staff", "password": "Jinjiang-2024"})
    c.post("/accounts/logout/")
    failed, ok, out = lines("login_failed")[-1], lines("login")[-1], lines("logout")[-1]
    assert failed.actor is None and failed.actor_name == "staff" and failed.ip == "10.1.2.3"
    assert "wrong-password" not in failed.summary and "staff" in failed.summary
    assert ok.actor == world.users["bureau_staff"] and ok.ip == "10.1.2.3" and ok.summary == "登录成功"
    assert out.actor == world.users["bureau_staff"]


def test_every_export_and_download_is_logged(world: Any, client_for: Any) -> None:
    response = client_for("bureau_staff").get(reverse("finance:loan_list") + "?export=xlsx")
    assert response.status_code == 200
    export = lines("export")[-1]
    assert export.actor == world.users["bureau_staff"] and export.summary.startswith("导出“")
    assert export.path.startswith(reverse("finance:loan_list"))
    # a refused export (no right to the list) writes no line
    before = AuditEvent.objects.filter(category="export").count()
    assert client_for("enterprise").get(reverse("policies:ledger") + "?format=xlsx").status_code == 403
    assert AuditEvent.objects.filter(category="export").count() == before


def test_role_flag_and_group_changes_are_logged(world: Any) -> None:
    expert = world.users["expert"]
    before = AuditEvent.objects.filter(category="permission").count()
    expert.profile.display_name = "只改显示名称"
    expert.profile.save()
    expert.save(update_fields=["last_login"])
    assert AuditEvent.objects.filter(category="permission").count() == before  # nothing that grants rights

    expert.profile.role = "bureau_staff"
    expert.profile.expert = None
    expert.profile.save()
    expert.is_superuser = True
    expert.save()
    group = Group.objects.create(name="资金审批")
    expert.groups.add(group)
    role, flag, membership = lines("permission")[-3:]
    assert role.summary == "账号“expert”角色由“高校院所/专家”改为“科技局工作人员”"
    assert flag.summary == "账号“expert”超级管理员：是"
    assert membership.summary == "“expert”加入用户组：资金审批"
    assert {e.target_id for e in (role, flag, membership)} == {str(expert.pk)}
    assert {e.target_kind for e in (role, flag, membership)} == {"auth.user"}


def test_money_decisions_are_logged_in_their_transaction(world: Any) -> None:
    staff = world.users["bureau_staff"]
    product = fx.product(fx.bank())
    loan = finance.grant_loan(
        actor=staff,
        product=product,
        enterprise=world.own_enterprise,
        amount_wan=D("200"),
        term_months=12,
        granted_on=dt.date(2025, 3, 1),
    )
    line = lines("money")[-1]
    assert line.actor == staff and line.action == "finance.loan.grant"
    assert line.target_kind == "finance.loan" and line.target_id == str(loan.pk)
    assert "200万元" in line.summary and world.own_enterprise.organization.name in line.summary

    finance.approve_subsidy(actor=staff, loan=loan, rate_pct=D("1.5"), approved_on=dt.date(2025, 4, 1))
    assert lines("money")[-1].action == "finance.subsidy.approve"

    count = AuditEvent.objects.filter(category="money").count()
    with pytest.raises(ValidationError):  # above the product's limit: refused, no line
        fx.loan(product, world.own_enterprise, amount="900")
    with transaction.atomic():  # a decision whose transaction rolls back leaves no line either
        fx.loan(product, world.own_enterprise, amount="100")
        transaction.set_rollback(True)
    assert AuditEvent.objects.filter(category="money").count() == count


def test_only_the_bureau_admin_reads_and_exports_the_log(world: Any, client_for: Any) -> None:
    url = reverse("core:audit_log")
    assert client_for("bureau_staff").get(url).status_code == 403
    admin = client_for("bureau_admin")
    fx.product(fx.bank())
    finance.create_pool(
        actor=world.users["bureau_staff"], name="<b>风险池</b>", size_wan=D("1000"), share_pct=D("50")
    )

    html = admin.get(url, {"category": "money"}).content.decode()
    assert "设立风险补偿资金池“&lt;b&gt;风险池&lt;/b&gt;”1,000万元" in html
    assert "登录成功" not in html  # filtered by category
    assert "日期格式不正确" in admin.get(url, {"since": "2025-13-45"}).content.decode()
    assert "没有符合筛选条件的记录" in admin.get(url, {"text": "不存在的内容"}).content.decode()

    response = admin.get(url, {"format": "xlsx", "category": "money"})
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert sheet[0][:4] == ["时间", "类别", "动作", "内容"]
    assert any("风险补偿资金池" in str(row[3]) for row in sheet[1:])
    assert lines("export")[-1].summary == "导出“审计日志.xlsx”"  # reading the log is itself logged


def test_the_log_page_has_a_bounded_query_count(
    world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(category="login", action="login", summary=f"登录成功 {i}", actor_name=f"u{i}")
        for i in range(300)
    )
    admin = client_for("bureau_admin")
    with django_assert_max_num_queries(12):
        assert admin.get(reverse("core:audit_log")).status_code == 200
