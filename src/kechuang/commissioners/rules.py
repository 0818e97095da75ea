"""Plain rules behind assignments and matching (no Django): periods, capacity, profile texts, reasons.

Kept apart so they are tested on bare values and so the services read as the checks they make.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Period = tuple[dt.date, dt.date]


def overlaps(a: Period, b: Period) -> bool:
    """Two closed date ranges share at least one day."""
    return a[0] <= b[1] and b[0] <= a[1]


def peak_load(new: Period, others: Iterable[Period]) -> int:
    """The most assignments held on any one day of ``new`` (the new one not counted).

    Why not a plain count of overlapping assignments: two short assignments in different months of a
    year-long new one never run together, so the commissioner only carries one of them at a time.
    """
    inside = [(max(new[0], s), min(new[1], e)) for s, e in others if overlaps(new, (s, e))]
    if not inside:
        return 0
    events = sorted([(s, 1) for s, _ in inside] + [(e + dt.timedelta(days=1), -1) for _, e in inside])
    load = peak = 0
    for _, step in events:  # ends (-1) sort before starts (+1) on the same day: they do not meet
        load += step
        peak = max(peak, load)
    return peak


def period_text(period: Period) -> str:
    return f"{period[0]:%Y年%m月%d日}至{period[1]:%Y年%m月%d日}"


@dataclass(frozen=True)
class ProfileText:
    """One text of a commissioner's profile and the title shown as the reason when it matches best."""

    title: str
    text: str


def profile_texts(
    *,
    field_label: str,
    expertise: str,
    expert_fields: str = "",
    achievements: Sequence[tuple[str, str]] = (),
    publications: str = "",
) -> list[ProfileText]:
    """The texts the matching engine compares with an enterprise's needs: the field, the expertise, the
    expert's research fields, each achievement (title + abstract) and each listed paper (one per line)."""
    texts = [ProfileText(f"服务领域：{field_label}", field_label)]
    if expertise.strip():
        texts.append(ProfileText(f"专长：{expertise.strip()[:60]}", expertise.strip()))
    if expert_fields.strip():
        texts.append(ProfileText(f"研究领域：{expert_fields.strip()[:60]}", expert_fields.strip()))
    for title, abstract in achievements:
        if title.strip():
            texts.append(ProfileText(f"成果：{title.strip()}", f"{title.strip()}。{abstract.strip()}"))
    for line in publications.splitlines():
        if line.strip():
            texts.append(ProfileText(f"论文：{line.strip()[:80]}", line.strip()))
    return texts


def best_reason(ranked_texts: Sequence[tuple[str, float]], titles: dict[str, str]) -> dict[str, str]:
    """For each entity, the title of its best matching text.

    ``ranked_texts`` are (``"<entity>:<n>"``, score) pairs best first, as the engine ranks single texts;
    a text that scored nothing is no reason.
    """
    reasons: dict[str, str] = {}
    for key, score in ranked_texts:
        entity = key.split(":", 1)[0]
        if score > 0 and entity not in reasons:
            reasons[entity] = titles[key]
    return reasons
