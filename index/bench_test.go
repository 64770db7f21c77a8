package index

// Benchmarks recorded in BENCHMARKS.md: the index against the same queries
// in PostGIS over one million demo concerns, start-up load and memory.
// scripts/bench.sh runs them. Every data set is built lazily, once per
// process, so `go test` without -bench pays nothing for them.

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"
	"github.com/paulmach/orb/maptile"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/bolt"
	"github.com/concernmap/concernmap/demo"
	"github.com/concernmap/concernmap/geo"
	"github.com/concernmap/concernmap/postgis"
	"github.com/concernmap/concernmap/postgis/postgistest"
)

// The data set is the one `benchdata seed` writes for the HTTP benchmark:
// the same generator, seed and sizes give the same concerns.
const (
	benchCount    = 1_000_000
	benchVillages = 2000
	benchSeed     = 1
	// The query box is the zoom-12 tile, about 0.088° wide here, around the
	// village whose tile holds the number of concerns closest to boxTarget.
	boxZoom   = 12
	boxTarget = 1500
	pageLimit = concernmap.MaxLimit
)

var pgbenchTime = flag.Duration("pgbench.time", 15*time.Second, "how long each pgbench run of BenchmarkCollection lasts")

// benchData is the generated data set and the query box picked from it.
type benchData struct {
	concerns []*concernmap.Concern
	village  demo.Village
	box      orb.Bound
	boxHits  int
}

var (
	dataOnce sync.Once
	data     benchData
	dataErr  error
)

func loadData(tb testing.TB) *benchData {
	tb.Helper()
	dataOnce.Do(func() {
		start := time.Now()
		villages, err := demo.Villages(benchVillages, benchSeed)
		if err != nil {
			dataErr = err
			return
		}
		gen := demo.NewGenerator(villages, benchSeed)
		cs := make([]*concernmap.Concern, benchCount)
		for i := range cs {
			cs[i] = gen.Next()
		}
		v, box, hits := pickBox(villages, cs)
		data = benchData{concerns: cs, village: villages[v], box: box, boxHits: hits}
		tb.Logf("generated %d concerns around %d villages in %v", len(cs), len(villages), time.Since(start).Round(time.Millisecond))
		tb.Logf("bbox=%s hits=%d village=%q center=%v", formatBound(box), hits, data.village.Name, data.village.Center)
	})
	if dataErr != nil {
		tb.Fatalf("generate: %v", dataErr)
	}
	return &data
}

// pickBox returns the village whose zoom-12 tile holds the number of
// concerns closest to boxTarget (the first on a tie), the tile's bound and
// that number. cmd/benchdata has the same function, so the HTTP benchmark
// queries the same box.
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

func formatBound(b orb.Bound) string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	return f(b.Min[0]) + "," + f(b.Min[1]) + "," + f(b.Max[0]) + "," + f(b.Max[1])
}

var (
	indexOnce sync.Once
	benchIdx  *Index
)

// loadIndex returns an index of the whole data set.
func loadIndex(tb testing.TB) *Index {
	tb.Helper()
	d := loadData(tb)
	indexOnce.Do(func() {
		start := time.Now()
		x := New()
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
		benchIdx = x
		tb.Logf("indexed %d concerns in %v", x.Len(), time.Since(start).Round(time.Millisecond))
	})
	return benchIdx
}

// processTB keeps a database from MustOpenDB for the whole process: the
// data set is shared by every benchmark, and the harness removes its
// cluster, with the database, when the tests end.
type processTB struct{ testing.TB }

func (processTB) Cleanup(func()) {}

var (
	pgOnce sync.Once
	pg     struct {
		url  string
		db   *postgis.DB   // the store, for Service.Load
		pool *pgxpool.Pool // for the queries; no parallel workers
	}
	pgErr error
)

