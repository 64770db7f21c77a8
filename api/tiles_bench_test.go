package api_test

// Benchmarks of the concern tiles recorded in BENCHMARKS.md ("Vector
// tiles"): a tile built cold through the real handler against the same
// tile made by ST_AsMVT in PostGIS, over the one million demo concerns of
// the other benchmarks. Before timing, each comparison checks that both
// sides show the same concerns. scripts/bench-tiles.sh runs them, and then
// measures warm-cache throughput on a real server. The data set is built
// lazily, once per process, so `go test` without -bench pays nothing for
// it.

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/api"
	"github.com/concernmap/concernmap/demo"
	"github.com/concernmap/concernmap/geo"
	"github.com/concernmap/concernmap/index"
	"github.com/concernmap/concernmap/postgis"
	"github.com/concernmap/concernmap/postgis/postgistest"
	"github.com/concernmap/concernmap/tiles"
	"github.com/concernmap/concernmap/web"
)

const (
	// The data set of index/bench_test.go and `benchdata seed`: the same
	// generator, seed and sizes give the same concerns.
	tileBenchCount    = 1_000_000
	tileBenchVillages = 2000
	tileBenchSeed     = 1
	// tileBenchPerZoom tiles are timed at each zoom: the ones of the 3 × 3
	// around the densest village's tile that hold the most concerns.
	tileBenchPerZoom = 4
	// The densest village is the one whose tile at this zoom holds the
	// most concerns.
	tileDensestZoom = 12
)

// tileBenchZooms are the zooms timed: two that cluster, two that do not.
var tileBenchZooms = []maptile.Zoom{8, 10, 12, 14}

// tileViewers are the viewers the tiles are built for. An admin sees every
// concern; an advocate is not shown the sensitive categories, which
// PostGIS leaves out with the same condition as the collection benchmark.
var tileViewers = []struct {
	name  string
	role  concernmap.Role
	where string
}{
	{"admin", concernmap.RoleAdmin, ""},
	{"advocate", concernmap.RoleAdvocate, " AND category NOT IN (SELECT key FROM categories WHERE sensitive)"},
}

var tileURLsFile = flag.String("tiles.urls", "", "write the paths of the warm-cache tile set of scripts/bench-tiles.sh to this file")

// tileSQL makes the raw-point tile in PostGIS: every concern whose box
// meets the tile and its 64-unit buffer, clipped to it, with the
// properties the handler's tiles carry at and above the cluster zoom.
func tileSQL(where string) string {
	return `SELECT ST_AsMVT(q, 'concerns', 4096, 'geom') FROM (
	SELECT id::text AS id, category, severity, status, when_kind AS "when",
		ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
	FROM concerns
	WHERE geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326) AND deleted_at IS NULL` + where + `
) q`
}

// tileBed is everything the tile benchmarks share.
type tileBed struct {
	concerns map[uuid.UUID]tileConcern // what the checks need of each concern
	village  demo.Village
	tiles    map[maptile.Zoom][]maptile.Tile
	// handler is the API over a Service whose store is PostGIS, with a
	// tile cache too small to keep any tile.
	handler http.Handler
	tokens  map[string]string // API tokens, by viewer
	// conn is one PostgreSQL connection without parallel workers, as the
	// test harness configures the server otherwise (JIT on); noJIT is
	// another with JIT off too, as a tuned tile server would run.
	conn, noJIT *pgx.Conn
	// sizes are the mean sizes of the timed tiles, by viewer and zoom.
	sizes map[string]tileSizes
}

// tileConcern is what the checks need of a concern.
type tileConcern struct {
	geom      orb.Geometry
	point     orb.Point // its clusterPoint
	sensitive bool      // of a category an advocate is not shown as a point
}

// tileSizes are mean bytes and features per tile of one side.
type tileSizes struct {
	ourRaw, ourGzip, ourFeatures float64
	pgRaw, pgGzip, pgFeatures    float64
}

var (
	bedOnce sync.Once
	bed     *tileBed
	bedErr  error
)

// bedTB keeps a database from MustOpenDB for the whole process: the data
// set is shared by every benchmark, and the harness removes its cluster,
// with the database, when the tests end.
type bedTB struct{ testing.TB }

func (bedTB) Cleanup(func()) {}

