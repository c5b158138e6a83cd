"""The bulletin's tables as a workbook, one sheet a table, through the shared Excel writer (title row with
the unit and period, 单位：万元 where a table shows amounts, typed number formats)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from guatu.bulletins.content import Bulletin
from guatu.web.xlsx_export import XLSX_CONTENT_TYPE, add_sheet

__all__ = ["XLSX_CONTENT_TYPE", "bulletin_xlsx"]


def bulletin_xlsx(bulletin: Bulletin) -> bytes:
    book = Workbook(write_only=True)
    used: set[str] = set()
    for index, table in enumerate(bulletin.tables(), start=1):
        name = table.title.split("：")[-1][:28]
        if name in used:
            name = f"{index}{name}"[:31]
        used.add(name)
        add_sheet(
            book,
            title=table.title,
            unit=bulletin.unit.name,
            period=bulletin.period_text,
            columns=table.columns,
            rows=table.rows,
            amounts=table.amounts,
            sheet_name=name,
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
