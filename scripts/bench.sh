#!/usr/bin/env bash
# Runs every benchmark recorded in BENCHMARKS.md, end to end, and prints the
# headline table with the ratios against PostGIS measured in the same run.
#
#   1-2  index vs PostGIS bbox and radius queries       go test ./index
#   3    start-up load and index memory at 1M            go test ./index
#   4    GET bbox, limit 1000, on a real server (wrk), signed in as an
#        advocate and as an admin; the same FeatureCollection built by
#        PostGIS                                         go test ./index (pgbench)
#   5    POST /api/v1/concerns, 8 clients, per store     go test ./api
#
# The Go benchmarks start their own throwaway PostgreSQL cluster
# (postgistest). Raw outputs are kept in a directory under the system temp
# dir, printed at the end; everything else is removed. All load stays on
# 127.0.0.1. It takes about 15 minutes on 2 cores.
#
# Environment: BENCH_COUNT (6, the fewest for which benchstat gives a 95%
# confidence interval) runs of each Go benchmark; BENCH_HTTP_SECONDS (15)
# per wrk and pgbench run; BENCH_WRK_RUNS (5) per viewer.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
COUNT=${BENCH_COUNT:-6}
HTTP_SECONDS=${BENCH_HTTP_SECONDS:-15}
WRK_RUNS=${BENCH_WRK_RUNS:-5}

OUT=$(mktemp -d "${TMPDIR:-/tmp}/concernmap-bench.XXXXXX")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/concernmap-bench-work.XXXXXX")
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# step prints a heading with the time and the load average: other work on
# the machine shows up there, and in the figures.
step() { printf '\n== %s (%s, load %s)\n' "$*" "$(date -u +%H:%M:%S)" "$(cut -d' ' -f1-3 /proc/loadavg)"; }

# --- tools -----------------------------------------------------------------
step "tools"
scripts/deps.sh
if ! command -v pgbench >/dev/null && [ ! -x /usr/lib/postgresql/15/bin/pgbench ]; then
  echo "pgbench is missing: run: sudo apt-get install -y postgresql-client-15" >&2
  exit 1
fi
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "installing wrk with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk ||
      { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk; }
  else
    echo "wrk is missing: run: sudo apt-get install -y wrk" >&2
    exit 1
  fi
fi
BENCHSTAT=$(command -v benchstat || true)
if [ -z "$BENCHSTAT" ] && [ -x "$($GO env GOPATH)/bin/benchstat" ]; then
  BENCHSTAT="$($GO env GOPATH)/bin/benchstat"
fi
if [ -z "$BENCHSTAT" ]; then
  echo "installing benchstat into a temporary GOBIN"
  GOBIN="$WORK/bin" $GO install golang.org/x/perf/cmd/benchstat@latest
  BENCHSTAT="$WORK/bin/benchstat"
fi

{
  echo "date:       $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "kernel:     $(uname -srm)"
  echo "cpu:        $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "memory:     $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "go:         $($GO version)"
  echo "postgresql: $( (command -v postgres >/dev/null && postgres --version) || /usr/lib/postgresql/15/bin/postgres --version)"
  echo "postgis:    $(dpkg-query -W -f '${Version}' postgresql-15-postgis-3 2>/dev/null || echo unknown)"
  echo "wrk:        $(wrk -v 2>&1 | head -1)"
  echo "load:       $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at start"
} | tee "$OUT/machine.txt"

# Everything is compiled first, so that every figure comes from the same
# source, even while the tree changes during the run.
step "build"
{
  echo "commit:     $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
} | tee -a "$OUT/machine.txt"
$GO build -o "$WORK/concernmap" ./cmd/concernmap
$GO build -o "$WORK/benchdata" ./cmd/benchdata
$GO test -c -o "$WORK/index.test" ./index
$GO test -c -o "$WORK/api.test" ./api

# quote prints its arguments as they would be typed to a shell.
quote() {
  local a out=()
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./=:,-]+$ ]]; then out+=("$a"); else out+=("'$a'"); fi
  done
  echo "${out[*]}"
}

# benchtest PKG REGEXP NAME [ARGS...] runs one package's benchmarks: the
# test binary built above, with the flags of the go test command it prints.
benchtest() {
  local pkg=$1 re=$2 name=$3
  shift 3
  local flags=(-run '^$' -bench "$re" -benchmem -count "$COUNT" -benchtime 1s -timeout 10m)
  echo "\$ go test $(quote "${flags[@]}" "$pkg" "$@")" | tee "$OUT/$name.cmd"
  (cd "$pkg" && "$WORK/${pkg#./}.test" "${flags[@]/#-/-test.}" "$@") 2>&1 | tee "$OUT/$name.txt"
  (cd "$OUT" && "$BENCHSTAT" "$name.txt" >"$name.benchstat")
}

