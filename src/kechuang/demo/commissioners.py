"""Demo 科技特派员 for Jinjiang, written through kechuang.commissioners.services.

The seed says "科技特派员跨界服务做法获全省推广". The demo registers ~40 commissioners from the demo experts
(those the registry flags as 科技特派员 first, the demo expert account's own record among them) across the
county's sectors (鞋服, 纺织化纤, 建材陶瓷, 食品饮料, 智能装备, 集成电路 …), sends each to two enterprises
of the matching industry chain — a finished assignment last year and a current one, a few cancelled — and
reports ~200 services to the service ledger through the commissioners' service. Most are confirmed by the
enterprise, some wait, a few are disputed; the demo enterprise account (the anchor firm) has a current
commissioner with records waiting for its confirmation. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone

from kechuang.accounts.models import Profile
from kechuang.commissioners import services
from kechuang.commissioners.models import Assignment, Commissioner, ServiceField, ServiceLink
from kechuang.demo.generator import ANCHOR
from kechuang.orgs.models import Enterprise, Expert
from kechuang.techservices import services as ledger
from kechuang.techservices.models import ServiceClaim

COMMISSIONERS = 40

# first discipline of an expert's 研究领域 → the sectors they can serve, best first
DISCIPLINE_FIELDS: list[tuple[str, list[str]]] = [
    ("纺织", [ServiceField.TEXTILE, ServiceField.SHOES]),
    ("艺术", [ServiceField.SHOES, ServiceField.TEXTILE]),
    ("食品", [ServiceField.FOOD]),
    ("材料", [ServiceField.SHOES, ServiceField.MATERIALS, ServiceField.CERAMICS]),
    ("化学", [ServiceField.MATERIALS, ServiceField.SHOES, ServiceField.TEXTILE]),
    ("机械", [ServiceField.EQUIPMENT, ServiceField.SHOES]),
    ("控制", [ServiceField.EQUIPMENT]),
    ("电气", [ServiceField.EQUIPMENT, ServiceField.ENERGY]),
    ("电子", [ServiceField.IC]),
    ("光学", [ServiceField.IC]),
    ("计算机", [ServiceField.DIGITAL, ServiceField.EQUIPMENT]),
    ("信息", [ServiceField.DIGITAL, ServiceField.IC]),
    ("土木", [ServiceField.CERAMICS]),
    ("建筑", [ServiceField.CERAMICS]),
    ("医", [ServiceField.HEALTH, ServiceField.FOOD]),
    ("药", [ServiceField.HEALTH]),
    ("动力", [ServiceField.ENERGY, ServiceField.EQUIPMENT]),
]
# how many of the 40 serve each sector: the county's chains, shoes and apparel first
QUOTA: dict[str, int] = {
    ServiceField.SHOES: 7,
    ServiceField.TEXTILE: 5,
    ServiceField.CERAMICS: 4,
    ServiceField.FOOD: 4,
    ServiceField.EQUIPMENT: 6,
    ServiceField.IC: 4,
    ServiceField.MATERIALS: 4,
    ServiceField.DIGITAL: 3,
    ServiceField.HEALTH: 2,
    ServiceField.ENERGY: 1,
}
CHAIN: dict[str, str] = {
    ServiceField.SHOES: "鞋服",
    ServiceField.TEXTILE: "纺织化纤",
    ServiceField.CERAMICS: "建材陶瓷",
    ServiceField.FOOD: "食品饮料",
    ServiceField.EQUIPMENT: "装备制造",
    ServiceField.IC: "集成电路",
    ServiceField.MATERIALS: "新材料",
    ServiceField.DIGITAL: "数字经济",
    ServiceField.HEALTH: "医疗健康",
    ServiceField.ENERGY: "新能源",
}
EXPERTISE: dict[str, str] = {
    ServiceField.SHOES: "鞋底材料配方、鞋面设计与成型工艺",
    ServiceField.TEXTILE: "功能性面料开发、染整节能与再生纤维应用",
    ServiceField.CERAMICS: "建筑陶瓷烧成工艺、窑炉节能与釉料配方",
    ServiceField.FOOD: "休闲食品保鲜工艺、食品安全检测与标准化",
    ServiceField.EQUIPMENT: "产线自动化改造、工业机器人应用与设备数字化",
    ServiceField.IC: "半导体封装测试、LED 与光电器件工艺",
    ServiceField.MATERIALS: "高分子材料改性、复合材料与材料检测",
    ServiceField.DIGITAL: "企业数字化转型、工业软件与数据平台",
    ServiceField.HEALTH: "医疗器械注册、卫生用品质量控制",
    ServiceField.ENERGY: "光伏与储能应用、企业能效管理",
}
# (problem, action, result) per sector; the general list serves the rest
PROBLEMS: dict[str, list[tuple[str, str, str]]] = {
    ServiceField.SHOES: [
        (
            "运动鞋外底磨耗大、湿地易打滑",
            "调整橡胶配方与花纹设计，组织耐磨和防滑对比测试",
            "DIN 磨耗下降约 25%",
        ),
        ("EVA 中底回弹不足、易黄变", "优化发泡剂与交联剂配比，指导中试", "回弹率由 45% 提升至 55%"),
        ("飞织鞋面热熔定型尺寸波动", "测定定型温度曲线，修订工艺卡", "尺寸合格率提高到 97%"),
    ],
    ServiceField.TEXTILE: [
        ("抗菌面料耐洗性差", "引入新型抗菌整理剂并做 50 次水洗验证", "水洗 50 次后抑菌率保持 90% 以上"),
        ("染整工序蒸汽能耗高", "开展能耗诊断，提出余热回用方案", "吨布蒸汽消耗下降约 12%"),
    ],
    ServiceField.CERAMICS: [
        ("辊道窑能耗高、烧成周期长", "开展窑炉热工测试，调整烧成曲线", "单位产品能耗下降约 10%"),
        ("抛釉砖釉面针孔缺陷多", "分析釉料与坯体匹配，调整釉料配方", "针孔缺陷率下降一半"),
    ],
    ServiceField.FOOD: [
        ("休闲食品保质期短", "对接高校团队开展保鲜工艺试验", "保质期由 6 个月延长至 9 个月"),
        ("产品检测项目不全，出口受阻", "梳理出口国标准，协助建立检测流程", "新增 12 项自检能力"),
    ],
    ServiceField.EQUIPMENT: [
        ("成型车间刷胶靠人工、招工难", "现场评估并设计涂胶机器人工作站方案", "单线节省 6 名刷胶工"),
        ("设备故障停机多", "部署设备数据采集与预警", "非计划停机减少约 30%"),
    ],
    ServiceField.IC: [
        ("LED 封装良率波动", "分析固晶与点胶工艺参数，建立 SPC 控制", "封装良率提升至 98.5%"),
        ("芯片测试效率低", "优化测试程序与治具", "单颗测试时间缩短 20%"),
    ],
}
GENERAL = [
    ("申报高新技术企业的知识产权不足", "开展专利挖掘与布局辅导", "新增发明专利申请 2 件"),
    ("新产品研发缺少检测手段", "协助联系高校实验室开展检测", "完成 3 项关键性能检测"),
    ("生产线换型时间长、良品率低", "现场诊断产线瓶颈，提出改造方案", "换型时间缩短约 30%"),
]
GOALS: dict[str, str] = {
    ServiceField.SHOES: "提升鞋底耐磨与舒适性能，辅导新品开发与专利申请",
    ServiceField.TEXTILE: "开发功能性面料，降低染整能耗",
    ServiceField.CERAMICS: "窑炉节能改造与釉面质量提升",
    ServiceField.FOOD: "延长产品保质期，完善质量检测体系",
    ServiceField.EQUIPMENT: "推进关键工序自动化与设备数字化",
    ServiceField.IC: "提升封装测试良率与效率",
}
OWN_EXPERTISE = "鞋服产线自动化改造、鞋底成型工艺与设备数字化"
DEFAULT_GOALS = "诊断企业技术难题，对接高校院所资源，辅导科技项目申报"


def _field_of(expert: Expert, left: dict[str, int]) -> str:
    """The first sector the expert's discipline fits that still has places, else any with places."""
    discipline = expert.fields.split("、", 1)[0]
    wanted = next((fields for word, fields in DISCIPLINE_FIELDS if word in discipline), [])
    field = next((f for f in [*wanted, *QUOTA] if left.get(f, 0) > 0), ServiceField.OTHER)
    left[field] = left.get(field, 0) - 1
    return field


