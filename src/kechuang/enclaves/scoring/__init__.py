"""KPI scoring core for 创新飞地 operator contracts (契约化考核), free of Django.

Kept framework-free so that the bureau's rules can be tested, benchmarked and simulated
without a database; the Django app only stores contracts/values and renders scorecards.
"""

from .engine import REVIEW_FLAGS, SOURCE_LABELS, IndicatorResult, Scorecard, score, simulate
from .model import (
    KIND_LABELS,
    KINDS,
    POLICY_MAX_REWARD,
    Contract,
    Indicator,
    Kind,
    RewardRule,
    RewardTier,
    Value,
    q2,
)
from .ranking import RankEntry, rank
from .validation import ContractError, contract_warnings, max_total_score, validate_contract

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "POLICY_MAX_REWARD",
    "REVIEW_FLAGS",
    "SOURCE_LABELS",
    "Contract",
    "ContractError",
    "Indicator",
    "IndicatorResult",
    "Kind",
    "RankEntry",
    "RewardRule",
    "RewardTier",
    "Scorecard",
    "Value",
    "contract_warnings",
    "max_total_score",
    "q2",
    "rank",
    "score",
    "simulate",
    "validate_contract",
]
