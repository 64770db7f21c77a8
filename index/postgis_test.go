package index_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/index"
	"github.com/concernmap/concernmap/postgis"
	"github.com/concernmap/concernmap/postgis/postgistest"
)

func TestMain(m *testing.M) { postgistest.Main(m) }

// randomWorld makes n concerns spread over the globe, with clusters on the
// antimeridian, at both poles and exactly on the edges of the lon/lat
// plane, where planar and geodesic code most often goes wrong.
func randomWorld(r *rand.Rand, n int) []*concernmap.Concern {
	cs := make([]*concernmap.Concern, 0, n)
	for i := range n {
		var at orb.Point
		switch i % 10 {
		case 0: // near the antimeridian, both sides
			at = orb.Point{179.5 + r.Float64()*0.5, r.Float64()*40 - 20}
			if r.IntN(2) == 0 {
				at[0] = -at[0]
			}
		case 1: // near a pole
			at = orb.Point{r.Float64()*360 - 180, 89 + r.Float64()}
			if r.IntN(2) == 0 {
				at[1] = -at[1]
			}
		case 2: // on an edge of the plane
			at = orb.Point{[]float64{-180, 180}[r.IntN(2)], r.Float64()*180 - 90}
			if r.IntN(2) == 0 {
				at = orb.Point{r.Float64()*360 - 180, []float64{-90, 90}[r.IntN(2)]}
			}
		case 3, 4, 5: // dense around southeast Myanmar
			at = orb.Point{97 + r.NormFloat64()*0.5, 17 + r.NormFloat64()*0.5}
		default:
			at = orb.Point{r.Float64()*360 - 180, r.Float64()*180 - 90}
		}
		c := concern(uuid.New(), shape(r, at))
		c.Category = []string{"landmine_uxo", "unlit_road", "flooding", "domestic_violence"}[r.IntN(4)]
		c.Severity = 1 + r.IntN(5)
		c.Status = concernmap.Statuses[r.IntN(len(concernmap.Statuses))]
		c.Affected = concernmap.Affected(1<<r.IntN(8) | 1<<r.IntN(8))
		c.ObservedAt = c.ObservedAt.Add(-hours(r.IntN(20000)))
		c.ReportedAt = c.ObservedAt
		c.UpdatedAt = c.ObservedAt
		cs = append(cs, c)
	}
	return cs
}

// shape returns a point, line, polygon or multi-geometry near at, clamped
// into the lon/lat plane.
func shape(r *rand.Rand, at orb.Point) orb.Geometry {
	step := func(p orb.Point, d float64) orb.Point {
		return clamp(orb.Point{p[0] + (r.Float64()-0.5)*d, p[1] + (r.Float64()-0.5)*d})
	}
	switch r.IntN(10) {
	case 0, 1:
		ls := orb.LineString{at}
		for range 1 + r.IntN(5) {
			ls = append(ls, step(ls[len(ls)-1], 0.2))
		}
		return ls
	case 2, 3:
		d := 0.01 + r.Float64()*0.2
		c := clamp(at)
		ring := orb.Ring{c, clamp(orb.Point{c[0] + d, c[1]}), clamp(orb.Point{c[0] + d, c[1] + d}), clamp(orb.Point{c[0], c[1] + d}), c}
		if ring[1] == ring[0] || ring[3] == ring[0] || ring[2] == ring[1] {
			return c
		}
		return orb.Polygon{ring}
	case 4:
		return orb.MultiPoint{clamp(at), step(at, 0.5)}
	default:
		return clamp(at)
	}
}

func clamp(p orb.Point) orb.Point {
	return orb.Point{math.Max(-180, math.Min(180, p[0])), math.Max(-90, math.Min(90, p[1]))}
}

// query is one comparison: an index filter and the SQL that must agree.
type query struct {
	name  string
	f     concernmap.ConcernFilter
	where string
	args  []any
}

