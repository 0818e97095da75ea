"""Excel/CSV import with real files: preview, per-row errors, atomic commit, upsert, encodings, limits."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from kechuang.core.excel import TableReadError, read_table
from kechuang.orgs import imports
from kechuang.orgs.models import (
    Enterprise,
    EnterpriseYearFigure,
    Expert,
    ImportBatch,
    Organization,
    Qualification,
)
from tests import factories as f

HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "所在镇街",
    "行业代码",
    "规上企业",
    "从业人员",
    "科技人员",
    "年度",
    "营业收入(万元)",
    "研发投入(万元)",
    "资质荣誉",
]


def xlsx(headers: list[str], rows: list[list[Any]]) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def preview(buffer: io.BytesIO, name: str = "企业.xlsx", kind: str = "enterprise") -> ImportBatch:
    return imports.preview_import(actor=None, kind=kind, upload=buffer, filename=name)


@pytest.fixture
def town(db: Any) -> Any:
    return f.township("陈埭镇")


def test_clean_file_previews_then_commits_atomically_with_history(town: Any) -> None:
    rows = [
        [f.credit_code(), f"鞋业公司{i}", "陈埭镇", "1952", "是", 300, 40, 2024, 20000, 600, "高新技术企业"]
        for i in range(5)
    ]
    batch = preview(xlsx(HEADERS, rows))
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.errors
    assert (batch.total_rows, batch.created_count, batch.error_count) == (5, 5, 0)
    assert Enterprise.objects.count() == 0  # the dry run writes nothing
    imports.commit_import(actor=None, batch=batch)
    assert Enterprise.objects.count() == 5
    ent = Enterprise.objects.select_related("organization").get(organization__name="鞋业公司0")
    assert ent.township == town and ent.is_above_scale and ent.employees == 300
    assert EnterpriseYearFigure.objects.get(enterprise=ent, year=2024).rd_spend == Decimal("600.00")
    assert Qualification.objects.filter(organization=ent.organization, kind="high_tech").exists()
    assert ent.organization.history.count() == 1
    assert ent.organization.history.first().history_change_reason == "Excel导入"


def test_reimport_upserts_by_credit_code(town: Any) -> None:
    code = f.credit_code()
    imports.commit_import(
        actor=None,
        batch=preview(xlsx(HEADERS, [[code, "旧名", "陈埭镇", "1952", "否", 10, 1, 2023, 100, 1, ""]])),
    )
    batch = preview(xlsx(HEADERS, [[code, "新名", "陈埭镇", "1952", "是", 20, 2, 2024, 200, 2, ""]]))
    assert (batch.created_count, batch.updated_count) == (0, 1)
    imports.commit_import(actor=None, batch=batch)
    org = Organization.objects.get(credit_code=code)
    assert org.name == "新名" and Organization.objects.count() == 1
    assert sorted(org.enterprise.figures.values_list("year", flat=True)) == [2023, 2024]
    assert org.history.count() == 2  # the rename is in history


def test_per_row_errors_in_chinese_with_row_and_column_and_nothing_written(town: Any) -> None:
    good = f.credit_code()
    rows = [
        [good, "正常企业", "陈埭镇", "1952", "是", 100, 10, 2024, 1000, 10, ""],
        ["91350582MA2XXXXXX1", "坏代码", "陈埭镇", "1952", "是", 100, 10, 2024, 1000, 10, ""],
        [f.credit_code(), "未知镇", "火星镇", "1952", "是", 100, 10, 2024, 1000, 10, ""],
        [f.credit_code(), "人数倒挂", "陈埭镇", "1952", "是", 10, 100, 2024, 1000, 10, ""],
        [f.credit_code(), "负数", "陈埭镇", "1952", "是", -5, 1, 2024, 1000, 10, ""],
        [good, "重复", "陈埭镇", "1952", "是", 100, 10, 2024, 1000, 10, ""],
        [f.credit_code(), "研发大于营收", "陈埭镇", "9999", "也许", 100, 10, 2024, 10, 1000, "诺贝尔奖"],
    ]
    batch = preview(xlsx(HEADERS, rows))
    assert batch.status == ImportBatch.Status.REJECTED
    by_row: dict[int, list[str]] = {}
    for e in batch.errors:
        by_row.setdefault(e["row"], []).append(f"{e['column']}:{e['message']}")
    assert 2 not in by_row
    assert any("校验位" in m or "字符" in m for m in by_row[3])
    assert any("所在镇街" in m and "火星镇" in m for m in by_row[4])
    assert any("科技人员" in m for m in by_row[5])
    assert any("从业人员" in m and "超出范围" in m for m in by_row[6])
    assert any("与第2行重复" in m for m in by_row[7])
    assert {m.split(":")[0] for m in by_row[8]} >= {"行业代码", "规上企业"}
    assert batch.error_count == 6
    with pytest.raises(imports.ImportRefused):
        imports.commit_import(actor=None, batch=batch)
    assert Organization.objects.count() == 0


def test_wrong_columns_are_named(town: Any) -> None:
    batch = preview(xlsx(["企业名", "代码"], [["甲", "乙"]]))
    assert batch.status == ImportBatch.Status.REJECTED
    message = batch.errors[0]["message"]
    assert "缺少必填列：统一社会信用代码、企业名称" in message and "无法识别的列：企业名、代码" in message


def test_gbk_csv_is_accepted(town: Any) -> None:
    text = "统一社会信用代码,企业名称,所在镇街\n" + f"{f.credit_code()},晋江市GBK编码鞋业有限公司,陈埭镇\n"
    batch = preview(io.BytesIO(text.encode("gbk")), "企业.csv")
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.errors
    imports.commit_import(actor=None, batch=batch)
    assert Organization.objects.filter(name="晋江市GBK编码鞋业有限公司").exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "a.xlsx", "文件为空"),
        (b"not a workbook", "a.xlsx", "无法读取"),
        (b"a,b", "a.txt", "仅支持"),
        ("统一社会信用代码,企业名称\n".encode(), "a.csv", "只有表头"),
    ],
)
def test_unreadable_files_get_a_clear_message(db: Any, content: bytes, name: str, message: str) -> None:
    with pytest.raises(TableReadError, match=message):
        preview(io.BytesIO(content), name)
    assert ImportBatch.objects.count() == 0


def test_files_over_20_mb_are_refused(db: Any) -> None:
    big = io.BytesIO(b"x" * (20 * 1024 * 1024 + 1))
    with pytest.raises(TableReadError, match="20 MB"):
        read_table(big, "big.csv")


def test_template_has_the_spec_headers() -> None:
    workbook = load_workbook(io.BytesIO(imports.template_workbook("enterprise")))
    headers = [c.value for c in workbook.worksheets[0][1]]
    assert headers[:2] == ["统一社会信用代码*", "企业名称*"]
    assert "填写说明" in workbook.sheetnames
    # the template itself imports (as an empty file it is refused with a message, not a crash)
    buffer = io.BytesIO(imports.template_workbook("enterprise"))
    with pytest.raises(TableReadError, match="只有表头"):
        read_table(buffer, "t.xlsx")


def test_institutions_then_experts(db: Any) -> None:
    inst = xlsx(["名称", "类别", "级别", "所在城市"], [["福州大学晋江校区（测试）", "高校", "省级", "晋江"]])
    imports.commit_import(actor=None, batch=preview(inst, "院所.xlsx", "institution"))
    experts = xlsx(
        ["姓名", "所在单位", "职称", "研究领域"],
        [["陈教授", "福州大学晋江校区（测试）", "教授", "高分子材料"], ["林博士", "不存在大学", "", ""]],
    )
    batch = preview(experts, "专家.xlsx", "expert")
    assert batch.status == ImportBatch.Status.REJECTED
    assert batch.errors[0]["row"] == 3 and "尚未登记" in batch.errors[0]["message"]
    fixed = xlsx(["姓名", "所在单位", "职称"], [["陈教授", "福州大学晋江校区（测试）", "教授"]])
    imports.commit_import(actor=None, batch=preview(fixed, "专家.xlsx", "expert"))
    assert Expert.objects.get(name="陈教授").institution.organization.name == "福州大学晋江校区（测试）"


def test_import_page_flow(client_for: Any, world: Any) -> None:
    staff = client_for("bureau_staff")
    upload = xlsx(
        HEADERS, [[f.credit_code(), "网页导入企业", "陈埭镇", "1952", "是", 10, 1, 2024, 100, 1, ""]]
    )
    upload.name = "网页.xlsx"
    response = staff.post("/orgs/import/", {"kind": "enterprise", "file": upload})
    assert response.status_code == 302
    page = staff.get(response["Location"])
    assert "预检通过" in page.content.decode()
    commit = staff.post(response["Location"] + "commit/")
    assert commit.status_code == 302
    assert Organization.objects.filter(name="网页导入企业").exists()
    bad = io.BytesIO(b"")
    bad.name = "空.xlsx"
    response = staff.post("/orgs/import/", {"kind": "enterprise", "file": bad})
    assert response.status_code == 200 and "文件为空" in response.content.decode()