// loadPostGIS returns a database holding the whole data set.
func loadPostGIS(tb testing.TB) (*postgis.DB, *pgxpool.Pool) {
	tb.Helper()
	d := loadData(tb)
	pgOnce.Do(func() { pgErr = fillPostGIS(tb, d) })
	if pgErr != nil {
		tb.Fatalf("postgis: %v", pgErr)
	}
	return pg.db, pg.pool
}

var copyColumns = []string{"id", "category", "geom", "title", "description", "severity", "status", "affected",
	"when_kind", "when_from", "when_to", "observed_at", "reported_at", "updated_at", "reporter", "version"}

func fillPostGIS(tb testing.TB, d *benchData) error {
	ctx := context.Background()
	url := postgistest.MustOpenDB(processTB{tb})
	db, err := postgis.Open(ctx, url)
	if err != nil {
		return err
	}
	var version, postgisVersion string
	if err := db.Pool().QueryRow(ctx, `SELECT current_setting('server_version'), postgis_full_version()`).Scan(&version, &postgisVersion); err != nil {
		return err
	}
	tb.Logf("PostgreSQL %s; %s", version, postgisVersion)

	// COPY into the table and one GiST build afterwards is several times
	// faster than COPY into an indexed table. COPY takes EWKB for the
	// geometry column as it is.
	start := time.Now()
	if _, err := db.Pool().Exec(ctx, `DROP INDEX concerns_geom_idx`); err != nil {
		return err
	}
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
			c.ObservedAt, c.ReportedAt, c.UpdatedAt, c.Reporter, int32(c.Version)}, nil
	})
	n, err := db.Pool().CopyFrom(ctx, pgx.Identifier{"concerns"}, copyColumns, rows)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	copied := time.Since(start)
	err = pgx.BeginFunc(ctx, db.Pool(), func(tx pgx.Tx) error {
		var name string
		for _, q := range []string{
			`SET LOCAL maintenance_work_mem = '512MB'`,
			`CREATE INDEX concerns_geom_idx ON concerns USING gist (geom)`,
			`ANALYZE concerns`,
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		// Sessions opened by others (the store's pool, pgbench) get no
		// parallel workers either.
		if err := tx.QueryRow(ctx, `SELECT current_database()`).Scan(&name); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `ALTER DATABASE `+pgx.Identifier{name}.Sanitize()+` SET max_parallel_workers_per_gather = 0`)
		return err
	})
	if err != nil {
		return err
	}
	tb.Logf("postgis: copied %d concerns in %v, built the GiST index and analyzed in %v",
		n, copied.Round(time.Millisecond), (time.Since(start) - copied).Round(time.Millisecond))

	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return err
	}
	// On two cores a parallel plan makes PostGIS about three times slower
	// under concurrent load.
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, `SET max_parallel_workers_per_gather = 0`)
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	pg.url, pg.db, pg.pool = url, db, pool
	return nil
}

var (
	boltOnce sync.Once
	boltDB   *bolt.DB
	boltErr  error
)

// loadBolt returns an embedded store holding the whole data set. Its file
// is unlinked once written: the open store keeps it until the process
// exits, and nothing is left behind.
func loadBolt(tb testing.TB) *bolt.DB {
	tb.Helper()
	d := loadData(tb)
	boltOnce.Do(func() {
		start := time.Now()
		dir, err := os.MkdirTemp("", "concernmap-bench-")
		if err != nil {
			boltErr = err
			return
		}
		defer os.RemoveAll(dir)
		db, err := bolt.Open(filepath.Join(dir, "concernmap.db"))
		if err != nil {
			boltErr = err
			return
		}
		// In ID order every batch appends to the B+tree, as `benchdata seed` does.
		cs := slices.Clone(d.concerns)
		slices.SortFunc(cs, func(a, b *concernmap.Concern) int { return bytes.Compare(a.ID[:], b.ID[:]) })
		for i := 0; i < len(cs); i += 100_000 {
			if _, err := db.CreateConcerns(context.Background(), cs[i:min(i+100_000, len(cs))]); err != nil {
				db.Close()
				boltErr = err
				return
			}
		}
		boltDB = db
		tb.Logf("bolt: wrote %d concerns in %v", len(cs), time.Since(start).Round(time.Millisecond))
	})
	if boltErr != nil {
		tb.Fatalf("bolt: %v", boltErr)
	}
	return boltDB
}

