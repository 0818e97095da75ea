"""Enclave contracts, reports, verification, finalisation and the assessment pages."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from kechuang.enclaves import selectors, services
from kechuang.enclaves.models import AssessmentContract, IndicatorValue
from kechuang.enclaves.specs import contract_from_spec, default_spec

pytestmark = pytest.mark.django_db


def pdf(name: str = "证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


@pytest.fixture
def contract(world: Any) -> AssessmentContract:
    return services.create_contract(enclave=world.own_enclave, year=2025, actor=world.users["bureau_staff"])


def signed(contract: AssessmentContract, actor: Any = None) -> AssessmentContract:
    return services.sign_contract(contract=contract, actor=actor)


def test_default_contract_is_valid_and_one_per_enclave_year(world: Any, contract: AssessmentContract) -> None:
    assert services.check_spec(contract.spec) == []
    weights = sum(
        Decimal(i["weight"]) for i in contract.spec["indicators"] if i["kind"] in ("linear", "bands")
    )
    assert weights == 100
    with pytest.raises(ValidationError, match="已有考核契约"):
        services.create_contract(enclave=world.own_enclave, year=2025, actor=None)


def test_weights_not_summing_to_100_are_refused_with_every_problem(contract: AssessmentContract) -> None:
    spec = dict(contract.spec)
    spec["indicators"] = [{**i, "weight": "20"} if i["code"] == "landed" else i for i in spec["indicators"]]
    with pytest.raises(ValidationError) as exc:
        services.update_contract_spec(contract=contract, spec=spec, actor=None)
    assert any("100" in m for m in exc.value.messages)
    contract.refresh_from_db()
    assert next(i for i in contract.spec["indicators"] if i["code"] == "landed")["weight"] == "14"


def test_signed_contract_is_frozen_and_amendment_keeps_old_scores(
    world: Any, contract: AssessmentContract
) -> None:
    staff = world.users["bureau_staff"]
    signed(contract, staff)
    with pytest.raises(ValidationError, match="不能直接修改"):
        services.update_contract_spec(contract=contract, spec=contract.spec, actor=staff)
    services.report_values(contract=contract, period="Q4", figures={"landed": "2"}, actor=staff)
    services.add_evidence(
        value=services.open_value(contract=contract, period="Q4", code="landed"), upload=pdf(), actor=staff
    )
    for code in ("fraud", "major_incident"):
        services.verify_value(
            contract=contract, period="Q4", code=code, verified="0", note="经核查无此情况", actor=staff
        )
    final = services.finalise_assessment(
        contract=contract, period="Q4", actor=staff, as_of=dt.date(2026, 1, 20)
    )
    landed_points = next(r for r in final.card["indicators"] if r["code"] == "landed")["points"]
    assert landed_points == "7.00"  # 14 × 2/4

    with pytest.raises(ValidationError, match="变更原因"):
        services.amend_contract(contract=contract, reason=" ", actor=staff)
    v2 = services.amend_contract(contract=contract, reason="目标调整", actor=staff)
    assert (v2.version, v2.status) == (2, "draft")
    spec = dict(v2.spec)
    spec["indicators"] = [{**i, "target": "2"} if i["code"] == "landed" else i for i in spec["indicators"]]
    services.update_contract_spec(contract=v2, spec=spec, actor=staff)
    signed(v2, staff)
    contract.refresh_from_db()
    assert contract.status == "superseded"
    # The finalised card made under version 1 is what version 1 still shows.
    view = selectors.scorecard(contract, "Q4")
    assert view.finalised == final
    assert next(r for r in view.card["indicators"] if r["code"] == "landed")["points"] == "7.00"
    # Version 2 rescores live with its own target (the period is finalised, so the card says so).
    assert selectors.contract_in_force(world.own_enclave.pk, 2025) == v2


def test_report_is_all_or_nothing_with_clear_messages(world: Any, contract: AssessmentContract) -> None:
    with pytest.raises(ValidationError) as exc:
        services.report_values(
            contract=contract,
            period="Q1",
            figures={"landed": "3", "response_rate": "120", "matched": "十二", "teams": "-1"},
            actor=None,
        )
    text = "；".join(exc.value.messages)
    assert "需求响应率" in text and "超过允许的最大值 100" in text
    assert "“十二”不是有效数字" in text
    assert "小于允许的最小值" in text
    assert not IndicatorValue.objects.filter(enclave=world.own_enclave).exists()
    with pytest.raises(ValidationError, match="契约中没有这些指标"):
        services.report_values(contract=contract, period="Q1", figures={"nope": "1"}, actor=None)


def test_evidence_rules(contract: AssessmentContract) -> None:
    value = services.open_value(contract=contract, period="Q1", code="landed")
    with pytest.raises(ValidationError, match="文件类型不支持"):
        services.add_evidence(value=value, upload=SimpleUploadedFile("x.exe", b"MZ"), actor=None)
    with pytest.raises(ValidationError, match="空文件"):
        services.add_evidence(value=value, upload=SimpleUploadedFile("x.pdf", b""), actor=None)
    services.add_evidence(value=value, upload=pdf(), actor=None)
    assert value.evidence.count() == 1


def test_missing_evidence_scores_zero_with_a_note_and_quarter_targets_are_prorated(
    contract: AssessmentContract,
) -> None:
    services.report_values(contract=contract, period="Q2", figures={"landed": "2", "teams": "4"}, actor=None)
    services.add_evidence(
        value=services.open_value(contract=contract, period="Q2", code="teams"), upload=pdf(), actor=None
    )
    card = selectors.scorecard(contract, "Q2").card
    landed = next(r for r in card["indicators"] if r["code"] == "landed")
    teams = next(r for r in card["indicators"] if r["code"] == "teams")
    assert landed["points"] == "0.00" and "missing_evidence" in landed["flags"]
    assert any("佐证" in n for n in landed["notes"])
    # Q2 pro-rates the annual target of 8 teams to 4: 4/4 of weight 12.
    assert teams["points"] == "12.00"
    assert "契约尚未签订" in "".join(card["notes"])


def test_discrepancy_blocks_finalisation_until_verified(world: Any, contract: AssessmentContract) -> None:
    staff = world.users["bureau_staff"]
    signed(contract, staff)
    row = services.open_value(contract=contract, period="Q1", code="landed")
    row.computed, row.computed_basis = Decimal(1), "测试统计"
    row.save()
    services.report_values(contract=contract, period="Q1", figures={"landed": "3"}, actor=None)
    with pytest.raises(ValidationError, match="落地晋江企业数"):
        services.finalise_assessment(contract=contract, period="Q1", actor=staff)
    with pytest.raises(ValidationError, match="核定说明"):
        services.verify_value(
            contract=contract, period="Q1", code="landed", verified="1", note="", actor=staff
        )
    services.verify_value(
        contract=contract, period="Q1", code="landed", verified="1", note="以工商登记为准", actor=staff
    )
    for code in ("fraud", "major_incident"):
        services.verify_value(contract=contract, period="Q1", code=code, verified="0", note="无", actor=staff)
    final = services.finalise_assessment(contract=contract, period="Q1", actor=staff)
    assert final.total == Decimal(final.card["total"])
    with pytest.raises(ValidationError, match="已定稿"):
        services.report_values(contract=contract, period="Q1", figures={"landed": "4"}, actor=None)


def test_platform_figures_count_demand_answers_for_the_enclave(
    world: Any, contract: AssessmentContract
) -> None:
    figures = selectors.platform_figures(enclave_id=world.own_enclave.pk, year=2025, period="Q4")
    assert figures["transfers"].value == 0
    assert "技术合同 0 份" in figures["transfers"].basis
    assert "response_rate" not in figures  # nothing routed: no rate rather than a made-up 0 %
    assert services.refresh_platform_figures(contract=contract, period="Q4") >= 1


def test_spec_roundtrip_and_period_targets() -> None:
    spec = default_spec()
    q1 = contract_from_spec(spec, enclave="x", year=2025, period="Q1")
    q4 = contract_from_spec(spec, enclave="x", year=2025, period="Q4")
    assert q1.indicator("landed").target == Decimal(1) and q4.indicator("landed").target == Decimal(4)
    assert q4.report_due == dt.date(2026, 1, 15)
    assert q1.indicator("response_rate").bands == q4.indicator("response_rate").bands


# ---- pages ------------------------------------------------------------------------------------------


def test_operator_reports_with_evidence_and_typed_values_survive_errors(
    world: Any, contract: AssessmentContract, client_for: Any
) -> None:
    client = client_for("enclave_operator")
    url = reverse("enclaves:report", args=[contract.pk, "Q1"])
    bad = client.post(url, {"value_landed": "2", "value_response_rate": "150", "note_landed": "两家"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "超过允许的最大值" in html and 'value="150"' in html and 'value="2"' in html
    ok = client.post(url, {"value_landed": "2", "evidence_landed": pdf()})
    assert ok.status_code == 302
    row = IndicatorValue.objects.get(enclave=world.own_enclave, period="Q1", code="landed")
    assert row.reported == 2 and row.reported_by == world.users["enclave_operator"]
    assert row.evidence.count() == 1
    assert row.history.count() >= 1


def test_scorecard_page_exports_and_prints(world: Any, contract: AssessmentContract, client_for: Any) -> None:
    client = client_for("bureau_staff")
    page = client.get(reverse("enclaves:scorecard", args=[contract.pk, "Q4"]))
    assert page.status_code == 200
    assert "chart-points" in page.content.decode()
    xlsx = client.get(reverse("enclaves:scorecard", args=[contract.pk, "Q4"]), {"export": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["评分汇总", "指标明细"]
    assert book["指标明细"].max_row == 1 + len(contract.spec["indicators"])
    printed = client.get(reverse("enclaves:scorecard_print", args=[contract.pk, "Q4"]))
    assert "盖章" in printed.content.decode()


def test_simulation_changes_the_total_but_saves_nothing(
    world: Any, contract: AssessmentContract, client_for: Any
) -> None:
    client = client_for("bureau_staff")
    url = reverse("enclaves:simulate", args=[contract.pk, "Q4"])
    page = client.get(url, {"o_landed": "4", "o_teams": "8"})
    assert page.status_code == 200
    card = page.context["card"]
    assert Decimal(card["total"]) == Decimal("26.00")  # 14 + 12
    assert not IndicatorValue.objects.exists()
    bad = client.get(url, {"o_landed": "abc"})
    assert bad.status_code == 400 and "不是有效数字" in bad.content.decode()


def test_ranking_orders_enclaves_and_escapes_names(world: Any, client_for: Any) -> None:
    world.other_enclave.name = "<script>alert(1)</script>西安"
    world.other_enclave.save()
    good = services.create_contract(enclave=world.own_enclave, year=2025, actor=None)
    services.create_contract(enclave=world.other_enclave, year=2025, actor=None)
    services.report_values(contract=good, period="Q4", figures={"response_rate": "96"}, actor=None)
    page = client_for("bureau_staff").get(reverse("enclaves:ranking"), {"year": "2025", "period": "Q4"})
    rows = page.context["rows"]
    assert [r["entry"].enclave for r in rows] == [world.own_enclave.name, world.other_enclave.name]
    assert rows[0]["entry"].total == Decimal("5.50")  # 6 points, less 0.5 for a report after the deadline
    assert "<script>alert(1)</script>" not in page.content.decode()
    empty = client_for("bureau_staff").get(reverse("enclaves:ranking"), {"year": "2030"})
    assert "尚无可排名" in empty.content.decode()


def test_contract_editor_keeps_input_and_reports_weight_problems(
    world: Any, contract: AssessmentContract, client_for: Any
) -> None:
    from kechuang.enclaves.forms import indicators_initial, rules_initial

    client = client_for("bureau_staff")
    url = reverse("enclaves:contract_edit", args=[contract.pk])
    assert client.get(url).status_code == 200
    data: dict[str, Any] = {}
    for key, value in rules_initial(contract.spec).items():
        data[f"rules-{key}"] = "" if value is None else value
    rows = indicators_initial(contract.spec)
    data.update({"ind-TOTAL_FORMS": str(len(rows) + 1), "ind-INITIAL_FORMS": str(len(rows))})
    for n, row in enumerate(rows):
        for key, value in row.items():
            if value is None or key in ("description", "min_value"):
                continue
            if isinstance(value, bool):
                if value:
                    data[f"ind-{n}-{key}"] = "on"
            else:
                data[f"ind-{n}-{key}"] = value
    extra = len(rows)
    data.update(
        {
            f"ind-{extra}-code": "pilot",
            f"ind-{extra}-name": "中试项目数",
            f"ind-{extra}-kind": "linear",
            f"ind-{extra}-weight": "5",
            f"ind-{extra}-unit": "个",
            f"ind-{extra}-target": "3",
            f"ind-{extra}-cap_ratio": "1.2",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "105" in html and 'value="中试项目数"' in html
    data["ind-0-weight"] = "5"  # tech_results 10 → 5 …
    data[f"ind-{extra}-weight"] = "5"  # … and the personalised one gets the other 5
    response = client.post(url, data)
    assert response.status_code == 302, re.findall(
        r"alert-error[^>]*>(.*?)</div>|class=\"error\">(.*?)<", response.content.decode()
    )
    contract.refresh_from_db()
    pilot = next(i for i in contract.spec["indicators"] if i["code"] == "pilot")
    assert pilot["name"] == "中试项目数" and pilot["weight"] == "5"


def test_dashboard_shows_finalised_annual_results_to_the_bureau_only(
    world: Any, contract: AssessmentContract, client_for: Any
) -> None:
    staff = world.users["bureau_staff"]
    signed(contract, staff)
    services.report_values(contract=contract, period="Q4", figures={"response_rate": "96"}, actor=staff)
    for code in ("fraud", "major_incident"):
        services.verify_value(contract=contract, period="Q4", code=code, verified="0", note="无", actor=staff)
    final = services.finalise_assessment(
        contract=contract, period="Q4", actor=staff, as_of=dt.date(2026, 1, 10)
    )
    html = client_for("bureau_staff").get(reverse("dashboard:home")).content.decode()
    assert "创新飞地考核（2025年度）" in html and str(final.total) in html
    assert (
        "创新飞地考核" not in client_for("township_officer").get(reverse("dashboard:home")).content.decode()
    )


def test_a_personalised_indicator_can_take_a_platform_source(
    world: Any, contract: AssessmentContract
) -> None:
    spec = dict(contract.spec)
    rows = [{**i, "weight": "4"} if i["code"] == "tech_results" else i for i in spec["indicators"]]
    extra = {"code": "lab_contracts", "name": "联合实验室委托开发合同数", "unit": "份", "kind": "linear"}
    rows.append(
        {**extra, "weight": "6", "target": "3", "cap_ratio": "1.2", "personalised": True, "source": "nope"}
    )
    spec["indicators"] = rows
    with pytest.raises(ValidationError, match="平台统计来源“nope”不存在"):
        services.update_contract_spec(contract=contract, spec=spec, actor=None)
    rows[-1]["source"] = "transfers"
    services.update_contract_spec(contract=contract, spec=spec, actor=None)
    services.refresh_platform_figures(contract=contract, period="Q2")
    row = IndicatorValue.objects.get(enclave=world.own_enclave, year=2025, period="Q2", code="lab_contracts")
    assert row.computed == 0 and "技术合同 0 份" in row.computed_basis


def test_an_old_version_says_which_version_the_period_was_finalised_under(
    world: Any, contract: AssessmentContract, client_for: Any
) -> None:
    staff = world.users["bureau_staff"]
    signed(contract, staff)
    v2 = services.amend_contract(contract=contract, reason="调整", actor=staff)
    signed(v2, staff)
    for code in ("fraud", "major_incident"):
        services.verify_value(contract=v2, period="Q1", code=code, verified="0", note="无", actor=staff)
    services.finalise_assessment(contract=v2, period="Q1", actor=staff)
    client = client_for("bureau_staff")
    old_page = client.get(reverse("enclaves:scorecard", args=[contract.pk, "Q1"])).content.decode()
    assert "已按" in old_page and "第2版契约" in old_page and "对照测算" in old_page
    new_page = client.get(reverse("enclaves:scorecard", args=[v2.pk, "Q1"])).content.decode()
    assert "以下为定稿时的结果与数据" in new_page


def test_operators_do_not_report_deductions_or_veto_items(
    world: Any, contract: AssessmentContract, client_for: Any
) -> None:
    client = client_for("enclave_operator")
    url = reverse("enclaves:report", args=[contract.pk, "Q1"])
    html = client.get(url).content.decode()
    assert 'name="value_landed"' in html
    assert 'name="value_fraud"' not in html and 'name="value_unrectified"' not in html
    client.post(url, {"value_landed": "1", "value_fraud": "0"})  # a crafted field is ignored
    assert not IndicatorValue.objects.filter(code="fraud").exists()
