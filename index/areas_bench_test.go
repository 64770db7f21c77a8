package index_test

// Benchmarks of the area side recorded in BENCHMARKS.md ("Areas:
// assignment, statistics, hotspots"): assigning 1M points to 20,000
// village tracts, per-tract statistics, and Getis-Ord Gi* over the tracts
// and over a 100,000-cell grid, each against the same work done in SQL by
// PostGIS in the same process. Every comparison first checks that both
// sides give the same answer. scripts/bench-areas.sh runs them. Data sets
// are built lazily, once per process, so `go test` without -bench pays
// nothing for them.

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/demo"
	"github.com/concernmap/concernmap/geo"
	"github.com/concernmap/concernmap/hotspot"
	"github.com/concernmap/concernmap/index"
	"github.com/concernmap/concernmap/postgis"
	"github.com/concernmap/concernmap/postgis/postgistest"
)

const (
	// The concerns are those of bench_test.go: the same generator, seed
	// and sizes give the same data set.
	areaBenchCount    = 1_000_000
	areaBenchVillages = 2000
	areaBenchSeed     = 1

	// The tracts tile the bound of the two demo states, 2.6° × 4.72°, as
	// a jittered grid: 100 × 200 quads of about 2.8 × 2.6 km, a common
	// size for village tracts, each with 200 vertices.
	tractCols, tractRows = 100, 200
	tractEdgePoints      = 49 // inside each edge: 4·(49+1) vertices a ring
	// Townships are blocks of 10 × 10 tracts, so that the deepest-level
	// rule of Locate has a parent to pass over.
	townshipSpan = 10

	// The grid of GridHotspots has cells of gridCell degrees over the
	// same bound: 237 × 430 = 101,910 cells.
	gridCell = 0.011

	// neighbourTolerance is the service's (areaservice.go).
	neighbourTolerance = 1e-6
	// maxZDiff is how far the z-scores of Go and SQL may differ.
	maxZDiff = 1e-9
)

// tilingBound is the bound the tracts tile: the demo states' outlines, a
// little padded.
var tilingBound = orb.Bound{Min: orb.Point{96.35, 14.83}, Max: orb.Point{98.95, 19.55}}

// areaData is everything the area benchmarks share.
type areaData struct {
	concerns  []*concernmap.Concern
	points    []orb.Point        // each concern's representative point
	tracts    []*concernmap.Area // in pcode order
	townships []*concernmap.Area // in pcode order
	areas     *index.Areas       // tracts and townships, as the import left them
	tractsX   *index.Areas       // the tracts alone

	db   *postgis.DB
	pool *pgxpool.Pool // no parallel workers, work_mem 256MB
	// parPool plans for 2 parallel workers. A pool of its own, because a
	// connection keeps the plan of a statement it has prepared, whatever
	// the settings are later.
	parPool *pgxpool.Pool
	url     string

	concernIdx *index.Index        // the concerns, with their areas
	svc        *concernmap.Service // over concernIdx and areas
}

// areaSets are the two sets of areas the points are assigned to: the
// tracts alone, and the tracts with their townships. SQL selects the first
// with a condition on level.
var areaSets = []struct{ name, sqlLevel string }{
	{"tracts", "AND a.level = 'village_tract'"},
	{"tracts+townships", ""},
}

func (d *areaData) areaSet(name string) *index.Areas {
	if name == "tracts" {
		return d.tractsX
	}
	return d.areas
}

// stage runs one step of the setup once per process and remembers its error.
type stage struct {
	once sync.Once
	err  error
}

func (s *stage) do(tb testing.TB, name string, fn func() error) {
	tb.Helper()
	s.once.Do(func() {
		start := time.Now()
		if s.err = fn(); s.err == nil {
			tb.Logf("setup %s: %v", name, time.Since(start).Round(time.Millisecond))
		}
	})
	if s.err != nil {
		tb.Fatalf("setup %s: %v", name, s.err)
	}
}

var (
	ad                                                   areaData
	adGenerate, adImport, adAssign, adPoints, adConcerns stage
)

// processLifeTB keeps a database from MustOpenDB for the whole process:
// the data set is shared by every benchmark, and the harness removes its
// cluster, with the database, when the tests end.
type processLifeTB struct{ testing.TB }

func (processLifeTB) Cleanup(func()) {}

// generated makes the concerns, their points and the areas.
func generated(tb testing.TB) *areaData {
	tb.Helper()
	adGenerate.do(tb, "generate concerns and tracts", func() error {
		villages, err := demo.Villages(areaBenchVillages, areaBenchSeed)
		if err != nil {
			return err
		}
		gen := demo.NewGenerator(villages, areaBenchSeed)
		ad.concerns = make([]*concernmap.Concern, areaBenchCount)
		ad.points = make([]orb.Point, areaBenchCount)
		for i := range ad.concerns {
			c := gen.Next()
			ad.concerns[i], ad.points[i] = c, geo.RepresentativePoint(c.Geometry)
		}
		ad.tracts, ad.townships = tiling(rand.New(rand.NewPCG(areaBenchSeed, 0x7ac7)), tilingBound,
			tractCols, tractRows, townshipSpan, tractEdgePoints)
		tb.Logf("%d concerns; %d tracts of %d vertices, %d townships of %d, over %v",
			len(ad.concerns), len(ad.tracts), len(ad.tracts[0].Geometry[0][0]), len(ad.townships),
			len(ad.townships[0].Geometry[0][0]), tilingBound)
		return nil
	})
	return &ad
}

