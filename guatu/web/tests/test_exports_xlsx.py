"""The shared Excel writer: title, unit line, header, typed cells, safe text, frozen header, auto-filter."""

import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from guatu.web.xlsx_export import Column, Kind, list_workbook, title_text, xlsx_response

HOSTILE = '=HYPERLINK("http://x","y")'
COLUMNS = [
    Column("名称"),
    Column("金额", Kind.MONEY),
    Column("完成率", Kind.PERCENT),
    Column("得分", Kind.DECIMAL),
    Column("个数", Kind.INTEGER),
    Column("期限", Kind.DATE),
    Column("时间", Kind.DATETIME),
]


def _book(rows, *, amounts=True):
    return list_workbook(
        title="测试清单", unit="冷水江市", period="2022年3月", columns=COLUMNS, rows=rows, amounts=amounts
    )


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        return archive.read(names[0]).decode()


def cell_xml(content: bytes, text: str) -> str:
    """The <c> element of the sheet that holds `text` (XML-escaped as openpyxl writes it)."""
    escaped = text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    for match in re.finditer(r"<c [^>]*>.*?</c>", sheet_xml(content)):
        if escaped in match.group(0) or text in match.group(0):
            return match.group(0)
    raise AssertionError(f"no cell holds {text!r}")


def export_queries(client, url, params=None) -> int:
    """How many queries one export takes (the export tests compare few rows with many)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def test_title_unit_line_header_and_typed_cells():
    at = timezone.make_aware(datetime(2022, 3, 5, 9, 30))
    content = _book([["甲", Decimal("1234.5"), Decimal("12.35"), Decimal("88.5"), 3, date(2022, 3, 31), at]])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == "测试清单（冷水江市，2022年3月）"
    assert sheet["A2"].value == "单位：万元"
    assert [c.value for c in sheet[3]] == [c.header for c in COLUMNS]
    row = sheet[4]
    assert row[1].value == 1234.5 and row[1].number_format == "#,##0.00"
    assert row[2].value == 0.1235 and row[2].number_format == "0.00%"
    assert row[3].number_format == "0.00" and row[4].number_format == "0"
    assert row[5].value == datetime(2022, 3, 31) and row[5].number_format == "yyyy-mm-dd"
    assert row[6].value == datetime(2022, 3, 5, 9, 30)  # local time, no zone
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:G4"
    assert "A1:G1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.column_dimensions["A"].width >= 8


def test_without_amounts_there_is_no_unit_line():
    sheet = load_workbook(
        io.BytesIO(_book([["甲", None, None, None, None, None, None]], amounts=False))
    ).active
    assert sheet["A2"].value == "名称"
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:G3"
    assert [c.value for c in sheet[3]][1:] == [None] * 6  # blanks stay blank


def test_text_that_looks_like_a_formula_is_a_string():
    texts = [HOSTILE, "+1+1", "-2", "@SUM(A1)", "\t=1", "\r=1"]
    content = _book([[text, None, None, None, None, None, None] for text in texts])
    for text in texts[:4]:
        xml = cell_xml(content, text)
        assert 't="inlineStr"' in xml and "<f>" not in xml, xml
    assert "<f>" not in sheet_xml(content)
    sheet = load_workbook(io.BytesIO(content)).active
    assert [sheet.cell(row=4 + i, column=1).value for i in range(len(texts))] == texts
    assert sheet["A4"].data_type == "s"


def test_control_characters_are_dropped_not_fatal():
    sheet = load_workbook(io.BytesIO(_book([["a\x00b\x07c", None, None, None, None, None, None]]))).active
    assert sheet["A4"].value == "abc"


def test_an_empty_list_still_has_its_title_and_header():
    sheet = load_workbook(io.BytesIO(_book([]))).active
    assert sheet.max_row == 3 and sheet.auto_filter.ref == "A3:G4"


def test_title_without_a_unit():
    assert title_text(title="清单", unit="", period="2022年3月") == "清单（2022年3月）"


def test_response_names_the_file_in_chinese():
    response = xlsx_response(b"x", "项目库-2022-03.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]