def _demo_expert_id() -> int | None:
    profile = Profile.objects.filter(user__username="expert", expert__is_demo=True).first()
    return profile.expert_id if profile else None


def _user(username: str) -> Any:
    return get_user_model().objects.filter(username=username).first()


def _experts() -> list[Expert]:
    """The demo expert account first, then the registry's flagged commissioners, then other experts."""
    own = _demo_expert_id()
    experts = list(Expert.objects.filter(is_demo=True).select_related("institution").order_by("pk"))
    experts.sort(key=lambda e: (e.pk != own, not e.is_tech_commissioner, e.pk))
    return experts[:COMMISSIONERS]


def _firms_by_chain() -> tuple[dict[str, list[Enterprise]], list[Enterprise]]:
    firms = list(Enterprise.objects.filter(is_demo=True).select_related("organization").order_by("pk")[:1200])
    by_chain: dict[str, list[Enterprise]] = {}
    chains = Enterprise.chains.through.objects.filter(enterprise_id__in=[f.pk for f in firms]).values_list(
        "enterprise_id", "industrychaintag__name"
    )
    by_pk = {f.pk: f for f in firms}
    for enterprise_id, name in chains:
        by_chain.setdefault(name, []).append(by_pk[enterprise_id])
    return by_chain, firms


def _records(
    rng: random.Random,
    assignment: Assignment,
    field: str,
    today: dt.date,
    actor: Any,
    *,
    count: int,
    keep_pending: int = 0,
) -> list[ServiceLink]:
    last = min(assignment.ends_on, today)
    span = (last - assignment.starts_on).days
    if span < 1:
        return []
    days = sorted(
        {assignment.starts_on + dt.timedelta(days=rng.randrange(1, span + 1)) for _ in range(count)}
    )
    out = []
    for n, day in enumerate(days):
        problem, action, result = rng.choice(PROBLEMS.get(field, GENERAL) + GENERAL[:1])
        link = services.record_service(
            actor=actor,
            assignment=assignment,
            served_on=day,
            problem=problem,
            action=action,
            result=result,
            value_claimed_wan=Decimal(rng.choice([2, 5, 8, 10, 15, 20, 30, 50, 80, 120])),
            solved=rng.random() < 0.45,
            is_demo=True,
        )
        out.append(link)
        if n >= len(days) - keep_pending:
            continue  # the newest ones wait for the enterprise
        claim, fate = link.claim, rng.random()
        answered = timezone.make_aware(dt.datetime.combine(day, dt.time(17))) + dt.timedelta(days=2)
        answered = min(answered, timezone.now())
        if (today - day).days < 10:
            continue
        if fate < 0.06:
            ledger.dispute_claim(
                actor=None,
                claim=claim,
                enterprise=assignment.enterprise,
                reason="当日特派员未到企业，服务内容与实际不符",
                at=answered,
            )
        elif fate < 0.88:
            ledger.confirm_claim(actor=None, claim=claim, enterprise=assignment.enterprise, at=answered)
    return out


