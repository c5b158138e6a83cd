"""The enterprise list as an Excel workbook (guatu.web.xlsx_export)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from guatu.web.xlsx_export import Column, Kind, as_of_text, list_workbook


def enterprises_title() -> str:
    return _("Enterprises")


def enterprises_workbook(enterprises, *, unit_name: str, today: date) -> bytes:
    """Rows of views._filtered, in the list's order."""
    columns = [
        Column(_("Enterprise name"), width=36),
        Column(_("Unified social credit code"), width=22),
        Column(_("Unit looking after it"), width=22),
        Column(_("Industry chain"), width=20),
        Column(_("Above designated size")),
        Column(_("Chain-master firm")),
        Column(_("Industry")),
        Column(_("Contact person")),
        Column(_("Contact phone")),
        Column(_("Requests"), Kind.INTEGER),
        Column(_("Open requests"), Kind.INTEGER),
    ]
    yes = _("Yes")
    rows = (
        [
            firm.name,
            firm.uscc,
            firm.unit.display_name,
            firm.chain.name if firm.chain_id else "",
            yes if firm.above_scale else "",
            yes if firm.is_chain_master else "",
            firm.industry,
            firm.contact_name,
            firm.contact_phone,
            firm.request_count,
            firm.open_requests,
        ]
        for firm in enterprises
    )
    return list_workbook(
        title=enterprises_title(),
        unit=unit_name,
        period=as_of_text(today),
        columns=columns,
        rows=rows,
        amounts=False,
    )
