"""The chain list as an Excel workbook (guatu.web.xlsx_export)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from guatu.chains.queries import ChainFigures, counted_metric
from guatu.lib.periods import Period
from guatu.web.xlsx_export import Column, Kind, list_workbook, period_text


def chains_workbook(rows: list[ChainFigures], *, period: Period) -> bytes:
    columns = [
        Column(_("Industry chain"), width=24),
        Column(_("Chain kind")),
        Column(_("Chain chief")),
        Column(_("Lead department"), width=22),
    ]
    metrics = [line.metric for line in rows[0].lines] if rows else []
    for line in rows[0].lines if rows else []:
        kind = Kind.INTEGER if counted_metric(line.metric) else Kind.MONEY
        columns += [
            Column(f"{line.label}（{line.unit}）" + _("target"), kind),
            Column(f"{line.label}（{line.unit}）" + _("actual"), kind),
        ]
    body = []
    for figures in rows:
        chain = figures.chain
        row = [
            chain.name,
            chain.get_kind_display(),
            chain.chief.name if chain.chief_id else "",
            chain.lead_unit.display_name if chain.lead_unit_id else "",
        ]
        for metric in metrics:
            line = figures.line(metric)
            row += [line.target, line.actual]
        body.append(row)
    return list_workbook(
        title=_("Industry chains"), unit="", period=period_text(period.year, period.month), columns=columns, rows=body, amounts=False
    )
