#!/usr/bin/env bash
# Compiles requirements/lock.txt: every Python dependency of the project and its `dev` extra,
# pinned with hashes, for the machines it runs on (CPython 3.11, Linux x86_64, glibc 2.28 or
# newer), so `make setup` installs the same files everywhere with `pip --require-hashes`.
# Pins already in the lockfile are kept unless they no longer fit pyproject.toml.
#   scripts/lock.sh            refresh after changing pyproject.toml
#   scripts/lock.sh --upgrade  every package to its newest allowed release
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
LOCK=requirements/lock.txt

uv=${UV:-}
if [ -z "$uv" ] && [ -x .venv/bin/uv ]; then uv=.venv/bin/uv; fi
if [ -z "$uv" ] && command -v uv >/dev/null 2>&1; then uv=$(command -v uv); fi
if [ -z "$uv" ]; then
    tool=$(mktemp -d)
    trap 'rm -rf "$tool"' EXIT
    python3 -m venv "$tool"
    # The release the lockfile pins, when there is one.
    "$tool/bin/pip" install -q "$(grep -m1 -o '^uv==[^ ]*' "$LOCK" 2>/dev/null || echo uv)"
    uv=$tool/bin/uv
fi

mkdir -p "$(dirname "$LOCK")"
# The default index only: the lockfile's hashes must be those of the public files.
"$uv" pip compile pyproject.toml --extra dev \
    --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
    --generate-hashes --index-url https://pypi.org/simple --no-config \
    --custom-compile-command "make lock" \
    --output-file "$LOCK" --quiet "$@"
echo "$LOCK: $(grep -c '^[A-Za-z0-9]' "$LOCK") packages pinned with hashes"
