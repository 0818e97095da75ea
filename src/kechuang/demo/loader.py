"""Write the generated demo registry (generator.py) into the database.

One transaction, bulk inserts. Registry rows get `is_demo=True` and a "+" history record each (through
simple-history's bulk_create_with_history, change reason "演示数据"); many-to-many links, users and
townships/industry-chain tags get no history of their own. Townships and chain tags are reference data
shared with real use: existing rows with the same name are reused, and a reset never deletes them.

Loading twice does nothing the second time (`LoadResult.loaded` is False). `reset=True` first deletes
every is_demo row, the rows hanging off them (figures, qualifications, funds, links), their history, and
the demo users (recognised by their e-mail domain), then loads afresh. The last stage writes the demo
technology demands through the demand services (demands.py); reset removes them and their rows first.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.test.utils import override_settings
from simple_history.utils import bulk_create_with_history

from kechuang.accounts.models import Profile
from kechuang.achievements.models import Achievement
from kechuang.demo.carriers import delete_demo_carriers, load_demo_carriers
from kechuang.demo.commissioners import delete_demo_commissioners, load_demo_commissioners
from kechuang.demo.demands import delete_demo_demands, load_demo_demands
from kechuang.demo.enclaves import delete_demo_enclaves, load_demo_enclaves
from kechuang.demo.events import delete_demo_events, load_demo_events
from kechuang.demo.finance import delete_demo_finance, load_demo_finance
from kechuang.demo.generator import (
    ACHIEVEMENT_SOURCE,
    CHANGE_REASON,
    DEFAULT_ENTERPRISES,
    DEFAULT_SEED,
    DEMO_EMAIL_DOMAIN,
    DemoData,
    generate,
)
from kechuang.demo.incubation import delete_demo_incubation, load_demo_incubation
from kechuang.demo.policies import delete_demo_policies, load_demo_policies
from kechuang.demo.talents import delete_demo_talents, load_demo_talents
from kechuang.demo.techservices import delete_demo_techservices, load_demo_techservices
from kechuang.orgs.models import (
    Enclave,
    Enterprise,
    EnterpriseYearFigure,
    Expert,
    Fund,
    IndustryChainTag,
    Institution,
    Investor,
    Organization,
    Qualification,
    Township,
)

M = TypeVar("M", bound=models.Model)
Progress = Callable[[str], None]

STAGES = (
    "清理旧演示数据",
    "镇街与产业链",
    "组织机构",
    "企业、资质与年度数据",
    "高校院所、专家与投资机构",
    "创新飞地",
    "科技成果",
    "演示账号",
    "技术需求与征集活动",
)
CHUNK = 2000


@dataclass
class LoadResult:
    loaded: bool
    message: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    skipped_accounts: list[str] = field(default_factory=list)


def demo_present() -> bool:
    return (
        Organization.all_objects.filter(is_demo=True).exists()
        or Achievement.all_objects.filter(is_demo=True).exists()
        or Expert.all_objects.filter(is_demo=True).exists()
    )


def registry_empty() -> bool:
    """No organisation and no achievement at all, demo or real (what `kechuang demo --if-empty` asks)."""
    return not Organization.all_objects.exists() and not Achievement.all_objects.exists()


def demo_users() -> models.QuerySet:
    return get_user_model().objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}")


def load_demo(
    *,
    enterprises: int = DEFAULT_ENTERPRISES,
    seed: int = DEFAULT_SEED,
    reset: bool = False,
    achievements_limit: int | None = None,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Generate and write the demo registry; see the module docstring for the guard and reset rules."""
    started = time.monotonic()
    step = progress or (lambda label: None)
    refused = LoadResult(loaded=False, message="演示数据已存在，未重复载入（如需重建请使用 --reset）")
    if not reset and demo_present():
        return refused
    data = generate(seed=seed, enterprises=enterprises, achievements_limit=achievements_limit, as_of=as_of)
    with transaction.atomic():
        step(STAGES[0])
        if reset:
            delete_demo()
        elif demo_present():  # loaded meanwhile by another process
            return refused
        counts, skipped = _write(data, step)
        step(STAGES[8])
        counts.update(load_demo_demands(seed=seed))
        counts.update(load_demo_events(seed=seed))
        # Incubation before the enclave assessment: its admissions and landings feed the computed KPIs.
        counts.update(load_demo_incubation(seed=seed, as_of=as_of or dt.date.today()))
        counts.update(load_demo_enclaves(seed=seed, as_of=as_of))
        counts.update(load_demo_policies(seed=seed))
        today = as_of or dt.date.today()
        # Carriers house the incubated projects; finance and the service ledger read demands and carriers.
        counts.update(load_demo_carriers(seed=seed, as_of=today))
        counts.update(load_demo_finance(seed=seed, as_of=today))
        counts.update(load_demo_techservices(seed=seed, as_of=today))
        # Talents after the registry; commissioners serve enterprises and report to the service ledger.
        counts.update(load_demo_talents(seed=seed, as_of=today))
        counts.update(load_demo_commissioners(seed=seed, as_of=today))
    return LoadResult(
        loaded=True,
        message="演示数据已载入",
        counts=counts,
        seconds=time.monotonic() - started,
        skipped_accounts=skipped,
    )


