"""Matchmaking fairs, salons and roadshows (对接会/路演): registrations, 1:1 meeting requests, the
scheduled meetings and what came of them (intention orders followed to contracts and landings), and the
interest investors record in the projects presented at a roadshow."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from kechuang.core.models import TimeStampedModel
from kechuang.orgs.models import Organization, money

USER = settings.AUTH_USER_MODEL


class EventKind(models.TextChoices):
    FAIR = "fair", "对接洽谈会"
    FACE_TO_FACE = "face_to_face", "科技成果面对面"
    SALON = "salon", "主题沙龙"
    PROMOTION = "promotion", "项目推介"
    FORUM = "forum", "学术论坛"
    ROADSHOW = "roadshow", "投融资路演"


class Event(TimeStampedModel):
    title = models.CharField("活动名称", max_length=120)
    kind = models.CharField("类型", max_length=16, choices=EventKind.choices)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    venue = models.CharField("地点", max_length=120, blank=True)
    online = models.BooleanField("线上", default=False)
    organisers = models.CharField("主办/承办", max_length=200, blank=True)
    capacity = models.PositiveIntegerField("人数上限", default=300)
    agenda = models.TextField("议程", blank=True, max_length=10000)
    registration_open = models.BooleanField("开放报名", default=True)
    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = verbose_name_plural = "对接活动"
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.title


class MeetingSlot(models.Model):
    """A time slot for 1:1 meetings with a number of tables."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField("开始")
    ends_at = models.DateTimeField("结束")
    tables = models.PositiveSmallIntegerField("洽谈桌数", validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["event", "starts_at"]
        verbose_name = verbose_name_plural = "洽谈时段"

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%H:%M}–{timezone.localtime(self.ends_at):%H:%M}"


class ParticipantRole(models.TextChoices):
    EXHIBITOR = "exhibitor", "参展高校院所/成果方"
    ENTERPRISE = "enterprise", "企业"
    INVESTOR = "investor", "投资机构"


