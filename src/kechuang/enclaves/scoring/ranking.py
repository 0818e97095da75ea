"""Ranking of enclaves' scorecards for one period.

Competition ranking ("1, 2, 2, 4") on the total score: equal totals share a rank and
the explanation names the units they tie with.  No hidden tie-breaker is invented — the
contracts do not define one, and a rank that decides money must be explainable; within a
tie units are listed by name for a stable display only.  Vetoed units (一票否决) rank
after every unit that was not vetoed, whatever their totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .engine import Scorecard


@dataclass(slots=True)
class RankEntry:
    """One line of a ranking, with the reason for its position."""

    rank: int
    enclave: str
    period: str
    total: Decimal
    grade: str
    reward: Decimal
    vetoed: bool
    explanation: str
    tied_with: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (Decimals as exact strings)."""
        return {
            "rank": self.rank,
            "enclave": self.enclave,
            "period": self.period,
            "total": str(self.total),
            "grade": self.grade,
            "reward": str(self.reward),
            "vetoed": self.vetoed,
            "tied_with": list(self.tied_with),
            "explanation": self.explanation,
        }


def rank(scorecards: Sequence[Scorecard]) -> list[RankEntry]:
    """Rank scorecards of one period; raise ``ValueError`` on mixed periods or duplicate units."""
    if not scorecards:
        return []
    periods = sorted({c.period for c in scorecards})
    if len(periods) > 1:
        raise ValueError(f"不同考核期的结果不能放在一起排名：{'、'.join(periods)}")
    names = [c.enclave for c in scorecards]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"同一考核期内飞地重复出现：{'、'.join(dupes)}")
    ordered = sorted(scorecards, key=lambda c: (c.vetoed, -c.total, c.enclave))
    groups: dict[tuple[bool, Decimal], list[str]] = {}
    for c in ordered:
        groups.setdefault((c.vetoed, c.total), []).append(c.enclave)
    entries: list[RankEntry] = []
    current_rank = 0
    previous: tuple[bool, Decimal] | None = None
    for position, c in enumerate(ordered, 1):
        key = (c.vetoed, c.total)
        if key != previous:
            current_rank = position
            previous = key
        tied = [n for n in groups[key] if n != c.enclave]
        entries.append(
            RankEntry(
                rank=current_rank,
                enclave=c.enclave,
                period=c.period,
                total=c.total,
                grade=c.grade,
                reward=c.reward,
                vetoed=c.vetoed,
                explanation=_explain(c, current_rank, tied),
                tied_with=tied,
            )
        )
    return entries


def _explain(card: Scorecard, position: int, tied: list[str]) -> str:
    text = f"第{position}名：总分{card.total}，等级{card.grade}"
    if tied:
        text += (
            f"；与{'、'.join(tied)}总分相同，并列第{position}名"
            f"（契约未设并列细则，并列者按名称排列，仅为显示顺序）"
        )
    if card.vetoed:
        text += "；因触发一票否决，排在所有未被否决的单位之后"
    return text
