"""Excel/CSV import of enterprises, institutions and experts.

Two steps: `preview_import` stores the file and validates every row (a dry run: nothing is written to
the registry), then `commit_import` validates again and writes all rows in one transaction, or none.
Errors are per row and column, in Chinese. Rows are upserted by 统一社会信用代码 (institutions without
one by name; experts by name + institution). Writes are bulk and recorded in history, so 50,000 rows
import in well under a minute.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kechuang.core.excel import Table, TableReadError, read_table, write_xlsx
from kechuang.core.validators import credit_code_error, normalise_credit_code, normalise_phone, validate_phone
from kechuang.orgs.choices import InstitutionCategory, Level, OrgKind, QualificationKind
from kechuang.orgs.industries import industry_code_error
from kechuang.orgs.models import (
    Enterprise,
    EnterpriseYearFigure,
    Expert,
    ImportBatch,
    IndustryChainTag,
    Institution,
    Organization,
    Qualification,
    Township,
)
from kechuang.orgs.services import with_actor

MAX_ROWS = 200_000
MAX_AMOUNT = Decimal("100000000")  # 万元: one trillion yuan is out of range for a county enterprise
CHUNK = 2000


class CellError(ValueError):
    """A cell's value cannot be used; the message is shown to the user."""


# ---- cell parsers -------------------------------------------------------------------------------------


