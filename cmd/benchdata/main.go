// Command benchdata supports scripts/bench.sh, which makes the figures in
// BENCHMARKS.md.
//
//	benchdata seed -out FILE     write the benchmark data set into an embedded store
//	benchdata report FILE...     summarise benchmark, wrk and pgbench outputs
//
// seed writes the same concerns as `concernmap seed --count 1000000
// --villages 2000`, minutes faster: in ID order and in large transactions.
// It prints the query box the HTTP benchmark asks for, the one the index
// benchmarks pick from the same data.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/bolt"
	"github.com/concernmap/concernmap/demo"
	"github.com/concernmap/concernmap/geo"
)

const usage = `usage: benchdata seed -out FILE [-count N] [-villages N] [-seed N]
       benchdata report [-wrk VIEWER=FILE]... BENCHFILE...`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchdata:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "seed":
		return seed(ctx, args[1:], stdout, stderr)
	case "report":
		return report(args[1:], stdout)
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

// The query box is the zoom-12 tile around the village whose tile holds
// the number of concerns closest to boxTarget, as in index/bench_test.go.
const (
	boxZoom   = 12
	boxTarget = 1500
)

func seed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	out := fs.String("out", "", "embedded store file to write (made if missing)")
	count := fs.Int("count", 1_000_000, "number of demo concerns")
	villages := fs.Int("villages", 2000, "number of synthetic villages")
	seedValue := fs.Uint64("seed", 1, "random seed, as for `concernmap seed`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("seed: -out is required")
	}
	start := time.Now()
	vs, err := demo.Villages(*villages, *seedValue)
	if err != nil {
		return err
	}
	gen := demo.NewGenerator(vs, *seedValue)
	cs := make([]*concernmap.Concern, *count)
	for i := range cs {
		cs[i] = gen.Next()
	}
	v, box, hits := pickBox(vs, cs)
	fmt.Fprintf(stderr, "generated %d concerns in %v\n", len(cs), time.Since(start).Round(time.Millisecond))

	start = time.Now()
	db, err := bolt.Open(*out)
	if err != nil {
		return err
	}
	// In ID order every transaction appends to the B+tree.
	slices.SortFunc(cs, func(a, b *concernmap.Concern) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	created := 0
	for i := 0; i < len(cs); i += 100_000 {
		n, err := db.CreateConcerns(ctx, cs[i:min(i+100_000, len(cs))])
		if err != nil {
			db.Close()
			return err
		}
		created += n
	}
	if err := db.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %d concerns (%d new) to %s in %v\n", len(cs), created, *out, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "bbox=%s\nhits=%d\nvillage=%s\ncenter=%s\n", formatBound(box), hits, vs[v].Name, formatPoint(vs[v].Center))
	return nil
}

// pickBox returns the village whose zoom-12 tile holds the number of
// concerns closest to boxTarget (the first on a tie), the tile's bound and
// that number.
func pickBox(villages []demo.Village, cs []*concernmap.Concern) (village int, box orb.Bound, hits int) {
	counts := make(map[maptile.Tile]int, len(villages))
	for _, v := range villages {
		counts[maptile.At(v.Center, boxZoom)] = 0
	}
	for _, c := range cs {
		b := c.Geometry.Bound()
		// Tile rows grow southwards.
		nw := maptile.At(orb.Point{b.Min[0], b.Max[1]}, boxZoom)
		se := maptile.At(orb.Point{b.Max[0], b.Min[1]}, boxZoom)
		for x := nw.X; x <= se.X; x++ {
			for y := nw.Y; y <= se.Y; y++ {
				t := maptile.New(x, y, boxZoom)
				if n, ok := counts[t]; ok && geo.IntersectsBound(c.Geometry, t.Bound()) {
					counts[t] = n + 1
				}
			}
		}
	}
	village = -1
	for i, v := range villages {
		n := counts[maptile.At(v.Center, boxZoom)]
		if village < 0 || abs(n-boxTarget) < abs(hits-boxTarget) {
			village, hits = i, n
		}
	}
	return village, maptile.At(villages[village].Center, boxZoom).Bound(), hits
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func formatFloat(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func formatBound(b orb.Bound) string {
	return formatFloat(b.Min[0]) + "," + formatFloat(b.Min[1]) + "," + formatFloat(b.Max[0]) + "," + formatFloat(b.Max[1])
}

func formatPoint(p orb.Point) string { return formatFloat(p[0]) + "," + formatFloat(p[1]) }

// results holds every value of every benchmark, by name without the
// GOMAXPROCS suffix, then by unit.
type results map[string]map[string][]float64

var procsSuffix = regexp.MustCompile(`-\d+$`)

// parseBench reads `go test -bench` output.
func (rs results) parseBench(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procsSuffix.ReplaceAllString(f[0], "")
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			rs.add(name, f[i+1], v)
		}
	}
	return sc.Err()
}

