from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kechuang.core.access import Principal, Role
from kechuang.dashboard.selectors import county_dashboard
from tests import factories as f

BUREAU = Principal(role=Role.BUREAU_STAFF, user_id=1)


@pytest.fixture
def county(db: Any) -> dict[str, Any]:
    a, b = f.township("陈埭镇"), f.township("磁灶镇")
    e1 = f.enterprise(town=a)
    e2 = f.enterprise(town=a)
    e3 = f.enterprise(town=b, above_scale=False)
    f.figure(e1, 2023, "10000", "200")
    f.figure(e1, 2024, "20000", "500")
    f.figure(e2, 2024, "30000", "0", activity=False)
    f.figure(e3, 2024, "1000", "100")
    f.qualification(
        e1, "high_tech", since=dt.date(2022, 1, 1), until=dt.date.today() + dt.timedelta(days=365)
    )
    f.qualification(e3, "high_tech", since=dt.date(2024, 6, 1), until=dt.date.today() + dt.timedelta(days=30))
    f.qualification(e2, "high_tech", since=dt.date(2019, 1, 1), until=dt.date(2021, 12, 31))  # expired
    f.qualification(e1, "tech_center")
    return {"a": a, "b": b}


def test_figures_are_computed_from_the_registry(county: Any) -> None:
    d = county_dashboard(principal=BUREAU)
    assert (d.enterprise_count, d.above_scale_count) == (3, 2)
    tiers = {t["kind"]: t["count"] for t in d.tiers}
    assert tiers["high_tech"] == 2  # the expired one does not count
    y2023, y2024 = d.years
    assert (y2023.year, float(y2023.rd_spend)) == (2023, 200.0)
    assert float(y2024.rd_spend) == 600.0 and float(y2024.revenue) == 51000.0
    assert y2024.growth == pytest.approx(2.0)
    assert y2024.intensity == pytest.approx(600 / 51000)
    assert (y2023.high_tech_count, y2024.high_tech_count) == (1, 2)
    # 三个覆盖 among the two 规上 enterprises in 2024
    assert d.coverage["activity"] == 1 and d.coverage["spend"] == 1 and d.coverage["institution"] == 1
    assert d.coverage["activity_share"] == pytest.approx(0.5)
    towns = {t["name"]: t for t in d.townships}
    assert towns["陈埭镇"]["total"] == 2 and towns["磁灶镇"]["high_tech"] == 1


def test_township_officer_sees_own_township_only(county: Any) -> None:
    officer = Principal(role=Role.TOWNSHIP_OFFICER, user_id=2, township_id=county["b"].pk)
    d = county_dashboard(principal=officer, township_id=county["b"].pk)
    assert d.enterprise_count == 1 and float(d.years[-1].rd_spend) == 100.0


def test_dashboard_query_count_is_bounded(county: Any) -> None:
    with CaptureQueriesContext(connection) as ctx:
        county_dashboard(principal=BUREAU)
    first = len(ctx.captured_queries)
    for i in range(20):
        f.enterprise(town=county["a"])
        f.figure(f.enterprise(town=county["b"]), 2024, str(1000 + i), "10")
    with CaptureQueriesContext(connection) as ctx:
        county_dashboard(principal=BUREAU)
    assert len(ctx.captured_queries) == first <= 12


def test_dashboard_page_renders_charts_offline(client_for: Any, world: Any) -> None:
    html = client_for("bureau_staff").get("/dashboard/").content.decode()
    assert "/static/plotly/plotly.min.js" in html and "chart-data" in html
    assert "http://" not in html.split("<body>")[0] and "cdn" not in html.lower()


def test_empty_registry_shows_empty_state(db: Any) -> None:
    from django.contrib.auth.models import User

    from kechuang.accounts.models import Profile

    user = User.objects.create_user("s", password="x" * 12)
    Profile.objects.create(user=user, role="bureau_staff")
    from django.test import Client

    c = Client()
    c.force_login(user)
    assert "暂无企业数据" in c.get("/dashboard/").content.decode()
