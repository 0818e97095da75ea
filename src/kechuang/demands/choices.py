"""Vocabularies of the demand process."""

from __future__ import annotations

from django.db import models


class DemandType(models.TextChoices):
    TECH_BREAKTHROUGH = "tech", "技术攻关"
    ACHIEVEMENT = "achievement", "成果引进"
    TALENT = "talent", "人才需求"
    TESTING = "testing", "检验检测"
    PILOT = "pilot", "中试熟化"
    EQUIPMENT = "equipment", "设备/工艺改造"
    FINANCING = "financing", "融资需求"
    OTHER = "other", "其他"


class CooperationMode(models.TextChoices):
    TRANSFER = "transfer", "技术转让"
    LICENCE = "licence", "技术许可"
    JOINT = "joint", "合作开发"
    COMMISSIONED = "commissioned", "委托开发"
    SERVICE = "service", "技术服务"
    TALENT = "talent", "人才引进"
    PLATFORM = "platform", "共建平台"


class Confidentiality(models.TextChoices):
    PUBLIC = "public", "公开"
    SUMMARY = "summary", "仅公开摘要"
    PRIVATE = "private", "不公开"


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待受理"
    RETURNED = "returned", "退回修改"
    ACCEPTED = "accepted", "已受理"
    ROUTED = "routed", "已分派"
    ANSWERED = "answered", "已响应"
    DOCKING = "docking", "对接中"
    CONTRACTED = "contracted", "已签约"
    LANDED = "landed", "已落地"
    CLOSED = "closed", "已关闭"
    REJECTED = "rejected", "不予受理"
    MERGED = "merged", "已合并"


OPEN_STATUSES = frozenset(
    {Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED, Status.ROUTED, Status.ANSWERED, Status.DOCKING}
)
# Statuses in which a demand (or its approved summary) may appear on public pages.
PUBLISHED_STATUSES = frozenset(
    {Status.ACCEPTED, Status.ROUTED, Status.ANSWERED, Status.DOCKING, Status.CONTRACTED, Status.LANDED}
)


class CloseReason(models.TextChoices):
    IMMATURE = "immature", "技术不成熟"
    TOO_COSTLY = "too_costly", "成本过高"
    NEED_CHANGED = "need_changed", "需求变化"
    NO_MATCH = "no_match", "无合适对象"
    SOLVED_ELSEWHERE = "solved_elsewhere", "已自行解决"
    TALENT_INTRODUCED = "talent_introduced", "人才已引进"
    FINANCED = "financed", "融资到位"  # a financing demand closed by a loan (kechuang.finance)
    OTHER = "other", "其他"


class RejectReason(models.TextChoices):
    NOT_TECH = "not_tech", "非技术类需求"
    INCOMPLETE = "incomplete", "信息不完整且无法补充"
    OUT_OF_SCOPE = "out_of_scope", "不属于服务范围"
    OTHER = "other", "其他"


class TargetKind(models.TextChoices):
    ENCLAVE = "enclave", "创新飞地"
    INSTITUTION = "institution", "高校院所"
    EXPERT = "expert", "专家"
    INVESTOR = "investor", "投资机构/银行"


class RoutingStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    ACKNOWLEDGED = "acknowledged", "已确认收到"
    ANSWERED = "answered", "已响应"
    DECLINED = "declined", "无法承接"


class ContractType(models.TextChoices):
    DEVELOPMENT = "development", "技术开发"
    TRANSFER = "transfer", "技术转让"
    LICENCE = "licence", "技术许可"
    CONSULTING = "consulting", "技术咨询"
    SERVICE = "service", "技术服务"


class Maturity(models.IntegerChoices):
    TRL1 = 1, "TRL1 基本原理"
    TRL2 = 2, "TRL2 技术概念"
    TRL3 = 3, "TRL3 概念验证"
    TRL4 = 4, "TRL4 实验室验证"
    TRL5 = 5, "TRL5 相关环境验证"
    TRL6 = 6, "TRL6 样机/中试"
    TRL7 = 7, "TRL7 实际环境演示"
    TRL8 = 8, "TRL8 系统定型"
    TRL9 = 9, "TRL9 规模应用"


# The funnel: (stage number, label, the status that enters it).
FUNNEL = (
    (1, "提交", Status.SUBMITTED),
    (2, "受理", Status.ACCEPTED),
    (3, "分派", Status.ROUTED),
    (4, "响应", Status.ANSWERED),
    (5, "对接", Status.DOCKING),
    (6, "签约", Status.CONTRACTED),
    (7, "落地", Status.LANDED),
)
STAGE_OF_STATUS: dict[str, int] = {str(status): number for number, _, status in FUNNEL}