// loadTileBed builds the data set, PostGIS and the server once, and checks
// that both sides agree on every timed tile for every viewer. The data set
// is let go after the checks, so that the garbage collector marks what a
// server holds, the index, and not a second copy of the concerns.
func loadTileBed(tb testing.TB) *tileBed {
	tb.Helper()
	bedOnce.Do(func() {
		d, err := newTileBed(tb)
		if err != nil {
			bedErr = err
			return
		}
		start := time.Now()
		for _, v := range tileViewers {
			checkTiles(tb, d, v.name, tileSQL(v.where))
		}
		tb.Logf("checked %d tiles for %d viewers in %v", len(tileBenchZooms)*tileBenchPerZoom, len(tileViewers), time.Since(start).Round(time.Millisecond))
		d.concerns = nil
		runtime.GC()
		bed = d
	})
	if bedErr != nil {
		tb.Fatalf("tile benchmarks: %v", bedErr)
	}
	if bed == nil {
		tb.Fatal("tile benchmarks: setup failed")
	}
	return bed
}

func newTileBed(tb testing.TB) (*tileBed, error) {
	ctx := context.Background()
	start := time.Now()
	villages, err := demo.Villages(tileBenchVillages, tileBenchSeed)
	if err != nil {
		return nil, err
	}
	gen := demo.NewGenerator(villages, tileBenchSeed)
	cs := make([]*concernmap.Concern, tileBenchCount)
	pts := make([]orb.Point, len(cs))
	d := &tileBed{concerns: make(map[uuid.UUID]tileConcern, len(cs)), sizes: map[string]tileSizes{}}
	sensitive := map[string]bool{}
	for _, c := range concernmap.DefaultCategories {
		sensitive[c.Key] = c.Sensitive
	}
	for i := range cs {
		cs[i] = gen.Next()
		pts[i] = clusterPoint(cs[i].Geometry)
		d.concerns[cs[i].ID] = tileConcern{cs[i].Geometry, pts[i], sensitive[cs[i].Category]}
	}
	d.village, d.tiles = pickTiles(tb, villages, pts)
	tb.Logf("generated %d concerns in %v; densest village %q at %v", len(cs), time.Since(start).Round(time.Millisecond), d.village.Name, d.village.Center)
	if *tileURLsFile != "" {
		if err := writeWarmTiles(*tileURLsFile, d.village.Center); err != nil {
			return nil, err
		}
	}

	url := postgistest.MustOpenDB(bedTB{tb})
	db, err := postgis.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := copyConcerns(ctx, tb, db, cs); err != nil {
		return nil, err
	}

	start = time.Now()
	svc := concernmap.NewService(db, func() concernmap.ConcernIndex { return index.New() }, index.NewAreas())
	if err := svc.Load(ctx); err != nil {
		return nil, err
	}
	if n := svc.IndexLen(); n != tileBenchCount {
		return nil, fmt.Errorf("loaded %d concerns, want %d", n, tileBenchCount)
	}
	tb.Logf("Service.Load from PostGIS: %v", time.Since(start).Round(time.Millisecond))
	auth := concernmap.NewAuth(db)
	d.tokens = map[string]string{}
	for _, v := range tileViewers {
		u, err := concernmap.NewUser("bench-"+v.name, "Bench "+v.name, v.role, "a long bench password")
		if err != nil {
			return nil, err
		}
		if err := db.CreateUser(ctx, u); err != nil {
			return nil, err
		}
		if _, d.tokens[v.name], err = auth.CreateToken(ctx, u, "bench"); err != nil {
			return nil, err
		}
	}
	// Every request must build its tile: the cache refuses a tile bigger
	// than itself, so with one byte it keeps none. The request still looks
	// the tile up and misses, as a cold request does.
	cfg := api.DefaultConfig()
	cfg.TileCacheBytes = 1
	d.handler = api.New(cfg, svc, auth, db, slog.New(slog.NewJSONHandler(io.Discard, nil)), prometheus.NewRegistry(), web.Handler())

	// A connection of its own for each setting: a connection keeps the
	// plan of a statement it has prepared, whatever the settings are later.
	for _, c := range []struct {
		conn **pgx.Conn
		set  []string
	}{
		{&d.conn, []string{`SET max_parallel_workers_per_gather = 0`}},
		{&d.noJIT, []string{`SET max_parallel_workers_per_gather = 0`, `SET jit = off`}},
	} {
		if *c.conn, err = pgx.Connect(ctx, url); err != nil {
			return nil, err
		}
		for _, q := range c.set {
			if _, err := (*c.conn).Exec(ctx, q); err != nil {
				return nil, err
			}
		}
	}
	return d, nil
}

