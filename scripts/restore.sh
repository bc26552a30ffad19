#!/usr/bin/env bash
# Restores the database and the photos to one moment, then checks the result (docs/backup.md).
#   scripts/restore.sh [latest | "2026-11-26 10:00:00+00" | LABEL]
# latest: everything archived; a time: the state at that time (pgBackRest picks the backup
# before it and replays the WAL up to it); LABEL: a backup's manifest restore point, where
# the row counts are exact and check_restore compares them.
#
# By default it restores beside the live cluster, never over it: a new cluster in
# .pgdata-restore/ on 127.0.0.1:$RESTORE_PORT (54339) and its photos in .pgdata-restore/media,
# so a restore can be tried (and is, monthly) while the site runs. RESTORE_IN_PLACE=1 replaces
# the cluster of scripts/localdb.sh and MEDIA_ROOT instead: the disaster case.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BACKUP=$ROOT/scripts/backup.sh
export BACKUP_DIR=${BACKUP_DIR:-$ROOT/.backups}
TARGET=${1:-latest}
IN_PLACE=${RESTORE_IN_PLACE:-0}
RESTORE_BASE=${RESTORE_DIR:-$ROOT/.pgdata-restore}
RESTORE_PORT=${RESTORE_PORT:-54339}
DB_NAME=${DB_NAME:-mapping}
DB_USER=${DB_USER:-mapping}
PY=${PYTHON:-$ROOT/.venv/bin/python}

die() { echo "error: $*" >&2; exit 2; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# The newest installed PostgreSQL, the one the backup was taken with (scripts/localdb.sh).
BIN=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k4 -n -r | head -n 1)
[ -x "$BIN/pg_ctl" ] || die "no PostgreSQL server found under /usr/lib/postgresql"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# What to recover to, in pgBackRest's words.
manifest=""
media_at=()
case "$TARGET" in
  latest) target=(--type=default) ;; # to the end of the archive, then promoted
  *)
    if [ -f "$BACKUP_DIR/manifests/$TARGET.json" ]; then
      manifest=$BACKUP_DIR/manifests/$TARGET.json
      # The backup itself, then its WAL up to the restore point the manifest made.
      target=(--set="$TARGET" --type=name --target="manifest-$TARGET" --target-action=promote)
    elif date -d "$TARGET" >/dev/null 2>&1; then
      target=(--type=time --target="$TARGET" --target-action=promote)
      media_at=(--at "$(date -u -d "$TARGET" +%Y-%m-%dT%H:%M:%S.%6N+00:00)")
    else
      die "TARGET is latest, a time such as \"2026-11-26 10:00:00+00\", or a backup label with a
manifest in $BACKUP_DIR/manifests/ (not: $TARGET)"
    fi
    ;;
esac

started=$(now)
if [ "$IN_PLACE" = 1 ]; then
  # The disaster case: the live cluster's data directory is rewritten (--delta keeps the
  # files that are already right, so it is quicker than an empty directory). The restored
  # cluster archives to the same repository, on a new timeline.
  base=${LOCALDB_DIR:-$ROOT/.pgdata}
  data=$base/data
  port=${DB_PORT:-54329}
  media_root=${MEDIA_ROOT:-$ROOT/media}
  "$ROOT/scripts/localdb.sh" stop
  "$BACKUP" exec restore --delta --pg1-path="$data" "${target[@]}"
  step_restore=$(elapsed "$started")
  replayed=$(now)
  # pg_ctl rather than localdb.sh start: its bootstrap writes, and the server is read-only
  # until recovery ends.
  as_owner "$BIN/pg_ctl" -D "$data" -l "$base/postgres.log" -w -t 3600 \
    -o "-p $port" start >/dev/null || die "the restored cluster did not start ($base/postgres.log)"
  log=$base/postgres.log
  db_url="postgis://$DB_USER@127.0.0.1:$port/$DB_NAME"
  quarantine=(--quarantine "$base/media-quarantine-$(date +%Y%m%d%H%M%S)")
else
  data=$RESTORE_BASE/data
  run=$RESTORE_BASE/run
  port=$RESTORE_PORT
  media_root=${RESTORE_MEDIA_ROOT:-$RESTORE_BASE/media}
  if [ -f "$data/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port on 127.0.0.1 is taken; pick another: RESTORE_PORT=54340"
  fi
  rm -rf "$RESTORE_BASE"
  mkdir -p "$RESTORE_BASE" "$media_root"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$RESTORE_BASE"
  # archive-mode=off: a copy must never push its WAL into the live cluster's repository.
  "$BACKUP" exec restore --pg1-path="$data" "${target[@]}" --archive-mode=off
  step_restore=$(elapsed "$started")
  replayed=$(now)
  as_owner mkdir -p "$run"
  # Small shared_buffers: it runs beside the live cluster. pg_ctl -w returns once the
  # server accepts connections; the replay of the WAL may still be going on (below).
  if ! as_owner "$BIN/pg_ctl" -D "$data" -l "$RESTORE_BASE/postgres.log" -w -t 3600 \
    -o "-p $port -c unix_socket_directories=$run -c shared_buffers=256MB -c archive_mode=off" \
    start >/dev/null; then
    tail -n 20 "$RESTORE_BASE/postgres.log" >&2 || true
    die "the restored cluster did not start (log: $RESTORE_BASE/postgres.log)"
  fi
  log=$RESTORE_BASE/postgres.log
  db_url="postgis://$DB_USER@127.0.0.1:$port/$DB_NAME"
  quarantine=()
fi

# Recovery ends with a promotion: until then the database is read-only and may still lack
# the last transactions. A target past the end of the archive stops the server instead.
until [ "$(as_owner psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -X -tA \
  -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; do
  if ! as_owner "$BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    tail -n 20 "$log" >&2 || true
    die "recovery stopped before it reached the target (is \"$TARGET\" later than the archive?)"
  fi
  sleep 0.2
done
step_replay=$(elapsed "$replayed")

# The photos the restored rows name, as they were at the target; then the whole check.
export DATABASE_URL=$db_url DB_PORT=$port MEDIA_ROOT=$media_root
step=$(now)
"$PY" "$ROOT/manage.py" restore_media "${media_at[@]}" "${quarantine[@]}"
step_media=$(elapsed "$step")
step=$(now)
if [ -n "$manifest" ]; then
  "$PY" "$ROOT/manage.py" check_restore --manifest "$manifest"
else
  "$PY" "$ROOT/manage.py" check_restore
fi
step_check=$(elapsed "$step")
echo "restored to $TARGET on 127.0.0.1:$port (media: $media_root) in $(elapsed "$started") s:" \
  "pgBackRest restore $step_restore s, start and WAL replay $step_replay s, photos $step_media s," \
  "check $step_check s"
if [ "$IN_PLACE" != 1 ]; then
  echo "Try it: DB_PORT=$port MEDIA_ROOT=$media_root $PY manage.py runserver 127.0.0.1:8001;" \
    "remove it: $BIN/pg_ctl -D $data stop && rm -rf $RESTORE_BASE"
fi
