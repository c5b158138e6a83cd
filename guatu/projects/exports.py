"""The project library as an Excel workbook (guatu.web.xlsx_export: write-only, so a province's list streams)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from guatu.lib.periods import Period
from guatu.web.xlsx_export import Column, Kind, list_workbook


def library_title() -> str:
    return _("Project library")


def library_workbook(projects, period: Period, *, unit_name: str) -> bytes:
    """Rows of queries.with_progress() + finish_progress(), in the list's columns; amounts in 万元."""
    columns = [
        Column(_("Project code"), width=24),
        Column(_("Project name"), width=40),
        Column(_("Level tags"), width=24),
        Column(_("Stage")),
        Column(_("Location")),
        Column(_("Lead unit"), width=22),
        Column(_("Responsible leader")),
        Column(_("%(year)s annual plan (10k yuan)") % {"year": period.year}, Kind.MONEY),
        Column(_("%(window)s completed (10k yuan)") % {"window": period.label_zh()}, Kind.MONEY),
        Column(_("Completion rate (%)"), Kind.PERCENT),
        Column(_("Owner"), width=30),
    ]
    rows = (
        [
            project.code,
            project.name,
            "、".join(tag.name for tag in project.tags.all()),
            project.get_stage_display(),
            project.location_unit.display_name,
            project.lead_unit.display_name,
            project.responsible_leader.name if project.responsible_leader else "",
            project.annual_plan,
            project.ytd_completed,
            project.completion_percent,
            project.owner,
        ]
        for project in projects
    )
    return list_workbook(
        title=library_title(),
        unit=unit_name,
        period=f"{period.year}年{period.label_zh()}",
        columns=columns,
        rows=rows,
        amounts=True,
    )
