"""Demo technology services for Jinjiang, written through kechuang.techservices.services.

The seed names the chain "科技大市场 + 中试熟化平台 + 知识产权维权中心 + 成果转化引导基金 + 基金" and says the
research platforms "累计服务民营企业超6000家(次)，解决技术难题超1000项，创造价值超200亿元". The demo gives a
handful of 知识产权维权 cases for shoe and textile brands (商标侵权, 专利侵权 …) walked through mediation,
referral and closing; one 中试熟化 platform with four pieces of equipment and eight weeks of bookings
(past ones completed, a few cancelled, the next fortnight booked); and ~300 service-ledger claims by
research platforms, enclaves, institutions, commissioners, carriers and the pilot platform over the last
two years, linked to the demo docking meetings, contracts and bookings where they exist. Most are
confirmed by the firm, some wait, a few are disputed: the county figures are whatever those add up to.
Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.test.utils import override_settings
from django.utils import timezone

from kechuang.demands.models import DockingMeeting, TechContract
from kechuang.demo.generator import ANCHOR
from kechuang.orgs.models import Enclave, Enterprise, Expert, Institution
from kechuang.techservices import services
from kechuang.techservices.models import (
    Booking,
    Equipment,
    IPCase,
    IPCaseStep,
    PilotPlatform,
    ProviderKind,
    ServiceClaim,
)

CLAIMS = 300
PLATFORM = "晋江市中试熟化平台"
EQUIPMENT = [
    ("EVA 超临界发泡中试线", "鞋底发泡 2 吨/天，模温 ±1℃", "450"),
    ("鞋材物性检测实验室", "耐磨、回弹、剥离、耐折（GB/T 3903 系列）", "200"),
    ("功能性面料涂层中试机", "幅宽 1.8 米，抗菌/防水整理", "380"),
    ("3D 打印鞋模快速成型机", "光固化，最大 600×400×300 mm", "150"),
]
PURPOSES = [
    "新款跑鞋中底配方试制",
    "再生 EVA 鞋底小批量试产",
    "鞋面耐折性能检测",
    "抗菌面料整理工艺验证",
    "鞋模样件打样",
]
IP_CASES = [
    ("trademark", "运动鞋注册商标在电商平台被假冒销售", "320"),
    ("patent", "气垫鞋底结构发明专利被同行仿制", "580"),
    ("trademark", "童装品牌商标被恶意抢注近似商标", "90"),
    ("patent", "鞋面飞织外观设计专利被侵权", "150"),
    ("copyright", "产品宣传图片及设计图稿被盗用", "25"),
    ("trade_secret", "离职技术人员带走鞋材配方", "400"),
    ("unfair", "仿冒知名服装品牌包装装潢", "60"),
    ("trademark", "卫浴陶瓷品牌商标被外地企业冒用", "210"),
]
RESEARCH_PLATFORMS = [
    "福州大学晋江科教园",
    "香港理工大学晋江技术创新研究院",
    "晋江市鞋服产业技术研究院",
    "华侨大学晋江校区科研平台",
    "中国皮革和制鞋工业研究院（晋江）",
    "国家制鞋产业技术创新战略联盟",
]
PROBLEMS = [
    (
        "鞋底发泡材料回弹率不足、易黄变",
        "调整发泡剂与交联剂配比并做对比试验，出具配方优化报告",
        "回弹率由 45% 提升至 58%",
    ),
    ("纺织面料抗菌整理耐洗性差", "引入新型抗菌整理剂，完成 50 次水洗验证", "抗菌率水洗 50 次后保持 90% 以上"),
    ("生产线换型时间长、良品率低", "现场诊断产线瓶颈，提出自动化改造方案", "换型时间缩短 30%"),
    ("陶瓷窑炉能耗高", "开展能耗测试并给出余热回收方案", "单位能耗下降约 12%"),
    ("产品外观设计缺乏差异化", "组织设计团队开展联合设计", "完成 3 款新品设计"),
    ("申报高新技术企业的知识产权不足", "开展专利挖掘与布局辅导", "新增发明专利申请 2 件"),
    ("食品保质期短", "对接高校团队开展保鲜工艺研究", "保质期由 6 个月延长至 9 个月"),
    ("智能装备控制系统不稳定", "派驻工程师调试控制算法", "故障率下降一半"),
]


def _actor() -> Any:
    return get_user_model().objects.filter(username="staff").first()


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _ip_cases(rng: random.Random, firms: list[Enterprise], today: dt.date, actor: Any) -> int:
    for i, (kind, title, amount) in enumerate(IP_CASES):
        firm = firms[i % len(firms)]
        intake = today - dt.timedelta(days=rng.randrange(20, 400))
        case = services.open_case(
            actor=actor,
            enterprise=firm,
            case_type=kind,
            title=title,
            intake_on=intake,
            description=f"{firm}反映：{title}，请求知识产权维权中心协助。",
            amount_involved_wan=Decimal(amount),
            is_demo=True,
        )
        span = (today - intake).days
        fate = i % 4
        if fate in (0, 1):  # mediated: success, or failed and referred to court
            services.start_mediation(actor=actor, case=case, on=intake + dt.timedelta(days=min(5, span)))
            if fate == 0:
                services.close_case(
                    actor=actor,
                    case=case,
                    on=intake + dt.timedelta(days=min(span, rng.randrange(15, 60))),
                    outcome="mediated",
                    outcome_note="双方达成和解，侵权方下架商品并赔偿",
                )
                continue
        if fate in (1, 2):
            services.refer_case(
                actor=actor,
                case=case,
                on=intake + dt.timedelta(days=min(span, 12)),
                referred_to="court" if fate == 1 else "market",
                note="证据固定后移送",
            )
            if fate == 1 and span > 120:
                services.close_case(
                    actor=actor,
                    case=case,
                    on=intake + dt.timedelta(days=110),
                    outcome="won",
                    outcome_note="一审胜诉",
                )
        if fate == 3:
            services.add_case_step(
                actor=actor,
                case=case,
                on=intake + dt.timedelta(days=min(span, 3)),
                note="收集侵权证据，完成公证购买",
            )
    return len(IP_CASES)


def _platform(rng: random.Random, firms: list[Enterprise], today: dt.date, actor: Any) -> list[Booking]:
    operator = (
        Institution.objects.filter(is_demo=True, organization__name__contains="晋江").select_related(
            "organization"
        )
    ).first()
    platform = services.create_platform(
        actor=actor,
        name=PLATFORM,
        operator=operator.organization if operator else None,
        field="鞋服新材料、功能性纺织、智能制造",
        description="晋江“科技大市场+中试熟化平台+知识产权维权中心”服务体系中的中试环节，面向企业开放预约。",
        is_demo=True,
    )
    machines = [
        services.add_equipment(
            actor=actor, platform=platform, name=name, capacity=capacity, fee_yuan_per_hour=Decimal(fee)
        )
        for name, capacity, fee in EQUIPMENT
    ]
    bookings: list[Booking] = []
    now = timezone.now()
    start = today - dt.timedelta(days=56)
    for offset in range(70):  # eight weeks back, two ahead
        day = start + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for machine in machines:
            for hour, length in ((9, 3), (14, 3)):
                if rng.random() > 0.35:
                    continue
                booking = services.book_equipment(
                    actor=actor,
                    equipment=machine,
                    enterprise=rng.choice(firms),
                    starts_at=_at(day, hour),
                    ends_at=_at(day, hour + length),
                    purpose=rng.choice(PURPOSES),
                    allow_past=True,
                )
                if booking.ends_at <= now:
                    if rng.random() < 0.1:
                        services.cancel_booking(actor=actor, booking=booking)
                    else:
                        hours = Decimal(length) - Decimal(rng.choice([0, 0, 0.5, 1]))
                        services.complete_booking(actor=actor, booking=booking, used_hours=hours)
                        bookings.append(booking)
    return bookings


def _providers(platform_name: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, name, extra service kwargs) for every provider the ledger spreads its claims over."""
    from kechuang.carriers.models import Carrier

    out: list[tuple[str, str, dict[str, Any]]] = [
        (ProviderKind.RESEARCH_PLATFORM, n, {}) for n in RESEARCH_PLATFORMS
    ]
    out += [(ProviderKind.ENCLAVE, e.name, {"enclave": e}) for e in Enclave.objects.filter(is_demo=True)[:3]]
    out += [
        (ProviderKind.INSTITUTION, str(i), {"institution": i})
        for i in Institution.objects.filter(is_demo=True).select_related("organization")[:6]
    ]
    out += [
        (ProviderKind.COMMISSIONER, f"科技特派员 {x.name}", {})
        for x in Expert.objects.filter(is_demo=True, is_tech_commissioner=True)[:6]
    ]
    out += [(ProviderKind.CARRIER, c.name, {}) for c in Carrier.objects.filter(is_demo=True)[:4]]
    out.append((ProviderKind.PILOT_PLATFORM, platform_name, {}))
    return out


