"""The one place that decides what a user may see and do.

Every view and API route asks `may()` for actions and `scope()` for querysets; nothing else encodes
roles. Rules are data (ACTIONS, SCOPES) so the permission-matrix test can read them and so a new route
cannot forget to declare itself. This module imports no domain app: apps name their resources by string.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", "科技局管理员"
    BUREAU_STAFF = "bureau_staff", "科技局工作人员"
    TOWNSHIP_OFFICER = "township_officer", "镇街科技副镇长"
    ENCLAVE_OPERATOR = "enclave_operator", "飞地运营方"
    ENTERPRISE = "enterprise", "企业用户"
    EXPERT = "expert", "高校院所/专家"
    INVESTOR = "investor", "投资机构"
    PUBLIC = "public", "公众（未登录）"


BUREAU = frozenset({Role.BUREAU_ADMIN, Role.BUREAU_STAFF})
SIGNED_IN = frozenset(set(Role) - {Role.PUBLIC})
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Principal:
    """Who is asking: a role plus the scope ids that role is bound to."""

    role: Role
    user_id: int | None = None
    display_name: str = "访客"
    township_id: int | None = None
    organization_id: int | None = None
    enclave_id: int | None = None
    expert_id: int | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.role != Role.PUBLIC

    @property
    def is_bureau(self) -> bool:
        return self.role in BUREAU


ANONYMOUS = Principal(role=Role.PUBLIC)

# action -> roles allowed to attempt it. Object-level limits come from SCOPES below.
ACTIONS: dict[str, frozenset[Role]] = {
    "dashboard.view": BUREAU | {Role.TOWNSHIP_OFFICER},
    "dashboard.county": BUREAU,  # the seed's headline figures, carriers and finance pages (county-wide)
    "enterprise.list": BUREAU | {Role.TOWNSHIP_OFFICER},
    "enterprise.view": BUREAU | {Role.TOWNSHIP_OFFICER, Role.ENTERPRISE},
    "enterprise.create": BUREAU | {Role.TOWNSHIP_OFFICER},
    "enterprise.change": BUREAU | {Role.TOWNSHIP_OFFICER, Role.ENTERPRISE},
    "enterprise.delete": BUREAU,
    "enterprise.export": BUREAU | {Role.TOWNSHIP_OFFICER},
    "registry.import": BUREAU,
    "history.view": BUREAU,
    "institution.view": EVERYONE,
    "institution.change": BUREAU,
    "expert.view": EVERYONE,
    "expert.change": BUREAU | {Role.EXPERT},
    "investor.view": SIGNED_IN,
    "investor.change": BUREAU,
    "enclave.view": EVERYONE,
    "enclave.change": BUREAU | {Role.ENCLAVE_OPERATOR},
    "township.view": SIGNED_IN,
    "account.view": SIGNED_IN,
    "achievement.view": EVERYONE,
    "achievement.change": BUREAU,
    "directory.export": BUREAU,
    # technology demands (row rules registered by kechuang.demands.access)
    "demand.view": EVERYONE,
    "demand.view_full": EVERYONE,
    "demand.file": BUREAU | {Role.TOWNSHIP_OFFICER, Role.ENTERPRISE},
    "demand.list": BUREAU
    | {Role.TOWNSHIP_OFFICER, Role.ENTERPRISE, Role.ENCLAVE_OPERATOR, Role.EXPERT, Role.INVESTOR},
    "demand.edit": BUREAU | {Role.TOWNSHIP_OFFICER, Role.ENTERPRISE},
    "demand.decide": BUREAU | {Role.TOWNSHIP_OFFICER, Role.ENTERPRISE},
    "demand.triage": BUREAU,
    "demand.route": BUREAU,
    "demand.respond": frozenset({Role.ENCLAVE_OPERATOR, Role.EXPERT, Role.INVESTOR}),
    "demand.interest": frozenset({Role.ENCLAVE_OPERATOR, Role.EXPERT, Role.INVESTOR}),
    "demand.funnel": BUREAU | {Role.TOWNSHIP_OFFICER},
    "demand.export": BUREAU | {Role.TOWNSHIP_OFFICER},
    "campaign.view": BUREAU | {Role.TOWNSHIP_OFFICER},
    "campaign.manage": BUREAU,
    "visit.record": BUREAU | {Role.TOWNSHIP_OFFICER},
    # events (fairs, salons, roadshows)
    "event.view": EVERYONE,
    "event.manage": BUREAU,
    "event.participate": frozenset({Role.ENTERPRISE, Role.EXPERT, Role.INVESTOR, Role.ENCLAVE_OPERATOR}),
    # investor interest at roadshows (row rules registered by kechuang.events.access)
    "event.interest.view": BUREAU | {Role.INVESTOR, Role.ENTERPRISE, Role.EXPERT, Role.ENCLAVE_OPERATOR},
    "event.interest.record": BUREAU | {Role.INVESTOR},
    "event.interest.advance": BUREAU | {Role.INVESTOR},
    # incubation (enclaves, incubators and maker spaces; row rules registered by kechuang.incubation.access)
    "project.list": BUREAU | {Role.ENCLAVE_OPERATOR, Role.ENTERPRISE, Role.EXPERT},
    "project.view": BUREAU | {Role.ENCLAVE_OPERATOR, Role.ENTERPRISE, Role.EXPERT},
    "project.apply": BUREAU | {Role.ENCLAVE_OPERATOR, Role.ENTERPRISE},
    "project.manage": BUREAU | {Role.ENCLAVE_OPERATOR},
    "project.review": BUREAU | {Role.EXPERT},
    "project.decide": BUREAU,
    "incubation.candidates": BUREAU | {Role.ENCLAVE_OPERATOR},
    # enclave contracts and KPI assessment (契约化考核); operators only their own enclave
    "assessment.view": BUREAU | {Role.ENCLAVE_OPERATOR},
    "assessment.report": BUREAU | {Role.ENCLAVE_OPERATOR},
    "assessment.contract": BUREAU,
    "assessment.verify": BUREAU,
    "assessment.simulate": BUREAU,
    "assessment.ranking": BUREAU,
    # policies (惠企政策): the calculator on typed-in figures is open to everyone
    "policy.calculate": EVERYONE,
    "policy.round": BUREAU,  # 免申即享 rounds: compare, confirm the list, approve, record payment
    "policy.ledger": BUREAU,
    "policy.library": BUREAU,  # edit a measure, import a library file, see the version history
    "policy.respond": frozenset({Role.ENTERPRISE}),  # 意愿确认 and bank details, own candidacies only
    "policy.tiers": BUREAU | {Role.TOWNSHIP_OFFICER},
    # matching (search results are limited to what the viewer may see by audience tags)
    "matching.search": EVERYONE,
    "matching.judge": BUREAU,
    # an enterprise on its own demands' suggestions, an expert on suggestions naming them (row rule in
    # kechuang.matching.services.may_give_feedback)
    "matching.feedback": frozenset({Role.ENTERPRISE, Role.EXPERT}),
    "matching.manage": BUREAU,
    # the audit log (logins, exports, permission changes, money decisions): the bureau administrator only
    "audit.view": frozenset({Role.BUREAU_ADMIN}),
}

# resource -> role -> rule. A rule is (model field, principal attribute): the role sees only rows whose
# field equals its own scope id; or a function building a Q from the principal, registered by the app that
# owns the model (see register_scope). A role absent here but allowed by ACTIONS sees every row.
ScopeRule = tuple[str, str] | Callable[[Principal], Q]
SCOPES: dict[str, dict[Role, ScopeRule]] = {
    "enterprise": {
        Role.TOWNSHIP_OFFICER: ("township_id", "township_id"),
        Role.ENTERPRISE: ("organization_id", "organization_id"),
    },
    "expert": {Role.EXPERT: ("pk", "expert_id")},
    "enclave": {Role.ENCLAVE_OPERATOR: ("pk", "enclave_id")},
    "assessment": {Role.ENCLAVE_OPERATOR: ("enclave_id", "enclave_id")},
}

# Which action's scope applies to a resource when changing vs viewing: viewing experts and enclaves is
# open, changing them is limited to the owner.
SCOPED_ACTIONS: dict[str, str] = {
    "enterprise.view": "enterprise",
    "enterprise.change": "enterprise",
    "enterprise.list": "enterprise",
    "enterprise.export": "enterprise",
    "expert.change": "expert",
    "enclave.change": "enclave",
    "assessment.view": "assessment",
    "assessment.report": "assessment",
}


def register_scope(
    resource: str, rules: dict[Role, Callable[[Principal], Q]], actions: dict[str, str]
) -> None:
    """Let a domain app declare row rules its models need (called from AppConfig.ready)."""
    SCOPES.setdefault(resource, {}).update(rules)
    SCOPED_ACTIONS.update(actions)


def register_actions(actions: dict[str, frozenset[Role]]) -> None:
    """Let a domain app declare its actions (called from AppConfig.ready); a name is declared once."""
    clashes = set(actions) & set(ACTIONS)
    if clashes:
        raise ValueError(f"actions declared twice: {sorted(clashes)}")
    ACTIONS.update(actions)


# Side-navigation entries added by domain apps (url name, label, icon, action), shown before 站内通知.
EXTRA_NAV: list[tuple[str, str, str, str]] = []


def register_nav(items: list[tuple[str, str, str, str]]) -> None:
    EXTRA_NAV.extend(item for item in items if item not in EXTRA_NAV)


def _rule_q(rule: ScopeRule, principal: Principal, prefix: str = "") -> Q | None:
    """The Q for a rule, or None when the principal lacks the scope id the rule needs."""
    if callable(rule):
        return rule(principal)
    field, attr = rule
    own = getattr(principal, attr)
    return None if own is None else Q(**{f"{prefix}{field}": own})


def may(principal: Principal, action: str, obj: Any = None) -> bool:
    """May `principal` do `action` (on `obj`, when given)?"""
    allowed = ACTIONS.get(action)
    if allowed is None:
        raise KeyError(f"undeclared action {action!r}: add it to kechuang.core.access.ACTIONS")
    if principal.role not in allowed:
        return False
    if obj is None:
        return True
    resource = SCOPED_ACTIONS.get(action)
    rule = SCOPES.get(resource or "", {}).get(principal.role)
    if rule is None:
        return True
    if callable(rule):
        return type(obj)._default_manager.filter(rule(principal), pk=obj.pk).exists()
    field, attr = rule
    own = getattr(principal, attr)
    return own is not None and getattr(obj, field) == own


M = TypeVar("M", bound=models.Model)


def scope(principal: Principal, queryset: QuerySet[M], action: str, *, prefix: str = "") -> QuerySet[M]:
    """Narrow `queryset` to the rows `principal` may `action`; none at all when the role lacks it.

    `prefix` lets a related model reuse its parent's rule (e.g. figures scoped via "enterprise__").
    """
    if not may(principal, action):
        return queryset.none()
    resource = SCOPED_ACTIONS.get(action)
    rule = SCOPES.get(resource or "", {}).get(principal.role)
    if rule is None:
        return queryset
    condition = _rule_q(rule, principal, prefix)
    return queryset.none() if condition is None else queryset.filter(condition)


def nav_items(principal: Principal) -> list[tuple[str, str, str]]:
    """Side navigation (url name, label, icon) filtered by what the role may open."""
    candidates: list[tuple[str, str, str, str]] = [
        ("dashboard:home", "数据驾驶舱", "▦", "dashboard.view"),
        ("orgs:enterprise_list", "企业库", "▤", "enterprise.list"),
        ("orgs:institution_list", "高校院所", "▣", "institution.view"),
        ("orgs:expert_list", "专家库", "◉", "expert.view"),
        ("orgs:investor_list", "投资机构", "◆", "investor.view"),
        ("orgs:enclave_list", "创新飞地", "◈", "enclave.view"),
        ("achievements:list", "科技成果", "✦", "achievement.view"),
        ("demands:list", "技术需求", "✎", "demand.list"),
        ("demands:public", "需求大厅", "☰", "demand.view"),
        ("demands:funnel", "需求漏斗", "▼", "demand.funnel"),
        ("demands:campaign_list", "需求征集", "⚑", "campaign.view"),
        ("events:list", "对接活动", "☷", "event.view"),
        ("enclaves:contract_list", "飞地考核", "◎", "assessment.view"),
        ("enclaves:ranking", "考核排名", "≡", "assessment.ranking"),
        ("incubation:project_list", "孵化项目", "❖", "project.list"),
        ("incubation:candidates", "淘汰候选", "⚠", "incubation.candidates"),
        ("policies:calculator", "政策计算器", "¥", "policy.calculate"),
        ("policies:my_rounds", "政策兑现", "✓", "policy.respond"),
        ("policies:library", "政策库", "§", "policy.library"),
        ("policies:tiers", "梯度培育", "▲", "policy.tiers"),
        ("policies:round_list", "免申即享", "✓", "policy.round"),
        ("policies:ledger", "拨付台账", "¥", "policy.ledger"),
        ("matching:search", "智能检索", "⌕", "matching.search"),
        ("matching:status", "匹配引擎", "⚙", "matching.manage"),
        *EXTRA_NAV,
        ("notifications:list", "站内通知", "✉", "account.view"),
        ("orgs:township_list", "镇街", "▥", "township.view"),
        ("orgs:import_home", "Excel导入", "⇪", "registry.import"),
        ("core:audit_log", "审计日志", "⚖", "audit.view"),
    ]
    return [(url, label, icon) for url, label, icon, action in candidates if may(principal, action)]


def require(principal: Principal, action: str, obj: Any = None) -> None:
    """Raise the right error: login for the public, 403 for a role without the action."""
    from django.core.exceptions import PermissionDenied

    if may(principal, action, obj):
        return
    if not principal.is_authenticated:
        raise LoginRequired
    raise PermissionDenied


class LoginRequired(Exception):
    """Raised for anonymous users; the middleware turns it into a redirect to the login page."""


ViewFunc = Callable[..., Any]


def requires(action: str) -> Callable[[ViewFunc], ViewFunc]:
    """View decorator: role-level check before the view runs. Object checks happen in selectors."""

    def decorator(view: ViewFunc) -> ViewFunc:
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            require(request.principal, action)
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        wrapped.required_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator
