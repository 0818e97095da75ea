"""In real headless Chromium: the bureau drafts and signs an enclave contract, the operator reports a
quarter with an evidence file, the bureau settles the flagged items and finalises the scorecard."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_demand_flow import Roles, click_and_wait, login

pytestmark = pytest.mark.browser


@pytest.fixture
def roles(browser: Any, live_server: Any) -> Any:
    made = Roles(browser, live_server.url)
    yield made
    made.close()


def test_contract_report_verify_finalise(
    page: Any, roles: Roles, live_server: Any, transactional_db: Any, world: Any, tmp_path: Any
) -> None:
    from kechuang.enclaves.models import Assessment, AssessmentContract, IndicatorValue

    base = live_server.url
    world.own_enclave.name = "晋江(武汉)<b>测试</b>飞地"
    world.own_enclave.save()

    # ---- the bureau drafts the contract from the library and signs it --------------------------------------
    staff = roles.watch(page, "staff")
    login(staff, base, "staff")
    staff.goto(f"{base}/enclaves/?year=2025")
    assert "尚无考核契约" in staff.locator("main").inner_text()
    staff.get_by_label("飞地").select_option(label=world.own_enclave.name)
    staff.get_by_label("考核年度").fill("2025")
    click_and_wait(staff, staff.get_by_role("button", name="按默认指标库生成草案"))
    assert "编辑契约指标" in staff.locator("h1").inner_text()
    click_and_wait(staff, staff.get_by_role("button", name="保存草案"))
    assert staff.locator(".alert-error").count() == 0, staff.locator(".alert-error, .error").all_inner_texts()
    assert "契约草案已保存" in staff.locator(".messages").inner_text()
    click_and_wait(staff, staff.get_by_role("button", name="签订并冻结"))
    assert "已签订" in staff.locator(".page-head .tag").inner_text()
    contract = AssessmentContract.objects.get(enclave=world.own_enclave, year=2025)

    # ---- the operator reports the first quarter with an evidence file ------------------------------------
    op = roles.open("enclave")
    op.goto(f"{base}/enclaves/contracts/{contract.pk}/Q1/report/")
    op.get_by_label("落地晋江企业数").fill("1")
    op.get_by_label("需求响应率").fill("130")
    click_and_wait(op, op.get_by_role("button", name="提交填报"))
    assert "超过允许的最大值 100" in op.locator(".alert-error").inner_text()
    assert op.get_by_label("落地晋江企业数").input_value() == "1"  # typed values are kept
    op.get_by_label("需求响应率").fill("")
    evidence = tmp_path / "落地证明.pdf"
    evidence.write_bytes(b"%PDF-1.4 landing evidence")
    op.get_by_label("上传佐证材料").nth(5).set_input_files(str(evidence))  # 落地晋江企业数 is the 6th row
    click_and_wait(op, op.get_by_role("button", name="提交填报"))
    assert "数据已填报" in op.locator(".messages").inner_text()
    row = IndicatorValue.objects.get(enclave=world.own_enclave, year=2025, period="Q1", code="landed")
    assert row.reported == 1 and row.evidence.count() == 1
    assert op.locator("h1").inner_text().startswith("晋江(武汉)<b>测试</b>飞地")  # shown as text
    op.wait_for_selector("#chart-points .main-svg")
    screenshot(op, "enclave-scorecard-operator")
    # The operator cannot open another enclave's contract or the ranking.
    other = AssessmentContract.objects.create(
        enclave=world.other_enclave, year=2025, title="x", spec=contract.spec
    )
    assert op.goto(f"{base}/enclaves/contracts/{other.pk}/").status == 404
    assert op.goto(f"{base}/enclaves/ranking/").status == 403

    # ---- the bureau settles the veto items and finalises ---------------------------------------------------
    staff.goto(f"{base}/enclaves/contracts/{contract.pk}/Q1/")
    click_and_wait(staff, staff.get_by_role("button", name="定稿"))
    assert "落地晋江企业数" in staff.locator(".messages").inner_text()  # flagged: reported 1, platform 0
    # The platform has no landing on record, so the operator's 1 is flagged until the bureau checks it.
    settle = {
        "落地晋江企业数": ("1", "已核对营业执照，企业尚未录入孵化台账"),
        "弄虚作假、骗取奖补资金": ("0", "经核查无此情况"),
        "重大安全事故或违法违规事件": ("0", "经核查无此情况"),
    }
    for name, (figure, note) in settle.items():
        row_el = staff.locator("tr", has=staff.locator("td", has_text=name)).first
        row_el.locator("summary", has_text="核定").click()
        row_el.get_by_label("核定值").fill(figure)
        row_el.get_by_label("依据").fill(note)
        click_and_wait(staff, row_el.get_by_role("button", name="保存"))
    staff.get_by_label("定稿说明").fill("第一季度检查")
    click_and_wait(staff, staff.get_by_role("button", name="定稿"))
    assert "已定稿" in staff.locator(".messages").inner_text()
    final = Assessment.objects.get(enclave=world.own_enclave, year=2025, period="Q1")
    assert staff.locator(".figure .value").first.inner_text() == str(final.total)

    printed = roles.open("staff")
    printed.goto(f"{base}/enclaves/contracts/{contract.pk}/Q1/print/")
    assert "盖章" in printed.locator("body").inner_text()
    assert not any(p.js_errors for p in roles.pages), [p.js_errors for p in roles.pages]
    assert not roles.dialogs