def _claims(
    rng: random.Random, firms: list[Enterprise], today: dt.date, bookings: list[Booking], actor: Any
) -> int:
    providers = _providers(PLATFORM)
    meetings = list(
        DockingMeeting.objects.filter(demand__is_demo=True).select_related("demand__enterprise")[:60]
    )
    contracts = list(
        TechContract.objects.filter(demand__is_demo=True).select_related("demand__enterprise")[:40]
    )
    anchor = firms[0] if firms[0].organization.name.startswith(ANCHOR.name) else None
    for i in range(CLAIMS):
        problem, action, result = rng.choice(PROBLEMS)
        links: dict[str, Any] = {}
        kind, name, extra = rng.choice(providers)
        roll = rng.random()
        if roll < 0.12 and meetings:
            links["meeting"] = meetings[i % len(meetings)]
        elif roll < 0.2 and contracts:
            links["contract"] = contracts[i % len(contracts)]
        elif roll < 0.28 and bookings:
            links["booking"] = bookings[i % len(bookings)]
            kind, name, extra = ProviderKind.PILOT_PLATFORM, PLATFORM, {}
        enterprise = None if links else (anchor if anchor and i % 25 == 0 else rng.choice(firms))
        served_on = None if links else today - dt.timedelta(days=rng.randrange(1, 730))
        claim = services.record_claim(
            actor=actor,
            provider_kind=kind,
            provider_name=name,
            enterprise=enterprise,
            served_on=served_on,
            problem=problem,
            action=action,
            result=result,
            value_claimed_wan=Decimal(rng.choice([5, 10, 20, 30, 50, 80, 120, 200, 500])),
            solved=rng.random() < 0.35,
            is_demo=True,
            **extra,
            **links,
        )
        fate = rng.random()
        answered = timezone.make_aware(dt.datetime.combine(claim.served_on, dt.time(16))) + dt.timedelta(
            days=3
        )
        answered = min(answered, timezone.now())
        recent = (today - claim.served_on).days < 30
        if fate < 0.07 and not recent:
            services.dispute_claim(
                actor=None, claim=claim, enterprise=claim.enterprise, reason="服务内容与实际不符", at=answered
            )
        elif fate < 0.82 and not recent:
            services.confirm_claim(actor=None, claim=claim, enterprise=claim.enterprise, at=answered)
    return CLAIMS