// tiling returns village tracts that tile bound as a jittered grid of
// cols × rows quads whose edges carry perEdge more vertices each, and
// townships of span × span tracts. Neighbours share their edge's vertices
// exactly, as areas cut from one coverage do. Coordinates keep 7 decimals.
func tiling(r *rand.Rand, bound orb.Bound, cols, rows, span, perEdge int) (tracts, townships []*concernmap.Area) {
	w, h := (bound.Max[0]-bound.Min[0])/float64(cols), (bound.Max[1]-bound.Min[1])/float64(rows)
	corner := make([]orb.Point, (cols+1)*(rows+1))
	for row := range rows + 1 {
		for col := range cols + 1 {
			corner[row*(cols+1)+col] = round7(orb.Point{
				bound.Min[0] + (float64(col)+0.4*(r.Float64()-0.5))*w,
				bound.Min[1] + (float64(row)+0.4*(r.Float64()-0.5))*h,
			})
		}
	}
	at := func(col, row int) orb.Point { return corner[row*(cols+1)+col] }
	edge := func(p, q orb.Point) []orb.Point {
		pts := make([]orb.Point, perEdge)
		dx, dy := q[0]-p[0], q[1]-p[1]
		for k := range pts {
			f := float64(k+1) / float64(perEdge+1)
			// Across the edge, tapering to 0 at the corners: the vertices
			// stay in a narrow wedge there, so edges that meet cannot
			// cross, and each edge is monotone along its chord.
			off := 0.1 * (r.Float64() - 0.5) * math.Sin(math.Pi*f)
			pts[k] = round7(orb.Point{p[0] + f*dx - off*dy, p[1] + f*dy + off*dx})
		}
		return pts
	}
	horiz := make([][]orb.Point, cols*(rows+1)) // from (col, row) to (col+1, row)
	for row := range rows + 1 {
		for col := range cols {
			horiz[row*cols+col] = edge(at(col, row), at(col+1, row))
		}
	}
	vert := make([][]orb.Point, (cols+1)*rows) // from (col, row) to (col, row+1)
	for row := range rows {
		for col := range cols + 1 {
			vert[row*(cols+1)+col] = edge(at(col, row), at(col, row+1))
		}
	}
	// ring walks the boundary of the block of quads [c0, c1) × [r0, r1)
	// counter-clockwise.
	ring := func(c0, r0, c1, r1 int) orb.Ring {
		var out orb.Ring
		for col := c0; col < c1; col++ {
			out = append(append(out, at(col, r0)), horiz[r0*cols+col]...)
		}
		for row := r0; row < r1; row++ {
			out = append(append(out, at(c1, row)), vert[row*(cols+1)+c1]...)
		}
		for col := c1; col > c0; col-- {
			out = append(append(out, at(col, r1)), backward(horiz[r1*cols+col-1])...)
		}
		for row := r1; row > r0; row-- {
			out = append(append(out, at(c0, row)), backward(vert[(row-1)*(cols+1)+c0])...)
		}
		return append(out, at(c0, r0))
	}
	area := func(level concernmap.AreaLevel, pcode, parent, name string, rg orb.Ring) *concernmap.Area {
		mp := orb.MultiPolygon{{rg}}
		return &concernmap.Area{Level: level, PCode: pcode, Parent: parent, NameEN: name,
			Geometry: mp, AreaKM2: geo.AreaKM2(mp), Source: "synthetic benchmark tiling (not real boundaries)"}
	}
	for tr := range rows / span {
		for tc := range cols / span {
			t := tr*(cols/span) + tc
			tpcode := fmt.Sprintf("BENCHT%03d", t)
			c0, r0 := tc*span, tr*span
			townships = append(townships, area(concernmap.LevelTownship, tpcode, "",
				fmt.Sprintf("Township %d (synthetic)", t), ring(c0, r0, c0+span, r0+span)))
			for i := range span * span {
				col, row := c0+i%span, r0+i/span
				tracts = append(tracts, area(concernmap.LevelVillageTract, fmt.Sprintf("%sV%03d", tpcode, i), tpcode,
					fmt.Sprintf("Tract %d of township %d (synthetic)", i, t), ring(col, row, col+1, row+1)))
			}
		}
	}
	return tracts, townships
}

func round7(p orb.Point) orb.Point {
	return orb.Point{math.Round(p[0]*1e7) / 1e7, math.Round(p[1]*1e7) / 1e7}
}

func backward(pts []orb.Point) []orb.Point {
	r := slices.Clone(pts)
	slices.Reverse(r)
	return r
}

// imported opens a PostGIS database and imports the areas into it and into
// the area index through Service.ImportAreas, the path an import takes:
// validation, queen contiguity, UpsertAreas.
func imported(tb testing.TB) *areaData {
	tb.Helper()
	d := generated(tb)
	adImport.do(tb, "import areas into PostGIS and the area index", func() error {
		ctx := context.Background()
		d.url = postgistest.MustOpenDB(processLifeTB{tb})
		db, err := postgis.Open(ctx, d.url)
		if err != nil {
			return err
		}
		var version, postgisVersion, jit string
		if err := db.Pool().QueryRow(ctx, `SELECT current_setting('server_version'), postgis_full_version(),
			current_setting('jit')`).Scan(&version, &postgisVersion, &jit); err != nil {
			return err
		}
		tb.Logf("PostgreSQL %s (jit=%s); %s", version, jit, postgisVersion)
		d.db = db
		d.areas = index.NewAreas()
		svc := concernmap.NewService(db, func() concernmap.ConcernIndex { return index.New() }, d.areas)
		start := time.Now()
		res, err := svc.ImportAreas(ctx, append(slices.Clone(d.townships), d.tracts...))
		if err != nil {
			return err
		}
		tb.Logf("ImportAreas: %d created in %v", res.Created, time.Since(start).Round(time.Millisecond))
		d.tractsX = index.NewAreas()
		d.tractsX.Put(d.tracts...)

		pool := func(settings string) (*pgxpool.Pool, error) {
			cfg, err := pgxpool.ParseConfig(d.url)
			if err != nil {
				return nil, err
			}
			cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
				_, err := c.Exec(ctx, settings)
				return err
			}
			return pgxpool.NewWithConfig(ctx, cfg)
		}
		// One core against one core: no parallel workers unless a
		// benchmark asks. Enough memory that no aggregate spills to disk.
		if d.pool, err = pool(`SET max_parallel_workers_per_gather = 0; SET work_mem = '256MB'`); err != nil {
			return err
		}
		// With the default costs PostgreSQL plans no workers for the
		// assignment; free workers make it plan 2.
		if d.parPool, err = pool(`SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0;
			SET parallel_tuple_cost = 0; SET work_mem = '256MB'`); err != nil {
			return err
		}
		if _, err := d.pool.Exec(ctx, `VACUUM ANALYZE areas`); err != nil {
			return err
		}
		// A boundary over 2 kB is compressed or moved out of line (TOAST),
		// and each ST_Intersects on it must read it back first.
		rows, err := d.pool.Query(ctx, `SELECT level, count(*), avg(ST_NPoints(geom))::int,
			avg(ST_MemSize(geom))::int, avg(pg_column_size(geom))::int FROM areas GROUP BY level ORDER BY level`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				level                  string
				n, points, mem, stored int64
			)
			if err := rows.Scan(&level, &n, &points, &mem, &stored); err != nil {
				return err
			}
			tb.Logf("areas: %d %s, %d points, %d bytes each, %d bytes as stored", n, level, points, mem, stored)
		}
		return rows.Err()
	})
	return d
}

