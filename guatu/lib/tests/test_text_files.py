"""Text files in the encodings offices save them in are read; anything else gets one clear message."""

import codecs

import pytest

from guatu.lib.text_files import TextFileError, decode_text, read_text

TEXT = "unit,indicator,period,value\n禾青镇,tax_revenue,2022-03,100\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with its byte-order mark, as Excel's "Unicode text" is saved
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("gbk"),
        TEXT.encode("gb18030"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le", "utf-16-be", "gbk", "gb18030"],
)
def test_office_encodings_are_read(data):
    assert decode_text(data) == TEXT


@pytest.mark.parametrize(
    "data",
    [b"\x80\x80\xff\xfe\xfa", TEXT.encode("utf-16-le"), b"\x89PNG\r\n\x1a\n\x00\x00"],
    ids=["garbage", "utf-16-without-its-mark", "binary"],
)
def test_other_bytes_are_refused_with_a_message(data):
    with pytest.raises(TextFileError, match="文件编码无法识别"):
        decode_text(data)


def test_size_and_missing_files(tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"a" * 2048)
    with pytest.raises(TextFileError, match="文件过大"):
        read_text(big, max_bytes=1024)
    with pytest.raises(TextFileError, match="无法读取文件"):
        read_text(tmp_path / "missing.csv")