// The PostGIS queries. A page asks for one row more than the limit, as
// Find does, to know whether another page follows.
const (
	sqlBBoxAll  = `SELECT id FROM concerns WHERE deleted_at IS NULL AND ST_Intersects(geom, ST_MakeEnvelope($1, $2, $3, $4, 4326))`
	sqlBBoxPage = sqlBBoxAll + ` ORDER BY id LIMIT 1001`

	sqlRadiusAll  = `SELECT id FROM concerns WHERE deleted_at IS NULL AND ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, $3)`
	sqlRadiusPage = sqlRadiusAll + ` ORDER BY id LIMIT 1001`
	// The geography cast cannot use the geometry GiST index; a box around
	// the circle (the one the index searches) lets it.
	sqlRadiusBoxAll = `SELECT id FROM concerns WHERE deleted_at IS NULL AND geom && ST_MakeEnvelope($4, $5, $6, $7, 4326)
		AND ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, $3)`
	sqlRadiusBoxPage = sqlRadiusBoxAll + ` ORDER BY id LIMIT 1001`
)

// queryIDs runs a query of IDs and returns them.
func queryIDs(pool *pgxpool.Pool, ids [][16]byte, sql string, args ...any) ([][16]byte, error) {
	rows, err := pool.Query(context.Background(), sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var id [16]byte
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// countBBox counts the matches of a bbox query the way Find searches, but
// neither sorts nor pages them: the R-tree and filter part of Find's cost.
func countBBox(x *Index, f *concernmap.ConcernFilter) int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	m := x.compile(f)
	b := *f.BBox
	min, max := [2]float32{down(b.Min[0]), down(b.Min[1])}, [2]float32{up(b.Max[0]), up(b.Max[1])}
	n := 0
	x.tree.Search(min, max, func(emin, emax [2]float32, l leaf) bool {
		if e := l.e; m.attrs(e) && (within(emin, emax, b) || inBound(e, b)) {
			n++
		}
		return true
	})
	return n
}

// countNear is countBBox for a radius query.
func countNear(x *Index, f *concernmap.ConcernFilter) int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	m := x.compile(f)
	boxes := geo.RadiusBounds(*f.Near, f.Radius)
	n := 0
	for i, b := range boxes {
		min, max := [2]float32{down(b.Min[0]), down(b.Min[1])}, [2]float32{up(b.Max[0]), up(b.Max[1])}
		x.tree.Search(min, max, func(_, _ [2]float32, l leaf) bool {
			if e := l.e; (i == 0 || !boxesHold(boxes[:i], e)) && m.attrs(e) && geo.DistanceWithin(e.geom, *f.Near, f.Radius) {
				n++
			}
			return true
		})
	}
	return n
}

// allIDs returns every match of f in ID order, through Find.
func allIDs(x *Index, f concernmap.ConcernFilter) [][16]byte {
	f.Limit = math.MaxInt32
	var ids [][16]byte
	for _, doc := range x.Find(&f).Features {
		ids = append(ids, featureID(doc))
	}
	return ids
}

var featureIDRE = regexp.MustCompile(`^\{"type":"Feature","id":"([0-9a-f-]{36})"`)

func featureID(doc []byte) [16]byte {
	var id [16]byte
	m := featureIDRE.FindSubmatch(doc)
	if m == nil {
		return id
	}
	hex := bytes.ReplaceAll(m[1], []byte("-"), nil)
	for i := range id {
		v, _ := strconv.ParseUint(string(hex[2*i:2*i+2]), 16, 8)
		id[i] = byte(v)
	}
	return id
}

