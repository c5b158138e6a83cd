"""The bulletin as a .docx in the official-document layout (guatu.bulletins.document)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from guatu.bulletins.content import Bulletin, Table
from guatu.bulletins.document import TEXT_WIDTH_MM, OfficialDocument, date_text
from guatu.lib.money import round_half_up
from guatu.web.xlsx_export import Kind

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Relative column widths by kind: text takes the room, figures what "1,234,567.89" needs.
WEIGHTS = {Kind.TEXT: 3.0, Kind.INTEGER: 1.1, Kind.DATE: 2.0}


def cell_text(kind: Kind, value) -> str:
    """A typed cell as the document prints it: amounts with thousands separators and two places (half-up),
    rates as 17.36%, dates as 2022年4月10日."""
    if value is None or value == "":
        return "—" if kind in (Kind.PERCENT, Kind.DECIMAL) else ""
    if kind is Kind.MONEY:
        return f"{round_half_up(Decimal(value), 2):,.2f}"
    if kind is Kind.PERCENT:
        return f"{round_half_up(Decimal(value), 2):.2f}%"
    if kind is Kind.DECIMAL:
        return f"{round_half_up(Decimal(value), 2):.2f}"
    if kind is Kind.DATE and isinstance(value, date):
        return date_text(value)
    return str(value)


def widths(table: Table) -> list[float]:
    weights = [
        column.width / 10 if column.width else WEIGHTS.get(column.kind, 1.8) for column in table.columns
    ]
    total = sum(weights)
    return [TEXT_WIDTH_MM * weight / total for weight in weights]


def write_table(document: OfficialDocument, table: Table) -> None:
    caption = f"{table.title}（单位：万元）" if table.amounts else table.title
    document.table(
        [column.header for column in table.columns],
        [
            [cell_text(column.kind, value) for column, value in zip(table.columns, row, strict=True)]
            for row in table.rows
        ],
        caption=caption,
        widths=widths(table),
    )


def bulletin_docx(bulletin: Bulletin, *, fallback: bool = False) -> bytes:
    document = OfficialDocument(
        title=bulletin.title, issuer=bulletin.issuer, issued_on=bulletin.issued_on, fallback=fallback
    )
    for section in bulletin.sections:
        document.heading(section.heading, level=1)
        for paragraph in section.paragraphs:
            document.paragraph(paragraph)
        for table in section.tables:
            write_table(document, table)
    document.closing()
    if bulletin.appendix:
        document.heading("附表", level=1)
        for table in bulletin.appendix:
            write_table(document, table)
    return document.to_bytes()
