"""API pagination with an upper bound on the page number.

Why: ninja's PageNumberPagination accepts any page, and a page past ~2**63 / page_size overflows the SQL
OFFSET (a 500 on SQLite and PostgreSQL). A million pages of 50 is far beyond any list here, so larger pages
are refused as invalid input (422) instead.
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)