def text(max_len: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        result = str(value).strip()
        if len(result) > max_len:
            raise CellError(f"内容过长（{len(result)}字），最多{max_len}字")
        return result

    return parse


def yes_no(value: Any) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    token = str(value).strip().lower()
    if token in {"是", "y", "yes", "true", "1", "√", "有"}:
        return True
    if token in {"否", "n", "no", "false", "0", "×", "无"}:
        return False
    raise CellError(f"应填“是”或“否”，而不是“{value}”")


def maybe_yes_no(value: Any) -> bool | None:
    """是/否 where a blank means "not reported" (compliance data), never "no"."""
    if value is None or value == "":
        return None
    return yes_no(value)


def whole_number(maximum: int) -> Callable[[Any], int | None]:
    def parse(value: Any) -> int | None:
        if value is None or value == "":
            return None
        try:
            number = Decimal(str(value).replace(",", "").strip())
        except InvalidOperation as exc:
            raise CellError(f"应为整数，而不是“{value}”") from exc
        if number != number.to_integral_value():
            raise CellError(f"应为整数，而不是“{value}”")
        if number < 0 or number > maximum:
            raise CellError(f"数值 {number} 超出范围（0 至 {maximum:,}）")
        return int(number)

    return parse


def amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", "").replace("万元", "").strip())
    except InvalidOperation as exc:
        raise CellError(f"应为金额数字（单位：万元），而不是“{value}”") from exc
    if not number.is_finite() or number < 0 or number > MAX_AMOUNT:
        raise CellError(f"金额 {value} 超出范围（0 至 1亿万元）")
    return number.quantize(Decimal("0.01"))


def year(value: Any) -> int | None:
    number = whole_number(2100)(value)
    if number is not None and not 2000 <= number <= dt.date.today().year:
        raise CellError(f"年度 {number} 不合理（应在2000年至今年之间）")
    return number


_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE_RE.match(str(value).strip())
    if not match:
        raise CellError(f"日期格式应为 2020-03-01 或 2020年3月1日，而不是“{value}”")
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        raise CellError(f"日期“{value}”不存在") from exc


def credit_code(value: Any) -> str:
    if value is None or value == "":
        return ""
    code = normalise_credit_code(str(value))
    if error := credit_code_error(code):
        raise CellError(error)
    return code


def phone(value: Any) -> str:
    if value is None or value == "":
        return ""
    raw = str(int(value)) if isinstance(value, float) else str(value)
    try:
        validate_phone(raw)
    except Exception as exc:
        raise CellError("电话号码格式不正确") from exc
    return normalise_phone(raw)


def industry(value: Any) -> str:
    code = text(4)(value)
    if error := industry_code_error(code):
        raise CellError(error)
    return code


def choice(choices: type[Any]) -> Callable[[Any], str]:
    by_label = {str(label): value for value, label in choices.choices}
    values = {value for value, _ in choices.choices}

    def parse(value: Any) -> str:
        if value is None or value == "":
            return ""
        token = str(value).strip()
        if token in by_label:
            return by_label[token]
        if token in values:
            return token
        options = "、".join(str(label) for value, label in choices.choices if value)
        raise CellError(f"“{token}”不是可选值（可选：{options}）")

    return parse


def name_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return [part.strip() for part in re.split(r"[、,，;；/\s]+", str(value)) if part.strip()]


# ---- specs --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    parse: Callable[[Any], Any]
    required: bool = False
    hint: str = ""


@dataclass(frozen=True)
class ImportSpec:
    kind: str
    label: str
    columns: tuple[Column, ...]

    def column(self, header: str) -> Column | None:
        return next((c for c in self.columns if c.header == header), None)


ENTERPRISE_SPEC = ImportSpec(
    "enterprise",
    "企业",
    (
        Column("统一社会信用代码", "credit_code", credit_code, True, "18位，按 GB 32100-2015 校验"),
        Column("企业名称", "name", text(120), True),
        Column("所在镇街", "township", text(40), False, "如 陈埭镇、青阳街道"),
        Column("地址", "address", text(200)),
        Column("联系人", "contact_name", text(40)),
        Column("联系电话", "contact_phone", phone, False, "手机或带区号的固话"),
        Column("行业代码", "industry_code", industry, False, "GB/T 4754-2017，2至4位，如 1952"),
        Column("规上企业", "is_above_scale", yes_no, False, "是/否"),
        Column("从业人员", "employees", whole_number(1_000_000)),
        Column("科技人员", "tech_staff", whole_number(1_000_000)),
        Column("成立日期", "founded_on", date, False, "如 2008-05-20"),
        Column("主营产品", "main_products", text(200)),
        Column("产业链", "chains", name_list, False, "多个用顿号分隔，须为已配置的产业链"),
        Column(
            "资质荣誉",
            "qualifications",
            name_list,
            False,
            "多个用顿号分隔，如 高新技术企业、专精特新中小企业",
        ),
        Column("年度", "year", year, False, "填写则同时导入该年度数据"),
        Column("营业收入(万元)", "revenue", amount),
        Column("研发投入(万元)", "rd_spend", amount),
        Column("高新技术产品收入(万元)", "hightech_revenue", amount),
        Column("有研发活动", "has_rd_activity", yes_no, False, "是/否"),
        Column("发明专利(件)", "invention_patents", whole_number(100_000)),
        Column("实用新型专利(件)", "utility_patents", whole_number(100_000)),
        Column("软件著作权(件)", "software_copyrights", whole_number(100_000)),
        Column("外观设计专利(件)", "design_patents", whole_number(100_000)),
        Column("境内研发费用(万元)", "rd_spend_domestic", amount),
        Column("资产总额(万元)", "total_assets", amount),
        Column("成本费用总额(万元)", "total_cost", amount),
        Column("纳税总额(万元)", "taxes_paid", amount, False, "税务部门数据"),
        Column("年末职工总数", "year_employees", whole_number(1_000_000), False, "该年度数据"),
        Column("年末科技人员数", "year_tech_staff", whole_number(1_000_000), False, "该年度数据"),
        Column("重大安全质量环境事故", "major_incident", maybe_yes_no, False, "是/否；不填为未报送"),
        Column("科研严重失信", "research_misconduct", maybe_yes_no, False, "是/否；不填为未报送"),
        Column("经营异常或严重违法失信", "abnormal_listed", maybe_yes_no, False, "是/否；不填为未报送"),
        Column("禁止限制淘汰类产品", "restricted_products", maybe_yes_no, False, "是/否；不填为未报送"),
        Column("重点支持高新技术领域", "in_supported_field", maybe_yes_no, False, "是/否"),
        Column("创新能力评价得分", "innovation_score", whole_number(100), False, "0–100"),
    ),
)

INSTITUTION_SPEC = ImportSpec(
    "institution",
    "高校院所",
    (
        Column("名称", "name", text(120), True),
        Column("统一社会信用代码", "credit_code", credit_code, False, "有则按此代码更新"),
        Column(
            "类别",
            "category",
            choice(InstitutionCategory),
            True,
            "高校/科研院所/新型研发机构/科研平台/孵化载体",
        ),
        Column("级别", "level", choice(Level), False, "国家级/省级/市级/县级"),
        Column("优势学科/方向", "disciplines", text(300)),
        Column("所在城市", "city", text(40)),
        Column("落地本县", "in_county", yes_no, False, "是/否"),
        Column("地址", "address", text(200)),
        Column("联系人", "contact_name", text(40)),
        Column("联系电话", "contact_phone", phone),
        Column("简介", "description", text(5000)),
    ),
)

EXPERT_SPEC = ImportSpec(
    "expert",
    "专家",
    (
        Column("姓名", "name", text(40), True),
        Column("所在单位", "institution", text(120), False, "须为已登记的高校院所名称"),
        Column("职称", "title", text(40)),
        Column("研究领域", "fields", text(300)),
        Column("简介", "bio", text(5000)),
        Column("代表性成果", "publications", text(20000), False, "每项一行"),
        Column("联系电话", "phone", phone),
        Column("电子邮箱", "email", text(254)),
        Column("科技特派员", "is_tech_commissioner", yes_no, False, "是/否"),
    ),
)

SPECS: dict[str, ImportSpec] = {s.kind: s for s in (ENTERPRISE_SPEC, INSTITUTION_SPEC, EXPERT_SPEC)}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportPlan:
    """The validated rows and what committing them would do."""

    spec: ImportSpec
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    creates: int = 0
    updates: int = 0
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})


