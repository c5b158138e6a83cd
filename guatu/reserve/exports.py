"""The reserve's depth and the funding applications as Excel workbooks (guatu.web.xlsx_export)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from guatu.web.xlsx_export import Column, Kind, as_of_text, list_workbook


def depth_title() -> str:
    return _("Reserve depth")


def applications_title() -> str:
    return _("Funding applications")


def depth_workbook(depth, *, group_label: str, unit_name: str, today: date) -> bytes:
    columns = [
        Column(_("Library tier"), width=18),
        Column(group_label, width=24),
        Column(_("Project count"), Kind.INTEGER),
        Column(_("Total investment"), Kind.MONEY),
        Column(_("Ready projects"), Kind.INTEGER),
        Column(_("Ready investment"), Kind.MONEY),
    ]
    rows = (
        [row.tier_label, row.label, row.count, row.investment, row.ready_count, row.ready_investment]
        for row in [*depth.rows, *depth.totals]
    )
    return list_workbook(
        title=depth_title(), unit=unit_name, period=as_of_text(today), columns=columns, rows=rows, amounts=True
    )


def applications_workbook(applications, *, unit_name: str, today: date) -> bytes:
    columns = [
        Column(_("Project"), width=36),
        Column(_("Library tier"), width=18),
        Column(_("Location")),
        Column(_("Funding kind"), width=24),
        Column(_("Year"), Kind.INTEGER),
        Column(_("Amount requested"), Kind.MONEY),
        Column(_("Amount approved"), Kind.MONEY),
        Column(_("Status")),
        Column(_("Applied on"), Kind.DATE),
        Column(_("Decided on"), Kind.DATE),
        Column(_("Funds arrived on"), Kind.DATE),
        Column(_("Note"), width=30),
    ]
    rows = (
        [
            a.project.name,
            a.project.get_tier_display(),
            a.project.location_unit.display_name,
            a.get_kind_display(),
            a.year,
            a.amount_requested,
            a.amount_approved,
            a.get_status_display(),
            a.submitted_on,
            a.decided_on,
            a.funds_arrived_on,
            a.note,
        ]
        for a in applications
    )
    return list_workbook(
        title=applications_title(), unit=unit_name, period=as_of_text(today), columns=columns, rows=rows, amounts=True
    )
