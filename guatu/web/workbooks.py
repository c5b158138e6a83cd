"""Opening a workbook someone uploaded (调度表, a filled-in report template): the one gate every Excel import
passes, before openpyxl parses a byte of it.

An .xlsx is a zip package of XML parts. Before handing it to openpyxl the package is checked by its content, not
its name: it is a zip holding a workbook part; it has no macros (a `vbaProject.bin` or a macro-enabled content
type, whatever the file is called); it is not a zip bomb (limits on the number of entries, on the total
uncompressed size and on any entry's compression ratio, all read from the central directory, whose sizes the
zip reader also holds each entry to); no XML part declares a DTD or an entity (an entity bomb expands a few
kilobytes into gigabytes). An encrypted workbook (a password to open) and an old .xls are OLE2 compound files,
not zips, and are named as such. openpyxl then parses with `defusedxml` installed, as a second guard.

An import that only reads the cells of its rows (the filled-in report template) reads them with `read_cells`:
calamine (Rust) reads a sheet several times faster than openpyxl's read-only mode, and each value comes out as
openpyxl gives it, so the checks that follow cannot tell which read the file. A workbook with an error value in a
cell (#DIV/0!), which calamine reads as an empty cell, is read by openpyxl, which gives the error's text.

Every refusal is a `WorkbookRefused`, a ValidationError whose message says in Chinese what is wrong with which
file, so a page shows it as a form error and a command prints it; nothing has been written when it is raised.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from python_calamine import CalamineWorkbook

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx, .xls, .et: the compound-file container
WORKBOOK_PARTS = ("xl/workbook.xml", "xl/workbook.bin")
MACRO_MARKERS = (b"macroEnabled", b"vbaProject", b"application/vnd.ms-office.vbaProject")
DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
XML_HEAD_BYTES = 8192  # a DTD comes before the root element, so it is in a part's first bytes
WORKSHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
ERROR_CELL = re.compile(rb"<c\b[^>]*\bt=\"e\"")  # a cell whose value is an error (#DIV/0!, #N/A, ...)


@dataclass(frozen=True)
class Limits:
    """How big a workbook may be; from settings (GUATU_IMPORT_MAX_* environment variables), see README."""

    max_bytes: int
    max_entries: int
    max_uncompressed: int
    max_ratio: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.GUATU_IMPORT_MAX_BYTES,
            max_entries=settings.GUATU_IMPORT_MAX_ENTRIES,
            max_uncompressed=settings.GUATU_IMPORT_MAX_UNCOMPRESSED,
            max_ratio=settings.GUATU_IMPORT_MAX_RATIO,
        )


class WorkbookRefused(ValidationError):
    """The file is not a workbook Guatu will open; the message says why, in the reader's language."""


def _refuse(name: str, reason: str) -> WorkbookRefused:
    label = name or _("the file")
    return WorkbookRefused(_("%(name)s cannot be imported: %(reason)s") % {"name": label, "reason": reason})


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_package(data: bytes, *, name: str = "", limits: Limits | None = None) -> None:
    """Refuse anything but a plain, bounded .xlsx package; raise WorkbookRefused with the reason."""
    limits = limits or Limits.from_settings()
    if not data:
        raise _refuse(name, _("the file is empty."))
    if len(data) > limits.max_bytes:
        raise _refuse(
            name,
            _("the file is %(size)s, larger than the %(limit)s allowed.")
            % {"size": _megabytes(len(data)), "limit": _megabytes(limits.max_bytes)},
        )
    if data.startswith(OLE2):
        raise _refuse(
            name,
            _(
                "it is an encrypted workbook (it has a password to open) or an old .xls file. Remove the "
                "password, or save it as an .xlsx workbook (Excel 工作簿), and upload it again."
            ),
        )
    if not data.startswith(b"PK\x03\x04"):
        raise _refuse(name, _("it is not an Excel .xlsx workbook (its content is of another kind)."))
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _refuse(name, _("it is not an Excel .xlsx workbook, or the file is damaged.")) from None
    with package:
        entries = package.infolist()
        if len(entries) > limits.max_entries:
            raise _refuse(
                name,
                _("it holds %(count)s parts, more than the %(limit)s a workbook may have.")
                % {"count": len(entries), "limit": limits.max_entries},
            )
        total = sum(entry.file_size for entry in entries)
        if total > limits.max_uncompressed:
            raise _refuse(
                name,
                _("unpacked it would be %(size)s, more than the %(limit)s allowed (a compressed bomb?).")
                % {"size": _megabytes(total), "limit": _megabytes(limits.max_uncompressed)},
            )
        for entry in entries:
            if entry.file_size > 1024 * 1024 and entry.file_size > limits.max_ratio * max(
                entry.compress_size, 1
            ):
                raise _refuse(
                    name,
                    _("its part %(part)s is compressed more than %(ratio)s to 1 (a compressed bomb?).")
                    % {"part": entry.filename, "ratio": limits.max_ratio},
                )
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names or not names.intersection(WORKBOOK_PARTS):
            raise _refuse(name, _("it is a zip file but not an Excel .xlsx workbook."))
        if "xl/workbook.bin" in names:
            raise _refuse(name, _("it is a binary workbook (.xlsb); save it as an .xlsx workbook."))
        content_types = _read_head(package, "[Content_Types].xml")
        if any(n.lower().endswith("vbaproject.bin") for n in names) or any(
            marker in content_types for marker in MACRO_MARKERS
        ):
            raise _refuse(
                name,
                _(
                    "it contains macros (.xlsm). Save it as a plain .xlsx workbook (Excel 工作簿) and upload it again."
                ),
            )
        for entry in entries:
            if entry.filename.endswith((".xml", ".rels", ".vml")) and DTD.search(
                _read_head(package, entry.filename)
            ):
                raise _refuse(
                    name,
                    _("its part %(part)s declares XML entities, which Guatu never reads.")
                    % {"part": entry.filename},
                )


