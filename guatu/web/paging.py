"""Paging of the JSON lists, bounded in one place: every list endpoint takes these two parameters and checks them
with `check_paging` before it touches the database, so that an offset past any integer column
(`?offset=99999999999999999999`) is a 422 in Chinese, never a database overflow and a 500.

And the refusals every operation declares in the schema (`responses`), so that a client reading
/api/v1/openapi.json knows each answer it may get."""

from __future__ import annotations

from typing import Any

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


class Refusal(Schema):
    """Every refusal of the API: `{"detail": why}`, a sentence (in Chinese where Guatu writes it), or, for a
    parameter of the wrong type, django-ninja's list of the validation errors."""

    detail: str | list[dict[str, Any]]


def responses(ok: type[Schema], *, not_found: bool = False) -> dict[int, type[Schema]]:
    """An operation's answers: `ok` with 200; 401 signed out or the session ended; 403 held at a sign-in gate
    (a password to change, a two-factor code to give); 422 a parameter refused; 404 (`not_found`) an object or
    unit that does not exist or that the reader may not see."""
    answers: dict[int, type[Schema]] = {200: ok, 401: Refusal, 403: Refusal, 422: Refusal}
    if not_found:
        answers[404] = Refusal
    return answers
