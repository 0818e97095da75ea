"""Two officers assigning the commissioner's last place at the same instant: exactly one succeeds."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from kechuang.commissioners import services
from kechuang.commissioners.models import Assignment
from tests import factories as f


@pytest.mark.django_db(transaction=True)
def test_concurrent_assignments_never_exceed_the_capacity() -> None:
    town = f.township("陈埭镇")
    firms = [f.enterprise(f"晋江市并发{n}鞋业有限公司", town=town) for n in range(6)]
    commissioner = services.save_commissioner(actor=None, name="陈工", field="shoes", max_enterprises=2)
    services.assign(
        actor=None,
        commissioner=commissioner,
        enterprise=firms[0],
        goals="已有派驻",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
    )
    barrier = threading.Barrier(5)
    outcomes: list[str] = []

    def assign(firm: object) -> None:
        try:
            barrier.wait()
            services.assign(
                actor=None,
                commissioner=commissioner,
                enterprise=firm,  # type: ignore[arg-type]
                goals="并发派驻",
                starts_on=dt.date(2025, 3, 1),
                ends_on=dt.date(2025, 9, 30),
            )
            outcomes.append("assigned")
        except ValidationError as exc:
            assert "达到同时服务上限" in exc.messages[0]
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(firm,)) for firm in firms[1:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["assigned", "refused", "refused", "refused", "refused"], outcomes
    assert Assignment.objects.filter(commissioner=commissioner).count() == 2
