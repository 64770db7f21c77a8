#!/usr/bin/env bash
# Checks the system packages the tests need. As root it installs what is
# missing with apt-get; otherwise it prints the one command to run and
# fails: a missing PostGIS, GDAL or browser is never a skipped test.
set -euo pipefail

missing=()
have_postgis() { compgen -G '/usr/share/postgresql/*/extension/postgis.control' >/dev/null; }
have_initdb() { command -v initdb >/dev/null || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }
# The shapefile tests make their fixtures with ogr2ogr; the tile tests read
# tiles with ogrinfo.
have_ogr2ogr() { command -v ogr2ogr >/dev/null && command -v ogrinfo >/dev/null; }
# The browser tests drive Debian's chromium headless.
have_chromium() { command -v chromium >/dev/null || command -v chromium-browser >/dev/null; }
# The web bundle is built with esbuild from npm.
have_npm() { command -v npm >/dev/null && command -v node >/dev/null; }

# `deps.sh web` checks only what building the web bundle needs, for make run.
if [ "${1:-}" = web ]; then
  have_npm || missing+=(nodejs npm)
else
  have_initdb || missing+=(postgresql-15)
  have_postgis || missing+=(postgresql-15-postgis-3)
  have_ogr2ogr || missing+=(gdal-bin)
  have_chromium || missing+=(chromium)
  have_npm || missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  exit 0
fi
echo "missing system packages: ${missing[*]}" >&2
echo "run: sudo apt-get install -y ${missing[*]}" >&2
exit 1
