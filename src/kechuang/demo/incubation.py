"""Demo incubation projects in the three demo enclaves (深圳/武汉/西安) and one county incubator.

Each project follows a fate through the real services, dated on a calendar between 2024 and `as_of`:
applications scored by the demo expert and the bureau admin, admitted or rejected by the bureau staff user;
admitted projects receive services, milestones (a few completed late), periodic reviews, investments from
the demo investors and funds, and some land in Jinjiang as a demo enterprise of the registry (linked by its
统一社会信用代码, with yearly jobs/output/tax). The elimination mechanism shows all its paths: a project the
rules flagged and the bureau eliminated (reason recorded), one flagged and kept, and current candidates
waiting for a decision. Projects are marked `is_demo`; everything else hangs off them, so
`delete_demo_incubation` removes it all. Deterministic for a given seed, database and `as_of`.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from kechuang.demo.generator import DEMO_EMAIL_DOMAIN, DEMO_SUFFIX
from kechuang.incubation import services
from kechuang.incubation.choices import Round, ServiceKind, Stage
from kechuang.incubation.models import (
    EliminationDecision,
    Investment,
    LandingFigure,
    Milestone,
    PeriodicReview,
    Project,
    Review,
)
from kechuang.orgs.choices import InstitutionCategory
from kechuang.orgs.models import Enclave, Enterprise, Fund, Institution, Investor

# ---- the projects -------------------------------------------------------------------------------------

# Fates: G graduated (landed), W growth (landed), L landing (landed), I investment, N incubating (N2:
# applied at the end of 2025, admitted around the turn of the year),
# E flagged and eliminated, K flagged and kept, C current candidate (no progress / missed milestones /
# low periodic review: C0 C1 C2), R rejected, P pending (applied, under review).
LANDED = frozenset({"G", "W", "L"})
SEQUENCE = itertools.count()


@dataclass(frozen=True)
class Idea:
    name: str
    industry: str
    technology: str
    market: str
    fate: str
    need: int  # 万元


WUHAN = (
    Idea(
        "鞋服柔性产线视觉质检系统",
        "智能制造",
        "基于深度学习的鞋面缺陷检测，单工位识别准确率99.2%",
        "晋江鞋服企业质检人工超3万人",
        "G",
        800,
    ),
    Idea(
        "工业机器人高精度谐波减速器",
        "智能制造",
        "柔轮齿形修形与热处理工艺，回差≤10弧秒",
        "国产机器人整机厂替代进口需求",
        "W",
        1500,
    ),
    Idea(
        "可降解PLA发泡鞋底材料",
        "新材料",
        "超临界CO2发泡PLA/PBAT共混体系，回弹率55%",
        "运动品牌环保鞋款与出口欧盟需求",
        "L",
        600,
    ),
    Idea(
        "激光选区熔化鞋模快速制造",
        "智能制造",
        "金属3D打印随形冷却鞋模，开模周期缩短60%",
        "晋江鞋模厂与品牌打样中心",
        "I",
        500,
    ),
    Idea(
        "纺织印染废水陶瓷膜处理",
        "新材料",
        "抗污染陶瓷平板膜与臭氧催化耦合工艺",
        "晋江印染园区提标改造",
        "I",
        900,
    ),
    Idea(
        "工业互联网边缘采集网关",
        "新一代信息技术",
        "兼容200余种设备协议的轻量化边缘网关",
        "中小制造企业设备联网改造",
        "N2",
        300,
    ),
    Idea(
        "智能仓储AGV集群调度",
        "智能制造",
        "多智能体路径规划算法，百台级集群调度",
        "鞋服电商仓配中心",
        "E",
        400,
    ),
    Idea(
        "光纤光栅结构健康监测",
        "新一代信息技术",
        "温度补偿型光纤光栅传感阵列",
        "桥梁与厂房结构安全监测",
        "K",
        350,
    ),
    Idea(
        "固态锂电池复合电解质",
        "新材料",
        "聚合物/无机复合固态电解质，室温电导率1mS/cm",
        "储能与两轮车电池厂商",
        "C0",
        1200,
    ),
    Idea("纳米纤维空气过滤材料", "新材料", "静电纺丝纳米纤维复合滤材", "新风与口罩滤材市场", "R", 200),
    Idea(
        "缝制工序自动化单元",
        "智能制造",
        "视觉引导自动缝制与模板缝纫一体化",
        "服装与箱包企业缝制用工替代",
        "P",
        450,
    ),
)
SHENZHEN = (
    Idea(
        "AI服装款式生成设计平台",
        "数字经济",
        "面向品牌的款式生成与版型推荐大模型",
        "晋江服装品牌设计研发降本",
        "W",
        700,
    ),
    Idea(
        "鞋类3D数字样品与虚拟试穿",
        "时尚设计",
        "鞋楦与鞋面参数化建模及实时渲染",
        "品牌订货会数字化与电商展示",
        "L",
        500,
    ),
    Idea("智能运动监测鞋垫", "时尚设计", "柔性压力传感阵列与步态分析算法", "跑鞋品牌智能化升级", "I", 600),
    Idea(
        "时尚品牌私域营销SaaS", "数字经济", "会员画像与自动化营销引擎", "鞋服品牌门店与小程序运营", "N", 300
    ),
    Idea(
        "柔性供应链小单快反平台", "数字经济", "订单拆分与产能撮合算法", "中小服装工厂与设计师品牌", "N2", 400
    ),
    Idea("功能面料数字印花工艺", "时尚设计", "活性染料数码直喷与低温固色", "运动服饰个性化定制", "E", 350),
    Idea("AR虚拟试衣镜", "数字经济", "单目人体三维重建与布料仿真", "商场门店与品牌旗舰店", "C1", 450),
    Idea(
        "足型大数据定制鞋服务", "时尚设计", "手机扫描足型与个性化鞋楦生成", "专业跑者与足部健康人群", "R", 250
    ),
    Idea("再生纤维设计工作室", "时尚设计", "回收涤纶纱线的色彩与肌理设计库", "品牌可持续系列开发", "P", 150),
    Idea("跨境电商选品数据中台", "数字经济", "多平台商品数据采集与趋势预测", "晋江跨境电商卖家", "P", 300),
)
XIAN = (
    Idea(
        "车规级SiC功率MOSFET芯片",
        "集成电路",
        "沟槽栅SiC MOSFET设计与可靠性筛选",
        "新能源汽车电驱与充电桩",
        "G",
        3000,
    ),
    Idea(
        "GaN射频前端模组", "集成电路", "GaN HEMT功放与滤波器一体化封装", "5G小基站与卫星通信终端", "I", 2500
    ),
    Idea("MEMS压力传感器芯片", "集成电路", "硅压阻MEMS芯片与温漂补偿ASIC", "汽车电子与智能家电", "I", 1200),
    Idea(
        "晶圆级封装键合设备",
        "集成电路",
        "热压键合头精密温控与对位系统",
        "晋江集成电路产业园封测企业",
        "L",
        2000,
    ),
    Idea("低功耗物联网SoC", "集成电路", "RISC-V内核与Sub-1G射频集成", "智能表计与资产追踪", "N2", 800),
    Idea("SiC外延缺陷光学检测仪", "集成电路", "暗场散射与深度学习缺陷分类", "SiC衬底与外延片厂", "K", 1500),
    Idea(
        "毫米波雷达感知模组", "新一代信息技术", "77GHz雷达点云与目标跟踪算法", "智慧交通与工业安全", "C2", 900
    ),
    Idea("高速SerDes接口IP", "集成电路", "28Gbps SerDes模拟前端设计", "国产交换芯片设计企业", "R", 1000),
    Idea("芯片测试自动化分选平台", "集成电路", "多工位并行测试调度与视觉分选", "封测厂测试产线", "P", 700),
)
INCUBATOR = (
    Idea("智能吊挂生产管理系统", "智能制造", "RFID吊挂线与工序平衡算法", "晋江服装加工厂", "W", 300),
    Idea("卫浴陶瓷釉料数字化配色", "新材料", "釉料配方色差预测与自动配色", "晋江陶瓷卫浴企业", "I", 200),
    Idea("运动康复智能护具", "智能制造", "惯性传感与康复训练评估算法", "体育用品品牌与康复机构", "N", 250),
    Idea("食品包装可降解涂层", "新材料", "水性阻隔涂层替代PE淋膜", "晋江食品与纸品企业", "C1", 180),
    Idea("鞋服门店客流分析", "数字经济", "视频客流统计与热区分析", "鞋服品牌直营门店", "R", 100),
    Idea("制鞋车间排产软件", "智能制造", "约束规划排产与订单交期预测", "中小鞋企", "P", 120),
)

TEAM_FROM = {
    "武汉": "武汉高校材料与机械学科",
    "深圳": "深圳设计与互联网企业",
    "西安": "西安高校微电子学科",
    "晋江": "晋江本地企业技术骨干与返乡创业人才",
}
MILESTONES = (
    "完成样机/小试验证",
    "取得首批发明专利授权",
    "完成中试线建设",
    "签约首批晋江企业客户",
    "完成产品定型与认证",
)
SERVICES: dict[str, tuple[str, ...]] = {
    ServiceKind.MARKET: ("对接晋江龙头企业试用", "组织参加产品推介会"),
    ServiceKind.TECH: ("对接合作高校实验室开展联合测试", "引荐行业专家提供技术诊断"),
    ServiceKind.FINANCING: ("组织投融资面洽会", "推荐参加投融资路演"),
    ServiceKind.TRANSFER: ("协助办理专利许可与成果转化手续",),
    ServiceKind.DUE_DILIGENCE: ("开展项目尽调评估并出具报告",),
    ServiceKind.MENTORING: ("创业导师一对一辅导", "参加创新创业学院训练营"),
    ServiceKind.SPACE: ("提供办公场地并落实租金补助",),
    ServiceKind.APPLICATION: ("辅导申报省级高层次人才项目", "辅导申报科技型中小企业"),
}
EXTERNAL_INVESTORS = (
    "江城天使投资合伙企业（虚构）",
    "鹏城创新投资有限公司（虚构）",
    "长安硬科技创投基金（虚构）",
)


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 0)))


@dataclass
class Plan:
    """One project's dated steps, executed in date order; steps may schedule later steps."""

    idea: Idea
    carrier: Enclave | Institution
    city: str
    steps: list[tuple[dt.date, int, Callable[[], None]]] = field(default_factory=list)
    project: Project | None = None
    stop: dt.date = dt.date.max  # no progress is recorded after this day
    quiet: tuple[dt.date, dt.date] | None = None  # no routine periodic review in this window

    def at(self, day: dt.date, run: Callable[[], None]) -> None:
        heapq.heappush(self.steps, (day, next(SEQUENCE), run))

    def execute(self) -> None:
        while self.steps:
            _, _, run = heapq.heappop(self.steps)
            run()


