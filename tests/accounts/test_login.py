"""Login: throttled after repeated failures (django-axes), CSRF enforced, password rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client


def test_login_works_and_lands_on_the_roles_home(world: Any) -> None:
    c = Client()
    response = c.post("/accounts/login/", {"username": "staff", "password": "Jinjiang-2024"})
    assert response.status_code == 302
    assert c.get("/", follow=True).redirect_chain[-1][0] == "/dashboard/"


def test_repeated_failures_lock_the_account(world: Any, settings: Any) -> None:
    c = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = c.post("/accounts/login/", {"username": "staff", "password": "wrong-password"})
    html = c.post("/accounts/login/", {"username": "staff", "password": "Jinjiang-2024"}).content.decode()
    assert "锁定" in html
    assert "_auth_user_id" not in c.session
    assert response.status_code in (200, 429)


def test_wrong_password_message_is_chinese(world: Any) -> None:
    html = Client().post("/accounts/login/", {"username": "staff", "password": "nope"}).content.decode()
    assert "用户名或密码错误" in html


def test_csrf_is_enforced_on_forms(world: Any) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users["bureau_admin"])
    response = c.post(f"/orgs/enterprises/{world.own_enterprise.pk}/delete/", {"reason": "x"})
    assert response.status_code == 403 and "页面已过期" in response.content.decode()


def test_password_rules() -> None:
    with pytest.raises(ValidationError):
        validate_password("12345678")
    validate_password("Jinjiang-2024-secure")


def test_session_cookie_settings(settings: Any) -> None:
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.X_FRAME_OPTIONS == "DENY"


def _idle(client: Client, minutes: int) -> None:
    import time

    from kechuang.accounts.middleware import LAST_SEEN_KEY

    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - minutes * 60
    session.save()


def test_an_idle_session_ends_and_says_why(world: Any, settings: Any) -> None:
    settings.KECHUANG_IDLE_TIMEOUT_MINUTES = 30
    c = Client()
    c.force_login(world.users["bureau_staff"])
    assert c.get("/dashboard/").status_code == 200
    _idle(c, 29)
    assert c.get("/dashboard/").status_code == 200  # 29 minutes: still signed in, and the clock restarts
    _idle(c, 31)
    response = c.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in c.session
    assert "超过 30 分钟未操作，已自动退出" in c.get(response["Location"]).content.decode()

    api = Client()
    api.force_login(world.users["bureau_staff"])
    api.get("/dashboard/")
    _idle(api, 31)
    response = api.get("/api/demands/")
    assert response.status_code == 401 and "长时间未操作" in response.json()["detail"]


def test_idle_timeout_can_be_turned_off(world: Any, settings: Any) -> None:
    settings.KECHUANG_IDLE_TIMEOUT_MINUTES = 0
    c = Client()
    c.force_login(world.users["bureau_staff"])
    _idle(c, 600)
    assert c.get("/dashboard/").status_code == 200


def test_passwords_are_hashed_with_argon2id_and_old_pbkdf2_hashes_are_upgraded_at_login(
    db: Any, settings: Any
) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from kechuang import settings as shipped

    settings.PASSWORD_HASHERS = shipped.PASSWORD_HASHERS  # the tests' MD5 shortcut off
    assert make_password("Jinjiang-2024").startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    user = get_user_model().objects.create_user("legacy", password="unused-password")
    user.password = make_password("Jinjiang-2024", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    c = Client()
    assert c.post("/accounts/login/", {"username": "legacy", "password": "Jinjiang-2024"}).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password("Jinjiang-2024") and not user.check_password("Jinjiang-2025")
