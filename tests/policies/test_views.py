"""The policy calculator page: the public on typed-in figures, an enterprise on its own data and "what if"."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kechuang.orgs.models import EnterpriseYearFigure
from kechuang.policies.selectors import facts_for_enterprise

URL = reverse("policies:calculator")


def typed(**extra: Any) -> dict[str, Any]:
    data = {
        "data_year": "2024",
        "founded_on": "2016-05-01",
        "innovation_score": "78",
        "high_tech": "new",
        "revenue_0": "12000",
        "revenue_1": "10000",
        "revenue_2": "9000",
        "rd_spend_0": "560",
        "rd_spend_1": "430",
        "rd_spend_2": "360",
        "rd_spend_domestic_0": "560",
        "rd_spend_domestic_1": "430",
        "rd_spend_domestic_2": "360",
        "hightech_revenue": "8000",
        "employees": "200",
        "tech_staff": "30",
        "invention_patents": "2",
        "flag_in_supported_field": "yes",
        "flag_major_incident": "no",
    }
    data.update(extra)
    return data


def test_public_calculator_starts_empty_and_evaluates_typed_figures(client: Any, db: Any) -> None:
    page = client.get(URL).content.decode()
    assert "尚无计算结果" in page
    page = client.post(URL, typed()).content.decode()
    assert "高新技术企业认定条件" in page
    assert "预计 130,000 元" in page  # 10% of the 130万元 increment
    assert "演示" in page


def test_bad_figures_are_refused_and_what_was_typed_is_kept(client: Any, db: Any) -> None:
    response = client.post(URL, typed(revenue_0="-5", rd_spend_1="很多"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "已填写的内容已保留" in page
    assert 'value="很多"' in page and 'value="-5"' in page
    assert "尚无计算结果" in page


def test_escaping_of_typed_text(client: Any, db: Any) -> None:
    page = client.post(URL, typed(rd_spend_0="<script>x</script>")).content.decode()
    assert "<script>x</script>" not in page


def test_enterprise_sees_its_own_results_and_what_if_saves_nothing(client_for: Any, world: Any) -> None:
    c = client_for("enterprise")
    page = c.get(URL).content.decode()
    assert world.own_enterprise.organization.name in page
    assert "12000" in page  # the 2024 revenue prefilled from the registry
    assert world.other_enterprise.organization.name not in page
    before = list(EnterpriseYearFigure.objects.values_list("enterprise_id", "year", "revenue", "rd_spend"))
    page = c.post(URL, typed(revenue_0="99999")).content.decode()
    assert "试算" in page
    after = list(EnterpriseYearFigure.objects.values_list("enterprise_id", "year", "revenue", "rd_spend"))
    assert before == after


def test_registry_facts_leave_unkept_data_unknown(world: Any) -> None:
    facts = facts_for_enterprise(world.own_enterprise)
    assert facts.years[2024]["revenue"] == 12000.0
    assert "rd_spend_domestic" not in facts.years[2024]
    assert facts.static["township"] == "陈埭镇"