// assigned gives the concerns their tracts, as Locate finds them for
// their representative points, and builds a concern index of them and a
// service over it. The townships are unions of tracts, so the tracts
// alone give every point the same area.
func assigned(tb testing.TB) *areaData {
	tb.Helper()
	d := imported(tb)
	adAssign.do(tb, "assign concerns and index them", func() error {
		areas := located(tb, "tracts")
		inTract := 0
		for i, c := range d.concerns {
			if c.Area = areas[i]; c.Area != "" {
				inTract++
			}
		}
		tb.Logf("%d of %d concerns lie in a tract", inTract, len(d.concerns))
		x := index.New()
		var wg sync.WaitGroup
		n := runtime.GOMAXPROCS(0)
		for w := range n {
			wg.Go(func() {
				for i := w; i < len(d.concerns); i += n {
					x.Put(d.concerns[i])
				}
			})
		}
		wg.Wait()
		d.concernIdx = x
		d.svc = concernmap.NewService(d.db, func() concernmap.ConcernIndex { return x }, d.areas)
		return nil
	})
	return d
}

var (
	locatedMu sync.Mutex
	locatedBy = map[string][]string{}
)

// located returns the area Locate finds for each point in the named set
// of areas, computed once.
func located(tb testing.TB, set string) []string {
	tb.Helper()
	d := imported(tb)
	locatedMu.Lock()
	defer locatedMu.Unlock()
	if out, ok := locatedBy[set]; ok {
		return out
	}
	start := time.Now()
	x := d.areaSet(set)
	out := make([]string, len(d.points))
	for i, p := range d.points {
		out[i] = x.Locate(p)
	}
	locatedBy[set] = out
	tb.Logf("setup locate the points in %s: %v", set, time.Since(start).Round(time.Millisecond))
	return out
}

// withPoints loads the points into PostGIS as bench_points(n, geom).
func withPoints(tb testing.TB) *areaData {
	tb.Helper()
	d := imported(tb)
	adPoints.do(tb, "copy points into PostGIS", func() error {
		ctx := context.Background()
		if _, err := d.pool.Exec(ctx, `CREATE TABLE bench_points (n int PRIMARY KEY, geom geometry(Point, 4326) NOT NULL)`); err != nil {
			return err
		}
		i := 0
		rows := pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(d.points) {
				return nil, nil
			}
			g, err := ewkb.Marshal(d.points[i], 4326)
			i++
			return []any{int32(i - 1), g}, err
		})
		if _, err := d.pool.CopyFrom(ctx, pgx.Identifier{"bench_points"}, []string{"n", "geom"}, rows); err != nil {
			return fmt.Errorf("copy points: %w", err)
		}
		_, err := d.pool.Exec(ctx, `VACUUM ANALYZE bench_points`)
		return err
	})
	return d
}

// withConcerns loads the concerns, with the tracts Locate gave them, into
// the store's concerns table. Its geometry index is dropped: no query
// here uses it.
func withConcerns(tb testing.TB) *areaData {
	tb.Helper()
	d := assigned(tb)
	adConcerns.do(tb, "copy concerns into PostGIS", func() error {
		ctx := context.Background()
		if _, err := d.pool.Exec(ctx, `DROP INDEX concerns_geom_idx; DROP INDEX concerns_area_idx`); err != nil {
			return err
		}
		cols := []string{"id", "category", "geom", "title", "description", "severity", "status", "affected",
			"when_kind", "when_from", "when_to", "observed_at", "reported_at", "updated_at", "reporter", "area", "version"}
		i := 0
		rows := pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(d.concerns) {
				return nil, nil
			}
			c := d.concerns[i]
			i++
			g, err := ewkb.Marshal(c.Geometry, 4326)
			if err != nil {
				return nil, err
			}
			return []any{c.ID, c.Category, g, c.Title, c.Description, int16(c.Severity), string(c.Status),
				int16(c.Affected), string(c.WhenDangerous.Kind), int16(c.WhenDangerous.From), int16(c.WhenDangerous.To),
				c.ObservedAt, c.ReportedAt, c.UpdatedAt, c.Reporter, pgtype.Text{String: c.Area, Valid: c.Area != ""},
				int32(c.Version)}, nil
		})
		if _, err := d.pool.CopyFrom(ctx, pgx.Identifier{"concerns"}, cols, rows); err != nil {
			return fmt.Errorf("copy concerns: %w", err)
		}
		if _, err := d.pool.Exec(ctx, `CREATE INDEX concerns_area_idx ON concerns (area)`); err != nil {
			return err
		}
		_, err := d.pool.Exec(ctx, `VACUUM ANALYZE concerns`)
		return err
	})
	return d
}

var areaChecks sync.Map

// checkAreasOnce runs a correctness check once per process, outside any
// timing.
func checkAreasOnce(name string, check func()) {
	if _, done := areaChecks.LoadOrStore(name, true); !done {
		check()
	}
}