def template_workbook(kind: str) -> bytes:
    spec = SPECS[kind]
    headers = [c.header + ("*" if c.required else "") for c in spec.columns]
    notes = [
        f"{spec.label}导入模板：带 * 的列必填；第一行为表头，请勿修改表头文字。",
        "单个文件不超过 20 MB。",
    ]
    notes += [f"{c.header}：{c.hint}" for c in spec.columns if c.hint]
    return write_xlsx(headers, [], title=f"{spec.label}导入", notes=notes)


def _parse_rows(spec: ImportSpec, table: Table) -> ImportPlan:
    plan = ImportPlan(spec=spec)
    headers = [h.rstrip("*").strip() for h in table.headers]
    missing = [c.header for c in spec.columns if c.required and c.header not in headers]
    unknown = [h for h in headers if h and spec.column(h) is None]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("缺少必填列：" + "、".join(missing))
        if unknown:
            parts.append("无法识别的列：" + "、".join(unknown))
        plan.errors.append(RowError(1, "表头", "；".join(parts) + "。请下载最新模板，按模板表头填写。"))
        return plan
    if len(table.rows) > MAX_ROWS:
        plan.errors.append(
            RowError(1, "文件", f"数据行过多（{len(table.rows):,}行），单次最多导入{MAX_ROWS:,}行")
        )
        return plan
    positions = [(i, spec.column(h)) for i, h in enumerate(headers) if h]
    # Optional columns left out of the file get their empty value, so checks can rely on every key.
    absent = {c.key: c.parse(None) for c in spec.columns if c.header not in headers}
    for offset, raw in enumerate(table.rows):
        row_no = offset + 2
        values: dict[str, Any] = dict(absent)
        ok = True
        for index, column in positions:
            assert column is not None
            cell = raw[index] if index < len(raw) else None
            if column.required and (cell is None or cell == ""):
                plan.errors.append(RowError(row_no, column.header, "必填项为空"))
                ok = False
                continue
            try:
                values[column.key] = column.parse(cell)
            except CellError as exc:
                plan.errors.append(RowError(row_no, column.header, str(exc)))
                ok = False
        if ok:
            plan.rows.append((row_no, values))
    return plan


