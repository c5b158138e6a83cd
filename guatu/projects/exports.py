"""The project library as an Excel workbook (openpyxl, write-only so a province's list streams)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from guatu.lib.periods import Period


def library_workbook(projects, period: Period) -> bytes:
    """Rows of queries.with_progress() + finish_progress(), in the list's columns; amounts in 万元."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Project library"))
    sheet.freeze_panes = "C2"
    for column, width in zip("ABCDEFGHIJK", (26, 40, 24, 10, 14, 18, 10, 14, 14, 10, 30), strict=True):
        sheet.column_dimensions[column].width = width
    headers = [
        _("Project code"),
        _("Project name"),
        _("Level tags"),
        _("Stage"),
        _("Location"),
        _("Lead unit"),
        _("Responsible leader"),
        _("%(year)s annual plan (10k yuan)") % {"year": period.year},
        _("%(window)s completed (10k yuan)") % {"window": period.label_zh()},
        _("Completion rate (%)"),
        _("Owner"),
    ]
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for project in projects:
        sheet.append(
            [
                project.code or "",
                project.name,
                "、".join(tag.name for tag in project.tags.all()),
                project.get_stage_display(),
                project.location_unit.display_name,
                project.lead_unit.display_name,
                project.responsible_leader.name if project.responsible_leader else "",
                _money(sheet, project.annual_plan),
                _money(sheet, project.ytd_completed),
                _money(sheet, project.completion_percent),
                project.owner,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _money(sheet, value: Decimal | None):
    """A number cell showing two decimals; the Decimal is exact to the cent, so float() loses nothing shown."""
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=float(value))
    cell.number_format = "#,##0.00"
    return cell
