# Shared set-up of scripts/with-postgres.sh and scripts/with-replica.sh; sourced by them, not run. The caller
# sets `me` (its name, for messages) and passes its own arguments (the command to run) as "$@". This defines:
#
#   PG_VERSION, PG_BIN   the PostgreSQL to use (PostgreSQL 15 is installed with apt-get when missing and
#                        running as root)
#   as_pg COMMAND...     runs a server tool as the `postgres` system user when we are root (PostgreSQL refuses
#                        to run as root), otherwise as ourselves
#   free_port            prints a free TCP port on 127.0.0.1 (bind port 0, read what the kernel gave, release it)
#   workdir              a new temporary folder the server user may write to
#   command_started=0    the caller sets it to 1 once its command runs (server logs are shown only before)

PG_VERSION="${PG_VERSION:-15}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/$PG_VERSION/bin}"

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_basebackup" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "$me: installing postgresql-$PG_VERSION" >&2
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "postgresql-$PG_VERSION" >&2
    else
        echo "$me: PostgreSQL $PG_VERSION is not installed ($PG_BIN/initdb is missing)." >&2
        echo "  Install it as root:  apt-get install postgresql-$PG_VERSION" >&2
        echo "  or point PG_BIN at the bin folder of another PostgreSQL installation." >&2
        exit 1
    fi
fi

if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "$me: running as root but there is no 'postgres' system user to run the server." >&2
        exit 1
    fi
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

command_started=0
workdir="$(mktemp -d "${TMPDIR:-/tmp}/guatu-$me.XXXXXX")"
chmod 755 "$workdir"
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$workdir"; fi
