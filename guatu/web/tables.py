"""What the list pages' tables share."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

_ANY_PK = 987654321  # stands for a row's id in the address reversed once


def row_url(name: str) -> Callable[[int], str]:
    """The address of the page `name` (which takes one id) for each row's id, at the cost of one reverse():
    a `{% url %}` per row cost a 50-row table more than any of its other cells."""
    prefix, suffix = reverse(name, args=[_ANY_PK]).split(str(_ANY_PK))
    return lambda pk: f"{prefix}{pk}{suffix}"