# ---- deletion -----------------------------------------------------------------------------------------


def delete_demo() -> dict[str, int]:
    """Hard-delete every demo row, what hangs off it, its history and the demo users. Runs with history
    recording switched off (the rows and their history go together); call it inside a transaction."""
    delete_demo_commissioners()
    delete_demo_talents()
    delete_demo_techservices()
    delete_demo_finance()
    delete_demo_carriers()
    delete_demo_policies()
    delete_demo_enclaves()
    delete_demo_incubation()
    delete_demo_events()
    # Demands first: their contracts, routings and visits protect the enterprises, experts and enclaves.
    deleted = delete_demo_demands()
    orgs = Organization.all_objects.filter(is_demo=True).values("pk")
    enterprises = Enterprise.all_objects.filter(is_demo=True).values("pk")
    investors = Investor.all_objects.filter(is_demo=True).values("pk")
    users = demo_users()

    # History first, while the subqueries above still find the rows.
    history: list[tuple[type[models.Model], dict[str, Any]]] = [
        (Profile, {"user_id__in": users.values("pk")}),
        (Achievement, {"is_demo": True}),
        (Enclave, {"is_demo": True}),
        (Fund, {"investor_id__in": investors}),
        (Investor, {"is_demo": True}),
        (Expert, {"is_demo": True}),
        (Institution, {"is_demo": True}),
        (EnterpriseYearFigure, {"enterprise_id__in": enterprises}),
        (Enterprise, {"is_demo": True}),
        (Qualification, {"organization_id__in": orgs}),
        (Organization, {"is_demo": True}),
    ]
    for model, lookup in history:
        model.history.model.objects.filter(**lookup).delete()  # type: ignore[attr-defined]

    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        deleted["profiles"] = Profile.objects.filter(user__in=users).delete()[0]
        deleted["users"] = users.delete()[0]
        deleted["achievements"] = Achievement.all_objects.filter(is_demo=True).delete()[0]
        deleted["enclaves"] = Enclave.all_objects.filter(is_demo=True).delete()[0]
        deleted["funds"] = Fund.objects.filter(investor_id__in=investors).delete()[0]
        deleted["investors"] = Investor.all_objects.filter(is_demo=True).delete()[0]
        deleted["experts"] = Expert.all_objects.filter(is_demo=True).delete()[0]
        deleted["institutions"] = Institution.all_objects.filter(is_demo=True).delete()[0]
        deleted["figures"] = EnterpriseYearFigure.objects.filter(enterprise_id__in=enterprises).delete()[0]
        deleted["enterprises"] = Enterprise.all_objects.filter(is_demo=True).delete()[0]
        deleted["qualifications"] = Qualification.objects.filter(organization_id__in=orgs).delete()[0]
        deleted["organizations"] = Organization.all_objects.filter(is_demo=True).delete()[0]
    return deleted


# ---- writing ------------------------------------------------------------------------------------------


