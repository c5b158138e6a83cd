"""Uploaded files (附件, 佐证材料): one check for every form that takes a document, a scan or a photo.

A file is accepted when its extension is one the form allows, its content is of the type that extension names
(the first bytes of a PDF, a PNG, a JPEG...; a docx or xlsx is a zip package with its `[Content_Types].xml` and
its main part; a text file decodes and is not markup), its size is within the limit, and its name fits the
column it is stored in. A renamed program or web page (`report.pdf` that is really an `.exe` or `.html`) is
refused with a message that says which file and why, before anything is written.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import PurePath

from django import forms
from django.utils.translation import gettext

HEAD_BYTES = 4096  # enough to recognise every type below and to judge a text file's start
OLE2 = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file container of .doc, .xls, .ppt, WPS and ET files
)
MARKUP_STARTS = (b"<!doctype", b"<html", b"<svg", b"<script", b"<?xml", b"<head", b"<body", b"<iframe")


def _starts(*magics: bytes) -> Callable[[bytes, object], bool]:
    return lambda head, upload: head.startswith(magics)


def _zip_with(*required: str, prefix: str = "") -> Callable[[bytes, object], bool]:
    """A zip package holding the named members (and, for Office files, a member under the main part's folder)."""

    def check(head: bytes, upload) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            upload.seek(0)
            with zipfile.ZipFile(upload) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            upload.seek(0)
        return all(name in names for name in required) and (
            not prefix or any(name.startswith(prefix) for name in names)
        )

    return check


def _text(head: bytes, upload) -> bool:
    """Plain text (UTF-8 or the GB encodings Chinese office software writes), not a web page or a program."""
    if b"\x00" in head:
        return False
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(MARKUP_STARTS):
        return False
    sample = head[:-3] if len(head) == HEAD_BYTES else head  # the head may cut a character in two
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


# extension → how its content starts (or what it contains)
CONTENT_CHECKS: dict[str, Callable[[bytes, object], bool]] = {
    "pdf": _starts(b"%PDF-"),
    "ofd": _zip_with("OFD.xml"),  # 版式文档 GB/T 33190: a zip package with OFD.xml at its root
    "png": _starts(b"\x89PNG\r\n\x1a\n"),
    "jpg": _starts(b"\xff\xd8\xff"),
    "jpeg": _starts(b"\xff\xd8\xff"),
    "gif": _starts(b"GIF87a", b"GIF89a"),
    "bmp": _starts(b"BM"),
    "tif": _starts(b"II*\x00", b"MM\x00*"),
    "tiff": _starts(b"II*\x00", b"MM\x00*"),
    "docx": _zip_with("[Content_Types].xml", prefix="word/"),
    "xlsx": _zip_with("[Content_Types].xml", prefix="xl/"),
    "pptx": _zip_with("[Content_Types].xml", prefix="ppt/"),
    "doc": _starts(OLE2),
    "xls": _starts(OLE2),
    "ppt": _starts(OLE2),
    "wps": _starts(OLE2),
    "et": _starts(OLE2),
    "zip": _zip_with(),
    "rar": _starts(b"Rar!\x1a\x07"),
    "7z": _starts(b"7z\xbc\xaf\x27\x1c"),
    "txt": _text,
    "csv": _text,
}

# Office documents, scans and photos; OFD is the national standard format for official documents.
DOCUMENT_EXTENSIONS = tuple(CONTENT_CHECKS)


def name_room(field) -> int:
    """The characters a file's own name may have in a FileField: its length less the dated folder it is filed
    under (`upload_to="problems/%Y/%m/"` leaves 100 − 17 = 83)."""
    return field.max_length - len(date(2000, 1, 1).strftime(field.upload_to))


def check_upload(upload, *, allowed: Iterable[str] = DOCUMENT_EXTENSIONS, max_mb: int, max_name_length: int):
    """The upload if it may be stored; otherwise a ValidationError in Chinese naming the file and the problem.

    `allowed`: lower-case extensions, each one of CONTENT_CHECKS. `max_name_length`: the characters the file's
    name may have where it is stored (its column's length less the folder it is filed under)."""
    allowed = tuple(allowed)
    unknown = set(allowed) - set(CONTENT_CHECKS)
    if unknown:
        raise ValueError(f"no content check for {sorted(unknown)}")
    name = PurePath(upload.name or "").name
    if len(name) > max_name_length:
        raise forms.ValidationError(
            gettext(
                "The file name is too long: at most %(limit)s characters. Rename the file and choose it again."
            )
            % {"limit": max_name_length}
        )
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in allowed:
        raise forms.ValidationError(
            gettext("Files of type “%(ext)s” cannot be attached. Allowed: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(allowed)}
        )
    if upload.size > max_mb * 1024 * 1024:
        raise forms.ValidationError(
            gettext("%(name)s is too large: at most %(mb)s MB.") % {"name": name, "mb": max_mb}
        )
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if not head:
        raise forms.ValidationError(gettext("%(name)s is empty.") % {"name": name})
    if not CONTENT_CHECKS[extension](head, upload):
        raise forms.ValidationError(
            gettext(
                "%(name)s is not a real .%(ext)s file: its content does not match its extension. "
                "Save it again as .%(ext)s, or choose the right file."
            )
            % {"name": name, "ext": extension}
        )
    return upload
