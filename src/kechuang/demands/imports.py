"""Batch import of demands from a campaign's Excel form, on the registry's import page and command.

Same two steps and guarantees as the registry import: per-row Chinese errors, nothing written unless
every row is valid, then one transaction. Each row is filed through services.file_demand so it gets its
timeline, funnel stage and notifications like a demand typed in by hand.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from kechuang.core.validators import normalise_credit_code
from kechuang.demands.choices import Confidentiality, CooperationMode, DemandType
from kechuang.demands.models import Campaign
from kechuang.demands.services import DemandData, check_demand_data, file_demand
from kechuang.orgs.imports import (
    Column,
    ImportPlan,
    ImportSpec,
    RowError,
    amount,
    choice,
    credit_code,
    date,
    name_list,
    phone,
    register_import,
    text,
)
from kechuang.orgs.models import Enterprise

DEMAND_SPEC = ImportSpec(
    "demand",
    "技术需求（征集表）",
    (
        Column("统一社会信用代码", "credit_code", credit_code, True, "需求企业须已在企业库登记"),
        Column("需求名称", "title", text(120), True),
        Column(
            "需求类型",
            "demand_type",
            choice(DemandType),
            True,
            "技术攻关/成果引进/人才需求/检验检测/中试熟化/设备/工艺改造/融资需求",
        ),
        Column("需求描述", "description", text(20000), True),
        Column("技术指标要求", "indicators", text(5000)),
        Column("预算下限(万元)", "budget_min", amount),
        Column("预算上限(万元)", "budget_max", amount),
        Column("期望完成时间", "deadline", date),
        Column("合作方式", "cooperation_modes", name_list, False, "多个用顿号分隔，如 合作开发、技术服务"),
        Column("联系人", "contact_name", text(40)),
        Column("联系电话", "contact_phone", phone),
        Column(
            "公开方式",
            "confidentiality",
            choice(Confidentiality),
            False,
            "公开/仅公开摘要/不公开（默认不公开）",
        ),
        Column("公开摘要", "public_summary", text(2000)),
        Column("征集活动", "campaign", text(120), False, "活动名称，须已创建"),
    ),
)


def check_demands(plan: ImportPlan) -> None:
    codes = {v["credit_code"] for _, v in plan.rows}
    enterprises = {
        e.organization.credit_code: e
        for e in Enterprise.objects.filter(organization__credit_code__in=codes).select_related("organization")
    }
    campaigns = {c.title: c for c in Campaign.objects.all()}
    modes = {str(label): value for value, label in CooperationMode.choices}
    kept = []
    for row_no, v in plan.rows:
        problems = []
        enterprise = enterprises.get(normalise_credit_code(v["credit_code"]))
        if enterprise is None:
            problems.append(("统一社会信用代码", "该企业尚未在企业库登记，请先导入企业"))
        bad_modes = [m for m in v["cooperation_modes"] if m not in modes]
        if bad_modes:
            problems.append(("合作方式", f"无法识别：{'、'.join(bad_modes)}"))
        if v["campaign"] and v["campaign"] not in campaigns:
            problems.append(("征集活动", f"“{v['campaign']}”不存在"))
        data = DemandData(
            title=v["title"],
            description=v["description"],
            demand_type=v["demand_type"],
            indicators=v["indicators"],
            budget_min=v["budget_min"],
            budget_max=v["budget_max"],
            deadline=v["deadline"],
            cooperation_modes=[modes[m] for m in v["cooperation_modes"] if m in modes],
            contact_name=v["contact_name"],
            contact_phone=v["contact_phone"],
            confidentiality=v["confidentiality"] or Confidentiality.PRIVATE,
            public_summary=v["public_summary"],
            summary_approved=bool(v["public_summary"]),
            campaign_id=campaigns[v["campaign"]].pk if v["campaign"] in campaigns else None,
        )
        try:
            check_demand_data(data)
        except ValidationError as exc:
            labels = {
                "title": "需求名称",
                "description": "需求描述",
                "budget_max": "预算上限(万元)",
                "deadline": "期望完成时间",
                "public_summary": "公开摘要",
            }
            for name, messages in exc.message_dict.items():
                problems += [(labels.get(name, name), m) for m in messages]
        if problems:
            plan.errors.extend(RowError(row_no, column, message) for column, message in problems)
            continue
        v["_enterprise"], v["_data"] = enterprise, data
        kept.append((row_no, v))
        plan.creates += 1
    plan.rows = kept


def write_demands(plan: ImportPlan, actor: User | None) -> None:
    for _, v in plan.rows:
        row: dict[str, Any] = v
        file_demand(actor=actor, enterprise=row["_enterprise"], data=row["_data"], submit=True)


def register() -> None:
    register_import(DEMAND_SPEC, check_demands, write_demands)
