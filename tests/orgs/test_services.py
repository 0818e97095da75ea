"""Registry writes: validation, history (who/when/what), soft delete, forms keeping what was typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kechuang.orgs import services
from kechuang.orgs.models import Enterprise, Organization
from kechuang.orgs.selectors import history_for
from tests import factories as f


def data(**kw: Any) -> services.EnterpriseData:
    base = {"name": "晋江市测试鞋业有限公司", "credit_code": f.credit_code(), "industry_code": "1952"}
    return services.EnterpriseData(**(base | kw))


def test_create_update_keeps_history_with_actor(world: Any) -> None:
    staff = world.users["bureau_staff"]
    ent = services.create_enterprise(actor=staff, data=data(township=world.town))
    services.update_enterprise(
        actor=staff,
        enterprise=ent,
        data=data(
            name="晋江市新名鞋业有限公司", credit_code=ent.organization.credit_code, township=world.town
        ),
        reason="更名",
    )
    entries = history_for(ent.organization)
    assert entries[0]["who"] == "staff" and entries[0]["reason"] == "更名"
    assert {"field": "名称", "old": "晋江市测试鞋业有限公司", "new": "晋江市新名鞋业有限公司"} in entries[0][
        "changes"
    ]
    assert entries[-1]["type"] == "创建"


def test_duplicate_and_invalid_codes_are_refused(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_enterprise(
            actor=None, data=data(credit_code=world.own_enterprise.organization.credit_code)
        )
    assert "已登记" in str(exc.value)
    with pytest.raises(ValidationError):
        services.create_enterprise(actor=None, data=data(credit_code="91350582MA2Y4L3K10"[:17] + "Z"))
    with pytest.raises(ValidationError, match="科技人员"):
        services.create_enterprise(actor=None, data=data(employees=5, tech_staff=6))


def test_soft_delete_hides_but_keeps(world: Any) -> None:
    ent = world.own_enterprise
    services.soft_delete_enterprise(actor=world.users["bureau_admin"], enterprise=ent, reason="注销")
    assert not Enterprise.objects.filter(pk=ent.pk).exists()
    assert Enterprise.all_objects.filter(pk=ent.pk).exists()
    assert (
        Organization.all_objects.get(pk=ent.organization_id).history.first().history_change_reason
        == "删除：注销"
    )
    # the code is free again for a new registration, and restoring checks for that clash
    services.restore_enterprise(actor=None, enterprise=Enterprise.all_objects.get(pk=ent.pk))
    assert Enterprise.objects.filter(pk=ent.pk).exists()


def test_year_figures_reject_rd_above_revenue(world: Any) -> None:
    with pytest.raises(ValidationError, match="研发投入不能大于营业收入"):
        services.save_year_figure(
            actor=None, enterprise=world.own_enterprise, year=2024, values={"revenue": 10, "rd_spend": 20}
        )


def test_form_errors_keep_what_was_typed(client_for: Any, world: Any) -> None:
    staff = client_for("bureau_staff")
    response = staff.post(
        "/orgs/enterprises/new/",
        {
            "name": "<script>alert(1)</script>晋江某公司",
            "credit_code": "91350582MA2Y4L3K1Z",
            "address": "陈埭镇某路1号",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "校验位错误" in html or "不允许的字符" in html
    assert "陈埭镇某路1号" in html  # kept
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html  # escaped


def test_township_officer_cannot_register_into_another_township(client_for: Any, world: Any) -> None:
    officer = client_for("township_officer")
    response = officer.post(
        "/orgs/enterprises/new/",
        {"name": "外镇企业", "credit_code": f.credit_code(), "township": world.other_town.pk},
    )
    assert response.status_code == 200 and "只能登记本镇街的企业" in response.content.decode()
    response = officer.post(
        "/orgs/enterprises/new/",
        {"name": "本镇企业", "credit_code": f.credit_code(), "township": world.town.pk},
    )
    assert response.status_code == 302


def test_enterprise_user_edits_own_profile_and_history_names_them(client_for: Any, world: Any) -> None:
    ent = world.own_enterprise
    client = client_for("enterprise")
    form = {
        "name": ent.organization.name,
        "credit_code": ent.organization.credit_code,
        "township": world.town.pk,
        "employees": 250,
        "tech_staff": 50,
        "reason": "年度更新",
    }
    assert client.post(f"/orgs/enterprises/{ent.pk}/edit/", form).status_code == 302
    ent.refresh_from_db()
    assert ent.employees == 250
    assert ent.history.first().history_user.username == "enterprise"


def test_institution_and_investor_pages_show_history_to_the_bureau_only(world: Any, client_for: Any) -> None:
    staff = world.users["bureau_staff"]
    inst = services.with_actor(world.institution, staff, "更新优势学科")
    inst.disciplines = "材料科学与工程（测试变更）"
    inst.save()
    org = services.with_actor(world.investor.organization, staff, "更换联系人")
    org.contact_name = "测试联系人"
    org.save()
    for url, change in (
        (f"/orgs/institutions/{world.institution.pk}/", "材料科学与工程（测试变更）"),
        (f"/orgs/investors/{world.investor.pk}/", "测试联系人"),
    ):
        page = client_for("bureau_staff").get(url).content.decode()
        assert "变更历史" in page and change in page and "staff" in page, url
        for role in ("enterprise", "investor"):
            response = client_for(role).get(url)
            assert response.status_code == 200 and "变更历史" not in response.content.decode(), (url, role)
    public = client_for("public").get(f"/orgs/institutions/{world.institution.pk}/").content.decode()
    assert "变更历史" not in public