# --- 1-3: index against PostGIS ---------------------------------------------
step "1-2: bbox and radius queries over 1M concerns, index vs PostGIS"
benchtest ./index '^Benchmark(BBox|Radius|Storage)$' index-queries
(cd "$OUT" && "$BENCHSTAT" -col /impl index-queries.txt | tee index-queries-by-impl.benchstat)

step "3: start-up load at 1M; 4 (PostGIS side): the FeatureCollection in SQL with pgbench"
benchtest ./index '^Benchmark(Load|Collection)$' index-load -pgbench.time="${HTTP_SECONDS}s"

step "3: index memory per point concern at 1M"
benchtest ./index '^BenchmarkIndexMemory$' index-memory

# --- 5: writes ----------------------------------------------------------------
step "5: POST /api/v1/concerns, 8 clients, per store"
benchtest ./api '^BenchmarkCreateConcern$' api-writes

# --- 4: HTTP reads ------------------------------------------------------------
step "4: GET /api/v1/concerns?bbox=...&limit=1000 on a real server, wrk"
mkdir -p "$WORK/data"
"$WORK/benchdata" seed -out "$WORK/data/concernmap.db" -count 1000000 -villages 2000 -seed 1 | tee "$OUT/benchdata.txt"
BBOX=$(sed -n 's/^bbox=//p' "$OUT/benchdata.txt")
if ! grep -qF "bbox=$BBOX " "$OUT/index-queries.txt"; then
  echo "warning: benchdata picked bbox=$BBOX, but the index benchmarks logged another" >&2
fi

# The list needs a signed-in viewer. An advocate is not shown sensitive
# categories; an admin sees everything, and each page holding a sensitive
# concern appends a read to the audit log (an fsynced write).
for viewer in advocate admin; do
  "$WORK/concernmap" user add --data-dir "$WORK/data" --username "bench-$viewer" --name "Bench $viewer" \
    --role "$viewer" --password "bench password $viewer" >/dev/null
  "$WORK/concernmap" user token --data-dir "$WORK/data" --username "bench-$viewer" --token-name bench >"$WORK/$viewer.token"
done
echo 'wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")' >"$WORK/auth.lua"

"$WORK/concernmap" serve --data-dir "$WORK/data" --addr 127.0.0.1:0 >"$WORK/server.out" 2>"$WORK/server.log" &
SERVER_PID=$!
URL=
for _ in $(seq 1 240); do
  URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/server.out" || true)
  [ -n "$URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.5
done
[ -n "$URL" ] || { echo "server did not start" >&2; exit 1; }
"$WORK/concernmap" healthcheck --addr "${URL#http://}"
grep -m1 '"index loaded"' "$WORK/server.log" | tee "$OUT/server-load.txt"

TARGET="$URL/api/v1/concerns?bbox=$BBOX&limit=1000"
wrk_files=()
for viewer in advocate admin; do
  export BENCH_TOKEN
  BENCH_TOKEN=$(cat "$WORK/$viewer.token")
  if command -v curl >/dev/null; then
    curl -sS -H "Authorization: Bearer $BENCH_TOKEN" -o "$WORK/page.json" \
      -w "$viewer: status %{http_code}, %{size_download} bytes, " "$TARGET" | tee -a "$OUT/http-response.txt"
    grep -o '"numberReturned":[0-9]*' "$WORK/page.json" | tee -a "$OUT/http-response.txt"
  fi
  wrk -t2 -c8 -d3s -s "$WORK/auth.lua" "$TARGET" >/dev/null # warm-up
  for i in $(seq 1 "$WRK_RUNS"); do
    f="$OUT/wrk-$viewer-$i.txt"
    echo "\$ wrk -t2 -c8 -d${HTTP_SECONDS}s --latency -s auth.lua '$TARGET'  # as $viewer" >"$f"
    wrk -t2 -c8 -d"${HTTP_SECONDS}s" --latency -s "$WORK/auth.lua" "$TARGET" | tee -a "$f"
    wrk_files+=(-wrk "$viewer=$f")
  done
done
kill "$SERVER_PID"
wait "$SERVER_PID" || true
SERVER_PID=

# --- summary ------------------------------------------------------------------
step "summary"
echo "load:       $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at end" | tee -a "$OUT/machine.txt"
"$WORK/benchdata" report "${wrk_files[@]}" "$OUT/index-queries.txt" "$OUT/index-load.txt" \
  "$OUT/index-memory.txt" "$OUT/api-writes.txt" | tee "$OUT/summary.md"
for f in "$OUT"/*.benchstat; do
  printf '\n-- %s\n' "$(basename "$f")"
  cat "$f"
done
printf '\nraw outputs: %s\n' "$OUT"