// checkSame fails unless the index and PostGIS find the same concerns, so
// that the figures compare equal answers.
func checkSame(tb testing.TB, name string, index, postgis [][16]byte) {
	tb.Helper()
	slices.SortFunc(postgis, func(a, b [16]byte) int { return bytes.Compare(a[:], b[:]) })
	if !slices.Equal(index, postgis) {
		tb.Fatalf("%s: index found %d concerns, PostGIS %d, or different ones", name, len(index), len(postgis))
	}
	tb.Logf("%s: index and PostGIS agree on %d concerns", name, len(index))
}

// radii are the radius queries, around the village of the bbox query.
var radii = []struct {
	name   string
	meters float64
}{{"500m", 500}, {"5km", 5000}}

// query is one query of the comparison: the index's filter and the
// arguments of the PostGIS statements.
type query struct {
	filter  concernmap.ConcernFilter // Limit is the page size
	args    []any                    // of the bbox or ST_DWithin statements
	boxArgs []any                    // of the ST_DWithin statements with a box
	hits    int
}

var (
	queriesOnce sync.Once
	queries     map[string]*query
)

// loadQueries loads everything the query benchmarks need and checks, once,
// that the index and PostGIS give the same answers. Setup runs in the
// first leaf benchmark, whose log is printed without -v.
func loadQueries(b *testing.B) (*Index, *pgxpool.Pool, map[string]*query) {
	b.Helper()
	d := loadData(b)
	x := loadIndex(b)
	_, pool := loadPostGIS(b)
	queriesOnce.Do(func() {
		qs := map[string]*query{}
		box := d.box
		qs["bbox"] = &query{
			filter: concernmap.ConcernFilter{BBox: &box, Limit: pageLimit},
			args:   []any{box.Min[0], box.Min[1], box.Max[0], box.Max[1]},
		}
		at := d.village.Center
		for _, r := range radii {
			boxes := geo.RadiusBounds(at, r.meters)
			if len(boxes) != 1 {
				b.Fatalf("radius %s: %d boxes", r.name, len(boxes))
			}
			args := []any{at[0], at[1], r.meters}
			qs["radius "+r.name] = &query{
				filter:  concernmap.ConcernFilter{Near: &at, Radius: r.meters, Limit: pageLimit},
				args:    args,
				boxArgs: append(slices.Clone(args), boxes[0].Min[0], boxes[0].Min[1], boxes[0].Max[0], boxes[0].Max[1]),
			}
		}
		for name, q := range qs {
			want := allIDs(x, q.filter)
			q.hits = len(want)
			sqls := map[string][]any{sqlBBoxAll: q.args}
			if q.filter.Near != nil {
				sqls = map[string][]any{sqlRadiusAll: q.args, sqlRadiusBoxAll: q.boxArgs}
			}
			for sql, args := range sqls {
				ids, err := queryIDs(pool, nil, sql, args...)
				if err != nil {
					b.Fatal(err)
				}
				checkSame(b, name, want, ids)
			}
		}
		if qs["bbox"].hits != d.boxHits {
			b.Fatalf("bbox: %d hits, pickBox counted %d", qs["bbox"].hits, d.boxHits)
		}
		queries = qs
	})
	if queries == nil {
		b.Fatal("query setup failed")
	}
	return x, pool, queries
}

// BenchmarkBBox compares a bbox list over 1M concerns: a page of 1,000 in
// ID order, as the API asks, and every match unordered.
func BenchmarkBBox(b *testing.B) {
	benchQuery(b, "bbox", sqlBBoxPage, sqlBBoxAll, "", "", countBBox)
}

// BenchmarkRadius compares geodesic radius queries around the village of
// the bbox benchmark. impl=postgis is ST_DWithin on geography, which the
// geometry GiST index cannot serve; impl=postgis-box adds the bounding box
// the index searches, which it can.
func BenchmarkRadius(b *testing.B) {
	for _, r := range radii {
		b.Run("r="+r.name, func(b *testing.B) {
			benchQuery(b, "radius "+r.name, sqlRadiusPage, sqlRadiusAll, sqlRadiusBoxPage, sqlRadiusBoxAll, countNear)
		})
	}
}