// explain logs the plan PostgreSQL picks for sql, without running it.
func explain(tb testing.TB, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, name, sql string, args ...any) {
	tb.Helper()
	rows, err := q.Query(context.Background(), "EXPLAIN "+sql, args...)
	if err != nil {
		tb.Fatalf("explain %s: %v", name, err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		tb.Fatalf("explain %s: %v", name, err)
	}
	tb.Logf("plan of %s:\n%s", name, strings.Join(lines, "\n"))
}

// --- 1. Assignment ----------------------------------------------------------

// sqlLocate assigns every point of bench_points by the rule of
// Areas.Locate (and TestLocateMatchesPostGIS): among the areas whose
// geometry ST_Intersects the point, the deepest level, then the smallest
// pcode. The GiST index on areas.geom finds the candidates. %s restricts
// the levels. A LATERAL subquery with ORDER BY … LIMIT 1 per point was
// no faster in trials, and PostgreSQL would not run it in parallel
// workers.
const sqlLocate = `SELECT DISTINCT ON (p.n) p.n, coalesce(a.pcode, '')
FROM bench_points p
LEFT JOIN areas a ON ST_Intersects(a.geom, p.geom) %s
ORDER BY p.n, CASE a.level WHEN 'state' THEN 0 WHEN 'district' THEN 1 WHEN 'township' THEN 2
	WHEN 'village_tract' THEN 3 ELSE 4 END DESC, a.pcode`

// queryLocate runs sqlLocate into out, by point, and returns how many rows
// came back.
func queryLocate(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, sql string, out []string) (int, error) {
	rows, err := q.Query(ctx, sql)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	var (
		i     int32
		pcode string
	)
	for rows.Next() {
		if err := rows.Scan(&i, &pcode); err != nil {
			return n, err
		}
		out[i] = pcode
		n++
	}
	return n, rows.Err()
}

// compareAssignments fails unless got and want agree, naming the first
// points that differ.
func compareAssignments(tb testing.TB, name string, points []orb.Point, got, want []string) {
	tb.Helper()
	bad := 0
	for i := range want {
		if got[i] != want[i] {
			if bad < 10 {
				tb.Errorf("%s: point %d %v: PostGIS says %q, index %q", name, i, points[i], got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		tb.Fatalf("%s: %d of %d points disagree", name, bad, len(want))
	}
	tb.Logf("%s: PostGIS and the index agree on all %d points", name, len(want))
}

// checkLocateSample compares, once per set of areas, the areas Locate
// and sqlLocate give the first 10,000 points, before any timing.
func checkLocateSample(b *testing.B, set, sql string) {
	d := withPoints(b)
	want := located(b, set)
	checkAreasOnce("locate sample "+set, func() {
		const sample = 10_000
		got := make([]string, len(d.points))
		head := strings.Replace(sql, "ORDER BY", "WHERE p.n < "+strconv.Itoa(sample)+" ORDER BY", 1)
		if _, err := queryLocate(context.Background(), d.pool, head, got); err != nil {
			b.Fatal(err)
		}
		compareAssignments(b, "locate sample "+set, d.points[:sample], got[:sample], want[:sample])
	})
}

// BenchmarkAreasLocate assigns the 1M points to the 20,000 tracts (alone,
// and with their 200 townships) with Areas.Locate, and with one SQL
// statement in PostGIS whose rows, a pcode for each point, the client
// reads. cores=1 is one goroutine against one backend without parallel
// workers; cores=2 splits the points between 2 goroutines, and gives
// PostgreSQL 2 parallel workers besides the backend. It reports points/s.
// The first timed PostGIS run is compared, point by point, with Locate.
func BenchmarkAreasLocate(b *testing.B) {
	for _, set := range areaSets {
		sql := fmt.Sprintf(sqlLocate, set.sqlLevel)
		for _, cores := range []int{1, 2} {
			prefix := fmt.Sprintf("areas=%s/cores=%d", set.name, cores)
			b.Run(prefix+"/impl=index", func(b *testing.B) {
				d := imported(b)
				checkLocateSample(b, set.name, sql)
				x, want := d.areaSet(set.name), located(b, set.name)
				got := make([]string, len(d.points))
				for b.Loop() {
					var wg sync.WaitGroup
					for w := range cores {
						lo, hi := w*len(d.points)/cores, (w+1)*len(d.points)/cores
						wg.Go(func() {
							for i := lo; i < hi; i++ {
								got[i] = x.Locate(d.points[i])
							}
						})
					}
					wg.Wait()
				}
				if !slices.Equal(got, want) {
					b.Fatal("the timed runs gave other areas than setup")
				}
				b.ReportMetric(float64(len(d.points))*float64(b.N)/b.Elapsed().Seconds(), "points/s")
			})
			b.Run(prefix+"/impl=postgis", func(b *testing.B) {
				d := withPoints(b)
				checkLocateSample(b, set.name, sql)
				ctx := context.Background()
				pool := d.pool
				if cores > 1 {
					pool = d.parPool
				}
				checkAreasOnce("locate plan "+prefix, func() { explain(b, pool, "locate "+prefix, sql) })
				got := make([]string, len(d.points))
				for b.Loop() {
					clear(got)
					n, err := queryLocate(ctx, pool, sql, got)
					if err != nil {
						b.Fatal(err)
					}
					if n != len(d.points) {
						b.Fatalf("PostGIS answered %d points of %d", n, len(d.points))
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(len(d.points))*float64(b.N)/b.Elapsed().Seconds(), "points/s")
				checkAreasOnce("locate all "+set.name, func() {
					compareAssignments(b, "locate all "+set.name, d.points, got, located(b, set.name))
				})
			})
		}
	}
}

// --- 2. Statistics per tract ------------------------------------------------

// tractsOnly keeps the concerns whose area is a village tract, as
// LevelStats does: it counts a concern for its area's ancestor at the
// level, and a tract is its own.
const tractsOnly = `area IN (SELECT pcode FROM areas WHERE level = 'village_tract')`

// sqlStatsAll counts, per tract, everything LevelStats counts, in one pass:
// the total, resolved and each affected group (the (area) set), and the
// counts by category, status, severity, when_dangerous and month of
// observation. g is the GROUPING bitmask that says which set a row is of;
// key is that set's value. It returns only tracts that hold concerns, and
// neither names, areas nor densities, which the client has.
const sqlStatsAll = `SELECT area, GROUPING(category, status, severity, when_kind, month)::int AS g,
	coalesce(category, status, severity::text, when_kind, month, '') AS key,
	count(*), count(*) FILTER (WHERE status = 'resolved'),
	count(*) FILTER (WHERE affected & 1 <> 0), count(*) FILTER (WHERE affected & 2 <> 0),
	count(*) FILTER (WHERE affected & 4 <> 0), count(*) FILTER (WHERE affected & 8 <> 0),
	count(*) FILTER (WHERE affected & 16 <> 0), count(*) FILTER (WHERE affected & 32 <> 0),
	count(*) FILTER (WHERE affected & 64 <> 0), count(*) FILTER (WHERE affected & 128 <> 0)
FROM (SELECT area, category, status, severity, when_kind,
		to_char(observed_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, affected
	FROM concerns WHERE deleted_at IS NULL AND ` + tractsOnly + `) c
GROUP BY GROUPING SETS ((area), (area, category), (area, status), (area, severity), (area, when_kind), (area, month))`

// The GROUPING bitmasks of sqlStatsAll's sets: a bit is set for each
// column the set leaves out, the first column the highest bit.
const (
	setTotal    = 0b11111
	setCategory = 0b01111
	setStatus   = 0b10111
	setSeverity = 0b11011
	setWhen     = 0b11101
	setMonth    = 0b11110
)

// sqlStatsCategoryStatus is the smallest query the issue asks for: counts
// per tract, category and status, from which the client sums the total,
// the counts by category and those by status.
const sqlStatsCategoryStatus = `SELECT area, category, status, count(*) FROM concerns
WHERE deleted_at IS NULL AND ` + tractsOnly + `
GROUP BY area, category, status`

type statsRow struct {
	area, key   string
	g           int32
	n, resolved int64
	affected    [8]int64
}

func queryStatsAll(ctx context.Context, pool *pgxpool.Pool, out []statsRow) ([]statsRow, error) {
	rows, err := pool.Query(ctx, sqlStatsAll)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	var r statsRow
	dest := []any{&r.area, &r.g, &r.key, &r.n, &r.resolved}
	for i := range r.affected {
		dest = append(dest, &r.affected[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// categoryStatus counts concerns of one tract by category and status.
type categoryStatus struct {
	category string
	status   concernmap.Status
}

type categoryStatusRow struct {
	area string
	categoryStatus
	n int64
}

func queryStatsCategoryStatus(ctx context.Context, pool *pgxpool.Pool, out []categoryStatusRow) ([]categoryStatusRow, error) {
	rows, err := pool.Query(ctx, sqlStatsCategoryStatus)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	var r categoryStatusRow
	for rows.Next() {
		if err := rows.Scan(&r.area, &r.category, &r.status, &r.n); err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// eachCategoryStatus makes in Go the counts of sqlStatsCategoryStatus, in
// one pass over the index as LevelStats makes, without its other counts.
func eachCategoryStatus(d *areaData) map[string]map[categoryStatus]int64 {
	counts := map[string]map[categoryStatus]int64{}
	up := map[string]string{}
	d.concernIdx.Each(&concernmap.ConcernFilter{}, func(a *concernmap.ConcernAttrs) {
		anc, ok := up[a.Area]
		if !ok {
			anc = d.areas.Ancestor(a.Area, concernmap.LevelVillageTract)
			up[a.Area] = anc
		}
		if anc == "" {
			return
		}
		m := counts[anc]
		if m == nil {
			m = map[categoryStatus]int64{}
			counts[anc] = m
		}
		m[categoryStatus{a.Category, a.Status}]++
	})
	return counts
}

// statsKey is one count of one tract: the set (a GROUPING bitmask, or
// affected=group, resolved) and its value.
type statsKey struct{ area, set, key string }

// levelStatsCounts flattens LevelStats into its non-zero counts.
func levelStatsCounts(stats []concernmap.AreaStats) map[statsKey]int64 {
	out := map[statsKey]int64{}
	add := func(area, set, key string, c concernmap.Count) {
		if c.N != 0 {
			out[statsKey{area, set, key}] = int64(c.N)
		}
	}
	for _, s := range stats {
		add(s.PCode, "total", "", s.Total)
		if s.ShareResolved != nil {
			// The share is resolved ÷ total; the product gives the count back.
			add(s.PCode, "resolved", "", concernmap.Count{N: int(math.Round(*s.ShareResolved * float64(s.Total.N)))})
		}
		for k, c := range s.ByCategory {
			add(s.PCode, "category", k, c)
		}
		for k, c := range s.ByStatus {
			add(s.PCode, "status", string(k), c)
		}
		for k, c := range s.BySeverity {
			add(s.PCode, "severity", k, c)
		}
		for k, c := range s.ByWhen {
			add(s.PCode, "when", string(k), c)
		}
		for k, c := range s.ByAffected {
			add(s.PCode, "affected", k, c)
		}
		for _, m := range s.Monthly {
			add(s.PCode, "month", m.Month, m.Count)
		}
	}
	return out
}

// compareCounts fails unless got and want hold the same counts.
func compareCounts[K comparable](tb testing.TB, name string, got, want map[K]int64) {
	tb.Helper()
	bad := 0
	for k, w := range want {
		if g := got[k]; g != w {
			if bad < 10 {
				tb.Errorf("%s: %+v: PostGIS %d, Go %d", name, k, g, w)
			}
			bad++
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			if bad < 10 {
				tb.Errorf("%s: %+v: PostGIS %d, Go none", name, k, g)
			}
			bad++
		}
	}
	if bad > 0 {
		tb.Fatalf("%s: %d of %d counts differ", name, bad, len(want))
	}
	tb.Logf("%s: PostGIS and Go agree on all %d counts", name, len(want))
}

// checkStats compares, once, LevelStats and the Go category×status counts
// with what the two SQL queries return.
func checkStats(b *testing.B, d *areaData) {
	checkAreasOnce("stats", func() {
		ctx := context.Background()
		stats, err := d.svc.LevelStats(ctx, concernmap.LevelVillageTract, concernmap.StatsFilter{})
		if err != nil {
			b.Fatal(err)
		}
		if len(stats) != len(d.tracts) {
			b.Fatalf("LevelStats: %d tracts, want %d", len(stats), len(d.tracts))
		}
		want := levelStatsCounts(stats)
		rows, err := queryStatsAll(ctx, d.pool, nil)
		if err != nil {
			b.Fatal(err)
		}
		got := map[statsKey]int64{}
		sets := map[int32]string{setCategory: "category", setStatus: "status", setSeverity: "severity", setWhen: "when", setMonth: "month"}
		for _, r := range rows {
			if r.g == setTotal {
				got[statsKey{r.area, "total", ""}] = r.n
				if r.resolved != 0 {
					got[statsKey{r.area, "resolved", ""}] = r.resolved
				}
				for i, n := range r.affected {
					if n != 0 {
						got[statsKey{r.area, "affected", concernmap.AffectedGroups[i]}] = n
					}
				}
				continue
			}
			got[statsKey{r.area, sets[r.g], r.key}] = r.n
		}
		compareCounts(b, "LevelStats against the GROUPING SETS query", got, want)

		// The category×status rows summed must give LevelStats' totals and
		// its counts by category and by status, and match the Go pass.
		csRows, err := queryStatsCategoryStatus(ctx, d.pool, nil)
		if err != nil {
			b.Fatal(err)
		}
		sums, cs := map[statsKey]int64{}, map[statsKey]int64{}
		for _, r := range csRows {
			sums[statsKey{r.area, "total", ""}] += r.n
			sums[statsKey{r.area, "category", r.category}] += r.n
			sums[statsKey{r.area, "status", string(r.status)}] += r.n
			cs[statsKey{r.area, r.category, string(r.status)}] = r.n
		}
		part := map[statsKey]int64{}
		for k, n := range want {
			if k.set == "total" || k.set == "category" || k.set == "status" {
				part[k] = n
			}
		}
		compareCounts(b, "LevelStats against the category×status query", sums, part)
		goCS := map[statsKey]int64{}
		perTract := eachCategoryStatus(d)
		for area, m := range perTract {
			for k, n := range m {
				goCS[statsKey{area, k.category, string(k.status)}] = n
			}
		}
		compareCounts(b, "Index.Each category×status against the same query", cs, goCS)
		b.Logf("GROUPING SETS: %d rows; category×status: %d rows; %d tracts hold concerns", len(rows), len(csRows), len(perTract))
		explain(b, d.pool, "stats, all counts", sqlStatsAll)
		explain(b, d.pool, "stats, category×status", sqlStatsCategoryStatus)
	})
}

// BenchmarkAreasLevelStats compares the statistics of all 20,000 tracts
// over the 1M concerns: impl=service is Service.LevelStats (every count
// it shows: total, category, status, severity, affected group,
// when_dangerous, month, resolved); impl=postgis-all counts the same in
// one GROUPING SETS statement; impl=postgis-category-status is the plain
// GROUP BY area, category, status, and impl=index-category-status makes
// those counts in Go, in one pass over the index.
func BenchmarkAreasLevelStats(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=service", func(b *testing.B) {
		d := withConcerns(b)
		checkStats(b, d)
		for b.Loop() {
			stats, err := d.svc.LevelStats(ctx, concernmap.LevelVillageTract, concernmap.StatsFilter{})
			if err != nil || len(stats) != len(d.tracts) {
				b.Fatalf("LevelStats: %d tracts, %v", len(stats), err)
			}
		}
	})
	b.Run("impl=postgis-all", func(b *testing.B) {
		d := withConcerns(b)
		checkStats(b, d)
		var rows []statsRow
		for b.Loop() {
			var err error
			if rows, err = queryStatsAll(ctx, d.pool, rows[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=index-category-status", func(b *testing.B) {
		d := withConcerns(b)
		checkStats(b, d)
		for b.Loop() {
			eachCategoryStatus(d)
		}
	})
	b.Run("impl=postgis-category-status", func(b *testing.B) {
		d := withConcerns(b)
		checkStats(b, d)
		var rows []categoryStatusRow
		for b.Loop() {
			var err error
			if rows, err = queryStatsCategoryStatus(ctx, d.pool, rows[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// --- 3. Hotspots ------------------------------------------------------------

// giStarSQL finishes Gi* in SQL from x (unit, x) over every unit and w
// (unit, nb), the binary weights with each unit its own neighbour: the
// mean and population standard deviation of x, then for each unit
// Σ_j w_ij (x_j − X̄) / (S·√(W(n−W)/(n−1))) with W its number of
// weights, as hotspot.GiStar computes z. It leaves out p-values, which
// need erfc (PostgreSQL 16), and classes, a CASE on z.
const giStarSQL = `g AS (SELECT count(*)::float8 AS n, avg(x) AS mean, stddev_pop(x) AS s FROM x)
SELECT w.unit, sum(v.x - g.mean) / (g.s * sqrt(count(*) * (g.n - count(*)) / (g.n - 1))) AS z
FROM w JOIN x v ON v.unit = w.nb CROSS JOIN g
GROUP BY w.unit, g.n, g.mean, g.s`

// sqlTractHotspots is AreaHotspots in SQL: x is the number of concerns in
// each tract, w the neighbours import stored in areas.neighbors, and the
// tract itself.
const sqlTractHotspots = `WITH counts AS (
	SELECT area, count(*) AS n FROM concerns WHERE deleted_at IS NULL AND area IS NOT NULL GROUP BY area),
x AS (SELECT a.pcode AS unit, a.neighbors, coalesce(counts.n, 0)::float8 AS x
	FROM areas a LEFT JOIN counts ON counts.area = a.pcode WHERE a.level = 'village_tract'),
w AS (SELECT x.unit, nb FROM x, unnest(x.neighbors || x.unit) AS nb),
` + giStarSQL

// gridHotspotsSQL is GridHotspots in SQL over the points of bench_points
// (each concern's representative point, the point GridHotspots counts):
// the cell of each point as hotspot.Grid.Cell finds it (grid line k is at
// origin + k·size; the last column and row hold their far edge), counts
// per cell, every cell of the grid, and the 8 surrounding cells as
// neighbours. The grid goes in as constants, so that the planner knows how
// many cells generate_series makes.
func gridHotspotsSQL(g hotspot.Grid) string {
	f := func(v float64) string { return "float8 '" + strconv.FormatFloat(v, 'g', -1, 64) + "'" }
	return strings.NewReplacer("x0", f(g.MinX), "y0", f(g.MinY), "size", f(g.Size),
		"cols", strconv.Itoa(g.Cols), "rows", strconv.Itoa(g.Rows)).Replace(`WITH k AS (
	SELECT x, y, floor((x - x0) / size)::int AS kc, floor((y - y0) / size)::int AS kr
	FROM (SELECT ST_X(geom) AS x, ST_Y(geom) AS y FROM bench_points) pt
	WHERE x >= x0 AND x <= x0 + cols * size AND y >= y0 AND y <= y0 + rows * size),
cell AS (
	SELECT least(CASE WHEN kc > 0 AND x < x0 + kc * size THEN kc - 1
			WHEN kc < cols - 1 AND x >= x0 + (kc + 1) * size THEN kc + 1 ELSE kc END, cols - 1) AS c,
		least(CASE WHEN kr > 0 AND y < y0 + kr * size THEN kr - 1
			WHEN kr < rows - 1 AND y >= y0 + (kr + 1) * size THEN kr + 1 ELSE kr END, rows - 1) AS r
	FROM k),
counts AS (SELECT c, r, count(*) AS n FROM cell GROUP BY c, r),
x AS (SELECT r * cols + c AS unit, c, r, coalesce(counts.n, 0)::float8 AS x
	FROM generate_series(0, cols - 1) AS c CROSS JOIN generate_series(0, rows - 1) AS r
	LEFT JOIN counts USING (c, r)),
w AS (SELECT x.unit, (x.r + o.dr) * cols + x.c + o.dc AS nb
	FROM x CROSS JOIN (VALUES (-1, -1), (0, -1), (1, -1), (-1, 0), (0, 0), (1, 0), (-1, 1), (0, 1), (1, 1)) AS o(dc, dr)
	WHERE x.c + o.dc BETWEEN 0 AND cols - 1 AND x.r + o.dr BETWEEN 0 AND rows - 1),
` + giStarSQL)
}

// hotspotGrid returns the grid of the grid benchmarks.
func hotspotGrid(tb testing.TB) hotspot.Grid {
	g, err := hotspot.NewGrid(tilingBound, gridCell)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// queryZ runs a Gi* statement into z, by unit.
func queryZ[U comparable](ctx context.Context, pool *pgxpool.Pool, z map[U]float64, sql string, args ...any) error {
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		unit U
		v    float64
	)
	for rows.Next() {
		if err := rows.Scan(&unit, &v); err != nil {
			return err
		}
		z[unit] = v
	}
	return rows.Err()
}

// compareZ fails unless got and want have the same units and z-scores
// within maxZDiff.
func compareZ[U comparable](tb testing.TB, name string, got, want map[U]float64) {
	tb.Helper()
	bad, worst, hot := 0, 0.0, 0
	for u, w := range want {
		g, ok := got[u]
		d := math.Abs(g - w)
		worst = max(worst, d)
		if !ok || !(d <= maxZDiff) {
			if bad < 10 {
				tb.Errorf("%s: unit %v: PostGIS z=%v, Go z=%v", name, u, g, w)
			}
			bad++
		}
		if w >= hotspot.Z95 {
			hot++
		}
	}
	if len(got) != len(want) {
		tb.Errorf("%s: PostGIS gave %d units, Go %d", name, len(got), len(want))
		bad++
	}
	if bad > 0 {
		tb.Fatalf("%s: %d of %d units differ", name, bad, len(want))
	}
	tb.Logf("%s: PostGIS and Go agree on all %d z-scores; largest difference %.3g; %d hot at 95%%", name, len(want), worst, hot)
}

// BenchmarkAreasHotspots compares Gi* from the 1M concerns, end to end:
// units=tracts is Service.AreaHotspots (counts per tract, the queen
// neighbours import found, Gi*) against sqlTractHotspots; units=grid is
// Service.GridHotspots over about 100,000 cells of 0.011° against
// gridHotspotsSQL.
func BenchmarkAreasHotspots(b *testing.B) {
	ctx := context.Background()
	b.Run("units=tracts/impl=service", func(b *testing.B) {
		d := withConcerns(b)
		checkTractHotspots(b, d)
		for b.Loop() {
			if _, err := d.svc.AreaHotspots(ctx, concernmap.LevelVillageTract, concernmap.StatsFilter{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("units=tracts/impl=postgis", func(b *testing.B) {
		d := withConcerns(b)
		checkTractHotspots(b, d)
		z := map[string]float64{}
		for b.Loop() {
			if err := queryZ(ctx, d.pool, z, sqlTractHotspots); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("units=grid/impl=service", func(b *testing.B) {
		d := assigned(b)
		withPoints(b)
		checkGridHotspots(b, d)
		g := hotspotGrid(b)
		for b.Loop() {
			if _, err := d.svc.GridHotspots(ctx, tilingBound, g.Size, concernmap.StatsFilter{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("units=grid/impl=postgis", func(b *testing.B) {
		d := assigned(b)
		withPoints(b)
		checkGridHotspots(b, d)
		sql := gridHotspotsSQL(hotspotGrid(b))
		z := map[int32]float64{}
		for b.Loop() {
			if err := queryZ(ctx, d.pool, z, sql); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func checkTractHotspots(b *testing.B, d *areaData) {
	checkAreasOnce("tract hotspots", func() {
		ctx := context.Background()
		res, err := d.svc.AreaHotspots(ctx, concernmap.LevelVillageTract, concernmap.StatsFilter{})
		if err != nil {
			b.Fatal(err)
		}
		want := map[string]float64{}
		for _, h := range res {
			want[h.PCode] = h.Z
		}
		got := map[string]float64{}
		if err := queryZ(ctx, d.pool, got, sqlTractHotspots); err != nil {
			b.Fatal(err)
		}
		compareZ(b, "tract hotspots", got, want)
		explain(b, d.pool, "tract hotspots", sqlTractHotspots)
	})
}

func checkGridHotspots(b *testing.B, d *areaData) {
	checkAreasOnce("grid hotspots", func() {
		ctx := context.Background()
		g := hotspotGrid(b)
		res, err := d.svc.GridHotspots(ctx, tilingBound, g.Size, concernmap.StatsFilter{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res) != g.Cols*g.Rows {
			b.Fatalf("GridHotspots: %d cells, want %d × %d", len(res), g.Cols, g.Rows)
		}
		want := map[int32]float64{}
		for _, h := range res {
			want[int32(h.Cell[1]*g.Cols+h.Cell[0])] = h.Z
		}
		got := map[int32]float64{}
		if err := queryZ(ctx, d.pool, got, gridHotspotsSQL(g)); err != nil {
			b.Fatal(err)
		}
		compareZ(b, fmt.Sprintf("grid hotspots (%d × %d cells)", g.Cols, g.Rows), got, want)
		explain(b, d.pool, "grid hotspots", gridHotspotsSQL(g))
	})
}

// giInputs are the values and weights of one Gi* computation, in Go and
// in the tables gi_x_<name> (unit, x) and gi_w_<name> (unit, nb) with each
// unit its own neighbour.
type giInputs struct {
	x []float64
	w hotspot.Weights
}

var (
	giOnce  sync.Once
	giErr   error
	giUnits map[string]giInputs
)

// giTables builds the inputs of BenchmarkAreasGiStar from the assigned
// concerns: per tract counts with the import's neighbours, and per cell
// counts with the grid's 8 surrounding cells; and copies them into PostGIS.
func giTables(tb testing.TB) map[string]giInputs {
	tb.Helper()
	d := assigned(tb)
	giOnce.Do(func() {
		units := map[string]giInputs{}
		pos := make(map[string]int, len(d.tracts))
		for i, a := range d.tracts {
			pos[a.PCode] = i
		}
		tracts := giInputs{x: make([]float64, len(d.tracts)), w: hotspot.Weights{Neighbors: make([][]int, len(d.tracts))}}
		for _, c := range d.concerns {
			if i, ok := pos[c.Area]; ok {
				tracts.x[i]++
			}
		}
		for i, a := range d.tracts {
			stored, _ := d.areas.Find(a.PCode)
			for _, n := range stored.Neighbors {
				tracts.w.Neighbors[i] = append(tracts.w.Neighbors[i], pos[n])
			}
		}
		units["tracts"] = tracts

		g := hotspotGrid(tb)
		grid := giInputs{x: make([]float64, g.Cols*g.Rows)}
		for _, p := range d.points {
			if col, row, ok := g.Cell(p); ok {
				grid.x[row*g.Cols+col]++
			}
		}
		cells := make([][2]int, 0, len(grid.x))
		for row := range g.Rows {
			for col := range g.Cols {
				cells = append(cells, [2]int{col, row})
			}
		}
		grid.w = g.DistanceBand(cells, 1.5)
		units["grid"] = grid

		ctx := context.Background()
		for name, in := range units {
			if _, giErr = d.pool.Exec(ctx, fmt.Sprintf(`CREATE TABLE gi_x_%[1]s (unit int PRIMARY KEY, x float8 NOT NULL);
				CREATE TABLE gi_w_%[1]s (unit int NOT NULL, nb int NOT NULL)`, name)); giErr != nil {
				return
			}
			if _, giErr = d.pool.CopyFrom(ctx, pgx.Identifier{"gi_x_" + name}, []string{"unit", "x"},
				pgx.CopyFromSlice(len(in.x), func(i int) ([]any, error) { return []any{int32(i), in.x[i]}, nil })); giErr != nil {
				return
			}
			var pairs [][]any
			for i, nb := range in.w.Neighbors {
				pairs = append(pairs, []any{int32(i), int32(i)})
				for _, j := range nb {
					pairs = append(pairs, []any{int32(i), int32(j)})
				}
			}
			if _, giErr = d.pool.CopyFrom(ctx, pgx.Identifier{"gi_w_" + name}, []string{"unit", "nb"}, pgx.CopyFromRows(pairs)); giErr != nil {
				return
			}
			for _, table := range []string{"gi_x_" + name, "gi_w_" + name} {
				if _, giErr = d.pool.Exec(ctx, `VACUUM ANALYZE `+table); giErr != nil {
					return
				}
			}
			tb.Logf("gi_x_%s: %d units; gi_w_%s: %d weights, self included", name, len(in.x), name, len(pairs))
		}
		giUnits = units
	})
	if giErr != nil {
		tb.Fatalf("gi tables: %v", giErr)
	}
	return giUnits
}

func sqlGiStar(name string) string {
	return fmt.Sprintf(`WITH x AS (SELECT unit, x FROM gi_x_%[1]s), w AS (SELECT unit, nb FROM gi_w_%[1]s), `, name) + giStarSQL
}

// BenchmarkAreasGiStar compares Gi* alone, on the same values and weights:
// hotspot.GiStar against giStarSQL over tables of them.
func BenchmarkAreasGiStar(b *testing.B) {
	ctx := context.Background()
	for _, name := range []string{"tracts", "grid"} {
		b.Run("units="+name+"/impl=hotspot", func(b *testing.B) {
			in := giTables(b)[name]
			checkGiStar(b, name)
			for b.Loop() {
				if _, err := hotspot.GiStar(in.x, in.w); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("units="+name+"/impl=postgis", func(b *testing.B) {
			d := assigned(b)
			giTables(b)
			checkGiStar(b, name)
			z := map[int32]float64{}
			for b.Loop() {
				if err := queryZ(ctx, d.pool, z, sqlGiStar(name)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func checkGiStar(b *testing.B, name string) {
	checkAreasOnce("gistar "+name, func() {
		in := giTables(b)[name]
		res, err := hotspot.GiStar(in.x, in.w)
		if err != nil {
			b.Fatal(err)
		}
		want := map[int32]float64{}
		for i, r := range res {
			want[int32(i)] = r.Z
		}
		pool := assigned(b).pool
		got := map[int32]float64{}
		if err := queryZ(context.Background(), pool, got, sqlGiStar(name)); err != nil {
			b.Fatal(err)
		}
		compareZ(b, "GiStar "+name, got, want)
		explain(b, pool, "GiStar "+name, sqlGiStar(name))
	})
}

// sqlContiguity finds queen contiguity in PostGIS: pairs of tracts whose
// boundaries come within the service's tolerance, through the GiST index.
const sqlContiguity = `SELECT a.pcode, b.pcode FROM areas a JOIN areas b
	ON ST_DWithin(a.geom, b.geom, $1) AND a.pcode < b.pcode
	WHERE a.level = 'village_tract' AND b.level = 'village_tract'`

// BenchmarkAreasWeights measures the weights Gi* needs, which the service
// finds once, at import: queen contiguity of the 20,000 tracts
// (hotspot.QueenContiguity against ST_DWithin in PostGIS), and the
// distance band of the grid (hotspot.Grid.DistanceBand; gridHotspotsSQL
// joins the 8 offsets instead).
func BenchmarkAreasWeights(b *testing.B) {
	polys := func(d *areaData) []orb.MultiPolygon {
		out := make([]orb.MultiPolygon, len(d.tracts))
		for i, a := range d.tracts {
			out[i] = a.Geometry
		}
		return out
	}
	b.Run("units=tracts/impl=hotspot", func(b *testing.B) {
		d := imported(b)
		checkContiguity(b, d)
		ps := polys(d)
		for b.Loop() {
			hotspot.QueenContiguity(ps, neighbourTolerance)
		}
	})
	b.Run("units=tracts/impl=postgis", func(b *testing.B) {
		d := imported(b)
		checkContiguity(b, d)
		ctx := context.Background()
		for b.Loop() {
			rows, err := d.pool.Query(ctx, sqlContiguity, neighbourTolerance)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := pgx.CollectRows(rows, scanPair); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("units=grid/impl=hotspot", func(b *testing.B) {
		g := hotspotGrid(b)
		cells := make([][2]int, 0, g.Cols*g.Rows)
		for row := range g.Rows {
			for col := range g.Cols {
				cells = append(cells, [2]int{col, row})
			}
		}
		for b.Loop() {
			g.DistanceBand(cells, 1.5)
		}
	})
}

// checkContiguity compares the neighbours import stored with those
// sqlContiguity finds.
func checkContiguity(b *testing.B, d *areaData) {
	checkAreasOnce("contiguity", func() {
		want := map[[2]string]int64{}
		for _, a := range d.tracts {
			stored, _ := d.areas.Find(a.PCode)
			for _, n := range stored.Neighbors {
				if a.PCode < n {
					want[[2]string{a.PCode, n}] = 1
				}
			}
		}
		rows, err := d.pool.Query(context.Background(), sqlContiguity, neighbourTolerance)
		if err != nil {
			b.Fatal(err)
		}
		pairs, err := pgx.CollectRows(rows, scanPair)
		if err != nil {
			b.Fatal(err)
		}
		got := map[[2]string]int64{}
		for _, p := range pairs {
			got[p] = 1
		}
		compareCounts(b, "queen contiguity", got, want)
		explain(b, d.pool, "contiguity", sqlContiguity, neighbourTolerance)
	})
}

func scanPair(r pgx.CollectableRow) ([2]string, error) {
	var p [2]string
	err := r.Scan(&p[0], &p[1])
	return p, err
}
