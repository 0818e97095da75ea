"""The quota rule as plain arithmetic (no Django): places for an enterprise from last year's taxes, in bands
with a cap. Kept apart so the rule can be tested and explained on its own."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any


def bands_error(bands: Any) -> str | None:
    """Why ``bands`` is not a usable [[min_taxes_wan, places], …] list (ascending), in Chinese; or None."""
    if not isinstance(bands, list) or not bands:
        return "纳税档位应为非空列表，如 [[0, 1], [500, 3], [2000, 5]]"
    previous: Decimal | None = None
    for band in bands:
        if not isinstance(band, (list, tuple)) or len(band) != 2:
            return "每个档位应为 [纳税额下限(万元), 名额]"
        try:
            low = Decimal(str(band[0]))
        except InvalidOperation:
            return f"纳税额下限“{band[0]}”不是数字"
        if not isinstance(band[1], int) or isinstance(band[1], bool) or band[1] < 0:
            return f"名额“{band[1]}”应为非负整数"
        if low < 0:
            return "纳税额下限不能为负数"
        if previous is not None and low <= previous:
            return "纳税档位应按纳税额下限从低到高排列，且不能重复"
        previous = low
    return None


def places_for(bands: Sequence[Sequence[Any]], cap: int, taxes_wan: Decimal | None) -> int:
    """Places of the highest band whose lower bound the taxes reach, at most ``cap``; 0 below every band."""
    taxes = Decimal(taxes_wan or 0)
    places = 0
    for low, band_places in bands:
        if taxes >= Decimal(str(low)):
            places = int(band_places)
    return max(0, min(places, cap))


def parse_bands(text: str) -> list[list[Any]]:
    """Bands typed as lines "下限 名额" (or "下限:名额"), e.g. "0 1" then "500 3"; errors in Chinese."""
    bands: list[list[Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.replace("：", " ").replace(":", " ").replace(",", " ").replace("，", " ").strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ValueError(f"第{number}行应为“纳税额下限 名额”两项")
        try:
            low = Decimal(parts[0])
            places = int(parts[1])
        except (InvalidOperation, ValueError) as exc:
            raise ValueError(f"第{number}行的纳税额或名额不是数字") from exc
        bands.append([float(low) if low != low.to_integral() else int(low), places])
    return bands