// benchQuery runs the sub-benchmarks of one query: query=page, a page in
// ID order (Find; ORDER BY id LIMIT 1001), and query=all, every match
// unordered (the index's search without Find's sort and page; every ID).
func benchQuery(b *testing.B, name, sqlPage, sqlAll, sqlBoxPage, sqlBoxAll string, count func(*Index, *concernmap.ConcernFilter) int) {
	b.Run("query=page", func(b *testing.B) {
		b.Run("impl=index", func(b *testing.B) {
			x, _, qs := loadQueries(b)
			q := qs[name]
			b.ReportAllocs()
			for b.Loop() {
				if p := x.Find(&q.filter); len(p.Features) != min(q.hits, pageLimit) {
					b.Fatalf("got %d features", len(p.Features))
				}
			}
		})
		b.Run("impl=postgis", func(b *testing.B) {
			_, pool, qs := loadQueries(b)
			benchSQL(b, pool, min(qs[name].hits, pageLimit+1), sqlPage, qs[name].args...)
		})
		if sqlBoxPage != "" {
			b.Run("impl=postgis-box", func(b *testing.B) {
				_, pool, qs := loadQueries(b)
				benchSQL(b, pool, min(qs[name].hits, pageLimit+1), sqlBoxPage, qs[name].boxArgs...)
			})
		}
	})
	b.Run("query=all", func(b *testing.B) {
		b.Run("impl=index", func(b *testing.B) {
			x, _, qs := loadQueries(b)
			q := qs[name]
			b.ReportAllocs()
			for b.Loop() {
				if n := count(x, &q.filter); n != q.hits {
					b.Fatalf("got %d hits, want %d", n, q.hits)
				}
			}
		})
		b.Run("impl=postgis", func(b *testing.B) {
			_, pool, qs := loadQueries(b)
			benchSQL(b, pool, qs[name].hits, sqlAll, qs[name].args...)
		})
		if sqlBoxAll != "" {
			b.Run("impl=postgis-box", func(b *testing.B) {
				_, pool, qs := loadQueries(b)
				benchSQL(b, pool, qs[name].hits, sqlBoxAll, qs[name].boxArgs...)
			})
		}
	})
}

var checked sync.Map

// checkOnce runs a correctness check once per process, outside any timing.
func checkOnce(name string, check func()) {
	if _, done := checked.LoadOrStore(name, true); !done {
		check()
	}
}

// benchSQL times a query of IDs that must return want rows.
func benchSQL(b *testing.B, pool *pgxpool.Pool, want int, sql string, args ...any) {
	b.ReportAllocs()
	ids := make([][16]byte, 0, want)
	for b.Loop() {
		var err error
		ids, err = queryIDs(pool, ids[:0], sql, args...)
		if err != nil {
			b.Fatal(err)
		}
		if len(ids) != want {
			b.Fatalf("got %d rows, want %d", len(ids), want)
		}
	}
}

