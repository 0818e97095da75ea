"""The demo registry of Jinjiang (晋江), generated deterministically from a seed.

Pure Python: no Django models, no settings. `generate()` returns plain dataclasses that `loader.py` writes
to the database. Everything is invented except the township names, the industry structure, the
institutions, enclaves and operators the 2024 newspaper feature names, and the CSL papers (real papers,
fictional authors). Names that look like real companies' names end in "（演示）".

Values of choice fields are the stored strings of kechuang.orgs.choices / kechuang.core.access.Role
(the tests check that they still match).

The same seed, size and `as_of` date always give the same records. Yearly figures cover 2020–2024;
qualification validity windows are placed relative to `as_of` (default: today) so that the dashboard,
which counts certificates valid today, shows a realistic picture whenever the demo is loaded.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from kechuang.core.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

DATA_DIR = Path(__file__).resolve().parent / "data"
ACHIEVEMENTS_FILE = DATA_DIR / "achievements.jsonl"
DEFAULT_SEED = 20241
DEFAULT_ENTERPRISES = 2400
FIGURE_YEARS = tuple(range(2020, 2025))
DEMO_SUFFIX = "（演示）"
ACHIEVEMENT_SOURCE = "CSL (Apache-2.0)"
CHANGE_REASON = "演示数据"
REGION = "350582"  # 晋江市
DEMO_EMAIL_DOMAIN = "demo.invalid"  # reserved TLD: demo users are found (and reset) by it

T = TypeVar("T")

# ---- records ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TownshipRec:
    name: str
    kind: str  # "subdistrict" | "town"
    sort_order: int


@dataclass(frozen=True)
class ChainRec:
    name: str
    description: str
    sort_order: int


@dataclass
class OrgRec:
    key: str
    kind: str  # OrgKind value
    name: str
    credit_code: str = ""
    township: str | None = None
    address: str = ""
    contact_name: str = ""
    contact_email: str = ""
    website: str = ""
    description: str = ""


@dataclass
class FigureRec:
    year: int
    revenue: Decimal
    rd_spend: Decimal
    hightech_revenue: Decimal | None
    has_rd_activity: bool
    invention_patents: int
    utility_patents: int
    design_patents: int
    software_copyrights: int


@dataclass
class QualRec:
    kind: str  # QualificationKind value
    level: str  # Level value
    issuer: str
    certificate_no: str
    valid_from: dt.date | None
    valid_until: dt.date | None


@dataclass
class EnterpriseRec:
    org: OrgRec
    sector: str
    industry_code: str
    chains: list[str]
    is_above_scale: bool
    employees: int
    tech_staff: int
    founded_on: dt.date
    main_products: str
    figures: list[FigureRec] = field(default_factory=list)
    qualifications: list[QualRec] = field(default_factory=list)


@dataclass
class InstitutionRec:
    org: OrgRec
    category: str
    level: str
    disciplines: str
    city: str
    in_county: bool
    csl_disciplines: tuple[str, ...] = ()


@dataclass
class ExpertRec:
    key: str
    name: str
    institution: str  # institution org key
    title: str
    fields: str
    bio: str
    email: str
    is_tech_commissioner: bool
    publications: list[str] = field(default_factory=list)  # achievement source_refs, in order


@dataclass
class FundRec:
    name: str
    size: Decimal  # 万元
    is_government_guided: bool
    focus: str


@dataclass
class InvestorRec:
    org: OrgRec
    kind: str  # InvestorKind value
    focus_industries: str
    focus_stages: str
    funds: list[FundRec] = field(default_factory=list)


@dataclass
class EnclaveRec:
    name: str
    city: str
    host_site: str
    operator: str  # operator org key
    model: str  # EnclaveModel value
    focus_industries: str
    partners: list[str]  # institution org keys
    description: str


@dataclass
class AchievementRec:
    source_ref: str
    title: str
    abstract: str
    category: str
    discipline: str
    keywords: list[str]
    maturity: str
    institution: str | None  # institution org key
    experts: list[str] = field(default_factory=list)  # expert keys


@dataclass
class AccountRec:
    username: str
    role: str  # Role value
    role_label: str
    display_name: str
    sees: str
    is_staff: bool = False
    is_superuser: bool = False
    township: str | None = None
    organization: str | None = None  # org key
    enclave: str | None = None  # enclave name
    expert: str | None = None  # expert key

    @property
    def email(self) -> str:
        return f"{self.username}@{DEMO_EMAIL_DOMAIN}"


@dataclass
class DemoData:
    seed: int
    as_of: dt.date
    townships: list[TownshipRec]
    chains: list[ChainRec]
    operators: list[OrgRec]
    institutions: list[InstitutionRec]
    investors: list[InvestorRec]
    enterprises: list[EnterpriseRec]
    experts: list[ExpertRec]
    enclaves: list[EnclaveRec]
    achievements: list[AchievementRec]
    accounts: list[AccountRec]

    def organizations(self) -> list[OrgRec]:
        return [
            *self.operators,
            *(i.org for i in self.institutions),
            *(i.org for i in self.investors),
            *(e.org for e in self.enterprises),
        ]

    def counts(self) -> dict[str, int]:
        return {
            "townships": len(self.townships),
            "chains": len(self.chains),
            "organizations": len(self.organizations()),
            "enterprises": len(self.enterprises),
            "figures": sum(len(e.figures) for e in self.enterprises),
            "qualifications": sum(len(e.qualifications) for e in self.enterprises),
            "institutions": len(self.institutions),
            "experts": len(self.experts),
            "investors": len(self.investors),
            "funds": sum(len(i.funds) for i in self.investors),
            "enclaves": len(self.enclaves),
            "achievements": len(self.achievements),
            "accounts": len(self.accounts),
        }


# ---- the county ---------------------------------------------------------------------------------------

SUBDISTRICTS = ("青阳街道", "梅岭街道", "西园街道", "罗山街道", "灵源街道", "新塘街道")
TOWNS = (
    "安海镇",
    "磁灶镇",
    "陈埭镇",
    "池店镇",
    "东石镇",
    "金井镇",
    "龙湖镇",
    "内坑镇",
    "深沪镇",
    "西滨镇",
    "英林镇",
    "永和镇",
    "紫帽镇",
)

CHAINS: tuple[tuple[str, str], ...] = (
    ("鞋服", "运动鞋服、休闲服装、鞋材及体育用品"),
    ("纺织化纤", "化纤纺丝、织造、染整及非织造布"),
    ("食品饮料", "休闲食品、饮料、水产及调味品加工"),
    ("建材陶瓷", "建筑陶瓷、卫生陶瓷、石材及新型建材"),
    ("纸制品及卫生用品", "生活用纸、卫生用品、包装印刷"),
    ("装备制造", "工程机械、鞋机纺机、智能装备"),
    ("集成电路", "芯片制造、设计、封测及电子材料"),
    ("新材料", "高分子材料、功能助剂、先进陶瓷与碳材料"),
    ("医疗健康", "医疗器械、医用材料、生物医药"),
    ("新能源", "锂电储能、光伏及电力电子"),
    ("数字经济", "工业软件、工业互联网与数字服务"),
)


@dataclass(frozen=True)
class CodeSpec:
    code: str
    products: str
    words: tuple[str, ...]  # industry words used in company names
    weight: float
    extra_chains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sector:
    chain: str
    codes: tuple[CodeSpec, ...]
    hightech: float  # relative propensity to hold 高新技术企业
    above_scale: float  # relative propensity to be 规上
    revenue_per_employee: tuple[float, float]  # 万元 per person
    design_patents: float  # yearly design patents per 1,000万 revenue
    software: float  # yearly software copyrights per 100 employees
    founded_mean: int


def _c(code: str, products: str, words: str, weight: float, *chains: str) -> CodeSpec:
    return CodeSpec(code, products, tuple(words.split()), weight, tuple(chains))


SECTORS: dict[str, Sector] = {
    "shoes": Sector(
        "鞋服",
        (
            _c("1951", "运动鞋、休闲鞋", "鞋业 体育用品 鞋服", 5),
            _c("1953", "EVA拖鞋、注塑鞋", "鞋业 塑胶", 2),
            _c("1954", "橡胶运动鞋、硫化鞋", "鞋业 鞋服", 2),
            _c("1952", "皮鞋、休闲皮鞋", "鞋业 皮具", 1),
            _c("1959", "童鞋、功能防护鞋", "鞋业 童鞋", 1),
            _c("2929", "EVA鞋底、TPU鞋材", "鞋材 鞋底 高分子材料", 2, "新材料"),
            _c("2925", "PU合成革、超纤革", "合成革 鞋材", 1, "新材料"),
            _c("2919", "橡胶大底、橡胶鞋底", "鞋材 橡塑", 1),
            _c("2444", "运动护具、运动袜", "体育用品 运动科技", 1),
        ),
        hightech=1.0,
        above_scale=1.0,
        revenue_per_employee=(22, 45),
        design_patents=0.8,
        software=0.05,
        founded_mean=2006,
    ),
    "apparel": Sector(
        "鞋服",
        (
            _c("1811", "运动服、运动套装", "服饰 体育用品 服装", 3),
            _c("1819", "夹克、休闲西服、裤装", "服装 服饰 时装", 3),
            _c("1821", "运动休闲针织服装", "针织 服饰 服装", 3),
            _c("1829", "内衣、泳衣、家居服", "内衣 针织 服饰", 2),
            _c("1830", "帽子、手套、围巾", "服饰", 1),
        ),
        hightech=0.7,
        above_scale=0.9,
        revenue_per_employee=(20, 40),
        design_patents=0.6,
        software=0.05,
        founded_mean=2005,
    ),
    "textiles": Sector(
        "纺织化纤",
        (
            _c("1751", "化纤面料、网布", "织造 纺织 面料", 3),
            _c("1752", "化纤面料染整", "染整 印染 纺织", 2),
            _c("1761", "经编、纬编针织面料", "经编 针织 纺织", 3),
            _c("1762", "针织面料印染", "印染 染整", 1),
            _c("1711", "涤棉纱线", "纺织 纱线", 1),
            _c("1781", "纺粘无纺布、熔喷布", "无纺布 非织造", 1),
            _c("2822", "涤纶长丝、DTY加弹丝", "化纤 化学纤维", 2),
            _c("2821", "锦纶长丝", "锦纶 化纤", 1),
            _c("2826", "氨纶丝", "氨纶 化纤", 1),
        ),
        hightech=1.0,
        above_scale=1.3,
        revenue_per_employee=(60, 120),
        design_patents=0.05,
        software=0.05,
        founded_mean=2005,
    ),
    "food": Sector(
        "食品饮料",
        (
            _c("1411", "糕点、面包", "食品", 2),
            _c("1419", "饼干、膨化食品", "食品", 2),
            _c("1421", "糖果、果冻", "食品 糖果", 2),
            _c("1422", "蜜饯、果脯", "食品", 1),
            _c("1439", "方便食品、即食粥", "食品", 1),
            _c("1369", "鱼糜制品、海产干货", "水产 海洋食品 食品", 2),
            _c("1361", "冷冻水产品", "水产 冷冻食品", 1),
            _c("1523", "果汁饮料", "饮料 食品", 1),
            _c("1524", "植物蛋白饮料、乳饮料", "饮料", 1),
            _c("1469", "复合调味料", "调味品 食品", 1),
        ),
        hightech=0.6,
        above_scale=1.0,
        revenue_per_employee=(40, 80),
        design_patents=0.15,
        software=0.02,
        founded_mean=2004,
    ),
    "building": Sector(
        "建材陶瓷",
        (
            _c("3071", "抛釉砖、仿古砖、外墙砖", "陶瓷 建材 瓷业", 6),
            _c("3072", "卫生洁具", "卫浴 陶瓷", 1),
            _c("3073", "特种陶瓷、陶瓷膜", "特种陶瓷 精密陶瓷", 1, "新材料"),
            _c("3032", "花岗岩板材、石材制品", "石业 石材", 2),
            _c("3021", "预制混凝土构件、管桩", "建材 新型建材", 1),
            _c("3515", "陶瓷压砖机、窑炉设备", "机械 陶瓷机械", 1, "装备制造"),
        ),
        hightech=0.8,
        above_scale=1.3,
        revenue_per_employee=(60, 110),
        design_patents=0.2,
        software=0.02,
        founded_mean=2003,
    ),
    "paper": Sector(
        "纸制品及卫生用品",
        (
            _c("2239", "卫生巾、纸尿裤、湿巾", "卫生用品 妇幼用品 护理用品", 4),
            _c("2221", "生活用纸原纸", "纸业", 2),
            _c("2231", "瓦楞纸箱、包装纸盒", "包装 纸品", 3),
            _c("1781", "卫生材料用非织造布", "无纺布 非织造", 1, "纺织化纤"),
            _c("2319", "包装装潢印刷品", "印刷 包装", 1),
        ),
        hightech=1.0,
        above_scale=1.2,
        revenue_per_employee=(80, 150),
        design_patents=0.1,
        software=0.03,
        founded_mean=2004,
    ),
    "equipment": Sector(
        "装备制造",
        (
            _c("3514", "装载机、挖掘机", "机械 重工 工程机械", 2),
            _c("3523", "注塑机、EVA发泡成型机", "机械 智能装备", 2),
            _c("3552", "制鞋机械、皮革加工设备", "鞋机 机械", 2),
            _c("3551", "针织机、经编机", "纺机 机械", 2),
            _c("3484", "精密机械零部件", "精密机械 机械", 2),
            _c("3491", "工业机器人、智能产线", "智能装备 机器人", 1),
            _c("3442", "空气压缩机", "机电", 1),
            _c("3311", "钢结构件", "钢构", 1),
        ),
        hightech=2.0,
        above_scale=1.0,
        revenue_per_employee=(50, 100),
        design_patents=0.1,
        software=0.5,
        founded_mean=2008,
    ),
    "ic": Sector(
        "集成电路",
        (
            _c("3973", "存储芯片、集成电路晶圆", "微电子 半导体 集成电路", 3),
            _c("3972", "功率器件、二极管", "半导体 电子", 2),
            _c("3985", "电子特种气体、湿电子化学品", "电子材料 半导体材料", 2, "新材料"),
            _c("3562", "半导体封装测试设备", "半导体设备 智能装备", 1, "装备制造"),
            _c("6520", "集成电路设计", "芯片设计 微电子 集成电路", 2, "数字经济"),
            _c("3982", "印制电路板", "电路 电子", 1),
        ),
        hightech=3.5,
        above_scale=0.9,
        revenue_per_employee=(80, 200),
        design_patents=0.02,
        software=2.0,
        founded_mean=2017,
    ),
    "new_materials": Sector(
        "新材料",
        (
            _c("2651", "改性塑料、合成树脂", "新材料 高分子", 2),
            _c("2659", "TPU、TPEE弹性体", "新材料 弹性体", 2),
            _c("2661", "纺织印染助剂、皮革化学品", "化工 助剂 精细化工", 2),
            _c("2641", "水性涂料、鞋用涂饰剂", "涂料 化工", 1),
            _c("2645", "分散染料、活性染料", "染料 化工", 1),
            _c("3091", "石墨烯导热膜、碳材料", "碳材料 石墨烯", 1),
        ),
        hightech=2.5,
        above_scale=1.0,
        revenue_per_employee=(80, 160),
        design_patents=0.02,
        software=0.1,
        founded_mean=2011,
    ),
    "health": Sector(
        "医疗健康",
        (
            _c("2770", "医用敷料、卫生材料", "医疗用品 卫材", 2),
            _c("3584", "医用耗材、手术器械", "医疗器械", 2),
            _c("3581", "康复理疗设备、监护设备", "医疗科技 医疗设备", 1),
            _c("2740", "中成药", "药业 制药", 1),
            _c("2761", "生物制剂、诊断试剂", "生物科技 生物医药", 1),
            _c("1491", "营养保健食品", "健康科技 生物科技", 1, "食品饮料"),
        ),
        hightech=2.5,
        above_scale=0.7,
        revenue_per_employee=(40, 90),
        design_patents=0.1,
        software=0.3,
        founded_mean=2014,
    ),
    "new_energy": Sector(
        "新能源",
        (
            _c("3841", "锂离子电池、储能电池组", "新能源 电池 储能", 3),
            _c("3825", "光伏组件、逆变器", "光伏 新能源", 2),
            _c("3849", "钠离子电池", "新能源 电池", 1),
            _c("3824", "充电模块、电力电子器件", "电气 能源科技", 1),
            _c("4416", "分布式光伏发电", "能源 光伏", 1),
        ),
        hightech=2.5,
        above_scale=0.8,
        revenue_per_employee=(80, 180),
        design_patents=0.03,
        software=0.5,
        founded_mean=2017,
    ),
    "digital": Sector(
        "数字经济",
        (
            _c("6513", "工业软件、ERP/MES系统", "信息科技 软件 数字科技", 3),
            _c("6531", "信息系统集成、工业互联网平台", "信息技术 网络科技", 2),
            _c("6431", "产业互联网平台、B2B电商平台", "网络科技 电子商务", 2),
            _c("6550", "数据中心、云服务", "数据科技 云计算", 1),
            _c("6579", "数字设计、虚拟样衣", "数字科技 设计", 1),
        ),
        hightech=2.0,
        above_scale=0.5,
        revenue_per_employee=(30, 70),
        design_patents=0.05,
        software=6.0,
        founded_mean=2017,
    ),
}

# Township -> (relative number of firms, sector mix). 陈埭 shoes, 磁灶 ceramics, 深沪/英林 apparel,
# 安海 paper & hygiene and food, 龙湖 textiles, 池店/紫帽 (经济开发区) ICs, equipment and new industries.
TOWNSHIP_PROFILES: dict[str, tuple[float, dict[str, float]]] = {
    "青阳街道": (4, {"apparel": 3, "shoes": 2, "digital": 4, "food": 1, "health": 1, "equipment": 1}),
    "梅岭街道": (
        3,
        {"digital": 3, "apparel": 2, "shoes": 2, "equipment": 1, "health": 1, "new_materials": 1},
    ),
    "西园街道": (3, {"shoes": 4, "apparel": 2, "textiles": 1, "equipment": 1, "food": 1}),
    "罗山街道": (4, {"shoes": 5, "textiles": 2, "apparel": 1, "equipment": 1, "paper": 1}),
    "灵源街道": (4, {"shoes": 3, "food": 2, "equipment": 2, "new_materials": 1, "textiles": 1}),
    "新塘街道": (3, {"shoes": 3, "textiles": 2, "equipment": 2, "new_materials": 1, "new_energy": 1}),
    "安海镇": (8, {"paper": 5, "food": 4, "shoes": 2, "apparel": 1, "equipment": 1, "health": 1}),
    "磁灶镇": (7, {"building": 8, "equipment": 2, "new_materials": 1, "shoes": 1}),
    "陈埭镇": (12, {"shoes": 10, "new_materials": 2, "apparel": 1, "equipment": 1, "digital": 1}),
    "池店镇": (
        8,
        {"shoes": 4, "ic": 3, "equipment": 2, "apparel": 1, "digital": 1, "new_energy": 1, "health": 1},
    ),
    "东石镇": (5, {"ic": 2, "food": 2, "textiles": 1, "new_energy": 1, "building": 1, "equipment": 1}),
    "金井镇": (4, {"apparel": 3, "textiles": 2, "building": 2, "food": 1, "new_materials": 1}),
    "龙湖镇": (7, {"textiles": 5, "food": 2, "shoes": 2, "apparel": 1, "new_materials": 2}),
    "内坑镇": (5, {"shoes": 3, "food": 3, "paper": 1, "new_materials": 1, "building": 1}),
    "深沪镇": (5, {"apparel": 6, "textiles": 2, "food": 2}),
    "西滨镇": (3, {"shoes": 3, "building": 2, "equipment": 2, "food": 1}),
    "英林镇": (5, {"apparel": 7, "textiles": 2, "shoes": 1}),
    "永和镇": (4, {"shoes": 3, "building": 2, "new_materials": 1, "equipment": 1, "textiles": 1}),
    "紫帽镇": (4, {"equipment": 4, "new_materials": 2, "health": 2, "new_energy": 2, "ic": 1, "digital": 1}),
}

NAME_FIRST = tuple(
    "鸿泰华兴盛信达宏源鑫隆祥福裕丰荣昌顺新嘉锦豪腾宇永建东南海金聚汇中天凯瑞润骏晟亿万联协捷通明佳美创博远群奥邦和正诚泓溢富德"
)
NAME_SECOND = tuple(
    "盛泰达源丰兴华昌隆发利祥鑫成辉宇新鸿顺威龙星锋翔驰航茂川峰晖凯迪诺越铭扬耀晋闽泉辰亚欧宝"
)
# Two-character heads of real Jinjiang and Fujian brands: never generated.
FORBIDDEN_NAME_PARTS = frozenset(
    {
        "安踏",
        "恒安",
        "百宏",
        "特步",
        "匹克",
        "鸿星",
        "贵人",
        "乔丹",
        "中乔",
        "喜得",
        "金莱",
        "德尔",
        "利郎",
        "七匹",
        "柒牌",
        "劲霸",
        "九牧",
        "卡宾",
        "信泰",
        "晋工",
        "盼盼",
        "雅客",
        "亲亲",
        "福马",
        "金冠",
        "达利",
        "凤竹",
        "浔兴",
        "华宇",
        "英良",
        "舒华",
        "晋华",
        "安奇",
        "锦源",
        "鸿达",
        "海天",
        "华昌",
        "协盛",
        "新华",
        "中华",
        "天宇",
    }
)
ROADS = (
    "工业路",
    "创新路",
    "兴业路",
    "科技路",
    "振兴路",
    "发展大道",
    "智造大道",
    "创业路",
    "富民路",
    "园区一路",
    "园区二路",
    "滨海路",
    "世纪大道",
    "腾飞路",
    "环城路",
)
LOCAL_SURNAMES = "陈林黄张吴王李许蔡洪郑施庄苏刘杨周曾谢柯丁粘赖龚"
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚志建国华文斌宁颖晓海鹏飞婷雪琳博宇浩俊晨悦思嘉欣凯峰振立"
    "新永春红玉兰云毅辉锋剑荣彬旭亮鑫松泽楠哲航睿翔琪瑶慧"
)


# ---- helpers ------------------------------------------------------------------------------------------


def _money(value: float) -> Decimal:
    return Decimal(f"{max(value, 0.0):.2f}")


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _weighted_pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _weighted_sample(rng: random.Random, items: Sequence[T], weights: Sequence[float], k: int) -> list[T]:
    """k distinct items, each drawn with probability proportional to its weight (Efraimidis–Spirakis)."""
    if k <= 0:
        return []
    keyed = [(rng.random() ** (1.0 / w) if w > 0 else -1.0, i) for i, w in enumerate(weights)]
    keyed.sort(reverse=True)
    return [items[i] for key, i in keyed[:k] if key >= 0]


def _org_code_check(body8: str) -> str:
    """GB 11714 check character of a 9-character organisation code (the credit code's 9th–17th)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


class CreditCodes:
    """Unique, valid 统一社会信用代码 (GB 32100-2015) for invented organisations."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, *, region: str = REGION, registrant: str = "91", new_style: bool = True) -> str:
        while True:
            if new_style:  # codes issued since 2015 carry "MA" + a digit in the organisation code
                body = (
                    "MA"
                    + self.rng.choice("2345")
                    + "".join(self.rng.choice(CREDIT_CODE_ALPHABET) for _ in range(5))
                )
            else:
                body = "".join(self.rng.choice("0123456789") for _ in range(8))
            first17 = registrant + region + body + _org_code_check(body)
            code = first17 + credit_code_check_char(first17)
            if code not in self.used:
                self.used.add(code)
                return code


def _person_name(rng: random.Random, surnames: str, used: set[str]) -> str:
    while True:
        given = rng.choice(GIVEN) if rng.random() < 0.3 else rng.choice(GIVEN) + rng.choice(GIVEN)
        name = rng.choice(surnames) + given
        if name not in used and len(set(given)) == len(given):
            used.add(name)
            return name


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _window(start: dt.date, years: int) -> tuple[dt.date, dt.date]:
    return start, _add_years(start, years) - dt.timedelta(days=1)


def _hightech_batch(year: int) -> dt.date:
    """The (one, invented) 高新技术企业 approval batch of a year: early to late December."""
    return dt.date(year, 12, 4 + (year * 7) % 22)


# ---- institutions, experts, enclaves, investors ------------------------------------------------------


@dataclass(frozen=True)
class InstitutionSpec:
    key: str
    name: str
    category: str
    level: str
    city: str
    in_county: bool
    disciplines: str
    csl: tuple[str, ...]
    experts: int
    description: str


def _i(
    key: str,
    name: str,
    category: str,
    level: str,
    city: str,
    in_county: bool,
    disciplines: str,
    csl: str,
    experts: int,
    description: str,
) -> InstitutionSpec:
    return InstitutionSpec(
        key,
        name,
        category,
        level,
        city,
        in_county,
        disciplines,
        tuple(csl.split()) if csl else (),
        experts,
        description,
    )


INSTITUTIONS: tuple[InstitutionSpec, ...] = (
    _i(
        "inst-fzu",
        "福州大学晋江校区",
        "university",
        "",
        "晋江",
        True,
        "机械工程、材料科学、电子信息、土木工程",
        "机械工程 材料科学与工程 电子科学与技术 计算机科学与技术 电气工程 土木工程 化学/化学工程与技术",
        18,
        "落地晋江的高校校区，面向晋江主导产业开展人才培养、科研合作与成果转化。",
    ),
    _i(
        "inst-qzqg",
        "泉州轻工职业学院",
        "university",
        "",
        "晋江",
        True,
        "纺织服装、食品、设计、工商管理",
        "纺织科学与工程 食品科学与工程 艺术学 工商管理",
        6,
        "面向鞋服、食品等轻工产业培养技术技能人才。",
    ),
    _i(
        "inst-hqu",
        "华侨大学",
        "university",
        "",
        "泉州",
        False,
        "材料、化工、机械、土木建筑、工商管理",
        "材料科学与工程 化学/化学工程与技术 机械工程 土木工程 建筑学 工商管理 信息与通信工程",
        12,
        "与晋江企业开展产学研合作的省内高校。",
    ),
    _i(
        "inst-polyu",
        "香港理工大学晋江技术创新研究院",
        "new_rd",
        "provincial",
        "晋江",
        True,
        "纺织服装、先进材料、智能制造、人工智能",
        "纺织科学与工程 材料科学与工程 光学工程 计算机科学与技术",
        12,
        "引进的高水平科研平台，服务鞋服纺织等产业的技术攻关与成果转化。",
    ),
    _i(
        "inst-hust",
        "华中科技大学",
        "university",
        "",
        "武汉",
        False,
        "机械、光电、电气、能源动力、计算机、医学",
        "机械工程 光学工程 电气工程 动力工程及工程热物理 计算机科学与技术 基础医学/临床医学",
        14,
        "晋江(武汉)离岸创新孵化中心依托其产业园，辐射周边高校集群。",
    ),
    _i(
        "inst-xidian",
        "西安电子科技大学",
        "university",
        "",
        "西安",
        False,
        "电子科学、通信、计算机、控制",
        "电子科学与技术 信息与通信工程 计算机科学与技术 控制科学与工程",
        12,
        "与晋江(西安)离岸创新中心共建半导体产业人才科创基地。",
    ),
    _i(
        "inst-fjirsm",
        "中国科学院海西研究院泉州装备制造研究中心",
        "research_institute",
        "",
        "泉州",
        False,
        "智能装备、机器人、先进材料",
        "机械工程 控制科学与工程 材料科学与工程 化学/化学工程与技术",
        10,
        "面向装备制造与新材料产业的科研院所。",
    ),
    _i(
        "inst-dhu",
        "东华大学",
        "university",
        "",
        "上海",
        False,
        "纺织科学、材料、服装设计",
        "纺织科学与工程 材料科学与工程 艺术学",
        10,
        "纺织服装学科见长的合作高校。",
    ),
    _i(
        "inst-jiangnan",
        "江南大学",
        "university",
        "",
        "无锡",
        False,
        "食品科学、纺织、生物工程",
        "食品科学与工程 纺织科学与工程 生物学/生物科学与工程",
        10,
        "食品与轻工学科见长的合作高校。",
    ),
    _i(
        "inst-fafu",
        "福建农林大学",
        "university",
        "",
        "福州",
        False,
        "作物、园艺、植保、林业、农业经济",
        "作物学 园艺学 植物保护 林学/林业工程 农业资源利用 畜牧学/兽医学 农林经济管理 农业工程",
        10,
        "为食品原料、现代农业提供科技特派员服务的合作高校。",
    ),
    _i(
        "inst-fjmu",
        "福建医科大学",
        "university",
        "",
        "福州",
        False,
        "临床医学、药学、公共卫生、口腔医学",
        "基础医学/临床医学 药学 公共卫生与预防医学 口腔医学",
        8,
        "医疗健康产业的合作高校。",
    ),
    _i(
        "inst-fjtcm",
        "福建中医药大学",
        "university",
        "",
        "福州",
        False,
        "中医学、中药学",
        "中医学/中药学",
        5,
        "中医药与大健康产业的合作高校。",
    ),
    _i(
        "inst-xmu",
        "厦门大学",
        "university",
        "",
        "厦门",
        False,
        "化学化工、海洋、环境、经济、数学物理",
        "化学/化学工程与技术 海洋科学 环境科学与工程 应用经济学 数学 物理学 新闻传播学",
        10,
        "综合性合作高校。",
    ),
    _i(
        "inst-jmu",
        "集美大学",
        "university",
        "",
        "厦门",
        False,
        "水产、食品、船舶与海洋、交通运输、体育",
        "水产 食品科学与工程 船舶与海洋工程 交通运输工程 体育学",
        8,
        "水产食品与海洋学科见长的合作高校。",
    ),
    _i(
        "inst-shoe-ri",
        "晋江市鞋服产业技术研究院",
        "new_rd",
        "provincial",
        "晋江",
        True,
        "鞋服材料、功能面料、智能制鞋装备",
        "纺织科学与工程 材料科学与工程 机械工程",
        5,
        "面向鞋服产业共性技术的新型研发机构（演示数据）。",
    ),
    _i(
        "inst-sanchuang",
        "晋江市三创园",
        "incubator",
        "national",
        "晋江",
        True,
        "科技企业孵化、人才创业",
        "",
        0,
        "国家级科技企业孵化器。",
    ),
    _i(
        "inst-saichuang",
        "赛创未来晋江创新服务平台",
        "incubator",
        "",
        "晋江",
        True,
        "创业孵化、科技服务、产业投资",
        "",
        0,
        "引进的创新创业服务平台。",
    ),
    _i(
        "inst-academy",
        "晋江创新创业学院",
        "service",
        "county",
        "晋江",
        True,
        "创新创业培训、技术经济人才培养",
        "",
        0,
        "培训技术经济人才与创新创业人才。",
    ),
    _i(
        "inst-market",
        "晋江市科技大市场",
        "service",
        "county",
        "晋江",
        True,
        "技术交易、成果转化对接",
        "",
        0,
        "常态化举办“科技成果面对面”，促进成果转化。",
    ),
    _i(
        "inst-pilot",
        "晋江市中试熟化服务平台",
        "platform",
        "county",
        "晋江",
        True,
        "中试熟化、工艺放大验证",
        "",
        0,
        "为科技成果提供中试熟化服务。",
    ),
    _i(
        "inst-ip",
        "晋江市知识产权维权中心",
        "service",
        "county",
        "晋江",
        True,
        "知识产权维权、保护与运营",
        "",
        0,
        "提供知识产权维权援助服务。",
    ),
    _i(
        "inst-shoe-alliance",
        "国家制鞋产业技术创新战略联盟",
        "platform",
        "national",
        "晋江",
        True,
        "制鞋产业共性关键技术",
        "",
        0,
        "落地晋江的国家级产业技术创新战略联盟。",
    ),
)

OPERATORS: tuple[tuple[str, str, str, str, str], ...] = (
    # key, name, region of the credit code ("" = none), city, description
    (
        "op-saichuang",
        "浙江赛创未来创业投资管理有限公司" + DEMO_SUFFIX,
        "330106",
        "杭州",
        "专业孵化与产业投资运营机构，受托运营晋江(武汉)离岸创新孵化中心。",
    ),
    (
        "op-jjig",
        "晋江产业投资集团有限公司" + DEMO_SUFFIX,
        REGION,
        "晋江",
        "国有企业，运营管理晋江市湾区创新创意中心。",
    ),
    ("op-icpark", "福建晋江集成电路产业园区", "", "晋江", "晋江(西安)离岸创新中心的依托管理单位。"),
)

ENCLAVES: tuple[EnclaveRec, ...] = (
    EnclaveRec(
        name="晋江(武汉)离岸创新孵化中心",
        city="武汉",
        host_site="华中科技大学产业园",
        operator="op-saichuang",
        model="talent",
        focus_industries="智能制造、新一代信息技术、新材料",
        partners=["inst-hust"],
        description="借助武汉丰富的高校资源和浓厚的研发氛围，以华中科技大学产业园为场地中心、辐射周边高校集群，"
        "着力引进高层次创新创业人才，引导初创项目孵化落地晋江，打造“科创链”反哺“产业链”的人才科创飞地模式。",
    ),
    EnclaveRec(
        name="晋江市湾区创新创意中心",
        city="深圳",
        host_site="深圳市龙华区",
        operator="op-jjig",
        model="two_way",
        focus_industries="时尚设计、鞋服、数字经济",
        partners=[],
        description="发挥深圳市龙华区现代时尚产业、设计产业的策源能力，联动晋江制造业优势，打造晋江—龙华"
        "“研发设计、中试熟化、规模生产”的双向飞地模式。",
    ),
    EnclaveRec(
        name="晋江(西安)离岸创新中心",
        city="西安",
        host_site="西安电子科技大学（半导体产业人才科创基地）",
        operator="op-icpark",
        model="track",
        focus_industries="集成电路、新一代信息技术",
        partners=["inst-xidian"],
        description="紧盯新一代信息技术产业赛道，与西安电子科技大学签约共建半导体产业人才科创基地，开展产学研合作、"
        "人才联合培养、顾问服务等全方位合作的专业赛道飞地模式。",
    ),
)

GUIDED = "政府引导基金"
# key, name, kind, region, focus industries, focus stages, funds (name, 万元, government guided, focus)
INVESTORS: tuple[tuple[str, str, str, str, str, str, tuple[tuple[str, int, bool, str], ...]], ...] = (
    (
        "inv-jjcapital",
        "晋江产投基金管理有限公司",
        "gov_fund",
        REGION,
        "鞋服、纺织化纤、集成电路、新材料",
        "成长期、成熟期、Pre-IPO",
        (
            ("晋江市产业发展母基金", 1_600_000, True, "产业母基金：传统产业升级与新兴产业培育"),
            ("晋江市集成电路产业基金", 500_000, True, "集成电路制造、设计与材料"),
            ("晋江市鞋服产业升级基金", 300_000, True, "鞋服品牌、智能制造与数字化"),
            ("晋江市新材料产业基金", 200_000, True, "高分子材料、功能材料"),
            ("晋江市纺织化纤产业基金", 200_000, True, "化纤纺丝、绿色印染"),
            ("晋江市上市后备企业基金", 200_000, True, "拟上市企业股改与并购"),
        ),
    ),
    (
        "inv-nanyi",
        "晋江南翼股权投资管理有限公司",
        "gov_fund",
        REGION,
        "医疗健康、新能源、数字经济、绿色低碳",
        "初创期、成长期",
        (
            ("晋江市南翼产业母基金", 1_100_000, True, "产业母基金：南翼基金集聚区子基金出资"),
            ("晋江市新能源产业基金", 250_000, True, "锂电储能、光伏"),
            ("晋江市医疗健康产业基金", 150_000, True, "医疗器械、生物医药"),
            ("晋江市绿色低碳产业基金", 120_000, True, "绿色工厂、节能降碳改造"),
            ("晋江市数字经济产业基金", 100_000, True, "工业软件、工业互联网"),
        ),
    ),
    (
        "inv-kechuang",
        "晋江科创投资有限公司",
        "gov_fund",
        REGION,
        "科技型中小企业、科创飞地项目、成果转化",
        "种子期、初创期",
        (
            ("晋江市专精特新投资基金", 100_000, True, "专精特新中小企业"),
            ("晋江市食品产业基金", 80_000, True, "食品饮料、健康食品"),
            ("晋江市天使投资引导基金", 50_000, True, "天使轮、种子轮科创项目"),
            ("晋江市科创飞地投资基金", 50_000, True, "深圳、武汉、西安科创飞地孵化项目"),
            ("晋江市人才创业引导基金", 30_000, True, "高层次人才创业项目"),
            ("晋江市科技成果转化引导基金", 20_000, True, "高校院所科技成果在晋转化"),
        ),
    ),
    (
        "inv-jinfeng",
        "泉州晋峰创业投资合伙企业（有限合伙）",
        "vc",
        "350500",
        "智能制造、新材料",
        "初创期、成长期",
        (("晋峰科创一期股权投资基金", 50_000, False, "智能制造、新材料"),),
    ),
    (
        "inv-hailan",
        "厦门海岚资本管理有限公司",
        "pe",
        "350200",
        "鞋服品牌、消费升级、先进制造",
        "成长期、成熟期",
        (("海岚产业升级股权投资基金", 200_000, False, "传统产业龙头并购整合"),),
    ),
    (
        "inv-minyao",
        "福建闽耀私募基金管理有限公司",
        "pe",
        REGION,
        "专精特新、高端装备",
        "成长期",
        (("闽耀专精特新股权投资基金", 80_000, False, "专精特新“小巨人”企业"),),
    ),
    (
        "inv-wanqi",
        "深圳湾启创业投资有限公司",
        "vc",
        "440309",
        "集成电路、数字经济、时尚设计",
        "种子期、初创期",
        (("湾启硬科技创业投资基金", 60_000, False, "芯片设计、工业软件"),),
    ),
    (
        "inv-seed",
        "晋江种子天使投资有限公司",
        "angel",
        REGION,
        "大学生与人才创业项目",
        "种子期、天使轮",
        (("晋江种子天使基金", 10_000, False, "三创园在孵项目"),),
    ),
    (
        "inv-bank-mnkj",
        "闽南科技银行晋江分行",
        "bank",
        REGION,
        "高新技术企业、科技型中小企业",
        "科技贷、知识产权质押融资、人才贷",
        (),
    ),
    (
        "inv-bank-quanhai",
        "泉海商业银行晋江支行",
        "bank",
        REGION,
        "规上工业企业、专精特新企业",
        "技改贷、信用贷、投贷联动",
        (),
    ),
    (
        "inv-bank-dongnan",
        "东南发展银行晋江科技支行",
        "bank",
        REGION,
        "集成电路、新材料、新能源",
        "项目贷款、并购贷款、供应链金融",
        (),
    ),
    (
        "inv-bank-citong",
        "刺桐农村商业银行科技金融部",
        "bank",
        REGION,
        "小微科技企业、个体工商户",
        "科技小微贷、信用贷",
        (),
    ),
)

EXPERT_TITLES_UNIVERSITY = (
    ("教授", 30),
    ("副教授", 25),
    ("研究员", 8),
    ("副研究员", 8),
    ("高级工程师", 9),
    ("讲师", 12),
    ("正高级工程师", 3),
)
EXPERT_TITLES_INSTITUTE = (("研究员", 30), ("副研究员", 30), ("正高级工程师", 15), ("高级工程师", 25))

# ---- leading firms and the two enterprises that demo users belong to --------------------------------


@dataclass(frozen=True)
class FixedFirm:
    key: str
    name: str
    township: str
    sector: str
    code: str
    revenue_2024: float  # 万元
    founded: int


LEADING_FIRMS: tuple[FixedFirm, ...] = (
    FixedFirm("lead-1", "福建鸿跃体育用品股份有限公司", "池店镇", "shoes", "1951", 1_250_000, 1994),
    FixedFirm("lead-2", "福建晋沐卫生用品股份有限公司", "安海镇", "paper", "2239", 880_000, 1992),
    FixedFirm("lead-3", "福建泓纶化纤集团有限公司", "龙湖镇", "textiles", "2822", 620_000, 1998),
    FixedFirm("lead-4", "福建晋澜半导体有限公司", "池店镇", "ic", "3973", 410_000, 2016),
    FixedFirm("lead-5", "福建海沁食品股份有限公司", "内坑镇", "food", "1419", 350_000, 1996),
    FixedFirm("lead-6", "福建晋锐工程机械股份有限公司", "紫帽镇", "equipment", "3514", 300_000, 2002),
    FixedFirm("lead-7", "福建磁源陶瓷集团有限公司", "磁灶镇", "building", "3071", 260_000, 1997),
    FixedFirm("lead-8", "福建英澜服饰股份有限公司", "英林镇", "apparel", "1821", 210_000, 2001),
)
ANCHOR = FixedFirm("ent-anchor", "晋江市陈盛鞋业有限公司", "陈埭镇", "shoes", "1951", 18_600, 2009)
ANCHOR_2 = FixedFirm("ent-anchor-2", "晋江市磁华建材有限公司", "磁灶镇", "building", "3071", 9_800, 2011)

# ---- accounts -----------------------------------------------------------------------------------------

ROLE_LABELS = {
    "bureau_admin": "科技局管理员",
    "bureau_staff": "科技局工作人员",
    "township_officer": "镇街科技副镇长",
    "enclave_operator": "飞地运营方",
    "enterprise": "企业用户",
    "expert": "高校院所/专家",
    "investor": "投资机构",
}
ACCOUNT_TOWNSHIP = "陈埭镇"
ACCOUNT_ENCLAVE = ENCLAVES[0].name


def _accounts(expert_key: str, expert_name: str) -> list[AccountRec]:
    anchor = ANCHOR.name + DEMO_SUFFIX
    anchor_2 = ANCHOR_2.name + DEMO_SUFFIX
    investor = INVESTORS[0][1] + DEMO_SUFFIX

    def acc(username: str, role: str, display: str, sees: str, **kw: Any) -> AccountRec:
        return AccountRec(username, role, ROLE_LABELS[role], display, sees, **kw)

    return [
        acc(
            "admin",
            "bureau_admin",
            "科技局管理员（演示）",
            "全部数据与功能，含后台管理 /admin/",
            is_staff=True,
            is_superuser=True,
        ),
        acc(
            "staff",
            "bureau_staff",
            "科技局工作人员（演示）",
            "全县企业库、数据驾驶舱、Excel 导入与导出",
            is_staff=True,
        ),
        acc(
            "township",
            "township_officer",
            "陈埭镇科技副镇长（演示）",
            "陈埭镇的企业与镇街驾驶舱",
            township=ACCOUNT_TOWNSHIP,
        ),
        acc(
            "enclave",
            "enclave_operator",
            "武汉飞地运营方（演示）",
            f"维护“{ACCOUNT_ENCLAVE}”的飞地信息",
            enclave=ACCOUNT_ENCLAVE,
            organization=ENCLAVES[0].operator,
        ),
        acc(
            "enclave_sz",
            "enclave_operator",
            "深圳飞地运营方（演示）",
            f"维护“{ENCLAVES[1].name}”的飞地信息与考核填报",
            enclave=ENCLAVES[1].name,
            organization=ENCLAVES[1].operator,
        ),
        acc(
            "enclave_xa",
            "enclave_operator",
            "西安飞地运营方（演示）",
            f"维护“{ENCLAVES[2].name}”的飞地信息与考核填报",
            enclave=ENCLAVES[2].name,
            organization=ENCLAVES[2].operator,
        ),
        acc(
            "enterprise",
            "enterprise",
            "陈盛鞋业（演示）",
            f"本企业档案、年度数据与资质：{anchor}（陈埭镇）",
            organization=ANCHOR.key,
        ),
        acc(
            "enterprise2",
            "enterprise",
            "磁华建材（演示）",
            f"本企业：{anchor_2}（磁灶镇），用于权限测试",
            organization=ANCHOR_2.key,
        ),
        acc(
            "expert",
            "expert",
            f"{expert_name}（演示）",
            f"本人专家档案与成果：{expert_name}（福州大学晋江校区）",
            expert=expert_key,
            organization="inst-fzu",
        ),
        acc(
            "investor",
            "investor",
            "晋江产投（演示）",
            f"投资机构、基金与公开信息：{investor}",
            organization=INVESTORS[0][0],
        ),
    ]


def demo_accounts() -> list[tuple[str, str, str]]:
    """(username, role label, what they see) of every demo account; all share the demo password."""
    # The expert's name depends on the seed; describe the account without it.
    rows = []
    for account in _accounts("", "专家"):
        sees = "本人专家档案与成果（福州大学晋江校区）" if account.role == "expert" else account.sees
        rows.append((account.username, account.role_label, sees))
    return rows


# ---- enterprises --------------------------------------------------------------------------------------

YEAR_GROWTH = {2021: 0.14, 2022: 0.03, 2023: 0.06, 2024: 0.07}  # county average revenue growth


class _EnterpriseFactory:
    def __init__(self, rng: random.Random, codes: CreditCodes) -> None:
        self.rng = rng
        self.codes = codes
        self.names: set[str] = set()
        self.people: set[str] = set()

    def name(self, spec: CodeSpec, large: bool) -> str:
        rng = self.rng
        while True:
            head = rng.choice(NAME_FIRST) + rng.choice(NAME_SECOND)
            if head in FORBIDDEN_NAME_PARTS or head[0] == head[1]:
                continue
            word = rng.choice(spec.words)
            if large and rng.random() < 0.5:
                prefix, suffix = "福建", rng.choice(("股份有限公司", "集团有限公司", "股份有限公司"))
            else:
                prefix = rng.choices(("晋江市", "福建", "泉州", "晋江"), weights=(60, 25, 8, 7))[0]
                suffix = "有限公司"
            name = f"{prefix}{head}{word}{suffix}{DEMO_SUFFIX}"
            if name not in self.names:
                self.names.add(name)
                return name

    def build(
        self,
        key: str,
        township: str,
        sector_key: str,
        spec: CodeSpec,
        *,
        above: bool,
        revenue_2024: float,
        founded: int | None = None,
        name: str | None = None,
        leading: bool = False,
    ) -> EnterpriseRec:
        rng = self.rng
        sector = SECTORS[sector_key]
        if founded is None:
            founded = int(min(2023, max(1984, round(rng.gauss(sector.founded_mean, 7)))))
        if name is None:
            name = self.name(spec, above and revenue_2024 > 60_000)
        else:
            self.names.add(name)
        per_head = rng.uniform(*sector.revenue_per_employee) * (1.6 if leading else 1.0)
        employees = int(min(60_000, max(3, round(revenue_2024 / per_head))))
        tech_share = rng.uniform(0.04, 0.16) + (0.12 if sector.hightech >= 2 else 0.0)
        tech_staff = min(employees, max(0, round(employees * tech_share)))
        founded_on = dt.date(founded, rng.randint(1, 12), rng.randint(1, 28))
        road = rng.choice(ROADS)
        org = OrgRec(
            key=key,
            kind="enterprise",
            name=name,
            credit_code=self.codes.make(new_style=founded >= 2016),
            township=township,
            address=f"福建省晋江市{township}{road}{rng.randint(1, 899)}号",
            contact_name=_person_name(rng, LOCAL_SURNAMES, self.people),
            description=f"{township}{sector.chain}产业企业，主营{spec.products}。",
        )
        chains = [sector.chain, *[c for c in spec.extra_chains if c != sector.chain]]
        return EnterpriseRec(
            org=org,
            sector=sector_key,
            industry_code=spec.code,
            chains=chains,
            is_above_scale=above,
            employees=employees,
            tech_staff=tech_staff,
            founded_on=founded_on,
            main_products=spec.products,
            figures=[],
            qualifications=[],
        )


def _spec(sector_key: str, code: str) -> CodeSpec:
    return next(s for s in SECTORS[sector_key].codes if s.code == code)


def _hightech_windows(
    rng: random.Random, as_of: dt.date, founded: int, *, current: bool
) -> list[tuple[int, dt.date, dt.date]]:
    """3-year 高新技术企业 certificate windows of one firm, renewed every 3 years: still valid at `as_of`
    (current) or lapsed before it. No window starts before the year after the firm was founded."""
    if current:
        candidates = [
            y
            for y in range(as_of.year - 3, as_of.year + 1)
            if _hightech_batch(y) <= as_of <= _window(_hightech_batch(y), 3)[1]
        ]
        candidates = [y for y in candidates if y > founded] or candidates[-1:]
        last = rng.choices(candidates, weights=[1 + 0.25 * i for i in range(len(candidates))])[0]
        renewals = rng.choices((0, 1, 2, 3), weights=(30, 32, 24, 14))[0]
    else:
        candidates = [
            y
            for y in range(as_of.year - 8, as_of.year)
            if y > founded and _window(_hightech_batch(y), 3)[1] < as_of
        ]
        last = rng.choice(candidates[-4:])
        renewals = rng.choices((0, 1), weights=(60, 40))[0]
    first = last - 3 * renewals
    while first <= founded and first < last:
        first += 3
    return [(y, *_window(_hightech_batch(y), 3)) for y in range(first, last + 1, 3)]


def _covers(windows: list[tuple[int, dt.date, dt.date]], day: dt.date) -> bool:
    return any(start <= day <= end for _, start, end in windows)


def _rd_threshold(revenue: float) -> float:
    """高新技术企业 R&D intensity floor by revenue band (≤5,000万 5%, ≤2亿 4%, above 3%)."""
    return 0.05 if revenue <= 5000 else 0.04 if revenue <= 20000 else 0.03


def _figures(
    rng: random.Random,
    rec: EnterpriseRec,
    revenue_2024: float,
    windows: list[tuple[int, dt.date, dt.date]],
    years: Sequence[int],
) -> list[FigureRec]:
    sector = SECTORS[rec.sector]
    founded = rec.founded_on.year
    years = [y for y in years if y >= founded]
    if not years:
        return []
    revenue = {years[-1]: revenue_2024}
    for year in range(years[-1], years[0], -1):
        growth = max(-0.35, YEAR_GROWTH.get(year, 0.06) + rng.gauss(0, 0.09))
        if year - 1 == founded:
            growth += rng.uniform(0.3, 1.0)  # a first, partial year
        revenue[year - 1] = revenue[year] / (1 + growth)
    high_tech = bool(windows)
    bonus = 0.02 if rec.sector in {"ic", "digital"} else 0.005 if sector.hightech >= 2.0 else 0.0
    if high_tech:
        rd_start: int | None = years[0]
        ratio_2024 = _rd_threshold(revenue_2024) + rng.uniform(0.001, 0.012) + bonus
    elif rec.is_above_scale:
        rd_start = rng.choices((2020, 2021, 2022, 2023, 2024, None), weights=(22, 12, 13, 14, 15, 24))[0]
        ratio_2024 = rng.uniform(0.006, 0.03) + bonus
    else:
        rd_start = rng.choices((2020, 2022, 2023, 2024, None), weights=(10, 8, 9, 10, 63))[0]
        ratio_2024 = rng.uniform(0.01, 0.06) + bonus
    hightech_share = rng.uniform(0.6, 0.95)
    out = []
    for year in years:
        rev = revenue[year]
        ratio = ratio_2024 * 0.9 ** (2024 - year)
        certified = _covers(windows, dt.date(year, 12, 31))
        if certified:
            ratio = max(ratio, _rd_threshold(rev) + 0.001)
        rd = rev * ratio if rd_start is not None and year >= rd_start else 0.0
        rd_spend = _money(rd)
        hightech_revenue = _money(rev * hightech_share) if certified else None
        out.append(
            FigureRec(
                year=year,
                revenue=_money(rev),
                rd_spend=rd_spend,
                hightech_revenue=hightech_revenue,
                has_rd_activity=rd_spend > 0,
                invention_patents=_poisson(rng, rd / 900),
                utility_patents=_poisson(rng, rd / 160),
                design_patents=_poisson(rng, rev / 1000 * sector.design_patents * 0.1),
                software_copyrights=_poisson(
                    rng, rec.employees / 100 * sector.software * (1.5 if rd else 0.3)
                ),
            )
        )
    return out


def _qual(
    kind: str, level: str, issuer: str, number: str, start: dt.date | None, end: dt.date | None
) -> QualRec:
    return QualRec(
        kind=kind, level=level, issuer=issuer, certificate_no=number, valid_from=start, valid_until=end
    )


HIGH_TECH_ISSUER = "福建省科学技术厅、福建省财政厅、国家税务总局福建省税务局"
PROVINCE_MIIT = "福建省工业和信息化厅"
PROVINCE_STD = "福建省科学技术厅"
CITY_MIIT = "泉州市工业和信息化局"
CITY_STB = "泉州市科学技术局"
COUNTY_MIIT = "晋江市工业和信息化局"
MIIT = "工业和信息化部"


class _Qualifier:
    """Hands out qualifications by weighted draws, scaled to the number of enterprises (2,400 = the
    county's real counts from the seed, e.g. 8 national enterprise technology centres)."""

    def __init__(
        self,
        rng: random.Random,
        as_of: dt.date,
        strength: dict[str, float],
        scale: float,
    ) -> None:
        self.rng = rng
        self.as_of = as_of
        self.strength = strength
        self.scale = scale
        self.serial = Counter[str]()

    def count(self, n: float) -> int:
        return round(n * self.scale)

    def number(self, prefix: str) -> str:
        self.serial[prefix] += 1
        return f"{prefix}{self.serial[prefix]:04d}"

    def pick(self, k: int, pool: list[EnterpriseRec], sharpness: float = 1.0) -> list[EnterpriseRec]:
        weights = [math.exp(sharpness * self.strength[f.org.key]) for f in pool]
        return _weighted_sample(self.rng, pool, weights, min(k, len(pool)))

    def issue_date(self, month: int, earliest: int, latest: int | None = None) -> dt.date:
        """A random day of `month` in a year from earliest to latest, never after `as_of`."""
        latest = self.as_of.year if latest is None else latest
        years = [y for y in range(earliest, latest + 1) if dt.date(y, month, 28) <= self.as_of]
        year = self.rng.choice(years or [min(earliest, latest, self.as_of.year - 1)])
        return dt.date(year, month, self.rng.randint(1, 28))

    def windowed(
        self,
        firms: list[EnterpriseRec],
        kind: str,
        level: str,
        issuer: str,
        prefix: str,
        month: int,
        years: int,
        expired_share: float,
    ) -> None:
        for firm in firms:
            expired = self.rng.random() < expired_share
            if expired:
                start = self.issue_date(month, self.as_of.year - years - 3, self.as_of.year - years - 1)
            else:
                start = self.issue_date(month, self.as_of.year - years + 1)
            start, end = _window(start, years)
            firm.qualifications.append(
                _qual(kind, level, issuer, self.number(f"{prefix}{start.year}"), start, end)
            )

    def open_ended(
        self,
        firms: list[EnterpriseRec],
        kind: str,
        level: str,
        issuer: str,
        prefix: str,
        month: int,
        earliest: int,
    ) -> None:
        for firm in firms:
            start = self.issue_date(month, max(earliest, firm.founded_on.year + 1))
            firm.qualifications.append(
                _qual(kind, level, issuer, self.number(f"{prefix}{start.year}"), start, None)
            )


def _enterprises(rng: random.Random, codes: CreditCodes, n: int, as_of: dt.date) -> list[EnterpriseRec]:
    factory = _EnterpriseFactory(rng, codes)
    townships = list(TOWNSHIP_PROFILES)
    firms: list[EnterpriseRec] = []
    revenue: dict[str, float] = {}

    fixed = [ANCHOR, ANCHOR_2]
    n_leading = min(len(LEADING_FIRMS), max(0, round(n / 300)))
    fixed += list(LEADING_FIRMS[:n_leading])
    fixed = fixed[:n]
    for firm in fixed:
        spec = _spec(firm.sector, firm.code)
        rec = factory.build(
            firm.key,
            firm.township,
            firm.sector,
            spec,
            above=True,
            revenue_2024=firm.revenue_2024,
            founded=firm.founded,
            name=firm.name + DEMO_SUFFIX,
            leading=firm.key.startswith("lead"),
        )
        firms.append(rec)
        revenue[rec.org.key] = firm.revenue_2024

    rest = n - len(firms)
    # Pick township and sector first; decide 规上 with an exact share, then build.
    plan: list[tuple[str, str, CodeSpec]] = []
    for i in range(rest):
        township = (
            townships[i]
            if i < len(townships)
            else _weighted_pick(rng, {t: p[0] for t, p in TOWNSHIP_PROFILES.items()})
        )
        sector_key = _weighted_pick(rng, TOWNSHIP_PROFILES[township][1])
        specs = SECTORS[sector_key].codes
        spec = rng.choices(specs, weights=[s.weight for s in specs])[0]
        plan.append((township, sector_key, spec))
    target_above = max(0, round(0.40 * n) - len(firms))
    above_idx = set(
        _weighted_sample(rng, list(range(rest)), [SECTORS[p[1]].above_scale for p in plan], target_above)
    )
    for i, (township, sector_key, spec) in enumerate(plan):
        above = i in above_idx
        if above:  # 规上: ≥ 2,000万元 revenue, heavy tailed
            revenue_2024 = 2000 + math.exp(rng.gauss(math.log(7000), 1.05))
        else:
            revenue_2024 = min(1950.0, max(30.0, math.exp(rng.gauss(math.log(520), 0.85))))
        rec = factory.build(
            f"ent-{i + 1:05d}", township, sector_key, spec, above=above, revenue_2024=revenue_2024
        )
        firms.append(rec)
        revenue[rec.org.key] = revenue_2024

    _qualify_and_figure(rng, firms, revenue, as_of, n, fixed_keys={f.key for f in fixed})
    return firms


def _qualify_and_figure(
    rng: random.Random,
    firms: list[EnterpriseRec],
    revenue: dict[str, float],
    as_of: dt.date,
    n: int,
    fixed_keys: set[str],
) -> None:
    by_key = {f.org.key: f for f in firms}
    # --- 高新技术企业: ≈35% valid now, ≈5% lapsed; anchors and leading firms always valid.
    eligible = [f for f in firms if f.founded_on.year <= as_of.year - 2 and f.org.key not in fixed_keys]
    weights = [
        SECTORS[f.sector].hightech
        * (1.8 if f.is_above_scale else 0.7)
        * (1.3 if f.founded_on.year <= 2018 else 1.0)
        for f in eligible
    ]
    n_valid = max(0, round(0.35 * n) - len(fixed_keys))
    n_lapsed = round(0.05 * n)
    valid = _weighted_sample(rng, eligible, weights, n_valid)
    taken = {f.org.key for f in valid}
    old = [
        (f, w)
        for f, w in zip(eligible, weights, strict=True)
        if f.org.key not in taken and f.founded_on.year <= as_of.year - 6
    ]
    lapsed = _weighted_sample(rng, [f for f, _ in old], [w for _, w in old], n_lapsed)
    windows: dict[str, list[tuple[int, dt.date, dt.date]]] = {}
    for f in [by_key[k] for k in sorted(fixed_keys) if k in by_key] + valid:
        windows[f.org.key] = _hightech_windows(rng, as_of, f.founded_on.year, current=True)
    for f in lapsed:
        windows[f.org.key] = _hightech_windows(rng, as_of, f.founded_on.year, current=False)
    serial = Counter[int]()
    for f in firms:
        for year, start, end in windows.get(f.org.key, []):
            serial[year] += 1
            f.qualifications.append(
                _qual("high_tech", "national", HIGH_TECH_ISSUER, f"GR{year}35{serial[year]:06d}", start, end)
            )

    # --- yearly figures 2020–2024 (since founding): every 规上 firm, high-tech firms, 40% of the others.
    for f in firms:
        reports = f.is_above_scale or f.org.key in windows or rng.random() < 0.4
        if reports:
            f.figures = _figures(rng, f, revenue[f.org.key], windows.get(f.org.key, []), FIGURE_YEARS)

    # --- the other qualifications, drawn by strength (size, tech, sector).
    strength = {}
    for f in firms:
        rd = sum(float(x.rd_spend) for x in f.figures[-1:])
        strength[f.org.key] = (
            math.log10(revenue[f.org.key] + 10)
            + (1.0 if f.org.key in windows else 0.0)
            + 0.3 * SECTORS[f.sector].hightech
            + (0.5 if rd > 0 else 0.0)
        )
    q = _Qualifier(rng, as_of, strength, n / DEFAULT_ENTERPRISES)
    big = [f for f in firms if f.is_above_scale]
    techy = [f for f in firms if f.org.key in windows or f.is_above_scale]
    anchor = by_key.get(ANCHOR.key)
    leading = [f for f in firms if f.org.key.startswith("lead")]

    # 科技型中小企业: evaluated every year; this year's and (often) last year's entry.
    small = [
        f
        for f in firms
        if revenue[f.org.key] <= 20000 and f.employees <= 500 and f.figures and f.figures[-1].has_rd_activity
    ]
    for f in q.pick(round(0.28 * n), small, 0.5) + ([anchor] if anchor else []):
        if any(x.kind == "tech_sme" for x in f.qualifications):
            continue
        for year in (as_of.year - 1, as_of.year):
            start = dt.date(year, rng.randint(3, 6), rng.randint(1, 28))
            if start > as_of or (year < as_of.year and rng.random() < 0.3):
                continue
            f.qualifications.append(
                _qual(
                    "tech_sme",
                    "national",
                    PROVINCE_STD,
                    q.number(f"{year}{REGION}A0"),
                    start,
                    dt.date(year, 12, 31),
                )
            )

    specialised = q.pick(q.count(154), techy, 0.8)
    if anchor and anchor not in specialised:
        specialised.append(anchor)
    q.windowed(specialised, "specialised", "provincial", PROVINCE_MIIT, "FJZJTX", 9, 3, 0.12)
    q.windowed(q.pick(q.count(30), specialised, 1.5), "little_giant", "national", MIIT, "GXBXJR", 7, 3, 0.1)
    q.windowed(
        q.pick(q.count(180), techy, 0.8), "tech_giant", "provincial", PROVINCE_STD, "FJKJXJR", 10, 3, 0.15
    )
    q.open_ended(
        q.pick(q.count(193), techy, 0.6),
        "strategic_emerging",
        "municipal",
        "泉州市发展和改革委员会",
        "QZZX",
        6,
        2016,
    )
    # 企业技术中心 48 省级以上 (8 国家级), 工业设计中心 14 省级以上 (5 国家级), more at city level.
    national_tc = leading + q.pick(q.count(8) - len(leading), [f for f in big if f not in leading], 1.5)
    q.open_ended(
        national_tc[: max(q.count(8), len(leading))],
        "tech_center",
        "national",
        "国家发展和改革委员会",
        "GJQYJSZX",
        11,
        2005,
    )
    have = {f.org.key for f in national_tc}
    provincial_tc = q.pick(q.count(40), [f for f in big if f.org.key not in have], 1.2)
    q.open_ended(provincial_tc, "tech_center", "provincial", PROVINCE_MIIT, "SJQYJSZX", 12, 2008)
    have |= {f.org.key for f in provincial_tc}
    q.open_ended(
        q.pick(q.count(60), [f for f in big if f.org.key not in have], 0.8),
        "tech_center",
        "municipal",
        CITY_MIIT,
        "QZQYJSZX",
        12,
        2012,
    )
    design_pool = [f for f in big if f.sector in {"shoes", "apparel", "building", "paper", "equipment"}]
    national_dc = q.pick(q.count(5), design_pool, 1.5)
    q.open_ended(national_dc, "design_center", "national", MIIT, "GJGYSJZX", 12, 2013)
    q.open_ended(
        q.pick(q.count(9), [f for f in design_pool if f not in national_dc], 1.0),
        "design_center",
        "provincial",
        PROVINCE_MIIT,
        "SJGYSJZX",
        10,
        2014,
    )
    rd_centers = q.pick(q.count(56), techy, 0.8)
    q.open_ended(rd_centers, "rd_center", "provincial", PROVINCE_STD, "FJGCZX", 8, 2010)
    municipal_rd = q.pick(q.count(80), [f for f in techy if f not in rd_centers], 0.5)
    if anchor and anchor not in rd_centers and anchor not in municipal_rd:
        municipal_rd.append(anchor)
    q.open_ended(municipal_rd, "rd_center", "municipal", CITY_STB, "QZYFZX", 8, 2012)
    q.open_ended(q.pick(q.count(7), big, 1.5), "key_lab", "provincial", PROVINCE_STD, "FJQYZDSYS", 11, 2015)
    q.open_ended(
        q.pick(q.count(19), big, 1.2),
        "academician_station",
        "provincial",
        "福建省科学技术协会",
        "FJYSGZZ",
        5,
        2010,
    )
    postdoc = q.pick(max(1, q.count(4)), big, 2.0)
    q.open_ended(
        postdoc, "postdoc_station", "national", "人力资源和社会保障部、全国博士后管委会", "BSHGZZ", 10, 2016
    )
    smart = q.pick(q.count(60), big, 1.0)
    q.open_ended(smart[: q.count(8)], "smart_manufacturing", "national", MIIT, "ZNZZSF", 9, 2018)
    q.open_ended(smart[q.count(8) :], "smart_manufacturing", "provincial", PROVINCE_MIIT, "FJZNZZ", 9, 2018)
    green = q.pick(q.count(60), [f for f in big if f.sector not in {"digital"}], 0.8)
    q.open_ended(green[: q.count(20)], "green_factory", "national", MIIT, "GJLSGC", 1, 2017)
    q.open_ended(green[q.count(20) :], "green_factory", "provincial", PROVINCE_MIIT, "FJLSGC", 1, 2018)
    q.open_ended(q.pick(q.count(6), big, 1.5), "green_supply_chain", "national", MIIT, "GJLSGYL", 1, 2018)
    cloud = q.pick(round(0.45 * n), firms, 0.3)
    if anchor and anchor not in cloud:
        cloud.append(anchor)
    q.open_ended(cloud, "cloud", "county", COUNTY_MIIT, "JJSYPT", 6, 2019)
    top100 = leading + q.pick(max(0, q.count(6) - len(leading)), [f for f in big if f not in leading], 2.0)
    for f in top100[: max(q.count(6), len(leading))]:
        start = dt.date(as_of.year - 1 if as_of.month < 6 else as_of.year, 5, 20)
        f.qualifications.append(
            _qual(
                "innovation_top100", "provincial", PROVINCE_STD, q.number(f"FJCXBQ{start.year}"), start, None
            )
        )
    for f in firms:
        f.qualifications.sort(key=lambda x: (x.kind, x.valid_from or dt.date.min))


# ---- experts and achievements -------------------------------------------------------------------------


def _load_achievements(path: Path, limit: int | None) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rows.append(json.loads(line))
                if limit is not None and len(rows) >= limit:
                    break
    return rows


def _experts(
    rng: random.Random, papers: list[dict[str, Any]]
) -> tuple[list[ExpertRec], dict[str, list[str]]]:
    by_discipline: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for paper in papers:
        by_discipline[paper["discipline"]].append(paper)
    used_names: set[str] = set()
    usage: Counter[str] = Counter()
    experts: list[ExpertRec] = []
    authors: dict[str, list[str]] = defaultdict(list)
    for spec in INSTITUTIONS:
        titles = EXPERT_TITLES_UNIVERSITY if spec.category == "university" else EXPERT_TITLES_INSTITUTE
        for i in range(spec.experts):
            discipline = spec.csl[i % len(spec.csl)] if i < len(spec.csl) else rng.choice(spec.csl)
            key = f"expert-{len(experts) + 1:03d}"
            name = _person_name(rng, SURNAMES, used_names)
            title = rng.choices([t for t, _ in titles], weights=[w for _, w in titles])[0]
            pool = list(by_discipline.get(discipline, []))
            rng.shuffle(pool)
            pool.sort(key=lambda p: usage[p["id"]])
            chosen = pool[: rng.randint(2, 6)]
            for paper in chosen:
                usage[paper["id"]] += 1
                authors[paper["id"]].append(key)
            keywords: list[str] = []
            for paper in chosen:
                for word in paper.get("keywords") or []:
                    if word not in keywords and len(word) <= 12:
                        keywords.append(word)
            fields = "、".join([discipline.replace("/", "、"), *keywords[:4]])
            commissioner = rng.random() < 0.3
            bio = (
                f"{spec.name}{title}，主要从事{discipline}方向的研究与技术服务"
                f"{'，晋江市科技特派员' if commissioner else ''}。"
                "演示数据：虚构人物，代表性成果取自公开论文数据集。"
            )
            experts.append(
                ExpertRec(
                    key=key,
                    name=name,
                    institution=spec.key,
                    title=title,
                    fields=fields[:300],
                    bio=bio,
                    email=f"{key}@example.com",
                    is_tech_commissioner=commissioner,
                    publications=[p["id"] for p in chosen],
                )
            )
    return experts, authors


def _achievements(
    papers: list[dict[str, Any]], experts: list[ExpertRec], authors: dict[str, list[str]]
) -> list[AchievementRec]:
    institution_of = {e.key: e.institution for e in experts}
    out = []
    for paper in papers:
        keys = authors.get(paper["id"], [])
        out.append(
            AchievementRec(
                source_ref=paper["id"],
                title=paper["title"],
                abstract=paper["abstract"],
                category=paper.get("category", ""),
                discipline=paper.get("discipline", ""),
                keywords=list(paper.get("keywords") or []),
                maturity="research",
                institution=institution_of[keys[0]] if keys else None,
                experts=list(keys),
            )
        )
    return out


# ---- entry point --------------------------------------------------------------------------------------


def generate(
    *,
    seed: int = DEFAULT_SEED,
    enterprises: int = DEFAULT_ENTERPRISES,
    achievements_limit: int | None = None,
    as_of: dt.date | None = None,
    achievements_path: Path | None = None,
) -> DemoData:
    """The whole demo registry. Same arguments → same records."""
    if enterprises < 2:
        raise ValueError("enterprises must be at least 2 (the two demo users' firms)")
    as_of = as_of or dt.date.today()
    codes = CreditCodes(random.Random(seed + 1))

    townships = [TownshipRec(name, "subdistrict", i + 1) for i, name in enumerate(SUBDISTRICTS)]
    townships += [TownshipRec(name, "town", len(SUBDISTRICTS) + i + 1) for i, name in enumerate(TOWNS)]
    chains = [ChainRec(name, desc, i + 1) for i, (name, desc) in enumerate(CHAINS)]

    operators = []
    for key, name, region, city, description in OPERATORS:
        operators.append(
            OrgRec(
                key=key,
                kind="operator",
                name=name,
                credit_code=codes.make(region=region) if region else "",
                township=None,
                address=f"{city}市" if city != "晋江" else "福建省晋江市",
                description=description,
            )
        )
    institutions = [
        InstitutionRec(
            org=OrgRec(
                key=s.key,
                kind="institution",
                name=s.name,
                address=f"{s.city}市" if s.city != "晋江" else "福建省晋江市",
                description=s.description,
            ),
            category=s.category,
            level=s.level,
            disciplines=s.disciplines,
            city=s.city,
            in_county=s.in_county,
            csl_disciplines=s.csl,
        )
        for s in INSTITUTIONS
    ]
    investors = []
    for key, name, kind, region, industries, stages, funds in INVESTORS:
        org = OrgRec(
            key=key,
            kind="investor",
            name=name + DEMO_SUFFIX,
            credit_code=codes.make(region=region),
            address="福建省晋江市" if region == REGION else "",
            description=f"{'银行机构' if kind == 'bank' else '投资机构'}，关注{industries}。",
        )
        investors.append(
            InvestorRec(
                org=org,
                kind=kind,
                focus_industries=industries,
                focus_stages=stages,
                funds=[
                    FundRec(f_name + DEMO_SUFFIX, Decimal(size), guided, focus)
                    for f_name, size, guided, focus in funds
                ],
            )
        )

    firms = _enterprises(random.Random(seed + 2), codes, enterprises, as_of)

    papers = _load_achievements(achievements_path or ACHIEVEMENTS_FILE, achievements_limit)
    experts, authors = _experts(random.Random(seed + 3), papers)
    achievements = _achievements(papers, experts, authors)
    account_expert = next(e for e in experts if e.institution == "inst-fzu")
    enclaves = [EnclaveRec(**{**e.__dict__, "partners": list(e.partners)}) for e in ENCLAVES]
    return DemoData(
        seed=seed,
        as_of=as_of,
        townships=townships,
        chains=chains,
        operators=operators,
        institutions=institutions,
        investors=investors,
        enterprises=firms,
        experts=experts,
        enclaves=enclaves,
        achievements=achievements,
        accounts=_accounts(account_expert.key, account_expert.name),
    )
