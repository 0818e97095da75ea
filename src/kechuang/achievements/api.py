from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from kechuang.achievements import selectors
from kechuang.core.access import require
from kechuang.core.pagination import BoundedPageNumberPagination

router = Router(tags=["科技成果 achievements"])


class AchievementOut(Schema):
    id: int
    title: str
    abstract: str
    category: str
    discipline: str
    keywords: list[str]


@router.get("/achievements", response=list[AchievementOut], summary="科技成果（公开部分）")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_achievements(request: HttpRequest, q: str = "", category: str = "") -> object:
    principal = request.principal  # type: ignore[attr-defined]
    require(principal, "achievement.view")
    return selectors.achievement_list(principal=principal, q=q, category=category)


@router.get("/achievements/{pk}", response=AchievementOut, summary="成果详情")
def get_achievement(request: HttpRequest, pk: int) -> object:
    return selectors.achievement_get(principal=request.principal, pk=pk)  # type: ignore[attr-defined]
