"""What the dispatch pages share: page size, whether htmx asked for a fragment, the units a user may pick."""

from __future__ import annotations

from guatu.access import gateway
from guatu.orgs.models import OrgUnit

PAGE_SIZE = 50


def is_partial(request) -> bool:
    """An htmx request for the table only (a history restore wants the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def units_for(user) -> list[OrgUnit]:
    """The units a user may pick (assign to, address, filter by), in tree order."""
    return list(gateway.visible_units(user).order_by("path"))
