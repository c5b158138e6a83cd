#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster:
#
#     scripts/with-postgres.sh .venv/bin/pytest -q
#
# Creates a private cluster in a temporary folder (initdb), listening on a free port on 127.0.0.1 and on
# a unix socket in that folder, with a role and database `guatu`; exports DATABASE_URL for the command;
# stops the cluster and deletes the folder afterwards, whatever the command's outcome. As root the server
# runs as the `postgres` system user (PostgreSQL refuses to run as root). PostgreSQL 15 is installed with
# apt-get when missing and running as root (the set-up both scripts share: scripts/pg-common.sh).
set -euo pipefail

me=with-postgres
# shellcheck source=scripts/pg-common.sh
source "$(dirname "$0")/pg-common.sh"

port="$(free_port)"

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
