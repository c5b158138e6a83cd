"""The one check for uploaded documents: extension allowed, content of that type, size, and a name that fits."""

import io
import zipfile

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from guatu.dispatch.models import ProblemFeedback
from guatu.web.uploads import check_upload, name_room

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 50
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


def package(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in members:
            archive.writestr(member, "<x/>")
    return buffer.getvalue()


DOCX = package("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = package("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml")


def check(name: str, content: bytes, **limits):
    upload = SimpleUploadedFile(name, content)
    with translation.override("zh-hans"):
        try:
            kept = check_upload(upload, **{"max_mb": 1, "max_name_length": 83, **limits})
        except forms.ValidationError as error:
            return " ".join(error.messages)
    assert kept is upload and upload.tell() == 0  # the file is stored from its start
    return None


@pytest.mark.parametrize(
    "name, content",
    [
        ("批复.pdf", PDF),
        ("现场.png", PNG),
        ("现场.JPG", JPEG),
        ("现场.jpeg", JPEG),
        ("进度说明.docx", DOCX),
        ("台账.xlsx", XLSX),
        ("说明.txt", "已完成征地 120 亩。".encode()),
        ("说明.txt", "已完成征地 120 亩。".encode("gb18030")),
        ("台账.csv", "项目,金额\n甲,12.5\n".encode()),
        ("资料.zip", package("a.pdf")),
    ],
)
def test_real_documents_are_accepted(name, content):
    assert check(name, content) is None


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("批复.pdf", EXE, "不是真正的 .pdf 文件"),
        ("现场.png", JPEG, "不是真正的 .png 文件"),
        ("现场.jpg", HTML, "不是真正的 .jpg 文件"),
        ("进度说明.docx", package("word/document.xml"), "不是真正的 .docx 文件"),  # no [Content_Types].xml
        ("进度说明.docx", XLSX, "不是真正的 .docx 文件"),  # a workbook renamed
        ("台账.xlsx", b"PK\x03\x04 not really a zip", "不是真正的 .xlsx 文件"),
        ("说明.txt", HTML, "不是真正的 .txt 文件"),
        ("说明.txt", EXE, "不是真正的 .txt 文件"),
        ("页面.html", HTML, "不能作为附件"),
        ("图.svg", SVG, "不能作为附件"),
        ("run.exe", EXE, "不能作为附件"),
        ("没有扩展名", PDF, "不能作为附件"),
        ("空.pdf", b"", "是空文件"),
    ],
)
def test_wrong_or_dangerous_content_is_refused_in_chinese(name, content, message):
    assert message in check(name, content)


def test_size_and_name_length_are_bounded():
    assert "过大" in check("大.pdf", PDF + b"0" * (1024 * 1024))
    assert "文件名过长：最多 83 个字符" in check("长" * 296 + ".pdf", PDF)
    assert check("长" * 79 + ".pdf", PDF) is None  # 83 characters: fits
    assert "文件名过长" in check("长" * 80 + ".pdf", PDF)


def test_name_room_is_the_column_less_its_dated_folder():
    assert name_room(ProblemFeedback._meta.get_field("attachment")) == 100 - len("problems/2022/04/")