def load_demo_techservices(*, seed: int, as_of: dt.date) -> dict[str, int]:
    """IP cases, a pilot platform with bookings and the service ledger over the demo enterprises."""
    rng = random.Random(seed * 31 + 18)
    today = min(as_of, timezone.localdate())
    firms = list(Enterprise.objects.filter(is_demo=True).select_related("organization").order_by("pk")[:400])
    if not firms:
        return {}
    # The demo enterprise account's firm first: it gets an IP case, bookings and claims to confirm.
    firms.sort(key=lambda f: not f.organization.name.startswith(ANCHOR.name))
    actor = _actor()
    cases = _ip_cases(rng, firms, today, actor)
    bookings = _platform(rng, firms, today, actor)
    claims = _claims(rng, firms, today, bookings, actor)
    return {
        "科技服务·知识产权维权案件": cases,
        "科技服务·中试平台": 1,
        "科技服务·设备预约": Booking.objects.filter(equipment__platform__is_demo=True).count(),
        "科技服务·服务台账记录": claims,
    }


def delete_demo_techservices() -> dict[str, int]:
    """Delete the demo claims, IP cases and pilot platforms with what hangs off them and their history."""
    platform_ids = list(PilotPlatform.objects.filter(is_demo=True).values_list("pk", flat=True))
    case_ids = list(IPCase.objects.filter(is_demo=True).values_list("pk", flat=True))
    bookings = Booking.objects.filter(equipment__platform_id__in=platform_ids)
    ServiceClaim.history.filter(is_demo=True).delete()  # type: ignore[attr-defined]
    IPCaseStep.history.filter(case_id__in=case_ids).delete()  # type: ignore[attr-defined]
    IPCase.history.filter(id__in=case_ids).delete()  # type: ignore[attr-defined]
    Booking.history.filter(id__in=bookings.values("pk")).delete()  # type: ignore[attr-defined]
    Equipment.history.filter(platform_id__in=platform_ids).delete()  # type: ignore[attr-defined]
    PilotPlatform.history.filter(id__in=platform_ids).delete()  # type: ignore[attr-defined]
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        deleted = {"service_claims": ServiceClaim.objects.filter(is_demo=True).delete()[0]}
        deleted["ip_cases"] = IPCase.objects.filter(pk__in=case_ids).delete()[0]
        deleted["pilot_bookings"] = bookings.delete()[0]
        deleted["pilot_platforms"] = PilotPlatform.objects.filter(pk__in=platform_ids).delete()[0]
    return deleted
