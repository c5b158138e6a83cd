"""Files checked by a dry run and waiting for the importer's confirmation, kept server-side so that the
confirmation imports exactly the file that was checked: `<GUATU_DATA_DIR>/imports/pending/<user id>/<sha256>`,
readable only by the app. A file is found again only by its SHA-256 and only for the user who uploaded it;
files older than a day are removed whenever a new one is kept."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from django.conf import settings

MAX_AGE_SECONDS = 24 * 3600
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _folder(user) -> Path:
    return Path(settings.DATA_DIR) / "imports" / "pending" / str(int(user.pk))


def remove_old(now: float | None = None) -> int:
    """Remove pending files older than MAX_AGE_SECONDS, of every user; how many were removed."""
    root = Path(settings.DATA_DIR) / "imports" / "pending"
    cutoff = (now or time.time()) - MAX_AGE_SECONDS
    removed = 0
    for path in root.glob("*/*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def keep(user, data: bytes, file_name: str) -> str:
    """Keep the checked file for the user; its SHA-256, which the confirmation form carries."""
    remove_old()
    sha256 = hashlib.sha256(data).hexdigest()
    folder = _folder(user)
    folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.mkdir(exist_ok=True, mode=0o700)
    (folder / f"{sha256}.xlsx").write_bytes(data)
    (folder / f"{sha256}.name").write_text(file_name[:255], encoding="utf-8")
    return sha256


def take(user, sha256: str) -> tuple[bytes, str] | None:
    """The file the user kept under that SHA-256 and its name; None when there is none (or it changed)."""
    if not SHA256.match(sha256 or ""):
        return None
    folder = _folder(user)
    try:
        data = (folder / f"{sha256}.xlsx").read_bytes()
        name = (folder / f"{sha256}.name").read_text(encoding="utf-8")
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != sha256:
        return None
    return data, name


def drop(user, sha256: str) -> None:
    if SHA256.match(sha256 or ""):
        for suffix in (".xlsx", ".name"):
            (_folder(user) / f"{sha256}{suffix}").unlink(missing_ok=True)
