"""Text files as offices save them, decoded in one place: UTF-8 (with or without the byte-order mark Excel and
Notepad write), UTF-16 with its mark (Excel's "Unicode text"), and GB18030, the superset of GBK that Chinese
Windows writes by default. Anything else is refused with one message saying what to do, never a traceback."""

from __future__ import annotations

import codecs
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024


class TextFileError(ValueError):
    pass


def decode_text(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:  # a binary file that happens to decode
            break
        return text
    raise TextFileError("文件编码无法识别：请保存为 UTF-8 编码的文本文件（Excel 中“另存为 CSV UTF-8”）")


def read_text(path: Path, *, max_bytes: int = MAX_BYTES) -> str:
    """The file's text, bounded in size; TextFileError with a Chinese message when it cannot be read as text."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise TextFileError(f"无法读取文件：{exc.strerror}") from None
    if size > max_bytes:
        raise TextFileError(f"文件过大：最多 {max_bytes // 1024} KB")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TextFileError(f"无法读取文件：{exc.strerror}") from None
    return decode_text(data)