class Builder:
    def __init__(self, seed: int, as_of: dt.date) -> None:
        self.rng = random.Random(seed)
        self.as_of = min(as_of, timezone.localdate())
        users = {
            u.username: u
            for u in get_user_model()
            .objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}")
            .select_related("profile")
        }
        self.decider = users.get("staff") or users.get("admin")
        self.reviewers = [u for name in ("expert", "admin") if (u := users.get(name)) is not None]
        self.operator = users.get("enclave")
        self.enterprise_user = users.get("enterprise")
        self.enclaves = {e.city: e for e in Enclave.objects.filter(is_demo=True).select_related("operator")}
        self.incubator = (
            Institution.objects.filter(is_demo=True, category=InstitutionCategory.INCUBATOR)
            .select_related("organization")
            .order_by("pk")
            .first()
        )
        self.investors = list(
            Investor.objects.filter(is_demo=True).select_related("organization").order_by("pk")
        )
        self.funds = list(Fund.objects.filter(investor__in=self.investors).order_by("pk"))
        anchor_org = (self.enterprise_user.profile.organization_id if self.enterprise_user else None) or 0
        self.anchor = (
            Enterprise.objects.filter(organization_id=anchor_org).select_related("organization").first()
        )
        # Landed companies: small demo enterprises with a credit code and yearly figures, never an anchor.
        self.landing_pool = list(
            Enterprise.objects.filter(is_demo=True, figures__isnull=False)
            .exclude(organization__credit_code="")
            .exclude(organization_id=anchor_org)
            .filter(employees__lte=120)
            .select_related("organization")
            .distinct()
            .order_by("pk")[:200]
        )
        self.rng.shuffle(self.landing_pool)
        self.counts: dict[str, int] = {}

    # -- calendar --

    def day(self, base: dt.date, days: int) -> dt.date:
        return base + dt.timedelta(days=days)

    def months(self, base: dt.date, months: float) -> dt.date:
        return base + dt.timedelta(days=round(months * 30.4))

    def apply_date(self, fate: str) -> dt.date:
        """Applications across 2024–2025 (pending ones in the last weeks), late enough before `as_of` for
        the fate to play out."""
        if fate == "P":
            return self.day(self.as_of, -self.rng.randint(12, 45))
        early, late, room = {
            "G": (dt.date(2024, 1, 8), dt.date(2024, 9, 30), 600),
            "W": (dt.date(2024, 1, 8), dt.date(2024, 9, 30), 500),
            "E": (dt.date(2024, 1, 8), dt.date(2024, 9, 30), 450),
            "K": (dt.date(2024, 1, 8), dt.date(2024, 9, 30), 450),
            "L": (dt.date(2024, 4, 1), dt.date(2025, 3, 31), 400),
            "C0": (dt.date(2025, 1, 6), dt.date(2025, 3, 31), 330),
            "N": (dt.date(2024, 4, 1), dt.date(2025, 9, 30), 90),
            "N2": (dt.date(2025, 11, 25), dt.date(2025, 12, 31), 60),
            "C2": (dt.date(2024, 4, 1), dt.date(2025, 6, 30), 150),
        }.get(fate, (dt.date(2024, 4, 1), dt.date(2025, 6, 30), 200))
        late = min(late, self.day(self.as_of, -room))
        early = min(early, late)
        return self.day(early, self.rng.randint(0, max((late - early).days, 0)))

    # -- building --

    def run(self) -> dict[str, int]:
        if self.decider is None or not self.reviewers or not self.enclaves:
            return {"孵化项目": 0}
        plans: list[Plan] = []
        for city, ideas in (("武汉", WUHAN), ("深圳", SHENZHEN), ("西安", XIAN)):
            enclave = self.enclaves.get(city)
            if enclave is not None:
                plans += [Plan(idea, enclave, city) for idea in ideas]
        if self.incubator is not None:
            plans += [Plan(idea, self.incubator, "晋江") for idea in INCUBATOR]
        for plan in plans:
            self.plan(plan)
            plan.execute()
        ids = [p.project.pk for p in plans if p.project is not None]
        Project.objects.filter(pk__in=ids).update(is_demo=True)
        return self.tally(ids)

    def plan(self, plan: Plan) -> None:
        idea, rng = plan.idea, self.rng
        applied = self.apply_date(idea.fate)
        decided = self.day(applied, rng.randint(25, 45))
        applicant = self.anchor if (self.anchor and idea.name == SHENZHEN[0].name) else None

        def apply() -> None:
            plan.project = services.submit_application(
                actor=self.enterprise_user if applicant else (self.operator if plan.city == "武汉" else None),
                carrier=plan.carrier,
                data=services.ApplicationData(
                    name=idea.name,
                    industry=idea.industry,
                    team=f"核心团队{rng.randint(4, 15)}人，主要成员来自{TEAM_FROM[plan.city]}，"
                    f"负责人有{rng.randint(6, 18)}年相关研发或产业经验，已全职投入。",
                    technology=f"{idea.technology}；已申请发明专利{rng.randint(1, 6)}件，完成实验室验证。",
                    market=f"目标市场：{idea.market}；已与{rng.randint(1, 5)}家潜在客户开展试用洽谈。",
                    funding_plan=f"计划融资{idea.need}万元，用于中试、团队扩充与市场开拓；拟落地晋江实现产业化。",
                    funding_needed=Decimal(idea.need),
                    contact_name=rng.choice("陈林黄吴王蔡许郑") + rng.choice(("先生", "女士")),
                ),
                applicant=applicant.organization if applicant else None,
                applied_on=applied,
            )

        plan.at(applied, apply)
        plan.at(self.day(applied, 7), lambda: self.assign(plan, self.day(applied, 7)))
        if idea.fate == "P":
            when = self.day(applied, 9)
            if plan.city == "西安" and len(self.reviewers) > 1:  # the expert declares a conflict of interest
                plan.at(when, lambda: self.conflict(plan, self.reviewers[0]))
                plan.at(when, lambda: self.score(plan, self.reviewers[1], good=True, day=when))
            else:
                plan.at(when, lambda: self.score(plan, self.reviewers[0], good=True, day=when))
            return
        good = idea.fate != "R"
        for i, reviewer in enumerate(self.reviewers):
            when = self.day(applied, 12 + 4 * i)
            plan.at(when, partial(self.score, plan, reviewer, good=good, day=when))
        plan.at(decided, lambda: self.decide(plan, admit=good, day=decided))
        if good:
            self.lifecycle(plan, decided)

    def assign(self, plan: Plan, day: dt.date) -> None:
        assert plan.project is not None
        # the demo's panel is its whole reviewer pool, assigned the way staff do it: by expertise
        services.assign_reviewers_by_expertise(
            actor=self.decider,
            projects=[plan.project],
            candidates=self.reviewers,
            per_project=len(self.reviewers),
            max_load=10_000,  # the demo's two reviewers score every application
            on=day,
        )

    def conflict(self, plan: Plan, reviewer: Any) -> None:
        review = Review.objects.select_related("reviewer").get(project=plan.project, reviewer=reviewer)
        assert plan.project is not None
        review.project = plan.project
        services.declare_conflict(
            actor=reviewer, review=review, note="曾为该团队前期技术路线提供咨询，申请回避。"
        )

    def score(self, plan: Plan, reviewer: Any, *, good: bool, day: dt.date) -> None:
        assert plan.project is not None
        review = Review.objects.select_related("reviewer").get(project=plan.project, reviewer=reviewer)
        review.project = plan.project
        lo, hi = (68, 95) if good else (40, 66)
        scores = {code: self.rng.randint(lo, hi) for code, *_ in services.DEFAULT_CRITERIA}
        comments = (
            ("团队完整、技术有壁垒，与晋江产业契合度高，建议入孵。", "市场验证充分，建议入孵并重点跟踪融资。")
            if good
            else ("技术路线尚不清晰，团队未全职投入，暂不建议入孵。", "市场空间有限，与本县产业关联度不高。")
        )
        services.submit_review(
            actor=reviewer, review=review, scores=scores, comment=self.rng.choice(comments)
        )
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10, self.rng.randint(0, 59))))
        Review.objects.filter(pk=review.pk).update(submitted_at=moment, updated_at=moment)

    def decide(self, plan: Plan, *, admit: bool, day: dt.date) -> None:
        assert plan.project is not None
        reason = (
            "评审得分达到入孵线，团队与技术具备产业化潜力，同意入孵；请运营方落实场地与创业辅导。"
            if admit
            else "评审得分低于入孵线，技术成熟度与团队投入不足，不予入孵；欢迎完善后再次申请。"
        )
        services.decide_admission(
            actor=self.decider, project=plan.project, admit=admit, reason=reason, decided_on=day
        )

    # -- after admission --

    def lifecycle(self, plan: Plan, admitted: dt.date) -> None:
        fate, rng = plan.idea.fate, self.rng
        if fate == "E":
            plan.stop = self.months(admitted, 3)
        elif fate == "C0":
            plan.stop = self.day(self.as_of, -rng.randint(230, 280))
        last = min(plan.stop, self.day(self.as_of, -rng.randint(5, 40)))
        # Milestones: planned at admission, completed on time or somewhat late, except where the fate says.
        for i, title in enumerate(rng.sample(MILESTONES, 3)):
            due = self.months(admitted, 4 + 5 * i)
            missed = fate == "E" or (fate == "C1" and i >= 1)
            if fate == "C1" and i >= 1:
                due = self.day(self.as_of, -rng.randint(40, 70) * i)
            plan.at(admitted, partial(self.milestone, plan, title, due, missed))
        # Services about every quarter, periodic reviews about every six months.
        day, n = self.months(admitted, 1), 0
        while day <= last:
            plan.at(day, partial(self.service, plan, day))
            if n % 2 == 1:
                check = self.day(day, 3)
                plan.at(check, partial(self.periodic, plan, check))
            day, n = self.day(day, rng.randint(75, 110)), n + 1
        if fate == "C2":
            low = self.day(self.as_of, -rng.randint(10, 30))
            plan.quiet = (self.day(low, -200), self.as_of)
            plan.at(low, lambda: self.periodic(plan, low, score=rng.randint(48, 57)))
        if fate == "E":
            self.eliminated(plan, admitted)
        if fate == "K":
            self.kept(plan, admitted)
        if fate in LANDED or fate == "I":
            first = self.months(admitted, rng.uniform(3, 6))
            plan.at(
                first, lambda: self.advance(plan, Stage.INVESTMENT, first, "获得首轮投资，进入投资支持阶段")
            )
            opening = Round.ANGEL if rng.random() < 0.6 else Round.PRE_A
            plan.at(first, partial(self.invest, plan, first, opening))
            if rng.random() < (0.7 if fate in LANDED else 0.5):
                second = self.months(first, rng.uniform(6, 12))
                follow = Round.A if fate in LANDED or opening == Round.PRE_A else Round.PRE_A
                plan.at(second, partial(self.invest, plan, second, follow))
        if fate in LANDED:
            prepare = self.months(admitted, rng.uniform(7, 9))
            landed = self.day(prepare, rng.randint(30, 60))
            plan.at(prepare, lambda: self.advance(plan, Stage.LANDING, prepare, "启动落地晋江辅导"))
            plan.at(landed, lambda: self.land(plan, landed))
            if fate in {"G", "W"}:
                growth = self.months(landed, 3)
                plan.at(
                    growth, lambda: self.advance(plan, Stage.GROWTH, growth, "落地企业投产，转入成长跟踪")
                )
            if fate == "G":
                done = self.months(landed, 12)
                plan.at(
                    done, lambda: self.advance(plan, Stage.GRADUATED, done, "达到毕业条件：营收与团队稳定")
                )

    def milestone(self, plan: Plan, title: str, due: dt.date, missed: bool) -> None:
        assert plan.project is not None
        milestone = services.add_milestone(actor=self.decider, project=plan.project, title=title, due_on=due)
        if missed:
            return
        done = self.day(due, self.rng.choice((-20, -10, -3, 5, 18, 35)))
        plan.at(done, lambda: self.complete(plan, milestone, done))

    def active(self, plan: Plan, day: dt.date) -> Project | None:
        """The project when progress may be recorded on `day` (by as_of and the plan's stop, incubating)."""
        project = plan.project
        if project is None or day > min(self.as_of, plan.stop) or project.stage not in services.ACTIVE_STAGES:
            return None
        return project

    def complete(self, plan: Plan, milestone: Milestone, day: dt.date) -> None:
        project = self.active(plan, day)
        if project is None:
            return
        milestone.project = project
        services.complete_milestone(actor=self.decider, milestone=milestone, done_on=day)

    def service(self, plan: Plan, day: dt.date) -> None:
        project = self.active(plan, day)
        if project is None:
            return
        kind = self.rng.choice(list(SERVICES))
        provider = (
            plan.carrier.operator.name
            if isinstance(plan.carrier, Enclave) and plan.carrier.operator
            else str(plan.carrier)
        )
        services.record_service(
            actor=self.decider,
            project=project,
            kind=kind,
            description=self.rng.choice(SERVICES[kind]),
            provided_on=day,
            provider=provider.removesuffix(DEMO_SUFFIX),
        )

    def periodic(self, plan: Plan, day: dt.date, score: int | None = None) -> None:
        project = self.active(plan, day)
        if project is None:
            return
        if score is None and plan.quiet and plan.quiet[0] <= day <= plan.quiet[1]:
            return
        value = score if score is not None else self.rng.randint(66, 93)
        note = (
            "研发与市场进展符合预期，按计划推进中试与客户验证。"
            if value >= 60
            else "核心成员流失，样机迭代滞后，客户验证未取得实质进展。"
        )
        services.record_periodic_review(
            actor=self.decider,
            project=project,
            reviewed_on=day,
            score=Decimal(value),
            progress_note=note,
        )

    def advance(self, plan: Plan, stage: str, day: dt.date, note: str) -> None:
        if plan.project is None or day > self.as_of or stage not in services.next_stages(plan.project.stage):
            return
        services.advance_project_stage(
            actor=self.decider, project=plan.project, to_stage=stage, note=note, on=day
        )

    def invest(self, plan: Plan, day: dt.date, round_: str) -> None:
        if plan.project is None or day > self.as_of:
            return
        amounts: dict[str, tuple[int, int]] = {
            Round.ANGEL: (100, 500),
            Round.PRE_A: (400, 1200),
            Round.A: (1500, 5000),
        }
        lo, hi = amounts.get(round_, (100, 500))
        amount = _money(self.rng.uniform(lo, hi) * (2 if plan.city == "西安" else 1))
        if self.investors and self.rng.random() < 0.75:
            investor = self.rng.choice(self.investors)
            funds = [f for f in self.funds if f.investor_id == investor.pk]
            fund = self.rng.choice(funds) if funds and self.rng.random() < 0.7 else None
            services.record_investment(
                actor=self.decider,
                project=plan.project,
                amount=amount,
                round=round_,
                invested_on=day,
                investor=investor,
                fund=fund,
                investor_name=investor.organization.name.removesuffix(DEMO_SUFFIX),
            )
        else:
            services.record_investment(
                actor=self.decider,
                project=plan.project,
                amount=amount,
                round=round_,
                invested_on=day,
                investor_name=self.rng.choice(EXTERNAL_INVESTORS),
            )

    def land(self, plan: Plan, day: dt.date) -> None:
        if plan.project is None or day > self.as_of or not self.landing_pool:
            return
        company = self.landing_pool.pop()
        services.record_landing(
            actor=self.decider,
            project=plan.project,
            credit_code=company.organization.credit_code,
            landed_on=day,
            note=f"在晋江注册成立运营主体，承接{plan.idea.industry}产业化。",
        )
        jobs, output = self.rng.randint(15, 40), self.rng.uniform(300, 1500)
        for year in range(day.year, self.as_of.year + 1):
            # Reported early the next year; the current year so far is reported at as_of.
            share = (13 - day.month) / 12 if year == day.year else 1.0
            if year == self.as_of.year:
                share *= self.as_of.timetuple().tm_yday / 366
            when = min(self.as_of, dt.date(year + 1, 1, 20))
            figure = (jobs, _money(output * share), _money(output * share * self.rng.uniform(0.03, 0.06)))
            plan.at(when, partial(self.figure, plan, year, *figure))
            jobs, output = jobs + self.rng.randint(5, 25), output * self.rng.uniform(1.3, 1.9)

    def figure(self, plan: Plan, year: int, jobs: int, output: Decimal, tax: Decimal) -> None:
        assert plan.project is not None
        services.record_landing_figure(
            actor=self.decider, project=plan.project, year=year, jobs=jobs, output=output, tax=tax
        )

    def eliminated(self, plan: Plan, admitted: dt.date) -> None:
        when = self.months(admitted, 13)

        def decide() -> None:
            if plan.project is None or when > self.as_of:
                return
            services.decide_elimination(
                project=plan.project,
                eliminate=True,
                reason="经运营方核实，团队已解散、核心成员离职，里程碑长期未完成，联系多次未获回应，决定淘汰；"
                "项目档案保留备查。",
                actor=self.decider,
                as_of=when,
            )

        plan.at(when, decide)

    def kept(self, plan: Plan, admitted: dt.date) -> None:
        low = self.months(admitted, 9)
        keep = self.day(low, 20)
        recovery = self.months(keep, 4)
        plan.quiet = (self.day(low, -200), recovery)
        plan.at(low, lambda: self.periodic(plan, low, score=54))

        def decide() -> None:
            if plan.project is None or keep > self.as_of:
                return
            services.decide_elimination(
                project=plan.project,
                eliminate=False,
                reason="评估偏低系技术路线调整所致，团队已补充核心成员并提交整改计划，决定保留观察。",
                actor=self.decider,
                as_of=keep,
            )

        plan.at(keep, decide)
        plan.at(recovery, lambda: self.periodic(plan, recovery, score=76))

    def tally(self, ids: list[int]) -> dict[str, int]:
        projects = Project.objects.filter(pk__in=ids)
        counts = {"孵化项目": len(ids)}
        for stage in Stage:
            n = projects.filter(stage=stage).count()
            if n:
                counts[f"孵化项目·{stage.label}"] = n
        counts["入孵评审"] = Review.objects.filter(project__in=projects).count()
        counts["项目投资"] = Investment.objects.filter(project__in=projects).count()
        counts["落地晋江"] = projects.filter(landed_on__isnull=False).count()
        counts["淘汰决定"] = EliminationDecision.objects.filter(project__in=projects).count()
        return counts


def load_demo_incubation(*, seed: int, as_of: dt.date) -> dict[str, int]:
    """Write the demo incubation projects through the services; returns counts by label."""
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        return Builder(seed, as_of).run()


def delete_demo_incubation() -> dict[str, int]:
    """Delete the demo projects with everything hanging off them (and their history)."""
    ids = list(Project.objects.filter(is_demo=True).values_list("pk", flat=True))
    Project.history.filter(id__in=ids).delete()  # type: ignore[attr-defined]
    for model in (Review, Milestone, Investment, PeriodicReview, LandingFigure):
        model.history.filter(project_id__in=ids).delete()  # type: ignore[attr-defined]
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        total, by_model = Project.objects.filter(pk__in=ids).delete()
    return {
        "incubation_projects": by_model.get(Project._meta.label, 0),
        "incubation_rows": total,
    }
