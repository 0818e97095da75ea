"""Demo data: the generator is deterministic and valid; the loader loads once, resets, and gives every role
a working account bound to the right scope."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models

from kechuang.accounts.models import Profile
from kechuang.accounts.selectors import principal_for
from kechuang.achievements.models import Achievement, Maturity
from kechuang.core.access import Role, scope
from kechuang.core.validators import credit_code_error
from kechuang.demo import generator
from kechuang.demo.generator import DEMO_SUFFIX, demo_accounts, generate
from kechuang.demo.loader import delete_demo, load_demo
from kechuang.demo.management.commands.demo import Command
from kechuang.orgs.choices import (
    EnclaveModel,
    InstitutionCategory,
    InvestorKind,
    Level,
    OrgKind,
    QualificationKind,
    TownshipKind,
)
from kechuang.orgs.industries import industry_code_error
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

AS_OF = dt.date(2026, 11, 27)
USERNAMES = {
    "admin",
    "staff",
    "township",
    "enclave",
    "enclave_sz",
    "enclave_xa",
    "enterprise",
    "enterprise2",
    "expert",
    "investor",
}


@pytest.fixture(scope="module")
def data() -> generator.DemoData:
    return generate(seed=7, enterprises=600, as_of=AS_OF)


# ---- generator ----------------------------------------------------------------------------------------


def test_same_seed_same_records() -> None:
    first = generate(seed=11, enterprises=150, achievements_limit=100, as_of=AS_OF)
    second = generate(seed=11, enterprises=150, achievements_limit=100, as_of=AS_OF)
    assert first == second
    other = generate(seed=12, enterprises=150, achievements_limit=100, as_of=AS_OF)
    assert [e.org.name for e in other.enterprises] != [e.org.name for e in first.enterprises]


def test_credit_codes_valid_and_unique(data: generator.DemoData) -> None:
    codes = [o.credit_code for o in data.organizations() if o.credit_code]
    assert len(codes) >= len(data.enterprises)
    assert len(set(codes)) == len(codes)
    assert [c for c in codes if credit_code_error(c)] == []
    assert all(c.startswith("91350582") for c in (e.org.credit_code for e in data.enterprises))


def test_enterprises_are_plausible(data: generator.DemoData) -> None:
    firms = data.enterprises
    assert len(firms) == 600
    assert {f.org.township for f in firms} == {t.name for t in data.townships}
    assert len(data.townships) == 19
    assert Counter(t.kind for t in data.townships) == {"subdistrict": 6, "town": 13}
    chain_names = {c.name for c in data.chains}
    for firm in firms:
        assert firm.tech_staff <= firm.employees
        assert industry_code_error(firm.industry_code) is None
        assert set(firm.chains) <= chain_names
        assert firm.org.name.endswith(DEMO_SUFFIX)
        assert firm.founded_on.year <= 2024
        for fig in firm.figures:
            assert 2020 <= fig.year <= 2024
            assert fig.year >= firm.founded_on.year
            assert Decimal(0) <= fig.rd_spend <= fig.revenue
            assert fig.hightech_revenue is None or fig.hightech_revenue <= fig.revenue
            assert fig.has_rd_activity == (fig.rd_spend > 0)
        for q in firm.qualifications:
            assert q.valid_from is None or q.valid_from <= AS_OF
            assert q.valid_until is None or q.valid_from is None or q.valid_from <= q.valid_until
        if firm.is_above_scale:
            assert [f.year for f in firm.figures] == [
                y for y in range(2020, 2025) if y >= firm.founded_on.year
            ]
            assert firm.figures[-1].revenue >= 2000
    assert 0.37 <= sum(f.is_above_scale for f in firms) / len(firms) <= 0.43
    valid_high_tech = {
        f.org.key
        for f in firms
        for q in f.qualifications
        if q.kind == "high_tech" and q.valid_from and q.valid_until and q.valid_from <= AS_OF <= q.valid_until
    }
    assert 0.32 <= len(valid_high_tech) / len(firms) <= 0.38
    # some certificates have lapsed
    assert any(
        q.kind == "high_tech" and q.valid_until and q.valid_until < AS_OF and f.org.key not in valid_high_tech
        for f in firms
        for q in f.qualifications
    )


def test_rd_grows_about_twenty_percent_a_year() -> None:
    firms = generate(seed=3, enterprises=2400, achievements_limit=10, as_of=AS_OF).enterprises
    totals = [sum(f.rd_spend for e in firms for f in e.figures if f.year == y) for y in range(2020, 2025)]
    growth = (float(totals[-1]) / float(totals[0])) ** (1 / 4) - 1
    assert 0.14 <= growth <= 0.28


def test_no_real_brand_names(data: generator.DemoData) -> None:
    names = " ".join(o.name for o in data.organizations())
    for brand in ("安踏", "恒安", "百宏", "特步", "361度", "晋工", "盼盼"):
        assert brand not in names


def test_values_match_the_models_choices(data: generator.DemoData) -> None:
    def values(choices: Any) -> set[str]:
        return {str(v) for v in choices.values}

    assert {o.kind for o in data.organizations()} <= values(OrgKind)
    assert {t.kind for t in data.townships} <= values(TownshipKind)
    quals = [q for f in data.enterprises for q in f.qualifications]
    assert {q.kind for q in quals} == values(QualificationKind)  # every kind appears
    assert {q.level for q in quals} | {i.level for i in data.institutions} <= values(Level)
    assert {i.category for i in data.institutions} <= values(InstitutionCategory)
    assert {i.kind for i in data.investors} <= values(InvestorKind)
    assert {e.model for e in data.enclaves} <= values(EnclaveModel)
    assert {a.role for a in data.accounts} <= values(Role)
    assert {a.role_label for a in data.accounts} == {
        str(r.label) for r in Role if r.value in {a.role for a in data.accounts}
    }
    assert {a.maturity for a in data.achievements} <= values(Maturity)


def test_institutions_experts_investors_enclaves(data: generator.DemoData) -> None:
    assert 15 <= len(data.institutions) <= 25
    assert 140 <= len(data.experts) <= 160
    by_ref = {a.source_ref: a for a in data.achievements}
    assert len(by_ref) == 2000
    institutions = {i.org.key: i for i in data.institutions}
    for expert in data.experts:
        assert 2 <= len(expert.publications) <= 6
        assert all(
            by_ref[ref].discipline in institutions[expert.institution].csl_disciplines
            for ref in expert.publications
        )
    guided = sum(f.size for i in data.investors for f in i.funds if f.is_government_guided)
    assert guided > 5_000_000  # 万元: 总规模超500亿元
    assert sum("母基金" in f.name for i in data.investors for f in i.funds) == 2
    assert 10 <= len(data.investors) <= 14
    models = {e.name: e.model for e in data.enclaves}
    assert models == {
        "晋江(武汉)离岸创新孵化中心": "talent",
        "晋江市湾区创新创意中心": "two_way",
        "晋江(西安)离岸创新中心": "track",
    }


def test_demo_accounts_table() -> None:
    rows = demo_accounts()
    assert {r[0] for r in rows} == USERNAMES
    assert all(r[1] and r[2] for r in rows)


def test_bundled_achievements_are_the_shared_copy() -> None:
    shared = Path("/work/shared/data/csl/achievements.jsonl")
    if not shared.exists():
        pytest.skip("shared data not present")
    assert generator.ACHIEVEMENTS_FILE.read_bytes() == shared.read_bytes()


# ---- loader -------------------------------------------------------------------------------------------


def _counts() -> dict[str, int]:
    models = (Organization, Enterprise, Institution, Expert, Investor, Enclave, Achievement)
    counts = {m.__name__: m.all_objects.count() for m in models}
    for model in (EnterpriseYearFigure, Qualification, Fund, Township, IndustryChainTag, Profile):
        counts[model.__name__] = model.objects.count()
    counts["history"] = Organization.history.count() + EnterpriseYearFigure.history.count()
    counts["users"] = get_user_model().objects.count()
    counts["links"] = Achievement.experts.through.objects.count() + Enterprise.chains.through.objects.count()
    return counts


def _load() -> None:
    result = load_demo(enterprises=120, achievements_limit=100, seed=5, as_of=dt.date.today())
    assert result.loaded, result.message


@pytest.mark.django_db
def test_load_small_demo() -> None:
    _load()
    assert Enterprise.objects.filter(is_demo=True).count() == 120
    assert Achievement.objects.filter(is_demo=True, is_public=True, source="CSL (Apache-2.0)").count() == 100
    assert Township.objects.count() == 19
    assert IndustryChainTag.objects.count() == 11
    assert Enclave.objects.count() == 3
    assert Institution.objects.count() >= 15
    for model in (Organization, Enterprise, Institution, Expert, Investor, Enclave, Achievement):
        assert not model.all_objects.filter(is_demo=False).exists(), model
    for org in Organization.objects.exclude(credit_code=""):
        assert credit_code_error(org.credit_code) is None
    assert set(Enterprise.objects.values_list("township__name", flat=True)) == set(
        Township.objects.values_list("name", flat=True)
    )
    # rows pass model validation (bulk inserts skip it)
    checked: tuple[type[models.Model], ...] = (
        Organization,
        Enterprise,
        EnterpriseYearFigure,
        Qualification,
        Expert,
        Achievement,
        Fund,
    )
    for checked_model in checked:
        for obj in checked_model._default_manager.all()[:25]:
            obj.full_clean()
    achievement = Achievement.objects.filter(experts__isnull=False).first()
    assert achievement is not None and achievement.institution is not None
    assert (
        Organization.history.filter(history_change_reason="演示数据").count() == Organization.objects.count()
    )


@pytest.mark.django_db
def test_second_load_adds_nothing_and_reset_reloads() -> None:
    _load()
    before = _counts()
    result = load_demo(enterprises=120, achievements_limit=100, seed=5)
    assert not result.loaded
    assert _counts() == before
    again = load_demo(enterprises=120, achievements_limit=100, seed=5, reset=True)
    assert again.loaded
    assert _counts() == before  # old demo rows, their history and users were removed first
    delete_demo()
    assert not Organization.all_objects.exists()
    assert not Achievement.all_objects.exists()
    assert not get_user_model().objects.filter(username__in=USERNAMES).exists()
    assert Township.objects.count() == 19  # reference data stays


@pytest.mark.django_db
def test_every_role_has_a_scoped_account() -> None:
    _load()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=USERNAMES)}
    assert set(users) == USERNAMES
    assert users["admin"].check_password(settings.KECHUANG_DEMO_PASSWORD)
    assert users["enterprise"].check_password(settings.KECHUANG_DEMO_PASSWORD)
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert users["staff"].is_staff and not users["staff"].is_superuser
    p = {name: principal_for(user) for name, user in users.items()}
    assert p["admin"].role == Role.BUREAU_ADMIN
    assert p["staff"].role == Role.BUREAU_STAFF
    assert p["investor"].role == Role.INVESTOR

    chendai = Township.objects.get(name="陈埭镇")
    assert p["township"].role == Role.TOWNSHIP_OFFICER and p["township"].township_id == chendai.pk
    visible = scope(p["township"], Enterprise.objects.all(), "enterprise.list")
    assert visible.exists() and not visible.exclude(township=chendai).exists()

    assert p["enclave"].role == Role.ENCLAVE_OPERATOR
    assert Enclave.objects.get(pk=p["enclave"].enclave_id or 0).name == "晋江(武汉)离岸创新孵化中心"
    assert Enclave.objects.get(pk=p["enclave_sz"].enclave_id or 0).city == "深圳"
    assert Enclave.objects.get(pk=p["enclave_xa"].enclave_id or 0).city == "西安"

    assert p["enterprise"].role == Role.ENTERPRISE
    own = scope(p["enterprise"], Enterprise.objects.all(), "enterprise.view")
    assert own.count() == 1
    firm = own.get()
    assert firm.township == chendai
    assert firm.figures.count() == 5
    assert firm.organization.qualifications.filter(kind="high_tech").exists()
    other = Enterprise.objects.get(organization_id=p["enterprise2"].organization_id or 0)
    assert other.township != chendai and other != firm
    assert not scope(p["enterprise"], Enterprise.objects.filter(pk=other.pk), "enterprise.view").exists()

    assert p["expert"].role == Role.EXPERT
    expert = Expert.objects.get(pk=p["expert"].expert_id or 0)
    assert expert.institution is not None and expert.institution.organization.name == "福州大学晋江校区"
    assert all(a.institution_id is not None for a in expert.achievements.all())

    investor = Investor.objects.get(organization_id=p["investor"].organization_id or 0)
    assert investor.funds.count() >= 2


@pytest.mark.django_db
def test_command() -> None:
    out = io.StringIO()
    call_command(Command(), "--enterprises", "60", "--achievements", "20", stdout=out)
    text = out.getvalue()
    for username in USERNAMES:
        assert username in text
    assert settings.KECHUANG_DEMO_PASSWORD in text
    assert Enterprise.objects.count() == 60
    with pytest.raises(CommandError):
        call_command(Command(), "--enterprises", "60", stdout=io.StringIO())
    skipped = io.StringIO()
    call_command(Command(), "--if-empty", stdout=skipped)
    assert "跳过" in skipped.getvalue()
    assert "enterprise2" in skipped.getvalue()  # the accounts are listed again for `make run`
    assert Enterprise.objects.count() == 60


@pytest.mark.django_db
def test_verdicts_then_learn_on_the_demo() -> None:
    """`kechuang demo --verdicts` builds the index, computes the open demands' suggestions and judges
    them through the services; `kechuang matching learn` then fits on them and says what it decided."""
    import json

    from kechuang.matching.models import FusionModel, Suggestion, SuggestionFeedback, SuggestionRun

    with pytest.raises(CommandError, match="没有演示数据"):
        call_command(Command(), "--verdicts", stdout=io.StringIO())
    assert load_demo(enterprises=40, achievements_limit=200, seed=3, as_of=dt.date.today()).loaded
    out = io.StringIO()
    call_command(Command(), "--verdicts", stdout=out)
    assert "模拟判断" in out.getvalue()
    judged = Suggestion.objects.exclude(verdict="")
    assert judged.count() > 20 and judged.filter(verdict_by__username="staff").count() == judged.count()
    assert SuggestionFeedback.objects.filter(user__username__in=["enterprise", "enterprise2"]).exists()
    runs = SuggestionRun.objects.count()
    again = Suggestion.objects.exclude(verdict="").count()
    call_command(Command(), "--verdicts", stdout=io.StringIO())  # a second run judges nothing twice
    assert SuggestionRun.objects.count() == runs and Suggestion.objects.exclude(verdict="").count() == again
    report_out = io.StringIO()
    call_command("matching", "learn", "--json", stdout=report_out)
    report = json.loads(report_out.getvalue())
    assert report["queries_by_source"].get("platform", 0) == report["queries"]
    assert isinstance(report["adopted"], bool) and report["reason"]
    assert FusionModel.objects.get(pk=report["model_id"]).report["reason"] == report["reason"]


# ---- demo demands -------------------------------------------------------------------------------------


def _demand_snapshot() -> list[tuple[str, str, str, str]]:
    from kechuang.demands.models import Demand

    return list(
        Demand.objects.order_by("title", "pk").values_list(
            "title", "enterprise__organization__name", "status", "confidentiality"
        )
    )


@pytest.mark.django_db
def test_demo_demands_walk_every_status() -> None:
    from kechuang.core.access import Principal
    from kechuang.demands.choices import Confidentiality, RoutingStatus, Status
    from kechuang.demands.models import Campaign, Demand, DemandEvent, FieldVisit, Routing, TechContract
    from kechuang.demands.selectors import DemandFilters, funnel, overdue_q, public_demands
    from kechuang.demo.demands import DEMANDS

    result = load_demo(enterprises=40, achievements_limit=20, seed=3, as_of=dt.date.today())
    assert result.loaded
    assert result.counts["技术需求"] == len(DEMANDS) >= 60
    demands = Demand.objects.all()
    assert not demands.filter(is_demo=False).exists()
    assert set(demands.values_list("status", flat=True)) == set(Status.values)
    assert demands.filter(status=Status.REJECTED).count() == 2
    assert demands.filter(status=Status.MERGED, merged_into__isnull=False).count() == 2
    assert demands.filter(overdue_q()).exists()
    assert demands.filter(budget_max__isnull=False).exclude(deadline__gt=dt.date.today()).count() == 0
    shares = Counter(demands.values_list("confidentiality", flat=True))
    assert shares[Confidentiality.PUBLIC] > shares[Confidentiality.SUMMARY] > 0
    assert not demands.filter(confidentiality=Confidentiality.SUMMARY, summary_approved=False).exists()

    bureau = Principal(role=Role.BUREAU_ADMIN)
    stages = [s["count"] for s in funnel(principal=bureau, filters=DemandFilters()).stages]
    assert stages[-1] >= 3
    assert all(a > b for a, b in itertools.pairwise(stages)), stages
    published = public_demands(principal=bureau)
    assert published.exists()
    assert not published.filter(confidentiality=Confidentiality.PRIVATE).exists()

    contracts = TechContract.objects.all()
    assert contracts.count() >= 8
    assert all(Decimal(20) <= c.amount <= Decimal(500) for c in contracts)
    assert all(len(c.registration_no) == 16 and c.registration_no[4:10] == "350582" for c in contracts)
    assert demands.filter(status=Status.LANDED, landings__isnull=False).distinct().count() >= 3

    # The accounts have something to do.
    users = {u.username: principal_for(u) for u in get_user_model().objects.filter(username__in=USERNAMES)}
    own = demands.filter(enterprise__organization_id=users["enterprise"].organization_id or 0)
    assert own.filter(status=Status.CONTRACTED).exists()
    assert own.filter(status=Status.ROUTED).exists()
    pending = Routing.objects.filter(status=RoutingStatus.PENDING, ack_due__gte=dt.date.today())
    assert pending.filter(enclave_id=users["enclave"].enclave_id or 0).exists()
    assert pending.filter(expert_id=users["expert"].expert_id or 0).exists()

    # Backdated over ~18 months, in order, with time-in-status matching the events.
    now = dt.datetime.now(dt.UTC)
    first_submitted = demands.aggregate(first=models.Min("submitted_at"))["first"]
    assert now - dt.timedelta(days=560) < first_submitted < now - dt.timedelta(days=300)
    assert not DemandEvent.objects.filter(created_at__gt=now).exists()
    for demand in demands.exclude(status=Status.DRAFT):
        events = list(demand.events.order_by("created_at", "pk"))
        entering = [e for e in events if e.from_status != e.to_status]
        assert [e.to_status for e in entering][-1] == demand.status
        assert demand.submitted_at == next(e.created_at for e in events if e.to_status == Status.SUBMITTED)
        for current, following in itertools.pairwise(entering):
            spent = (following.created_at - current.created_at).total_seconds()
            assert current.seconds_in_status == int(spent)
        assert entering[-1].seconds_in_status is None
    assert Campaign.objects.filter(is_demo=True).count() == 2
    assert Campaign.objects.filter(title__endswith="年度企业技术需求常态化征集").count() == 2
    assert FieldVisit.objects.filter(is_demo=True, officer__username="township").exists()
    assert (
        not FieldVisit.objects.filter(is_demo=True, officer__username="township")
        .exclude(township__name="陈埭镇")
        .exists()
    )


@pytest.mark.django_db
def test_reset_replaces_and_delete_removes_demo_demands() -> None:
    from kechuang.demands.models import (
        Campaign,
        Demand,
        DemandEvent,
        FieldVisit,
        Interest,
        LandedProject,
        Response,
        Routing,
        TechContract,
    )
    from kechuang.notifications.models import Notification

    load_demo(enterprises=40, achievements_limit=20, seed=3)
    first = _demand_snapshot()
    assert load_demo(enterprises=40, achievements_limit=20, seed=3, reset=True).loaded
    assert _demand_snapshot() == first  # same seed, same demands; the old ones are gone
    assert Campaign.objects.count() == 2
    delete_demo()
    for model in (Demand, DemandEvent, Routing, Response, TechContract, LandedProject, Interest, FieldVisit):
        assert not model.objects.exists(), model
    assert not Campaign.objects.exists()
    assert not Notification.objects.filter(url__startswith="/demands/").exists()
    assert not Demand.history.exists()  # type: ignore[attr-defined]
