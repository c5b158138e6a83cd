"""Acceptance 2 on the demo (loaded once for this module): `guatu bulletin --period 2022-03` writes the seed's
sentence, in the official-document layout; the .xlsx carries the same tables; LibreOffice converts both."""

import io
import re
import shutil
import subprocess
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from guatu.bulletins.build import build_bulletin
from guatu.bulletins.content import bulletin_content
from guatu.bulletins.pdf import to_pdf
from guatu.demo.loader import delete_demo, demo_root
from guatu.demo.testing import demo_loaded
from guatu.lib.periods import Period

SENTENCE = (
    "1-3月，省重点项目（娄底市生态治理光伏项目）完成投资4.7亿元，为年度计划的20%；"
    "33个娄底市重点项目完成投资8.3亿元，为年度计划的17.36%；"
    "177个市本级重点项目完成投资15.3亿元，为年度计划的15.1%。"
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            demo_loaded()
            yield demo_root()
        finally:
            delete_demo()


@pytest.fixture
def root(demo, db):
    return demo


@pytest.fixture(scope="module")
def docx_bytes(demo, django_db_blocker, tmp_path_factory):
    """The command's own output, written once for the module's tests."""
    target = tmp_path_factory.mktemp("bulletin") / "bulletin.docx"
    with django_db_blocker.unblock(), translation.override("zh-hans"):
        call_command(
            "bulletin", "--period", "2022-03", "--format", "docx", "--output", str(target), stdout=StringIO()
        )
    return target.read_bytes()


def texts(content: bytes) -> list[str]:
    doc = Document(io.BytesIO(content))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return [paragraph.text for paragraph in doc.paragraphs] + cells


def test_command_writes_the_seed_sentence(docx_bytes):
    found = texts(docx_bytes)
    assert SENTENCE in found
    assert "关于2022年1-3月重点项目建设进展情况的通报" in found
    assert "2022年4月24日" in found  # issued on GUATU_TODAY, in the standard's digits
    headings = [text for text in found if re.match(r"^[一二三四五六七八九十]、", text)]
    assert headings == [
        "一、总体进展情况",
        "二、与时序进度对比情况",
        "三、乡镇（街道）和部门排名情况",
        "四、红黄榜",
        "五、逾期问题和督办事项",
    ]
    assert any("时序进度为25%" in text and "低于时序进度5个百分点" in text for text in found)


def test_command_output_has_the_official_layout(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert (round(section.right_margin.mm), round(section.bottom_margin.mm)) == (26, 35)
    fonts = {
        run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
        for paragraph in doc.paragraphs
        for run in paragraph.runs
    }
    assert {"方正小标宋简体", "黑体", "仿宋_GB2312"} <= fonts
    first_heading = next(p for p in doc.paragraphs if p.text == "一、总体进展情况")
    assert first_heading.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"


def test_tables_rank_units_and_list_the_lights_with_reasons(root):
    bulletin = bulletin_content(root, Period(2022, 3))
    titles = [table.title for table in bulletin.tables()]
    assert "乡镇（街道）投资完成率排名" in titles and "市直部门投资完成率排名" in titles
    ranking = next(table for table in bulletin.tables() if table.title == "乡镇（街道）投资完成率排名")
    rates = [row[5] for row in ranking.rows]
    assert rates == sorted(rates, reverse=True) and [row[0] for row in ranking.rows] == list(
        range(1, len(rates) + 1)
    )
    lights = next(table for table in bulletin.tables() if table.title == "红黄榜项目")
    assert lights.rows and all(row[4] for row in lights.rows)  # every light says why
    appendix = bulletin.appendix
    assert [len(table.rows) for table in appendix] == [1, 33, 177]  # the lists' projects


def test_quarterly_bulletin_says_first_quarter(root):
    bulletin = bulletin_content(root, Period(2022, 2), quarterly=True)  # February's quarter ends in March
    assert bulletin.period == Period(2022, 3)
    assert bulletin.sentence == "一季度" + SENTENCE.removeprefix("1-3月")
    assert bulletin.title == "关于2022年一季度重点项目建设进展情况的通报"


def test_xlsx_carries_the_tables_with_units_and_formats(root):
    built = build_bulletin(root, Period(2022, 3), fmt="xlsx")
    book = load_workbook(io.BytesIO(built.content))
    sheet = book["分类项目投资完成情况"]
    assert sheet["A1"].value == "分类项目投资完成情况（冷水江市，2022年3月）"
    assert sheet["A2"].value == "单位：万元"
    assert [cell.value for cell in sheet[3]][:3] == ["项目类别", "项目数（个）", "年度计划（万元）"]
    row = [cell for cell in sheet[4]]
    assert row[0].value == "省重点项目" and row[3].value == 47000
    assert row[3].number_format == "#,##0.00" and row[4].number_format == "0.00%"
    assert float(row[4].value) == pytest.approx(0.20)
    assert len(book.sheetnames) == len(bulletin_content(root, Period(2022, 3)).tables())


def test_command_errors_are_clear(root, tmp_path):
    with pytest.raises(CommandError, match="--period"):
        call_command("bulletin", "--period", "2022-13", "--output", str(tmp_path / "x.docx"))
    with pytest.raises(CommandError, match="没有编号为 999999 的单位"):
        call_command(
            "bulletin", "--period", "2022-03", "--unit", "999999", "--output", str(tmp_path / "x.docx")
        )
    with pytest.raises(CommandError, match="不存在"):
        call_command("bulletin", "--period", "2022-03", "--output", str(tmp_path / "no" / "x.docx"))


def pdf_text(pdf: bytes, tmp_path) -> str:
    source = tmp_path / "out.pdf"
    source.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(source), "-"], capture_output=True, check=True, timeout=60).stdout
    return re.sub(r"\s+", "", text.decode())  # pdftotext breaks lines and spaces digits from Chinese


needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or poppler-utils (pdftotext) is not installed",
)


@needs_libreoffice
def test_docx_converts_to_pdf_with_the_sentence(root, tmp_path):
    built = build_bulletin(root, Period(2022, 3), fmt="pdf")
    assert built.content.startswith(b"%PDF") and built.filename.endswith(".pdf")
    assert SENTENCE in pdf_text(built.content, tmp_path)


@needs_libreoffice
def test_xlsx_converts_to_pdf(root, tmp_path):
    built = build_bulletin(root, Period(2022, 3), fmt="xlsx")
    pdf = to_pdf(built.content, "xlsx")
    assert pdf.startswith(b"%PDF")
    assert "娄底市生态治理光伏项目" in pdf_text(pdf, tmp_path)
