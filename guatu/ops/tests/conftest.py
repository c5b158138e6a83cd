"""Databases outside the test transaction, for the backup tests: the test database as a URL that a `guatu`
subprocess can use, and new databases to restore into. Whatever these fixtures create (files, databases) is
removed in `finally`."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import dj_database_url
import pytest
from django.db import connection

from guatu.ops import snapshots
from guatu.ops.archive import FORMAT, FORMAT_VERSION, write_archive
from guatu.ops.checksums import MIGRATE_FILLS


@dataclass
class Database:
    """A database a subprocess can reach by its URL, and that the test can read with the plain driver."""

    url: str

    def query(self, sql: str) -> list[tuple]:
        settings = dj_database_url.parse(self.url)
        if settings["ENGINE"].endswith("sqlite3"):
            with closing(sqlite3.connect(settings["NAME"])) as handle:
                return handle.execute(sql).fetchall()
        import psycopg

        settings = dict(settings, OPTIONS=settings.get("OPTIONS", {}))
        conninfo, env = snapshots.libpq_connection(settings)
        with psycopg.connect(conninfo, password=env.get("PGPASSWORD")) as handle:
            cursor = handle.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def remove_data(self) -> None:
        """Empty every table but those `migrate` fills: what a database is after `guatu migrate` alone."""
        tables = [
            table for table in self.tables() if table not in MIGRATE_FILLS and not table.startswith("sqlite_")
        ]
        if self.url.startswith("sqlite"):
            with closing(sqlite3.connect(dj_database_url.parse(self.url)["NAME"])) as handle, handle:
                for table in tables:
                    handle.execute(f'DELETE FROM "{table}"')
        else:
            quoted = ", ".join(f'"{table}"' for table in tables)
            self.query(f"TRUNCATE {quoted}")  # no DELETE: the audit log's guard refuses it

    def tables(self) -> list[str]:
        if self.url.startswith("sqlite"):
            return [row[0] for row in self.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return [row[0] for row in self.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]


def run_guatu(*args: str, database: Database) -> subprocess.CompletedProcess:
    """`python -m guatu ARGS` against `database`, as an operator would run it."""
    env = {**os.environ, "DATABASE_URL": database.url, "PYTHONUTF8": "1"}
    command = [sys.executable, "-m", "guatu", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)


def stand_in_backup(workdir: Path, **changes) -> str:
    """A backup file as `guatu backup` writes it, for this database and this code, around a stand-in database
    file, with `changes` to its manifest: for what restore refuses before it unpacks anything."""
    member = workdir / "database.sqlite3"
    member.write_bytes(b"stand-in")
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "vendor": connection.vendor,
        "migrations": snapshots.code_migrations(),
        "tables": {},
        "members": {member.name: {"size": 8, "sha256": hashlib.sha256(b"stand-in").hexdigest()}},
        **changes,
    }
    path = workdir / "guatu.tar.gz"
    write_archive(path, manifest=manifest, member=member, compress=True)
    return str(path)


def _postgres_url(settings: dict, name: str) -> str:
    user, password = quote(settings["USER"], safe=""), quote(str(settings["PASSWORD"]), safe="")
    host = settings["HOST"] or "localhost"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{user}:{password}@{host}{port}/{name}"


@pytest.fixture
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="guatu-ops-test-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def test_database(transactional_db, workdir):
    """A function giving the test database, with what the test has committed so far, as a Database: on SQLite
    a file copy of the in-memory test database taken when called, on PostgreSQL the test database itself."""

    def current() -> Database:
        if connection.vendor == "sqlite":
            path = workdir / f"source-{secrets.token_hex(4)}.sqlite3"
            connection.ensure_connection()
            with closing(sqlite3.connect(path)) as copy:
                connection.connection.backup(copy)
            return Database(url=f"sqlite:///{path}")
        return Database(url=_postgres_url(connection.settings_dict, connection.settings_dict["NAME"]))

    return current


@pytest.fixture
def new_database(transactional_db, workdir):
    """A function giving a new database to restore into: with no tables, or with `migrated=True` the test
    database's tables with the rows `migrate` writes and nothing else. On PostgreSQL the test's role must be
    allowed to create databases; the test is skipped otherwise."""
    created: list[str] = []

    def new(*, migrated: bool = False) -> Database:
        if connection.vendor == "sqlite":
            path = workdir / f"target-{secrets.token_hex(4)}.sqlite3"
            database = Database(url=f"sqlite:///{path}")
            if migrated:
                connection.ensure_connection()
                with closing(sqlite3.connect(path)) as copy:
                    connection.connection.backup(copy)
                database.remove_data()  # whatever earlier tests left behind in the test database
            return database
        name = f"guatu_restore_test_{secrets.token_hex(6)}"
        _admin(f'CREATE DATABASE "{name}"')
        created.append(name)
        database = Database(url=_postgres_url(connection.settings_dict, name))
        if migrated:
            _copy_postgres(connection.settings_dict, name, workdir)
            database.remove_data()
        return database

    try:
        yield new
    finally:
        for name in created:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(sql: str) -> None:
    """Run CREATE/DROP DATABASE on its own autocommit connection (not inside any transaction)."""
    import psycopg

    settings = dict(connection.settings_dict, NAME="postgres")
    conninfo, env = snapshots.libpq_connection(settings)
    try:
        with psycopg.connect(conninfo, password=env.get("PGPASSWORD"), autocommit=True) as handle:
            handle.execute(sql)
    except psycopg.errors.InsufficientPrivilege:
        pytest.skip("the PostgreSQL role of the tests may not create databases (CREATEDB)")


def _copy_postgres(settings: dict, target: str, workdir: Path) -> None:
    """The test database's schema and rows as they are now into `target`, with pg_dump and pg_restore."""
    dump = workdir / f"{target}.pgdump"
    source, env = snapshots.libpq_connection(settings)
    destination, _ = snapshots.libpq_connection(dict(settings, NAME=target))
    subprocess.run(
        [snapshots.pg_tool("pg_dump"), "--format=custom", f"--file={dump}", f"--dbname={source}"],
        env=env,
        check=True,
    )
    subprocess.run(
        [
            snapshots.pg_tool("pg_restore"),
            "--no-owner",
            "--single-transaction",
            f"--dbname={destination}",
            str(dump),
        ],
        env=env,
        check=True,
    )
