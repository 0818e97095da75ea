"""Demo carriers and parks for Jinjiang, written through the carriers services.

The seed reports 17 众创空间 and 科技企业孵化器 (三创园 national), incubator area +50% and incubatees +30% in
three years, and 194 standardised park projects with 458.7万㎡ built, 463 firms signed and 139 producing.
The demo builds records of that shape — carriers with buildings, units opened over the years and five
years of leases (the incubation projects of the demo incubators among the tenants), and 194 park projects
with signed and producing demo enterprises — so every figure on the dashboard is computed from them, not
typed. The figures come out near the seed's, not equal to them: they are whatever the records add up to.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal
from itertools import cycle

from django.test.utils import override_settings

from kechuang.carriers import services
from kechuang.carriers.models import (
    Building,
    Carrier,
    CarrierKind,
    Lease,
    ParkProject,
    ParkStatus,
    ParkTenancy,
    SpaceUnit,
)
from kechuang.demo.generator import DEMO_SUFFIX
from kechuang.incubation.models import Project
from kechuang.orgs.models import Enterprise, Township

# (name, kind, level, operator): 三创园 national, 9 provincial maker spaces and 3 provincial incubators as
# the seed lists them, the rest municipal; one accelerator and two parks beyond the 17.
CARRIERS = [
    ("晋江市三创园", CarrierKind.INCUBATOR, "national", "晋江市三创园运营管理有限公司"),
    ("赛创未来晋江创新服务平台", CarrierKind.INCUBATOR, "provincial", "赛创未来（晋江）科技服务有限公司"),
    ("晋江鞋服产业孵化器", CarrierKind.INCUBATOR, "provincial", "晋江市鞋服产业技术研究院"),
    ("晋江集成电路科技企业孵化器", CarrierKind.INCUBATOR, "provincial", "晋江集成电路产业园运营公司"),
    ("晋江创新创业学院众创空间", CarrierKind.MAKER_SPACE, "provincial", "晋江创新创业学院"),
    ("福大晋江校区众创空间", CarrierKind.MAKER_SPACE, "provincial", "福州大学晋江校区"),
    ("晋江青创众创空间", CarrierKind.MAKER_SPACE, "provincial", "共青团晋江市委员会"),
    ("陈埭鞋业众创空间", CarrierKind.MAKER_SPACE, "provincial", "陈埭镇鞋业商会"),
    ("磁灶陶瓷创客空间", CarrierKind.MAKER_SPACE, "provincial", "磁灶镇建陶协会"),
    ("晋江纺织服装众创空间", CarrierKind.MAKER_SPACE, "provincial", "晋江市纺织服装商会"),
    ("晋江智能装备众创空间", CarrierKind.MAKER_SPACE, "provincial", "晋江市智能装备产业协会"),
    ("晋江食品科创空间", CarrierKind.MAKER_SPACE, "provincial", "晋江市食品行业协会"),
    ("晋江医疗健康众创空间", CarrierKind.MAKER_SPACE, "provincial", "晋江市医疗健康产业园"),
    ("安海电商众创空间", CarrierKind.MAKER_SPACE, "municipal", "安海镇电商协会"),
    ("晋江新材料孵化基地", CarrierKind.INCUBATOR, "municipal", "晋江市新材料产业研究院"),
    ("晋江数字经济众创空间", CarrierKind.MAKER_SPACE, "municipal", "晋江市数字经济产业园"),
    ("东石海洋科技众创空间", CarrierKind.MAKER_SPACE, "municipal", "东石镇人民政府"),
    ("晋江科技企业加速器", CarrierKind.ACCELERATOR, "municipal", "晋江市科技局"),
    ("晋江经济开发区五里园", CarrierKind.PARK, "provincial", "晋江经济开发区管委会"),
    ("晋江高新区科创园", CarrierKind.PARK, "municipal", "晋江高新区管委会"),
]
PARK_INDUSTRIES = (
    "新一代信息技术",
    "医疗健康",
    "新能源",
    "新材料",
    "鞋服智造",
    "智能装备",
    "食品",
    "建材陶瓷",
)
PARK_PROJECTS, PARK_BUILT_M2, PARK_SIGNED, PARK_PRODUCING = 194, 4_587_000, 463, 139


def _years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years, day=min(day.day, 28))


class _Builder:
    def __init__(self, seed: int, as_of: dt.date) -> None:
        self.rng = random.Random(seed * 31 + 18)
        self.as_of = as_of
        self.towns = list(Township.objects.order_by("sort_order", "pk"))
        self.pool = list(
            Enterprise.objects.filter(is_demo=True).select_related("organization").order_by("pk")
        )
        self.rng.shuffle(self.pool)
        self.counts = {"carriers": 0, "carrier_units": 0, "carrier_leases": 0, "park_projects": 0}

    def town(self) -> Township | None:
        return self.rng.choice(self.towns) if self.towns else None

    def carriers(self) -> None:
        projects = list(
            Project.objects.filter(is_demo=True, admitted_on__isnull=False, incubator__isnull=False)
            .select_related("incubator__organization")
            .order_by("admitted_on", "pk")
        )
        tenants = cycle(self.pool[PARK_SIGNED // 2 :]) if self.pool else iter([])
        for k, (name, kind, level, operator) in enumerate(CARRIERS):
            carrier = services.create_carrier(
                actor=None,
                name=f"{name}{DEMO_SUFFIX}",
                kind=kind,
                level=level,
                operator=operator,
                township=self.town(),
                opened_on=_years_before(self.as_of, 6 + k % 4),
                is_demo=True,
            )
            self.counts["carriers"] += 1
            units = self._units(carrier, park=kind == CarrierKind.PARK)
            # the demo's incubated projects live in the first incubator (三创园), as the seed's do
            housed = [p for p in projects if k == 0]
            self._leases(units, housed, tenants)

    def _units(self, carrier: Carrier, *, park: bool) -> list[SpaceUnit]:
        units = []
        three_years_ago = _years_before(self.as_of, 3)
        for b in range(1, 3):
            building = services.add_building(
                actor=None, carrier=carrier, name=f"{b}号楼", floors=6 if park else 4
            )
            for n in range(self.rng.randint(6, 12)):
                # a third of the space opened within the last three years (the seed's +50% area)
                newer = self.rng.random() < 0.34
                since = (
                    three_years_ago + dt.timedelta(days=self.rng.randint(30, 900))
                    if newer
                    else _years_before(self.as_of, 5)
                )
                area = Decimal(
                    self.rng.choice((60, 80, 120, 150, 200, 300) if not park else (800, 1200, 2000))
                )
                units.append(
                    services.add_unit(
                        actor=None,
                        building=building,
                        code=f"{b}{(n // 4) + 1}{n % 4 + 1:02d}",
                        area_m2=area,
                        use="workshop" if park else self.rng.choice(("office", "office", "lab", "shared")),
                        rent_yuan_m2_month=Decimal(self.rng.choice((15, 20, 25, 30))),
                        available_from=since,
                    )
                )
        self.counts["carrier_units"] += len(units)
        return units

    def _leases(self, units: list[SpaceUnit], projects: list[Project], tenants: Iterator[Enterprise]) -> None:
        queue = list(projects)
        for unit in units:
            day = unit.available_from or _years_before(self.as_of, 5)
            while day < self.as_of:
                day += dt.timedelta(days=self.rng.randint(0, 120))
                if day >= self.as_of:
                    break
                project = (
                    queue.pop(0) if queue and queue[0].admitted_on and queue[0].admitted_on <= day else None
                )
                enterprise = None if project else next(tenants, None)
                if project is None and enterprise is None:
                    return
                months = self.rng.choice((12, 24, 36))
                ends = day + dt.timedelta(days=30 * months)
                lease = services.sign_lease(
                    actor=None, unit=unit, starts_on=day, ends_on=ends, enterprise=enterprise, project=project
                )
                self.counts["carrier_leases"] += 1
                left = project and (project.graduated_on or project.eliminated_on)
                if project and left and day < left < ends:
                    services.end_lease(
                        actor=None, lease=lease, moved_out_on=left, graduated=bool(project.graduated_on)
                    )
                    ends = left
                elif ends < self.as_of and self.rng.random() < 0.25:
                    out = ends - dt.timedelta(days=self.rng.randint(10, 120))
                    if out > day:
                        services.end_lease(actor=None, lease=lease, moved_out_on=out, graduated=True)
                        ends = out
                day = ends + dt.timedelta(days=1)

    def parks(self) -> None:
        signers = self.pool[:PARK_SIGNED]
        weights = [self.rng.uniform(0.5, 1.5) for _ in range(PARK_PROJECTS)]
        scale = PARK_BUILT_M2 / sum(weights[: PARK_PROJECTS - 30])  # the last 30 are still being built
        projects = []
        for i in range(PARK_PROJECTS):
            building = i >= PARK_PROJECTS - 30
            built = Decimal(0) if building else Decimal(round(weights[i] * scale))
            planned = Decimal(round(weights[i] * scale * self.rng.uniform(1.0, 1.4)))
            started = _years_before(self.as_of, self.rng.randint(1, 5))
            projects.append(
                services.save_park_project(
                    actor=None,
                    name=f"晋江园区标准化项目{i + 1:03d}{DEMO_SUFFIX}",
                    township=self.town(),
                    site=f"{PARK_INDUSTRIES[i % len(PARK_INDUSTRIES)]}产业社区{i % 12 + 1}号地块",
                    industry=PARK_INDUSTRIES[i % len(PARK_INDUSTRIES)],
                    planned_m2=planned,
                    built_m2=built,
                    status=ParkStatus.BUILDING
                    if building
                    else ParkStatus.LEASING
                    if i % 3
                    else ParkStatus.BUILT,
                    started_on=started,
                    completed_on=None
                    if building
                    else started + dt.timedelta(days=self.rng.randint(300, 500)),
                    expected_output_wan=Decimal(self.rng.randint(3000, 20000)),
                    is_demo=True,
                )
            )
        self.counts["park_projects"] = len(projects)
        open_projects = [p for p in projects if p.status != ParkStatus.BUILDING]
        tenancies = []
        for k, enterprise in enumerate(signers):
            project = open_projects[k % len(open_projects)]
            signed = min(
                self.as_of, (project.completed_on or self.as_of) + dt.timedelta(days=self.rng.randint(0, 200))
            )
            tenancies.append(
                services.sign_park_tenancy(
                    actor=None, project=project, enterprise=enterprise, signed_on=signed
                )
            )
        # producing firms cluster in the projects finished first (the first third of those open)
        for tenancy in sorted(tenancies, key=lambda t: (t.project.completed_on or self.as_of, t.pk))[
            :PARK_PRODUCING
        ]:
            since = min(self.as_of, tenancy.signed_on + dt.timedelta(days=self.rng.randint(60, 300)))
            services.start_park_production(actor=None, tenancy=tenancy, producing_since=since)
        self.counts["park_signed"] = len(tenancies)
        self.counts["park_producing"] = min(PARK_PRODUCING, len(tenancies))


def load_demo_carriers(*, seed: int, as_of: dt.date) -> dict[str, int]:
    builder = _Builder(seed, as_of)
    builder.carriers()
    builder.parks()
    return builder.counts


def delete_demo_carriers() -> dict[str, int]:
    """Delete the demo carriers and park projects with their units, leases, tenancies and history."""
    carrier_ids = list(Carrier.objects.filter(is_demo=True).values_list("pk", flat=True))
    park_ids = list(ParkProject.objects.filter(is_demo=True).values_list("pk", flat=True))
    leases = Lease.objects.filter(unit__building__carrier_id__in=carrier_ids)
    units = SpaceUnit.objects.filter(building__carrier_id__in=carrier_ids)
    Lease.history.filter(id__in=leases.values("pk")).delete()  # type: ignore[attr-defined]
    SpaceUnit.history.filter(id__in=units.values("pk")).delete()  # type: ignore[attr-defined]
    Building.history.filter(carrier_id__in=carrier_ids).delete()  # type: ignore[attr-defined]
    Carrier.history.filter(id__in=carrier_ids).delete()  # type: ignore[attr-defined]
    ParkTenancy.history.filter(project_id__in=park_ids).delete()  # type: ignore[attr-defined]
    ParkProject.history.filter(id__in=park_ids).delete()  # type: ignore[attr-defined]
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        deleted = {
            "carrier_leases": leases.delete()[0],
            "park_tenancies": ParkTenancy.objects.filter(project_id__in=park_ids).delete()[0],
        }
        deleted["carriers"] = Carrier.objects.filter(pk__in=carrier_ids).delete()[0]
        deleted["park_projects"] = ParkProject.objects.filter(pk__in=park_ids).delete()[0]
    return deleted
