"""to_pdf without LibreOffice: a clear Chinese message naming the missing program; a type it does not convert."""

import pytest
from django.utils import translation

from guatu.bulletins import pdf


def test_missing_soffice_names_the_program_in_chinese(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with translation.override("zh-hans"), pytest.raises(pdf.ConversionError) as raised:
        pdf.to_pdf(b"PK", "docx")
    assert "服务器未安装 LibreOffice（程序 soffice）" in str(raised.value)


def test_only_docx_and_xlsx_are_converted():
    with translation.override("zh-hans"), pytest.raises(pdf.ConversionError, match="不能转换 .odt 文件"):
        pdf.to_pdf(b"", "odt")
