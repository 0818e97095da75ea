"""Demo technology demands (技术需求) for Jinjiang's industries, walked through the whole demand process.

Every write goes through kechuang.demands.services / campaigns, so the timeline, the funnel stage and the
notifications are what real use would produce; afterwards the timestamps are moved back onto a realistic
calendar (working days over the last ~18 months) with queryset.update, keeping the order of events, and the
time spent in each status is recomputed from the backdated events. Campaigns are named after the years the
window covers (run in 2025 that is 2024 and 2025). Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import F, Max
from django.test.utils import override_settings
from django.utils import timezone

from kechuang.core.workdays import add_workdays
from kechuang.demands import campaigns as campaign_services
from kechuang.demands import services
from kechuang.demands.choices import (
    CloseReason,
    Confidentiality,
    ContractType,
    DemandType,
    RejectReason,
    Status,
    TargetKind,
)
from kechuang.demands.models import (
    Campaign,
    Demand,
    DemandEvent,
    DockingMeeting,
    FieldVisit,
    Holiday,
    Interest,
    LandedProject,
    Response,
    Routing,
    TechContract,
)
from kechuang.demands.services import DemandData, ResponseData
from kechuang.demo.generator import ANCHOR, ANCHOR_2, DEMO_EMAIL_DOMAIN, DEMO_SUFFIX
from kechuang.notifications.models import Notification
from kechuang.orgs.models import (
    Enclave,
    Enterprise,
    Expert,
    IndustryChainTag,
    Institution,
    Investor,
    Township,
)

T = DemandType
R = TypeVar("R", Routing, Response)

# ---- the texts ----------------------------------------------------------------------------------------

# Where a demand ends up: D draft, S submitted, O submitted and overdue, RT returned, RJ rejected,
# M merged into another demand, A accepted, R routed, W answered, K docking, C contracted, L landed,
# X closed (after reaching `closed_at`).
FATES = ("D", "S", "O", "RT", "RJ", "M", "A", "R", "W", "K", "C", "L", "X")


@dataclass(frozen=True)
class DemandText:
    sector: str
    demand_type: str
    fate: str
    title: str
    description: str
    indicators: str = ""
    budget: tuple[int, int] | None = None
    modes: tuple[str, ...] = ()
    owner: str = ""  # "anchor": the `enterprise` account's company; "anchor2": the `enterprise2` one
    close: str = ""  # CloseReason for fate X
    closed_at: str = ""  # the fate the demand had reached when it was closed: A, R, W, K or C
    close_note: str = ""
    reject: str = ""  # RejectReason for fate RJ
    note: str = ""  # the return / reject comment
    duplicate_of: str = ""  # for fate M: the title of the demand it repeats (same enterprise)
    flags: tuple[str, ...] = ()  # "wuhan" / "expert": a fresh routing to that demo account; "bounced"
    project: str = ""  # for fate L: the landed project's name


DEMANDS: tuple[DemandText, ...] = (
    # ---- 鞋服 -------------------------------------------------------------------------------------------
    DemandText(
        "shoes",
        T.TECH_BREAKTHROUGH,
        "C",
        "运动鞋橡胶外底耐磨与湿地防滑性能提升",
        "公司年产运动鞋约600万双，跑鞋采用EVA发泡中底+橡胶外底结构。近两年电商退货原因中“鞋底磨损快、"
        "雨天打滑”约占18%。现有外底配方DIN磨耗约150 mm³，希望在不明显增加重量和成本的前提下，通过配方"
        "（白炭黑/顺丁胶体系）或硫化工艺优化提升耐磨与防滑性能，并形成可量产的工艺文件。",
        "DIN耐磨≤90 mm³；湿地防滑系数≥0.45（SATRA TM144）；密度增幅≤5%；单双成本增幅≤1.5元",
        (30, 80),
        ("joint", "commissioned"),
        owner="anchor",
    ),
    DemandText(
        "shoes",
        T.TECH_BREAKTHROUGH,
        "R",
        "3D飞织一体鞋面花型开发与热熔定型工艺",
        "公司计划新上12台电脑横机的飞织鞋面产线，目前鞋面依赖外协，花型开发周期长、热熔定型后尺寸波动大。"
        "需要从针织程序设计、热熔纱/涤纶纱选型到定型温度曲线的整体工艺方案，并为技术员提供打样培训。",
        "打样周期≤3天；鞋面克重≤85 g/只（42码）；耐折≥10万次无破损；定型后尺寸稳定性±1.5%",
        (50, 120),
        ("commissioned", "service"),
        owner="anchor",
    ),
    DemandText(
        "shoes",
        T.EQUIPMENT,
        "W",
        "成型车间鞋帮自动涂胶机器人（3D视觉轨迹生成）",
        "成型车间贴底前的刷胶工序目前为人工，每条线需8名刷胶工，招工难且溶剂胶VOC排放大。希望引入3D视觉"
        "扫描鞋帮、自动生成涂胶轨迹的机器人工作站，支持多款式快速换型，并适配水性胶。",
        "轨迹精度±0.5 mm；节拍≤12秒/只；换款无需人工示教；胶线溢胶宽度≤1 mm；适配水性胶",
        (80, 200),
        ("joint", "transfer"),
        owner="anchor",
    ),
    DemandText(
        "shoes",
        T.ACHIEVEMENT,
        "S",
        "门店数字化脚型测量与尺码推荐系统",
        "公司在泉州、厦门有23家直营门店，线上渠道因尺码不合适导致的退换货率约12%。计划引进成熟的3D脚型"
        "测量设备和算法，基于脚长、脚宽、足弓高度推荐尺码与楦型，并与小程序会员系统打通。",
        "脚长测量误差≤2 mm；尺码推荐准确率≥90%；单次测量≤30秒；支持手机拍照测量",
        (20, 60),
        ("licence", "commissioned"),
        owner="anchor",
    ),
    DemandText(
        "shoes",
        T.TESTING,
        "X",
        "TPU鞋面热压贴合件开胶原因分析与检测",
        "部分批次TPU热压装饰件在湿热环境存放2个月后出现边缘开胶，需要第三方对热熔胶膜、贴合温度压力"
        "及基布进行检测分析，找出失效原因并给出工艺窗口建议。",
        "剥离强度≥25 N/cm；70℃/95%RH老化72 h后无开胶；出具CMA检测报告",
        (5, 15),
        ("service",),
        owner="anchor",
        close=CloseReason.SOLVED_ELSEWHERE,
        closed_at="W",
        close_note="胶膜供应商更换配方后问题已解决",
    ),
    DemandText(
        "shoes",
        T.PILOT,
        "L",
        "EVA超临界氮气发泡中底中试放大",
        "企业已完成超临界氮气发泡中底的实验室打样，回弹和轻量化表现良好，但放大到量产模具后出现泡孔不均、"
        "收缩率偏大等问题。需要合作方在中试线上完成工艺放大验证，形成稳定的量产参数。",
        "回弹率≥65%；密度≤0.12 g/cm³；压缩永久变形≤25%；尺寸收缩率≤1.5%；良品率≥95%",
        (100, 300),
        ("joint",),
        project="超临界发泡轻量化跑鞋中底量产线",
    ),
    DemandText(
        "shoes",
        T.TECH_BREAKTHROUGH,
        "K",
        "鞋楦三维数字化建模与楦型数据库建设",
        "企业现有实物楦头3000余双，版师依赖手工修楦，开发新款楦型周期约2周。希望对现有楦头进行三维扫描"
        "建模，建立可检索的楦型数据库，并实现参数化修楦与鞋样自动展平。",
        "扫描精度≤0.2 mm；楦型参数化调整项≥12项；展平误差≤1 mm；新楦开发周期缩短50%",
        (40, 100),
        ("commissioned", "service"),
    ),
    DemandText(
        "shoes",
        T.EQUIPMENT,
        "C",
        "硫化鞋围条自动贴合设备改造",
        "硫化鞋围条贴合工序人工作业，贴合位置偏差导致返工率约6%。希望对现有生产线进行自动化改造，实现"
        "围条自动裁切、涂胶和贴合，减少用工并提高一致性。",
        "贴合位置偏差≤1 mm；单工位产能≥300双/小时；返工率≤1%；减少用工≥4人/线",
        (60, 150),
        ("commissioned",),
    ),
    DemandText(
        "shoes",
        T.TECH_BREAKTHROUGH,
        "R",
        "功能运动袜抑菌除臭耐久性提升",
        "运动袜产品采用银离子抑菌整理，但洗涤20次后抑菌率明显下降，客户投诉异味问题。希望开发耐洗的"
        "抑菌除臭整理工艺或改用功能性纤维，兼顾成本和手感。",
        "洗涤50次后对金黄色葡萄球菌抑菌率≥90%；除臭率≥70%；单双成本增幅≤0.3元",
        (15, 40),
        ("commissioned", "transfer"),
    ),
    DemandText(
        "shoes",
        T.TECH_BREAKTHROUGH,
        "O",
        "EVA注塑拖鞋边角料回收再利用",
        "公司每月产生EVA注塑水口料和不良品约40吨，目前低价外卖。希望找到粉碎再造粒后按一定比例回用于"
        "拖鞋大底的技术方案，在保证物性的前提下降低原料成本。",
        "回料掺用比例≥30%；拉伸强度下降≤10%；硬度波动±2 Shore C；无明显异味",
        (20, 50),
        ("joint", "service"),
    ),
    # ---- 鞋服（服装） -------------------------------------------------------------------------------------
    DemandText(
        "apparel",
        T.TECH_BREAKTHROUGH,
        "A",
        "运动服装数码印花色牢度与手感提升",
        "公司运动服采用涤纶面料数码热转印，深色花型水洗色牢度仅3级，且大面积印花部位手感发硬。希望优化"
        "墨水、转印纸和后处理工艺，提高色牢度并改善手感。",
        "耐水洗色牢度≥4级；耐摩擦色牢度（湿）≥3-4级；印花部位透气率下降≤15%",
        (20, 50),
        ("commissioned",),
        flags=("bounced",),
        note="请补充目前使用的墨水和转印纸型号、色牢度检测报告及预算范围",
    ),
    DemandText(
        "apparel",
        T.EQUIPMENT,
        "W",
        "服装吊挂生产线智能排产与MES系统",
        "公司有6条吊挂流水线，排产依赖班组长经验，小批量多款式订单切换频繁，在制品积压严重。需要一套"
        "与吊挂系统对接的智能排产和生产执行系统，实时采集工序产量与质量数据。",
        "排产计算时间≤5分钟；在制品下降≥30%；工序数据采集实时率≥98%；支持与现有ERP对接",
        (50, 120),
        ("commissioned", "service"),
    ),
    DemandText(
        "apparel",
        T.TALENT,
        "X",
        "服装3D数字化设计（CLO3D）技术人才引进",
        "公司推进服装数字化开发，需要引进熟悉CLO3D/Style3D虚拟样衣的设计人才2名，负责建立数字面料库"
        "并培训现有版师团队，减少实物样衣打样次数。",
        "3年以上服装3D设计经验；能独立完成面料物理参数测定；实物样衣减少50%",
        (20, 40),
        ("talent",),
        close=CloseReason.TALENT_INTRODUCED,
        closed_at="K",
        close_note="经泉州轻工职业学院推荐，已引进2名3D设计人才",
    ),
    DemandText(
        "apparel",
        T.OTHER,
        "RJ",
        "拓展东南亚服装销售渠道",
        "公司希望拓展越南、印尼等东南亚市场的服装销售渠道，寻找当地经销商和跨境电商合作伙伴。",
        reject=RejectReason.NOT_TECH,
        note="属于市场开拓类需求，已告知企业联系市商务局外贸服务窗口",
    ),
    # ---- 纺织化纤 ------------------------------------------------------------------------------------------
    DemandText(
        "textiles",
        T.TECH_BREAKTHROUGH,
        "L",
        "再生涤纶（rPET）瓶片纺丝品质稳定性提升",
        "公司利用回收瓶片生产再生涤纶长丝，因瓶片来源杂、特性黏度波动大，纺丝断头率和染色色差明显高于"
        "原生涤纶，影响品牌客户认证。希望在瓶片分选、固相增黏和熔体过滤环节形成稳定的工艺控制方案。",
        "特性黏度波动±0.015 dL/g；满卷率≥95%；染色色差≥4级；通过GRS认证要求",
        (150, 400),
        ("joint", "commissioned"),
        project="年产3万吨再生涤纶长丝品质提升项目",
    ),
    DemandText(
        "textiles",
        T.EQUIPMENT,
        "C",
        "印染废水深度处理与中水回用",
        "公司日排印染废水约3000吨，现有生化处理后COD、色度勉强达标，环保要求提高后拟建设深度处理和中水"
        "回用系统，降低新鲜水用量和排污费用。",
        "出水COD≤50 mg/L；色度≤30倍；中水回用率≥50%；吨水处理成本≤3.5元",
        (200, 500),
        ("commissioned", "service"),
    ),
    DemandText(
        "textiles",
        T.TECH_BREAKTHROUGH,
        "K",
        "涤纶户外面料无氟防泼水功能整理",
        "欧盟对PFAS的限制收紧，品牌客户要求2025年起全部改用无氟防泼水整理。现有无氟助剂整理后初始防泼水"
        "可达4级，但耐洗性差、手感偏硬，需要优化助剂复配和焙烘工艺。",
        "初始防泼水≥4级；洗涤20次后≥3级；不含PFAS；手感评价不低于含氟工艺",
        (30, 80),
        ("commissioned", "joint"),
    ),
    DemandText(
        "textiles",
        T.TECH_BREAKTHROUGH,
        "W",
        "经编面料数码喷墨印花前处理工艺优化",
        "经编网布数码直喷印花出现渗化、得色率低的问题，需要优化上浆前处理配方和烘干工艺，提高花型清晰度"
        "和墨水利用率。",
        "线条清晰度≤0.2 mm渗化；得色率提高≥15%；墨水单耗下降≥10%",
        (15, 40),
        ("commissioned",),
    ),
    DemandText(
        "textiles",
        T.TESTING,
        "R",
        "纺织品吸湿速干及凉感功能检测平台共建",
        "公司开发系列功能面料，检测需送外地机构，周期长。希望与高校或检测机构共建吸湿速干、接触凉感、"
        "透气透湿等功能检测实验室，并取得CMA资质。",
        "覆盖GB/T 21655、GB/T 35263等标准；检测周期≤3个工作日；取得CMA资质",
        (80, 200),
        ("platform", "service"),
    ),
    DemandText(
        "textiles",
        T.EQUIPMENT,
        "X",
        "染整定形机废气余热回收与油烟治理",
        "公司8台定形机排气温度约160℃，热量直接排放且油烟治理效果不稳定。希望实施废气余热回收与静电"
        "油烟净化一体化改造。",
        "余热回收率≥40%；油烟排放≤15 mg/m³；投资回收期≤3年",
        (100, 250),
        ("commissioned",),
        close=CloseReason.TOO_COSTLY,
        closed_at="K",
        close_note="改造方案报价超出企业年度技改预算，暂缓实施",
    ),
    DemandText(
        "textiles",
        T.TECH_BREAKTHROUGH,
        "S",
        "原液着色涤纶长丝批次色差控制",
        "公司生产原液着色涤纶长丝，色母粒添加与混合精度不足导致批次间色差超标，客户退货率上升。需要改进"
        "色母计量和在线色差检测方案。",
        "批次间色差ΔE≤0.8；色母添加精度±0.5%；在线检测响应≤10秒",
        (30, 80),
        ("commissioned", "service"),
    ),
    DemandText(
        "textiles",
        T.TECH_BREAKTHROUGH,
        "RT",
        "再生锦纶6纺丝断头率高问题攻关",
        "使用化学法再生锦纶6切片纺丝时断头率偏高，影响满卷率。",
        note="请补充现有纺丝工艺参数、断头率统计数据、再生切片来源及预算范围后重新提交",
    ),
    # ---- 食品饮料 ------------------------------------------------------------------------------------------
    DemandText(
        "food",
        T.TECH_BREAKTHROUGH,
        "C",
        "烘焙糕点清洁标签保质期延长技术",
        "公司主营蛋黄酥、凤梨酥等糕点，常温保质期目前为60天，经销商希望延长至120天以上，同时客户要求不添加"
        "山梨酸钾等防腐剂。需要从水分活度控制、包装阻隔和天然抑菌剂等方面提供综合方案。",
        "常温保质期≥120天；不添加化学防腐剂；感官评分下降≤5%；单件成本增幅≤3%",
        (20, 60),
        ("commissioned", "joint"),
    ),
    DemandText(
        "food",
        T.TECH_BREAKTHROUGH,
        "M",
        "糕点类产品延长货架期技术咨询",
        "走访中企业反映糕点保质期偏短、经销商退货多，希望获得延长货架期的技术咨询。",
        duplicate_of="烘焙糕点清洁标签保质期延长技术",
    ),
    DemandText(
        "food",
        T.TECH_BREAKTHROUGH,
        "R",
        "低糖饼干配方开发（代糖与膳食纤维复配）",
        "公司计划推出低糖饼干系列，单纯使用赤藓糖醇替代蔗糖后出现口感发凉、酥松度下降和烘烤上色不足。"
        "需要开发代糖与膳食纤维复配配方，并指导量产工艺调整。",
        "糖含量≤5 g/100 g（符合低糖声称）；酥松度不低于原配方90%；成本增幅≤8%",
        (15, 40),
        ("commissioned",),
    ),
    DemandText(
        "food",
        T.EQUIPMENT,
        "L",
        "膨化食品包装线自动装箱码垛改造",
        "膨化食品包装后装箱、码垛全部人工完成，每班需12人，旺季招工困难。希望改造为自动理料、装箱、封箱、"
        "码垛一体化产线。",
        "装箱速度≥15箱/分钟；码垛机器人负载≥50 kg；减少用工≥8人/班；破损率≤0.1%",
        (150, 350),
        ("commissioned",),
        project="膨化食品智能包装码垛产线",
    ),
    DemandText(
        "food",
        T.TECH_BREAKTHROUGH,
        "W",
        "鱼糜制品弹性提升与冻藏变性控制",
        "公司鱼丸、鱼豆腐等鱼糜制品冻藏3个月后弹性明显下降，出现析水。希望优化抗冻剂复配和斩拌工艺，"
        "减少磷酸盐用量。",
        "凝胶强度≥600 g·cm；冻藏6个月弹性保持率≥85%；复合磷酸盐用量下降30%",
        (15, 40),
        ("commissioned", "joint"),
    ),
    DemandText(
        "food",
        T.ACHIEVEMENT,
        "X",
        "果汁饮料超高压（HPP）非热杀菌技术引进",
        "公司计划推出NFC鲜榨果汁，希望引进超高压非热杀菌技术，保留风味和营养，延长冷藏货架期。",
        "冷藏货架期≥30天；维生素C保留率≥90%；单线产能≥2吨/小时",
        (200, 500),
        ("transfer", "licence"),
        close=CloseReason.IMMATURE,
        closed_at="W",
        close_note="现有方案单线产能与设备国产化程度不足，暂不具备量产条件",
    ),
    DemandText(
        "food",
        T.EQUIPMENT,
        "D",
        "复合调味料自动配料与称量追溯系统",
        "公司复合调味料配方多达200余种，目前人工称量配料，易出错且难以追溯。计划建设自动配料称量系统。",
        "称量精度±0.1%；配方防错；批次追溯到原料批号",
        (40, 100),
        ("commissioned",),
    ),
    # ---- 建材陶瓷 ------------------------------------------------------------------------------------------
    DemandText(
        "building",
        T.TECH_BREAKTHROUGH,
        "K",
        "抛釉砖釉面针孔、缩釉缺陷分析与改善",
        "公司800×800 mm抛釉砖近期釉面针孔、缩釉缺陷率升至7%左右，高峰期更高，怀疑与釉料配方、坯体含水"
        "和烧成制度有关。需要专家到现场诊断，给出釉料和工艺调整方案。",
        "釉面缺陷率≤2%；优等品率≥92%；不增加烧成能耗",
        (20, 50),
        ("service", "commissioned"),
        owner="anchor2",
    ),
    DemandText(
        "building",
        T.EQUIPMENT,
        "R",
        "陶瓷辊道窑余热回收与节能改造",
        "公司两条220米辊道窑天然气单耗偏高，急冷和缓冷段余热大部分直接排放。希望实施余热回收用于干燥器"
        "及喷雾干燥塔，并优化燃烧控制。",
        "单位产品综合能耗下降≥12%；余热利用率≥50%；投资回收期≤2.5年",
        (150, 400),
        ("commissioned", "joint"),
    ),
    DemandText(
        "building",
        T.EQUIPMENT,
        "M",
        "辊道窑烧成能耗偏高节能诊断",
        "企业反映窑炉天然气费用占成本比重大，希望有专家进行节能诊断。",
        duplicate_of="陶瓷辊道窑余热回收与节能改造",
    ),
    DemandText(
        "building",
        T.TECH_BREAKTHROUGH,
        "C",
        "大规格岩板（1600×3200 mm）烧成变形控制",
        "公司新上大板产线，1600×3200 mm岩板烧成后翘曲变形超标，优等品率不足70%。需要从坯料配方、布料"
        "均匀性和窑炉温度场控制等方面系统解决变形问题。",
        "平整度偏差≤0.1%；优等品率≥88%；抗折强度≥45 MPa",
        (80, 200),
        ("joint", "commissioned"),
    ),
    DemandText(
        "building",
        T.EQUIPMENT,
        "R",
        "陶瓷原料车间粉尘治理与在线监测",
        "球磨、压机和抛光车间粉尘浓度偏高，职业卫生检测存在超标点位。希望实施除尘系统改造并建设粉尘浓度"
        "在线监测平台。",
        "作业场所呼吸性粉尘≤0.7 mg/m³；排放浓度≤10 mg/m³；在线监测数据接入环保平台",
        (60, 150),
        ("commissioned", "service"),
        flags=("expert",),
    ),
    DemandText(
        "building",
        T.TECH_BREAKTHROUGH,
        "A",
        "石材加工废浆资源化利用",
        "公司石材锯切和磨抛产生的石粉废浆每年约2万吨，填埋成本逐年上升。希望开发将石粉用于免烧砖、"
        "人造石或陶瓷坯料的资源化技术。",
        "石粉掺量≥40%；制品强度满足相关标准；综合处置成本下降≥50%",
        (50, 150),
        ("joint", "transfer"),
    ),
    DemandText(
        "building",
        T.TECH_BREAKTHROUGH,
        "X",
        "陶瓷压砖机液压系统关键部件国产化替代",
        "公司生产的陶瓷压砖机液压主阀依赖进口，交期长、价格高，希望与高校院所合作开发国产替代产品。",
        "额定压力≥31.5 MPa；响应时间≤30 ms；寿命≥200万次",
        (100, 300),
        ("joint",),
        close=CloseReason.NO_MATCH,
        closed_at="R",
        close_note="分派对象均表示暂无成熟的液压主阀研发团队",
    ),
    DemandText(
        "building",
        T.EQUIPMENT,
        "O",
        "陶瓷砖表面缺陷AI视觉分拣",
        "公司分级包装线依靠人工目检，漏检、误判率高。希望引入AI视觉检测系统自动识别釉面缺陷、色差和尺寸"
        "偏差并联动分拣。",
        "缺陷检出率≥98%；误判率≤2%；线速度≥25 m/min",
        (80, 200),
        ("commissioned", "transfer"),
        owner="anchor2",
    ),
    # ---- 纸制品及卫生用品 ---------------------------------------------------------------------------------
    DemandText(
        "paper",
        T.EQUIPMENT,
        "L",
        "纸尿裤生产线视觉检测系统升级",
        "公司8条纸尿裤生产线现有检测系统只能识别缺片、偏位等简单缺陷，对芯体断层、胶点异常和异物漏检较多，"
        "客诉集中。希望升级为基于深度学习的视觉检测系统并联动剔废。",
        "线速度≥800片/分钟下检出率≥99.5%；误剔率≤0.3%；新缺陷样本训练周期≤1天",
        (100, 300),
        ("commissioned", "transfer"),
        project="纸尿裤产线AI视觉质检系统",
    ),
    DemandText(
        "paper",
        T.TECH_BREAKTHROUGH,
        "C",
        "高吸收低返渗复合芯体（SAP复合芯体）开发",
        "公司计划开发无绒浆超薄复合芯体，现有SAP分布不均导致局部返渗量偏高。需要在SAP选型、施胶固定和"
        "复合工艺上开展合作开发。",
        "芯体厚度≤2 mm；返渗量≤0.5 g；吸收速度≤25秒（第三次）；SAP用量下降10%",
        (80, 200),
        ("joint", "commissioned"),
    ),
    DemandText(
        "paper",
        T.TECH_BREAKTHROUGH,
        "K",
        "卫生用品热风无纺布柔软度提升",
        "公司生产的热风无纺布用于纸尿裤面层，客户反映柔软度不及进口产品。希望优化双组分纤维选型和热风"
        "工艺，提高蓬松度和柔软度。",
        "手感柔软度提升20%以上；蓬松度≥1.2 mm；纵向强力不低于现有水平",
        (30, 80),
        ("commissioned",),
    ),
    DemandText(
        "paper",
        T.TECH_BREAKTHROUGH,
        "W",
        "可冲散湿巾基材研发",
        "出口客户要求湿巾满足可冲散标准，现有水刺无纺布湿强度与分散性难以兼顾。需要开发可冲散湿巾基材"
        "及生产工艺。",
        "通过INDA/EDANA GD4冲散测试；湿态强力≥3 N/5 cm；成本增幅≤15%",
        (50, 120),
        ("joint", "commissioned"),
    ),
    DemandText(
        "paper",
        T.EQUIPMENT,
        "R",
        "瓦楞纸箱印刷开槽生产线节能降耗改造",
        "公司印刷开槽机和干燥部能耗偏高，换单时间长。希望通过伺服传动改造和快速换单系统提升效率、降低能耗。",
        "换单时间≤3分钟；单位产品电耗下降≥15%；废品率≤1%",
        (50, 120),
        ("commissioned",),
    ),
    DemandText(
        "paper",
        T.TESTING,
        "A",
        "卫生巾产品透气性与抑菌功效第三方检测",
        "公司新品卫生巾宣称“高透气、抑菌”，需按国家标准和团体标准开展功效检测并出具报告，用于产品宣传备案。",
        "透气性、抑菌率按GB/T 8939及相关团体标准检测；出具CMA/CNAS报告",
        (3, 10),
        ("service",),
    ),
    # ---- 装备制造 ------------------------------------------------------------------------------------------
    DemandText(
        "equipment",
        T.EQUIPMENT,
        "C",
        "注塑机伺服节能系统开发与改造",
        "公司生产的EVA注塑成型机采用异步电机定量泵，能耗高于同行伺服机型，客户压价明显。希望合作开发伺服"
        "驱动系统并完成样机验证。",
        "节能率≥40%；重复定位精度±0.1 mm；噪声≤75 dB；样机连续运行1000小时无故障",
        (100, 250),
        ("joint", "commissioned"),
    ),
    DemandText(
        "equipment",
        T.TECH_BREAKTHROUGH,
        "W",
        "装载机关键部件状态监测与预测性维护",
        "公司装载机售后故障集中在传动系统和液压系统，客户停机损失大。希望开发基于振动、油液和工况数据的"
        "状态监测与预测性维护系统，提前预警故障。",
        "关键故障提前预警≥72小时；预警准确率≥85%；平台支持5000台设备接入",
        (100, 300),
        ("joint", "commissioned"),
    ),
    DemandText(
        "equipment",
        T.TECH_BREAKTHROUGH,
        "R",
        "制鞋机械多轴伺服运动控制器国产化开发",
        "公司生产的自动化制鞋设备运动控制器依赖进口，成本高、二次开发受限。希望联合开发支持8轴联动的"
        "国产运动控制器及配套编程软件。",
        "支持8轴联动；插补周期≤1 ms；支持EtherCAT总线；成本较进口降低40%",
        (80, 200),
        ("joint",),
        flags=("wuhan",),
    ),
    DemandText(
        "equipment",
        T.TECH_BREAKTHROUGH,
        "K",
        "经编机电子送经系统精度提升",
        "公司经编机电子送经系统在高速运行时送经量波动较大，导致布面横条。需要优化张力检测和控制算法，"
        "提高送经精度。",
        "送经量误差≤0.5%；最高转速≥2500 r/min下稳定运行；布面横条疵点下降80%",
        (50, 120),
        ("commissioned", "joint"),
    ),
    DemandText(
        "equipment",
        T.EQUIPMENT,
        "X",
        "工程机械结构件焊接机器人离线编程",
        "公司结构件焊接机器人需逐件示教，小批量订单效率低。希望引入离线编程和焊缝寻位技术。",
        "编程时间缩短70%；焊缝寻位精度±0.5 mm",
        (50, 150),
        ("commissioned",),
        close=CloseReason.NEED_CHANGED,
        closed_at="A",
        close_note="企业调整产品结构，结构件改为外协加工",
    ),
    DemandText(
        "equipment",
        T.OTHER,
        "RJ",
        "厂区消防验收整改咨询",
        "公司新建厂房消防验收未通过，希望找专业机构指导整改并协助重新申报验收。",
        reject=RejectReason.OUT_OF_SCOPE,
        note="属于消防审验事项，已引导企业联系住建部门及具备资质的消防技术服务机构",
    ),
    DemandText(
        "equipment",
        T.EQUIPMENT,
        "S",
        "精密零部件加工车间数字化改造（设备联网与MES）",
        "公司有CNC加工中心60余台，设备状态和加工数据无法实时掌握，OEE不足55%。计划实施设备联网数采和"
        "MES系统建设。",
        "设备联网率≥95%；OEE提升至70%以上；质量数据追溯到工单和设备",
        (80, 200),
        ("commissioned", "service"),
    ),
    # ---- 集成电路 ------------------------------------------------------------------------------------------
    DemandText(
        "ic",
        T.TECH_BREAKTHROUGH,
        "K",
        "晶圆测试探针卡国产化与测试程序开发",
        "公司存储芯片晶圆测试使用的探针卡全部进口，交期长达12周。希望与国内团队合作开发探针卡并完成测试"
        "程序移植，缩短交期、降低成本。",
        "针位精度±5 μm；接触电阻≤1 Ω；寿命≥50万次触压；交期≤4周",
        (200, 500),
        ("joint", "commissioned"),
    ),
    DemandText(
        "ic",
        T.PILOT,
        "C",
        "功率器件铜夹片（Clip）封装工艺导入",
        "公司功率MOSFET目前采用引线键合封装，导通电阻和散热难以满足车规客户要求。计划导入铜夹片封装工艺，"
        "需要工艺开发和可靠性验证支持。",
        "封装电阻降低30%；热阻降低20%；通过AEC-Q101可靠性考核",
        (150, 400),
        ("joint", "service"),
    ),
    DemandText(
        "ic",
        T.TALENT,
        "R",
        "集成电路测试工程师与封装工艺工程师引进",
        "随着产线爬坡，公司急需测试工程师5名、封装工艺工程师3名，希望通过高校合作定向培养和飞地引才渠道"
        "解决，并共建实习实训基地。",
        "本科及以上，微电子、电子科学相关专业；有ATE测试或封装工艺经验者优先",
        (30, 80),
        ("talent", "platform"),
    ),
    DemandText(
        "ic",
        T.TESTING,
        "W",
        "电子特种气体杂质分析检测能力建设",
        "公司生产电子级特种气体，客户要求提供ppb级杂质检测报告，现有检测能力不足。希望与科研院所合作建设"
        "痕量杂质分析方法和检测平台。",
        "金属杂质检测限≤1 ppb；水分、氧检测限≤10 ppb；方法通过CNAS认可",
        (100, 250),
        ("platform", "service"),
    ),
    DemandText(
        "ic",
        T.ACHIEVEMENT,
        "X",
        "功率芯片设计IP授权与联合开发",
        "公司希望获得成熟的功率芯片驱动IP授权，并联合开发新一代栅极驱动芯片。",
        "IP经过流片验证；工作电压≥600 V；支持后续迭代授权",
        (100, 300),
        ("licence", "joint"),
        close=CloseReason.OTHER,
        closed_at="C",
        close_note="IP授权合同已履行完毕，后续研发由企业自主开展",
    ),
    DemandText(
        "ic",
        T.FINANCING,
        "W",
        "晶圆测试产线扩产股权融资",
        "公司晶圆测试业务订单饱满，计划新增测试机台20台，资金缺口约8000万元，希望引入产业基金股权投资，"
        "同时对接银行设备融资租赁。",
        "融资额度6000-8000万元；估值参考近期市场可比案例；资金用于设备购置",
        (6000, 8000),
        ("platform",),
    ),
    # ---- 新材料 --------------------------------------------------------------------------------------------
    DemandText(
        "materials",
        T.PILOT,
        "C",
        "生物基TPU鞋材开发与量产验证",
        "品牌客户要求鞋材生物基含量不低于30%，公司已完成生物基TPU小试，但量产时加工稳定性差、黄变明显。"
        "需要合作完成配方优化和中试放大。",
        "生物基含量≥30%；拉伸强度≥35 MPa；耐黄变≥4级；注塑成型良品率≥95%",
        (80, 200),
        ("joint", "licence"),
    ),
    DemandText(
        "materials",
        T.PILOT,
        "R",
        "石墨烯导热膜涂布工艺中试放大",
        "公司石墨烯导热膜实验室样品导热系数达标，但涂布放大后膜厚均匀性差、易开裂。需要中试平台和工艺"
        "放大技术支持。",
        "面内导热系数≥1500 W/(m·K)；膜厚偏差±3 μm；幅宽≥500 mm",
        (100, 300),
        ("joint", "service"),
    ),
    DemandText(
        "materials",
        T.FINANCING,
        "K",
        "水性鞋用胶黏剂中试线建设融资",
        "公司水性聚氨酯鞋用胶黏剂已通过多家鞋企试用，计划建设年产5000吨中试及量产线，资金缺口约3000万元，"
        "希望对接投资机构和科技贷款。",
        "融资额度2000-3000万元；可接受股权或科技信贷；资金用于中试线建设",
        (2000, 3000),
        ("platform",),
    ),
    DemandText(
        "materials",
        T.TECH_BREAKTHROUGH,
        "X",
        "环保型皮革涂饰剂配方优化",
        "公司皮革涂饰剂需降低VOC含量并提高耐曲折性能，希望合作优化水性配方。",
        "VOC≤50 g/L；耐曲折≥10万次（常温）无裂纹",
        (20, 50),
        ("commissioned",),
        close=CloseReason.SOLVED_ELSEWHERE,
        closed_at="R",
        close_note="企业研发团队已自行完成配方改进",
    ),
    DemandText(
        "materials",
        T.TECH_BREAKTHROUGH,
        "RT",
        "改性PP低气味技术",
        "改性PP材料气味等级偏高，需要降低气味。",
        note="请补充产品用途、现有气味等级检测结果和目标指标",
    ),
    # ---- 医疗健康 ------------------------------------------------------------------------------------------
    DemandText(
        "health",
        T.TESTING,
        "W",
        "藻酸盐医用敷料注册检验与临床评价",
        "公司开发的藻酸盐医用敷料拟申报二类医疗器械注册，需要完成注册检验、生物相容性评价和临床评价方案"
        "设计。",
        "按YY/T 0471系列标准检验；生物相容性按GB/T 16886；6个月内完成注册资料",
        (30, 80),
        ("service",),
    ),
    DemandText(
        "health",
        T.TECH_BREAKTHROUGH,
        "R",
        "康复理疗设备远程监护软件开发",
        "公司生产的家用康复理疗设备需增加远程监护功能，实现治疗数据上传、医生端远程调整方案和异常报警。",
        "支持蓝牙/4G上传；数据加密传输；满足医疗器械软件注册要求",
        (40, 100),
        ("commissioned",),
    ),
    DemandText(
        "health",
        T.TECH_BREAKTHROUGH,
        "K",
        "中药配方颗粒质量标准提升",
        "公司中药配方颗粒部分品种特征图谱和含量测定方法不完善，需要合作建立符合国家标准的质量控制方法。",
        "建立特征图谱和含量测定方法；相似度≥0.9；完成3批次验证",
        (50, 120),
        ("commissioned", "joint"),
    ),
    DemandText(
        "health",
        T.FINANCING,
        "R",
        "医用耗材产线智能化技改科技贷款",
        "公司计划对医用耗材生产线实施智能化改造，总投资约1500万元，希望申请科技信贷和技改贴息支持。",
        "贷款额度800-1000万元；期限3年；可接受知识产权质押",
        (800, 1000),
        ("platform",),
    ),
)

# ---- industries, targets and phrases --------------------------------------------------------------------

SECTORS: dict[str, tuple[str, tuple[str, ...], str]] = {
    # key: (industry chain tag, GB/T 4754 code prefixes, label used in public summaries)
    "shoes": ("鞋服", ("195", "2929", "2925", "2919", "2444"), "鞋业"),
    "apparel": ("鞋服", ("18",), "服装"),
    "textiles": ("纺织化纤", ("175", "176", "171", "282"), "纺织化纤"),
    "food": ("食品饮料", ("13", "14", "15"), "食品"),
    "building": ("建材陶瓷", ("30", "3515"), "建材陶瓷"),
    "paper": ("纸制品及卫生用品", ("22", "231"), "纸制品及卫生用品"),
    "equipment": ("装备制造", ("34", "35", "331"), "装备制造"),
    "ic": ("集成电路", ("397", "398", "6520"), "集成电路"),
    "materials": ("新材料", ("26", "309"), "新材料"),
    "health": ("医疗健康", ("27", "358", "1491"), "医疗健康"),
}
SECTOR_ENCLAVES: dict[str, tuple[str, ...]] = {
    "shoes": ("晋江市湾区创新创意中心",),
    "apparel": ("晋江市湾区创新创意中心",),
    "equipment": ("晋江(武汉)离岸创新孵化中心",),
    "materials": ("晋江(武汉)离岸创新孵化中心",),
    "ic": ("晋江(西安)离岸创新中心",),
    "health": ("晋江(武汉)离岸创新孵化中心",),
}
SECTOR_INSTITUTIONS: dict[str, tuple[str, ...]] = {
    "shoes": (
        "晋江市鞋服产业技术研究院",
        "香港理工大学晋江技术创新研究院",
        "国家制鞋产业技术创新战略联盟",
        "华侨大学",
    ),
    "apparel": ("泉州轻工职业学院", "东华大学", "香港理工大学晋江技术创新研究院"),
    "textiles": ("东华大学", "江南大学", "香港理工大学晋江技术创新研究院", "厦门大学"),
    "food": ("江南大学", "集美大学", "福建农林大学", "泉州轻工职业学院"),
    "building": ("华侨大学", "福州大学晋江校区", "中国科学院海西研究院泉州装备制造研究中心"),
    "paper": ("东华大学", "华侨大学", "晋江市中试熟化服务平台", "中国科学院海西研究院泉州装备制造研究中心"),
    "equipment": ("中国科学院海西研究院泉州装备制造研究中心", "华中科技大学", "福州大学晋江校区"),
    "ic": ("西安电子科技大学", "福州大学晋江校区", "厦门大学"),
    "materials": (
        "华侨大学",
        "中国科学院海西研究院泉州装备制造研究中心",
        "厦门大学",
        "晋江市中试熟化服务平台",
    ),
    "health": ("福建医科大学", "福建中医药大学", "厦门大学"),
}
APPROACHES: dict[str, tuple[str, ...]] = {
    "shoes": (
        "先对企业现有产品和工艺做全面测试诊断，再以正交试验优化配方与工艺参数，在企业产线完成小批量验证",
        "结合我方在鞋材与制鞋工艺方面的积累，采用“实验室小试—产线中试—量产导入”三步走",
    ),
    "apparel": (
        "以企业现有生产数据为基础建立模型，先在一条线试点，验证后推广到全部产线",
        "从面料、工艺到后整理全流程梳理影响因素，提出针对性的工艺改进与质量控制方案",
    ),
    "textiles": (
        "对原料、工艺参数与成品性能开展关联分析，确定关键控制点并形成标准化作业指导书",
        "采用助剂复配与工艺窗口优化相结合的路线，在企业生产线开展三批次放大验证",
    ),
    "food": (
        "从配方、加工工艺和包装三方面协同优化，先完成小试配方筛选，再进行加速货架期试验和量产验证",
        "依托我方食品工程中试车间完成工艺验证，同步协助企业完善质量标准与HACCP文件",
    ),
    "building": (
        "到企业生产现场进行原料、坯釉和窑炉工况的系统诊断，结合热工测试数据提出改进方案并跟踪实施",
        "建立窑炉温度场与产品缺陷的对应关系，分阶段实施配方调整与设备改造",
    ),
    "paper": (
        "基于机器视觉与深度学习搭建检测模型，先在一条产线部署试运行，再逐步推广",
        "从材料选型、结构设计到复合工艺进行系统开发，配合企业完成样品试制和客户验证",
    ),
    "equipment": (
        "采用模块化软硬件架构，先完成原理样机与台架测试，再在企业产品上开展现场工况验证",
        "结合数字孪生与数据分析方法，分阶段完成数据采集、模型训练和系统部署",
    ),
    "ic": (
        "组建工艺、设计与可靠性联合攻关组，先完成关键工艺验证，再按车规要求开展可靠性考核",
        "依托我方洁净实验室和分析测试平台开展方法开发，同步协助企业建立质量体系",
    ),
    "materials": (
        "在我方中试平台完成配方与工艺放大，同步进行性能表征和应用验证，形成量产工艺包",
        "从分子结构设计与改性入手，结合加工工艺优化，分小试、中试两阶段推进",
    ),
    "health": (
        "按照医疗器械注册要求制定检验与评价计划，协助企业完成技术文件编制与申报",
        "组建医工结合团队，先完成需求分析与原型开发，再开展临床场景验证",
    ),
}
FINANCING_APPROACHES = (
    "经初步尽调，拟以“股权投资+科技信贷”组合方式支持，股权部分由产业基金领投，同时协调合作银行提供设备贷款",
    "可提供知识产权质押贷款与科技信用贷款，并视经营情况匹配政府引导基金跟投，利率享受科技贷款贴息政策",
)
MEETING_NOTES = (
    "双方就技术路线、样品测试方案和知识产权归属进行沟通，约定由合作方先行出具详细实施方案",
    "合作方专家到企业生产现场查看工艺与设备状况，确定中试批次安排和验收指标",
    "讨论合同主要条款与付款节点，拟按里程碑分三期支付，并明确保密义务",
    "通报前期小试结果，部分指标已达到要求，商定下一阶段在企业产线开展放大验证",
)
SURNAMES = "陈林黄吴许王蔡施洪苏张李郑庄杨丁刘"
GIVEN = (
    "志强",
    "建华",
    "丽娟",
    "伟明",
    "晓燕",
    "俊杰",
    "文斌",
    "秀英",
    "国良",
    "雅婷",
    "明辉",
    "婉婷",
    "振宇",
)


# ---- working-day calendar -------------------------------------------------------------------------------

WINDOW_WORKDAYS = 390  # ~18 months of working days


class Calendar:
    """Times measured in working days (Mon-Fri, 08:30-18:00) so demo activity never falls on a weekend."""

    def __init__(self, now: dt.datetime) -> None:
        local = timezone.localtime(now)
        self.tz = local.tzinfo
        today = local.date()
        self.base = today - dt.timedelta(days=today.weekday() + 7 * 120)  # a Monday well before the window
        if today.weekday() < 5:
            minutes = local.hour * 60 + local.minute - 510
            frac = min(max(minutes / 570, 0.0), 0.999)
            self.now = self._index(today) + frac
        else:
            self.now = self._index(today - dt.timedelta(days=today.weekday() - 4)) + 0.999

    def _index(self, day: dt.date) -> int:
        days = (day - self.base).days
        return 5 * (days // 7) + min(days % 7, 4)

    def date(self, x: float) -> dt.date:
        n = math.floor(x)
        return self.base + dt.timedelta(days=7 * (n // 5) + n % 5)

    def at(self, x: float) -> dt.datetime:
        n = math.floor(x)
        minutes = 510 + (x - n) * 570
        day = self.date(x)
        return dt.datetime.combine(day, dt.time(0, 0), tzinfo=self.tz) + dt.timedelta(minutes=minutes)


# ---- loading --------------------------------------------------------------------------------------------

StepFn = Callable[[float], None]


@dataclass
class Step:
    lo: float
    hi: float
    run: StepFn


@dataclass
class Walk:
    """The scheduled steps of one demand (gaps in working days) and what they create."""

    text: DemandText
    enterprise: Enterprise
    steps: list[Step] = field(default_factory=list)
    demand: Demand | None = None
    routings: list[Routing] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    filed_at: float = 0.0

    def add(self, lo: float, hi: float, run: StepFn) -> None:
        self.steps.append(Step(lo, hi, run))


class Loader:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.cal = Calendar(self.now)
        self.counts: dict[str, int] = {}
        self.users = {
            u.username: u
            for u in get_user_model()
            .objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}")
            .select_related("profile")
        }
        self.staff = self.users.get("staff") or self.users.get("admin")
        self.holidays = dict(Holiday.objects.values_list("date", "is_workday"))
        self.enterprises = list(
            Enterprise.objects.filter(is_demo=True).select_related("organization", "township").order_by("pk")
        )
        self.chains = dict(IndustryChainTag.objects.values_list("name", "pk"))
        self.enclaves = {e.name: e for e in Enclave.objects.select_related("operator")}
        self.institutions = {
            i.organization.name.removesuffix(DEMO_SUFFIX): i
            for i in Institution.objects.filter(is_demo=True).select_related("organization")
        }
        self.experts = list(Expert.objects.filter(is_demo=True).select_related("institution__organization"))
        self.investors = list(
            Investor.objects.filter(is_demo=True).select_related("organization").order_by("pk")
        )
        self.used: set[int] = set()
        self.registration_seq = self.rng.randint(100, 300)
        tracked: tuple[type[models.Model], ...] = (
            DemandEvent,
            Notification,
            Routing,
            Response,
            DockingMeeting,
            TechContract,
            LandedProject,
            Interest,
        )
        self.cursors = {m: m._default_manager.aggregate(top=Max("pk"))["top"] or 0 for m in tracked}
        self.first_notification = self.cursors[Notification]

    # -- helpers --

    def user(self, name: str) -> Any:
        return self.users.get(name) or self.staff

    def stamp(self, x: float, *extra: type[models.Model]) -> None:
        """Move every row created since the last stamp (events, notifications, `extra`) to time x."""
        when = self.cal.at(x)
        models_: tuple[type[models.Model], ...] = (DemandEvent, Notification, *extra)
        for model in models_:
            cursor = self.cursors[model]
            top = model._default_manager.filter(pk__gt=cursor).aggregate(top=Max("pk"))["top"]
            if top is None:
                continue
            values: dict[str, Any] = {"created_at": when}
            if model is not DemandEvent and model is not Notification:
                values["updated_at"] = when
            model._default_manager.filter(pk__gt=cursor, pk__lte=top).update(**values)
            self.cursors[model] = top

    def pick_enterprise(self, text: DemandText, anchors: dict[str, Enterprise]) -> Enterprise:
        if text.owner:
            return anchors[text.owner]
        _, prefixes, _ = SECTORS[text.sector]
        pool = [e for e in self.enterprises if e.industry_code.startswith(prefixes) and e.pk not in self.used]
        if not pool:
            pool = [e for e in self.enterprises if e.pk not in self.used] or self.enterprises
        # Prefer bigger firms (they file most demands) but not only the leaders.
        pool = sorted(pool, key=lambda e: -(e.employees or 0))[: max(8, len(pool) // 3)]
        chosen = self.rng.choice(pool)
        self.used.add(chosen.pk)
        return chosen

    def filer(self, enterprise: Enterprise, anchors: dict[str, Enterprise]) -> Any:
        if enterprise == anchors.get("anchor"):
            return self.user("enterprise")
        if enterprise == anchors.get("anchor2"):
            return self.user("enterprise2")
        if enterprise.township and enterprise.township.name == "陈埭镇":
            return self.user("township")
        return self.staff

    @staticmethod
    def fresh(walk: Walk, row: R) -> R:
        """The services save whole rows: reload the backdated one first so "now" is not written back."""
        row.refresh_from_db()
        row.demand = walk.demand  # type: ignore[assignment]
        return row

    def target_user(self, routing: Routing) -> Any:
        people = services.routing_users(routing)
        return people[0] if people else self.staff

    # -- the plan --

    def run(self, progress: Callable[[str], None] | None) -> dict[str, int]:
        anchors = {}
        for key, firm in (("anchor", ANCHOR), ("anchor2", ANCHOR_2)):
            found = next(
                (e for e in self.enterprises if e.organization.name == firm.name + DEMO_SUFFIX), None
            )
            anchors[key] = found or self.enterprises[0]
            self.used.add(anchors[key].pk)
        campaigns = self.make_campaigns()
        confidentiality = self.confidentiality_plan()
        walks: dict[str, Walk] = {}
        merged: list[Walk] = []
        for index, text in enumerate(DEMANDS):
            if text.duplicate_of:
                target = walks[text.duplicate_of]
                walk = Walk(text, target.enterprise)
                merged.append(walk)
                walks[text.title] = walk
                continue
            walk = Walk(text, self.pick_enterprise(text, anchors))
            walks[text.title] = walk
            self.plan(walk, confidentiality[index], campaigns, anchors)
            self.execute(walk)
        for walk in merged:
            self.plan_merge(walk, walks[walk.text.duplicate_of], campaigns, anchors)
        self.visits(walks, campaigns, anchors)
        Notification.objects.filter(
            pk__gt=self.first_notification, created_at__lt=self.now - dt.timedelta(days=10)
        ).update(read_at=F("created_at"))
        ids = [w.demand.pk for w in walks.values() if w.demand is not None]
        Demand.objects.filter(pk__in=ids).update(is_demo=True)
        statuses = Demand.objects.filter(pk__in=ids).values_list("status", flat=True)
        self.counts["技术需求"] = len(ids)
        for status in Status:
            n = sum(1 for s in statuses if s == status)
            if n:
                self.counts[f"技术需求·{status.label}"] = n
        self.counts["需求分派"] = Routing.objects.filter(demand_id__in=ids).count()
        self.counts["需求响应"] = Response.objects.filter(demand_id__in=ids).count()
        self.counts["技术合同"] = TechContract.objects.filter(demand_id__in=ids).count()
        self.counts["落地项目"] = LandedProject.objects.filter(demand_id__in=ids).count()
        return self.counts

    def confidentiality_plan(self) -> list[str]:
        n = len(DEMANDS)
        public, summary = round(n * 0.4), round(n * 0.25)
        plan = [Confidentiality.PUBLIC] * public + [Confidentiality.SUMMARY] * summary
        plan += [Confidentiality.PRIVATE] * (n - len(plan))
        self.rng.shuffle(plan)
        return [str(c) for c in plan]

    def make_campaigns(self) -> list[Campaign]:
        first_year = self.cal.date(self.cal.now - WINDOW_WORKDAYS).year
        result = []
        chains = list(IndustryChainTag.objects.all())
        townships = list(Township.objects.all())
        for year in (first_year, first_year + 1):
            campaign = campaign_services.create_campaign(
                actor=self.staff,
                values={
                    "title": f"{year}年度企业技术需求常态化征集",
                    "description": (
                        f"面向全市规上工业企业、高新技术企业和科技型中小企业，常态化征集{year}年度技术攻关、"
                        "成果引进、人才、检验检测、中试熟化与融资等需求。各镇街（园区）结合“企业大走访”活动"
                        "开展入企调研，科技局统一受理、分派至高校院所、创新飞地与专家团队对接。"
                    ),
                    "opens_on": dt.date(year, 2, 20),
                    "deadline": dt.date(year, 12, 20),
                    "target_per_township": 20 if year == first_year else 25,
                    "chains": chains,
                    "townships": townships,
                },
            )
            result.append(campaign)
            Campaign.objects.filter(pk=campaign.pk).update(
                is_demo=True,
                created_at=timezone.make_aware(dt.datetime(year, 2, 10, 10, 0)),
                updated_at=timezone.make_aware(dt.datetime(year, 2, 10, 10, 0)),
            )
        self.counts["需求征集活动"] = len(result)
        return result

    def campaign_for(self, x: float, campaigns: list[Campaign]) -> int | None:
        day = self.cal.date(x)
        for campaign in campaigns:
            if campaign.opens_on <= day <= campaign.deadline:
                return campaign.pk
        return None

    def demand_data(
        self, text: DemandText, enterprise: Enterprise, secrecy: str, campaign: int | None
    ) -> DemandData:
        rng = self.rng
        chain_name, _, label = SECTORS[text.sector]
        township = enterprise.township.name if enterprise.township else "晋江市"
        budget = text.budget
        summary = ""
        if secrecy == Confidentiality.SUMMARY:
            money = f"预算约{budget[0]}-{budget[1]}万元，" if budget else ""
            first = text.indicators.split("；")[0] if text.indicators else ""
            summary = (
                f"{township}某{label}企业：{text.title}。"
                + (f"主要指标：{first}等。" if first else "")
                + f"{money}欢迎高校院所、科研团队联系科技局对接（企业信息暂不公开）。"
            )
        return DemandData(
            title=text.title,
            description=text.description,
            demand_type=text.demand_type,
            chain_id=self.chains.get(chain_name),
            indicators=text.indicators,
            budget_min=Decimal(budget[0]) if budget else None,
            budget_max=Decimal(budget[1]) if budget else None,
            deadline=timezone.localdate() + dt.timedelta(days=rng.randint(90, 540)) if budget else None,
            cooperation_modes=list(text.modes),
            contact_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            contact_phone=f"1{rng.choice('35789')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}",
            confidentiality=secrecy,
            public_summary=summary,
            summary_approved=bool(summary),
            campaign_id=campaign,
        )

    def targets(self, walk: Walk) -> list[tuple[str, Any]]:
        text, rng = walk.text, self.rng
        if text.demand_type == T.FINANCING:
            return [
                (TargetKind.INVESTOR, inv) for inv in rng.sample(self.investors, min(2, len(self.investors)))
            ]
        chosen: list[tuple[str, Any]] = []
        if "wuhan" in text.flags:
            enclave = self.enclaves.get("晋江(武汉)离岸创新孵化中心")
            if enclave:
                chosen.append((TargetKind.ENCLAVE, enclave))
        if "expert" in text.flags:
            account = self.users.get("expert")
            expert_id = (
                account.profile.expert_id if account is not None and hasattr(account, "profile") else None
            )
            expert = next((e for e in self.experts if e.pk == expert_id), None)
            if expert:
                chosen.append((TargetKind.EXPERT, expert))
        institutions = [
            self.institutions[n] for n in SECTOR_INSTITUTIONS[text.sector] if n in self.institutions
        ]
        for inst in rng.sample(institutions, min(len(institutions), rng.choice((1, 1, 2)))):
            chosen.append((TargetKind.INSTITUTION, inst))
        enclaves = [self.enclaves[n] for n in SECTOR_ENCLAVES.get(text.sector, ()) if n in self.enclaves]
        if enclaves and not any(kind == TargetKind.ENCLAVE for kind, _ in chosen) and rng.random() < 0.6:
            chosen.append((TargetKind.ENCLAVE, enclaves[0]))
        inst_ids = {i.pk for i in institutions}
        experts = [e for e in self.experts if e.institution_id in inst_ids]
        if experts and len(chosen) < 3 and rng.random() < 0.5:
            chosen.append((TargetKind.EXPERT, rng.choice(experts)))
        if not chosen:
            chosen.append((TargetKind.INSTITUTION, rng.choice(list(self.institutions.values()))))
        return chosen

    def counterparty(self, routing: Routing) -> str:
        target = routing.target
        if isinstance(target, Enclave):
            return target.operator.name if target.operator else target.name
        if isinstance(target, Expert):
            return target.institution.organization.name if target.institution else target.name
        return target.organization.name

    # -- one demand --

    def plan(
        self, walk: Walk, secrecy: str, campaigns: list[Campaign], anchors: dict[str, Enterprise]
    ) -> None:
        text, rng = walk.text, self.rng
        fate = text.fate
        reached = text.closed_at if fate == "X" else fate
        order = ("A", "R", "W", "K", "C", "L")
        depth = order.index(reached) + 1 if reached in order else 0
        filer = self.filer(walk.enterprise, anchors)
        owner = self.user("enterprise") if text.owner == "anchor" else None
        if text.owner == "anchor2":
            owner = self.user("enterprise2")
        decider = owner or (self.user("township") if filer == self.users.get("township") else self.staff)

        def file(x: float) -> None:
            data = self.demand_data(text, walk.enterprise, secrecy, self.campaign_for(x, campaigns))
            walk.demand = services.file_demand(
                actor=filer, enterprise=walk.enterprise, data=data, submit=fate != "D"
            )
            self.stamp(x)
            DemandEvent.objects.filter(demand=walk.demand, action="创建需求").update(
                created_at=self.cal.at(x) - dt.timedelta(minutes=rng.randint(15, 90))
            )

        walk.add(0, 0, file)
        if fate == "D":
            return
        if "bounced" in text.flags or fate == "RT":

            def bounce(x: float) -> None:
                assert walk.demand is not None
                services.return_demand(actor=self.staff, demand=walk.demand, reason=text.note)
                self.stamp(x)

            walk.add(0.5, 2.5, bounce)
            if fate == "RT":
                return

            def resubmit(x: float) -> None:
                assert walk.demand is not None
                services.transition(
                    actor=filer,
                    demand=walk.demand,
                    step="submit",
                    comment="已按要求补充技术指标、现有工艺情况和预算",
                    notify_users=services.bureau_users(),
                )
                self.stamp(x)

            walk.add(2, 8, resubmit)
        if fate in ("S", "O"):
            return
        if fate == "RJ":

            def reject(x: float) -> None:
                assert walk.demand is not None
                services.reject_demand(
                    actor=self.staff, demand=walk.demand, reason=text.reject, note=text.note
                )
                self.stamp(x)

            walk.add(0.5, 2.5, reject)
            return

        def accept(x: float) -> None:
            assert walk.demand is not None
            services.accept_demand(actor=self.staff, demand=walk.demand, comment="需求清晰，予以受理")
            self.stamp(x)

        walk.add(0.3, 3.5, accept)
        published = secrecy != Confidentiality.PRIVATE
        if published and rng.random() < 0.45:
            who = "investor" if text.demand_type == T.FINANCING or rng.random() < 0.3 else "expert"

            def interest(x: float) -> None:
                assert walk.demand is not None
                user = self.users.get(who)
                if user is not None:
                    services.declare_interest(
                        actor=user,
                        demand=walk.demand,
                        note="我方在该领域有相关成果和团队，希望进一步了解需求",
                    )
                self.stamp(x, Interest)

            walk.add(0.5, 6, interest)
        if depth >= 2:
            self.plan_routing(walk, depth, decider)
        if fate == "X":

            def close(x: float) -> None:
                assert walk.demand is not None
                services.close_demand(
                    actor=self.staff, demand=walk.demand, reason=text.close, note=text.close_note
                )
                self.stamp(x)

            walk.add(8, 45, close)
            if rng.random() < 0.6:
                self.plan_rating(
                    walk, decider, low=text.close in (CloseReason.NO_MATCH, CloseReason.TOO_COSTLY)
                )
        elif fate in ("C", "L") and rng.random() < 0.7:
            self.plan_rating(walk, decider, low=False)

    def plan_rating(self, walk: Walk, decider: Any, *, low: bool) -> None:
        rating = self.rng.choice((2, 3)) if low else self.rng.choice((4, 5, 5))
        reasons = {
            2: "分派对象响应较慢，未找到合适的合作方",
            3: "对接及时，但方案与企业实际需求仍有差距",
            4: "科技局跟进及时，对接的团队专业",
            5: "服务很到位，从受理到签约全程有专人跟踪",
        }

        def rate(x: float) -> None:
            assert walk.demand is not None
            services.rate_service(actor=decider, demand=walk.demand, rating=rating, reason=reasons[rating])
            self.stamp(x)

        walk.add(2, 12, rate)

    def plan_routing(self, walk: Walk, depth: int, decider: Any) -> None:
        text, rng = walk.text, self.rng
        targets = self.targets(walk)
        flagged = {"wuhan", "expert"} & set(text.flags)

        def route(x: float) -> None:
            assert walk.demand is not None
            walk.routings = services.route_demand(
                actor=self.staff,
                demand=walk.demand,
                targets=[(kind, target.pk) for kind, target in targets],
                note="请结合企业实际提出可行方案",
            )
            self.stamp(x, Routing)
            Routing.objects.filter(pk__in=[r.pk for r in walk.routings]).update(
                ack_due=add_workdays(self.cal.date(x), services.ACK_WORKDAYS, self.holidays)
            )

        walk.add(0.5, 4, route)
        n = len(targets)
        # What each routing does: the first answers once the demand gets that far; flagged ones stay pending.
        outcomes: list[str] = []
        for i in range(n):
            if depth == 2:  # routed only
                if flagged:
                    outcomes.append("pending")
                else:
                    outcomes.append(rng.choice(("pending", "ack", "ack", "decline")))
            elif i == 0:
                outcomes.append("answer")
            else:
                outcomes.append(
                    rng.choice(("answer", "ack", "decline")) if i == 1 else rng.choice(("ack", "decline"))
                )
        if depth == 2 and not flagged and "pending" not in outcomes and "ack" not in outcomes:
            outcomes[0] = "ack"

        for i, outcome in enumerate(outcomes):
            if outcome == "pending":
                continue

            def ack(x: float, i: int = i) -> None:
                routing = self.fresh(walk, walk.routings[i])
                services.acknowledge_routing(actor=self.target_user(routing), routing=routing)
                Routing.objects.filter(pk=routing.pk).update(acknowledged_at=self.cal.at(x))
                self.stamp(x)

            walk.add(0.3, 3, ack)
        for i, outcome in enumerate(outcomes):
            if outcome == "decline":

                def decline(x: float, i: int = i) -> None:
                    routing = self.fresh(walk, walk.routings[i])
                    services.decline_routing(
                        actor=self.target_user(routing),
                        routing=routing,
                        reason=rng.choice(
                            (
                                "团队目前承担的项目较多，无法按企业期望周期完成",
                                "该方向不在我方研究领域内，建议对接其他院所",
                                "企业预算与所需投入差距较大",
                            )
                        ),
                    )
                    self.stamp(x)

                walk.add(1, 6, decline)
            elif outcome == "answer":

                def answer(x: float, i: int = i) -> None:
                    routing = self.fresh(walk, walk.routings[i])
                    walk.responses.append(
                        services.submit_response(
                            actor=self.target_user(routing),
                            routing=routing,
                            data=self.response(walk, routing),
                        )
                    )
                    Routing.objects.filter(pk=routing.pk).update(answered_at=self.cal.at(x))
                    self.stamp(x, Response)

                walk.add(4, 18, answer)
        if depth <= 3:
            return

        def accept_response(x: float) -> None:
            response = self.fresh(walk, walk.responses[0])
            services.accept_response(actor=decider, response=response)
            self.stamp(x)
            if rng.random() < 0.8:
                services.rate_response(
                    actor=decider,
                    response=response,
                    rating=rng.choice((4, 5, 5)),
                    reason="方案针对性强，团队有同类项目经验",
                )

        walk.add(2, 10, accept_response)
        meetings = 1 if depth == 4 else rng.choice((2, 2, 3))
        township = walk.enterprise.township.name if walk.enterprise.township else "晋江"
        for number in range(meetings):

            def meet(x: float, number: int = number) -> None:
                assert walk.demand is not None
                response = walk.responses[0]
                place = rng.choice(
                    (f"企业会议室（{township}）", "晋江市科技大市场", "线上视频会议", "晋江市科技局303会议室")
                )
                services.record_meeting(
                    actor=self.staff,
                    demand=walk.demand,
                    met_on=self.cal.date(x),
                    notes=MEETING_NOTES[number % len(MEETING_NOTES)],
                    place=place,
                    attendees=f"企业技术负责人、{response.routing.target_name}项目团队、科技局产学研科",
                    response=response,
                )
                self.stamp(x, DockingMeeting)

            walk.add(3, 15, meet)
        if depth <= 4:
            return

        def contract(x: float) -> None:
            assert walk.demand is not None
            response = walk.responses[0]
            low, high = text.budget or (20, 150)
            amount = Decimal(rng.randint(max(20, low), max(min(500, high), max(20, low)))).quantize(
                Decimal("0.01")
            )
            self.registration_seq += rng.randint(7, 60)
            signed = self.cal.date(x)
            kinds: dict[str, str] = {
                T.ACHIEVEMENT: ContractType.LICENCE,
                T.TESTING: ContractType.SERVICE,
                T.TALENT: ContractType.CONSULTING,
                T.EQUIPMENT: ContractType.DEVELOPMENT,
            }
            services.record_contract(
                actor=self.staff,
                demand=walk.demand,
                contract_type=kinds.get(text.demand_type, ContractType.DEVELOPMENT),
                amount=amount,
                signed_on=signed,
                counterparty=self.counterparty(response.routing),
                registration_no=f"{signed.year}350582{self.registration_seq:06d}",
                response=response,
            )
            self.stamp(x, TechContract)

        walk.add(10, 40, contract)
        if depth <= 5:
            return

        def land(x: float) -> None:
            assert walk.demand is not None
            contract = walk.demand.contracts.first()
            base = contract.amount if contract else Decimal(100)
            services.record_landing(
                actor=self.staff,
                demand=walk.demand,
                name=text.project or f"{text.title}成果转化项目",
                landed_on=self.cal.date(x),
                description="合作成果已在企业产线投入使用，新增产值与节能降本效果经企业确认",
                investment=(base * Decimal(rng.randint(3, 10))).quantize(Decimal("0.01")),
            )
            self.stamp(x, LandedProject)

        walk.add(40, 110, land)

    def response(self, walk: Walk, routing: Routing) -> ResponseData:
        text, rng = walk.text, self.rng
        if text.demand_type == T.FINANCING:
            return ResponseData(
                approach=rng.choice(FINANCING_APPROACHES) + "。可在收到完整财务资料后两周内完成初审。",
                team=f"{routing.target_name}投资经理2名、风控1名，联动合作银行科技支行",
                maturity=9,
                duration_months=rng.randint(2, 4),
                cost_estimate=None,
                references="近三年投资晋江及泉州地区科技型企业十余家",
            )
        low, high = text.budget or (20, 150)
        first = text.indicators.split("；")[0] if text.indicators else "企业提出的关键指标"
        return ResponseData(
            approach=(
                f"针对“{text.title}”，{rng.choice(APPROACHES[text.sector])}。第一阶段完成现状诊断与方案设计，"
                f"第二阶段开展小试/样机验证，第三阶段在企业产线放大验证，确保达到“{first}”等要求，"
                "交付工艺文件、检测报告并对企业技术人员进行培训。"
            ),
            team=(
                f"{routing.target_name}牵头，项目团队{rng.randint(4, 9)}人，其中教授/正高级工程师"
                f"{rng.randint(1, 3)}人，依托省级重点实验室和中试平台"
            ),
            maturity=rng.randint(4, 7),
            duration_months=rng.randint(4, 18),
            cost_estimate=Decimal(rng.randint(max(1, low), max(low, high))),
            references=f"已为{rng.randint(3, 12)}家同类企业提供相关技术服务，部分成果获省科技进步奖",
        )

    def slack(self, walk: Walk, total: float) -> float:
        rng, fate = self.rng, walk.text.fate
        room = max(2.0, WINDOW_WORKDAYS - total)
        if fate == "L":
            return rng.uniform(room * 0.3, room)
        if fate in ("X", "RJ") or (fate == "C" and rng.random() < 0.7):
            return rng.uniform(3, room)
        ranges = {
            "D": (1, 15),
            "S": (0.05, 1.2),
            "O": (6, 14),
            "RT": (2, 12),
            "A": (0.5, 5),
            "R": (0.3, 2) if {"wuhan", "expert"} & set(walk.text.flags) else (1, 25),
            "W": (2, 20),
            "K": (4, 45),
            "C": (5, 60),
        }
        lo, hi = ranges.get(fate, (1, 20))
        return rng.uniform(lo, min(hi, room))

    def execute(self, walk: Walk) -> None:
        gaps = [self.rng.uniform(s.lo, s.hi) for s in walk.steps]
        gaps[0] = 0.0
        total = sum(gaps)
        slack = self.slack(walk, total)
        if total + slack > WINDOW_WORKDAYS:
            scale = (WINDOW_WORKDAYS - slack) / total
            gaps = [g * scale for g in gaps]
            total = sum(gaps)
        x = self.cal.now - slack - total
        walk.filed_at = x
        for gap, step in zip(gaps, walk.steps, strict=True):
            x += gap
            if walk.demand is not None:
                walk.demand.refresh_from_db()
            step.run(x)
        self.finish(walk)

    def plan_merge(
        self, walk: Walk, target: Walk, campaigns: list[Campaign], anchors: dict[str, Enterprise]
    ) -> None:
        text = walk.text
        assert target.demand is not None
        filer = (
            self.user("township")
            if walk.enterprise.township and walk.enterprise.township.name == "陈埭镇"
            else self.staff
        )
        start = min(target.filed_at + self.rng.uniform(2, 6), self.cal.now - 1.5)
        merge_at = start + self.rng.uniform(0.3, 1.2)
        data = self.demand_data(
            text, walk.enterprise, Confidentiality.PRIVATE, self.campaign_for(start, campaigns)
        )
        walk.demand = services.file_demand(actor=filer, enterprise=walk.enterprise, data=data)
        self.stamp(start)
        services.merge_demand(actor=self.staff, demand=walk.demand, into=target.demand)
        self.stamp(merge_at)
        walk.filed_at = start
        self.finish(walk)

    def finish(self, walk: Walk) -> None:
        """Recompute time-in-status from the backdated events and align the demand's own timestamps."""
        demand = walk.demand
        assert demand is not None
        events = list(DemandEvent.objects.filter(demand=demand).order_by("created_at", "pk"))
        entering = [e for e in events if e.to_status and e.from_status != e.to_status]
        for current, following in itertools.pairwise(entering):
            current.seconds_in_status = max(
                0, int((following.created_at - current.created_at).total_seconds())
            )
        if entering:
            entering[-1].seconds_in_status = None
        DemandEvent.objects.bulk_update(entering, ["seconds_in_status"])
        submitted = next((e.created_at for e in events if e.to_status == Status.SUBMITTED), None)
        Demand.objects.filter(pk=demand.pk).update(
            created_at=events[0].created_at,
            updated_at=events[-1].created_at,
            submitted_at=submitted,
            status_changed_at=entering[-1].created_at if entering else events[0].created_at,
        )

    def visits(
        self, walks: dict[str, Walk], campaigns: list[Campaign], anchors: dict[str, Enterprise]
    ) -> None:
        rng = self.rng
        created = []
        found: dict[int, tuple[Enterprise, float, int]] = {}
        for walk in walks.values():
            if walk.text.owner:
                continue
            ent = walk.enterprise
            at, n = found.get(ent.pk, (ent, walk.filed_at, 0))[1:]
            found[ent.pk] = (ent, min(at, walk.filed_at), n + 1)
        notes_found = (
            "走访了解企业生产经营和研发情况，企业提出技术需求，已指导在线填报",
            "与企业技术负责人座谈，梳理出技术难题，现场协助填报需求表",
        )
        for ent, at, n in found.values():
            visit_at = at - rng.uniform(1, 8)
            created.append(self.visit(ent, visit_at, campaigns, rng.choice(notes_found), n))
        others = [e for e in self.enterprises if e.pk not in self.used]
        for ent in rng.sample(others, min(20, len(others))):
            visit_at = self.cal.now - rng.uniform(2, WINDOW_WORKDAYS - 5)
            note = rng.choice(
                (
                    "企业暂无明确技术需求，已宣传研发费用加计扣除和高企认定政策",
                    "企业正在筹划技改项目，需求尚不成熟，约定下季度回访",
                    "宣讲科技创新券和技术合同登记奖补政策，企业表示将结合新产品开发提出需求",
                )
            )
            created.append(self.visit(ent, visit_at, campaigns, note, 0))
        FieldVisit.objects.filter(pk__in=[v.pk for v in created]).update(is_demo=True)
        self.counts["企业走访"] = len(created)

    def visit(self, ent: Enterprise, x: float, campaigns: list[Campaign], notes: str, n: int) -> FieldVisit:
        officer = self.user("township") if ent.township and ent.township.name == "陈埭镇" else self.staff
        day = self.cal.date(x)
        campaign = next((c for c in campaigns if c.opens_on <= day <= c.deadline), None)
        visit = campaign_services.record_visit(
            actor=officer, campaign=campaign, enterprise=ent, visited_on=day, notes=notes, demands_found=n
        )
        FieldVisit.objects.filter(pk=visit.pk).update(created_at=self.cal.at(x), updated_at=self.cal.at(x))
        return visit


