"""Campaign Excel import of demands: per-row errors, atomic, filed through the normal service."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from kechuang.demands.models import Demand
from kechuang.orgs import imports
from kechuang.orgs.models import ImportBatch

HEADERS = [
    "统一社会信用代码",
    "需求名称",
    "需求类型",
    "需求描述",
    "预算下限(万元)",
    "预算上限(万元)",
    "合作方式",
    "公开方式",
    "征集活动",
]


def workbook(rows: list[list[Any]]) -> io.BytesIO:
    book = Workbook()
    book.active.append(HEADERS)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_demand_import_rows_errors_then_commit(world: Any) -> None:
    code = world.own_enterprise.organization.credit_code
    good = [
        code,
        "针织鞋面一体成型",
        "技术攻关",
        "飞织鞋面与鞋底一体成型的贴合工艺不稳定，需要改进。",
        20,
        80,
        "合作开发、技术服务",
        "公开",
        world.campaign.title,
    ]
    rows = [
        good,
        [
            "91350582000000001X",
            "未登记企业",
            "技术攻关",
            "描述描述描述描述描述描述",
            None,
            None,
            None,
            None,
            None,
        ],
        [code, "预算倒挂", "检验检测", "描述描述描述描述描述描述", 100, 10, "私下交易", None, "不存在的活动"],
    ]
    batch = imports.preview_import(actor=None, kind="demand", upload=workbook(rows), filename="征集表.xlsx")
    assert batch.status == ImportBatch.Status.REJECTED
    by_row: dict[int, set[str]] = {}
    for e in batch.errors:
        by_row.setdefault(e["row"], set()).add(e["column"])
    assert 2 not in by_row
    assert "统一社会信用代码" in by_row[3]
    assert {"预算上限(万元)", "合作方式", "征集活动"} <= by_row[4]
    before = Demand.objects.count()
    batch = imports.preview_import(actor=None, kind="demand", upload=workbook([good]), filename="征集表.xlsx")
    imports.commit_import(actor=world.users["bureau_staff"], batch=batch)
    demand = Demand.objects.get(title="针织鞋面一体成型")
    assert Demand.objects.count() == before + 1
    assert demand.status == "submitted" and demand.campaign == world.campaign
    assert demand.cooperation_modes == ["joint", "service"] and demand.events.filter(action="提交").exists()


def test_demand_template_is_offered_on_the_import_page(client_for: Any, world: Any) -> None:
    html = client_for("bureau_staff").get("/orgs/import/").content.decode()
    assert "技术需求（征集表）" in html
    assert client_for("bureau_staff").get("/orgs/import/template/demand/").status_code == 200
