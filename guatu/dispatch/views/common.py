"""What the dispatch pages share: page size, severity order, the units a user may pick, order rows."""

from __future__ import annotations

from guatu.access import gateway
from guatu.dispatch.models import SupervisionStatus
from guatu.lights.models import LightColor
from guatu.orgs.models import OrgUnit

PAGE_SIZE = 50
SEVERITY = {LightColor.RED: 0, LightColor.YELLOW: 1, LightColor.GREEN: 2}


def is_partial(request) -> bool:
    """An htmx request for the table only (a history restore wants the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def units_for(user) -> list[OrgUnit]:
    """The units a user may pick (assign to, address, filter by), in tree order."""
    return list(gateway.visible_units(user).order_by("path"))


def orders_for_list(user):
    return gateway.visible_orders(user).select_related("project", "addressee", "problem")


def mark_overdue(orders, today) -> list:
    orders = list(orders)
    for order in orders:
        order.overdue = order.status == SupervisionStatus.ISSUED and order.deadline < today
        order.days_overdue = (today - order.deadline).days if order.overdue else 0
    return orders
