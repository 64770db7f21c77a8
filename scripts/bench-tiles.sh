#!/usr/bin/env bash
# Runs the vector tile benchmarks recorded in BENCHMARKS.md ("Vector
# tiles") and prints the ratios against PostGIS measured in the same run,
# and against the targets.
#
#   1  a concern tile built cold through the API's handler, at z8, z10
#      (clustered) and z12, z14 (single concerns), as an admin and as an
#      advocate, over 1M concerns in PostGIS            BenchmarkTileCold
#   2  the raw-point tile of the same concerns made by ST_AsMVT in PostGIS,
#      one connection, no parallel workers, JIT as the server has it (on)
#      and off                                  BenchmarkTilePostGIS{,NoJIT}
#   3  the fixed cost of a tile request (an empty tile)  BenchmarkTileEmpty
#   4  warm-cache throughput of a real server on the same 1M concerns
#      (benchdata seed, concernmap serve): wrk over 203 tile URLs around
#      the densest village, as each viewer
#
# Before timing, the Go benchmarks check that both sides show the same
# concerns in every timed tile, and fail otherwise. They are in
# api/tiles_bench_test.go and start their own throwaway PostgreSQL cluster
# (postgistest); all load stays on 127.0.0.1. Raw outputs go to a directory
# under the system temp dir, printed at the end; everything else is
# removed. It takes about 10 minutes on 2 cores.
#
# Environment: BENCH_COUNT (6, the fewest for which benchstat gives a 95 %
# interval) runs of each Go benchmark; BENCH_HTTP_SECONDS (15) per wrk run;
# BENCH_WRK_RUNS (3) per viewer.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
COUNT=${BENCH_COUNT:-6}
HTTP_SECONDS=${BENCH_HTTP_SECONDS:-15}
WRK_RUNS=${BENCH_WRK_RUNS:-3}

OUT=$(mktemp -d "${TMPDIR:-/tmp}/concernmap-bench-tiles.XXXXXX")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/concernmap-bench-tiles-work.XXXXXX")
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

# wait_idle waits while another benchmark runs on this machine: on 2 cores
# two of them spoil each other's figures.
wait_idle() {
  while pgrep -f -- '-test\.bench' >/dev/null || pgrep -f 'scripts/bench(-areas)?\.sh' >/dev/null; do
    echo "another benchmark is running; waiting 60 s"
    sleep 60
  done
}

# --- tools -----------------------------------------------------------------
step "tools"
scripts/deps.sh
for tool in wrk curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "$tool is missing: run: sudo apt-get install -y $tool" >&2
    exit 1
  fi
done
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
  echo "commit:     $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
} | tee "$OUT/machine.txt"

# Everything is compiled first, so that every figure comes from the same
# source, even while the tree changes during the run.
step "build"
$GO build -o "$WORK/concernmap" ./cmd/concernmap
$GO build -o "$WORK/benchdata" ./cmd/benchdata
$GO test -c -o "$WORK/api.test" ./api

# --- 1-3: Go benchmarks -------------------------------------------------------
# The test binary built above, with the flags of the go test command it
# prints. -v keeps every setup and correctness log in the raw output.
# -tiles.urls writes the warm-cache tile set of step 4.
wait_idle
step "1-3: cold tiles through the handler vs ST_AsMVT in PostGIS, 1M concerns"
# quote prints its arguments as they would be typed to a shell.
quote() {
  local a out=()
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./=:,-]+$ ]]; then out+=("$a"); else out+=("'$a'"); fi
  done
  echo "${out[*]}"
}
flags=(-run '^$' -bench '^BenchmarkTile(Cold|PostGIS|PostGISNoJIT|Empty)$' -benchmem -count "$COUNT" -benchtime 1s -timeout 10m -v)
echo "\$ go test $(quote "${flags[@]}" ./api -tiles.urls=tiles.txt)" | tee "$OUT/tiles.cmd"
(cd api && "$WORK/api.test" "${flags[@]/#-/-test.}" -tiles.urls="$OUT/tiles.txt") 2>&1 | tee "$OUT/tiles-go.txt"
(cd "$OUT" && "$BENCHSTAT" tiles-go.txt >tiles-go.benchstat &&
  "$BENCHSTAT" -filter '.name:/^Tile(Cold|PostGIS|PostGISNoJIT)$/' -col .name tiles-go.txt >tiles-go-by-impl.benchstat)

