"""The data version: a value the database itself changes on every write to the data, so that a response computed
from the data can be kept (guatu.lib.response_cache) and is never served once the data has moved on.

Triggers on every table but the few in UNWATCHED record each write, whoever makes it: a service, a bulk insert, the
roll-ups' own SQL, a migration, a job worker, the other app server, or someone at a `psql` prompt.

- **SQLite** (one writer at a time): each written row sets the one row of `guatu_data_version` to a count one
  higher and a new random checksum.
- **PostgreSQL** (writers in parallel): one shared row would make every writing transaction wait on every other
  and could close a deadlock with the rows they lock. So each writing transaction instead inserts one row of its
  own, with a random token, into `guatu_data_change` (at its first write statement), which takes no lock another
  writer waits on. The version is the number of changes the reader's snapshot sees and the sum of their tokens.
  Visible changes only ever grow, so the same count means the same changes. Inside a transaction its own later
  writes count too: the trigger numbers them in a transaction-local setting (`guatu.writes`), which the version
  includes. Every 256th change folds the older rows into `guatu_data_version`'s totals, in the same transaction.
  It does that only when no other folding holds the row (SKIP LOCKED: it never waits), so the table a reader
  counts stays small. (A row per statement instead made a bulk load of 1.5 million single-row inserts in one
  transaction slow down as it went: each fold scanned the transaction's own dead rows.)

The random part keeps a version from ever naming two different states of the data: after a restore from a backup,
the count can come back to a value it had, but the checksum cannot.

`install()` runs after every `migrate` (guatu.ops.apps), so a table added by a later migration is watched too; the
tests hold every table to it (guatu/lib/tests/test_data_version.py).
"""

from __future__ import annotations

from django.db import connections

TABLES = ("guatu_data_version", "guatu_data_change")  # the version's own (guatu_data_change: PostgreSQL only)

# Tables whose writes do not change what a page shows: the session store, one-time form tokens, the task queue,
# sign-in attempts, the migration record, and the audit log (written with every change to the data, which is
# watched itself, and on reads such as exports and sign-ins, which change nothing shown).
UNWATCHED = frozenset(
    {
        "django_session",
        "django_migrations",
        "django_tasks_database_dbtaskresult",
        "web_usedformtoken",
        "accounts_loginfailure",
        "accounts_loginlock",
        "audit_auditevent",
        "audit_auditseal",
        "audit_auditpending",
        "audit_auditchainhead",
        *TABLES,
    }
)
FOLD_EVERY = 256
TRIGGER_PREFIX = "guatu_dv_"

_READ = {
    "sqlite": "SELECT changes, checksum FROM guatu_data_version WHERE id = 1",
    "postgresql": (
        "SELECT v.changes + (SELECT count(*) FROM guatu_data_change),"
        " v.checksum + (SELECT coalesce(sum(token), 0) FROM guatu_data_change),"
        " coalesce(current_setting('guatu.writes', true), '')"
        " FROM guatu_data_version v WHERE v.id = 1"
    ),
}

_TABLE = (
    "CREATE TABLE IF NOT EXISTS guatu_data_version ("
    " id integer PRIMARY KEY, changes bigint NOT NULL, checksum numeric NOT NULL)"
)

# Fixed DDL with the module's own constant filled in: no input reaches it (hence the nosec below).
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION guatu_data_changed() RETURNS trigger AS $$
DECLARE
    writes bigint;
    added bigint;
    folded bigint;
    folded_sum numeric;
