"""Rate limits: sign-in attempts per address and per account, semantic searches per user; a clear
Chinese 429 page with Retry-After, and other addresses and users unaffected."""

from __future__ import annotations

from typing import Any

from django.test import Client


def test_sign_in_attempts_are_limited_per_account_and_per_address(world: Any, settings: Any) -> None:
    settings.KECHUANG_LOGIN_RATE_PER_ACCOUNT = "3/m"
    settings.KECHUANG_LOGIN_RATE_PER_ADDRESS = "6/m"
    settings.AXES_FAILURE_LIMIT = 100  # the lockout is tested elsewhere; here only the rate limit speaks
    c = Client(REMOTE_ADDR="10.0.0.1")
    codes = [c.post("/accounts/login/", {"username": "staff", "password": "x"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    page = c.post("/accounts/login/", {"username": "staff", "password": "Jinjiang-2024"})
    assert page.status_code == 429 and page["Retry-After"] == "60"
    assert "登录尝试过于频繁，请一分钟后再试" in page.content.decode()
    assert "_auth_user_id" not in c.session  # the right password does not get through the limit
    # another account from the same address still may, until the address limit (6 a minute) is reached
    assert (
        Client(REMOTE_ADDR="10.0.0.1")
        .post("/accounts/login/", {"username": "admin", "password": "Jinjiang-2024"})
        .status_code
        == 302
    )
    assert (
        Client(REMOTE_ADDR="10.0.0.1")
        .post("/accounts/login/", {"username": "township", "password": "Jinjiang-2024"})
        .status_code
        == 429
    )
    # …and another address is not affected at all
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert (
        other.post("/accounts/login/", {"username": "staff", "password": "Jinjiang-2024"}).status_code == 302
    )


def test_semantic_search_is_limited_per_user(world: Any, settings: Any, client_for: Any) -> None:
    settings.KECHUANG_SEARCH_RATE = "2/m"
    staff = client_for("bureau_staff")
    codes = [staff.get("/matching/search/", {"q": "鞋材"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "检索过于频繁" in staff.get("/matching/search/", {"q": "鞋材"}).content.decode()
    assert staff.get("/matching/search/").status_code == 200  # the empty form costs nothing, is not counted
    assert client_for("enterprise").get("/matching/search/", {"q": "鞋材"}).status_code == 200
