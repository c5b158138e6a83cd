#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster:
#
#     scripts/with-postgres.sh .venv/bin/pytest -q
#
# Creates a private cluster in a temporary folder (initdb), listening on a free port on 127.0.0.1 and on
# a unix socket in that folder, with a role and database `guatu`; exports DATABASE_URL for the command;
# stops the cluster and deletes the folder afterwards, whatever the command's outcome. As root the server
# runs as the `postgres` system user (PostgreSQL refuses to run as root). PostgreSQL 15 is installed with
# apt-get when missing and running as root.
set -euo pipefail

PG_VERSION="${PG_VERSION:-15}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/$PG_VERSION/bin}"

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

if [ ! -x "$PG_BIN/initdb" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "with-postgres: installing postgresql-$PG_VERSION" >&2
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "postgresql-$PG_VERSION" >&2
    else
        echo "with-postgres: PostgreSQL $PG_VERSION is not installed ($PG_BIN/initdb is missing)." >&2
        echo "  Install it as root:  apt-get install postgresql-$PG_VERSION" >&2
        echo "  or point PG_BIN at the bin folder of another PostgreSQL installation." >&2
        exit 1
    fi
fi

# As root, run the server tools as the postgres user; otherwise as ourselves.
if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "with-postgres: running as root but there is no 'postgres' system user to run the server." >&2
        exit 1
    fi
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

command_started=0
workdir="$(mktemp -d "${TMPDIR:-/tmp}/guatu-pg.XXXXXX")"
chmod 755 "$workdir"
[ "$(id -u)" -eq 0 ] && chown postgres: "$workdir"

# A free TCP port: bind port 0, read what the kernel gave, release it.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

cleanup() {
    local status=$?
    if [ -f "$workdir/data/postmaster.pid" ]; then
        (cd "$workdir" && as_pg "$PG_BIN/pg_ctl" -D "$workdir/data" -m immediate -w stop >/dev/null 2>&1) || true
    fi
    if [ "$status" -ne 0 ] && [ "$command_started" -eq 0 ] && [ -f "$workdir/server.log" ]; then
        echo "with-postgres: last lines of the server log:" >&2
        tail -n 20 "$workdir/server.log" >&2 || true
    fi
    rm -rf "$workdir"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$workdir"  # the postgres user may not be able to read the caller's folder
as_pg "$PG_BIN/initdb" -D "$workdir/data" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$workdir/initdb.log" 2>&1 || {
    cat "$workdir/initdb.log" >&2
    exit 1
}
# Durability is pointless for a cluster that lives for one test run; these settings make it much faster.
as_pg "$PG_BIN/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 start -o \
    "-p $port -c listen_addresses=127.0.0.1 -k $workdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >/dev/null

as_pg "$PG_BIN/psql" -h "$workdir" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE guatu LOGIN CREATEDB PASSWORD 'guatu';
CREATE DATABASE guatu OWNER guatu;
SQL
cd "$OLDPWD"

export DATABASE_URL="postgres://guatu:guatu@127.0.0.1:$port/guatu"
echo "with-postgres: PostgreSQL $PG_VERSION on 127.0.0.1:$port (DATABASE_URL=$DATABASE_URL)" >&2
command_started=1
set +e
"$@"
status=$?
set -e
exit "$status"