# ---- per-kind checks against the database and writers -----------------------------------------------


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def _check_enterprises(plan: ImportPlan) -> None:
    townships = {t.name: t for t in Township.objects.all()}
    chains = {c.name: c for c in IndustryChainTag.objects.all()}
    quals = {str(label): value for value, label in QualificationKind.choices}
    codes = [v["credit_code"] for _, v in plan.rows]
    existing: dict[str, Organization] = {}
    for chunk in _chunks(codes):
        for org in Organization.objects.filter(credit_code__in=chunk):
            existing[org.credit_code] = org
    seen: dict[str, int] = {}
    kept = []
    for row_no, v in plan.rows:
        problems = []
        code = v["credit_code"]
        if code in seen:
            problems.append(("统一社会信用代码", f"与第{seen[code]}行重复"))
        seen.setdefault(code, row_no)
        found = existing.get(code)
        if found is not None and found.kind != OrgKind.ENTERPRISE:
            problems.append(
                ("统一社会信用代码", f"该代码已登记为{org.get_kind_display()}“{org.name}”，不能作为企业导入")
            )
        if v.get("township") and v["township"] not in townships:
            problems.append(("所在镇街", f"“{v['township']}”不是本县镇街"))
        bad_chains = [c for c in v.get("chains", []) if c not in chains]
        if bad_chains:
            problems.append(("产业链", f"未配置的产业链：{'、'.join(bad_chains)}"))
        bad_quals = [q for q in v.get("qualifications", []) if q not in quals]
        if bad_quals:
            problems.append(("资质荣誉", f"无法识别：{'、'.join(bad_quals)}"))
        if (
            v.get("employees") is not None
            and v.get("tech_staff") is not None
            and v["tech_staff"] > v["employees"]
        ):
            problems.append(("科技人员", "科技人员数不能大于从业人员数"))
        figure_values = [v.get(k) for k, _ in FIGURE_KEYS if k not in ("has_rd_activity",)]
        if any(x not in (None, 0) for x in figure_values) and v.get("year") is None:
            problems.append(("年度", "填写了年度数据时，年度必填"))
        if (
            v.get("year_employees") is not None
            and v.get("year_tech_staff") is not None
            and v["year_tech_staff"] > v["year_employees"]
        ):
            problems.append(("年末科技人员数", "科技人员数不能大于职工总数"))
        if (
            v.get("rd_spend") is not None
            and v.get("rd_spend_domestic") is not None
            and v["rd_spend_domestic"] > v["rd_spend"]
        ):
            problems.append(("境内研发费用(万元)", "境内研发费用不能大于研发投入"))
        if v.get("revenue") is not None:
            if v.get("rd_spend") is not None and v["rd_spend"] > v["revenue"]:
                problems.append(("研发投入(万元)", "研发投入不能大于营业收入"))
            if v.get("hightech_revenue") is not None and v["hightech_revenue"] > v["revenue"]:
                problems.append(("高新技术产品收入(万元)", "高新技术产品收入不能大于营业收入"))
        if problems:
            plan.errors.extend(RowError(row_no, col, msg) for col, msg in problems)
            continue
        kept.append((row_no, v))
        if found is None:
            plan.creates += 1
        else:
            plan.updates += 1
    plan.rows = kept
    plan.context = {"townships": townships, "chains": chains, "quals": quals, "existing": existing}


ORG_FIELDS = ("name", "address", "contact_name", "contact_phone")
ENTERPRISE_FIELDS = (
    "industry_code",
    "is_above_scale",
    "employees",
    "tech_staff",
    "founded_on",
    "main_products",
    "in_supported_field",
    "innovation_score",
)