# --- 4: warm-cache throughput ---------------------------------------------------
wait_idle
step "4: warm tiles on a real server, wrk"
mkdir -p "$WORK/data"
"$WORK/benchdata" seed -out "$WORK/data/concernmap.db" -count 1000000 -villages 2000 -seed 1 | tee "$OUT/benchdata.txt"
# Tiles differ by visibility class: an advocate is not shown the sensitive
# categories; an admin sees everything.
for viewer in advocate admin; do
  "$WORK/concernmap" user add --data-dir "$WORK/data" --username "bench-$viewer" --name "Bench $viewer" \
    --role "$viewer" --password "bench password $viewer" >/dev/null
  "$WORK/concernmap" user token --data-dir "$WORK/data" --username "bench-$viewer" --token-name bench >"$WORK/$viewer.token"
done
cat >"$WORK/tiles.lua" <<'EOF'
-- Cycles through the tile paths of BENCH_TILES, one a line, as the viewer
-- whose API token is BENCH_TOKEN, accepting gzip as browsers do.
local paths = {}
for line in io.lines(os.getenv("BENCH_TILES")) do paths[#paths + 1] = line end
local i = 0
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
wrk.headers["Accept-Encoding"] = "gzip"
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
EOF

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

# cache_counts prints the tile cache's hits and misses.
cache_counts() {
  curl -sS "$URL/metrics" | awk '/^concernmap_tile_cache_(hits|misses)_total/ { printf "%s=%s ", $1, $2 } END { print "" }'
}

export BENCH_TILES="$OUT/tiles.txt"
wrk_files=()
for viewer in advocate admin; do
  export BENCH_TOKEN
  BENCH_TOKEN=$(cat "$WORK/$viewer.token")
  # Warm the cache: every tile once, cold, which also records its status
  # and size.
  while read -r path; do
    curl -sS -o /dev/null -H "Authorization: Bearer $BENCH_TOKEN" -H 'Accept-Encoding: gzip' \
      -w "$viewer %{http_code} %{size_download} %{time_total} $path\n" "$URL$path"
  done <"$BENCH_TILES" >"$OUT/warm-$viewer.txt"
  awk -v v="$viewer" '{ n[$2]++; bytes += $3; t += $4 } END {
      printf "%s: %d tiles warmed in %.1f s: ", v, NR, t; for (s in n) printf "%d × %s ", n[s], s
      printf "; %.0f bytes gzipped in all, %.0f a tile\n", bytes, bytes / NR }' "$OUT/warm-$viewer.txt" | tee -a "$OUT/warm.txt"
  echo "before wrk as $viewer: $(cache_counts)" | tee -a "$OUT/cache.txt"
  wrk -t2 -c8 -d3s -s "$WORK/tiles.lua" "$URL" >/dev/null # warm-up
  for i in $(seq 1 "$WRK_RUNS"); do
    f="$OUT/wrk-$viewer-$i.txt"
    echo "\$ wrk -t2 -c8 -d${HTTP_SECONDS}s --latency -s tiles.lua '$URL'  # as $viewer" >"$f"
    wrk -t2 -c8 -d"${HTTP_SECONDS}s" --latency -s "$WORK/tiles.lua" "$URL" | tee -a "$f"
    wrk_files+=("$f")
  done
  echo "after wrk as $viewer:  $(cache_counts)" | tee -a "$OUT/cache.txt"
done
kill "$SERVER_PID"
wait "$SERVER_PID" || true
SERVER_PID=

# --- summary ------------------------------------------------------------------
step "summary"
echo "load:       $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at end" | tee -a "$OUT/machine.txt"

# Medians of every metric of every benchmark, without the -N suffix.
awk '/^BenchmarkTile/ && / ns\/op/ {
    name = $1; sub(/-[0-9]+$/, "", name)
    for (i = 3; i < NF; i++) if ($i ~ /^[0-9.e+-]+$/) print name, $(i+1), $i
  }' "$OUT/tiles-go.txt" |
  sort -k1,1 -k2,2 -k3,3g |
  awk '{ k = $1 " " $2; v[k, ++n[k]] = $3 }
    END { for (k in n) { c = n[k]; m = (c % 2) ? v[k, (c+1)/2] : (v[k, c/2] + v[k, c/2+1]) / 2; print k, m, c } }' |
  sort >"$OUT/medians.txt"
