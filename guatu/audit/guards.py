"""The audit log is append-only in the database itself, not only in the application: triggers refuse every
UPDATE of an event or a seal, and every DELETE of one younger than the legal floor of retention (184 days,
网络安全法 第二十一条: logs kept at least six months). `guatu audit purge` removes only what is older.

On PostgreSQL the application's role should in addition hold no UPDATE, DELETE or TRUNCATE privilege on these
tables (README, "Production with PostgreSQL"); the triggers hold even for a role that does. On SQLite whoever can
write the file can drop a trigger: there the hash chain (guatu.audit.chain) is what shows a change.

`deletion_allowed()` lifts the DELETE guard for the length of one transaction, for `guatu demo --reset` only
(it removes the demo's own trail and rebuilds the chain); DDL is transactional on both databases, so the guard
is back whatever happens.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection, transaction

FLOOR_DAYS = 184
TABLES = ("audit_auditevent", "audit_auditseal")

_SQLITE_AGE = {
    "audit_auditevent": 'OLD."at"',
    "audit_auditseal": '(SELECT "at" FROM audit_auditevent WHERE id = OLD.event_id)',
}


def _sqlite_install(cursor, *, deletes: bool = True, updates: bool = True) -> None:
    for table in TABLES:
        if updates:
            cursor.execute(
                f'CREATE TRIGGER IF NOT EXISTS "{table}_no_update" BEFORE UPDATE ON "{table}" '
                f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only: {table} rows cannot be changed'); END"
            )
        if deletes:
            cursor.execute(
                f'CREATE TRIGGER IF NOT EXISTS "{table}_no_delete" BEFORE DELETE ON "{table}" '
                f"WHEN {_SQLITE_AGE[table]} > strftime('%Y-%m-%d %H:%M:%f', 'now', '-{FLOOR_DAYS} days') "
                f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only: {table} rows younger than "
                f"{FLOOR_DAYS} days cannot be removed'); END"
            )


# Fixed DDL with the module's own constant filled in: no input reaches it (hence the nosec below).
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION guatu_audit_append_only() RETURNS trigger AS $$
DECLARE
    born timestamptz;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit log is append-only: % rows cannot be changed', TG_TABLE_NAME;
    END IF;
    IF TG_TABLE_NAME = 'audit_auditevent' THEN
        born := OLD."at";
    ELSE
        SELECT "at" INTO born FROM audit_auditevent WHERE id = OLD.event_id;
    END IF;
    IF born > now() - interval '{FLOOR_DAYS} days' THEN
        RAISE EXCEPTION 'audit log is append-only: % rows younger than {FLOOR_DAYS} days cannot be removed',
            TG_TABLE_NAME;
    END IF;
    RETURN OLD;
END
$$ LANGUAGE plpgsql
""".replace("{FLOOR_DAYS}", str(FLOOR_DAYS))  # nosec B608


def _pg_install(cursor, *, deletes: bool = True, updates: bool = True) -> None:
    cursor.execute(_PG_FUNCTION)
    for table in TABLES:
        if updates:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{table}_no_update" ON "{table}"')
            cursor.execute(
                f'CREATE TRIGGER "{table}_no_update" BEFORE UPDATE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION guatu_audit_append_only()"
            )
        if deletes:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{table}_no_delete" ON "{table}"')
            cursor.execute(
                f'CREATE TRIGGER "{table}_no_delete" BEFORE DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION guatu_audit_append_only()"
            )


def install(conn=None, *, deletes: bool = True, updates: bool = True) -> None:
    conn = conn or connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            _pg_install(cursor, deletes=deletes, updates=updates)
        else:
            _sqlite_install(cursor, deletes=deletes, updates=updates)


def drop(conn=None, *, deletes: bool = True, updates: bool = True) -> None:
    conn = conn or connection
    with conn.cursor() as cursor:
        for table in TABLES:
            for kind, wanted in (("no_delete", deletes), ("no_update", updates)):
                if not wanted:
                    continue
                if conn.vendor == "postgresql":
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{table}_{kind}" ON "{table}"')
                else:
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{table}_{kind}"')


def deletion_guarded(conn=None) -> bool:
    conn = conn or connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s", ["audit_auditevent_no_delete"])
        else:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                ["audit_auditevent_no_delete"],
            )
        return cursor.fetchone() is not None


@contextmanager
def deletion_allowed():
    """Inside one transaction, without the DELETE guard (`guatu demo --reset` only)."""
    with transaction.atomic():
        guarded = deletion_guarded()
        if guarded:
            drop(deletes=True, updates=False)
        yield
        if guarded:
            install(deletes=True, updates=False)
