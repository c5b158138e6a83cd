"""Backup and restore (docs/backup.md): `backup_create` writes one file holding a consistent copy of the database
and its manifest; `backup_restore` puts such a file into an empty database and proves it by recomputing every
table's count and checksum. Each records its audit event."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guatu.audit import events
from guatu.ops import snapshots
from guatu.ops.archive import FORMAT, FORMAT_VERSION, BackupError, read_archive, sha256_file, write_archive
from guatu.ops.checksums import table_sums, tables_with_rows

VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


# --- backup (audited by guatu.audit.events.backup_created and restore_verified)


@dataclass
class BackupResult:
    path: Path
    size: int
    sha256: str
    tables: int
    rows: int
    migrations_pending: bool  # the database has not had every migration of this code applied


def backup_create(*, output: Path) -> BackupResult:
    """Write the backup to `output`, a new file (never overwritten). The file appears complete or not at all."""
    vendor = _vendor()
    if output.exists():
        raise BackupError(_("%(path)s exists already: give the backup a new file name.") % {"path": output})
    if not output.parent.is_dir():
        raise BackupError(_("No such folder: %(path)s") % {"path": output.parent})
    try:
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".guatu-backup-") as tmp:
            workdir = Path(tmp)
            take = snapshots.sqlite_snapshot if vendor == "sqlite" else snapshots.postgres_snapshot
            snapshot = take(workdir)
            manifest = _manifest(vendor, snapshot)
            partial = workdir / output.name  # on the same file system: moved into place once complete
            write_archive(partial, manifest=manifest, member=snapshot.database, compress=vendor == "sqlite")
            os.replace(partial, output)
    except DatabaseError as exc:
        raise BackupError(_("The database could not be read: %(error)s") % {"error": exc}) from None
    except OSError as exc:
        raise BackupError(_("The backup could not be written: %(error)s") % {"error": exc}) from None
    result = BackupResult(
        path=output,
        size=output.stat().st_size,
        sha256=sha256_file(output),
        tables=manifest["totals"]["tables"],
        rows=manifest["totals"]["rows"],
        migrations_pending=snapshot.migrations != snapshots.code_migrations(),
    )
    with transaction.atomic():
        events.backup_created(
            file=output.name, size=result.size, sha256=result.sha256, tables=result.tables, rows=result.rows
        )
    return result


def _manifest(vendor: str, snapshot: snapshots.Snapshot) -> dict:
    tables = {table: found.as_json() for table, found in snapshot.tables.items()}
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "guatu_version": _guatu_version(),
        "vendor": vendor,
        "database": {"member": snapshot.database.name, **snapshot.details},
        "migrations": snapshot.migrations,
        "tables": tables,
        "totals": {"tables": len(tables), "rows": sum(entry["rows"] for entry in tables.values())},
        "members": {
            snapshot.database.name: {
                "size": snapshot.database.stat().st_size,
                "sha256": sha256_file(snapshot.database),
            }
        },
    }


def _guatu_version() -> str:
    try:
        return version("guatu")
    except PackageNotFoundError:
        return ""


def _vendor() -> str:
    if connection.vendor not in VENDORS:
        raise BackupError(
            _("Backups are made of SQLite and PostgreSQL databases only, not %(vendor)s.")
            % {"vendor": connection.vendor}
        )
    return connection.vendor


# --- restore


@dataclass
class TableCheck:
    table: str
    backup_rows: int | None  # None: the table is not in the backup
    restored_rows: int | None  # None: the restored database has no such table
    ok: bool


@dataclass
class RestoreResult:
    file: str
    sha256: str
    created_at: str  # when the backup was made
    checks: list[TableCheck]
    recorded: bool  # the restore-test record is in the audit log

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def mismatched(self) -> list[str]:
        return [check.table for check in self.checks if not check.ok]

    @property
    def rows(self) -> int:
        return sum(check.backup_rows or 0 for check in self.checks)


def backup_restore(*, path: Path) -> RestoreResult:
    """Restore the backup at `path` into the configured database, which must hold no data (a new database, or
    one with the migrated tables only); then recompute every table and compare with the manifest. Refused,
    with nothing written, for a damaged file, a backup of another database kind or another version of the
    code's migrations, or a database that is not empty."""
    vendor = _vendor()

    def restorable(manifest: dict) -> None:
        _check_vendor(manifest, vendor, path.name)
        _check_migrations(manifest["migrations"])
        _check_empty()

    try:
        with tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".guatu-restore-") as tmp:
            workdir = Path(tmp)
            unpacked = read_archive(path, workdir=workdir, check=restorable)
            if vendor == "sqlite":
                snapshots.sqlite_load(unpacked.database)
            else:
                snapshots.postgres_load(unpacked.database, workdir)
    except DatabaseError as exc:
        raise BackupError(_("Restoring into the database failed: %(error)s") % {"error": exc}) from None
    except OSError as exc:
        raise BackupError(_("The backup could not be read: %(error)s") % {"error": exc}) from None

    manifest = unpacked.manifest
    try:
        with transaction.atomic():
            restored = table_sums()
    except DatabaseError as exc:
        raise BackupError(_("The restored database could not be read: %(error)s") % {"error": exc}) from None
    checks = _compare(manifest["tables"], restored)
    result = RestoreResult(
        file=path.name,
        sha256=unpacked.sha256,
        created_at=str(manifest.get("created_at", "")),
        checks=checks,
        recorded=False,
    )
    try:
        with transaction.atomic():
            events.restore_verified(
                file=result.file,
                sha256=result.sha256,
                tables=len(checks),
                rows=result.rows,
                result="ok" if result.ok else "mismatch",
            )
        result.recorded = True
    except DatabaseError as exc:
        if result.ok:  # a mismatch is reported whether or not the database takes the record
            raise BackupError(
                _("The backup was restored and checked, but the record could not be written: %(error)s")
                % {"error": exc}
            ) from None
    return result


