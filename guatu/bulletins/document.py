"""A .docx in the layout of party and government documents (GB/T 9704-2012, 党政机关公文格式; DOMAIN §4b).

The facts the standard fixes, and how they are written here:

- A4 (210 × 297 mm); top margin 37 mm, left (binding) margin 28 mm, text block 156 × 225 mm, so the right
  margin is 26 mm and the bottom one 35 mm.
- Body in 3号 (16 pt) 仿宋_GB2312, 22 lines a page and 28 characters a line. The section's document grid
  (w:docGrid type="lines") has a line pitch of 225 mm ÷ 22 = 579 twips and the body's line spacing is that
  pitch exactly, so Word and LibreOffice both set 22 lines a page. For 28 characters in 156 mm (a pitch of
  15.79 pt) the body's characters are condensed by 0.25 pt (w:spacing -5): 16 pt type fits only 27. The
  "linesAndChars" grid with charSpace -848, which Word templates use for the same end, is not written:
  LibreOffice lays a 16 pt character on it over two 15.79 pt cells, 14 characters a line, so the PDF made
  here would be wrong.
- Title in 2号 (22 pt) 方正小标宋简体, centred, a blank line under it; first-level headings (一、) in 黑体,
  second-level ((一)) in 楷体_GB2312, third-level (1.) in 仿宋_GB2312, all at the body's size and indented
  two characters like the body.
- Page numbers in 4号 (14 pt) 宋体, "— 1 —", odd pages on the right and even pages on the left, each one
  character in from the edge of the text block: the document has different odd and even footers
  (w:evenAndOddHeaders in the settings), each holding a PAGE field.
- The issuing office and the date at the end (成文日期, Arabic digits since 2012: 2022年4月24日), the date
  four characters in from the right and the office centred over it.

Fonts. Chinese text takes its font from w:eastAsia in w:rFonts (w:ascii only covers Latin letters and
digits), so every run names the font in all three slots. With `fallback=False` (the default) the document
names the standard's fonts, whether or not this machine has them: the .docx is sent to the units, whose
office machines have the GB/T fonts installed, and a document naming them is what a receiving office expects
and checks; where a font is missing, Word or LibreOffice substitutes one. With `fallback=True` each role
names the first font of its chain (the standard font, the common Windows names, then the Noto CJK families)
that fontconfig finds on this machine, keeping every size, so that a PDF made here shows the serif body
and the sans headings rather than whatever LibreOffice picks for an unknown name. `guatu.bulletins.pdf`
builds its documents that way.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
from collections.abc import Sequence
from copy import deepcopy
from datetime import date
from functools import lru_cache

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
TOP_MM, LEFT_MM = 37, 28
TEXT_WIDTH_MM, TEXT_HEIGHT_MM = 156, 225
RIGHT_MM = PAGE_WIDTH_MM - LEFT_MM - TEXT_WIDTH_MM  # 26
BOTTOM_MM = PAGE_HEIGHT_MM - TOP_MM - TEXT_HEIGHT_MM  # 35
# The page number's line starts 7 mm under the text block; a 14 pt line is about 5 mm high.
FOOTER_MM = BOTTOM_MM - 7 - 5
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
BODY_PT, TITLE_PT, PAGE_NUMBER_PT, TABLE_PT = 16, 22, 14, 12
TWIPS_PER_MM = 1440 / 25.4
LINE_PITCH_TWIPS = int(TEXT_HEIGHT_MM * TWIPS_PER_MM / LINES_PER_PAGE)  # 579
CHAR_PITCH_PT = TEXT_WIDTH_MM / 25.4 * 72 / CHARS_PER_LINE  # 15.79
# Condensing in twentieths of a point, rounded down so that 28 characters fit (-0.25 pt).
CONDENSE_TWENTIETHS = math.floor((CHAR_PITCH_PT - BODY_PT) * 20)  # -5

# The standard's font for each role, then the nearest others, best first.
FONT_CHAINS: dict[str, tuple[str, ...]] = {
    "title": (
        "方正小标宋简体",
        "方正小标宋_GBK",
        "华文中宋",
        "宋体",
        "Noto Serif CJK SC",
        "Source Han Serif SC",
    ),
    "body": ("仿宋_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
    "heading1": ("黑体", "SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei"),
    "heading2": ("楷体_GB2312", "楷体", "KaiTi", "AR PL UKai CN", "Noto Serif CJK SC", "Source Han Serif SC"),
    "heading3": ("仿宋_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC", "Source Han Serif SC"),
    "page_number": ("宋体", "SimSun", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
}
# The children of w:rPr that the schema puts after w:spacing and after w:lang (Word rejects another order).
AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
AFTER_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    *AFTER_LANG,
)
HEADING_ROLES = {1: "heading1", 2: "heading2", 3: "heading3"}


@lru_cache(maxsize=1)
def installed_fonts() -> frozenset[str]:
    """Family names fontconfig knows on this machine (each name of a family counts); empty without fc-list."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return frozenset()
    try:
        listing = subprocess.run(
            [fc_list, ":", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(
        name.strip() for line in listing.splitlines() for name in line.split(",") if name.strip()
    )


def choose_fonts(*, fallback: bool, installed: frozenset[str] | None = None) -> dict[str, str]:
    """The font named for each role: the standard's, or with `fallback` the first one installed (the
    standard's font when nothing of its chain is)."""
    if not fallback:
        return {role: chain[0] for role, chain in FONT_CHAINS.items()}
    installed = installed_fonts() if installed is None else installed
    return {
        role: next((name for name in chain if name in installed), chain[0])
        for role, chain in FONT_CHAINS.items()
    }


def date_text(day: date) -> str:
    """成文日期 as GB/T 9704-2012 writes it: Arabic digits, no leading zeros (2022年4月24日)."""
    return f"{day.year}年{day.month}月{day.day}日"


def text_width(text: str) -> float:
    """Width in body characters: a digit or Latin letter is half a character wide."""
    return sum(0.5 if ord(char) < 0x2E80 else 1 for char in text)


def _set_fonts(r_pr, font: str) -> None:
    """Name `font` for Latin, complex and East-Asian text alike (w:eastAsia is what Chinese text reads)."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), font)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


class OfficialDocument:
    """One official document, written top to bottom: `heading`, `paragraph`, `table`, then `closing`."""

    def __init__(
        self, *, title: str, issuer: str, issued_on: date, doc_number: str = "", fallback: bool = False
    ):
        self.title = title
        self.issuer = issuer
        self.issued_on = issued_on
        self.doc_number = doc_number
        self.fonts = choose_fonts(fallback=fallback)
        self._doc = Document()
        self._set_page()
        self._set_body_style()
        self._set_page_numbers()
        self._head()

    # ------------------------------------------------------------------------------------- writing

    def heading(self, text: str, level: int = 1) -> None:
        """一、 (黑体), （一） (楷体_GB2312) or 1. (仿宋_GB2312): the caller writes the number."""
        if level not in HEADING_ROLES:
            raise ValueError(f"heading level {level} is not 1, 2 or 3")
        paragraph = self._paragraph(text, role=HEADING_ROLES[level], size=BODY_PT, indent=True)
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), str(level - 1))
        paragraph._p.get_or_add_pPr().append(outline)
        paragraph.paragraph_format.keep_with_next = True

    def paragraph(self, text: str) -> None:
        self._paragraph(text, role="body", size=BODY_PT, indent=True)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence],
        *,
        caption: str = "",
        widths: Sequence[float] | None = None,
    ) -> None:
        """A ruled table across the text block; `widths` in millimetres (shared equally when None). Cells
        are text; numbers are written as the caller formatted them and set right."""
        if widths is not None and len(widths) != len(headers):
            raise ValueError("one width per column")
        if caption:
            self._paragraph(caption, role="heading1", size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
        widths = list(widths) if widths else [TEXT_WIDTH_MM / len(headers)] * len(headers)
        table = self._doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        header = table.rows[0]
        for cell, text, width in zip(header.cells, headers, widths, strict=True):
            self._cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
            cell.width = Mm(width)
        _repeat_header(header)
        # Each body cell is a copy of an empty cell written once per column and alignment through python-docx,
        # with its text set: the same XML as writing every cell through python-docx, which costs some 2 ms a
        # cell (a bulletin's appendix has a thousand and more).
        blanks: dict[tuple[int, object], object] = {}
        tbl = table._tbl
        for row in rows:
            if len(row) != len(headers):
                raise ValueError("one value per column")
            tr = tbl.add_tr()
            for index, value in enumerate(row):
                text = "" if value is None else str(value)
                numeric = text.replace(",", "").replace(".", "").replace("%", "").lstrip("-").isdigit()
                align = WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT
                if (index, align) not in blanks:
                    blanks[(index, align)] = self._blank_cell(table, index, align, widths[index])
                tc = deepcopy(blanks[(index, align)])
                if text:
                    run = tc.findall(qn("w:p"))[-1].findall(qn("w:r"))[-1]
                    if "\t" in text or "\n" in text or "\r" in text:
                        run.text = text  # Run.text's tabs and breaks
                    else:
                        run.add_t(text)  # what Run.text writes for plain text
                tr.append(tc)
        self._paragraph("", role="body", size=BODY_PT)  # a blank line after the table

    def closing(self) -> None:
        """The issuing office and the date: the date four characters in from the right, the office centred
        over it (two blank lines above, as the standard's 成文日期 layout has)."""
        for _ in range(2):
            self._paragraph("", role="body", size=BODY_PT)
        dated = date_text(self.issued_on)
        date_indent = 4.0
        issuer_indent = max(0.0, date_indent + (text_width(dated) - text_width(self.issuer)) / 2)
        for text, indent in ((self.issuer, issuer_indent), (dated, date_indent)):
            paragraph = self._paragraph(text, role="body", size=BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
            paragraph.paragraph_format.right_indent = Pt(BODY_PT * indent)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self._doc.save(out)
        return out.getvalue()

    # ------------------------------------------------------------------------------------- layout

    def _set_page(self) -> None:
        section = self._doc.sections[0]
        section.start_type = WD_SECTION.NEW_PAGE
        section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
        section.top_margin, section.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
        section.left_margin, section.right_margin = Mm(LEFT_MM), Mm(RIGHT_MM)
        section.footer_distance = Mm(FOOTER_MM)
        section.header_distance = Mm(15)
        sect_pr = section._sectPr
        grid = sect_pr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            sect_pr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
        grid.attrib.pop(qn("w:charSpace"), None)

    def _set_body_style(self) -> None:
        style = self._doc.styles["Normal"]
        style.font.size = Pt(BODY_PT)
        _set_fonts(style.element.get_or_add_rPr(), self.fonts["body"])
        paragraph_format = style.paragraph_format
        paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        paragraph_format.line_spacing = Twips(LINE_PITCH_TWIPS)
        paragraph_format.space_before = paragraph_format.space_after = Pt(0)
        paragraph_format.widow_control = False
        r_pr = style.element.get_or_add_rPr()
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(CONDENSE_TWENTIETHS))
        r_pr.insert_element_before(spacing, *AFTER_SPACING)
        language = OxmlElement("w:lang")
        language.set(qn("w:eastAsia"), "zh-CN")
        r_pr.insert_element_before(language, *AFTER_LANG)

    def _set_page_numbers(self) -> None:
        """— 1 — in 4号 宋体: odd pages at the right, even pages at the left, one character in."""
        self._doc.settings.odd_and_even_pages_header_footer = True
        section = self._doc.sections[0]
        for footer, align in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.alignment = align
            paragraph_format = paragraph.paragraph_format
            paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            paragraph_format.first_line_indent = Pt(0)
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                paragraph_format.right_indent = Pt(PAGE_NUMBER_PT)
            else:
                paragraph_format.left_indent = Pt(PAGE_NUMBER_PT)
            self._run(paragraph, "— ", role="page_number", size=PAGE_NUMBER_PT)
            _page_field(self._run(paragraph, "", role="page_number", size=PAGE_NUMBER_PT))
            self._run(paragraph, " —", role="page_number", size=PAGE_NUMBER_PT)

    def _head(self) -> None:
        if self.doc_number:
            self._paragraph(self.doc_number, role="body", size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
            self._paragraph("", role="body", size=BODY_PT)
        title = self._paragraph(self.title, role="title", size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
        title.paragraph_format.keep_with_next = True
        self._paragraph("", role="body", size=BODY_PT)  # 标题下空一行

    # ------------------------------------------------------------------------------------- pieces

    def _paragraph(self, text: str, *, role: str, size: float, indent: bool = False, align=None):
        paragraph = self._doc.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)  # 首行缩进两字
        if text:
            self._run(paragraph, text, role=role, size=size)
        return paragraph

    def _run(self, paragraph, text: str, *, role: str, size: float, bold: bool = False):
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.font.bold = bold or None
        _set_fonts(run._r.get_or_add_rPr(), self.fonts[role])
        return run

    def _blank_cell(self, table, index: int, align, width: float):
        """An empty body cell of column `index`, `width` mm wide, written through python-docx in a row that is
        then taken out of the table."""
        row = table.add_row()
        cell = row.cells[index]
        self._cell(cell, "", align=align)
        cell.width = Mm(width)
        table._tbl.remove(row._tr)
        return cell._tc

    def _cell(self, cell, text: str, *, bold: bool = False, align=None) -> None:
        paragraph = cell.paragraphs[0]
        paragraph.alignment = align
        paragraph_format = paragraph.paragraph_format
        paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # a table row is not on the body's grid
        paragraph_format.first_line_indent = Pt(0)
        paragraph.add_run()  # keeps python-docx's paragraph shape when text is empty
        self._run(paragraph, text, role="body", size=TABLE_PT, bold=bold)


def _repeat_header(row) -> None:
    """The header row repeats on every page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _page_field(run) -> None:
    """Turns the empty `run` into a PAGE field as Word writes one (begin, instruction, separate, a
    placeholder, end), each part a run with `run`'s formatting."""
    paragraph_element = run._r.getparent()
    r_pr = run._r.find(qn("w:rPr"))
    paragraph_element.remove(run._r)

    def run_with(child) -> None:
        part = OxmlElement("w:r")
        if r_pr is not None:
            part.append(deepcopy(r_pr))
        part.append(child)
        paragraph_element.append(part)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run_with(instruction)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    placeholder = OxmlElement("w:t")
    placeholder.text = "1"
    run_with(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)
