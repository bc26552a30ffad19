#!/usr/bin/env bash
# Fails with a clear sentence when HOST:PORT is already taken, before a server tries to bind it.
host=${1:-127.0.0.1}
port=${2:?usage: port-free.sh HOST PORT}
if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
  echo "error: port $port on $host is already taken by another program. Stop it, or serve on" \
    "another port: PORT=$((port + 1)) make demo" >&2
  exit 2
fi
