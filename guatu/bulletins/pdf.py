"""A .docx or .xlsx converted to PDF by LibreOffice headless (soffice).

Each conversion runs with a private LibreOffice profile in its own temporary folder
(-env:UserInstallation), so two conversions at once (two workers, a test and a worker) do not fight over
one profile's lock, and no profile is left in the home of the user the worker runs as.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

SUFFIXES = ("docx", "xlsx")
TIMEOUT_SECONDS = 120
PROGRAM = "soffice"


class ConversionError(RuntimeError):
    """The PDF could not be made; the message says why, in words for the person who asked."""


def soffice_path() -> str | None:
    return shutil.which(PROGRAM) or shutil.which("libreoffice")


def to_pdf(data: bytes, suffix: str) -> bytes:
    """The PDF of `data`, a .docx or .xlsx (`suffix` without the dot)."""
    suffix = suffix.lstrip(".").lower()
    if suffix not in SUFFIXES:
        raise ConversionError(
            _("Only .docx and .xlsx files are converted to PDF, not .%(suffix)s.") % {"suffix": suffix}
        )
    program = soffice_path()
    if program is None:
        raise ConversionError(
            _(
                "The PDF cannot be made: LibreOffice (the program soffice) is not installed on the server. "
                "Download the .docx or .xlsx instead, or ask the administrator to install LibreOffice."
            )
        )
    with tempfile.TemporaryDirectory(prefix="guatu-pdf-") as folder:
        work = Path(folder)
        source = work / f"bulletin.{suffix}"
        source.write_bytes(data)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            finished = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise ConversionError(
                _("LibreOffice did not finish converting the file to PDF within %(seconds)s seconds.")
                % {"seconds": TIMEOUT_SECONDS}
            ) from None
        target = work / "bulletin.pdf"
        if finished.returncode != 0 or not target.exists():
            detail = (finished.stderr or finished.stdout).decode(errors="replace").strip()[-300:]
            raise ConversionError(
                _("LibreOffice could not convert the file to PDF (exit status %(code)s): %(detail)s")
                % {"code": finished.returncode, "detail": detail}
            )
        return target.read_bytes()
