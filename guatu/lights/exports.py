"""The red and yellow list (红黄榜) as an Excel workbook: the board's month and unit, red first, then yellow."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _

from guatu.access import gateway
from guatu.lights.queries import describe_reason, warned_list
from guatu.lights.views import board_scope
from guatu.web.xlsx_export import Column, Kind, list_workbook, period_text, xlsx_response


def board_title() -> str:
    return _("Red and yellow lists")


def board_workbook(lights, *, unit_name: str, period) -> bytes:
    """Rows of queries.warned_list (already red first); the projection in 万元."""
    columns = [
        Column(_("Light"), width=8),
        Column(_("Project"), width=40),
        Column(_("Location")),
        Column(_("Lead unit"), width=22),
        Column(_("Responsible leader")),
        Column(_("Reasons"), width=60),
        Column(_("Projected year-end (10k yuan)"), Kind.MONEY),
    ]
    rows = (
        [
            light.get_light_display(),
            light.project.name,
            light.project.location_unit.display_name,
            light.project.lead_unit.display_name,
            light.project.responsible_leader.name if light.project.responsible_leader else "",
            "；".join(describe_reason(reason) for reason in light.reasons),
            light.projected_year_end,
        ]
        for light in lights
    )
    return list_workbook(
        title=board_title(),
        unit=unit_name,
        period=period_text(period.year, period.month),
        columns=columns,
        rows=rows,
        amounts=True,
    )


@login_required
def board_export(request):
    _form, unit, projects, period = board_scope(request)
    unit = unit or gateway.default_unit(request.user)
    content = board_workbook(
        warned_list(projects, period), unit_name=unit.display_name if unit else "", period=period
    )
    return xlsx_response(content, f"{board_title()}-{period}.xlsx")