def _write_enterprises(plan: ImportPlan, actor: User | None) -> None:
    ctx = plan.context
    existing: dict[str, Organization] = ctx["existing"]
    townships: dict[str, Township] = ctx["townships"]
    reason = "Excel导入"
    new_orgs: list[Organization] = []
    changed_orgs: list[Organization] = []
    for _, v in plan.rows:
        township = townships.get(v.get("township") or "")
        org = existing.get(v["credit_code"])
        if org is None:
            org = Organization(kind=OrgKind.ENTERPRISE, credit_code=v["credit_code"])
            new_orgs.append(org)
        else:
            changed_orgs.append(org)
        for name in ORG_FIELDS:
            if name in v and (v[name] not in ("", None) or name == "name"):
                setattr(org, name, v[name])
        if township is not None:
            org.township = township
        existing[v["credit_code"]] = org
    for chunk in _chunks(new_orgs):
        bulk_create_with_history(chunk, Organization, default_user=actor, default_change_reason=reason)
    if new_orgs and new_orgs[0].pk is None:  # backends that do not return ids
        by_code = dict(
            Organization.objects.filter(credit_code__in=[o.credit_code for o in new_orgs]).values_list(
                "credit_code", "pk"
            )
        )
        for org in new_orgs:
            org.pk = org.id = by_code[org.credit_code]
    if changed_orgs:
        for chunk in _chunks(changed_orgs):
            bulk_update_with_history(
                chunk,
                Organization,
                [*ORG_FIELDS, "township", "updated_at"],
                default_user=actor,
                default_change_reason=reason,
            )
    org_ids = [existing[v["credit_code"]].pk for _, v in plan.rows]
    enterprises: dict[int, Enterprise] = {}
    for chunk in _chunks(org_ids):
        for enterprise in Enterprise.objects.filter(organization_id__in=chunk):
            enterprises[enterprise.organization_id] = enterprise
    new_enterprises: list[Enterprise] = []
    changed_enterprises: list[Enterprise] = []
    changed_ids: set[int] = set()
    for _, v in plan.rows:
        org = existing[v["credit_code"]]
        known = enterprises.get(org.pk)
        if known is None:
            enterprise = Enterprise(organization_id=org.pk)
            new_enterprises.append(enterprise)
            enterprises[org.pk] = enterprise
        else:
            enterprise = known
            if enterprise.pk not in changed_ids:
                changed_ids.add(enterprise.pk)
                changed_enterprises.append(enterprise)
        enterprise.township_id = org.township_id
        for name in ENTERPRISE_FIELDS:
            if name in v and v[name] not in ("", None):
                setattr(enterprise, name, v[name])
    for chunk in _chunks(new_enterprises):
        bulk_create_with_history(chunk, Enterprise, default_user=actor, default_change_reason=reason)
    if new_enterprises and new_enterprises[0].pk is None:
        by_org = dict(
            Enterprise.objects.filter(
                organization_id__in=[e.organization_id for e in new_enterprises]
            ).values_list("organization_id", "pk")
        )
        for enterprise in new_enterprises:
            enterprise.pk = enterprise.id = by_org[enterprise.organization_id]
    for chunk in _chunks(changed_enterprises):
        bulk_update_with_history(
            chunk,
            Enterprise,
            [*ENTERPRISE_FIELDS, "township", "updated_at"],
            default_user=actor,
            default_change_reason=reason,
        )
    _write_chains_and_qualifications(plan, existing, enterprises, actor)
    _write_figures(plan, existing, enterprises, actor)


