#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL primary and a streaming hot standby of it:
#
#     scripts/with-replica.sh .venv/bin/pytest -q -p no:xdist -m replica guatu/ops/tests/test_replica.py
#
# Like scripts/with-postgres.sh (both take their set-up from scripts/pg-common.sh): a private primary cluster in a temporary folder
# (initdb, wal_level=replica) on a free port on 127.0.0.1, with a role and database `guatu` and a replication
# role; then a standby copied from it with `pg_basebackup -R` (which writes primary_conninfo and
# standby.signal) on another free port, started with hot_standby on. Once the primary shows the standby as
# streaming (pg_stat_replication), DATABASE_URL (the primary) and DATABASE_REPLICA_URL (the standby) are
# exported for the command. Both servers are stopped and the folder deleted afterwards, whatever the command's
# outcome. As root the servers run as the `postgres` system user; PostgreSQL 15 is installed with apt-get when
# missing and running as root.
#
# The `guatu` role may pause and resume WAL replay (granted in template1, so every database made from it,
# the test database included, carries the grant): a test holds the standby back to show a stale read.
set -euo pipefail

me=with-replica
# shellcheck source=scripts/pg-common.sh
source "$(dirname "$0")/pg-common.sh"

primary_port="$(free_port)"
standby_port="$(free_port)"
while [ "$standby_port" = "$primary_port" ]; do standby_port="$(free_port)"; done

stop_cluster() {  # $1: data folder
    if [ -f "$1/postmaster.pid" ]; then
        (cd "$workdir" && as_pg "$PG_BIN/pg_ctl" -D "$1" -m immediate -w stop >/dev/null 2>&1) || true
    fi
}

cleanup() {
    local status=$?
    stop_cluster "$workdir/standby"  # the standby first: it would otherwise keep retrying the primary
    stop_cluster "$workdir/primary"
    if [ "$status" -ne 0 ] && [ "$command_started" -eq 0 ]; then
        for log in primary standby; do
            if [ -f "$workdir/$log.log" ]; then
                echo "with-replica: last lines of the $log's server log:" >&2
                tail -n 20 "$workdir/$log.log" >&2 || true
            fi
        done
    fi
    rm -rf "$workdir"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Durability is pointless for clusters that live for one test run: fsync off, as in with-postgres.sh. Unlike
# there, synchronous_commit stays on, so that a commit's WAL is written (and sent to the standby) before the
# commit returns, and full_page_writes stays on, which a base backup needs.
fast="-c fsync=off"

cd "$workdir"  # the postgres user may not be able to read the caller's folder
# initdb's pg_hba.conf lets local connections in (trust) and asks TCP connections, replication included, for a
# password (scram-sha-256).
as_pg "$PG_BIN/initdb" -D "$workdir/primary" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$workdir/initdb.log" 2>&1 || {
    cat "$workdir/initdb.log" >&2
    exit 1
}
as_pg "$PG_BIN/pg_ctl" -D "$workdir/primary" -l "$workdir/primary.log" -w -t 60 start -o \
    "-p $primary_port -c listen_addresses=127.0.0.1 -k $workdir -c wal_level=replica -c max_wal_senders=4 $fast" \
    >/dev/null

as_pg "$PG_BIN/psql" -h "$workdir" -p "$primary_port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE guatu LOGIN CREATEDB PASSWORD 'guatu';
CREATE ROLE guatu_replication LOGIN REPLICATION PASSWORD 'guatu_replication';
\connect template1
GRANT EXECUTE ON FUNCTION pg_wal_replay_pause(), pg_wal_replay_resume() TO guatu;
\connect postgres
CREATE DATABASE guatu OWNER guatu;
SQL

# The standby: a copy of the running primary, streaming its WAL while copying (-X stream), through a
# replication slot so that the primary keeps whatever WAL the standby has not received; -R writes
# standby.signal and primary_conninfo (with this connection's password) into the copy.
as_pg env PGPASSWORD=guatu_replication "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$primary_port" \
    -U guatu_replication -D "$workdir/standby" -R -X stream -C -S guatu_standby -c fast \
    >"$workdir/basebackup.log" 2>&1 || {
    cat "$workdir/basebackup.log" >&2
    exit 1
}
as_pg "$PG_BIN/pg_ctl" -D "$workdir/standby" -l "$workdir/standby.log" -w -t 60 start -o \
    "-p $standby_port -c listen_addresses=127.0.0.1 -k $workdir -c hot_standby=on $fast" \
    >/dev/null

# Wait until the primary sees the standby streaming (at most 60 s, in half-second steps).
streaming=""
for _ in $(seq 120); do
    streaming="$(as_pg "$PG_BIN/psql" -h "$workdir" -p "$primary_port" -U postgres -d postgres -Atq \
        -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")"
    [ "$streaming" = "1" ] && break
    sleep 0.5
done
if [ "$streaming" != "1" ]; then
    echo "with-replica: the standby did not start streaming from the primary" >&2
    exit 1
fi
cd "$OLDPWD"

export DATABASE_URL="postgres://guatu:guatu@127.0.0.1:$primary_port/guatu"
export DATABASE_REPLICA_URL="postgres://guatu:guatu@127.0.0.1:$standby_port/guatu"
echo "with-replica: PostgreSQL $PG_VERSION primary on 127.0.0.1:$primary_port, standby streaming on" \
    "127.0.0.1:$standby_port (DATABASE_URL=$DATABASE_URL DATABASE_REPLICA_URL=$DATABASE_REPLICA_URL)" >&2
command_started=1
set +e
"$@"
status=$?
set -e
exit "$status"
