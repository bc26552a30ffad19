#!/usr/bin/env bash
# Copies the map renderers pinned by package-lock.json into mapping/static/vendor/, with their
# licences: the site serves them itself (no CDN). Run after changing package.json:
#   tools/vendor/refresh.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
static="$here/../../mapping/static/vendor"
cd "$here"
npm ci --no-audit --no-fund --loglevel=error

copy() {  # package, destination directory, files...
  local package="$1" dest="$static/$2"
  shift 2
  rm -rf "$dest"
  mkdir -p "$dest"
  for file in "$@"; do cp "node_modules/$package/$file" "$dest/"; done
  node -p "require('./node_modules/$package/package.json').version" >"$dest/VERSION"
}

# With their source maps: the scripts name them, and collectstatic's manifest (production)
# refuses a script whose map is missing.
copy protomaps-leaflet protomaps-leaflet dist/protomaps-leaflet.js dist/protomaps-leaflet.js.map LICENSE
copy pmtiles pmtiles dist/pmtiles.js dist/pmtiles.js.map
# pmtiles ships no licence file: its package.json says BSD-3-Clause; the text is that of its
# repository (github.com/protomaps/PMTiles), the same as protomaps-leaflet's but for the year.
sed 's/^Copyright .*/Copyright 2021 Protomaps LLC/' node_modules/protomaps-leaflet/LICENSE \
  >"$static/pmtiles/LICENSE"
# protomaps-leaflet.js bundles its dependencies: name, version and licence of each.
node -e '
  const fs = require("fs"), lock = require("./package-lock.json");
  for (const [path, p] of Object.entries(lock.packages)) {
    if (path) console.log(path.replace(/^.*node_modules\//, "") + "@" + p.version + " " + (p.license || "?"));
  }' >"$static/protomaps-leaflet/BUNDLED.txt"
echo "vendored into $static"
