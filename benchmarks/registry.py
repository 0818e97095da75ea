"""Registry benchmark: import 50,000 enterprise rows from .xlsx, then time the list page and dashboard.

Run with `kechuang bench registry --json` (a scratch database is created and thrown away).
Targets (issue #2): import ≤ 60 s on 2 cores; list page ≤ 200 ms server time and ≤ 10 queries;
dashboard ≤ 500 ms.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

from kechuang.demo.generator import SUBDISTRICTS, TOWNS

ROWS = int(os.environ.get("KECHUANG_BENCH_ROWS", "50000"))
TOWNSHIPS = [*SUBDISTRICTS, *TOWNS]  # Jinjiang's 19 镇街, as in the demo
INDUSTRIES = ["1952", "1811", "1713", "1391", "3071", "2231", "3484", "3973", "2651", "2770"]
QUALS = ["", "", "", "高新技术企业", "科技型中小企业", "专精特新中小企业", "高新技术企业、企业技术中心"]


def _write_workbook(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    from kechuang.core.validators import credit_code_check_char
    from kechuang.orgs.imports import ENTERPRISE_SPEC

    rng = random.Random(2024)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("企业")
    headers = [c.header for c in ENTERPRISE_SPEC.columns]
    sheet.append(headers)
    for i in range(rows):
        body = f"91350582{i:09d}"
        revenue = round(rng.lognormvariate(8, 1.2), 2)
        employees = rng.randint(10, 3000)
        values = {
            "统一社会信用代码": body + credit_code_check_char(body),
            "企业名称": f"晋江市基准测试{i}号有限公司",
            "所在镇街": rng.choice(TOWNSHIPS),
            "联系电话": f"0595{rng.randint(80000000, 89999999)}",
            "行业代码": rng.choice(INDUSTRIES),
            "规上企业": "是" if rng.random() < 0.4 else "否",
            "从业人员": employees,
            "科技人员": rng.randint(0, employees // 5),
            "主营产品": "运动鞋、服装面料",
            "资质荣誉": rng.choice(QUALS),
            "年度": rng.choice([2022, 2023, 2024]),
            "营业收入(万元)": revenue,
            "研发投入(万元)": round(revenue * rng.uniform(0, 0.05), 2),
            "有研发活动": "是" if rng.random() < 0.6 else "否",
            "发明专利(件)": rng.randint(0, 20),
        }
        sheet.append([values.get(h) for h in headers])
    workbook.save(path)


def _time_get(client: Any, url: str, repeat: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches (templates, first connection)
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


def run(scratch_dir: Path) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    from kechuang.accounts.models import Profile
    from kechuang.orgs import imports
    from kechuang.orgs.models import ImportBatch, Township

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    for order, name in enumerate(TOWNSHIPS):
        Township.objects.get_or_create(
            name=name,
            defaults={"kind": "town" if name.endswith("镇") else "subdistrict", "sort_order": order},
        )
    path = scratch_dir / "enterprises.xlsx"
    _write_workbook(path, ROWS)
    started = time.perf_counter()
    batch = imports.import_file(actor=None, kind="enterprise", path=str(path))
    import_s = time.perf_counter() - started
    assert batch.status == ImportBatch.Status.COMMITTED, batch.errors[:5]

    user = User.objects.create_user("bench", password=None)  # signs in with force_login
    Profile.objects.create(user=user, role="bureau_staff")
    client = Client()
    client.force_login(user)
    list_ms, list_queries = _time_get(client, "/orgs/enterprises/", 10)
    filtered_ms, _ = _time_get(
        client, "/orgs/enterprises/?township=9&above_scale=1&qualification=high_tech", 5
    )
    dashboard_ms, dashboard_queries = _time_get(client, "/dashboard/", 5)
    return {
        "import_rows": batch.total_rows,
        "import_s": round(import_s, 2),
        "list_ms": round(list_ms, 1),
        "list_queries": list_queries,
        "filtered_list_ms": round(filtered_ms, 1),
        "dashboard_ms": round(dashboard_ms, 1),
        "dashboard_queries": dashboard_queries,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }
