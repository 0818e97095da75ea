"""Synthetic fairs for the benchmark and tests, shaped like a county matchmaking fair.

Exhibitors (institutions showing achievements) are mostly there all day; enterprises and
investors come for a morning, an afternoon or a few hours. Popularity is skewed (a few
exhibitors draw many requests), values are log-normal (a few very promising matches),
caps are 8–12, and about 30 % of requests are already accepted — never more per person
than they could attend, as the platform would refuse those acceptances.
"""

from __future__ import annotations

import random

from .model import Instance, MeetingRequest, Participant, Slot

_INSTITUTES = (
    "福建师范大学",
    "华侨大学",
    "泉州师范学院",
    "黎明职业大学",
    "中科院海西研究院",
    "福州大学晋江科教园",
)
_LABS = ("新材料课题组", "智能制造实验室", "食品工程中心", "纺织鞋服研究所", "生物医药团队", "电子信息实验室")
_TOWNS = ("陈埭", "安海", "磁灶", "池店", "东石", "金井", "龙湖", "内坑", "深沪", "英林", "永和", "紫帽")
_TRADES = ("鞋业", "纺织", "陶瓷", "食品", "机械", "伞业", "新材料", "电子", "包装", "服装")
_FUNDS = ("晋江产业", "海峡科创", "闽南天使", "泉州创投", "丝路资本")


def slot_labels(n: int) -> list[str]:
    """25-minute slots (20-minute meeting + change-over): first half morning, rest afternoon."""
    morning = (n + 1) // 2
    labels = []
    for i in range(n):
        start = 9 * 60 + 25 * i if i < morning else 14 * 60 + 25 * (i - morning)
        labels.append(f"{start // 60:02d}:{start % 60:02d}")
    return labels


def _window(rng: random.Random, n: int, weights: tuple[float, float, float, float]) -> frozenset[int]:
    morning = (n + 1) // 2
    kind = rng.choices(("all", "am", "pm", "span"), weights=weights)[0]
    if kind == "all":
        return frozenset(range(n))
    if kind == "am":
        return frozenset(range(morning))
    if kind == "pm":
        return frozenset(range(morning, n))
    length = rng.randint(max(1, n // 4), max(1, (n * 5) // 8))
    start = rng.randint(0, n - length)
    return frozenset(range(start, start + length))


def generate_instance(
    *,
    exhibitors: int = 300,
    participants: int = 1000,
    requests: int = 3000,
    slots: int = 16,
    tables: int = 120,
    seed: int = 0,
    accepted_share: float = 0.3,
) -> Instance:
    """A reproducible random fair (same arguments → same instance)."""
    rng = random.Random(seed)
    slot_list = [Slot(label, tables) for label in slot_labels(slots)]
    people: list[Participant] = []
    for i in range(exhibitors):
        name = f"{rng.choice(_INSTITUTES)}{rng.choice(_LABS)}{i + 1}"
        people.append(
            Participant(
                f"X{i + 1:04d}", name, rng.randint(8, 12), _window(rng, slots, (70, 12, 12, 6)), "exhibitor"
            )
        )
    n_investors = participants // 8
    for i in range(participants):
        if i < n_investors:
            name, role = f"{rng.choice(_FUNDS)}投资{i + 1}号", "investor"
        else:
            name, role = f"{rng.choice(_TOWNS)}{rng.choice(_TRADES)}企业{i + 1}", "enterprise"
        people.append(
            Participant(
                f"P{i + 1:04d}", name, rng.randint(8, 12), _window(rng, slots, (35, 25, 25, 15)), role
            )
        )
    exh = people[:exhibitors]
    inv = people[exhibitors : exhibitors + n_investors]
    ent = people[exhibitors + n_investors :]
    visitors = people[exhibitors:]
    # Skewed popularity (Zipf-like) for exhibitors and investors, milder activity for visitors.
    exh_w = [1 / (k + 1) ** 0.7 for k in range(len(exh))]
    inv_w = [1 / (k + 1) ** 0.5 for k in range(len(inv))]
    vis_w = [rng.lognormvariate(0, 0.6) for _ in visitors]
    pairs: set[tuple[str, str]] = set()
    reqs: list[MeetingRequest] = []
    attempts = 0
    while len(reqs) < requests and attempts < requests * 50:
        attempts += 1
        if inv and ent and rng.random() < 0.15:
            host, guest = rng.choices(inv, weights=inv_w)[0], rng.choice(ent)
        else:
            host, guest = rng.choices(exh, weights=exh_w)[0], rng.choices(visitors, weights=vis_w)[0]
        if (host.id, guest.id) in pairs:
            continue
        # Most requests are made knowing the other side's hours; a few are not.
        overlap = (host.available or frozenset()) & (guest.available or frozenset())
        if not overlap and rng.random() < 0.9:
            continue
        pairs.add((host.id, guest.id))
        value = round(min(100.0, rng.lognormvariate(1.5, 0.9)), 2)
        reqs.append(MeetingRequest(f"M{len(reqs) + 1:05d}", guest.id, host.id, value))
    # Accept ~30 %, never beyond what either side could attend.
    room = {p.id: min(p.cap, len(p.available or ())) for p in people}
    load: dict[str, int] = {}
    avail = {p.id: p.available or frozenset() for p in people}
    target = round(accepted_share * len(reqs))
    order = list(range(len(reqs)))
    rng.shuffle(order)
    accepted: set[int] = set()
    for i in order:
        if len(accepted) >= target:
            break
        r = reqs[i]
        if not avail[r.a] & avail[r.b]:
            continue
        if load.get(r.a, 0) < room[r.a] and load.get(r.b, 0) < room[r.b]:
            load[r.a] = load.get(r.a, 0) + 1
            load[r.b] = load.get(r.b, 0) + 1
            accepted.add(i)
    final = [
        MeetingRequest(r.id, r.a, r.b, r.value, True) if i in accepted else r for i, r in enumerate(reqs)
    ]
    return Instance(tuple(slot_list), tuple(people), tuple(final))