def _write_chains_and_qualifications(
    plan: ImportPlan,
    orgs: dict[str, Organization],
    enterprises: dict[int, Enterprise],
    actor: User | None,
) -> None:
    chains: dict[str, IndustryChainTag] = plan.context["chains"]
    quals: dict[str, str] = plan.context["quals"]
    through = Enterprise.chains.through
    links = []
    wanted_quals: list[Qualification] = []
    org_ids = [orgs[v["credit_code"]].pk for _, v in plan.rows if v.get("qualifications")]
    have: set[tuple[int, str]] = set()
    for chunk in _chunks(org_ids):
        have |= set(
            Qualification.objects.filter(organization_id__in=chunk).values_list("organization_id", "kind")
        )
    for _, v in plan.rows:
        org = orgs[v["credit_code"]]
        enterprise = enterprises[org.pk]
        links += [
            through(enterprise_id=enterprise.pk, industrychaintag_id=chains[c].pk)
            for c in v.get("chains", [])
        ]
        for label in v.get("qualifications", []):
            key = (org.pk, quals[label])
            if key not in have:
                have.add(key)
                wanted_quals.append(Qualification(organization_id=org.pk, kind=quals[label]))
    for chunk in _chunks(links):
        through.objects.bulk_create(chunk, ignore_conflicts=True)
    for chunk in _chunks(wanted_quals):
        bulk_create_with_history(chunk, Qualification, default_user=actor, default_change_reason="Excel导入")


#: (import value key, EnterpriseYearFigure field); head counts of the year have their own columns.
FIGURE_KEYS = (
    ("revenue", "revenue"),
    ("rd_spend", "rd_spend"),
    ("hightech_revenue", "hightech_revenue"),
    ("has_rd_activity", "has_rd_activity"),
    ("invention_patents", "invention_patents"),
    ("utility_patents", "utility_patents"),
    ("design_patents", "design_patents"),
    ("software_copyrights", "software_copyrights"),
    ("rd_spend_domestic", "rd_spend_domestic"),
    ("total_assets", "total_assets"),
    ("total_cost", "total_cost"),
    ("taxes_paid", "taxes_paid"),
    ("year_employees", "employees"),
    ("year_tech_staff", "tech_staff"),
    ("major_incident", "major_incident"),
    ("research_misconduct", "research_misconduct"),
    ("abnormal_listed", "abnormal_listed"),
    ("restricted_products", "restricted_products"),
)


def _write_figures(
    plan: ImportPlan,
    orgs: dict[str, Organization],
    enterprises: dict[int, Enterprise],
    actor: User | None,
) -> None:
    rows = [(enterprises[orgs[v["credit_code"]].pk], v) for _, v in plan.rows if v.get("year")]
    if not rows:
        return
    existing: dict[tuple[int, int], EnterpriseYearFigure] = {}
    ids = [e.pk for e, _ in rows]
    for chunk in _chunks(ids):
        for figure in EnterpriseYearFigure.objects.filter(enterprise_id__in=chunk):
            existing[(figure.enterprise_id, figure.year)] = figure
    new: list[EnterpriseYearFigure] = []
    changed: list[EnterpriseYearFigure] = []
    changed_ids: set[int] = set()
    for enterprise, v in rows:
        key = (enterprise.pk, v["year"])
        known_figure = existing.get(key)
        if known_figure is None:
            figure = EnterpriseYearFigure(enterprise_id=enterprise.pk, year=v["year"])
            existing[key] = figure
            new.append(figure)
        else:
            figure = known_figure
            if figure.pk and figure.pk not in changed_ids:
                changed_ids.add(figure.pk)
                changed.append(figure)
        for value_key, name in FIGURE_KEYS:
            if value_key in v and v[value_key] is not None:
                setattr(figure, name, v[value_key])
        if figure.rd_spend:
            figure.has_rd_activity = True
    for chunk in _chunks(new):
        bulk_create_with_history(
            chunk, EnterpriseYearFigure, default_user=actor, default_change_reason="Excel导入"
        )
    for chunk in _chunks(changed):
        bulk_update_with_history(
            chunk,
            EnterpriseYearFigure,
            [*(name for _, name in FIGURE_KEYS), "updated_at"],
            default_user=actor,
            default_change_reason="Excel导入",
        )


