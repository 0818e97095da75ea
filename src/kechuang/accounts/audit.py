"""Permission changes go to the audit log whichever way they are made (admin, shell, demo loader).

Roles and scopes are changed mostly in Django admin, which saves models directly, so the log listens to
the models rather than to a service: a role or scope change on a Profile, the superuser/staff/active flags
on a User, and group or permission membership.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, User
from django.db.models.signals import m2m_changed, post_save, pre_save

from kechuang.accounts.models import Profile
from kechuang.core.access import Role
from kechuang.core.audit import record_audit_event
from kechuang.core.models import AuditEvent

PROFILE_FIELDS = ("role", "township_id", "organization_id", "enclave_id", "expert_id")
USER_FLAGS = {"is_superuser": "超级管理员", "is_staff": "后台登录", "is_active": "启用"}


def _before(instance: Any, fields: tuple[str, ...], update_fields: Any) -> dict[str, Any] | None:
    if instance.pk is None:
        return None
    if update_fields is not None and not {f.removesuffix("_id") for f in fields} & set(update_fields):
        return {f: getattr(instance, f) for f in fields}  # e.g. last_login on every sign-in: nothing to log
    old = type(instance)._default_manager.filter(pk=instance.pk).values(*fields).first()
    return old


def _remember_profile(sender: Any, instance: Profile, update_fields: Any = None, **kwargs: Any) -> None:
    instance._audit_before = _before(instance, PROFILE_FIELDS, update_fields)  # type: ignore[attr-defined]


def _log_profile(sender: Any, instance: Profile, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    before = getattr(instance, "_audit_before", None)
    after = {f: getattr(instance, f) for f in PROFILE_FIELDS}
    if before is not None and before == after:
        return
    scope = "，".join(f"{f.removesuffix('_id')}={v}" for f, v in after.items() if f != "role" and v)
    labels = dict(Role.choices)
    verb = "授予角色" if before is None else f"角色由“{labels.get(before['role'], before['role'])}”改为"
    role = labels.get(instance.role, instance.role)
    record_audit_event(
        category=AuditEvent.Category.PERMISSION,
        action="role.grant" if before is None else "role.change",
        summary=f"账号“{instance.user.get_username()}”{verb}“{role}”{f'（{scope}）' if scope else ''}",
        target=instance.user,
    )


def _remember_user(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    instance._audit_before = _before(instance, tuple(USER_FLAGS), update_fields)  # type: ignore[attr-defined]


def _log_user(sender: Any, instance: User, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    before = getattr(instance, "_audit_before", None) or {}
    changes = [
        f"{label}：{'是' if getattr(instance, flag) else '否'}"
        for flag, label in USER_FLAGS.items()
        if before.get(flag, flag == "is_active") != getattr(instance, flag)  # a new account: active, no flags
    ]
    if changes:
        record_audit_event(
            category=AuditEvent.Category.PERMISSION,
            action="user.flags",
            summary=f"账号“{instance.get_username()}”{'，'.join(changes)}",
            target=instance,
        )


def _log_membership(
    sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    verb = {"post_add": "加入", "post_remove": "移出", "post_clear": "清空"}[action]
    names = "、".join(str(o) for o in model._default_manager.filter(pk__in=pk_set or ()))
    what = "用户组" if model is Group or isinstance(instance, Group) else "权限"
    record_audit_event(
        category=AuditEvent.Category.PERMISSION,
        action=f"{what}.{action.removeprefix('post_')}",
        summary=f"“{instance}”{verb}{what}{f'：{names}' if names else ''}",
        target=instance,
    )


def connect() -> None:
    pre_save.connect(_remember_profile, sender=Profile, dispatch_uid="kechuang.audit.profile.pre")
    post_save.connect(_log_profile, sender=Profile, dispatch_uid="kechuang.audit.profile.post")
    pre_save.connect(_remember_user, sender=User, dispatch_uid="kechuang.audit.user.pre")
    post_save.connect(_log_user, sender=User, dispatch_uid="kechuang.audit.user.post")
    for through, uid in (
        (User.groups.through, "groups"),
        (User.user_permissions.through, "user_permissions"),
        (Group.permissions.through, "group_permissions"),
    ):
        m2m_changed.connect(_log_membership, sender=through, dispatch_uid=f"kechuang.audit.{uid}")
