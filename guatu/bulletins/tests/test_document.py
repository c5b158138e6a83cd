"""The official-document layout read back from the .docx's XML (GB/T 9704-2012, DOMAIN §4b)."""

import io
import zipfile
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt

from guatu.bulletins.document import FONT_CHAINS, OfficialDocument, choose_fonts, date_text, text_width

TITLE = "关于2022年1-3月重点项目建设进展情况的通报"


def build(**options) -> bytes:
    document = OfficialDocument(
        title=TITLE, issuer="冷水江市重点项目建设办公室", issued_on=date(2022, 4, 24), **options
    )
    document.heading("一、总体进展")
    document.paragraph("1-3月，省重点项目完成投资4.7亿元，为年度计划的20%。")
    document.heading("（一）省重点项目", level=2)
    document.heading("1. 光伏项目", level=3)
    document.table(
        ["项目", "年度计划", "完成率"], [["甲", "1,000.00", "20%"]], caption="附表1", widths=[76, 40, 40]
    )
    document.closing()
    return document.to_bytes()


def part(content: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(name).decode()


def mm(length) -> float:
    return round(Length(length).mm, 1)


def paragraph_with(doc, text):
    return next(paragraph for paragraph in doc.paragraphs if paragraph.text == text)


def east_asian_font(run) -> str:
    return run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_page_is_a4_with_the_standard_margins_and_text_block():
    section = Document(io.BytesIO(build())).sections[0]  # stored in twips: compared to a tenth of a mm
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.left_margin)) == (37, 28)
    assert (mm(section.right_margin), mm(section.bottom_margin)) == (26, 35)
    assert mm(section.page_width - section.left_margin - section.right_margin) == 156
    assert mm(section.page_height - section.top_margin - section.bottom_margin) == 225


def test_line_grid_gives_22_lines_of_28_characters():
    doc = Document(io.BytesIO(build()))
    grid = doc.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    pitch = int(grid.get(qn("w:linePitch")))
    assert pitch == 579 and int(Mm(225).twips / pitch) == 22
    normal = doc.styles["Normal"]
    assert normal.paragraph_format.line_spacing.twips == pitch  # exact, so LibreOffice keeps 22 lines too
    condensed = int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20  # points
    pitch_pt = (16 + condensed) * 28
    assert Mm(156).pt - 16 < pitch_pt <= Mm(156).pt  # 28 fit, a 29th does not


def test_fonts_and_sizes_of_title_headings_body_and_table():
    doc = Document(io.BytesIO(build()))
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    expected = {
        TITLE: ("方正小标宋简体", Pt(22)),
        "一、总体进展": ("黑体", Pt(16)),
        "（一）省重点项目": ("楷体_GB2312", Pt(16)),
        "1. 光伏项目": ("仿宋_GB2312", Pt(16)),
        "1-3月，省重点项目完成投资4.7亿元，为年度计划的20%。": ("仿宋_GB2312", Pt(16)),
    }
    for text, (font, size) in expected.items():
        run = paragraph_with(doc, text).runs[0]
        fonts = run._r.rPr.find(qn("w:rFonts"))
        assert {fonts.get(qn(slot)) for slot in ("w:ascii", "w:hAnsi", "w:eastAsia")} == {font}, text
        assert run.font.size == size, text
    assert paragraph_with(doc, TITLE).alignment == 1  # centred
    assert paragraph_with(doc, "一、总体进展").paragraph_format.first_line_indent == Pt(32)
    cell_run = doc.tables[0].rows[1].cells[1].paragraphs[0].runs[-1]
    assert cell_run.text == "1,000.00" and east_asian_font(cell_run) == "仿宋_GB2312"
    assert mm(doc.tables[0].rows[0].cells[0].width) == 76


def test_page_numbers_odd_right_even_left_in_song_14pt_with_a_page_field():
    content = build()
    assert "<w:evenAndOddHeaders/>" in part(content, "word/settings.xml")
    section = Document(io.BytesIO(content)).sections[0]
    for footer, align in ((section.footer, 2), (section.even_page_footer, 0)):  # right, left
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == align
        xml = paragraph._p.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        for run in paragraph.runs:
            assert east_asian_font(run) == "宋体" and run.font.size == Pt(14)


def test_closing_names_the_issuer_and_the_date_in_arabic_digits():
    doc = Document(io.BytesIO(build()))
    issuer, dated = doc.paragraphs[-2], doc.paragraphs[-1]
    assert (issuer.text, dated.text) == ("冷水江市重点项目建设办公室", "2022年4月24日")
    assert dated.paragraph_format.right_indent == Pt(64)  # four characters in from the right
    # the office is centred over the date
    issuer_centre = issuer.paragraph_format.right_indent.pt + text_width(issuer.text) * 16 / 2
    date_centre = 64 + text_width(dated.text) * 16 / 2
    assert issuer_centre == pytest.approx(date_centre)
    assert date_text(date(2022, 1, 5)) == "2022年1月5日"


def test_doc_number_is_written_above_the_title():
    doc = Document(io.BytesIO(build(doc_number="冷项办〔2022〕3号")))
    texts = [paragraph.text for paragraph in doc.paragraphs]
    assert texts.index("冷项办〔2022〕3号") < texts.index(TITLE)


def test_fallback_names_the_first_installed_font_of_each_chain_keeping_sizes():
    installed = frozenset({"Noto Serif CJK SC", "Noto Sans CJK SC", "黑体"})
    fonts = choose_fonts(fallback=True, installed=installed)
    assert fonts["body"] == fonts["title"] == fonts["heading2"] == "Noto Serif CJK SC"
    assert fonts["heading1"] == "黑体"  # the standard's own font where it is installed
    assert choose_fonts(fallback=True, installed=frozenset())["body"] == "仿宋_GB2312"  # nothing better known
    assert choose_fonts(fallback=False) == {role: chain[0] for role, chain in FONT_CHAINS.items()}


def test_fallback_document_keeps_the_sizes():
    document = OfficialDocument(title=TITLE, issuer="办公室", issued_on=date(2022, 4, 24), fallback=True)
    document.fonts = choose_fonts(fallback=True, installed=frozenset({"Noto Serif CJK SC"}))
    document.paragraph("正文")
    doc = Document(io.BytesIO(document.to_bytes()))
    run = paragraph_with(doc, "正文").runs[0]
    assert east_asian_font(run) == "Noto Serif CJK SC" and run.font.size == Pt(16)


def test_heading_level_is_one_two_or_three():
    document = OfficialDocument(title=TITLE, issuer="办公室", issued_on=date(2022, 4, 24))
    with pytest.raises(ValueError):
        document.heading("（1）", level=4)
