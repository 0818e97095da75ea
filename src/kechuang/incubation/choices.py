"""Vocabularies of incubation: the lifecycle, investment rounds, services and elimination rules."""

from __future__ import annotations

from django.db import models


class Stage(models.TextChoices):
    RECRUITING = "recruiting", "项目招引"
    INCUBATING = "incubating", "入孵"
    INVESTMENT = "investment", "投资支持"
    LANDING = "landing", "落地辅导"
    GROWTH = "growth", "成长跟踪"
    GRADUATED = "graduated", "毕业"
    ELIMINATED = "eliminated", "淘汰"
    REJECTED = "rejected", "未获准入孵"


# Stages of an admitted project still being incubated: the ones elimination rules look at.
ACTIVE_STAGES = (Stage.INCUBATING, Stage.INVESTMENT, Stage.LANDING, Stage.GROWTH)
# Forward order for `advance_project_stage`; elimination, rejection and admission have their own decisions.
FORWARD = (Stage.INCUBATING, Stage.INVESTMENT, Stage.LANDING, Stage.GROWTH, Stage.GRADUATED)


def next_stages(stage: str) -> list[str]:
    """Stages a project may move on to by an ordinary advance (forward only; steps may be skipped, since
    not every project needs investment or landing support)."""
    if stage not in FORWARD or stage == Stage.GRADUATED:
        return []
    return [str(s) for s in FORWARD[FORWARD.index(Stage(stage)) + 1 :]]


class Decision(models.TextChoices):
    ADMIT = "admit", "入孵"
    REJECT = "reject", "不予入孵"


class Round(models.TextChoices):
    ANGEL = "angel", "天使轮"
    PRE_A = "pre_a", "Pre-A轮"
    A = "a", "A轮"
    A_PLUS = "a_plus", "A+轮"
    B = "b", "B轮"
    C = "c", "C轮及以后"
    STRATEGIC = "strategic", "战略投资"
    GRANT = "grant", "政府资助/补助"
    LOAN = "loan", "债权融资"


class ServiceKind(models.TextChoices):
    MARKET = "market", "市场资源对接"
    TECH = "tech", "技术资源对接"
    FINANCING = "financing", "投融资面洽"
    TRANSFER = "transfer", "科技成果转化"
    DUE_DILIGENCE = "due_diligence", "项目尽调评估"
    MENTORING = "mentoring", "创业辅导"
    SPACE = "space", "场地与租金补助"
    APPLICATION = "application", "人才/项目申报辅导"
    OTHER = "other", "其他"


class Rule(models.TextChoices):
    NO_PROGRESS = "no_progress", "长期无进展"
    MISSED_MILESTONES = "missed_milestones", "里程碑逾期未完成"
    LOW_REVIEW = "low_review", "定期评估低于淘汰线"
