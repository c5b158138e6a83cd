"""The one writer behind every list's Excel export (导出Excel).

Every file has the same shape: a title row naming the list, the unit and the period; a 单位：万元 line when
the list shows amounts; one header row of Chinese column names (frozen, with an auto-filter over the table);
then the rows, each cell typed by its column: amounts `#,##0.00`, rates `0.00%`, scores `0.00`, dates as
dates. Text is always written as a string: a name such as `=HYPERLINK(...)` must never become a live
formula in the reader's Excel (CSV/formula injection), so the cell's type is forced to string.

The workbook is written in openpyxl's write-only mode, so a province's list streams row by row.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is a formula (or becomes one) in Excel, WPS and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HUNDRED = Decimal(100)


class Kind(Enum):
    TEXT = "text"
    MONEY = "money"  # 万元, two decimals
    PERCENT = "percent"  # given in percentage points (12.35), shown as 12.35%
    DECIMAL = "decimal"  # a score, two decimals
    NUMBER = "number"  # a measured value, as many decimals as it has
    INTEGER = "integer"
    DATE = "date"
    DATETIME = "datetime"


NUMBER_FORMATS = {
    Kind.MONEY: "#,##0.00",
    Kind.PERCENT: "0.00%",
    Kind.DECIMAL: "0.00",
    Kind.NUMBER: "General",
    Kind.INTEGER: "0",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
}
DEFAULT_WIDTHS = {
    Kind.TEXT: 16,
    Kind.MONEY: 14,
    Kind.PERCENT: 10,
    Kind.DECIMAL: 10,
    Kind.NUMBER: 12,
    Kind.INTEGER: 8,
    Kind.DATE: 12,
    Kind.DATETIME: 17,
}
MAX_WIDTH = 60


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    width: int | None = None  # None: wide enough for the header, at least the kind's usual width

    def sheet_width(self) -> int:
        if self.width is not None:
            return self.width
        header = sum(2 if ord(char) > 0x2E7F else 1 for char in self.header) + 2  # CJK is two wide
        return min(MAX_WIDTH, max(DEFAULT_WIDTHS[self.kind], header))


def title_text(*, title: str, unit: str, period: str) -> str:
    """The title row: the list, the unit, the period, e.g. 项目库（冷水江市，2022年3月）."""
    parts = "，".join(part for part in (unit, period) if part)
    return f"{title}（{parts}）" if parts else title


def period_text(year: int, month: int | None = None) -> str:
    """2022年3月, or 2022年 for a whole year."""
    return f"{year}年{month}月" if month else f"{year}年"


def list_workbook(
    *,
    title: str,
    unit: str,
    period: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    amounts: bool,
    sheet_name: str | None = None,
) -> bytes:
    """The .xlsx bytes of one list. `rows` yields one sequence of values per row, in the columns' order;
    `amounts` adds the 单位：万元 line (the list shows money)."""
    book = Workbook(write_only=True)
    add_sheet(
        book,
        title=title,
        unit=unit,
        period=period,
        columns=columns,
        rows=rows,
        amounts=amounts,
        sheet_name=sheet_name,
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def add_sheet(
    book: Workbook,
    *,
    title: str,
    unit: str,
    period: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    amounts: bool,
    sheet_name: str | None = None,
) -> None:
    """One list as a sheet of a write-only `book` (a workbook of several lists, such as a bulletin's tables,
    adds one sheet per list and saves the book itself)."""
    sheet = book.create_sheet(_sheet_name(sheet_name or title))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.sheet_width()
    last_column = get_column_letter(len(columns))
    header_row = 3 if amounts else 2
    sheet.freeze_panes = f"A{header_row + 1}"  # set before the first row is written; the header stays put

    heading = WriteOnlyCell(sheet, value=_clean(title_text(title=title, unit=unit, period=period)))
    heading.data_type = "s"
    heading.font = Font(bold=True, size=14)
    sheet.append([heading])
    sheet.merged_cells.add(f"A1:{last_column}1")
    if amounts:
        sheet.append([_text_cell(sheet, _("Unit: 10k yuan"))])

    bold = Font(bold=True)
    wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
    headers = []
    for column in columns:
        cell = _text_cell(sheet, column.header)
        cell.font, cell.alignment = bold, wrap
        headers.append(cell)
    sheet.append(headers)

    count = 0
    for row in rows:
        sheet.append([_cell(sheet, column.kind, value) for column, value in zip(columns, row, strict=True)])
        count += 1
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{header_row + max(count, 1)}"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """The workbook as a download; the file name may be Chinese (RFC 5987 encoded)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


# ------------------------------------------------------------------------------------------ cells


def _cell(sheet, kind: Kind, value):
    if value is None or value == "":
        return None
    if kind is Kind.TEXT:
        return _text_cell(sheet, value)
    if kind is Kind.PERCENT:
        value = (value if isinstance(value, Decimal) else Decimal(str(value))) / HUNDRED
    elif kind is Kind.DATETIME and isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.replace(tzinfo=None)  # Excel has no time zones: the office's local time
    elif kind is Kind.DATE and isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    elif kind in (Kind.MONEY, Kind.DECIMAL, Kind.NUMBER, Kind.INTEGER) and not isinstance(
        value, int | Decimal | float
    ):
        value = Decimal(str(value))
    if not isinstance(value, int | float | Decimal | date):
        raise TypeError(f"a {kind.value} column cannot hold {value!r}")
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = NUMBER_FORMATS[kind]
    return cell


def _text_cell(sheet, value) -> WriteOnlyCell:
    """A string cell, whatever the text starts with: never a formula."""
    text = _clean(str(value))
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True  # Excel keeps it text when the cell is edited, too
    return cell


def _clean(text: str) -> str:
    """Characters XML 1.0 cannot hold (control characters other than tab and line breaks) are dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _sheet_name(name: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    for char in "[]:*?/\\":
        name = name.replace(char, " ")
    return name[:31] or "Sheet"


def as_of_text(day: date) -> str:
    """截至2022年4月24日: the period of a list that is not by month (problems, supervision orders)."""
    return f"截至{day.year}年{day.month}月{day.day}日"
