"""Taking a consistent copy of the database, and putting one back, on SQLite and on PostgreSQL.

SQLite: the online backup API copies the whole file in one step under one read transaction, which in WAL mode
never stops writers and sees one committed state; the checksums are then taken from that copy, which nobody
writes to. PostgreSQL: a REPEATABLE READ, READ ONLY transaction exports its snapshot; `pg_dump --snapshot` dumps
exactly that snapshot while the checksums are computed in the same transaction, so dump and manifest describe
the same instant (docs/backup.md).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from guatu.ops.archive import BackupError
from guatu.ops.checksums import TableSum, table_sums

SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
_COPY_ALIAS = "guatu_ops_copy"
# libpq parameters passed on from the database's OPTIONS to pg_dump and pg_restore (the password goes in
# PGPASSWORD, never on a command line).
_LIBPQ_OPTIONS = (
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "connect_timeout",
    "options",
    "service",
    "passfile",
)


@dataclass
class Snapshot:
    database: Path  # the copy or dump, to go into the archive
    tables: dict[str, TableSum]
    migrations: dict[str, str]
    details: dict  # what made it: versions, for the manifest


# --- migration state


def applied_migrations(using: str = "default") -> dict[str, str]:
    """The last migration applied per app, in the order they were applied."""
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return {}
    latest = {}
    for app, name in recorder.migration_qs.order_by("id").values_list("app", "name").iterator():
        latest[app] = name
    return latest


def code_migrations() -> dict[str, str]:
    """The last migration per app in this version of the code."""
    latest: dict[str, list[str]] = {}
    for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes():
        latest.setdefault(app, []).append(name)
    return {app: "+".join(sorted(names)) for app, names in sorted(latest.items())}


def known_migrations() -> set[tuple[str, str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return set(loader.graph.nodes) | set(loader.replacements)


# --- SQLite


def sqlite_snapshot(workdir: Path) -> Snapshot:
    copy = workdir / SQLITE_MEMBER
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise RuntimeError("a backup reads committed data: take it outside any transaction")
    target = sqlite3.connect(copy)
    try:
        connection.connection.backup(target)  # one step: one read transaction, one committed state
        target.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file, no -wal beside it
    except sqlite3.Error as exc:
        raise BackupError(_("The database could not be read: %(error)s") % {"error": exc}) from None
    finally:
        target.close()
    with _database_alias(copy) as alias:
        tables, migrations = table_sums(alias), applied_migrations(alias)
    details = {"sqlite_version": sqlite3.sqlite_version}
    return Snapshot(database=copy, tables=tables, migrations=migrations, details=details)


@contextmanager
def _database_alias(path: Path) -> Iterator[str]:
    """The SQLite file at `path` as a Django database alias, for the ORM to read it: the copy, not the live file."""
    settings = dict(connection.settings_dict, NAME=str(path), OPTIONS={"timeout": 20})
    connections.settings[_COPY_ALIAS] = settings
    try:
        yield _COPY_ALIAS
    finally:
        for opened in connections.all(initialized_only=True):
            if opened.alias == _COPY_ALIAS:
                opened.close()
                del connections[_COPY_ALIAS]
        del connections.settings[_COPY_ALIAS]


def sqlite_load(copy: Path) -> None:
    """Write the copy over the configured database, through SQLite's backup API (page by page, under SQLite's
    own locks, whatever journal the target keeps)."""
    connection.ensure_connection()
    source = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    except sqlite3.Error as exc:
        raise BackupError(_("The database could not be written: %(error)s") % {"error": exc}) from None
    finally:
        source.close()


# --- PostgreSQL


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: the newest in Debian's /usr/lib/postgresql/<version>/bin, else the one on PATH."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: [int(part) for part in re.findall(r"\d+", path.parent.parent.name)],
    )
    found = str(versions[-1]) if versions else shutil.which(name)
    if not found:
        raise BackupError(
            _("%(tool)s is not installed: install the PostgreSQL client (apt-get install postgresql-client).")
            % {"tool": name}
        )
    return found


def libpq_connection(settings: dict) -> tuple[str, dict[str, str]]:
    """The connection string for pg_dump/pg_restore and the environment carrying the password."""
    from psycopg.conninfo import make_conninfo

    params = {
        "dbname": settings["NAME"],
        "host": settings["HOST"] or None,
        "port": str(settings["PORT"]) if settings["PORT"] else None,
        "user": settings["USER"] or None,
    }
    params.update(
        {key: str(settings["OPTIONS"][key]) for key in _LIBPQ_OPTIONS if key in settings["OPTIONS"]}
    )
    env = dict(os.environ)
    if settings["PASSWORD"]:
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return make_conninfo(**{key: value for key, value in params.items() if value is not None}), env


def _run_failed(tool: str, log: Path) -> BackupError:
    text = log.read_text(errors="replace").strip() if log.exists() else ""
    return BackupError(_("%(tool)s failed: %(error)s") % {"tool": tool, "error": text[-2000:] or "?"})


def postgres_snapshot(workdir: Path) -> Snapshot:
    dump, log = workdir / POSTGRES_MEMBER, workdir / "pg_dump.log"
    pg_dump = pg_tool("pg_dump")
    conninfo, env = libpq_connection(connection.settings_dict)
    connection.ensure_connection()
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot_id, server_version = cursor.fetchone()
        command = [pg_dump, "--format=custom", f"--snapshot={snapshot_id}", f"--file={dump}", "--no-password"]
        with open(log, "wb") as errors:
            process = subprocess.Popen(
                [*command, f"--dbname={conninfo}"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=errors,
                stderr=errors,
            )
        try:
            # In the exported snapshot too, while pg_dump reads it; the transaction stays open until both end.
            tables, migrations = table_sums(), applied_migrations()
        except BaseException:
            process.kill()
            process.wait()
            raise
        returncode = process.wait()
    if returncode != 0:
        raise _run_failed("pg_dump", log)
    version = subprocess.run([pg_dump, "--version"], capture_output=True, text=True).stdout.strip()
    details = {"server_version": server_version, "pg_dump": version}
    return Snapshot(database=dump, tables=tables, migrations=migrations, details=details)


def postgres_load(dump: Path, workdir: Path) -> None:
    """Restore the dump into the configured database: tables an empty migrated schema has are dropped first (in
    one transaction), then pg_restore recreates everything in one transaction of its own, owned by the
    configured user."""
    pg_restore = pg_tool("pg_restore")
    conninfo, env = libpq_connection(connection.settings_dict)
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    connection.close()  # pg_restore replaces every table; start again on a fresh connection afterwards
    log = workdir / "pg_restore.log"
    options = [
        "--no-owner",
        "--no-privileges",
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--exit-on-error",
    ]
    with open(log, "wb") as errors:
        finished = subprocess.run(
            [pg_restore, *options, "--no-password", f"--dbname={conninfo}", str(dump)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=errors,
            stderr=errors,
        )
    if finished.returncode != 0:
        raise _run_failed("pg_restore", log)
