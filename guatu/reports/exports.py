"""The review queue as an Excel workbook: the queue's month and unit, every report waiting, oldest first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from guatu.access import gateway
from guatu.reports.forms import QueueFilterForm
from guatu.reports.views import queue_reports, with_submitters
from guatu.web.xlsx_export import Column, Kind, list_workbook, period_text, xlsx_response


def queue_title() -> str:
    return _("Review queue")


def queue_workbook(reports, *, unit_name: str, period_name: str) -> bytes:
    """Rows of views.queue_reports after with_submitters; amounts in 万元."""
    columns = [
        Column(_("Project"), width=40),
        Column(_("Location")),
        Column(_("Lead unit"), width=22),
        Column(_("Month")),
        Column(_("Completed this month (10k yuan)"), Kind.MONEY),
        Column(_("Submitted at"), Kind.DATETIME),
        Column(_("Submitted by")),
    ]
    rows = (
        [
            report.project.name,
            report.project.location_unit.display_name,
            report.project.lead_unit.display_name,
            f"{report.year:04d}-{report.month:02d}",
            report.amount,
            report.submitted_at,
            report.submitted_by.display_name if report.submitted_by else "",
        ]
        for report in reports
    )
    return list_workbook(
        title=queue_title(), unit=unit_name, period=period_name, columns=columns, rows=rows, amounts=True
    )


@login_required
def review_queue_export(request):
    user = request.user
    if not gateway.is_reviewer(user):
        raise PermissionDenied
    form = QueueFilterForm(request.GET or None, user=user)
    reports, _projects, period, unit = queue_reports(user, form)
    unit = unit or gateway.default_unit(user)
    content = queue_workbook(
        with_submitters(list(reports)),
        unit_name=unit.display_name if unit else "",
        period_name=period_text(period.year, period.month) if period else _("all months"),
    )
    return xlsx_response(content, f"{queue_title()}-{period or 'all'}.xlsx")
