from typing import Any

from django.http import HttpRequest
from ninja import Router

from kechuang.core.access import require
from kechuang.dashboard.selectors import county_dashboard

router = Router(tags=["数据驾驶舱 dashboard"])


@router.get("/dashboard", summary="县域科技创新指标（实时计算）")
def dashboard_figures(request: HttpRequest, township: int | None = None) -> dict[str, Any]:
    principal = request.principal  # type: ignore[attr-defined]
    require(principal, "dashboard.view")
    return county_dashboard(principal=principal, township_id=principal.township_id or township).as_dict()