def _check_vendor(manifest: dict, vendor: str, name: str) -> None:
    if manifest.get("vendor") != vendor:
        raise BackupError(
            _("%(name)s is a backup of a %(found)s database; the configured database is %(wanted)s.")
            % {"name": name, "found": VENDORS.get(manifest.get("vendor"), "?"), "wanted": VENDORS[vendor]}
        )


def _check_migrations(backup: dict) -> None:
    """The backup's tables must be those of this code: the restored database is used as it is, and its checksums
    are recomputed through this code's models."""
    code = snapshots.code_migrations()
    if backup == code:
        return
    known = snapshots.known_migrations()
    unknown = sorted(f"{app}.{name}" for app, name in backup.items() if (app, name) not in known)
    if unknown:
        raise BackupError(
            _(
                "The backup was made by a newer or different version of Guatu: this version has no migration "
                "%(names)s. Restore it with the version that made it."
            )
            % {"names": ", ".join(unknown)}
        )
    behind = sorted(
        f"{app} {backup.get(app, '-')} → {name}" for app, name in code.items() if backup.get(app) != name
    )
    raise BackupError(
        _(
            "The backup was made by an older version of Guatu (migrations %(apps)s). Restore it with the "
            "version that made it, then upgrade and run guatu migrate."
        )
        % {"apps": "; ".join(behind)}
    )


def _check_empty() -> None:
    busy = tables_with_rows()
    if busy:
        shown = ", ".join(busy[:5]) + (" …" if len(busy) > 5 else "")
        raise BackupError(
            _(
                "The database is not empty: %(count)s tables hold data (%(tables)s). A backup is restored into an "
                "empty database only; nothing was written."
            )
            % {"count": len(busy), "tables": shown}
        )


def _compare(expected: dict[str, dict], restored: dict) -> list[TableCheck]:
    checks = []
    for table in sorted(set(expected) | set(restored)):
        want, got = expected.get(table), restored.get(table)
        same = (
            want is not None
            and got is not None
            and (want.get("rows"), want.get("sha256")) == (got.rows, got.sha256)
        )
        checks.append(
            TableCheck(
                table=table,
                backup_rows=want.get("rows") if want else None,
                restored_rows=got.rows if got else None,
                ok=same,
            )
        )
    return checks