class Registration(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "未通过"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    organization = models.ForeignKey(
        Organization, verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("身份", max_length=12, choices=ParticipantRole.choices)
    user = models.ForeignKey(
        USER, verbose_name="报名人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_name = models.CharField("联系人", max_length=40)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    offer = models.TextField("带来的成果/需求/投资方向", blank=True, max_length=5000)
    achievements = models.ManyToManyField("achievements.Achievement", verbose_name="参展成果", blank=True)
    demands = models.ManyToManyField("demands.Demand", verbose_name="携带需求", blank=True)
    max_meetings = models.PositiveSmallIntegerField("最多洽谈场次", default=8)
    available_slots = models.ManyToManyField(MeetingSlot, verbose_name="可参加时段", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)

    class Meta:
        ordering = ["event", "pk"]
        verbose_name = verbose_name_plural = "活动报名"
        constraints = [
            models.UniqueConstraint(fields=["event", "organization"], name="registration_once_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.organization} @ {self.event}"


class MeetingRequest(TimeStampedModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", "待对方确认"
        ACCEPTED = "accepted", "已接受"
        DECLINED = "declined", "已婉拒"
        SUGGESTED = "suggested", "系统推荐"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_requests")
    requester = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="requests_made")
    invitee = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="requests_received")
    message = models.CharField("留言", max_length=500, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.REQUESTED)
    value = models.FloatField("价值", default=1.0)
    reason = models.CharField("推荐理由", max_length=500, blank=True)

    class Meta:
        ordering = ["event", "pk"]
        verbose_name = verbose_name_plural = "洽谈请求"
        constraints = [
            models.UniqueConstraint(fields=["event", "requester", "invitee"], name="meeting_request_once"),
            models.CheckConstraint(condition=~Q(requester=F("invitee")), name="meeting_request_two_parties"),
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.invitee}"


class Meeting(TimeStampedModel):
    """A placed 1:1 meeting, and what happened at it."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "已排期"
        HELD = "held", "已洽谈"
        NO_SHOW = "no_show", "未到场"
        CANCELLED = "cancelled", "已取消"

    class Interest(models.TextChoices):
        NONE = "", "未填写"
        HIGH = "high", "意向强烈"
        MEDIUM = "medium", "有一定意向"
        LOW = "low", "暂无意向"

    request = models.OneToOneField(MeetingRequest, on_delete=models.CASCADE, related_name="meeting")
    slot = models.ForeignKey(MeetingSlot, on_delete=models.PROTECT, related_name="meetings")
    table = models.PositiveSmallIntegerField("桌号")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    interest = models.CharField("意向程度", max_length=8, choices=Interest.choices, blank=True)
    notes = models.TextField("洽谈记录", blank=True, max_length=3000)

    class Meta:
        ordering = ["slot", "table"]
        verbose_name = verbose_name_plural = "洽谈安排"
        constraints = [  # a cancelled meeting gives its table back
            models.UniqueConstraint(
                fields=["slot", "table"], condition=~Q(status="cancelled"), name="meeting_one_per_table"
            )
        ]

    def __str__(self) -> str:
        return f"{self.slot} 第{self.table}桌"


class IntentionOrder(TimeStampedModel):
    """转移意向订单: a signed intention between two parties, followed to a contract and a landing."""

    class Stage(models.TextChoices):
        INTENTION = "intention", "意向"
        CONTRACT = "contract", "已签合同"
        LANDED = "landed", "已落地"
        DROPPED = "dropped", "已终止"

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="orders")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    supplier = models.ForeignKey(
        Organization, verbose_name="成果方", on_delete=models.PROTECT, related_name="+"
    )
    buyer = models.ForeignKey(Organization, verbose_name="需求方", on_delete=models.PROTECT, related_name="+")
    achievement = models.ForeignKey(
        "achievements.Achievement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    demand = models.ForeignKey(
        "demands.Demand", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cooperation = models.CharField("合作方式", max_length=16)
    intended_amount = money("意向金额(万元)")
    stage = models.CharField("进展", max_length=10, choices=Stage.choices, default=Stage.INTENTION)
    contract_type = models.CharField("合同类型", max_length=12, blank=True)
    contract_amount = money("合同金额(万元)")
    contract_no = models.CharField("技术合同登记号", max_length=40, blank=True)
    signed_on = models.DateField("签订日期", null=True, blank=True)
    landed_on = models.DateField("落地日期", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "pk"]
        verbose_name = verbose_name_plural = "意向订单"

    def __str__(self) -> str:
        return f"{self.supplier} → {self.buyer}"


class InvestorInterest(TimeStampedModel):
    """投资意向: an investor at a roadshow (投融资路演/项目推介) interested in a presented project, followed
    from intention through due diligence to an investment (or dropped)."""

    class Level(models.TextChoices):
        STRONG = "strong", "强烈"
        MODERATE = "moderate", "一般"
        WATCHING = "watching", "观望"

    class Round(models.TextChoices):
        SEED = "seed", "种子轮"
        ANGEL = "angel", "天使轮"
        PRE_A = "pre_a", "Pre-A轮"
        A = "a", "A轮"
        B = "b", "B轮"
        C_PLUS = "c_plus", "C轮及以后"
        STRATEGIC = "strategic", "战略投资"

    class Stage(models.TextChoices):
        INTENTION = "intention", "意向"
        DUE_DILIGENCE = "due_diligence", "尽调"
        INVESTED = "invested", "已投资"
        DROPPED = "dropped", "放弃"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="investor_interests")
    investor = models.ForeignKey(
        Registration, verbose_name="投资机构", on_delete=models.CASCADE, related_name="interests_given"
    )
    presenter = models.ForeignKey(
        Registration, verbose_name="路演项目", on_delete=models.CASCADE, related_name="interests_received"
    )
    level = models.CharField("意向程度", max_length=10, choices=Level.choices)
    amount = money("意向投资金额(万元)")
    funding_round = models.CharField("轮次", max_length=10, choices=Round.choices, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    stage = models.CharField("跟进阶段", max_length=14, choices=Stage.choices, default=Stage.INTENTION)
    invested_amount = money("实际投资金额(万元)")
    stage_note = models.CharField("进展说明", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "pk"]
        verbose_name = verbose_name_plural = "投资意向"
        constraints = [
            models.UniqueConstraint(fields=["investor", "presenter"], name="investor_interest_once"),
            models.CheckConstraint(
                condition=~Q(investor=F("presenter")), name="investor_interest_two_parties"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.investor} → {self.presenter}"


class ScheduleRun(models.Model):
    """One run of the scheduler for an event: its quality against the baseline and the bound."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="schedule_runs")
    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField("类型", max_length=10, default="schedule")  # schedule | replan
    requested = models.PositiveIntegerField(default=0)
    placed = models.PositiveIntegerField(default=0)
    value = models.FloatField(default=0)
    lp_bound = models.FloatField(null=True)
    greedy_value = models.FloatField(default=0)
    accepted_placed = models.PositiveIntegerField(default=0)
    accepted_total = models.PositiveIntegerField(default=0)
    moves = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    status = models.CharField(max_length=20, blank=True)
    unplaced = models.JSONField(default=list)  # [{"request": id, "accepted": bool, "reason": "…"}]

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "排期记录"

    def __str__(self) -> str:
        return f"{self.event} {self.created_at:%Y-%m-%d %H:%M}"
