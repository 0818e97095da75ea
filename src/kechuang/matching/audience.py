"""Audience tags: who may see a matching document, and which tags a viewer holds.

A document lists tags; a viewer sees it when they share one. The bureau holds "*" (everything).
"""

from __future__ import annotations

from kechuang.core.access import Principal, Role
from kechuang.matching.engine import ALL_AUDIENCES
from kechuang.matching.registry import PUBLIC


def org_tag(organization_id: int) -> str:
    return f"org:{organization_id}"


def township_tag(township_id: int) -> str:
    return f"township:{township_id}"


def enclave_tag(enclave_id: int) -> str:
    return f"enclave:{enclave_id}"


def expert_tag(expert_id: int) -> str:
    return f"expert:{expert_id}"


def audience_of(principal: Principal) -> set[str]:
    if principal.is_bureau:
        return {ALL_AUDIENCES}
    tags = {PUBLIC}
    if principal.organization_id and principal.role in (Role.ENTERPRISE, Role.EXPERT, Role.INVESTOR):
        tags.add(org_tag(principal.organization_id))
    if principal.role == Role.TOWNSHIP_OFFICER and principal.township_id:
        tags.add(township_tag(principal.township_id))
    if principal.role == Role.ENCLAVE_OPERATOR and principal.enclave_id:
        tags.add(enclave_tag(principal.enclave_id))
    if principal.role == Role.EXPERT and principal.expert_id:
        tags.add(expert_tag(principal.expert_id))
    return tags