func randomQueries(r *rand.Rand) []query {
	var qs []query
	box := func(name string, minX, minY, maxX, maxY float64) {
		b := orb.Bound{Min: orb.Point{minX, minY}, Max: orb.Point{maxX, maxY}}
		qs = append(qs, query{name: fmt.Sprintf("%s %v", name, b), f: concernmap.ConcernFilter{BBox: &b},
			where: "ST_Intersects(geom, ST_MakeEnvelope($1, $2, $3, $4, 4326))", args: []any{minX, minY, maxX, maxY}})
	}
	for range 80 {
		x, y := r.Float64()*360-180, r.Float64()*180-90
		box("random box", x, y, math.Min(180, x+r.Float64()*30), math.Min(90, y+r.Float64()*30))
	}
	for range 20 {
		x, y := 96+r.Float64()*2, 16+r.Float64()*2
		box("dense box", x, y, x+r.Float64()*0.3, y+r.Float64()*0.3)
	}
	for range 10 {
		y := r.Float64()*40 - 20
		box("east antimeridian box", 179+r.Float64(), y, 180, y+r.Float64()*10)
		box("west antimeridian box", -180, y, -179-r.Float64(), y+r.Float64()*10)
		box("north pole box", r.Float64()*100-180, 89+r.Float64()*0.5, r.Float64()*80+100, 90)
		box("south pole box", r.Float64()*100-180, -90, r.Float64()*80+100, -89-r.Float64()*0.5)
	}
	box("whole world", -180, -90, 180, 90)
	near := func(name string, x, y, radius float64) {
		p := orb.Point{x, y}
		qs = append(qs, query{name: fmt.Sprintf("%s %v r=%.0f", name, p, radius), f: concernmap.ConcernFilter{Near: &p, Radius: radius},
			where: "ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, $3)", args: []any{x, y, radius}})
	}
	for range 30 {
		near("dense radius", 97+r.NormFloat64()*0.5, 17+r.NormFloat64()*0.5, 100+r.Float64()*30000)
	}
	for range 10 {
		near("antimeridian radius", []float64{-180, 180}[r.IntN(2)]*(1-r.Float64()*0.001), r.Float64()*40-20, 1000+r.Float64()*99000)
		near("polar radius", r.Float64()*360-180, 89.5+r.Float64()*0.5, 1000+r.Float64()*99000)
		near("random radius", r.Float64()*360-180, r.Float64()*170-85, 1000+r.Float64()*99000)
	}
	for range 30 {
		x, y := 96+r.Float64()*2, 16+r.Float64()*2
		d := 0.05 + r.Float64()*0.5
		poly := orb.Polygon{{{x, y}, {x + d, y + d/3}, {x + d/2, y + d}, {x - d/4, y + d/2}, {x, y}}}
		ewkb, err := wkb.Marshal(poly)
		if err != nil {
			panic(err)
		}
		qs = append(qs, query{name: fmt.Sprintf("polygon at %.3f,%.3f", x, y), f: concernmap.ConcernFilter{Intersects: poly},
			where: "ST_Intersects(geom, ST_SetSRID(ST_GeomFromWKB($1), 4326))", args: []any{ewkb}})
	}
	// Attribute filters ride on some spatial queries.
	for i := range qs {
		if i%4 != 1 {
			continue
		}
		q := &qs[i]
		n := len(q.args)
		q.f.Categories = []string{"unlit_road", "domestic_violence"}
		q.f.MinSeverity, q.f.MaxSeverity = 2, 4
		q.f.Statuses = []concernmap.Status{concernmap.StatusReported, concernmap.StatusResolved}
		q.f.Affected = concernmap.AffectedWomen | concernmap.AffectedGirls
		q.where += fmt.Sprintf(" AND category = ANY($%d) AND severity BETWEEN 2 AND 4 AND status = ANY($%d) AND affected & $%d <> 0",
			n+1, n+2, n+3)
		q.args = append(q.args, q.f.Categories, []string{"reported", "resolved"}, int(q.f.Affected))
		q.name += " with filters"
	}
	for i := range qs {
		qs[i].f.Limit = concernmap.MaxLimit
	}
	return qs
}

// TestIndexMatchesPostGIS loads the same random concerns into PostGIS and
// the index and checks that every query returns the same IDs.
func TestIndexMatchesPostGIS(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed(t), 2))
	db, err := postgis.Open(ctx, postgistest.MustOpenDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cs := randomWorld(r, 10000)
	if n, err := db.CreateConcerns(ctx, cs); err != nil || n != len(cs) {
		t.Fatalf("insert: %d, %v", n, err)
	}
	x := index.New()
	for _, c := range cs {
		x.Put(c)
	}
	qs := randomQueries(r)
	if len(qs) < 200 {
		t.Fatalf("only %d queries", len(qs))
	}
	total := 0
	for _, q := range qs {
		rows, err := db.Pool().Query(ctx, "SELECT id FROM concerns WHERE deleted_at IS NULL AND "+q.where+" ORDER BY id", q.args...)
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		want, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		got := all(t, x, q.f)
		total += len(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: index gave %d, PostGIS %d; only in index: %v; only in PostGIS: %v",
				q.name, len(got), len(want), minus(got, want), minus(want, got))
		}
	}
	t.Logf("%d queries, %d hits in all", len(qs), total)
}

func minus(a, b []uuid.UUID) []uuid.UUID {
	var out []uuid.UUID
	for _, id := range a {
		if !slices.Contains(b, id) {
			out = append(out, id)
		}
	}
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}