for viewer in advocate admin; do
  for f in "${wrk_files[@]}"; do
    case $f in *"wrk-$viewer-"*) sed -n 's/^Requests\/sec:[[:space:]]*//p' "$f" ;; esac
  done | sort -g | awk -v v="$viewer" '{ r[NR] = $1 } END {
      m = (NR % 2) ? r[(NR+1)/2] : (r[NR/2] + r[NR/2+1]) / 2; print "wrk/viewer=" v, "req/s", m, NR }' >>"$OUT/medians.txt"
done

{
  echo "| tile (medians) | concernmap | PostGIS | ratio | PostGIS, JIT off | ratio | target | met (JIT on; off) |"
  echo "|---|---:|---:|---:|---:|---:|---|---|"
  for viewer in admin advocate; do
    for z in 8 10 12 14; do
      awk -v z="$z" -v v="$viewer" '
        function met(r) { return (r >= target) ? sprintf("yes, by %.0f%%", (r / target - 1) * 100) : sprintf("no: %.0f%% of it", r / target * 100) }
        $1 == "BenchmarkTileCold/z=" z "/viewer=" v && $2 == "ns/op" { ours = $3 }
        $1 == "BenchmarkTilePostGIS/z=" z "/viewer=" v && $2 == "ns/op" { pg = $3 }
        $1 == "BenchmarkTilePostGISNoJIT/z=" z "/viewer=" v && $2 == "ns/op" { nj = $3 }
        END {
          if (ours == "" || pg == "" || nj == "") { printf "| z%s as %s | missing | | | | | | |\n", z, v; exit }
          target = (z < 11) ? 50 : 5
          printf "| z%s as %s | %.2f ms (%.1f tiles/s) | %.2f ms | %.1f× | %.2f ms | %.1f× | ≥ %d× | %s; %s |\n",
            z, v, ours / 1e6, 1e9 / ours, pg / 1e6, pg / ours, nj / 1e6, nj / ours, target, met(pg / ours), met(nj / ours)
        }' "$OUT/medians.txt"
    done
  done
  awk '$1 == "BenchmarkTileEmpty" && $2 == "ns/op" {
    printf "| an empty tile, as admin (the fixed cost) | %.0f µs | | | | | | |\n", $3 / 1e3 }' "$OUT/medians.txt"
  for viewer in admin advocate; do
    awk -v v="$viewer" '
      $1 == "BenchmarkTileCold/z=8/viewer=" v && $2 == "gzip-B/tile" { og = $3 }
      $1 == "BenchmarkTileCold/z=8/viewer=" v && $2 == "raw-B/tile" { or = $3 }
      $1 == "BenchmarkTilePostGIS/z=8/viewer=" v && $2 == "gzip-B/tile" { pg = $3 }
      $1 == "BenchmarkTilePostGIS/z=8/viewer=" v && $2 == "raw-B/tile" { pr = $3 }
      END {
        if (og == "" || pr == "") exit
        met = (or * 20 <= pr) ? "yes" : "no"
        printf "| z8 tile bytes as %s, raw (gzipped) | %.0f (%.0f) | %.0f (%.0f) | 1/%.0f (1/%.0f) | | | ≤ 1/20 | %s |\n",
          v, or, og, pr, pg, pr / or, pg / og, met
      }' "$OUT/medians.txt"
  done
  for viewer in admin advocate; do
    awk -v v="$viewer" '$1 == "wrk/viewer=" v {
      met = ($3 >= 15000) ? sprintf("yes, by %.0f%%", ($3 / 15000 - 1) * 100) : sprintf("no: %.0f%% of it", $3 / 150)
      printf "| warm tiles, wrk -c8, as %s | %.0f req/s | | | | | ≥ 15,000 req/s | %s |\n", v, $3, met }' "$OUT/medians.txt"
  done
} | tee "$OUT/summary.md"

for f in "$OUT"/*.benchstat; do
  printf '\n-- %s\n' "$(basename "$f")"
  cat "$f"
done
printf '\nwarm-up and cache:\n'
cat "$OUT/warm.txt" "$OUT/cache.txt"
printf '\ncorrectness checks:\n'
grep -h -E 'agree on|disagree|differ|not in' "$OUT/tiles-go.txt" | sed 's/^[[:space:]]*tiles_bench_test.go:[0-9]*: //' | sort -u
printf '\nraw outputs: %s\n' "$OUT"
