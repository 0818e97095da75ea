"""Notifications: the unread badge in the side navigation, and e-mail copies sent by a background job."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from kechuang.notifications import services
from kechuang.notifications.models import Notification

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _badge(page: str) -> str | None:
    marker = 'class="nav-badge" title="'
    if marker not in page:
        return None
    return page.split(marker, 1)[1].split(" ", 1)[0]


def test_unread_badge_counts_own_unread_only(world: Any, client_for: Any) -> None:
    staff, enterprise = world.users["bureau_staff"], world.users["enterprise"]
    Notification.objects.all().delete()
    services.notify(recipients=[enterprise], title="需求已受理")
    services.notify(recipients=[enterprise], title="需求已分派")
    services.notify(recipients=[staff], title="新需求待受理")
    client = client_for("enterprise")
    page = client.get("/notifications/").content.decode()
    assert _badge(page) == "2" and "2 条未读" in page
    first = Notification.objects.filter(recipient=enterprise).first()
    assert first is not None
    client.post(f"/notifications/{first.pk}/read/")
    assert _badge(client.get("/notifications/").content.decode()) == "1"
    client.post("/notifications/read-all/")
    assert _badge(client.get("/notifications/").content.decode()) is None
    assert _badge(client_for("bureau_staff").get("/notifications/").content.decode()) == "1"
    assert "nav-badge" not in client_for("public").get("/").content.decode()


def test_badge_count_is_one_query_on_pages_that_show_it(world: Any, client_for: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("enterprise")
    client.get("/notifications/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/notifications/")
    sql = [q["sql"] for q in ctx.captured_queries]
    unread_counts = [q for q in sql if "notification" in q.lower() and "COUNT" in q and "read_at" in q]
    assert len(unread_counts) == 1


@pytest.mark.django_db(transaction=True)
def test_email_copy_is_sent_by_a_job_after_commit(settings: Any) -> None:
    from tests import factories as f

    settings.TASKS = IMMEDIATE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = f.user("mailme", "bureau_staff")
    user.email = "mailme@example.cn"
    user.save()
    with transaction.atomic():
        services.notify(recipients=[user], title="新需求待受理", body="请及时受理", url="/demands/1/")
        assert mail.outbox == []  # nothing leaves before the action commits
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "【科创平台】新需求待受理" and mail.outbox[0].to == ["mailme@example.cn"]
    assert "/demands/1/" in mail.outbox[0].body

    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(recipients=[user], title="不会发出")
        raise RuntimeError("the action failed")
    assert mail.outbox == [] and not Notification.objects.filter(title="不会发出").exists()


@pytest.mark.django_db(transaction=True)
def test_failing_mail_server_never_undoes_the_notice(settings: Any, monkeypatch: Any) -> None:
    from tests import factories as f

    settings.TASKS = IMMEDIATE

    def boom(*args: Any, **kwargs: Any) -> int:
        raise OSError("mail server unreachable")

    monkeypatch.setattr("kechuang.notifications.tasks.send_mass_mail", boom)
    user = f.user("mailfail", "bureau_staff")
    user.email = "mailfail@example.cn"
    user.save()
    assert services.notify(recipients=[user], title="邮件服务器不可用时") == 1
    assert Notification.objects.filter(recipient=user, title="邮件服务器不可用时").exists()


@pytest.mark.django_db(transaction=True)
def test_no_mail_is_queued_for_reserved_invalid_addresses(settings: Any) -> None:
    """Demo accounts use the reserved .invalid domain: loading the demo must not fill the job queue."""
    from tests import factories as f

    settings.TASKS = IMMEDIATE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo, real = f.user("demo-user", "bureau_staff"), f.user("real-user", "bureau_staff")
    demo.email, real.email = "staff@demo.invalid", "real@example.cn"
    demo.save()
    real.save()
    assert services.notify(recipients=[demo, real], title="受理提醒") == 2
    assert Notification.objects.filter(title="受理提醒").count() == 2  # both still see it in the platform
    assert [m.to for m in mail.outbox] == [["real@example.cn"]]
