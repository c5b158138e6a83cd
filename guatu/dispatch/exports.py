"""The problem list and the supervision orders as Excel workbooks (guatu.web.xlsx_export)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guatu.dispatch.models import OPEN_STATUSES
from guatu.web.xlsx_export import Column, Kind, as_of_text, list_workbook


def problems_title() -> str:
    return pgettext("dispatch", "Problems")


def orders_title() -> str:
    return _("Supervision orders")


def _subject(problem) -> str:
    if problem.project_id:
        return problem.project.name
    if problem.chain_id:
        return _("Chain") + "：" + problem.chain.name
    if problem.enterprise_id:
        return _("Enterprise") + "：" + problem.enterprise.name
    return _("Meeting") + "：" + problem.meeting.title if problem.meeting_id else ""


def problems_workbook(problems, *, unit_name: str, today: date) -> bytes:
    """Rows of views.problems.filtered_problems, in the list's order."""
    columns = [
        Column(_("Problem"), width=50),
        Column(_("Project / chain / meeting"), width=36),
        Column(_("Location")),
        Column(_("Category")),
        Column(_("Tier")),
        Column(_("Status")),
        Column(_("Assigned unit"), width=22),
        Column(_("Deadline"), Kind.DATE),
        Column(_("Overdue"), width=8),
        Column(_("Raised"), Kind.DATETIME),
        Column(_("Raised by")),
    ]
    rows = (
        [
            problem.description,
            _subject(problem),
            problem.project.location_unit.display_name if problem.project_id else "",
            problem.get_category_display(),
            problem.get_tier_display(),
            problem.get_status_display(),
            problem.assigned_unit.display_name if problem.assigned_unit_id else "",
            problem.deadline,
            _("Yes") if _problem_overdue(problem, today) else "",
            problem.raised_at,
            problem.raised_by.display_name,
        ]
        for problem in problems
    )
    return list_workbook(
        title=problems_title(), unit=unit_name, period=as_of_text(today), columns=columns, rows=rows, amounts=False
    )


def _problem_overdue(problem, today: date) -> bool:
    return problem.status in OPEN_STATUSES and problem.deadline is not None and problem.deadline < today


def orders_workbook(orders, *, unit_name: str, today: date) -> bytes:
    """Rows of views.orders.filtered_orders after queries.mark_overdue, in the list's order."""
    columns = [
        Column(_("Number"), width=22),
        Column(_("Project"), width=36),
        Column(_("Addressed to"), width=22),
        Column(_("Requirement"), width=50),
        Column(_("Response deadline"), Kind.DATE),
        Column(_("Status")),
        Column(_("Days overdue"), Kind.INTEGER),
        Column(_("Issued"), Kind.DATETIME),
    ]
    rows = (
        [
            order.number,
            order.project.name,
            order.addressee.display_name,
            order.requirement,
            order.deadline,
            order.get_status_display(),
            order.days_overdue or None,
            order.issued_at,
        ]
        for order in orders
    )
    return list_workbook(
        title=orders_title(), unit=unit_name, period=as_of_text(today), columns=columns, rows=rows, amounts=False
    )
