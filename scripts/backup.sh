#!/usr/bin/env bash
# Backups of the database and the photos (docs/backup.md).
#   scripts/backup.sh setup          configure pgBackRest and WAL archiving for the cluster
#   scripts/backup.sh off            stop archiving (development)
#   scripts/backup.sh run [TYPE]     a full, diff or incr backup (default: diff; the first is
#                                    full), then its manifest and the media copy
#   scripts/backup.sh media          copy new photos only (scheduled every minute)
#   scripts/backup.sh info           what the repository holds
#   scripts/backup.sh exec ARGS...   pgbackrest ARGS with this configuration (restore.sh uses it)
# The database goes through pgBackRest (continuous WAL archiving, so any point in time can be
# restored); the photos through manage.py backup_snapshot (core/backup). By default it backs up
# the project-local cluster (.pgdata/, DB_PORT) into .backups/; production sets BACKUP_CONFIG
# to its own pgbackrest.conf and BACKUP_DIR to the backup volume.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOCALDB=$ROOT/scripts/localdb.sh
BASE=${LOCALDB_DIR:-$ROOT/.pgdata}
PGDATA_DIR=${BACKUP_PGDATA:-$BASE/data}
SOCKET_DIR=${BACKUP_PGSOCKET:-$BASE/run}
DB_PORT=${DB_PORT:-54329}
export BACKUP_DIR=${BACKUP_DIR:-$ROOT/.backups}
STANZA=${BACKUP_STANZA:-mapping}
CONFIG=${BACKUP_CONFIG:-$BACKUP_DIR/pgbackrest.conf}
# Retention: full backups kept (each with the differentials and WAL that follow it), and
# differentials kept. Weekly full + daily diff with 2 fulls: 8 to 14 days of any-point
# recovery. It is also how long an erased person's data can live on in backups (docs/backup.md).
RETENTION_FULL=${BACKUP_RETENTION_FULL:-2}
RETENTION_DIFF=${BACKUP_RETENTION_DIFF:-7}
# At most this long between WAL archive pushes on a quiet database: the RPO of the database.
ARCHIVE_TIMEOUT=${BACKUP_ARCHIVE_TIMEOUT:-60s}
PY=${PYTHON:-$ROOT/.venv/bin/python}

die() { echo "error: $*" >&2; exit 2; }

command -v pgbackrest >/dev/null || die "pgbackrest is not installed: apt-get install pgbackrest
(make test and make backup install it through scripts/system-deps.sh)."

# PostgreSQL runs as the unprivileged postgres user when we are root (scripts/localdb.sh);
# pgBackRest must run as the same user, since the server itself calls it to archive WAL.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pgbr() { as_owner pgbackrest --config="$CONFIG" --stanza="$STANZA" "$@"; }

psql_admin() {
  as_owner psql -h "$SOCKET_DIR" -p "$DB_PORT" -U postgres -d postgres -X -q -tA -v ON_ERROR_STOP=1 "$@"
}

# The repository is encrypted (aes-256-cbc) with a passphrase from the environment. In
# development, without one, a random passphrase is made once and kept beside the repository:
# lose it and the backups are unreadable, so production must pass BACKUP_PASSPHRASE from its
# secret store and keep a copy away from the backup volume.
passphrase() {
  if [ -n "${BACKUP_PASSPHRASE:-}" ]; then
    printf '%s' "$BACKUP_PASSPHRASE"
  elif [ -f "$BACKUP_DIR/passphrase" ]; then
    cat "$BACKUP_DIR/passphrase"
  else
    echo "warning: BACKUP_PASSPHRASE is not set; a random one is kept in $BACKUP_DIR/passphrase" >&2
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '\n=' >"$BACKUP_DIR/passphrase")
    cat "$BACKUP_DIR/passphrase"
  fi
}

write_config() {
  [ -n "${BACKUP_CONFIG:-}" ] && return 0 # production: the operator's own configuration
  mkdir -p "$BACKUP_DIR"
  local pass
  pass=$(passphrase)
  # Written with the passphrase in it (mode 600): the server's archive_command runs
  # pgbackrest without our environment, and must encrypt too.
  (
    umask 077
    cat >"$CONFIG.partial" <<CONF
[global]
repo1-path=$BACKUP_DIR/repo
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=$pass
repo1-retention-full=$RETENTION_FULL
repo1-retention-diff=$RETENTION_DIFF
compress-type=zst
compress-level=3
process-max=2
start-fast=y
log-path=$BACKUP_DIR/log
lock-path=$BACKUP_DIR/lock
log-level-console=warn
log-level-file=info

[$STANZA]
pg1-path=$PGDATA_DIR
pg1-port=$DB_PORT
pg1-socket-path=$SOCKET_DIR
pg1-user=postgres
CONF
  )
  mv "$CONFIG.partial" "$CONFIG"
  mkdir -p "$BACKUP_DIR/repo" "$BACKUP_DIR/log" "$BACKUP_DIR/lock"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$BACKUP_DIR" "$CONFIG" "$BACKUP_DIR/repo" "$BACKUP_DIR/log" "$BACKUP_DIR/lock"
  fi
}

