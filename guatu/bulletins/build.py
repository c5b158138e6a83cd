"""One bulletin, gathered and written in the format asked for: what the command and the background job call."""

from __future__ import annotations

from dataclasses import dataclass

from guatu.bulletins.content import Bulletin, bulletin_content
from guatu.bulletins.docx import DOCX_CONTENT_TYPE, bulletin_docx
from guatu.bulletins.pdf import to_pdf
from guatu.bulletins.xlsx import XLSX_CONTENT_TYPE, bulletin_xlsx
from guatu.lib.periods import Period
from guatu.orgs.models import OrgUnit

FORMATS = ("docx", "xlsx", "pdf")
PDF_CONTENT_TYPE = "application/pdf"


@dataclass(frozen=True)
class BuiltFile:
    filename: str
    content: bytes
    content_type: str


def filename(bulletin: Bulletin, fmt: str) -> str:
    """冷水江市2022年3月重点项目建设通报.docx"""
    return f"{bulletin.unit.name}{bulletin.period_text}重点项目建设通报.{fmt}"


def build_bulletin(
    unit: OrgUnit, period: Period, *, fmt: str, quarterly: bool = False, progress=None
) -> BuiltFile:
    """The bulletin of `unit` for `period` as `fmt` (docx, xlsx or pdf: the .docx converted by LibreOffice,
    written with the installed fonts that stand nearest to the standard's, so the PDF looks as intended)."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {FORMATS}")
    report = progress or (lambda percent, step: None)
    bulletin = bulletin_content(unit, period, quarterly=quarterly, progress=report)
    report(90, "生成文件")
    if fmt == "xlsx":
        return BuiltFile(filename(bulletin, fmt), bulletin_xlsx(bulletin), XLSX_CONTENT_TYPE)
    if fmt == "docx":
        return BuiltFile(filename(bulletin, fmt), bulletin_docx(bulletin), DOCX_CONTENT_TYPE)
    content = to_pdf(bulletin_docx(bulletin, fallback=True), "docx")
    return BuiltFile(filename(bulletin, fmt), content, PDF_CONTENT_TYPE)
