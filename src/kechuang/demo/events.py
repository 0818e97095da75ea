"""Demo matchmaking events, modelled on Jinjiang's first 科技成果转化对接洽谈会 (2024: 110 institutions, 252
exhibitors, 36 investors, 4,300+ intention orders), scaled down so it loads in a few seconds:

- a past fair (September 2024): the demo institutions and enclave operators exhibit their achievements,
  enterprises bring their demo demands, investors come too. Registrations are reviewed, people request
  meetings and answer them, the matching engine (its keyword backend) suggests more, the real scheduler
  places them into slots and tables, one late withdrawal is re-planned, participants check in (one does
  not come), outcomes are recorded, intention orders are signed and followed over the next months to
  technology contracts (技术开发/转让/许可/咨询/服务) and a few landings;
- a past 投融资路演 (November 2024) where investors record interest in the presented projects and follow
  some through due diligence to an investment (or drop them);
- an upcoming 科技成果面对面 open for registration (three weeks from today).

Every write goes through kechuang.events.services; afterwards the timestamps are moved onto the events'
calendar with queryset.update (registrations weeks before, requests days before, orders on the day,
contracts after it). Rows hang off `Event.is_demo` events, which is how `delete_demo_events` finds them.
Deterministic for a given seed and database.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.test.utils import override_settings
from django.utils import timezone

from kechuang.achievements.models import Achievement
from kechuang.demands.choices import ContractType
from kechuang.demands.models import Demand
from kechuang.demo.generator import ANCHOR, DEMO_EMAIL_DOMAIN, DEMO_SUFFIX
from kechuang.events import services
from kechuang.events.models import (
    Event,
    EventKind,
    IntentionOrder,
    InvestorInterest,
    Meeting,
    MeetingRequest,
    MeetingSlot,
    ParticipantRole,
    Registration,
    ScheduleRun,
)
from kechuang.orgs.models import Enclave, Enterprise, Institution, Investor, Organization

FAIR_DAY = dt.date(2024, 9, 26)  # a Thursday
ROADSHOW_DAY = dt.date(2024, 11, 14)
FAIR_ENTERPRISES = 30
FAIR_INVESTORS = 8
ROADSHOW_PRESENTERS = 8
SCHEDULE_SECONDS = 5.0

COOPERATION = {  # 合作方式 -> the technology contract it becomes
    "技术转让": ContractType.TRANSFER,
    "技术许可": ContractType.LICENCE,
    "合作开发": ContractType.DEVELOPMENT,
    "委托开发": ContractType.DEVELOPMENT,
    "技术咨询": ContractType.CONSULTING,
    "技术服务": ContractType.SERVICE,
}
MEETING_NOTES = {
    Meeting.Interest.HIGH: (
        "企业对成果的中试数据很感兴趣，约定两周内到实验室考察并商谈许可条件",
        "双方就联合攻关的技术路线基本达成一致，现场签订转移意向书",
        "企业希望尽快在产线上验证，成果方同意先提供小批量样品",
    ),
    Meeting.Interest.MEDIUM: (
        "企业关注成本和量产稳定性，请成果方补充中试与成本测算资料",
        "技术方向契合，但企业预算需下季度确定，约定会后保持联系",
    ),
    Meeting.Interest.LOW: (
        "成果成熟度尚不能满足企业量产要求，暂不推进",
        "企业现阶段需求与成果方向有差距，交换了联系方式",
    ),
}
DROP_REASONS = (
    "企业调整年度技改计划，项目暂缓",
    "双方在知识产权归属上未能达成一致",
    "小试样品未达到企业验收指标",
)
ROADSHOW_NOTES = (
    "团队技术背景扎实，已有头部品牌客户试用",
    "看好国产替代空间，关注毛利率与产能爬坡",
    "商业模式清晰，估值预期偏高",
    "希望补充近两年财务数据和订单情况",
    "产业协同价值大，可联动本地链主企业",
)
ROADSHOW_DROPS = ("估值分歧较大，暂不推进", "尽调发现核心专利权属存在瑕疵")


def _texts(registration: Registration) -> str:
    parts = [registration.offer]
    parts += [f"{a.title} {' '.join(a.keywords or [])}" for a in registration.achievements.all()]
    parts += [f"{d.title} {d.description[:300]}" for d in registration.demands.all()]
    return " ".join(parts)


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    return {a + b for a, b in itertools.pairwise(chars)}


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _workday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


class Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed + 6)
        self.today = timezone.localdate()
        self.counts: dict[str, int] = {}
        users = get_user_model().objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}")
        self.users = {u.username: u for u in users.select_related("profile")}
        self.staff = self.users.get("staff") or self.users.get("admin")
        self.user_of_org = {
            u.profile.organization_id: u
            for u in self.users.values()
            if hasattr(u, "profile") and u.profile.organization_id and u.profile.role != "bureau_staff"
        }
        self.institutions = list(
            Institution.objects.filter(is_demo=True).select_related("organization").order_by("pk")
        )
        operators = Enclave.objects.filter(is_demo=True, operator__isnull=False).values("operator_id")
        self.operators = list(Organization.objects.filter(pk__in=operators).order_by("pk"))
        self.investors = sorted(  # the investor account's firm first: it has something to do
            Investor.objects.filter(is_demo=True).select_related("organization"),
            key=lambda i: (i.organization_id not in self.user_of_org, i.pk),
        )
        self.achievements: dict[int, list[Achievement]] = {}
        for achievement in Achievement.objects.filter(is_demo=True, institution__isnull=False).order_by("pk"):
            assert achievement.institution_id is not None
            self.achievements.setdefault(achievement.institution_id, []).append(achievement)
        self.demands: dict[int, list[Demand]] = {}
        for demand in (
            Demand.objects.filter(is_demo=True)
            .exclude(status="draft")
            .exclude(demand_type="financing")  # fairs dock technology demands; financing goes to banks
            .select_related("enterprise")
            .order_by("pk")
        ):
            self.demands.setdefault(demand.enterprise.organization_id, []).append(demand)
        self.enterprises = list(
            Enterprise.objects.filter(is_demo=True).select_related("organization").order_by("pk")
        )
        self.anchor = next(
            (e for e in self.enterprises if e.organization.name == ANCHOR.name + DEMO_SUFFIX), None
        )
        self.contract_seq = self.rng.randint(400, 900)

    # -- helpers --

    def pick_enterprises(self, n: int) -> list[Enterprise]:
        """Enterprises with demo demands first (they come to find partners), the anchor account always."""
        with_demands = [e for e in self.enterprises if e.organization_id in self.demands]
        others = [e for e in self.enterprises if e.organization_id not in self.demands]
        chosen = self.rng.sample(with_demands, min(len(with_demands), n - 6))
        chosen += self.rng.sample(others, min(len(others), n - len(chosen)))
        if self.anchor is not None and self.anchor not in chosen:
            chosen[0:1] = [self.anchor]
        return sorted(chosen, key=lambda e: e.pk)

    def register(
        self,
        event: Event,
        org: Organization,
        role: str,
        *,
        offer: str,
        max_meetings: int = 8,
        available: Sequence[Any] | None = None,
        approve: bool | None = True,
    ) -> Registration:
        user = self.user_of_org.get(org.pk)
        registration = services.register(
            event=event,
            organization=org,
            role=role,
            user=user,
            contact_name=(user.profile.display_name if user else org.contact_name)[:40] or "联系人",
            contact_phone=f"1{self.rng.choice('358')}{self.rng.randint(0, 999_999_999):09d}",
            offer=offer[:5000],
            max_meetings=max_meetings,
            available=list(available) if available else None,
        )
        if approve is not None:
            services.review_registration(registration=registration, approve=approve)
        return registration

    def exhibitor_offer(self, org: Organization, achievements: list[Achievement]) -> str:
        if achievements:
            return "参展成果：" + "；".join(a.title for a in achievements)
        return f"{org.name}：{org.description[:200] or '面向晋江产业的技术服务与成果转化'}"

    def enterprise_offer(self, enterprise: Enterprise) -> str:
        demands = self.demands.get(enterprise.organization_id, [])
        if demands:
            return "技术需求：" + "；".join(d.title for d in demands[:3])
        return f"主营{enterprise.main_products or '产品'}，寻求工艺升级与新产品开发方面的成果与合作团队"

    def investor_offer(self, investor: Investor) -> str:
        focus, stages = investor.focus_industries or "科技型企业", investor.focus_stages or "不限"
        return f"关注领域：{focus}；投资阶段：{stages}"

    @staticmethod
    def backdate(model: type[models.Model], pks: Sequence[int], when: dt.datetime) -> None:
        values: dict[str, Any] = {"created_at": when}
        if any(f.name == "updated_at" for f in model._meta.get_fields()):
            values.setdefault("updated_at", when)
        model._default_manager.filter(pk__in=pks).update(**values)

    @staticmethod
    def history_at(model: Any, pk: int, when: dt.datetime) -> None:
        """Move the latest history record of a row (the one the service call just wrote) to `when`."""
        latest = model.history.filter(id=pk).order_by("-history_id").first()
        if latest is not None:
            model.history.filter(history_id=latest.history_id).update(history_date=when)

    def at_random(self, day: dt.date, first_hour: int = 9, last_hour: int = 17) -> dt.datetime:
        return _aware(day, self.rng.randint(first_hour, last_hour - 1), self.rng.randrange(0, 60, 5))

    def not_future(self, day: dt.date) -> dt.date:
        return min(_workday(day), self.today)

    # -- the fair --

    def fair(self) -> Event:
        rng = self.rng
        day = FAIR_DAY
        event = services.create_event(
            title="首届晋江市科技成果转化对接洽谈会",
            kind=EventKind.FAIR,
            starts_at=_aware(day, 8, 30),
            ends_at=_aware(day, 17, 30),
            venue="晋江国际会展中心B馆",
            organisers="主办：晋江市科学技术局、晋江市科创委办公室；承办：晋江市科技大市场",
            capacity=300,
            agenda=(
                "08:30 签到入场\n09:00 开幕式暨重点科技成果发布\n09:30—11:55 一对一洽谈（上午5轮）\n"
                "14:00—16:55 一对一洽谈（下午6轮）\n17:00 转移意向订单集中签约"
            ),
        )
        morning = services.add_slots(
            event=event, first_start=_aware(day, 9, 30), minutes=25, count=5, tables=10, gap_minutes=5
        )
        afternoon = services.add_slots(
            event=event, first_start=_aware(day, 14, 0), minutes=25, count=6, tables=10, gap_minutes=5
        )
        exhibitors: list[Registration] = []
        for inst in self.institutions:
            achievements = self.achievements.get(inst.pk, [])[:4]
            reg = self.register(
                event,
                inst.organization,
                ParticipantRole.EXHIBITOR,
                offer=self.exhibitor_offer(inst.organization, achievements),
            )
            reg.achievements.set(achievements)
            exhibitors.append(reg)
        for org in self.operators:
            exhibitors.append(
                self.register(
                    event,
                    org,
                    ParticipantRole.EXHIBITOR,
                    offer=f"飞地孵化项目与合作高校成果：{org.description[:200] or org.name}",
                    max_meetings=6,
                )
            )
        enterprises: list[Registration] = []
        for ent in self.pick_enterprises(FAIR_ENTERPRISES):
            only = None if rng.random() < 0.8 else rng.choice((morning, afternoon))
            reg = self.register(
                event,
                ent.organization,
                ParticipantRole.ENTERPRISE,
                offer=self.enterprise_offer(ent),
                max_meetings=5,
                available=only,
            )
            reg.demands.set(self.demands.get(ent.organization_id, [])[:3])
            enterprises.append(reg)
        investors = [
            self.register(
                event,
                inv.organization,
                ParticipantRole.INVESTOR,
                offer=self.investor_offer(inv),
                max_meetings=6,
                available=afternoon if i % 3 == 2 else None,
            )
            for i, inv in enumerate(self.investors[:FAIR_INVESTORS])
        ]
        # One late application arrives after the list closed.
        late = next(
            (
                e
                for e in self.enterprises
                if e.organization_id not in {r.organization_id for r in enterprises}
            ),
            None,
        )
        for reg in exhibitors + enterprises + investors:  # weeks before; requests come in the last days
            self.backdate(
                Registration, [reg.pk], self.at_random(day - dt.timedelta(days=rng.randint(12, 40)))
            )
        if late is not None:
            reg = self.register(
                event,
                late.organization,
                ParticipantRole.ENTERPRISE,
                offer=self.enterprise_offer(late),
                approve=False,
            )
            self.backdate(Registration, [reg.pk], _aware(day - dt.timedelta(days=2), 17, 45))

        requests = self.fair_requests(event, exhibitors, enterprises, investors)
        self.counts["对接会·系统推荐洽谈"] = self.suggest(exhibitors, enterprises + investors)
        suggested = list(
            event.meeting_requests.filter(status=MeetingRequest.Status.SUGGESTED).values_list("pk", flat=True)
        )
        for pk in suggested:
            self.backdate(MeetingRequest, [pk], self.at_random(day - dt.timedelta(days=3)))
        Event.objects.filter(pk=event.pk).update(registration_open=False)

        services.schedule_event(event=event, time_limit_s=SCHEDULE_SECONDS)
        # A late withdrawal: one of an investor's meetings is cancelled and the plan adjusted with few moves.
        withdrawn = (
            Meeting.objects.filter(request__event=event, request__requester__in=investors)
            .order_by("pk")
            .first()
        )
        if withdrawn is not None:
            services.cancel_meeting(meeting=withdrawn)
            services.replan_event(event=event, time_limit_s=SCHEDULE_SECONDS / 2)
        runs = list(event.schedule_runs.order_by("pk"))
        for i, run in enumerate(runs):
            ScheduleRun.objects.filter(pk=run.pk).update(
                created_at=_aware(day - dt.timedelta(days=2 - i), 16, 10 + 20 * i)
            )
        Meeting.objects.filter(request__event=event).update(
            created_at=_aware(day - dt.timedelta(days=2), 16, 10),
            updated_at=_aware(day - dt.timedelta(days=1), 10),
        )
        self.counts["对接会·洽谈请求"] = len(requests)
        self.fair_day(event, enterprises, investors)
        return event

    def fair_requests(
        self,
        event: Event,
        exhibitors: list[Registration],
        enterprises: list[Registration],
        investors: list[Registration],
    ) -> list[MeetingRequest]:
        rng = self.rng
        with_achievements = [r for r in exhibitors if r.offer.startswith("参展成果")] or exhibitors
        pairs: list[tuple[Registration, Registration]] = []
        for reg in enterprises:
            for exhibitor in rng.sample(
                with_achievements, min(len(with_achievements), rng.choice((2, 2, 3)))
            ):
                pairs.append((reg, exhibitor))
        for reg in investors:
            for ent in rng.sample(enterprises, min(len(enterprises), 2)):
                pairs.append((reg, ent))
        for exhibitor in rng.sample(exhibitors, min(len(exhibitors), 5)):
            pairs.append((exhibitor, rng.choice(enterprises)))
        made: list[MeetingRequest] = []
        seen: set[frozenset[int]] = set()
        for requester, invitee in pairs:
            if frozenset((requester.pk, invitee.pk)) in seen:
                continue
            seen.add(frozenset((requester.pk, invitee.pk)))
            request = services.request_meeting(
                requester=requester,
                invitee=invitee,
                message=rng.choice(
                    (
                        "希望了解成果的成熟度和转化方式",
                        "我司有相关技术需求，盼现场交流",
                        "想进一步了解合作模式与费用",
                        "",
                    )
                ),
            )
            anchored = self.anchor is not None and requester.organization_id == self.anchor.organization_id
            draw = rng.random()
            if anchored or draw < 0.68:
                services.respond_to_request(meeting_request=request, accept=True)
            elif draw < 0.84:
                services.respond_to_request(meeting_request=request, accept=False)
            made.append(request)  # the rest are never answered and stay out of the plan
            self.backdate(
                MeetingRequest, [request.pk], self.at_random(FAIR_DAY - dt.timedelta(days=rng.randint(3, 9)))
            )
        return made

    def suggest(self, exhibitors: list[Registration], seekers: list[Registration]) -> int:
        """Suggested meetings like the engine's (`services.suggest_meetings`), scored cheaply: idf-weighted
        character bigrams of what each side brings, relative to the seeker's best exhibitor (the engine
        builds an index per seeker: several seconds for a fair this size)."""
        texts = {r.pk: _texts(r) for r in exhibitors + seekers}
        grams = {pk: _bigrams(text) for pk, text in texts.items()}
        df: dict[str, int] = {}
        for pk in grams:
            for gram in grams[pk]:
                df[gram] = df.get(gram, 0) + 1
        idf = {gram: math.log((1 + len(grams)) / (1 + n)) for gram, n in df.items()}
        norm = {pk: math.sqrt(sum(idf[g] ** 2 for g in gs)) or 1.0 for pk, gs in grams.items()}
        created = 0
        for seeker in seekers:
            scored = sorted(
                (
                    (
                        sum(idf[g] ** 2 for g in grams[seeker.pk] & grams[ex.pk])
                        / norm[seeker.pk]
                        / norm[ex.pk],
                        ex,
                    )
                    for ex in exhibitors
                ),
                key=lambda pair: (-pair[0], pair[1].pk),
            )
            best = scored[0][0] if scored else 0.0
            for score, exhibitor in scored[:2]:
                relative = score / best if best else 0.0
                if relative < 0.6:
                    continue
                suggestion = services.suggest_meeting(
                    requester=seeker,
                    invitee=exhibitor,
                    value=round(relative, 2),
                    reason=f"系统推荐：需求与参展成果关键词相近（相对得分 {relative:.2f}）",
                )
                created += suggestion is not None
        return created

    def fair_day(self, event: Event, enterprises: list[Registration], investors: list[Registration]) -> None:
        rng, day = self.rng, FAIR_DAY
        approved = list(event.registrations.filter(status=Registration.Status.APPROVED).order_by("pk"))
        anchor_org = self.anchor.organization_id if self.anchor else None
        absent = next(
            (r for r in reversed(enterprises) if r.organization_id != anchor_org and r.user_id is None), None
        )
        for reg in approved:
            if reg == absent:
                continue
            services.check_in(registration=reg)
            Registration.objects.filter(pk=reg.pk).update(
                checked_in_at=_aware(day, 8, rng.randint(20, 59)), updated_at=_aware(day, 9)
            )
        meetings = list(
            Meeting.objects.filter(request__event=event, status=Meeting.Status.SCHEDULED)
            .select_related("slot", "request__requester__organization", "request__invitee__organization")
            .order_by("slot__starts_at", "table")
        )
        orders: list[IntentionOrder] = []
        for meeting in meetings:
            parties = (meeting.request.requester, meeting.request.invitee)
            if absent is not None and absent.pk in (p.pk for p in parties):
                services.record_meeting_outcome(meeting=meeting, held=False, notes="对方未到场，已电话联系")
                Meeting.objects.filter(pk=meeting.pk).update(updated_at=meeting.slot.ends_at)
                continue
            interest = rng.choices(
                (Meeting.Interest.HIGH, Meeting.Interest.MEDIUM, Meeting.Interest.LOW), (35, 40, 25)
            )[0]
            services.record_meeting_outcome(
                meeting=meeting, held=True, interest=interest, notes=rng.choice(MEETING_NOTES[interest])
            )
            Meeting.objects.filter(pk=meeting.pk).update(updated_at=meeting.slot.ends_at)
            roles = {p.role: p for p in parties}
            supplier, buyer = roles.get(ParticipantRole.EXHIBITOR), roles.get(ParticipantRole.ENTERPRISE)
            wants = interest == Meeting.Interest.HIGH or (
                interest == Meeting.Interest.MEDIUM and rng.random() < 0.3
            )
            if supplier is not None and buyer is not None and wants:
                orders.append(self.order(event, supplier, buyer, meeting))
        # Intentions signed at the booths without a scheduled meeting (most of the seed's 4,300 were).
        exhibitors = [r for r in approved if r.role == ParticipantRole.EXHIBITOR and r.achievements.exists()]
        present = [r for r in enterprises if r != absent]
        for _ in range(min(12, len(exhibitors) * len(present) // 4)):
            orders.append(self.order(event, rng.choice(exhibitors), rng.choice(present), None))
        self.follow_orders(orders)
        self.counts["对接会·意向订单"] = len(orders)

    def order(
        self, event: Event, supplier: Registration, buyer: Registration, meeting: Meeting | None
    ) -> IntentionOrder:
        rng = self.rng
        cooperation = rng.choice(list(COOPERATION))
        achievements = list(supplier.achievements.all())
        demands = list(buyer.demands.all())
        order = services.create_order(
            event=event,
            supplier=supplier.organization,
            buyer=buyer.organization,
            cooperation=cooperation,
            intended_amount=Decimal(rng.randrange(20, 400, 5)),
            meeting=meeting,
            achievement=rng.choice(achievements) if achievements else None,
            demand=rng.choice(demands) if demands else None,
        )
        signed = _aware(FAIR_DAY, 17, rng.randint(0, 40))
        self.backdate(IntentionOrder, [order.pk], signed)
        self.history_at(IntentionOrder, order.pk, signed)
        return order

    def follow_orders(self, orders: list[IntentionOrder]) -> None:
        """Over the following months about a third become contracts, two of them land, a few stop."""
        rng = self.rng
        shuffled = orders[:]
        rng.shuffle(shuffled)
        n_contracts = max(2, len(orders) // 3)
        contracts, dropped = shuffled[:n_contracts], shuffled[n_contracts : n_contracts + 3]
        for order in orders:  # the service saves whole rows: reload the backdated ones first
            order.refresh_from_db()
        for i, order in enumerate(contracts):
            signed_on = self.not_future(FAIR_DAY + dt.timedelta(days=rng.randint(25, 160)))
            self.contract_seq += rng.randint(3, 40)
            intended = order.intended_amount or Decimal(50)
            services.advance_order(
                order=order,
                stage=IntentionOrder.Stage.CONTRACT,
                contract_type=COOPERATION[order.cooperation],
                contract_amount=(intended * Decimal(rng.uniform(0.6, 1.15))).quantize(Decimal("0.01")),
                contract_no=f"{signed_on.year}350582{self.contract_seq:06d}",
                signed_on=signed_on,
                actor=self.staff,
            )
            when = _aware(signed_on, 16, 30)
            self.history_at(IntentionOrder, order.pk, when)
            IntentionOrder.objects.filter(pk=order.pk).update(updated_at=when)
            if i < 2:
                landed_on = self.not_future(signed_on + dt.timedelta(days=rng.randint(90, 240)))
                services.advance_order(
                    order=order,
                    stage=IntentionOrder.Stage.LANDED,
                    landed_on=landed_on,
                    note="成果已在企业产线投产，新增产品线通过客户验收",
                    actor=self.staff,
                )
                when = _aware(landed_on, 15)
                self.history_at(IntentionOrder, order.pk, when)
                IntentionOrder.objects.filter(pk=order.pk).update(updated_at=when)
        for order, reason in zip(dropped, DROP_REASONS, strict=False):
            services.advance_order(
                order=order, stage=IntentionOrder.Stage.DROPPED, note=reason, actor=self.staff
            )
            when = _aware(self.not_future(FAIR_DAY + dt.timedelta(days=rng.randint(30, 120))), 11)
            self.history_at(IntentionOrder, order.pk, when)
            IntentionOrder.objects.filter(pk=order.pk).update(updated_at=when)

    # -- the roadshow --

    def roadshow(self) -> Event:
        rng, day = self.rng, ROADSHOW_DAY
        event = services.create_event(
            title="晋江市科技型企业投融资路演（新材料与智能制造专场）",
            kind=EventKind.ROADSHOW,
            starts_at=_aware(day, 14, 0),
            ends_at=_aware(day, 17, 30),
            venue="晋江市科技大市场路演厅",
            organisers="主办：晋江市科学技术局；协办：晋江产投基金、晋江市湾区创新创意中心",
            capacity=120,
            agenda="14:00 路演企业逐一推介（每家8分钟+投资人提问5分钟）\n16:30 投资机构与企业自由洽谈",
        )
        pool = [e for e in self.enterprises if e.organization_id in self.demands] or self.enterprises
        chosen = rng.sample(pool, min(len(pool), ROADSHOW_PRESENTERS - 1))
        if self.anchor is not None and self.anchor not in chosen:
            chosen.insert(0, self.anchor)
        presenters = [
            self.register(
                event, ent.organization, ParticipantRole.ENTERPRISE, offer=self.enterprise_offer(ent)
            )
            for ent in chosen
        ]
        if self.operators:
            presenters.append(
                self.register(
                    event,
                    self.operators[0],
                    ParticipantRole.EXHIBITOR,
                    offer="飞地孵化项目路演：高性能纤维复合材料、鞋服智能制造视觉检测",
                )
            )
        investors = [
            self.register(event, inv.organization, ParticipantRole.INVESTOR, offer=self.investor_offer(inv))
            for inv in self.investors
        ]
        for reg in presenters + investors:
            self.backdate(Registration, [reg.pk], self.at_random(day - dt.timedelta(days=rng.randint(7, 25))))
            services.check_in(registration=reg)
            Registration.objects.filter(pk=reg.pk).update(checked_in_at=_aware(day, 13, rng.randint(20, 58)))
        Event.objects.filter(pk=event.pk).update(registration_open=False)

        interests: list[InvestorInterest] = []
        for i, investor in enumerate(investors):
            count = 3 if i == 0 else rng.choice((1, 1, 2, 2, 3))
            targets = rng.sample(presenters, min(len(presenters), count))
            if i == 0 and presenters[0] not in targets:
                targets[0] = presenters[0]  # the investor account is interested in the enterprise account
            for presenter in targets:
                level = rng.choices(list(InvestorInterest.Level), (40, 40, 20))[0]
                interest = services.record_investor_interest(
                    investor=investor,
                    presenter=presenter,
                    level=level,
                    amount=None
                    if level == InvestorInterest.Level.WATCHING
                    else Decimal(rng.randrange(300, 5000, 100)),
                    funding_round=rng.choice(("", "angel", "pre_a", "a", "a", "b", "strategic")),
                    note=rng.choice(ROADSHOW_NOTES),
                    actor=self.users.get("investor") if i == 0 else self.staff,
                )
                when = _aware(day, 16, rng.randint(30, 59))
                self.backdate(InvestorInterest, [interest.pk], when)
                self.history_at(InvestorInterest, interest.pk, when)
                interests.append(interest)
        self.follow_interests(interests)
        self.counts["路演·投资意向"] = len(interests)
        return event

    def follow_interests(self, interests: list[InvestorInterest]) -> None:
        """Several stages: due diligence for a third, two investments, two dropped, the rest intentions."""
        rng = self.rng
        strong = [i for i in interests if i.level != InvestorInterest.Level.WATCHING]
        plan: list[tuple[InvestorInterest, str]] = []
        for k, interest in enumerate(strong[: max(4, len(strong) // 2)]):
            plan.append(
                (
                    interest,
                    ("invested", "due_diligence", "dropped", "due_diligence", "invested", "dropped")[k % 6],
                )
            )
        drops = iter(ROADSHOW_DROPS * 3)
        for interest, target in plan:
            interest.refresh_from_db()  # the service saves whole rows: reload the backdated one first
            start = ROADSHOW_DAY + dt.timedelta(days=rng.randint(10, 40))
            actor = interest.investor.user or self.staff
            services.advance_investor_interest(
                interest=interest, stage="due_diligence", note="已签署保密协议，进场尽职调查", actor=actor
            )
            when = _aware(self.not_future(start), 10)
            self.history_at(InvestorInterest, interest.pk, when)
            InvestorInterest.objects.filter(pk=interest.pk).update(updated_at=when)
            if target == "due_diligence":
                continue
            end = self.not_future(start + dt.timedelta(days=rng.randint(45, 150)))
            if target == "invested":
                amount = (interest.amount or Decimal(1000)) * Decimal(rng.choice(("0.6", "0.8", "1")))
                services.advance_investor_interest(
                    interest=interest,
                    stage="invested",
                    invested_amount=amount.quantize(Decimal("0.01")),
                    funding_round=interest.funding_round or "a",
                    note="完成投资决策委员会审议，已签署投资协议并完成交割",
                    actor=actor,
                )
            else:
                services.advance_investor_interest(
                    interest=interest, stage="dropped", note=next(drops), actor=actor
                )
            when = _aware(end, 15)
            self.history_at(InvestorInterest, interest.pk, when)
            InvestorInterest.objects.filter(pk=interest.pk).update(updated_at=when)

    # -- the upcoming face-to-face session --

    def upcoming(self) -> Event:
        rng = self.rng
        day = _workday(self.today + dt.timedelta(days=21))
        event = services.create_event(
            title="科技成果面对面·鞋服新材料专场",
            kind=EventKind.FACE_TO_FACE,
            starts_at=_aware(day, 14, 30),
            ends_at=_aware(day, 17, 0),
            venue="晋江市科技大市场一楼洽谈区",
            organisers="主办：晋江市科学技术局；承办：晋江市科技大市场、福州大学晋江校区",
            capacity=60,
            agenda=(
                "14:30 成果发布（每项5分钟）\n15:00—16:40 一对一洽谈（5轮）\n"
                "请于开始前一周完成报名，科技局审核后安排洽谈。"
            ),
        )
        services.add_slots(event=event, first_start=_aware(day, 15, 0), minutes=20, count=5, tables=6)
        with_achievements = [i for i in self.institutions if self.achievements.get(i.pk)][:4]
        exhibitors = []
        for inst in with_achievements:
            achievements = self.achievements[inst.pk][:3]
            reg = self.register(
                event,
                inst.organization,
                ParticipantRole.EXHIBITOR,
                offer=self.exhibitor_offer(inst.organization, achievements),
            )
            reg.achievements.set(achievements)
            exhibitors.append(reg)
        # The demo enterprise and investor accounts are left free to register themselves.
        skip = {self.anchor.pk} if self.anchor else set()
        accounts = set(self.user_of_org)
        firms = [e for e in self.enterprises if e.pk not in skip and e.organization_id not in accounts]
        for k, ent in enumerate(rng.sample(firms, min(len(firms), 3))):
            reg = self.register(
                event,
                ent.organization,
                ParticipantRole.ENTERPRISE,
                offer=self.enterprise_offer(ent),
                approve=True if k < 2 else None,
            )
            if k < 2 and exhibitors:
                services.request_meeting(
                    requester=reg, invitee=rng.choice(exhibitors), message="希望了解成果的中试情况"
                )
        return event

    def run(self) -> dict[str, int]:
        made = [self.fair(), self.roadshow(), self.upcoming()]
        Event.objects.filter(pk__in=[e.pk for e in made]).update(is_demo=True)
        for event in made:
            created = event.starts_at - dt.timedelta(days=50)
            Event.objects.filter(pk=event.pk).update(created_at=created, updated_at=created)
            Event.history.filter(id=event.pk).update(history_date=created)  # type: ignore[attr-defined]
        fair = made[0]
        self.counts["对接活动"] = len(made)
        self.counts["对接会·参会单位"] = fair.registrations.filter(
            status=Registration.Status.APPROVED
        ).count()
        self.counts["对接会·已洽谈"] = Meeting.objects.filter(
            request__event=fair, status=Meeting.Status.HELD
        ).count()
        self.counts["对接会·技术合同"] = fair.orders.filter(
            stage__in=[IntentionOrder.Stage.CONTRACT, IntentionOrder.Stage.LANDED]
        ).count()
        self.counts["对接会·已落地"] = fair.orders.filter(stage=IntentionOrder.Stage.LANDED).count()
        return self.counts


def load_demo_events(*, seed: int) -> dict[str, int]:
    """Write the demo fair, roadshow and upcoming session through the event services; counts by label."""
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        return Builder(seed).run()


def delete_demo_events() -> dict[str, int]:
    """Delete the demo events with everything hanging off them (and their history)."""
    ids = list(Event.objects.filter(is_demo=True).values_list("pk", flat=True))
    Event.history.filter(id__in=ids).delete()  # type: ignore[attr-defined]
    IntentionOrder.history.filter(event_id__in=ids).delete()  # type: ignore[attr-defined]
    InvestorInterest.history.filter(event_id__in=ids).delete()  # type: ignore[attr-defined]
    deleted: dict[str, int] = {}
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        deleted["intention_orders"] = IntentionOrder.objects.filter(event_id__in=ids).delete()[0]
        deleted["investor_interests"] = InvestorInterest.objects.filter(event_id__in=ids).delete()[0]
        deleted["meetings"] = Meeting.objects.filter(request__event_id__in=ids).delete()[0]
        by_model = Event.objects.filter(pk__in=ids).delete()[1]  # registrations, requests, slots, runs
    for key, model in (
        ("events", Event),
        ("registrations", Registration),
        ("meeting_requests", MeetingRequest),
        ("slots", MeetingSlot),
        ("schedule_runs", ScheduleRun),
    ):
        deleted[key] = by_model.get(model._meta.label, 0)
    return deleted
