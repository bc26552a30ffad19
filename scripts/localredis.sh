#!/usr/bin/env bash
# The project-local Redis (shared cache, later rate limits): data, socket-less config, pid and
# log live under .redis/ (git-ignored); it listens on 127.0.0.1:$REDIS_PORT (56379 by default,
# away from a system Redis on 6379), daemonized, and runs as the unprivileged `redis` user
# (Debian's package creates it) when invoked as root.
#   scripts/localredis.sh start|stop|status|url
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASE=${LOCALREDIS_DIR:-$ROOT/.redis}
REDIS_PORT=${REDIS_PORT:-56379}
CONF=$BASE/redis.conf
PIDFILE=$BASE/redis.pid

die() { echo "error: $*" >&2; exit 2; }

command -v redis-server >/dev/null 2>&1 || die "redis-server is not installed.
Install it with: apt-get install redis-server (make demo does it for you)."

owner() {
  if [ "$(id -u)" -ne 0 ]; then return 1; fi
  if getent passwd redis >/dev/null; then echo redis; else echo nobody; fi
}

as_owner() {
  local user
  if user=$(owner); then runuser -u "$user" -- "$@"; else "$@"; fi
}

ping() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null; }

start() {
  if running; then
    return 0
  fi
  if port_taken; then
    die "port $REDIS_PORT on 127.0.0.1 is already taken by another program, so the project-local
Redis cannot listen there. Stop that program, or pick a free port: REDIS_PORT=56380 make demo"
  fi
  mkdir -p "$BASE"
  local user
  if user=$(owner); then
    chown "$user": "$BASE"
    runuser -u "$user" -- test -w "$BASE" || die "the '$user' user cannot write to $BASE: give
it access to the project folder (for example: chmod o+x on each parent), or run as an
ordinary user."
  fi
  # A cache: memory-bounded with LRU eviction, no persistence to wait for. The port is on the
  # command line so REDIS_PORT can change between runs.
  cat >"$CONF" <<CONF
bind 127.0.0.1
protected-mode yes
daemonize yes
dir $BASE
pidfile $PIDFILE
logfile $BASE/redis.log
save ""
appendonly no
maxmemory 256mb
maxmemory-policy allkeys-lru
CONF
  as_owner redis-server "$CONF" --port "$REDIS_PORT"
  for _ in $(seq 50); do
    ping && return 0
    sleep 0.1
  done
  tail -n 20 "$BASE/redis.log" >&2 || true
  die "the project-local Redis did not start (log: $BASE/redis.log)"
}

stop() {
  running || return 0
  local pid
  pid=$(cat "$PIDFILE")
  kill "$pid"
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  die "the project-local Redis (pid $pid) did not stop"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running && ping; then echo "running on 127.0.0.1:$REDIS_PORT ($BASE)"; else echo "stopped"; exit 3; fi ;;
  url) echo "redis://127.0.0.1:$REDIS_PORT/0" ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 64 ;;
esac