setup() {
  if [ -n "${BACKUP_CONFIG:-}" ]; then
    # Production: the operator configured postgresql.conf and pgbackrest.conf
    # (docs/backup.md); only the stanza and the check are ours.
    pgbr stanza-create
    pgbr check
    return 0
  fi
  write_config
  psql_admin -c "SELECT 1" >/dev/null || die "the cluster on port $DB_PORT does not answer
(scripts/localdb.sh start)"
  # The stanza first: once archive_mode is on, the server pushes every WAL segment to it,
  # and a push to a stanza that does not exist fails and keeps the segments in pg_wal.
  pgbr stanza-create >/dev/null
  local mode
  mode=$(psql_admin -c "SHOW archive_mode")
  # ALTER SYSTEM writes postgresql.auto.conf: the setting survives restarts and a re-run of
  # this script is harmless. archive_command and archive_timeout apply on reload.
  psql_admin -c "ALTER SYSTEM SET archive_mode = 'on'" \
    -c "ALTER SYSTEM SET archive_command = 'pgbackrest --config=$CONFIG --stanza=$STANZA archive-push %p'" \
    -c "ALTER SYSTEM SET archive_timeout = '$ARCHIVE_TIMEOUT'" \
    -c "SELECT pg_reload_conf()" >/dev/null
  if [ "$mode" != "on" ]; then
    # archive_mode needs a restart. The shared development cluster is never restarted behind
    # its users' backs; a throwaway cluster (tests, bench) asks for it with BACKUP_RESTART=1.
    if [ "${BACKUP_RESTART:-0}" = 1 ]; then
      "$LOCALDB" stop
      "$LOCALDB" start
    else
      cat >&2 <<MSG
WAL archiving is configured and starts at the next restart of the cluster. When nobody else
is using it: make db-stop db   (then make backup again). To undo: scripts/backup.sh off
MSG
      exit 3
    fi
  fi
  pgbr check
}

# Stops archiving (development: a cluster that should no longer fill the repository). Until
# the next restart the server still has archive_mode on, so the command becomes a no-op
# rather than empty (an empty command keeps every segment, waiting for one).
off() {
  psql_admin -c "ALTER SYSTEM RESET archive_mode" \
    -c "ALTER SYSTEM SET archive_command = '/bin/true'" \
    -c "ALTER SYSTEM RESET archive_timeout" -c "SELECT pg_reload_conf()" >/dev/null
  echo "archiving off (archive_mode goes at the next restart); the repository is kept: $BACKUP_DIR"
}

label_of_last() {
  pgbr info --output=json |
    "$PY" -c 'import json, sys; print(json.load(sys.stdin)[0]["backup"][-1]["label"])'
}

run() {
  local type=${1:-diff}
  case "$type" in full | diff | incr) ;; *) die "backup type: full, diff or incr (not $type)" ;; esac
  if [ -z "${BACKUP_CONFIG:-}" ]; then
    [ -f "$CONFIG" ] || setup
    [ "$(psql_admin -c 'SHOW archive_mode')" = on ] || setup
  fi
  local started label
  started=$(date +%s.%N)
  # A diff or incr without a full before it becomes a full (pgBackRest decides).
  pgbr backup --type="$type"
  label=$(label_of_last)
  echo "database: backup $label ($type) in $(elapsed "$started") s"
  started=$(date +%s.%N)
  # pgBackRest expired the backups past retention as it finished; the media versions and
  # manifests that only those could reach go with them.
  "$PY" "$ROOT/manage.py" backup_snapshot --label "$label" --expire-before "$(oldest_backup)"
  echo "manifest and media: $(elapsed "$started") s"
}

# The start of the oldest backup kept: no restore can go further back.
oldest_backup() {
  pgbr info --output=json | "$PY" -c '
import json, sys, datetime
start = json.load(sys.stdin)[0]["backup"][0]["timestamp"]["start"]
print(datetime.datetime.fromtimestamp(start, datetime.timezone.utc).isoformat())
'
}

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

case "${1:-}" in
  setup) setup ;;
  off) off ;;
  run) shift; run "$@" ;;
  media) "$PY" "$ROOT/manage.py" backup_snapshot --media-only ;;
  info) pgbr info ;;
  exec) shift; pgbr "$@" ;;
  config) echo "$CONFIG" ;;
  *) echo "usage: $0 setup|off|run [full|diff|incr]|media|info|exec ARGS|config" >&2; exit 64 ;;
esac