// collectionSQL builds in PostgreSQL the FeatureCollection that
// GET /api/v1/concerns?bbox=...&limit=1000 answers: the same features, in
// ID order, with the affected groups as names. Without hideSensitive it is
// what an admin sees; with it, what an advocate sees, who is not shown
// concerns of sensitive categories.
func collectionSQL(box orb.Bound, hideSensitive bool) string {
	groups := make([]string, len(concernmap.AffectedGroups))
	for i, g := range concernmap.AffectedGroups {
		groups[i] = "'" + g + "'"
	}
	where := fmt.Sprintf("ST_Intersects(geom, ST_MakeEnvelope(%s, 4326))", strings.ReplaceAll(formatBound(box), ",", ", "))
	if hideSensitive {
		where += " AND category NOT IN (SELECT key FROM categories WHERE sensitive)"
	}
	return `SELECT json_build_object('type', 'FeatureCollection',
	'features', coalesce(json_agg(f.feature ORDER BY f.id), '[]'::json),
	'numberReturned', count(*))
FROM (
	SELECT id, json_build_object('type', 'Feature', 'id', id, 'geometry', ST_AsGeoJSON(geom)::json,
		'properties', json_build_object('category', category, 'title', title, 'description', description,
			'severity', severity, 'status', status,
			'affected', ARRAY(SELECT g FROM unnest(ARRAY[` + strings.Join(groups, ", ") + `]) WITH ORDINALITY AS a(g, i)
				WHERE affected & (1 << (i::int - 1)) <> 0 ORDER BY i),
			'when_dangerous', CASE WHEN when_kind = 'window'
				THEN json_build_object('kind', when_kind, 'from', to_char(make_interval(mins => when_from), 'HH24:MI'),
					'to', to_char(make_interval(mins => when_to), 'HH24:MI'))
				ELSE json_build_object('kind', when_kind) END,
			'observed_at', observed_at, 'reported_at', reported_at, 'updated_at', updated_at,
			'area', area, 'version', version)) AS feature
	FROM concerns
	WHERE deleted_at IS NULL AND ` + where + `
	ORDER BY id
	LIMIT 1000
) f;
`
}

var tpsRE = regexp.MustCompile(`(?m)^tps = ([0-9.]+)`)

// BenchmarkCollection measures PostGIS building the FeatureCollection that
// the HTTP benchmark (wrk, in scripts/bench.sh) asks concernmap for, with
// pgbench: 8 clients, 2 threads, -pgbench.time long. It reports requests
// per second, for the two viewers the HTTP benchmark signs in as.
func BenchmarkCollection(b *testing.B) {
	for _, v := range []struct {
		name          string
		hideSensitive bool
	}{{"advocate", true}, {"admin", false}} {
		b.Run("viewer="+v.name+"/impl=postgis-pgbench", func(b *testing.B) {
			benchCollection(b, v.name, v.hideSensitive)
		})
	}
}

func benchCollection(b *testing.B, viewer string, hideSensitive bool) {
	d := loadData(b)
	loadPostGIS(b)
	sql := collectionSQL(d.box, hideSensitive)
	checkOnce("collection "+viewer, func() {
		var n, size int
		err := pg.pool.QueryRow(context.Background(), `SELECT (c->>'numberReturned')::int, length(c::text) FROM (`+
			strings.TrimSuffix(strings.TrimSpace(sql), ";")+`) AS r(c)`).Scan(&n, &size)
		if err != nil {
			b.Fatal(err)
		}
		// Either viewer sees more than a page in the box.
		if n != pageLimit {
			b.Fatalf("collection of %d features, want %d", n, pageLimit)
		}
		b.Logf("PostGIS FeatureCollection for an %s: %d features, %d bytes", viewer, n, size)
	})
	script := filepath.Join(b.TempDir(), "collection.sql")
	if err := os.WriteFile(script, []byte(sql), 0o644); err != nil {
		b.Fatal(err)
	}
	bin, err := pgbenchPath()
	if err != nil {
		b.Fatal(err)
	}
	var tps float64
	for b.Loop() {
		cmd := exec.Command(bin, "-n", "-c", "8", "-j", "2", "-T", strconv.Itoa(int(pgbenchTime.Seconds())), "-f", script, pg.url)
		cmd.Env = append(os.Environ(), "PGOPTIONS=-c max_parallel_workers_per_gather=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("pgbench: %v\n%s", err, out)
		}
		m := tpsRE.FindSubmatch(out)
		if m == nil {
			b.Fatalf("pgbench printed no tps:\n%s", out)
		}
		tps, _ = strconv.ParseFloat(string(m[1]), 64)
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(line, "number of transactions actually processed") || strings.HasPrefix(line, "latency average") ||
				strings.HasPrefix(line, "number of failed") {
				b.Logf("pgbench: %s", line)
			}
		}
	}
	b.ReportMetric(tps, "req/s")
	b.ReportMetric(0, "ns/op")
}