def _check_institutions(plan: ImportPlan) -> None:
    by_code = {
        o.credit_code: o
        for o in Organization.objects.exclude(credit_code="").filter(
            credit_code__in=[v["credit_code"] for _, v in plan.rows if v["credit_code"]]
        )
    }
    by_name = {i.organization.name: i for i in Institution.objects.select_related("organization")}
    kept: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for row_no, v in plan.rows:
        key = v["credit_code"] or v["name"]
        if key in seen:
            plan.errors.append(RowError(row_no, "名称", f"与第{seen[key]}行重复"))
            continue
        seen[key] = row_no
        org = by_code.get(v["credit_code"]) if v["credit_code"] else None
        if org is not None and org.kind != OrgKind.INSTITUTION:
            plan.errors.append(
                RowError(row_no, "统一社会信用代码", f"该代码已登记为{org.get_kind_display()}“{org.name}”")
            )
            continue
        found = Institution.objects.filter(organization=org).first() if org else by_name.get(v["name"])
        v["_existing"] = found
        kept.append((row_no, v))
        plan.creates += found is None
        plan.updates += found is not None
    plan.rows = kept


def _write_institutions(plan: ImportPlan, actor: User | None) -> None:
    for _, v in plan.rows:
        institution: Institution | None = v["_existing"]
        org = institution.organization if institution else Organization(kind=OrgKind.INSTITUTION)
        org.name = v["name"]
        for name in ("credit_code", "address", "contact_name", "contact_phone", "description"):
            if v.get(name):
                setattr(org, name, v[name])
        with_actor(org, actor, "Excel导入").save()
        institution = institution or Institution(organization=org)
        for name in ("category", "level", "disciplines", "city", "in_county"):
            if name in v and v[name] not in ("", None):
                setattr(institution, name, v[name])
        with_actor(institution, actor, "Excel导入").save()


def _check_experts(plan: ImportPlan) -> None:
    institutions = {i.organization.name: i for i in Institution.objects.select_related("organization")}
    kept: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[str, str], int] = {}
    for row_no, v in plan.rows:
        inst_name = v.get("institution") or ""
        institution = institutions.get(inst_name) if inst_name else None
        if inst_name and institution is None:
            plan.errors.append(
                RowError(row_no, "所在单位", f"“{inst_name}”尚未登记，请先导入或新增该高校院所")
            )
            continue
        key = (v["name"], inst_name)
        if key in seen:
            plan.errors.append(RowError(row_no, "姓名", f"与第{seen[key]}行重复（同一单位同名专家）"))
            continue
        seen[key] = row_no
        if v.get("email") and "@" not in v["email"]:
            plan.errors.append(RowError(row_no, "电子邮箱", "电子邮箱格式不正确"))
            continue
        v["_institution"] = institution
        v["_existing"] = Expert.objects.filter(name=v["name"], institution=institution).first()
        kept.append((row_no, v))
        plan.creates += v["_existing"] is None
        plan.updates += v["_existing"] is not None
    plan.rows = kept


def _write_experts(plan: ImportPlan, actor: User | None) -> None:
    for _, v in plan.rows:
        expert: Expert = v["_existing"] or Expert(name=v["name"], institution=v["_institution"])
        for name in ("title", "fields", "bio", "publications", "phone", "email", "is_tech_commissioner"):
            if name in v and v[name] not in ("", None):
                setattr(expert, name, v[name])
        with_actor(expert, actor, "Excel导入").save()


CHECKS: dict[str, Callable[[ImportPlan], None]] = {
    "enterprise": _check_enterprises,
    "institution": _check_institutions,
    "expert": _check_experts,
}
WRITERS: dict[str, Callable[[ImportPlan, User | None], None]] = {
    "enterprise": _write_enterprises,
    "institution": _write_institutions,
    "expert": _write_experts,
}


