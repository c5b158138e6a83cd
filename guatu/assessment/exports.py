"""The value review queue and a scheme's results as Excel workbooks (guatu.web.xlsx_export)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guatu.access import gateway
from guatu.assessment.views.common import units_named
from guatu.lib.periods import Period
from guatu.web.xlsx_export import Column, Kind, list_workbook, period_text


def values_title() -> str:
    return _("Value review")


def values_workbook(values, *, unit_name: str, period: Period | None) -> bytes:
    """Rows of views.values.queue_values, oldest first; a value is as entered (no rounding)."""
    columns = [
        Column(_("Indicator"), width=30),
        Column(_("Unit"), width=22),
        Column(_("Month")),
        Column(pgettext("assessment", "Value"), Kind.NUMBER),
        Column(_("Not applicable")),
        Column(_("Target"), Kind.NUMBER),
        Column(_("Status")),
        Column(_("Note"), width=30),
        Column(_("Entered by")),
        Column(_("Last changed"), Kind.DATETIME),
    ]
    rows = (
        [
            value.indicator.name,
            value.unit.display_name,
            f"{value.year:04d}-{value.month:02d}",
            None if value.not_applicable else value.value,
            _("yes") if value.not_applicable else "",
            value.target,
            value.get_status_display(),
            value.note,
            value.entered_by.display_name if value.entered_by_id else "",
            value.updated_at,
        ]
        for value in values
    )
    return list_workbook(
        title=values_title(),
        unit=unit_name,
        period=period_text(period.year, period.month) if period else _("all months"),
        columns=columns,
        rows=rows,
        amounts=False,
    )


def visible_groups(user, scheme, snap) -> list[dict]:
    """The result's groups with the units the user may see (all, or only their own card), for page and export."""
    sees_all = gateway.sees_all_cards(user, snap)
    names = [u["unit"] for g in snap.results["groups"] for u in g["units"]]
    by_name = units_named(scheme, names)
    groups = []
    for group in snap.results["groups"]:
        units = [
            {**u, "org": by_name.get(u["unit"])}
            for u in group["units"]
            if sees_all or (by_name.get(u["unit"]) and by_name[u["unit"]].pk == user.org_unit_id)
        ]
        if units:
            groups.append({"name": group["name"], "units": units, "size": len(group["units"])})
    return groups


def results_title(scheme) -> str:
    return _("%(scheme)s: results") % {"scheme": scheme.name}


def results_workbook(groups: list[dict], *, scheme, period: Period) -> bytes:
    """The groups of views.results.visible_groups: the units the reader may see, in rank order."""
    columns = [
        Column(_("Group"), width=20),
        Column(_("Rank"), Kind.INTEGER),
        Column(_("Unit"), width=22),
        Column(_("Total"), Kind.DECIMAL),
        Column(_("Indicator points"), Kind.DECIMAL),
        Column(_("Bonus"), Kind.DECIMAL),
        Column(_("Penalty"), Kind.DECIMAL),
        Column(_("Veto")),
        Column(_("Grade")),
    ]
    rows = (
        [
            group["name"],
            unit["rank"],
            unit["unit"],
            unit["total"],
            unit["rescaled"],
            unit["bonus"],
            unit["penalty"],
            _("vetoed") if unit.get("vetoed") else "",
            unit.get("grade") or "",
        ]
        for group in groups
        for unit in group["units"]
    )
    return list_workbook(
        title=results_title(scheme),
        unit=scheme.jurisdiction.display_name,
        period=period_text(period.year, period.month),
        columns=columns,
        rows=rows,
        amounts=False,
    )
