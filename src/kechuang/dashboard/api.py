from typing import Any

from django.http import HttpRequest
from ninja import Router

from kechuang.core.access import require
from kechuang.dashboard.selectors import county_dashboard
from kechuang.policies.selectors import policy_figures

router = Router(tags=["数据驾驶舱 dashboard"])


@router.get("/dashboard", summary="县域科技创新指标（实时计算）")
def dashboard_figures(request: HttpRequest, township: int | None = None) -> dict[str, Any]:
    principal = request.principal  # type: ignore[attr-defined]
    require(principal, "dashboard.view")
    township_id = principal.township_id or township
    figures = county_dashboard(principal=principal, township_id=township_id).as_dict()
    figures["policies"] = policy_figures(principal, township_id=township_id).as_dict()
    return figures