def _read_head(package: zipfile.ZipFile, member: str) -> bytes:
    try:
        with package.open(member) as handle:
            return handle.read(XML_HEAD_BYTES)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError) as exc:
        raise WorkbookRefused(
            _("The workbook is damaged (%(part)s could not be read).") % {"part": member}
        ) from exc


def open_workbook(
    data: bytes,
    *,
    name: str = "",
    data_only: bool = True,
    limits: Limits | None = None,
    read_only: bool = False,
) -> Workbook:
    """The workbook, once the package passed `check_package`. `data_only=True` gives each formula cell's cached
    value (None when a program wrote the file without one); `False` gives the formulas. `read_only=True`
    streams the rows (openpyxl's read-only mode, several times faster): for readers that only iterate rows."""
    check_package(data, name=name, limits=limits)
    return _openpyxl(data, name, data_only=data_only, read_only=read_only)


class Cells:
    """The cell values of a workbook's sheets, row by row, as openpyxl's read-only `iter_rows(values_only=True)`
    gives them (None for an empty cell, a whole number as an int, a date as a datetime). Made by `read_cells`."""

    def __init__(self, sheetnames: list[str], rows_of):
        self.sheetnames = sheetnames
        self._rows_of = rows_of

    def rows(
        self, sheet: str, *, min_row: int = 1, max_row: int | None = None, max_col: int | None = None
    ) -> Iterator[tuple]:
        """The rows of `sheet` from `min_row` (1: the first) to `max_row`, each cut to its first `max_col` cells."""
        return self._rows_of(sheet, min_row, max_row, max_col)


def read_cells(data: bytes, *, name: str = "", limits: Limits | None = None) -> Cells:
    """The cells of an upload once the package passed `check_package`, for an import that reads rows of values
    and nothing else (no formulas, no styles): by calamine, or by openpyxl when a cell holds an error value."""
    check_package(data, name=name, limits=limits)
    if _has_error_cells(data):
        book = _openpyxl(data, name, data_only=True, read_only=True)

        def openpyxl_rows(sheet, min_row, max_row, max_col):
            return book[sheet].iter_rows(min_row=min_row, max_row=max_row, max_col=max_col, values_only=True)

        return Cells(book.sheetnames, openpyxl_rows)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
    except (
        Exception
    ) as exc:  # calamine raises its own kinds (CalamineError, XmlError, ZipError) on a bad part
        raise _unreadable(name, exc) from exc
    read: dict[str, list[list]] = {}

    def calamine_rows(sheet, min_row, max_row, max_col):
        if sheet not in read:
            try:
                read[sheet] = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            except Exception as exc:  # noqa: BLE001 - as above
                raise _unreadable(name, exc) from exc
        for values in read[sheet][min_row - 1 : max_row]:
            yield tuple(_as_openpyxl(value) for value in values[:max_col])

    return Cells(names, calamine_rows)


def _as_openpyxl(value):
    """A value as calamine gives it, as openpyxl gives the same cell."""
    if value == "" and type(value) is str:
        return None
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is date:
        return datetime.combine(value, time())
    return value


def _has_error_cells(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return any(
            ERROR_CELL.search(package.read(entry))
            for entry in package.infolist()
            if WORKSHEET_PART.fullmatch(entry.filename)
        )


def _openpyxl(data: bytes, name: str, *, data_only: bool, read_only: bool) -> Workbook:
    try:
        return load_workbook(
            io.BytesIO(data), data_only=data_only, keep_vba=False, keep_links=False, read_only=read_only
        )
    except Exception as exc:  # openpyxl raises many kinds (KeyError, ValueError, defusedxml's) on a bad part
        raise _unreadable(name, exc) from exc


def _unreadable(name: str, exc: Exception) -> WorkbookRefused:
    return _refuse(name, _("the workbook could not be read (%(error)s).") % {"error": type(exc).__name__})