def load_demo_commissioners(*, seed: int, as_of: dt.date) -> dict[str, int]:
    """~40 commissioners, ~80 assignments and ~200 service records over the demo enterprises."""
    rng = random.Random(seed * 37 + 17)
    today = min(as_of, timezone.localdate())
    experts = _experts()
    by_chain, firms = _firms_by_chain()
    if not experts or not firms:
        return {}
    staff, expert_user = _user("staff"), _user("expert")
    own_expert = _demo_expert_id()
    anchor = next((f for f in firms if f.organization.name.startswith(ANCHOR.name)), None)
    assignments = links = 0
    left = dict(QUOTA)
    for expert in experts:
        # the demo expert account serves the anchor shoe firm (its lines' automation and materials)
        field = ServiceField.SHOES if expert.pk == own_expert else _field_of(expert, left)
        if expert.pk == own_expert:
            left[field] -= 1
        commissioner = services.save_commissioner(
            actor=staff,
            expert=expert,
            field=field,
            expertise=EXPERTISE.get(field, "") if expert.pk != own_expert else OWN_EXPERTISE,
            max_enterprises=rng.choice([2, 3, 3, 4]),
            available_from=today - dt.timedelta(days=900),
            is_demo=True,
        )
        pool = by_chain.get(CHAIN.get(field, ""), []) or firms
        recorder = expert_user if expert.pk == own_expert else staff
        # last year's assignment, finished; this year's, running (the demo expert's at the anchor firm)
        first_start = today - dt.timedelta(days=rng.randrange(480, 700))
        first_end = first_start + dt.timedelta(days=rng.randrange(200, 330))
        second_start = first_end + dt.timedelta(days=rng.randrange(20, 90))
        second_start = min(second_start, today - dt.timedelta(days=30))
        second_end = second_start + dt.timedelta(days=365)
        own_current = expert.pk == own_expert and anchor is not None
        current_firm = anchor if own_current and anchor is not None else rng.choice(pool)
        periods = [(rng.choice(pool), first_start, first_end), (current_firm, second_start, second_end)]
        for n, (firm, start, end) in enumerate(periods):
            goals = GOALS.get(field, DEFAULT_GOALS)
            assignment = services.assign(
                actor=staff,
                commissioner=commissioner,
                enterprise=firm,
                goals=goals,
                starts_on=start,
                ends_on=end,
            )
            assignments += 1
            if n == 1 and not own_current and rng.random() < 0.06:
                services.close_assignment(
                    actor=staff, assignment=assignment, status="cancelled", note="企业调整需求，取消派驻"
                )
                continue
            count = 4 if own_current and n == 1 else rng.choice([1, 2, 2, 3, 3, 4])
            keep = 2 if own_current and n == 1 else 0
            links += len(_records(rng, assignment, field, today, recorder, count=count, keep_pending=keep))
            if n == 0:
                services.close_assignment(actor=staff, assignment=assignment, status="finished", note="期满")
    return {
        "科技特派员·特派员": len(experts),
        "科技特派员·派驻": assignments,
        "科技特派员·服务记录": links,
    }


def delete_demo_commissioners() -> dict[str, int]:
    """Delete the demo commissioners with their assignments, service links, ledger claims and history."""
    ids = list(Commissioner.objects.filter(is_demo=True).values_list("pk", flat=True))
    link_qs = ServiceLink.objects.filter(commissioner_id__in=ids)
    claim_ids = list(link_qs.values_list("claim_id", flat=True))
    assignment_qs = Assignment.objects.filter(commissioner_id__in=ids)
    ServiceClaim.history.filter(id__in=claim_ids).delete()  # type: ignore[attr-defined]
    Assignment.history.filter(commissioner_id__in=ids).delete()  # type: ignore[attr-defined]
    Commissioner.history.filter(Q(id__in=ids)).delete()  # type: ignore[attr-defined]
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        deleted = {"commissioner_links": link_qs.delete()[0]}
        deleted["commissioner_claims"] = ServiceClaim.objects.filter(pk__in=claim_ids).delete()[0]
        deleted["commissioner_assignments"] = assignment_qs.delete()[0]
        deleted["commissioners"] = Commissioner.objects.filter(pk__in=ids).delete()[0]
    return deleted
