"""Paging of the JSON lists, bounded in one place: every list endpoint takes these two parameters and checks them
with `check_paging` before it touches the database, so that an offset past any integer column
(`?offset=99999999999999999999`) is a 422 in Chinese, never a database overflow and a 500."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.errors import HttpError

MAX_ID = 2**31 - 1  # ids taken as filters are bounded to this too
MAX_LIMIT = 500
MAX_OFFSET = 10**6


class Paging(Schema):
    offset: int = Field(
        0,
        description=f"Rows to skip, 0 to {MAX_OFFSET}",
        json_schema_extra={"minimum": 0, "maximum": MAX_OFFSET},
    )
    limit: int = Field(
        50,
        description=f"Rows to return, 1 to {MAX_LIMIT}",
        json_schema_extra={"minimum": 1, "maximum": MAX_LIMIT},
    )


def check_paging(params: Paging, *, max_limit: int = MAX_LIMIT) -> None:
    """Bounds checked here, not by the schema's validator, so that the refusal is in Chinese."""
    if not 0 <= params.offset <= MAX_OFFSET:
        raise HttpError(422, f"offset 参数应为 0 到 {MAX_OFFSET} 之间的整数")
    if not 1 <= params.limit <= max_limit:
        raise HttpError(422, f"limit 参数应为 1 到 {max_limit} 之间的整数")
