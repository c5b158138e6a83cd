"""The gate every Excel import passes: hostile and broken files are refused by content with a Chinese message."""

import io
import zipfile
from datetime import date, datetime, time

import pytest
from django.utils import translation
from openpyxl import Workbook

from guatu.web.workbooks import Limits, WorkbookRefused, check_package, open_workbook, read_cells

LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_entries=50, max_uncompressed=20 * 1024 * 1024, max_ratio=200)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def _xlsx(**cells) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet["A1"] = "项目名称"
    for ref, value in cells.items():
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _repack(
    data: bytes, *, add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None
) -> bytes:
    """The package with parts added or replaced (how a hostile file is made from a real one)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            body = (replace or {}).get(entry.filename, source.read(entry.filename))
            target.writestr(entry.filename, body)
        for part, body in (add or {}).items():
            target.writestr(part, body)
    return out.getvalue()


def _message(data: bytes, **kw) -> str:
    with pytest.raises(WorkbookRefused) as refused:
        open_workbook(data, name="调度表.xlsx", limits=LIMITS, **kw)
    return " ".join(refused.value.messages)


def test_a_plain_workbook_opens_with_its_values():
    book = open_workbook(_xlsx(B2=12.5), name="调度表.xlsx", limits=LIMITS)
    assert book.active["A1"].value == "项目名称"
    assert book.active["B2"].value == 12.5


def test_a_formula_without_a_cached_value_reads_as_none_or_as_the_formula():
    data = _xlsx(B2=1, B3=2, B4="=SUM(B2:B3)")
    assert open_workbook(data, limits=LIMITS).active["B4"].value is None
    assert open_workbook(data, limits=LIMITS, data_only=False).active["B4"].value == "=SUM(B2:B3)"


@pytest.mark.parametrize(
    "data, says",
    [
        (b"", "文件是空的"),
        (b"%PDF-1.7\n...", "不是 Excel"),
        (b"<html><script>alert(1)</script></html>", "不是 Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "打开密码"),
        (b"PK\x03\x04 not really a zip", "不是 Excel"),
    ],
    ids=["empty", "pdf", "html", "ole2-encrypted-or-xls", "broken-zip"],
)
def test_what_is_not_an_xlsx_by_content_is_refused_whatever_its_name(data, says):
    message = _message(data)
    assert says in message and "调度表.xlsx" in message


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("readme.txt", "hello")
    assert "不是 Excel" in _message(out.getvalue())


def test_a_workbook_with_macros_is_refused_even_when_named_xlsx():
    data = _repack(_xlsx(), add={"xl/vbaProject.bin": b"\x00" * 100})
    assert "宏" in _message(data)


def test_a_macro_enabled_content_type_is_refused():
    data = _xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        types = package.read("[Content_Types].xml")
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert "宏" in _message(_repack(data, replace={"[Content_Types].xml": types}))


def test_a_zip_bomb_is_refused_by_its_compression_ratio_before_it_is_unpacked():
    data = _repack(_xlsx(), add={"xl/media/zeros.bin": b"\x00" * (8 * 1024 * 1024)})
    assert "压缩" in _message(data)


def test_a_package_unpacking_to_more_than_the_limit_is_refused():
    small = Limits(max_bytes=LIMITS.max_bytes, max_entries=50, max_uncompressed=64 * 1024, max_ratio=200)
    data = _repack(_xlsx(), add={"xl/media/noise.bin": bytes(range(256)) * 512})
    with pytest.raises(WorkbookRefused, match="解压后"):
        check_package(data, name="调度表.xlsx", limits=small)


def test_a_package_of_too_many_entries_is_refused():
    data = _repack(_xlsx(), add={f"xl/media/{i}.bin": b"x" for i in range(60)})
    assert "部件" in _message(data)


def test_a_file_larger_than_the_limit_is_refused():
    tiny = Limits(max_bytes=1024, max_entries=50, max_uncompressed=LIMITS.max_uncompressed, max_ratio=200)
    with pytest.raises(WorkbookRefused, match="超过"):
        check_package(_xlsx(), name="调度表.xlsx", limits=tiny)


def test_an_xml_entity_bomb_is_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        b"<si><t>&lol2;</t></si></sst>"
    )
    data = _xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        part = (
            "xl/sharedStrings.xml"
            if "xl/sharedStrings.xml" in package.namelist()
            else "xl/worksheets/sheet1.xml"
        )
    assert "实体" in _message(_repack(data, replace={part: bomb}))


def test_a_damaged_workbook_part_is_refused_with_a_message_not_a_traceback():
    data = _repack(_xlsx(), replace={"xl/workbook.xml": b"<workbook>not closed"})
    assert "无法读取" in _message(data)


# --- read_cells: an import's rows of values, as openpyxl's read-only mode gives them


def _varied() -> bytes:
    """A sheet of every kind of value a filled-in template holds, from row 1 on and with gaps, and a second one."""
    book = Workbook()
    sheet = book.active
    sheet.title = "月报"
    sheet["C2"] = "项目ID"
    sheet.append([None, None, 7, 12.5, 100, "0.55", "  场平 ", True, datetime(2022, 3, 1), date(2022, 3, 2)])
    sheet.append([None, None, 1234567890123.5, -3, "", None, "=1+1", time(9, 30), "１２３．４", 0])
    sheet["L7"] = "末行"
    hidden = book.create_sheet("模板信息")
    hidden.append(["unit_id", "42"])
    hidden.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _openpyxl_rows(data: bytes, sheet: str, **kw) -> list[tuple]:
    book = open_workbook(data, limits=LIMITS, read_only=True)
    return [tuple(row) for row in book[sheet].iter_rows(values_only=True, **kw)]


@pytest.mark.parametrize(
    "window", [{}, {"min_row": 3}, {"max_row": 2}, {"min_row": 2, "max_row": 4, "max_col": 4}]
)
def test_read_cells_gives_every_value_as_openpyxl_does(window):
    data = _varied()
    cells = read_cells(data, name="月报.xlsx", limits=LIMITS)
    assert cells.sheetnames == ["月报", "模板信息"]
    got = list(cells.rows("月报", **window))
    assert got == _openpyxl_rows(data, "月报", **window)
    assert [type(value) for value in got[-1]] == [
        type(value) for value in _openpyxl_rows(data, "月报", **window)[-1]
    ]
    assert list(cells.rows("模板信息")) == [("unit_id", "42")]


def test_read_cells_reads_an_error_value_as_its_text():
    data = _xlsx(B2="#DIV/0!", B3=5)
    rows = list(read_cells(data, limits=LIMITS).rows("Sheet"))
    assert rows == [("项目名称", None), (None, "#DIV/0!"), (None, 5)]


def test_read_cells_refuses_what_open_workbook_refuses():
    with pytest.raises(WorkbookRefused) as refused:
        read_cells(b"PK\x03\x04 not really a zip", name="月报.xlsx", limits=LIMITS)
    assert "不是 Excel" in " ".join(refused.value.messages)
    damaged = _repack(_xlsx(), replace={"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row>"})
    with pytest.raises(WorkbookRefused) as refused:
        list(read_cells(damaged, limits=LIMITS).rows("Sheet"))
    assert "无法读取" in " ".join(refused.value.messages)
