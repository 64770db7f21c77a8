#!/usr/bin/env bash
# Runs the area benchmarks recorded in BENCHMARKS.md ("Areas: assignment,
# statistics, hotspots") and prints the ratios against PostGIS measured in
# the same run. Every benchmark is in index/areas_bench_test.go:
#
#   1  assigning 1M points to 20,000 village tracts (alone, and with their
#      200 townships): Areas.Locate vs one SQL statement   BenchmarkAreasLocate
#   2  statistics of all 20,000 tracts over 1M concerns:
#      Service.LevelStats vs GROUP BY in SQL               BenchmarkAreasLevelStats
#   3  Getis-Ord Gi* over the tracts and over a 100,000-cell grid, end to end
#      and alone, and the weights it needs                BenchmarkAreas{Hotspots,GiStar,Weights}
#
# Each comparison checks first that Go and PostGIS give the same answer
# (the same area for every point, the same counts, z-scores within 1e-9)
# and fails otherwise. The benchmarks start their own throwaway PostgreSQL
# cluster (postgistest); all load stays on 127.0.0.1. Raw outputs go to a
# directory under the system temp dir, printed at the end. It takes about
# 20 minutes on 2 cores, in four go test runs of under 10 minutes each.
#
# Environment: BENCH_COUNT (6, the fewest for which benchstat gives a 95 %
# interval) runs of each benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
COUNT=${BENCH_COUNT:-6}

OUT=$(mktemp -d "${TMPDIR:-/tmp}/concernmap-bench-areas.XXXXXX")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/concernmap-bench-areas-work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# step prints a heading with the time and the load average: other work on
# the machine shows up there, and in the figures.
step() { printf '\n== %s (%s, load %s)\n' "$*" "$(date -u +%H:%M:%S)" "$(cut -d' ' -f1-3 /proc/loadavg)"; }

# wait_idle waits while another benchmark runs on this machine: on 2 cores
# two of them spoil each other's figures.
wait_idle() {
  while pgrep -f -- '-test\.bench' >/dev/null || pgrep -f 'scripts/bench\.sh' >/dev/null; do
    echo "another benchmark is running; waiting 60 s"
    sleep 60
  done
}

# --- tools -----------------------------------------------------------------
step "tools"
scripts/deps.sh
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
  echo "load:       $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at start"
} | tee "$OUT/machine.txt"

# Compile once, before any timing.
$GO test -c -o "$WORK/index.test" ./index

# benchtest NAME REGEXP runs one go test -bench invocation. -v keeps every
# setup and correctness log in the raw output.
benchtest() {
  local name=$1 re=$2
  local cmd=($GO test -run '^$' -bench "$re" -benchmem -count "$COUNT" -benchtime 1s -timeout 10m -v ./index)
  wait_idle
  step "$name"
  echo "\$ ${cmd[*]}" | tee "$OUT/$name.cmd"
  "${cmd[@]}" 2>&1 | tee "$OUT/$name.txt"
}

# The assignment with townships takes ~40 s a run in PostGIS, so each core
# count is a run of its own, to stay under go test's 10 minutes.
benchtest locate-tracts '^BenchmarkAreasLocate$/^areas=tracts$/'
benchtest locate-townships-1 '^BenchmarkAreasLocate$/^areas=tracts\+townships$/^cores=1$/'
benchtest locate-townships-2 '^BenchmarkAreasLocate$/^areas=tracts\+townships$/^cores=2$/'
benchtest stats-hotspots '^BenchmarkAreas(LevelStats|Hotspots|GiStar|Weights)$'

# --- summary ------------------------------------------------------------------
step "summary"
echo "load:       $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at end" | tee -a "$OUT/machine.txt"

# One table per benchmark, implementations side by side.
cat "$OUT"/locate-*.txt >"$OUT/locate.txt"
for b in Locate LevelStats Hotspots GiStar Weights; do
  f="$OUT/locate.txt"
  [ "$b" = Locate ] || f="$OUT/stats-hotspots.txt"
  "$BENCHSTAT" -filter ".name:Areas$b" -col /impl "$f" >"$OUT/$b.benchstat"
done