BEGIN
    -- This transaction's write statements so far, kept in a transaction-local setting (a savepoint rolled back
    -- takes its part back with it).
    writes := coalesce(nullif(current_setting('guatu.writes', true), ''), '0')::bigint + 1;
    PERFORM set_config('guatu.writes', writes::text, true);
    IF writes > 1 THEN
        RETURN NULL;  -- the transaction's row is in already
    END IF;
    INSERT INTO guatu_data_change (token) VALUES (floor(random() * 4503599627370496)::bigint) RETURNING id INTO added;
    IF added % {FOLD_EVERY} = 0 THEN
        PERFORM 1 FROM guatu_data_version WHERE id = 1 FOR UPDATE SKIP LOCKED;
        IF FOUND THEN
            WITH gone AS (DELETE FROM guatu_data_change WHERE id < added RETURNING token)
            SELECT count(*), coalesce(sum(token), 0) INTO folded, folded_sum FROM gone;
            UPDATE guatu_data_version
               SET changes = changes + folded, checksum = checksum + folded_sum
             WHERE id = 1;
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
""".replace("{FOLD_EVERY}", str(FOLD_EVERY))  # nosec B608


def watched_tables(connection) -> list[str]:
    return sorted(
        name
        for name in connection.introspection.table_names(include_views=False)
        if name not in UNWATCHED and not name.startswith("sqlite_")
    )


def install(connection) -> None:
    """The version's tables and a trigger on every watched table that has none yet; safe to run again (after
    each migrate, and after each flush of a transactional test: one catalogue query when nothing is missing)."""
    with connection.cursor() as cursor:
        cursor.execute(_TABLE)
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS guatu_data_change (id bigserial PRIMARY KEY, token bigint NOT NULL)"
            )
            cursor.execute("INSERT INTO guatu_data_version VALUES (1, 0, 0) ON CONFLICT DO NOTHING")
            cursor.execute(_PG_FUNCTION)
        else:
            cursor.execute("INSERT OR IGNORE INTO guatu_data_version VALUES (1, 0, 0)")
        for table in triggers_missing(connection):
            _install_on(cursor, connection.vendor, table)
        # The schema may have changed what a response holds: a new version either way.
        cursor.execute(
            "UPDATE guatu_data_version SET changes = changes + 1, checksum = checksum + %s WHERE id = 1",
            [_random_token()],
        )


def _install_on(cursor, vendor: str, table: str) -> None:
    quoted = f'"{table}"'
    if vendor == "postgresql":
        name = f'"{TRIGGER_PREFIX}{table}"'  # the longest table name leaves room under PostgreSQL's 63 bytes
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {quoted}")
        cursor.execute(
            f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quoted} "
            "FOR EACH STATEMENT EXECUTE FUNCTION guatu_data_changed()"
        )
        return
    for event in ("INSERT", "UPDATE", "DELETE"):
        # The table's name comes from the database's own catalogue, the event from the tuple above.
        statement = (
            f'CREATE TRIGGER IF NOT EXISTS "{TRIGGER_PREFIX}{table}_{event.lower()}" AFTER {event} ON {quoted} '  # nosec B608
            "BEGIN UPDATE guatu_data_version SET changes = changes + 1, checksum = random() WHERE id = 1; END"
        )
        cursor.execute(statement)


def triggers_missing(connection) -> list[str]:
    """Watched tables without their trigger(s): empty when install() has run since the last table was added."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s", [TRIGGER_PREFIX + "%"])
            have = {name for (name,) in cursor.fetchall()}
            return [t for t in watched_tables(connection) if f"{TRIGGER_PREFIX}{t}" not in have]
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [TRIGGER_PREFIX + "%"]
        )
        have = {name for (name,) in cursor.fetchall()}
        return [
            t
            for t in watched_tables(connection)
            if not all(f"{TRIGGER_PREFIX}{t}_{e}" in have for e in ("insert", "update", "delete"))
        ]


def current(using: str = "default") -> str | None:
    """The data version as database `using` sees it now (None only if its row were missing).
    Read it before the data and again after (response_cache does): the same value both times means no write was
    committed in between, so what was read belongs to that version."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(_READ[connection.vendor])
        row = cursor.fetchone()
    return None if row is None else ".".join(str(part) for part in row)


def _random_token() -> int:
    import secrets

    return secrets.randbelow(2**52)