def register_import(
    spec: ImportSpec, check: Callable[[ImportPlan], None], write: Callable[[ImportPlan, User | None], None]
) -> None:
    """Let another app offer an import kind (e.g. demands) on the same page, command and history."""
    SPECS[spec.kind] = spec
    CHECKS[spec.kind] = check
    WRITERS[spec.kind] = write


def plan_import(*, kind: str, table: Table) -> ImportPlan:
    """Parse and check every row without writing anything (the dry run)."""
    plan = _parse_rows(SPECS[kind], table)
    if plan.rows and not any(e.row == 1 for e in plan.errors):
        CHECKS[kind](plan)
    plan.errors.sort(key=lambda e: e.row)
    return plan


def _summarise(batch: ImportBatch, plan: ImportPlan, total: int) -> None:
    batch.total_rows = total
    batch.created_count = plan.creates
    batch.updated_count = plan.updates
    batch.error_count = plan.error_rows
    batch.errors = [e.as_dict() for e in plan.errors[:2000]]


def preview_import(
    *, actor: User | None, kind: str, upload: BinaryIO, filename: str, size: int | None = None
) -> ImportBatch:
    """Store the upload and dry-run it. A file-level problem raises TableReadError (nothing stored)."""
    if kind not in SPECS:
        raise TableReadError("未知的导入类型")
    table = read_table(upload, filename, size=size)
    upload.seek(0)
    batch = ImportBatch(kind=kind, filename=filename[:200], uploaded_by=actor)
    plan = plan_import(kind=kind, table=table)
    _summarise(batch, plan, len(table.rows))
    batch.status = ImportBatch.Status.REJECTED if plan.errors else ImportBatch.Status.PREVIEWED
    batch.stored_file.save(filename[-80:], ContentFile(upload.read()), save=False)
    batch.save()
    return batch


class ImportRefused(Exception):
    """Commit refused: the batch is not in a committable state or its rows no longer validate."""


def commit_import(*, actor: User | None, batch: ImportBatch) -> ImportBatch:
    """Validate the stored file again (the registry may have changed) and write every row, or none."""
    if batch.status != ImportBatch.Status.PREVIEWED:
        raise ImportRefused("该文件未通过预检或已导入，不能重复导入")
    try:
        with batch.stored_file.open("rb") as handle:
            table = read_table(handle, batch.filename)  # type: ignore[arg-type]  # a File reads like BinaryIO
    except (TableReadError, OSError) as exc:
        raise ImportRefused(f"无法读取已上传的文件：{exc}") from exc
    with transaction.atomic():
        plan = plan_import(kind=batch.kind, table=table)
        _summarise(batch, plan, len(table.rows))
        if not plan.errors:
            WRITERS[batch.kind](plan, actor)
            batch.status = ImportBatch.Status.COMMITTED
            batch.committed_at = timezone.now()
            batch.save()
    if plan.errors:
        batch.status = ImportBatch.Status.REJECTED
        batch.save()
        raise ImportRefused(f"预检后数据发生变化，有{plan.error_rows}行错误，未导入任何数据")
    return batch


def import_file(*, actor: User | None, kind: str, path: str) -> ImportBatch:
    """CLI path: read the file once, then check and write in one transaction (or record the errors)."""
    if kind not in SPECS:
        raise TableReadError("未知的导入类型")
    filename = path.rsplit("/", 1)[-1]
    with open(path, "rb") as handle:
        data = handle.read()
    table = read_table(io.BytesIO(data), filename, size=len(data))
    batch = ImportBatch(kind=kind, filename=filename[:200], uploaded_by=actor)
    with transaction.atomic():
        plan = plan_import(kind=kind, table=table)
        _summarise(batch, plan, len(table.rows))
        if plan.errors:
            batch.status = ImportBatch.Status.REJECTED
        else:
            WRITERS[kind](plan, actor)
            batch.status = ImportBatch.Status.COMMITTED
            batch.committed_at = timezone.now()
        batch.stored_file.save(filename[-80:], ContentFile(data), save=False)
        batch.save()
    return batch
