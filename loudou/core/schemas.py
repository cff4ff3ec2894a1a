"""Schemas every API router shares."""

from typing import Annotated, Any

from ninja import Field, Query, Schema
from ninja.pagination import LimitOffsetPagination


class ErrorsOut(Schema):
    """Why a request was refused (422): messages by field; `__all__` for the whole body.

    A field inside a list or an object is named by its path, e.g. `needs.0.score`."""

    errors: dict[str, list[str]]


#: The largest `offset` a list accepts: far beyond any real list, and within every
#: database's integer (a larger one is a 422, never an overflow).
MAX_OFFSET = 1_000_000_000


def page_limit(default: int, maximum: int) -> Any:
    """A `limit` query parameter: 1 to `maximum` rows, `default` when not given."""
    return Query(default, ge=1, le=maximum, description=f"1 to {maximum} rows")


def page_offset() -> Any:
    """An `offset` query parameter: rows to skip, 0 to MAX_OFFSET."""
    return Query(0, ge=0, le=MAX_OFFSET, description="rows to skip")


class LimitOffset(LimitOffsetPagination):
    """ninja's limit/offset pages (`{"items": [...], "count": n}`) with bounds: `limit`
    1 to 500 (default 100), `offset` 0 to MAX_OFFSET; beyond them a 422, never an
    integer the database cannot hold."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500, description="1 to 500 rows")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="rows to skip")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=500, **kwargs)


#: A record id in a body or query: 1 to 18 digits, like the `id` path converter (a larger
#: number would overflow the database's integer).
Id = Annotated[int, Field(ge=1, le=999_999_999_999_999_999)]
