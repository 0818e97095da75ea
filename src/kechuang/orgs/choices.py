"""Fixed vocabularies of the registry, Chinese labels first."""

from __future__ import annotations

from django.db import models


class OrgKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    INSTITUTION = "institution", "高校院所"
    INVESTOR = "investor", "投资机构"
    OPERATOR = "operator", "运营机构"
    OTHER = "other", "其他"


class TownshipKind(models.TextChoices):
    SUBDISTRICT = "subdistrict", "街道"
    TOWN = "town", "镇"


class QualificationKind(models.TextChoices):
    HIGH_TECH = "high_tech", "高新技术企业"
    TECH_SME = "tech_sme", "科技型中小企业"
    SPECIALISED = "specialised", "专精特新中小企业"
    LITTLE_GIANT = "little_giant", "专精特新“小巨人”企业"
    TECH_GIANT = "tech_giant", "科技小巨人企业"
    STRATEGIC_EMERGING = "strategic_emerging", "战略性新兴产业企业"
    TECH_CENTER = "tech_center", "企业技术中心"
    DESIGN_CENTER = "design_center", "工业设计中心"
    RD_CENTER = "rd_center", "企业研发中心"
    KEY_LAB = "key_lab", "企业重点实验室"
    ACADEMICIAN_STATION = "academician_station", "院士工作站"
    POSTDOC_STATION = "postdoc_station", "博士后科研工作站"
    SMART_MANUFACTURING = "smart_manufacturing", "智能制造试点示范"
    GREEN_FACTORY = "green_factory", "绿色工厂"
    GREEN_SUPPLY_CHAIN = "green_supply_chain", "绿色供应链管理企业"
    CLOUD = "cloud", "上云上平台"
    INNOVATION_TOP100 = "innovation_top100", "创新百强企业"


# Kinds that count as "has an R&D institution" in the 三个覆盖 measure.
RD_INSTITUTION_KINDS = frozenset(
    {
        QualificationKind.TECH_CENTER,
        QualificationKind.DESIGN_CENTER,
        QualificationKind.RD_CENTER,
        QualificationKind.KEY_LAB,
        QualificationKind.ACADEMICIAN_STATION,
        QualificationKind.POSTDOC_STATION,
    }
)

# The tiers shown on the dashboard, in the order the bureau reports them.
DASHBOARD_TIERS = (
    QualificationKind.HIGH_TECH,
    QualificationKind.TECH_SME,
    QualificationKind.SPECIALISED,
    QualificationKind.LITTLE_GIANT,
    QualificationKind.TECH_GIANT,
    QualificationKind.STRATEGIC_EMERGING,
)


class Level(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    MUNICIPAL = "municipal", "市级"
    COUNTY = "county", "县级"
    NONE = "", "—"


class InstitutionCategory(models.TextChoices):
    UNIVERSITY = "university", "高校"
    RESEARCH_INSTITUTE = "research_institute", "科研院所"
    NEW_RD = "new_rd", "新型研发机构"
    PLATFORM = "platform", "科研平台"
    INCUBATOR = "incubator", "孵化载体"
    SERVICE = "service", "科技服务机构"


class EnclaveModel(models.TextChoices):
    TALENT = "talent", "人才科创飞地"
    TWO_WAY = "two_way", "双向飞地"
    TRACK = "track", "专业赛道飞地"
    OTHER = "other", "其他"


class InvestorKind(models.TextChoices):
    VC = "vc", "创业投资机构"
    PE = "pe", "私募股权机构"
    GOV_FUND = "gov_fund", "政府引导基金"
    BANK = "bank", "银行"
    ANGEL = "angel", "天使投资"