var tileCopyColumns = []string{"id", "category", "geom", "title", "description", "severity", "status", "affected",
	"when_kind", "when_from", "when_to", "observed_at", "reported_at", "updated_at", "reporter", "version"}

// copyConcerns loads cs into PostGIS as index/bench_test.go does: COPY into
// the table without its GiST index, which is built afterwards, several
// times faster than CreateConcerns for a million rows.
func copyConcerns(ctx context.Context, tb testing.TB, db *postgis.DB, cs []*concernmap.Concern) error {
	start := time.Now()
	if _, err := db.Pool().Exec(ctx, `DROP INDEX concerns_geom_idx`); err != nil {
		return err
	}
	i := 0
	rows := pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(cs) {
			return nil, nil
		}
		c := cs[i]
		i++
		g, err := ewkb.Marshal(c.Geometry, 4326)
		if err != nil {
			return nil, err
		}
		return []any{c.ID, c.Category, g, c.Title, c.Description, int16(c.Severity), string(c.Status),
			int16(c.Affected), string(c.WhenDangerous.Kind), int16(c.WhenDangerous.From), int16(c.WhenDangerous.To),
			c.ObservedAt, c.ReportedAt, c.UpdatedAt, c.Reporter, int32(c.Version)}, nil
	})
	n, err := db.Pool().CopyFrom(ctx, pgx.Identifier{"concerns"}, tileCopyColumns, rows)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
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
		// The store's own pool gets no parallel workers either.
		if err := tx.QueryRow(ctx, `SELECT current_database()`).Scan(&name); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `ALTER DATABASE `+pgx.Identifier{name}.Sanitize()+` SET max_parallel_workers_per_gather = 0`)
		return err
	})
	if err != nil {
		return err
	}
	var version, postgisVersion string
	if err := db.Pool().QueryRow(ctx, `SELECT current_setting('server_version'), postgis_lib_version()`).Scan(&version, &postgisVersion); err != nil {
		return err
	}
	tb.Logf("PostgreSQL %s, PostGIS %s: copied %d concerns, built the GiST index and analyzed in %v",
		version, postgisVersion, n, time.Since(start).Round(time.Millisecond))
	return nil
}

// pickTiles returns the densest village, the one whose tile at
// tileDensestZoom holds the most concerns (the first on a tie), and at
// each zoom of tileBenchZooms the tileBenchPerZoom tiles of the 3 × 3
// around its tile that hold the most, in tile order. A concern counts in
// the tile of its clusterPoint, as a cluster counts it.
func pickTiles(tb testing.TB, villages []demo.Village, pts []orb.Point) (demo.Village, map[maptile.Zoom][]maptile.Tile) {
	zooms := append(slices.Clone(tileBenchZooms), tileDensestZoom)
	counts := map[maptile.Zoom]map[maptile.Tile]int{}
	for _, z := range zooms {
		m := map[maptile.Tile]int{}
		for _, p := range pts {
			m[maptile.At(p, z)]++
		}
		counts[z] = m
	}
	best := 0
	for i, v := range villages {
		if counts[tileDensestZoom][maptile.At(v.Center, tileDensestZoom)] > counts[tileDensestZoom][maptile.At(villages[best].Center, tileDensestZoom)] {
			best = i
		}
	}
	v := villages[best]
	out := map[maptile.Zoom][]maptile.Tile{}
	for _, z := range tileBenchZooms {
		c := maptile.At(v.Center, z)
		var around []maptile.Tile
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				around = append(around, maptile.New(uint32(int(c.X)+dx), uint32(int(c.Y)+dy), z))
			}
		}
		// Most concerns first; tile order on a tie.
		slices.SortStableFunc(around, func(a, b maptile.Tile) int { return counts[z][b] - counts[z][a] })
		ts := around[:tileBenchPerZoom]
		slices.SortFunc(ts, func(a, b maptile.Tile) int {
			if a.X != b.X {
				return int(a.X) - int(b.X)
			}
			return int(a.Y) - int(b.Y)
		})
		var desc []string
		for _, t := range ts {
			desc = append(desc, fmt.Sprintf("%d/%d/%d (%d)", t.Z, t.X, t.Y, counts[z][t]))
		}
		tb.Logf("z%d tiles (concerns whose cluster point is in them): %s", z, strings.Join(desc, ", "))
		out[z] = ts
	}
	return v, out
}

