"""How people here write amounts, dates, codes and phone numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kechuang.core.validators import normalise_phone


def format_wan(value: Decimal | float | int | None, *, digits: int = 2) -> str:
    """万元 below one 亿, 亿元 above, with thousands separators."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    if abs(amount) >= 10000:
        return f"{amount / 10000:,.{digits}f}亿元"
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}万元"
    return f"{amount:,.{digits}f}万元"


def format_yuan(value: int | float | Decimal | None) -> str:
    """Whole yuan with thousands separators (policy payments are stated to the yuan)."""
    if value is None or value == "":
        return "—"
    return f"{int(value):,} 元"


def format_date_cn(value: dt.date | dt.datetime | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    return f"{value.year}年{value.month}月{value.day}日"


def format_phone(value: str | None) -> str:
    """Mobile 138 0595 1234; landline 0595-8568 1234 (area code, then the number in groups of four)."""
    if not value:
        return "—"
    digits = normalise_phone(value)
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if digits.startswith("0"):
        area_len = (
            3 if digits[:3] in {"010", "020", "021", "022", "023", "024", "025", "027", "028", "029"} else 4
        )
        area, rest = digits[:area_len], digits[area_len:]
        if len(rest) == 8:
            rest = f"{rest[:4]} {rest[4:]}"
        return f"{area}-{rest}"
    return value


def format_credit_code(value: str | None) -> str:
    """Written as one unbroken upper-case string of 18 characters, as on a business licence."""
    return (value or "").upper() or "—"


def format_percent(value: float | Decimal | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


def plain_number(value: Decimal | int | float) -> str:
    """A number as people write it: 56, 60.5 (no trailing zeros, no exponent)."""
    return format(Decimal(str(value)).normalize(), "f")
