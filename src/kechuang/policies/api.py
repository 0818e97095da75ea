"""`POST /api/policies/evaluate`: the policy calculator on typed-in figures, open to the public, rate-limited.

It writes nothing and reads only the library in force (the body is the enterprise JSON of
docs/policies.md), so it needs no login and no CSRF token; the per-address throttle keeps it from
being used as a free CPU.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Body, Router, Status
from ninja.throttling import AnonRateThrottle

from kechuang.core.access import require
from kechuang.policies import selectors
from kechuang.policies.rules import FactsError, explain, facts_from_json

router = Router(tags=["惠企政策 policies"])
ENTERPRISE_BODY = Annotated[dict[str, Any], Body(..., description="企业数据，格式见 docs/policies.md")]


@router.post(
    "/policies/evaluate",
    summary="政策计算器：按填写的企业数据逐条评价政策措施（无需登录，限频）",
    response={200: dict[str, Any], 422: dict[str, Any]},
    throttle=[AnonRateThrottle("60/m")],
)
def evaluate_policies(request: HttpRequest, enterprise: ENTERPRISE_BODY) -> Status:
    require(request.principal, "policy.calculate")  # type: ignore[attr-defined]
    try:
        facts = facts_from_json(enterprise)
    except FactsError as exc:
        return Status(422, {"detail": "企业数据有误", "errors": exc.messages})
    return Status(200, explain(selectors.library_in_force()[1], facts))
