#!/usr/bin/env bash
# The project-local PostGIS cluster: data, socket and log live under .pgdata/ (git-ignored),
# it listens on 127.0.0.1:$DB_PORT (54329 by default, away from a system PostgreSQL on 5432),
# and, because PostgreSQL refuses to run as root, it runs as the unprivileged `postgres`
# user when invoked as root.
#   scripts/localdb.sh start|stop|status|url|psql [args]|pgbench-run [args]
#   scripts/localdb.sh replica-start|replica-stop|replica-url   (a streaming replica, below)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASE=${LOCALDB_DIR:-$ROOT/.pgdata}
DATA=$BASE/data
RUN=$BASE/run
LOG=$BASE/postgres.log
DB_PORT=${DB_PORT:-54329}
DB_NAME=${DB_NAME:-mapping}
DB_USER=${DB_USER:-mapping}

die() { echo "error: $*" >&2; exit 2; }

# Newest installed PostgreSQL that has PostGIS.
find_bindir() {
  local dir version
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    version=$(basename "$(dirname "$dir")")
    if [ -x "$dir/initdb" ] && [ -f "/usr/share/postgresql/$version/extension/postgis.control" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

BIN=$(find_bindir) || die "no PostgreSQL server with PostGIS found under /usr/lib/postgresql.
Install them with: apt-get install postgresql postgresql-postgis (make demo does it for you)."

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() { [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$DB_PORT") 2>/dev/null; }

init_cluster() {
  mkdir -p "$BASE"
  if [ "$(id -u)" -eq 0 ]; then
    getent passwd postgres >/dev/null || die "PostgreSQL refuses to run as root and there is no
'postgres' user to run it as. Install the postgresql package, or run as an ordinary user."
    chown postgres: "$BASE"
    runuser -u postgres -- test -x "$BASE" || die "the 'postgres' user cannot reach $BASE:
give it access to the project folder (for example: chmod o+x on each parent), or run as an
ordinary user."
  fi
  as_owner mkdir -p "$RUN"
  local locale=C.UTF-8
  locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' || locale=C
  as_owner "$BIN/initdb" -D "$DATA" --username=postgres --auth=trust --encoding=UTF8 \
    --locale="$locale" >"$BASE/initdb.log" 2>&1 || { cat "$BASE/initdb.log" >&2; die "initdb failed"; }
  # Development cluster: trust on loopback only, sized for a 2-core machine with memory to spare.
  cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$RUN'
shared_buffers = 1GB
work_mem = 32MB
maintenance_work_mem = 512MB
synchronous_commit = off
max_connections = 200
# Bulk loads (a million contributions) write gigabytes of WAL: fewer checkpoints, fewer
# full-page images.
max_wal_size = 8GB
checkpoint_timeout = 30min
wal_compression = on
CONF
}

start() {
  if running; then
    return 0
  fi
  if port_taken; then
    die "port $DB_PORT on 127.0.0.1 is already taken by another program, so the project-local
PostgreSQL cannot listen there. Stop that program, or pick a free port: DB_PORT=54330 make demo"
  fi
  [ -f "$DATA/PG_VERSION" ] || init_cluster
  as_owner mkdir -p "$RUN"
  # The port lives on the command line, so DB_PORT can change between runs.
  if ! as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 -o "-p $DB_PORT" start >/dev/null; then
    tail -n 20 "$LOG" >&2 || true
    die "the project-local PostgreSQL did not start (log: $LOG)"
  fi
  bootstrap
}

psql_admin() { as_owner "$BIN/psql" -h "$RUN" -p "$DB_PORT" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }

bootstrap() {
  # The application role is a superuser of this private cluster so that the test runner can
  # create test databases with the postgis extension.
  psql_admin -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'" | grep -q 1 ||
    psql_admin -d postgres -c "CREATE ROLE \"$DB_USER\" LOGIN SUPERUSER"
  psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1 ||
    psql_admin -d postgres -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\""
  psql_admin -d "$DB_NAME" -c "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm;"
}

stop() {
  running || return 0
  as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
}

# A streaming replica of this cluster, for the read-routing tests and to try replicas out:
# a fresh pg_basebackup (-R: it follows the primary) under .pgdata-replica/, on
# 127.0.0.1:$REPLICA_PORT. It is disposable: replica-stop removes it.
REPLICA_BASE=${LOCALDB_REPLICA_DIR:-$ROOT/.pgdata-replica}
REPLICA_DATA=$REPLICA_BASE/data
REPLICA_RUN=$REPLICA_BASE/run
REPLICA_PORT=${REPLICA_PORT:-54330}

replica_running() {
  [ -f "$REPLICA_DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$REPLICA_DATA" status >/dev/null 2>&1
}

replica_start() {
  running || die "the primary is not running: scripts/localdb.sh start"
  replica_running && return 0
  if (exec 3<>"/dev/tcp/127.0.0.1/$REPLICA_PORT") 2>/dev/null; then
    die "port $REPLICA_PORT on 127.0.0.1 is taken; pick another: REPLICA_PORT=54331"
  fi
  if [ ! -f "$REPLICA_DATA/PG_VERSION" ]; then
    rm -rf "$REPLICA_BASE"
    mkdir -p "$REPLICA_BASE"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$REPLICA_BASE"
    # The default pg_hba.conf of initdb trusts replication connections on loopback.
    as_owner "$BIN/pg_basebackup" -h "$RUN" -p "$DB_PORT" -U postgres -D "$REPLICA_DATA" \
      -R -X stream -c fast --no-sync >"$REPLICA_BASE/basebackup.log" 2>&1 ||
      { cat "$REPLICA_BASE/basebackup.log" >&2; die "pg_basebackup failed"; }
  fi
  as_owner mkdir -p "$REPLICA_RUN"
  # A read on the replica waits for replay rather than being cancelled by a conflict with it.
  if ! as_owner "$BIN/pg_ctl" -D "$REPLICA_DATA" -l "$REPLICA_BASE/postgres.log" -w -t 120 \
    -o "-p $REPLICA_PORT -c unix_socket_directories=$REPLICA_RUN -c shared_buffers=128MB \
        -c hot_standby_feedback=on -c max_standby_streaming_delay=-1" \
    start >/dev/null; then
    tail -n 20 "$REPLICA_BASE/postgres.log" >&2 || true
    die "the replica did not start (log: $REPLICA_BASE/postgres.log)"
  fi
}

replica_stop() {
  if replica_running; then
    as_owner "$BIN/pg_ctl" -D "$REPLICA_DATA" -m fast -w stop >/dev/null
  fi
  rm -rf "$REPLICA_BASE"
}

case "${1:-}" in
  replica-start) replica_start ;;
  replica-stop) replica_stop ;;
  replica-url) echo "postgis://$DB_USER@127.0.0.1:$REPLICA_PORT/$DB_NAME" ;;
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running on 127.0.0.1:$DB_PORT ($DATA)"; else echo "stopped"; exit 3; fi ;;
  url) echo "postgis://$DB_USER@127.0.0.1:$DB_PORT/$DB_NAME" ;;
  psql) shift; as_owner "$BIN/psql" -h "$RUN" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" "$@" ;;
  pgbench-run) shift; as_owner "$BIN/pgbench" -h "$RUN" -p "$DB_PORT" -U "$DB_USER" "$@" ;;
  *) echo "usage: $0 start|stop|status|url|psql [args]|pgbench-run [args]|replica-start|replica-stop|replica-url" >&2; exit 64 ;;
esac
