"""Demand pages: forms keep what was typed, errors are Chinese, HTML is escaped, exports stay scoped."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from kechuang.demands.models import Demand


def test_filing_errors_keep_input_and_escape_html(client_for: Any, world: Any) -> None:
    c = client_for("enterprise")
    response = c.post(
        "/demands/new/",
        {
            "title": "<script>alert(1)</script>鞋面",
            "demand_type": "tech",
            "description": "太短",
            "confidentiality": "private",
            "budget_min": "50",
            "budget_max": "10",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "需求描述过短" in html or "预算上限不能小于下限" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;鞋面" in html and "<script>alert(1)" not in html


def test_enterprise_files_for_itself_only(client_for: Any, world: Any) -> None:
    c = client_for("enterprise")
    c.post(
        "/demands/new/",
        {
            "title": "缝制自动化改造",
            "demand_type": "equipment",
            "confidentiality": "private",
            "description": "缝制工序人工多，需要自动化缝制单元，提升效率和一致性。",
        },
    )
    demand = Demand.objects.get(title="缝制自动化改造")
    assert demand.enterprise == world.own_enterprise and demand.status == "submitted"


def test_township_officer_cannot_file_for_another_township(client_for: Any, world: Any) -> None:
    c = client_for("township_officer")
    response = c.post(
        "/demands/new/",
        {
            "enterprise_code": world.other_enterprise.organization.credit_code,
            "title": "外镇需求",
            "demand_type": "tech",
            "confidentiality": "private",
            "description": "这是一个写给其他镇街企业的需求描述文本。",
        },
    )
    assert "无权为其填报" in response.content.decode()
    assert not Demand.objects.filter(title="外镇需求").exists()


def test_stale_form_shows_conflict_and_keeps_text(client_for: Any, world: Any) -> None:
    staff = client_for("bureau_staff")
    demand = world.other_demand
    response = staff.post(
        f"/demands/{demand.pk}/act/return/",
        {"return-reason": "请补充指标", "return-version": demand.version - 1},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "已被他人更新" in html and "请补充指标" in html


def test_empty_reason_is_a_chinese_error(client_for: Any, world: Any) -> None:
    response = client_for("bureau_staff").post(
        f"/demands/{world.other_demand.pk}/act/return/", {"return-reason": ""}
    )
    assert response.status_code == 400 and "请更正表单中的错误" in response.content.decode()


def test_summary_only_page_hides_private_text_from_the_public(client_for: Any, world: Any) -> None:
    from kechuang.demands import services
    from tests.demands_factories import data

    demand = services.file_demand(
        actor=None,
        enterprise=world.own_enterprise,
        data=data("内部名称", "summary", public_summary="某鞋企寻求鞋底耐磨方案", summary_approved=True),
    )
    services.accept_demand(actor=None, demand=demand)
    html = client_for("public").get(f"/demands/{demand.pk}/").content.decode()
    assert "某鞋企寻求鞋底耐磨方案" in html and "现有工艺良品率低" not in html
    assert world.own_enterprise.organization.name not in html


def test_export_is_scoped(client_for: Any, world: Any) -> None:
    response = client_for("township_officer").get("/demands/?export=xlsx")
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(min_row=2, values_only=True)
    )
    assert {r[1] for r in rows} == {world.own_demand.title, world.public_demand.title}


def test_list_query_count_does_not_grow_with_rows(
    client_for: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    staff = client_for("bureau_staff")
    with django_assert_max_num_queries(12):
        staff.get("/demands/")
