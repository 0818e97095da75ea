"""enclave_figures: the exact counts and sums the enclave assessment reads, with their bases, in a few
queries, counting only the enclave asked about."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kechuang.incubation import services
from kechuang.incubation.choices import Stage
from kechuang.incubation.selectors import ComputedFigure, enclave_figures
from tests import factories as f
from tests.incubation import factories as fx

SINCE, UNTIL = dt.date(2025, 1, 1), dt.date(2025, 6, 30)
D = dt.date


def _admitted(world: Any, name: str, applied: dt.date, admitted: dt.date, carrier: Any = None) -> Any:
    project = fx.apply(world, name=name, applied_on=applied, carrier=carrier)
    fx.review(world, project, "bureau_admin")
    return fx.admit(world, project, on=admitted)


def _invest(project: Any, amount: int, on: dt.date) -> None:
    services.record_investment(
        actor=None,
        project=project,
        amount=Decimal(amount),
        round="angel",
        invested_on=on,
        investor_name="天使人",
    )


def _land(project: Any, enterprise: Any, on: dt.date) -> None:
    services.record_landing(
        actor=None, project=project, credit_code=enterprise.organization.credit_code, landed_on=on
    )


def test_enclave_figures_exact(world: Any, django_assert_max_num_queries: Any) -> None:
    p1 = _admitted(world, "项目一", D(2025, 1, 6), D(2025, 2, 10))
    p2 = _admitted(world, "项目二（已淘汰）", D(2024, 11, 1), D(2024, 12, 1))
    p3 = _admitted(world, "项目三", D(2025, 2, 1), D(2025, 3, 1))
    p4 = _admitted(world, "项目四（已毕业）", D(2024, 9, 1), D(2024, 10, 1))
    late = _admitted(world, "项目五（期后入孵）", D(2025, 6, 1), D(2025, 7, 1))
    fx.apply(world, name="项目六（待评审）", applied_on=D(2025, 2, 1))
    elsewhere = _admitted(world, "别的飞地项目", D(2025, 1, 6), D(2025, 2, 1), carrier=world.other_enclave)

    services.decide_elimination(
        project=p2, eliminate=True, reason="团队解散", actor=world.users["bureau_staff"], as_of=D(2025, 5, 1)
    )
    _land(p1, world.same_town_enterprise, D(2025, 6, 1))
    _land(p3, world.own_enterprise, D(2025, 4, 1))
    _land(p4, world.other_enterprise, D(2024, 11, 1))
    _land(late, f.enterprise("期后落地企业"), D(2025, 7, 15))
    services.advance_project_stage(actor=None, project=p4, to_stage=Stage.GRADUATED, on=D(2025, 1, 20))
    services.record_landing_figure(actor=None, project=p1, year=2025, jobs=12, output=Decimal(800), tax=None)
    services.record_landing_figure(actor=None, project=p4, year=2025, jobs=30, output=Decimal(1200), tax=None)
    services.record_landing_figure(actor=None, project=p4, year=2024, jobs=20, output=Decimal(600), tax=None)
    f.figure(world.own_enterprise, 2025, "5000", "100")  # p3 has no own figure: the registry's revenue counts
    _invest(p1, 300, D(2025, 3, 15))
    _invest(p3, 200, D(2025, 6, 30))
    _invest(p4, 100, D(2024, 12, 31))
    _invest(p1, 50, D(2025, 7, 1))
    _invest(elsewhere, 999, D(2025, 3, 1))

    with django_assert_max_num_queries(4):
        figures = enclave_figures(enclave_id=world.own_enclave.pk, since=SINCE, until=UNTIL)

    assert set(figures) == {
        "admitted",
        "incubating",
        "landed",
        "landed_output",
        "investments",
        "investment_amount",
    }
    assert all(isinstance(v, ComputedFigure) for v in figures.values())
    assert figures["admitted"] == ComputedFigure(
        Decimal(2), "2025年1月1日至2025年6月30日经科技局决定入孵的项目 2 个", (p1.pk, p3.pk)
    )
    assert figures["incubating"].value == 3 and figures["incubating"].project_ids == (p1.pk, p3.pk, p4.pk)
    assert "截至2025年6月30日" in figures["incubating"].basis
    assert figures["landed"].value == 2 and figures["landed"].project_ids == (p1.pk, p3.pk)
    output = figures["landed_output"]
    assert output.value == Decimal(7000) and output.project_ids == (p1.pk, p3.pk, p4.pk)
    assert output.basis == (
        "截至2025年6月30日已落地晋江的 3 个项目中，3 家落地企业2025年产值合计 7,000万元，"
        "其中 1 家取自企业库营业收入"
    )
    assert figures["investments"].value == 2 and figures["investments"].project_ids == (p1.pk, p3.pk)
    assert figures["investment_amount"].value == Decimal(500)
    assert figures["investment_amount"].basis == "2025年1月1日至2025年6月30日在孵项目获得投资金额合计 500万元"

    # At the end of 2024 the eliminated project still counted as incubating and nothing had landed yet.
    earlier = enclave_figures(enclave_id=world.own_enclave.pk, since=D(2024, 1, 1), until=D(2024, 12, 31))
    assert earlier["incubating"].project_ids == (p2.pk, p4.pk)
    assert earlier["landed"].project_ids == (p4.pk,) and earlier["landed_output"].value == 600
    assert earlier["investment_amount"].value == 100
    # Boundaries are inclusive: eliminated on `until` no longer counts, admitted on `since` does.
    on_day = enclave_figures(enclave_id=world.own_enclave.pk, since=D(2025, 2, 10), until=D(2025, 5, 1))
    assert p2.pk not in on_day["incubating"].project_ids and on_day["admitted"].project_ids == (p1.pk, p3.pk)
    day_before = enclave_figures(enclave_id=world.own_enclave.pk, since=D(2025, 2, 11), until=D(2025, 4, 30))
    assert p2.pk in day_before["incubating"].project_ids and day_before["admitted"].project_ids == (p3.pk,)


def test_enclave_without_projects_has_zero_figures(world: Any) -> None:
    figures = enclave_figures(enclave_id=world.other_enclave.pk, since=SINCE, until=UNTIL)
    assert {k: v.value for k, v in figures.items()} == dict.fromkeys(figures, Decimal(0))
    assert figures["landed_output"].project_ids == ()