func pgbenchPath() (string, error) {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p, nil
	}
	p := "/usr/lib/postgresql/15/bin/pgbench"
	if _, err := os.Stat(p); err != nil {
		return "", errors.New("pgbench not found: it comes with postgresql-15 (or postgresql-client-15)")
	}
	return p, nil
}

// BenchmarkLoad measures start-up: Service.Load of 1M concerns from each
// store into an empty index.
func BenchmarkLoad(b *testing.B) {
	b.Run("store=bolt", func(b *testing.B) { benchLoad(b, loadBolt(b)) })
	b.Run("store=postgis", func(b *testing.B) {
		db, _ := loadPostGIS(b)
		benchLoad(b, db)
	})
}

func benchLoad(b *testing.B, store concernmap.Store) {
	ctx := context.Background()
	for b.Loop() {
		// Free the previous run's index first, outside the timing.
		b.StopTimer()
		runtime.GC()
		b.StartTimer()
		svc := concernmap.NewService(store, func() concernmap.ConcernIndex { return New() }, NewAreas())
		if err := svc.Load(ctx); err != nil {
			b.Fatal(err)
		}
		if n := svc.IndexLen(); n != benchCount {
			b.Fatalf("loaded %d concerns, want %d", n, benchCount)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/load")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkIndexMemory measures the heap an index of 1M point concerns
// holds: in all (B/concern), in the GeoJSON documents it caches
// (docs-B/concern, as allocated; doc-len-B/concern, their length) and in
// the rest, the R-tree, the ID map, the entries and the points
// (tree+attrs-B/concern). The concerns are the data set's, each moved to
// the centre of its bound, and streamed in so that only what the index
// keeps stays on the heap.
func BenchmarkIndexMemory(b *testing.B) {
	villages, err := demo.Villages(benchVillages, benchSeed)
	if err != nil {
		b.Fatal(err)
	}
	var whole, docs, docLen uint64
	for b.Loop() {
		gen := demo.NewGenerator(villages, benchSeed)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		x := New()
		for range benchCount {
			c := gen.Next()
			c.Geometry = c.Geometry.Bound().Center()
			x.Put(c)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		whole = after.HeapAlloc - before.HeapAlloc
		docs, docLen = 0, 0
		for _, e := range x.byID {
			docs += uint64(cap(e.doc))
			docLen += uint64(len(e.doc))
		}
		if x.Len() != benchCount {
			b.Fatalf("index holds %d concerns", x.Len())
		}
		runtime.KeepAlive(x)
	}
	n := float64(benchCount)
	b.ReportMetric(float64(whole)/n, "B/concern")
	b.ReportMetric(float64(docs)/n, "docs-B/concern")
	b.ReportMetric(float64(docLen)/n, "doc-len-B/concern")
	b.ReportMetric(float64(whole-docs)/n, "tree+attrs-B/concern")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkStorage reports what PostGIS keeps per concern of the data set
// (mixed geometries): the whole table with its indexes and TOAST, and the
// GiST index alone. It times nothing; it sets the memory figures in
// context.
func BenchmarkStorage(b *testing.B) {
	b.Run("impl=postgis", func(b *testing.B) {
		_, pool := loadPostGIS(b)
		var total, gist int64
		for b.Loop() {
			err := pool.QueryRow(context.Background(), `SELECT pg_total_relation_size('concerns'),
				pg_relation_size('concerns_geom_idx')`).Scan(&total, &gist)
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(total)/benchCount, "B/concern")
		b.ReportMetric(float64(gist)/benchCount, "gist-B/concern")
		b.ReportMetric(0, "ns/op")
	})
}
