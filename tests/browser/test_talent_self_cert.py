"""In real headless Chromium: an authorised enterprise self-certifies its talents up to its quota through
the 自主认定 page (本年度名额 N，已用 U，剩余 R), is refused the next one with the typed values kept, and the
publicity list shows the names without any ID number."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_demand_flow import Roles, click_and_wait

pytestmark = pytest.mark.browser


@pytest.fixture
def roles(browser: Any, live_server: Any) -> Any:
    made = Roles(browser, live_server.url)
    yield made
    made.close()


def test_enterprise_certifies_up_to_its_quota_and_is_refused_the_next(
    roles: Roles, live_server: Any, transactional_db: Any, world: Any
) -> None:
    from django.utils import timezone

    from kechuang.talents.models import Certification
    from tests.talents.support import authorise, catalogue, id_number, person

    cat = catalogue()
    authorise(world.own_enterprise, [cat["C"], cat["D"]], places=2, year=timezone.localdate().year)
    people = [person(300 + k, world.own_enterprise, on=timezone.localdate()) for k in range(3)]
    base = live_server.url
    ent = roles.open("enterprise")
    ent.goto(f"{base}/talents/self/")
    assert "本年度名额 2，已用 0，剩余 2" in ent.locator("#quota").inner_text()
    for p in people[:2]:
        ent.get_by_label("本单位人才").select_option(label=f"{p.name}（{p.id_masked}）")
        ent.get_by_label("认定依据（目录条目）").select_option(index=1)
        click_and_wait(ent, ent.get_by_role("button", name="提交认定（占用名额）"))
        assert "已提交自主认定" in ent.locator(".messages").inner_text()
    assert "本年度名额 2，已用 2，剩余 0" in ent.locator("#quota").inner_text()

    ent.get_by_label("本单位人才").select_option(label=f"{people[2].name}（{people[2].id_masked}）")
    ent.get_by_label("认定依据（目录条目）").select_option(index=1)
    ent.get_by_label("认定说明").fill("第三位人才的说明")
    click_and_wait(ent, ent.get_by_role("button", name="提交认定（占用名额）"))
    main = ent.locator("main").inner_text()
    assert "名额已用完" in main and "名额 2 个，已用 2 个" in main
    assert ent.get_by_label("认定说明").input_value() == "第三位人才的说明"
    screenshot(ent, "talent-self-cert-refused")
    assert Certification.objects.count() == 2

    investor = roles.open("investor")
    investor.goto(f"{base}/talents/publicity/")
    text = investor.locator("#publicity").inner_text()
    assert people[0].name in text and people[1].name in text
    assert not any(id_number(300 + k) in text or p.id_masked in text for k, p in enumerate(people))
