"""Helpers for the talent tests: valid ID numbers (correct check digit), a small A–E catalogue, a rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kechuang.core.pii import check_char


def id_number(seq: int, born: dt.date = dt.date(1990, 1, 1), region: str = "350582") -> str:
    first17 = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_char(first17)


def catalogue() -> dict[str, Any]:
    """Levels A (top, bureau only), B (self-certifiable after filing), C (self-certifiable) and items."""
    from kechuang.talents import services

    a = services.save_level(actor=None, code="A", name="顶尖人才", rank=1, self_certifiable=False)
    b = services.save_level(actor=None, code="B", name="国家级领军人才", rank=2, needs_filing=True)
    c = services.save_level(actor=None, code="C", name="省级高层次人才", rank=3)
    d = services.save_level(actor=None, code="D", name="市级高层次人才", rank=4)
    items = {
        "A": services.save_catalogue_item(
            actor=None, level=a, code="A-01", text="诺贝尔奖获得者", validity_years=5
        ),
        "B": services.save_catalogue_item(actor=None, level=b, code="B-01", text="国家级人才计划入选者"),
        "C": services.save_catalogue_item(actor=None, level=c, code="C-01", text="省级人才计划入选者"),
        "D": services.save_catalogue_item(actor=None, level=d, code="D-01", text="博士学位且任职满一年"),
        "C_old": services.save_catalogue_item(
            actor=None, level=c, code="C-99", text="旧版目录条目", valid_until=dt.date(2024, 12, 31)
        ),
    }
    return {"A": a, "B": b, "C": c, "D": d, "items": items}


def authorise(enterprise: Any, levels: list[Any], *, places: int | None = None, year: int = 2025) -> Any:
    """Authorise for 2025 with a rule giving ``places`` for any taxes (when given)."""
    from kechuang.talents import services

    if places is not None:
        services.save_quota_rule(actor=None, name="测试规则", year=year, bands=[[0, places]], cap=places)
    return services.save_authorization(
        actor=None,
        enterprise=enterprise,
        valid_from=dt.date(year, 1, 1),
        valid_until=dt.date(year, 12, 31),
        levels=levels,
    )


def person(seq: int, enterprise: Any = None, **extra: Any) -> Any:
    from kechuang.talents import services

    values: dict[str, Any] = {"source": "full_time", "on": dt.date(2025, 3, 1)}
    values.update(extra)
    if enterprise is not None:
        values["enterprise"] = enterprise
    return services.register_person(actor=None, name=f"人才{seq:03d}", id_number=id_number(seq), **values)
