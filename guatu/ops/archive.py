"""The backup file: a tar archive holding `manifest.json` first, then the database (a SQLite copy, gzip-compressed
with the archive, or a pg_dump custom-format dump, compressed by pg_dump). The manifest names each member with its
size and SHA-256, so a damaged file is known before anything is restored (docs/backup.md, "The file").

Reading streams the archive once: the manifest is checked by the caller before the database is unpacked, and the
whole file's SHA-256 is taken on the way.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

FORMAT = "guatu-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = frozenset({"database.sqlite3", "database.pgdump"})
_MANIFEST_MAX_BYTES = 20 * 1024 * 1024
_BLOCK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused or failed, with the message for whoever runs it."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def write_archive(path: Path, *, manifest: dict, member: Path, compress: bool) -> None:
    """Write the archive at `path` (mode 600: it holds every password hash and name), manifest first."""
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    # gzip level 1: a SQLite file shrinks about five times at any level, and level 1 is several times faster.
    options = {"mode": "w:gz", "compresslevel": 1} if compress else {"mode": "w"}
    with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, **options) as tar:
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(text), int(time.time()), 0o600
        tar.addfile(info, io.BytesIO(text))
        tar.add(member, arcname=member.name, recursive=False)
        handle.flush()
        os.fsync(handle.fileno())


@dataclass
class Unpacked:
    manifest: dict
    database: Path  # the database member, unpacked and checked against the manifest
    sha256: str  # of the whole backup file


class _HashingReader(io.RawIOBase):
    """Reads a file and takes its SHA-256 on the way."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.handle.readinto(buffer)
        self.digest.update(memoryview(buffer)[:count])
        return count

    def finish(self) -> str:
        while block := self.handle.read(_BLOCK):
            self.digest.update(block)
        return self.digest.hexdigest()


def read_archive(path: Path, *, workdir: Path, check: Callable[[dict], None]) -> Unpacked:
    """Open the backup at `path`, have `check` look at its manifest (it raises BackupError to refuse), unpack the
    database into `workdir` and compare every member with the manifest."""
    if not path.is_file():
        raise BackupError(_("No such file: %(path)s") % {"path": path})
    with open(path, "rb") as raw:
        reader = _HashingReader(raw)
        try:
            tar = tarfile.open(fileobj=reader, mode="r|*", bufsize=_BLOCK)
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile):
            raise BackupError(
                _("%(name)s is not a Guatu backup: it is not a tar archive.") % {"name": path.name}
            ) from None
        try:
            with tar:
                manifest = _read_manifest(tar, path.name)
                check(manifest)
                database = _unpack_members(tar, manifest, workdir, path.name)
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile):
            raise BackupError(
                _("%(name)s is damaged: the archive cannot be read to its end. Nothing was restored.")
                % {"name": path.name}
            ) from None
        return Unpacked(manifest=manifest, database=database, sha256=reader.finish())


def _read_manifest(tar: tarfile.TarFile, name: str) -> dict:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isreg() or first.size > _MANIFEST_MAX_BYTES:
        raise BackupError(_("%(name)s is not a Guatu backup: it has no manifest.") % {"name": name})
    try:
        manifest = json.loads(tar.extractfile(first).read())
    except (UnicodeDecodeError, ValueError):
        raise BackupError(_("%(name)s is damaged: its manifest cannot be read.") % {"name": name}) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            _("%(name)s is not a Guatu backup: its manifest is of another kind.") % {"name": name}
        )
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _("%(name)s is a backup in format %(found)s; this version of Guatu reads format %(wanted)s.")
            % {"name": name, "found": manifest.get("format_version"), "wanted": FORMAT_VERSION}
        )
    members = manifest.get("members")
    well_formed = (
        isinstance(members, dict)
        and len(members) == 1
        and set(members) <= DATABASE_MEMBERS
        and all(isinstance(entry, dict) and {"size", "sha256"} <= set(entry) for entry in members.values())
        and isinstance(manifest.get("tables"), dict)
        and all(isinstance(entry, dict) for entry in manifest["tables"].values())
        and isinstance(manifest.get("migrations"), dict)
    )
    if not well_formed:
        raise BackupError(_("%(name)s is damaged: its manifest is incomplete.") % {"name": name})
    return manifest


def _unpack_members(tar: tarfile.TarFile, manifest: dict, workdir: Path, name: str) -> Path:
    expected = manifest["members"]
    found: dict[str, tuple[int, str]] = {}
    while (member := tar.next()) is not None:
        if member.name not in expected or member.name in found or not member.isreg():
            raise BackupError(
                _(
                    "%(name)s is damaged: it holds %(member)s, which its manifest does not list. Nothing was restored."
                )
                % {"name": name, "member": member.name}
            )
        target = workdir / member.name  # one of DATABASE_MEMBERS: a plain name, never a path
        digest, size = hashlib.sha256(), 0
        with tar.extractfile(member) as source, open(target, "wb") as out:
            while block := source.read(_BLOCK):
                digest.update(block)
                size += len(block)
                out.write(block)
        found[member.name] = (size, digest.hexdigest())
    for member, entry in expected.items():
        if found.get(member) != (entry["size"], entry["sha256"]):
            raise BackupError(
                _(
                    "%(name)s is damaged: %(member)s does not match the SHA-256 its manifest gives (the file was "
                    "changed or cut short). Nothing was restored."
                )
                % {"name": name, "member": member}
            )
    (member,) = expected
    return workdir / member