// warmZooms are the zooms of the warm-cache tile set: at zoom z the
// (z-6) × (z-6) tiles around the densest village, 203 in all.
var warmZooms = []maptile.Zoom{8, 9, 10, 11, 12, 13, 14}

// writeWarmTiles writes the paths of the warm-cache tile set, one a line.
func writeWarmTiles(path string, at orb.Point) error {
	var b strings.Builder
	for _, z := range warmZooms {
		n := int(z) - 6
		c := maptile.At(at, z)
		for x := int(c.X) - (n-1)/2; x <= int(c.X)+n/2; x++ {
			for y := int(c.Y) - (n-1)/2; y <= int(c.Y)+n/2; y++ {
				fmt.Fprintf(&b, "/tiles/concerns/%d/%d/%d.mvt\n", z, x, y)
			}
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// get asks the handler for a concern tile as viewer, accepting gzip.
func (d *tileBed) get(viewer string, t maptile.Tile) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", fmt.Sprintf("/tiles/concerns/%d/%d/%d.mvt", t.Z, t.X, t.Y), nil)
	req.Header.Set("Authorization", "Bearer "+d.tokens[viewer])
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	d.handler.ServeHTTP(rec, req)
	return rec
}

// pgTile makes a tile in PostGIS on conn.
func pgTile(conn *pgx.Conn, sql string, t maptile.Tile) ([]byte, error) {
	var b []byte
	err := conn.QueryRow(context.Background(), sql, int(t.Z), int(t.X), int(t.Y)).Scan(&b)
	return b, err
}

// checkTiles fails unless, for every timed tile, the handler and PostGIS
// show the same concerns to viewer. Where our tile carries each concern,
// checkSameConcerns compares the IDs; where it carries clusters (below the
// cluster zoom, and in a detail tile too dense to carry each), checkCounts
// compares the counts. It records the tiles' sizes, and logs PostgreSQL's
// plan of one tile of each zoom.
func checkTiles(tb testing.TB, d *tileBed, viewer, sql string) {
	tb.Helper()
	for _, z := range tileBenchZooms {
		var s tileSizes
		clustered := 0
		for _, t := range d.tiles[z] {
			rec := d.get(viewer, t)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" {
				tb.Fatalf("%v as %s: status %d, encoding %q: %s", t, viewer, rec.Code, rec.Header().Get("Content-Encoding"), rec.Body)
			}
			gz := rec.Body.Bytes()
			raw, err := tiles.Gunzip(gz)
			if err != nil {
				tb.Fatal(err)
			}
			ours, err := mvt.Unmarshal(raw)
			if err != nil {
				tb.Fatalf("%v: decode our tile: %v", t, err)
			}
			pgRaw, err := pgTile(d.conn, sql, t)
			if err != nil {
				tb.Fatalf("%v: PostGIS: %v", t, err)
			}
			theirs, err := mvt.Unmarshal(pgRaw)
			if err != nil {
				tb.Fatalf("%v: decode the PostGIS tile: %v", t, err)
			}
			ourFs, pgFs := layerFeatures(tb, ours), layerFeatures(tb, theirs)
			s.ourRaw += float64(len(raw))
			s.ourGzip += float64(len(gz))
			s.ourFeatures += float64(len(ourFs))
			s.pgRaw += float64(len(pgRaw))
			s.pgGzip += float64(len(tiles.Gzip(pgRaw)))
			s.pgFeatures += float64(len(pgFs))
			if len(ourFs) > 0 && ourFs[0].Properties["cluster"] == true {
				clustered++
				checkCounts(tb, d, t, viewer, ourFs, pgFs)
			} else {
				checkSameConcerns(tb, d, t, viewer, ourFs, pgFs)
			}
		}
		n := float64(len(d.tiles[z]))
		s = tileSizes{s.ourRaw / n, s.ourGzip / n, s.ourFeatures / n, s.pgRaw / n, s.pgGzip / n, s.pgFeatures / n}
		d.sizes[fmt.Sprint(viewer, z)] = s
		tb.Logf("z%d as %s, per tile: ours %.0f features, %.0f B, %.0f B gzipped (%d of %d tiles clustered); PostGIS %.0f features, %.0f B, %.0f B gzipped",
			z, viewer, s.ourFeatures, s.ourRaw, s.ourGzip, clustered, len(d.tiles[z]), s.pgFeatures, s.pgRaw, s.pgGzip)
		if viewer == tileViewers[0].name {
			explainTile(tb, d, sql, d.tiles[z][0])
		}
	}
}

// clusterPoint is where a cluster counts a concern, as the index finds it:
// the centre of the geometry's box rounded outward to float32, the box the
// R-tree keeps; for a point, within a metre of it.
func clusterPoint(g orb.Geometry) orb.Point {
	b := g.Bound()
	down := func(f float64) float64 {
		r := float32(f)
		if float64(r) > f {
			r = math.Nextafter32(r, float32(math.Inf(-1)))
		}
		return float64(r)
	}
	up := func(f float64) float64 { return -down(-f) }
	return orb.Point{(down(b.Min[0]) + up(b.Max[0])) / 2, (down(b.Min[1]) + up(b.Max[1])) / 2}
}

// checkCounts fails unless our clusters count exactly the concerns the
// viewer may see whose clusterPoint lies in the tile (the buffer's belong
// to the neighbours' clusters), which is counted from the data set, and PostGIS's tile holds each of them, but
// for any whose geometry lies wholly outside PostGIS's buffered tile: a
// line or polygon whose box centre is in the tile while the geometry
// itself is not.
func checkCounts(tb testing.TB, d *tileBed, t maptile.Tile, viewer string, ours, theirs []*geojson.Feature) {
	tb.Helper()
	sum := 0
	for _, f := range ours {
		n, ok := f.Properties["count"].(float64)
		if !ok || f.Properties["cluster"] != true {
			tb.Fatalf("%v: feature %v is not a cluster", t, f.Properties)
		}
		sum += int(n)
	}
	// A point on an edge belongs to the tile east or south of it, as in
	// Cluster; box centres, rounded to float32, do fall on tile edges.
	tile := tiles.Bound(t)
	in := func(p orb.Point) bool {
		return p[0] >= tile.Min[0] && p[0] < tile.Max[0] && p[1] > tile.Min[1] && p[1] <= tile.Max[1]
	}
	want := map[uuid.UUID]bool{}
	for id, c := range d.concerns {
		if !(viewer == "advocate" && c.sensitive) && in(c.point) {
			want[id] = true
		}
	}
	if sum != len(want) {
		tb.Fatalf("%v as %s: our %d clusters count %d concerns, want %d", t, viewer, len(ours), sum, len(want))
	}
	held := 0
	for _, id := range featureIDs(tb, theirs) {
		if want[id] {
			held++
		}
	}
	outside := 0
	buffered := tiles.BufferedBound(t, tiles.Buffer)
	if held < len(want) {
		pg := map[uuid.UUID]bool{}
		for _, id := range featureIDs(tb, theirs) {
			pg[id] = true
		}
		for id := range want {
			if pg[id] {
				continue
			}
			if geo.IntersectsBound(d.concerns[id].geom, buffered) {
				tb.Fatalf("%v as %s: concern %s is in our clusters and meets the tile, but not in PostGIS's tile", t, viewer, id)
			}
			outside++
		}
	}
	tb.Logf("%d/%d/%d as %s: ours and PostGIS agree on %d concerns (our %d clusters; PostGIS's %d features, buffer included; "+
		"%d more in ours, whose box centre is in the tile and geometry outside it)", t.Z, t.X, t.Y, viewer, held, len(ours), len(theirs), outside)
}

// explainTile logs PostgreSQL's plan of a tile, with the time of each
// node, so that the raw output shows where PostGIS spends it.
func explainTile(tb testing.TB, d *tileBed, sql string, t maptile.Tile) {
	tb.Helper()
	rows, err := d.conn.Query(context.Background(), `EXPLAIN (ANALYZE, BUFFERS) `+sql, int(t.Z), int(t.X), int(t.Y))
	if err != nil {
		tb.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("PostGIS plan of %d/%d/%d:\n%s", t.Z, t.X, t.Y, strings.Join(lines, "\n"))
}

// layerFeatures returns the features of a tile's one layer, "concerns".
func layerFeatures(tb testing.TB, ls mvt.Layers) []*geojson.Feature {
	tb.Helper()
	if len(ls) == 0 {
		return nil
	}
	if len(ls) != 1 || ls[0].Name != "concerns" {
		tb.Fatalf("tile has %d layers, the first %q; want one, concerns", len(ls), ls[0].Name)
	}
	return ls[0].Features
}

// featureIDs returns the sorted concern IDs of features.
func featureIDs(tb testing.TB, fs []*geojson.Feature) []uuid.UUID {
	tb.Helper()
	ids := make([]uuid.UUID, 0, len(fs))
	for _, f := range fs {
		s, _ := f.Properties["id"].(string)
		id, err := uuid.Parse(s)
		if err != nil {
			tb.Fatalf("feature without a concern id: %v", f.Properties)
		}
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(x, y uuid.UUID) int { return bytes.Compare(x[:], y[:]) })
	return ids
}

// checkSameConcerns fails unless two tiles of single concerns hold the
// same concerns, but for some whose geometry lies wholly in the buffer,
// outside the tile itself (exactly, in lon/lat). Two such differences are
// expected, and any other fails: a polygon of which only a sliver narrower
// than about a pixel reaches into the buffer, which Encode's one-pixel
// simplification removes and ST_AsMVTGeom keeps; and a geometry within a
// tile unit of the buffer's outer edge, where Encode's flooring to tile
// units and ST_AsMVTGeom's rounding, and PostGIS's float4 index boxes,
// decide differently.
func checkSameConcerns(tb testing.TB, d *tileBed, t maptile.Tile, viewer string, ours, theirs []*geojson.Feature) {
	tb.Helper()
	byID := func(fs []*geojson.Feature) map[uuid.UUID]orb.Geometry {
		m := make(map[uuid.UUID]orb.Geometry, len(fs))
		for _, f := range fs {
			s, _ := f.Properties["id"].(string)
			id, err := uuid.Parse(s)
			if err != nil {
				tb.Fatalf("feature without a concern id: %v", f.Properties)
			}
			m[id] = f.Geometry
		}
		return m
	}
	our, pg := byID(ours), byID(theirs)
	tile, inner := tiles.Bound(t), tiles.BufferedBound(t, tiles.Buffer-1)
	both, slivers, edgeOurs, edgePG := 0, 0, 0, 0
	// differs classifies a concern that one side's tile has (as g, in
	// tile units) and the other's lacks.
	differs := func(id uuid.UUID, g orb.Geometry, side string) bool {
		c, ok := d.concerns[id]
		switch {
		case !ok:
			tb.Fatalf("%v as %s: %s tile has concern %s, which the data set lacks", t, viewer, side, id)
		case geo.IntersectsBound(c.geom, tile):
			tb.Fatalf("%v as %s: concern %s meets the tile but only %s tile has it (%v in tile units)", t, viewer, id, side, g)
		case !geo.IntersectsBound(c.geom, inner):
			return true // within a unit of the buffer's outer edge
		}
		return false
	}
	for id, g := range our {
		if _, ok := pg[id]; ok {
			both++
			continue
		}
		if !differs(id, g, "our") {
			tb.Fatalf("%v as %s: concern %s is in our tile's buffer (%v in tile units) and not in PostGIS's", t, viewer, id, g)
		}
		edgeOurs++
	}
	for id, g := range pg {
		if _, ok := our[id]; ok {
			continue
		}
		if differs(id, g, "PostGIS's") {
			edgePG++
			continue
		}
		if !sliver(g) {
			tb.Fatalf("%v as %s: concern %s is in PostGIS's buffer (%v in tile units) and not in ours", t, viewer, id, g)
		}
		slivers++
	}
	tb.Logf("%d/%d/%d as %s: ours and PostGIS agree on %d concerns; in the buffer only, PostGIS has %d polygon slivers that "+
		"simplification removes from ours, and at its outer edge %d more, ours %d more", t.Z, t.X, t.Y, viewer, both, slivers, edgePG, edgeOurs)
}

// sliver reports whether g, a polygon in tile units, is one that
// Douglas-Peucker at one pixel, as Encode simplifies, can leave without an
// exterior ring. Whether it does depends on the vertex the ring starts at,
// which clipping decides and which differs between the two sides, so
// every start is tried; and a vertex may lie a unit apart on the two sides,
// since Encode floors to tile units and ST_AsMVTGeom rounds, so the
// tolerance is a unit more.
func sliver(g orb.Geometry) bool {
	p, ok := g.(orb.Polygon)
	if !ok || len(p) == 0 || len(p[0]) < 4 {
		return false
	}
	const pixel = tiles.Extent / tiles.TileSize
	open := p[0][:len(p[0])-1]
	for k := range open {
		r := append(slices.Clone(open[k:]), open[:k]...)
		r = append(r, r[0])
		if len(simplify.DouglasPeucker(pixel+1).Ring(r)) < 4 {
			return true
		}
	}
	return false
}

// BenchmarkTileCold measures a concern tile built on every request: GET
// /tiles/concerns/z/x/y.mvt through the API's handler (authentication by
// API token, the cache's miss, the index's search, clustering below zoom
// 11 and in detail tiles too dense to carry each concern, MVT encoding and
// gzip), over the densest tiles of each zoom in turn.
// An iteration asks for each tile of the zoom's set once; ns/op is per
// tile.
func BenchmarkTileCold(b *testing.B) {
	for _, z := range tileBenchZooms {
		for _, v := range tileViewers {
			b.Run(fmt.Sprintf("z=%d/viewer=%s", z, v.name), func(b *testing.B) {
				d := loadTileBed(b)
				ts := d.tiles[z]
				gz := 0
				for b.Loop() {
					for _, t := range ts {
						rec := d.get(v.name, t)
						if rec.Code != http.StatusOK {
							b.Fatalf("%v: status %d", t, rec.Code)
						}
						gz += rec.Body.Len()
					}
				}
				reportTiles(b, len(ts))
				s := d.sizes[fmt.Sprint(v.name, z)]
				b.ReportMetric(float64(gz)/float64(b.N*len(ts)), "gzip-B/tile")
				b.ReportMetric(s.ourRaw, "raw-B/tile")
				b.ReportMetric(s.ourFeatures, "features/tile")
			})
		}
	}
}

// BenchmarkTilePostGIS measures the raw-point tile of the same concerns
// made by PostGIS (tileSQL) on one connection without parallel workers,
// over the same tiles. It leaves out gzip, which the handler's figure
// includes; gzip-B/tile is that of Gzip, the handler's level, outside the
// timing.
func BenchmarkTilePostGIS(b *testing.B) {
	benchPostGIS(b, func(d *tileBed) *pgx.Conn { return d.conn })
}

// BenchmarkTilePostGISNoJIT is BenchmarkTilePostGIS with JIT compilation
// off. PostgreSQL compiles the plan of every tile whose estimated cost
// passes jit_above_cost, here every tile but the z14 ones, which costs
// about 100 ms at z8 and z10.
func BenchmarkTilePostGISNoJIT(b *testing.B) {
	benchPostGIS(b, func(d *tileBed) *pgx.Conn { return d.noJIT })
}

func benchPostGIS(b *testing.B, conn func(*tileBed) *pgx.Conn) {
	for _, z := range tileBenchZooms {
		for _, v := range tileViewers {
			b.Run(fmt.Sprintf("z=%d/viewer=%s", z, v.name), func(b *testing.B) {
				d := loadTileBed(b)
				c, sql := conn(d), tileSQL(v.where)
				ts := d.tiles[z]
				raw := 0
				for b.Loop() {
					for _, t := range ts {
						tile, err := pgTile(c, sql, t)
						if err != nil {
							b.Fatal(err)
						}
						raw += len(tile)
					}
				}
				reportTiles(b, len(ts))
				s := d.sizes[fmt.Sprint(v.name, z)]
				b.ReportMetric(s.pgGzip, "gzip-B/tile")
				b.ReportMetric(float64(raw)/float64(b.N*len(ts)), "raw-B/tile")
				b.ReportMetric(s.pgFeatures, "features/tile")
			})
		}
	}
}

// BenchmarkTileEmpty measures the fixed cost of a tile request: an empty
// tile far from the data (204), whose time is the routing, the API token's
// lookup in PostGIS (two queries) and the visibility class. Every figure of
// BenchmarkTileCold includes it.
func BenchmarkTileEmpty(b *testing.B) {
	d := loadTileBed(b)
	t := maptile.New(0, 0, 14)
	for b.Loop() {
		if rec := d.get("admin", t); rec.Code != http.StatusNoContent {
			b.Fatalf("%v: status %d", t, rec.Code)
		}
	}
	reportTiles(b, 1)
}

// reportTiles reports tiles per second, and ns/op per tile when an
// iteration makes n.
func reportTiles(b *testing.B, n int) {
	made := float64(b.N * n)
	b.ReportMetric(made/b.Elapsed().Seconds(), "tiles/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/made, "ns/op")
}
