"""Small builders for technology-service tests (real rows through the services, no mocks)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kechuang.techservices import services
from kechuang.techservices.models import Equipment, PilotPlatform, ServiceClaim


def aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def future_day(days: int = 10) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def platform(name: str = "晋江市中试熟化平台") -> PilotPlatform:
    return services.create_platform(actor=None, name=name, field="鞋服新材料")


def equipment(
    plat: PilotPlatform | None = None, *, fee: str = "300", name: str = "连续发泡中试线"
) -> Equipment:
    return services.add_equipment(
        actor=None, platform=plat or platform(), name=name, fee_yuan_per_hour=Decimal(fee), capacity="2吨/天"
    )


def claim(enterprise: Any, **kw: Any) -> ServiceClaim:
    values: dict[str, Any] = {
        "actor": None,
        "provider_kind": "research_platform",
        "provider_name": "福州大学晋江科教园",
        "problem": "鞋底发泡材料回弹率不足",
        "action": "派驻工程师调整配方并做对比试验",
        "enterprise": enterprise,
        "served_on": dt.date(2024, 5, 10),
        "value_claimed_wan": Decimal("10"),
    }
    values.update(kw)
    return services.record_claim(**values)
