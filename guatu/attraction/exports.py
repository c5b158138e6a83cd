"""The leads list as an Excel workbook (guatu.web.xlsx_export), the page's filters and order."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from guatu.lib.lights import Light
from guatu.web.xlsx_export import Column, Kind, as_of_text, list_workbook

LIGHT_LABELS = {Light.YELLOW: "黄灯", Light.RED: "红灯"}


def leads_title() -> str:
    return _("Investment leads")


def leads_workbook(leads, lights: dict[int, Light], *, unit_name: str, today: date) -> bytes:
    columns = [
        Column(_("Name"), width=40),
        Column(_("Investor"), width=30),
        Column(_("Investor origin")),
        Column(_("Attraction method")),
        Column(_("Unit in charge"), width=22),
        Column(_("Industry chain")),
        Column(_("Status")),
        Column(_("Planned investment (10k yuan)"), Kind.MONEY),
        Column(_("Contract amount (10k yuan)"), Kind.MONEY),
        Column(_("Signed on"), Kind.DATE),
        Column(_("Promised start"), Kind.DATE),
        Column(_("Started on"), Kind.DATE),
        Column(_("Late start"), width=8),
        Column(_("Project"), width=36),
    ]
    rows = (
        [
            lead.name,
            lead.investor,
            lead.get_investor_origin_display(),
            lead.get_source_display(),
            lead.responsible_unit.display_name,
            lead.chain.name if lead.chain_id else "",
            lead.get_status_display(),
            lead.planned_investment,
            lead.contract_amount,
            lead.signed_on,
            lead.promised_start,
            lead.started_on,
            LIGHT_LABELS.get(lights.get(lead.pk), ""),
            lead.project.name if lead.project_id else "",
        ]
        for lead in leads
    )
    return list_workbook(
        title=leads_title(), unit=unit_name, period=as_of_text(today), columns=columns, rows=rows, amounts=True
    )
