"""Locust scenario for `kechuang bench load`: a fair morning on the platform (issue #19, "Load").

Run by benchmarks/load.py as a separate process (locust and gevent must never be imported into the
Django process: gevent monkeypatches). Every simulated user logs in through the real login form (GET for
the CSRF token, POST the demo credentials), then browses like a morning of the matchmaking fair:
enterprises search, read demands and their agenda; bureau staff check participants in at the desk and
watch the dashboard; the township officer watches the township dashboard.

``KECHUANG_LOAD_TARGETS`` names a JSON file written by load.py: demo password, accounts by role, the fair's
id, its approved registrations and each account's own registration. ``KECHUANG_LOAD_RAW`` names the file
this scenario writes at the end: every request's name, time (ms), whether it failed and when it was sent,
for the figures the CSV summary cannot give (the p95 of page views without the login POST, and of the page
views sent after every user had signed in).
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from typing import Any

from locust import HttpUser, between, events, task

with open(os.environ["KECHUANG_LOAD_TARGETS"], encoding="utf-8") as _targets:
    TARGETS: dict[str, Any] = json.load(_targets)
SEARCH_TERMS = (
    "鞋服新材料",
    "运动鞋中底发泡",
    "纺织印染废水处理",
    "智能制造 视觉检测",
    "陶瓷建材节能窑炉",
    "食品保鲜",
    "锂电池隔膜",
    "工业机器人",
    "纸尿裤高吸水树脂",
    "碳纤维复合材料",
)
DEMAND_LINK = re.compile(r'href="/demands/(\d+)/"')
RAW: list[tuple[str, float, bool, float]] = []


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any, **kwargs: Any) -> None:
    """name, ms, failed, and when it was sent (epoch seconds): load.py splits the login rush off by it."""
    RAW.append((name, response_time, exception is not None, time.time() - response_time / 1000))


@events.quitting.add_listener
def _dump(**kwargs: Any) -> None:
    path = os.environ.get("KECHUANG_LOAD_RAW")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(RAW, out)


class Visitor(HttpUser):
    """A signed-in user of one role; subclasses give the role and the morning's mix of pages."""

    abstract = True
    role = ""
    wait_time = between(1, 4)  # reading a page before the next click

    def on_start(self) -> None:
        self.account = random.choice(TARGETS["accounts"][self.role])
        self.own_registration = TARGETS["own_registration"].get(self.account)
        self.demand_ids: list[int] = []
        self.client.get("/accounts/login/", name="登录页")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.account,
                "password": TARGETS["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            name="登录",
            catch_response=True,
        ) as response:
            if "/accounts/login/" in response.url:
                response.failure(f"{self.account} 登录失败")

    def _csrf(self) -> str:
        return str(self.client.cookies.get("csrftoken", ""))

    def _search(self) -> None:
        kind = random.choice(("", "achievement", "demand"))
        params = {"q": random.choice(SEARCH_TERMS), **({"kind": kind} if kind else {})}
        self.client.get("/matching/search/", params=params, name="智能检索")

    def _demands(self, url: str) -> None:
        response = self.client.get(url, name="需求列表")
        found = [int(pk) for pk in DEMAND_LINK.findall(response.text or "")]
        if found:
            self.demand_ids = found

    def _demand_page(self) -> None:
        if not self.demand_ids:
            self._demands(self.demand_list_url)
        if self.demand_ids:
            self.client.get(f"/demands/{random.choice(self.demand_ids)}/", name="需求详情")

    demand_list_url = "/demands/hall/"


class Participant(Visitor):
    """Enterprises, experts, investors and enclave operators at the fair: search, demands, own agenda."""

    abstract = True

    @task(4)
    def search(self) -> None:
        self._search()

    @task(2)
    def demand_list(self) -> None:
        self._demands(self.demand_list_url)

    @task(4)
    def demand_page(self) -> None:
        self._demand_page()

    @task(3)
    def agenda(self) -> None:
        if self.own_registration:
            self.client.get(f"/events/{TARGETS['fair']}/agenda/", name="个人日程")
        else:
            self.client.get(f"/events/{TARGETS['fair']}/", name="活动页")

    @task(1)
    def home(self) -> None:
        self.client.get("/home/", name="首页")


class EnterpriseUser(Participant):
    role = "enterprise"
    weight = 8


class ExpertUser(Participant):
    role = "expert"
    weight = 3


class InvestorUser(Participant):
    role = "investor"
    weight = 2


class EnclaveUser(Participant):
    role = "enclave_operator"
    weight = 2


class BureauUser(Visitor):
    """Bureau staff at the check-in desk and in front of the dashboard."""

    role = "bureau"
    weight = 3
    demand_list_url = "/demands/"

    @task(5)
    def check_in(self) -> None:
        registration = random.choice(TARGETS["registrations"])
        self.client.post(
            f"/events/{TARGETS['fair']}/act/check_in/",
            data={"registration": registration, "csrfmiddlewaretoken": self._csrf()},
            name="签到",
        )

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/dashboard/", name="数据驾驶舱")

    @task(2)
    def agenda(self) -> None:
        registration = random.choice(TARGETS["registrations"])
        self.client.get(
            f"/events/{TARGETS['fair']}/agenda/", params={"registration": registration}, name="个人日程"
        )

    @task(2)
    def demand_list(self) -> None:
        self._demands(self.demand_list_url)

    @task(2)
    def demand_page(self) -> None:
        self._demand_page()

    @task(2)
    def search(self) -> None:
        self._search()


class TownshipUser(Visitor):
    """The township officer: the township dashboard and its enterprises' demands."""

    role = "township_officer"
    weight = 1

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/dashboard/", name="数据驾驶舱")

    @task(2)
    def demand_page(self) -> None:
        self._demand_page()

    @task(1)
    def search(self) -> None:
        self._search()
