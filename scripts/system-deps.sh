#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the application needs, only those missing.
# Fast when everything is present: one dpkg-query, no apt-get.
set -euo pipefail

PACKAGES=(
  postgresql          # server binaries for the project-local cluster
  postgresql-postgis  # PostGIS for the distribution's default PostgreSQL
  postgresql-contrib  # pg_trgm
  gdal-bin            # GDAL/OGR library and ogrinfo/ogr2ogr (GeoDjango, imports, export checks)
  libgeos-c1v5        # GEOS (GeoDjango geometry)
  libproj-dev         # PROJ data and library
  binutils            # ctypes library discovery for GeoDjango
  python3-venv        # virtual environment on Debian's Python
  gettext             # msgfmt: compiles the French, Italian and English catalogues
  redis-server        # the shared cache (computed clusters), project-local like PostgreSQL
  libpango-1.0-0      # WeasyPrint's text layout (the diagnostic report as PDF)
  libpangoft2-1.0-0   # WeasyPrint's fonts
  fonts-dejavu-core   # a font with French and Italian accents for the PDF
)
# Extra packages a caller needs (for example the browser for page tests).
if [ -n "${EXTRA_PACKAGES:-}" ]; then
  read -r -a extra <<<"$EXTRA_PACKAGES"
  PACKAGES+=("${extra[@]}")
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing+=("$pkg")
  done
else
  missing=("${PACKAGES[@]}")
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  {
    echo "error: this machine has no apt-get, so the system packages cannot be installed for you."
    echo "Install these packages (or your distribution's equivalents) and run the command again:"
    printf '  %s\n' "${missing[@]}"
    echo "Or point DATABASE_URL at an existing PostGIS database and install GDAL, GEOS and PROJ."
  } >&2
  exit 2
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "error: installing ${missing[*]} needs root, and sudo is not available. Run as root:" >&2
    echo "  apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
