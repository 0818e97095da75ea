"""Permission cases for the commissioners app's routes (collected by tests/test_permission_matrix.py).

The bureau and township officers read the registry; an expert reads only their own commissioner record.
A township officer matches and assigns for its township's enterprises (another township's is 404). An
assignment is seen by the bureau, the officer of the enterprise's township, the assigned expert and the
enterprise itself; everyone else in those roles gets 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.matrix_support import BUREAU, Case, expect, u

VIEW = BUREAU | {"township_officer", "expert"}
ASSIGN = BUREAU | {"township_officer"}
ASSIGNMENT = BUREAU | {"township_officer", "expert", "enterprise"}

CASES: list[Case] = [
    Case("commissioners:list", u("commissioners:list"), expect(VIEW)),
    Case("commissioners:create", u("commissioners:create"), expect(BUREAU)),
    Case("commissioners:detail", u("commissioners:detail", lambda w: w.own_commissioner.pk), expect(VIEW)),
    Case(
        "commissioners:detail other",
        u("commissioners:detail", lambda w: w.other_commissioner.pk),
        expect(VIEW, scoped_out={"expert"}),
    ),
    Case("commissioners:edit", u("commissioners:edit", lambda w: w.own_commissioner.pk), expect(BUREAU)),
    Case("commissioners:match_pick", u("commissioners:match_pick"), expect(ASSIGN)),
    Case("commissioners:match", u("commissioners:match", lambda w: w.own_enterprise.pk), expect(ASSIGN)),
    Case(
        "commissioners:match other",
        u("commissioners:match", lambda w: w.other_enterprise.pk),
        expect(BUREAU, scoped_out={"township_officer"}),
    ),
    Case(
        "commissioners:match post",
        u("commissioners:match", lambda w: w.own_enterprise.pk),
        expect(ASSIGN),  # no commissioner chosen: the form comes back with the error (200), nothing written
        method="post",
        data={"commissioner": "", "goals": "重复派驻", "starts_on": "2025-03-01", "ends_on": "2025-06-30"},
    ),
    Case(
        "commissioners:match_batch",
        lambda w: f"/commissioners/match/batch/?e={w.own_enterprise.pk}&e={w.other_enterprise.pk}",
        expect(ASSIGN),  # a township officer's proposal holds only its own township's enterprise
    ),
    Case(
        "commissioners:match_batch post",
        u("commissioners:match_batch"),
        expect(ASSIGN, ok=302),  # nothing ticked: refused with a message, nothing written
        method="post",
        data={"e": "1"},
    ),
    Case(
        "commissioners:assignment",
        u("commissioners:assignment", lambda w: w.own_assignment.pk),
        expect(ASSIGNMENT),
    ),
    Case(
        "commissioners:assignment other",
        u("commissioners:assignment", lambda w: w.other_assignment.pk),
        expect(BUREAU, scoped_out={"township_officer", "expert", "enterprise"}),
    ),
    Case(
        "commissioners:assignment post",
        u("commissioners:assignment", lambda w: w.own_assignment.pk),
        # the bureau and the assigned expert may record (a bad date: the form comes back, 200); the
        # township officer and the enterprise see the page but may not record (403)
        expect(BUREAU | {"expert"}),
        method="post",
        data={"served_on": "2020-01-01", "problem": "测试", "action": "测试"},
    ),
    Case(
        "commissioners:assignment_close",
        u("commissioners:assignment_close", lambda w: w.own_assignment.pk),
        expect(ASSIGN, ok=302),  # an unknown status: refused with a message, back to the assignment
        method="post",
        data={"status": "bogus"},
    ),
    Case(
        "commissioners:assignment_close other",
        u("commissioners:assignment_close", lambda w: w.other_assignment.pk),
        expect(BUREAU, ok=302, scoped_out={"township_officer"}),
        method="post",
        data={"status": "bogus"},
    ),
    Case("commissioners:mine", u("commissioners:mine"), expect({"enterprise"})),
    Case("commissioners:report", u("commissioners:report"), expect(BUREAU)),
]


def setup(world: Any) -> None:
    """Add the objects these cases need to the shared matrix world: a commissioner for each expert, one
    assigned to the own enterprise (own township) and one to the other enterprise (other township)."""
    from kechuang.commissioners import services

    w = world
    w.own_commissioner = services.save_commissioner(
        actor=None, expert=w.own_expert, field="shoes", expertise="鞋底材料", max_enterprises=3
    )
    w.other_commissioner = services.save_commissioner(
        actor=None, expert=w.other_expert, field="ceramics", expertise="陶瓷窑炉节能", max_enterprises=3
    )
    w.own_assignment = services.assign(
        actor=None,
        commissioner=w.own_commissioner,
        enterprise=w.own_enterprise,
        goals="鞋底耐磨配方改进",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
    )
    w.other_assignment = services.assign(
        actor=None,
        commissioner=w.other_commissioner,
        enterprise=w.other_enterprise,
        goals="窑炉余热回收",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
    )