# Medians of sec/op and points/s for each benchmark, without the -N suffix.
awk '/^BenchmarkAreas/ && / ns\/op/ {
    name = $1; sub(/-[0-9]+$/, "", name)
    for (i = 3; i < NF; i++) {
      if ($(i+1) == "ns/op") print name, "ns", $i
      if ($(i+1) == "points/s") print name, "pts", $i
    }
  }' "$OUT/locate.txt" "$OUT/stats-hotspots.txt" |
  sort -k1,1 -k2,2 -k3,3g |
  awk '{ k = $1 " " $2; v[k, ++n[k]] = $3 }
    END { for (k in n) { c = n[k]; m = (c % 2) ? v[k, (c+1)/2] : (v[k, c/2] + v[k, c/2+1]) / 2; print k, m, c } }' |
  sort >"$OUT/medians.txt"

# ratio GO POSTGIS LABEL prints one row: the medians and PostGIS ÷ Go.
ratio() {
  awk -v g="BenchmarkAreas$1" -v p="BenchmarkAreas$2" -v label="$3" '
    function human(ns) {
      if (ns >= 1e9) return sprintf("%.2f s", ns / 1e9)
      if (ns >= 1e6) return sprintf("%.1f ms", ns / 1e6)
      return sprintf("%.0f µs", ns / 1e3)
    }
    $2 == "ns" && $1 == g { gn = $3; gc = $4 }
    $2 == "ns" && $1 == p { pn = $3; pc = $4 }
    $2 == "pts" && $1 == g { gp = $3 }
    $2 == "pts" && $1 == p { pp = $3 }
    END {
      if (gn == "" || pn == "") { printf "| %s | missing | | |\n", label; exit }
      extra = (gp != "") ? sprintf(" (%.0fk vs %.0fk points/s)", gp / 1e3, pp / 1e3) : ""
      printf "| %s | %s | %s | %.1f×%s |\n", label, human(gn), human(pn), pn / gn, extra
    }' "$OUT/medians.txt"
}

{
  echo "| comparison (medians) | Go | PostGIS | PostGIS ÷ Go |"
  echo "|---|---:|---:|---:|"
  for set in tracts 'tracts+townships'; do
    for cores in 1 2; do
      ratio "Locate/areas=$set/cores=$cores/impl=index" "Locate/areas=$set/cores=$cores/impl=postgis" \
        "assign 1M points, $set, $cores core(s)"
    done
  done
  ratio LevelStats/impl=service LevelStats/impl=postgis-all "LevelStats, 20k tracts, every count (GROUPING SETS)"
  ratio LevelStats/impl=service LevelStats/impl=postgis-category-status "LevelStats vs GROUP BY area, category, status"
  ratio LevelStats/impl=index-category-status LevelStats/impl=postgis-category-status "category × status counts alone, Index.Each vs GROUP BY"
  ratio Hotspots/units=tracts/impl=service Hotspots/units=tracts/impl=postgis "Gi* end to end, 20k tracts (AreaHotspots)"
  ratio Hotspots/units=grid/impl=service Hotspots/units=grid/impl=postgis "Gi* end to end, ~100k cells (GridHotspots)"
  ratio GiStar/units=tracts/impl=hotspot GiStar/units=tracts/impl=postgis "Gi* alone, 20k tracts (GiStar)"
  ratio GiStar/units=grid/impl=hotspot GiStar/units=grid/impl=postgis "Gi* alone, ~100k cells (GiStar)"
  ratio Weights/units=tracts/impl=hotspot Weights/units=tracts/impl=postgis "queen contiguity, 20k tracts (at import)"
  awk '$1 == "BenchmarkAreasWeights/units=grid/impl=hotspot" && $2 == "ns" {
    printf "| distance band, ~100k cells (DistanceBand) | %.1f ms | (joined in the Gi* SQL) | |\n", $3 / 1e6 }' "$OUT/medians.txt"
} | tee "$OUT/summary.md"

for f in "$OUT"/*.benchstat; do
  printf '\n-- %s\n' "$(basename "$f")"
  cat "$f"
done
printf '\ncorrectness checks:\n'
grep -h -E 'agree on|disagree|differ' "$OUT"/*.txt | sed 's/^[[:space:]]*//' | sort -u
printf '\nraw outputs: %s\n' "$OUT"