def _chunks(items: Sequence[M]) -> Iterator[Sequence[M]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _create(model: type[M], objs: list[M]) -> list[M]:
    """Bulk insert with one "+" history record per row; objects come back with their primary keys."""
    for chunk in _chunks(objs):
        bulk_create_with_history(list(chunk), model, batch_size=500, default_change_reason=CHANGE_REASON)
    if objs and objs[0].pk is None:  # pragma: no cover - every supported backend returns ids
        raise RuntimeError(f"数据库未返回 {model.__name__} 的主键，无法载入演示数据")
    return objs


def _links(through: type[models.Model], rows: list[dict[str, Any]]) -> int:
    objs = [through(**row) for row in rows]
    for chunk in _chunks(objs):
        through._default_manager.bulk_create(list(chunk), batch_size=500, ignore_conflicts=True)
    return len(objs)


def _write(data: DemoData, step: Progress) -> tuple[dict[str, int], list[str]]:
    counts: dict[str, int] = {}

    step(STAGES[1])
    townships = {t.name: t for t in Township.objects.all()}
    new_townships = [
        Township(name=t.name, kind=t.kind, sort_order=t.sort_order)
        for t in data.townships
        if t.name not in townships
    ]
    townships.update({t.name: t for t in _create(Township, new_townships)})
    chains = {c.name: c for c in IndustryChainTag.objects.all()}
    new_chains = [
        IndustryChainTag(name=c.name, description=c.description, sort_order=c.sort_order)
        for c in data.chains
        if c.name not in chains
    ]
    chains.update({c.name: c for c in _create(IndustryChainTag, new_chains)})
    counts["镇街（新增）"] = len(new_townships)
    counts["产业链标签（新增）"] = len(new_chains)

    step(STAGES[2])
    records = data.organizations()
    codes = [r.credit_code for r in records if r.credit_code]
    taken: set[str] = set()
    for start in range(0, len(codes), 500):
        taken |= set(
            Organization.all_objects.filter(credit_code__in=codes[start : start + 500]).values_list(
                "credit_code", flat=True
            )
        )
    orgs: dict[str, Organization] = {}
    for org_rec in records:
        orgs[org_rec.key] = Organization(
            kind=org_rec.kind,
            name=org_rec.name,
            credit_code="" if org_rec.credit_code in taken else org_rec.credit_code,
            township=townships[org_rec.township] if org_rec.township else None,
            address=org_rec.address,
            contact_name=org_rec.contact_name,
            contact_email=org_rec.contact_email,
            website=org_rec.website,
            description=org_rec.description,
            is_demo=True,
        )
    _create(Organization, list(orgs.values()))
    counts["组织机构"] = len(orgs)

    step(STAGES[3])
    enterprises: list[Enterprise] = []
    for rec in data.enterprises:
        org = orgs[rec.org.key]
        enterprises.append(
            Enterprise(
                organization=org,
                township_id=org.township_id,
                industry_code=rec.industry_code,
                is_above_scale=rec.is_above_scale,
                employees=rec.employees,
                tech_staff=rec.tech_staff,
                founded_on=rec.founded_on,
                main_products=rec.main_products,
                is_demo=True,
            )
        )
    _create(Enterprise, enterprises)
    _links(
        Enterprise.chains.through,
        [
            {"enterprise_id": ent.pk, "industrychaintag_id": chains[name].pk}
            for ent, rec in zip(enterprises, data.enterprises, strict=True)
            for name in rec.chains
        ],
    )
    figures = [
        EnterpriseYearFigure(
            enterprise_id=ent.pk,
            year=f.year,
            revenue=f.revenue,
            rd_spend=f.rd_spend,
            hightech_revenue=f.hightech_revenue,
            has_rd_activity=f.has_rd_activity,
            invention_patents=f.invention_patents,
            utility_patents=f.utility_patents,
            design_patents=f.design_patents,
            software_copyrights=f.software_copyrights,
        )
        for ent, rec in zip(enterprises, data.enterprises, strict=True)
        for f in rec.figures
    ]
    _create(EnterpriseYearFigure, figures)
    qualifications = [
        Qualification(
            organization_id=orgs[rec.org.key].pk,
            kind=q.kind,
            level=q.level,
            issuer=q.issuer,
            certificate_no=q.certificate_no,
            valid_from=q.valid_from,
            valid_until=q.valid_until,
        )
        for rec in data.enterprises
        for q in rec.qualifications
    ]
    _create(Qualification, qualifications)
    counts["企业"] = len(enterprises)
    counts["企业年度数据"] = len(figures)
    counts["资质荣誉"] = len(qualifications)

    step(STAGES[4])
    institutions = {
        rec.org.key: Institution(
            organization=orgs[rec.org.key],
            category=rec.category,
            level=rec.level,
            disciplines=rec.disciplines,
            city=rec.city,
            in_county=rec.in_county,
            is_demo=True,
        )
        for rec in data.institutions
    }
    _create(Institution, list(institutions.values()))
    titles = {a.source_ref: a.title for a in data.achievements}
    experts = {
        rec.key: Expert(
            name=rec.name,
            institution=institutions[rec.institution],
            title=rec.title,
            fields=rec.fields,
            bio=rec.bio,
            publications="\n".join(titles[ref] for ref in rec.publications if ref in titles),
            email=rec.email,
            is_tech_commissioner=rec.is_tech_commissioner,
            is_demo=True,
        )
        for rec in data.experts
    }
    _create(Expert, list(experts.values()))
    investors = [
        Investor(
            organization=orgs[rec.org.key],
            kind=rec.kind,
            focus_industries=rec.focus_industries,
            focus_stages=rec.focus_stages,
            is_demo=True,
        )
        for rec in data.investors
    ]
    _create(Investor, investors)
    funds = [
        Fund(
            investor=inv,
            name=f.name,
            size=f.size,
            is_government_guided=f.is_government_guided,
            focus=f.focus,
        )
        for inv, rec in zip(investors, data.investors, strict=True)
        for f in rec.funds
    ]
    _create(Fund, funds)
    counts["高校院所"] = len(institutions)
    counts["专家"] = len(experts)
    counts["投资机构"] = len(investors)
    counts["基金"] = len(funds)

    step(STAGES[5])
    enclaves = {e.name: e for e in Enclave.all_objects.filter(name__in=[r.name for r in data.enclaves])}
    new_enclaves = [
        Enclave(
            name=rec.name,
            city=rec.city,
            host_site=rec.host_site,
            operator=orgs[rec.operator],
            model=rec.model,
            focus_industries=rec.focus_industries,
            description=rec.description,
            is_demo=True,
        )
        for rec in data.enclaves
        if rec.name not in enclaves
    ]
    _create(Enclave, new_enclaves)
    enclaves.update({e.name: e for e in new_enclaves})
    _links(
        Enclave.partner_institutions.through,
        [
            {"enclave_id": enclaves[rec.name].pk, "institution_id": institutions[key].pk}
            for rec in data.enclaves
            if any(e.name == rec.name for e in new_enclaves)
            for key in rec.partners
        ],
    )
    counts["创新飞地"] = len(new_enclaves)

    step(STAGES[6])
    existing_refs = set(
        Achievement.all_objects.filter(source=ACHIEVEMENT_SOURCE).values_list("source_ref", flat=True)
    )
    wanted = [rec for rec in data.achievements if rec.source_ref not in existing_refs]
    achievements = [
        Achievement(
            title=rec.title,
            abstract=rec.abstract,
            category=rec.category,
            discipline=rec.discipline,
            keywords=rec.keywords,
            maturity=rec.maturity,
            institution=institutions[rec.institution] if rec.institution else None,
            source=ACHIEVEMENT_SOURCE,
            source_ref=rec.source_ref,
            is_public=True,
            is_demo=True,
        )
        for rec in wanted
    ]
    _create(Achievement, achievements)
    counts["科技成果"] = len(achievements)
    counts["成果完成人关联"] = _links(
        Achievement.experts.through,
        [
            {"achievement_id": ach.pk, "expert_id": experts[key].pk}
            for ach, rec in zip(achievements, wanted, strict=True)
            for key in rec.experts
        ],
    )

    step(STAGES[7])
    skipped = _write_accounts(data, townships, orgs, enclaves, experts)
    counts["演示账号"] = len(data.accounts) - len(skipped)
    return counts, skipped


def _write_accounts(
    data: DemoData,
    townships: dict[str, Township],
    orgs: dict[str, Organization],
    enclaves: dict[str, Enclave],
    experts: dict[str, Expert],
) -> list[str]:
    """Create the demo users (one password hash shared by all: hashing is the slow part). A username that
    already belongs to a real user is left alone and reported."""
    user_model = get_user_model()
    usernames = [a.username for a in data.accounts]
    taken = set(user_model.objects.filter(username__in=usernames).values_list("username", flat=True))
    password = make_password(settings.KECHUANG_DEMO_PASSWORD)
    wanted = [a for a in data.accounts if a.username not in taken]
    users = [
        user_model(
            username=a.username,
            email=a.email,
            password=password,
            is_staff=a.is_staff,
            is_superuser=a.is_superuser,
            is_active=True,
        )
        for a in wanted
    ]
    user_model.objects.bulk_create(users)
    by_name = {u.username: u for u in user_model.objects.filter(username__in=[a.username for a in wanted])}
    profiles = [
        Profile(
            user=by_name[a.username],
            role=a.role,
            display_name=a.display_name,
            township=townships[a.township] if a.township else None,
            organization=orgs[a.organization] if a.organization else None,
            enclave=enclaves[a.enclave] if a.enclave else None,
            expert=experts[a.expert] if a.expert else None,
        )
        for a in wanted
    ]
    _create(Profile, profiles)
    return sorted(taken)
