package index_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/demo"
	"github.com/concernmap/concernmap/index"
	"github.com/concernmap/concernmap/postgis"
	"github.com/concernmap/concernmap/postgis/postgistest"
)

// testAreas returns the demo hierarchy: two real state outlines with
// synthetic townships and tracts that share edges and vertices exactly.
func testAreas(t *testing.T) []*concernmap.Area {
	t.Helper()
	villages, err := demo.Villages(120, 7)
	if err != nil {
		t.Fatal(err)
	}
	areas, err := demo.Areas(villages)
	if err != nil {
		t.Fatal(err)
	}
	return areas
}

// TestLocateMatchesPostGIS assigns points to areas in the index and in
// PostGIS, which must agree. The edge rule on both sides: among the areas
// whose closed boundary holds the point (ST_Intersects), the deepest level
// wins, then the smallest pcode. Points on shared vertices and edges are
// included on purpose.
func TestLocateMatchesPostGIS(t *testing.T) {
	ctx := context.Background()
	areas := testAreas(t)
	db, err := postgis.Open(ctx, postgistest.MustOpenDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, _, err := db.UpsertAreas(ctx, areas, time.Now()); err != nil {
		t.Fatal(err)
	}
	x := index.NewAreas()
	x.Put(areas...)

	r := rand.New(rand.NewPCG(seed(t), 3))
	var b orb.Bound
	for i, a := range areas {
		if i == 0 {
			b = a.Geometry.Bound()
		}
		b = b.Union(a.Geometry.Bound())
	}
	var pts []orb.Point
	for range 10000 {
		pts = append(pts, orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])})
	}
	onEdges, onVertices := 0, 0
	for _, a := range areas {
		if a.Level != concernmap.LevelVillageTract {
			continue
		}
		ring := a.Geometry[0][0]
		for i := 1; i < len(ring); i++ {
			pts = append(pts, ring[i])
			onVertices++
			// A midpoint lies on the edge, or a hair off it; either way
			// both sides must decide it the same.
			pts = append(pts, orb.Point{(ring[i-1][0] + ring[i][0]) / 2, (ring[i-1][1] + ring[i][1]) / 2})
			onEdges++
		}
	}
	xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p[0], p[1]
	}
	rows, err := db.Pool().Query(ctx, `
		SELECT coalesce((
			SELECT a.pcode FROM areas a
			WHERE ST_Intersects(a.geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))
			ORDER BY CASE a.level WHEN 'state' THEN 0 WHEN 'district' THEN 1 WHEN 'township' THEN 2
				WHEN 'village_tract' THEN 3 ELSE 4 END DESC, a.pcode
			LIMIT 1), '')
		FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(x, y, n)
		ORDER BY p.n`, xs, ys)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i, mismatches, assigned := 0, 0, 0
	for rows.Next() {
		var want string
		if err := rows.Scan(&want); err != nil {
			t.Fatal(err)
		}
		if got := x.Locate(pts[i]); got != want {
			mismatches++
			if mismatches <= 10 {
				t.Errorf("point %v: index says %q, PostGIS %q", pts[i], got, want)
			}
		}
		if want != "" {
			assigned++
		}
		i++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if i != len(pts) {
		t.Fatalf("PostGIS answered %d points of %d", i, len(pts))
	}
	if mismatches > 0 {
		t.Errorf("%d of %d points disagree", mismatches, len(pts))
	}
	t.Logf("%d points (%d on vertices, %d on edge midpoints), %d inside an area, %d areas", len(pts), onVertices, onEdges, assigned, len(areas))
}

func TestAreasHierarchy(t *testing.T) {
	x := index.NewAreas()
	x.Put(testAreas(t)...)
	within := x.Within("MMR003")
	if len(within) < 10 {
		t.Fatalf("Within(MMR003): got %d areas, want the state, its townships and tracts", len(within))
	}
	for _, pcode := range within[1:] {
		if got := x.Ancestor(pcode, concernmap.LevelState); got != "MMR003" {
			t.Errorf("Ancestor(%s, state): got %q, want MMR003", pcode, got)
		}
	}
	if got := x.List(concernmap.AreaFilter{Query: "synthetic", Level: concernmap.LevelTownship}); len(got) == 0 {
		t.Errorf("name search found no synthetic township")
	}
}