func (rs results) add(name, unit string, v float64) {
	if rs[name] == nil {
		rs[name] = map[string][]float64{}
	}
	rs[name][unit] = append(rs[name][unit], v)
}

var (
	wrkRPS    = regexp.MustCompile(`(?m)^Requests/sec:\s+([0-9.]+)`)
	wrkErrors = regexp.MustCompile(`(?m)^\s*(Non-2xx or 3xx responses|Socket errors):.*$`)
)

// median returns the median of vs, or NaN if there are none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(vs)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (rs results) median(name, unit string) float64 { return median(rs[name][unit]) }

// report prints the headline table of BENCHMARKS.md: medians, ratios
// against PostGIS and the targets.
func report(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	var wrkFiles [][2]string // viewer, path
	fs.Func("wrk", "VIEWER=FILE: a wrk output file of the HTTP benchmark signed in as VIEWER (repeatable)", func(s string) error {
		viewer, path, ok := strings.Cut(s, "=")
		if !ok {
			return errors.New("want VIEWER=FILE")
		}
		wrkFiles = append(wrkFiles, [2]string{viewer, path})
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	rs := results{}
	for _, path := range fs.Args() {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		err = rs.parseBench(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	var viewers []string
	for _, vf := range wrkFiles {
		viewer, path := vf[0], vf[1]
		if !slices.Contains(viewers, viewer) {
			viewers = append(viewers, viewer)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		m := wrkRPS.FindSubmatch(b)
		if m == nil {
			return fmt.Errorf("%s: no Requests/sec", path)
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		rs.add("wrk/viewer="+viewer, "req/s", v)
		for _, e := range wrkErrors.FindAll(b, -1) {
			fmt.Fprintf(stdout, "warning: %s: %s\n", path, strings.TrimSpace(string(e)))
		}
	}

	w := &table{w: stdout}
	w.row("figure", "concernmap", "PostGIS", "ratio", "target", "met")
	w.row("---", "---:", "---:", "---:", "---", "---")
	// 1 and 2: latency, ratio PostGIS/index.
	queries := []struct{ label, name string }{
		{"bbox page (Find, limit 1000)", "BenchmarkBBox/query=page"},
		{"bbox all hits, unordered", "BenchmarkBBox/query=all"},
		{"radius 500 m page", "BenchmarkRadius/r=500m/query=page"},
		{"radius 500 m all", "BenchmarkRadius/r=500m/query=all"},
		{"radius 5 km page", "BenchmarkRadius/r=5km/query=page"},
		{"radius 5 km all", "BenchmarkRadius/r=5km/query=all"},
	}
	for _, q := range queries {
		idx := rs.median(q.name+"/impl=index", "ns/op")
		for _, impl := range []string{"postgis", "postgis-box"} {
			pg := rs.median(q.name+"/impl="+impl, "ns/op")
			if math.IsNaN(pg) {
				continue
			}
			label, target, met := q.label, "", ""
			if impl == "postgis-box" {
				label += " (PostGIS with && box)"
			}
			if strings.HasPrefix(q.name, "BenchmarkBBox") {
				target, met = "≥ 100×", verdict(pg/idx >= 100, fmt.Sprintf("%.0f%% of target", pg/idx))
			}
			w.row(label, duration(idx), duration(pg), fmt.Sprintf("%.1f×", pg/idx), target, met)
		}
	}
	// 3: start-up and memory.
	bl, pl := rs.median("BenchmarkLoad/store=bolt", "s/load"), rs.median("BenchmarkLoad/store=postgis", "s/load")
	w.row("Service.Load, 1M, from bolt", fmt.Sprintf("%.2f s", bl), fmt.Sprintf("%.2f s (from PostGIS)", pl),
		fmt.Sprintf("%.2f×", pl/bl), "< 5 s", verdict(bl < 5, fmt.Sprintf("%.2f s", bl)))
	w.row("Service.Load, 1M, from PostGIS", fmt.Sprintf("%.2f s", pl), "", "", "< 5 s", verdict(pl < 5, fmt.Sprintf("%.2f s", pl)))
	mem := "BenchmarkIndexMemory"
	pgTotal, pgGist := rs.median("BenchmarkStorage/impl=postgis", "B/concern"), rs.median("BenchmarkStorage/impl=postgis", "gist-B/concern")
	whole := rs.median(mem, "B/concern")
	w.row("index heap per point concern, all", fmt.Sprintf("%.0f B", whole), fmt.Sprintf("%.0f B (table+indexes, on disk)", pgTotal),
		fmt.Sprintf("%.2f×", pgTotal/whole), "< 300 B", verdict(whole < 300, fmt.Sprintf("%.0f B", whole)))
	tree := rs.median(mem, "tree+attrs-B/concern")
	w.row("… R-tree, map, entries, points", fmt.Sprintf("%.0f B", tree), fmt.Sprintf("%.0f B (GiST index)", pgGist),
		fmt.Sprintf("%.2f×", pgGist/tree), "< 300 B", verdict(tree < 300, fmt.Sprintf("%.0f B", tree)))
	w.row("… cached GeoJSON documents", fmt.Sprintf("%.0f B (%.0f B used)", rs.median(mem, "docs-B/concern"), rs.median(mem, "doc-len-B/concern")),
		"", "", "", "")
	// 4: HTTP throughput, ratio concernmap/PostGIS.
	for _, viewer := range viewers {
		httpRPS := rs.median("wrk/viewer="+viewer, "req/s")
		pgRPS := rs.median("BenchmarkCollection/viewer="+viewer+"/impl=postgis-pgbench", "req/s")
		w.row("GET bbox limit 1000, 8 conns, as "+viewer+" (wrk; pgbench)", fmt.Sprintf("%.0f req/s", httpRPS), fmt.Sprintf("%.0f req/s", pgRPS),
			fmt.Sprintf("%.1f×", httpRPS/pgRPS), "≥ 900 req/s", verdict(httpRPS >= 900, fmt.Sprintf("%.0f req/s", httpRPS)))
	}
	// 5: write throughput, per store.
	pgw := rs.median("BenchmarkCreateConcern/store=postgis", "req/s")
	for _, s := range []string{"bolt", "bolt-tmpfs"} {
		v := rs.median("BenchmarkCreateConcern/store="+s, "req/s")
		if math.IsNaN(v) {
			continue
		}
		w.row("POST /concerns, 8 clients, "+s+" vs postgis", fmt.Sprintf("%.0f req/s", v), fmt.Sprintf("%.0f req/s", pgw),
			fmt.Sprintf("%.2f×", v/pgw), "", "")
	}
	return w.err
}

func verdict(ok bool, detail string) string {
	if ok {
		return "yes (" + detail + ")"
	}
	return "no (" + detail + ")"
}

func duration(ns float64) string {
	switch {
	case math.IsNaN(ns):
		return "–"
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	default:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
}

// table writes Markdown table rows and keeps the first error.
type table struct {
	w   io.Writer
	err error
}

func (t *table) row(cells ...string) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, "| %s |\n", strings.Join(cells, " | "))
	}
}