def load_demo_demands(*, seed: int, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Write the demo demands (and campaigns, visits) through the services; returns counts by label."""
    # Demo activity must not e-mail anyone (the console backend would also flood the terminal).
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        return Loader(seed).run(progress)


def delete_demo_demands() -> dict[str, int]:
    """Delete demo demands, campaigns and visits with everything hanging off them and their history."""
    demands = Demand.objects.filter(is_demo=True)
    ids = list(demands.values_list("pk", flat=True))
    campaign_ids = list(Campaign.objects.filter(is_demo=True).values_list("pk", flat=True))
    urls = [services.demand_url(Demand(pk=pk)) for pk in ids]
    deleted: dict[str, int] = {}
    for start in range(0, len(urls), 500):
        deleted["notifications"] = (
            deleted.get("notifications", 0)
            + Notification.objects.filter(url__in=urls[start : start + 500]).delete()[0]
        )
    Demand.history.filter(id__in=ids).delete()  # type: ignore[attr-defined]
    Response.history.filter(demand_id__in=ids).delete()  # type: ignore[attr-defined]
    TechContract.history.filter(demand_id__in=ids).delete()  # type: ignore[attr-defined]
    Campaign.history.filter(id__in=campaign_ids).delete()  # type: ignore[attr-defined]
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        deleted["contracts"] = TechContract.objects.filter(demand_id__in=ids).delete()[0]
        deleted["landings"] = LandedProject.objects.filter(demand_id__in=ids).delete()[0]
        Demand.objects.filter(merged_into_id__in=ids).exclude(pk__in=ids).update(merged_into=None)
        deleted["demands"] = demands.delete()[0]
        deleted["visits"] = FieldVisit.objects.filter(is_demo=True).delete()[0]
        deleted["campaigns"] = Campaign.objects.filter(is_demo=True).delete()[0]
    return deleted
