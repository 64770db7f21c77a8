package geo

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func TestIntersectsBound(t *testing.T) {
	b := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}
	withHole := orb.Polygon{box(-10, -10, 30, 30), reversed(box(-1, -1, 11, 11))}
	tests := []struct {
		name string
		g    orb.Geometry
		b    orb.Bound
		want bool
	}{
		{"point inside", orb.Point{5, 5}, b, true},
		{"point on an edge", orb.Point{10, 5}, b, true},
		{"point on a corner", orb.Point{0, 0}, b, true},
		{"point just outside", orb.Point{10.000000000000002, 5}, b, false},
		{"point on lon 180", orb.Point{180, 5}, orb.Bound{Min: orb.Point{170, 0}, Max: orb.Point{180, 10}}, true},
		{"lon -180 is not lon 180 in the plane", orb.Point{-180, 5}, orb.Bound{Min: orb.Point{170, 0}, Max: orb.Point{180, 10}}, false},
		{"point on the pole edge", orb.Point{12, 90}, orb.Bound{Min: orb.Point{0, 80}, Max: orb.Point{20, 90}}, true},
		{"point box", orb.Point{3, 3}, orb.Bound{Min: orb.Point{3, 3}, Max: orb.Point{3, 3}}, true},
		{"inverted box is empty", orb.Point{5, 5}, orb.Bound{Min: orb.Point{10, 10}, Max: orb.Point{0, 0}}, false},
		{"multipoint one inside", orb.MultiPoint{{-5, -5}, {5, 5}}, b, true},
		{"multipoint none inside", orb.MultiPoint{{-5, -5}, {15, 5}}, b, false},
		{"line through without a vertex inside", orb.LineString{{-5, 5}, {15, 5}}, b, true},
		{"line diagonal past a corner", orb.LineString{{9, 12}, {12, 9}}, b, false},
		{"line through a corner", orb.LineString{{8, 12}, {12, 8}}, b, true},
		{"line touching a corner", orb.LineString{{10, 10}, {12, 12}}, b, true},
		{"line along an edge", orb.LineString{{-5, 0}, {15, 0}}, b, true},
		{"line parallel outside", orb.LineString{{-5, -0.5}, {15, -0.5}}, b, false},
		{"line inside", orb.LineString{{1, 1}, {2, 2}}, b, true},
		{"line outside", orb.LineString{{11, 1}, {12, 2}}, b, false},
		{"multiline", orb.MultiLineString{{{11, 1}, {12, 2}}, {{9, 12}, {10, 10}}}, b, true},
		{"polygon holding the box", orb.Polygon{box(-1, -1, 11, 11)}, b, true},
		{"polygon inside the box", orb.Polygon{box(1, 1, 2, 2)}, b, true},
		{"polygon crossing an edge", orb.Polygon{box(8, 8, 12, 12)}, b, true},
		{"polygon touching a corner", orb.Polygon{box(10, 10, 12, 12)}, b, true},
		{"polygon sharing an edge", orb.Polygon{box(10, 0, 12, 10)}, b, true},
		{"triangle whose bbox meets the box", orb.Polygon{{{11, 0}, {20, 0}, {20, 9}, {11, 0}}}, orb.Bound{Min: orb.Point{12, 5}, Max: orb.Point{14, 8}}, false},
		{"box in a hole", withHole, b, false},
		{"box touching a hole's edge", withHole, orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{11, 5}}, true},
		{"box across a hole's edge", withHole, orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{12, 5}}, true},
		{"point box on a polygon edge", orb.Polygon{box(0, 0, 1, 1)}, orb.Bound{Min: orb.Point{1, 0.5}, Max: orb.Point{1, 0.5}}, true},
		{"multipolygon", orb.MultiPolygon{{box(20, 20, 30, 30)}, {box(-5, -5, 5, 5)}}, b, true},
		{"empty polygon", orb.Polygon{}, b, false},
		{"antimeridian box edge", orb.Polygon{box(179, 0, 180, 1)}, orb.Bound{Min: orb.Point{180, 0.5}, Max: orb.Point{180, 0.5}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IntersectsBound(tt.g, tt.b); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			// The general predicate must agree with the fast one.
			if tt.b.Min[0] <= tt.b.Max[0] && tt.b.Min[1] <= tt.b.Max[1] {
				if got := Intersects(tt.g, boundGeometry(tt.b)); got != tt.want {
					t.Errorf("Intersects: got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// boundGeometry is b as the geometry ST_MakeEnvelope would make: a point,
// a line or a polygon, by its extent.
func boundGeometry(b orb.Bound) orb.Geometry {
	switch {
	case b.Min == b.Max:
		return b.Min
	case b.Min[0] == b.Max[0] || b.Min[1] == b.Max[1]:
		return orb.LineString{b.Min, b.Max}
	}
	return orb.Polygon{box(b.Min[0], b.Min[1], b.Max[0], b.Max[1])}
}

func TestIntersects(t *testing.T) {
	sq := orb.Polygon{box(0, 0, 10, 10)}
	donut := orb.Polygon{box(0, 0, 10, 10), reversed(box(3, 3, 7, 7))}
	tests := []struct {
		name string
		a, b orb.Geometry
		want bool
	}{
		{"same point", orb.Point{1, 2}, orb.Point{1, 2}, true},
		{"different points", orb.Point{1, 2}, orb.Point{1, 3}, false},
		{"point on a line", orb.Point{1, 1}, orb.LineString{{0, 0}, {2, 2}}, true},
		{"point at a line's end", orb.LineString{{0, 0}, {2, 2}}, orb.Point{2, 2}, true},
		{"point off a line", orb.Point{1, 1.0000001}, orb.LineString{{0, 0}, {2, 2}}, false},
		{"point in a polygon", orb.Point{5, 5}, sq, true},
		{"point on a polygon's edge", orb.Point{10, 5}, sq, true},
		{"point in a hole", orb.Point{5, 5}, donut, false},
		{"point on a hole's edge", orb.Point{3, 5}, donut, true},
		{"multipoint", orb.MultiPoint{{50, 50}, {5, 5}}, sq, true},
		{"crossing lines", orb.LineString{{0, 0}, {2, 2}}, orb.LineString{{0, 2}, {2, 0}}, true},
		{"lines touching at ends", orb.LineString{{0, 0}, {2, 2}}, orb.LineString{{2, 2}, {3, 0}}, true},
		{"collinear overlapping lines", orb.LineString{{0, 0}, {2, 0}}, orb.LineString{{1, 0}, {3, 0}}, true},
		{"collinear apart", orb.LineString{{0, 0}, {1, 0}}, orb.LineString{{2, 0}, {3, 0}}, false},
		{"parallel lines", orb.LineString{{0, 0}, {2, 0}}, orb.LineString{{0, 1}, {2, 1}}, false},
		{"line inside a polygon", orb.LineString{{1, 1}, {2, 2}}, sq, true},
		{"line in a hole", orb.LineString{{4, 4}, {5, 5}}, donut, false},
		{"line crossing a hole", orb.LineString{{4, 4}, {8, 8}}, donut, true},
		{"line outside", orb.LineString{{11, 11}, {12, 12}}, sq, false},
		{"polygon inside polygon", orb.Polygon{box(1, 1, 2, 2)}, sq, true},
		{"polygon around polygon", sq, orb.Polygon{box(1, 1, 2, 2)}, true},
		{"polygon in a hole", orb.Polygon{box(4, 4, 6, 6)}, donut, false},
		{"polygon filling a hole exactly", orb.Polygon{box(3, 3, 7, 7)}, donut, true},
		{"polygons touching at a corner", sq, orb.Polygon{box(10, 10, 11, 11)}, true},
		{"polygons apart", sq, orb.Polygon{box(11, 11, 12, 12)}, false},
		{"multipolygon and multiline", orb.MultiPolygon{{box(20, 20, 21, 21)}, {box(0, 0, 1, 1)}}, orb.MultiLineString{{{50, 50}, {51, 51}}, {{0.5, 0.5}, {0.6, 0.6}}}, true},
		{"empty", orb.LineString{}, sq, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Intersects(tt.a, tt.b); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if got := Intersects(tt.b, tt.a); got != tt.want {
				t.Errorf("swapped: got %v, want %v", got, tt.want)
			}
		})
	}
}

// refIntersects is a slow reference in exact rational arithmetic, written
// apart from the package's code: two geometries meet if some segment of one
// meets some segment of the other, or some vertex of one lies on or in the
// other.
func refIntersects(a, b orb.Geometry) bool {
	pa, pb := split(a), split(b)
	sa, sb := refSegments(pa), refSegments(pb)
	for _, s := range sa {
		for _, u := range sb {
			if refSegmentsMeet(s[0], s[1], u[0], u[1]) {
				return true
			}
		}
	}
	return refVerticesIn(pa, pb, sb) || refVerticesIn(pb, pa, sa)
}

func refSegments(q parts) [][2]orb.Point {
	var out [][2]orb.Point
	for _, p := range q.points {
		out = append(out, [2]orb.Point{p, p})
	}
	for _, l := range q.lines {
		for i := 1; i < len(l); i++ {
			out = append(out, [2]orb.Point{l[i-1], l[i]})
		}
	}
	for _, pg := range q.polys {
		for _, r := range pg {
			for i := 1; i < len(r); i++ {
				out = append(out, [2]orb.Point{r[i-1], r[i]})
			}
		}
	}
	return out
}

func refOnSegment(p, a, b orb.Point) bool {
	return ratOrient(a, b, p) == 0 &&
		min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) &&
		min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

func refSegmentsMeet(a, b, c, d orb.Point) bool {
	if refOnSegment(a, c, d) || refOnSegment(b, c, d) || refOnSegment(c, a, b) || refOnSegment(d, a, b) {
		return true
	}
	return ratOrient(a, b, c)*ratOrient(a, b, d) < 0 && ratOrient(c, d, a)*ratOrient(c, d, b) < 0
}

// refVerticesIn reports whether a vertex of q lies in the area of o, by
// the winding number of o's rings around it.
func refVerticesIn(q, o parts, oSegs [][2]orb.Point) bool {
	var verts []orb.Point
	verts = append(verts, q.points...)
	for _, l := range q.lines {
		verts = append(verts, l...)
	}
	for _, pg := range q.polys {
		for _, r := range pg {
			verts = append(verts, r...)
		}
	}
	for _, v := range verts {
		for _, s := range oSegs {
			if refOnSegment(v, s[0], s[1]) {
				return true
			}
		}
		for _, pg := range o.polys {
			w := 0
			for _, r := range pg {
				for i := 1; i < len(r); i++ {
					a, b := r[i-1], r[i]
					if a[1] <= v[1] && b[1] > v[1] && ratOrient(a, b, v) > 0 {
						w++
					} else if a[1] > v[1] && b[1] <= v[1] && ratOrient(a, b, v) < 0 {
						w--
					}
				}
			}
			if w%2 != 0 {
				return true
			}
		}
	}
	return false
}

// randomGeometry makes a small valid geometry on a coarse grid, so that
// shared vertices, touching and collinear edges are common.
func randomGeometry(rng *rand.Rand, grid float64) orb.Geometry {
	pt := func() orb.Point {
		return orb.Point{float64(rng.IntN(11)) * grid, float64(rng.IntN(11)) * grid}
	}
	for {
		var g orb.Geometry
		switch rng.IntN(5) {
		case 0:
			g = pt()
		case 1:
			g = orb.MultiPoint{pt(), pt(), pt()}
		case 2:
			l := orb.LineString{pt()}
			for range 1 + rng.IntN(4) {
				l = append(l, pt())
			}
			g = l
		case 3:
			// Axis-aligned boxes, sometimes with a box hole.
			x0, y0 := rng.IntN(8), rng.IntN(8)
			x1, y1 := x0+1+rng.IntN(10-x0), y0+1+rng.IntN(10-y0)
			pg := orb.Polygon{box(float64(x0)*grid, float64(y0)*grid, float64(x1)*grid, float64(y1)*grid)}
			if x1-x0 >= 3 && y1-y0 >= 3 && rng.IntN(2) == 0 {
				pg = append(pg, reversed(box(float64(x0+1)*grid, float64(y0+1)*grid, float64(x1-1)*grid, float64(y1-1)*grid)))
			}
			g = pg
		default:
			r := orb.Ring{pt(), pt(), pt()}
			g = orb.Polygon{append(r, r[0])}
		}
		if Validate(g, 0) == nil {
			return g
		}
	}
}

// TestIntersectsBoundRandom cross-checks IntersectsBound against the
// rational reference on random geometries and boxes. GEO_SEED replays it.
func TestIntersectsBoundRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 3))
	hits, n := 0, 5000
	if testing.Short() {
		n = 500
	}
	for i := range n {
		// A grid step of 0.1 makes most coordinates inexact in binary.
		grid := 1.0
		if i%2 == 1 {
			grid = 0.1
		}
		g := randomGeometry(rng, grid)
		x0, y0 := float64(rng.IntN(11))*grid, float64(rng.IntN(11))*grid
		b := orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x0 + float64(rng.IntN(4))*grid, y0 + float64(rng.IntN(4))*grid}}
		want := refIntersects(g, boundGeometry(b))
		if got := IntersectsBound(g, b); got != want {
			t.Fatalf("IntersectsBound(%s, %v): got %v, want %v", AppendGeoJSON(nil, g), b, got, want)
		}
		if want {
			hits++
		}
	}
	t.Logf("%d of %d intersect", hits, n)
}

// TestIntersectsRandom cross-checks Intersects against the reference.
func TestIntersectsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 4))
	hits, n := 0, 5000
	if testing.Short() {
		n = 500
	}
	for i := range n {
		grid := 1.0
		if i%2 == 1 {
			grid = 0.1
		}
		a, b := randomGeometry(rng, grid), randomGeometry(rng, grid)
		want := refIntersects(a, b)
		if got := Intersects(a, b); got != want {
			t.Fatalf("Intersects(%s, %s): got %v, want %v", AppendGeoJSON(nil, a), AppendGeoJSON(nil, b), got, want)
		}
		if want {
			hits++
		}
	}
	t.Logf("%d of %d intersect", hits, n)
}

// TestIntersectsLarge exercises the sweep path, taken for many segments.
func TestIntersectsLarge(t *testing.T) {
	big := orb.Polygon{circle(0, 0, 10, 5000)}
	tests := []struct {
		name string
		g    orb.Geometry
		want bool
	}{
		{"line crossing the boundary", orb.LineString{{9, 0}, {11, 0}}, true},
		{"ring just inside", orb.Polygon{circle(0, 0, 9.9, 200)}, true},
		{"ring around", orb.Polygon{circle(0, 0, 10.1, 200)}, true},
		{"ring outside", orb.Polygon{circle(30, 0, 10, 200)}, false},
		{"ring crossing", orb.Polygon{circle(15, 0, 10, 200)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Intersects(big, tt.g); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func BenchmarkIntersectsBoundPoint(b *testing.B) {
	g := orb.Point{96.1951, 16.8661}
	bb := orb.Bound{Min: orb.Point{96, 16}, Max: orb.Point{97, 17}}
	for b.Loop() {
		if !IntersectsBound(g, bb) {
			b.Fatal("want true")
		}
	}
}

func BenchmarkIntersectsBoundPolygon(b *testing.B) {
	for _, n := range []int{8, 100} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			g := orb.Polygon{circle(96.1951, 16.8661, 0.01, n)}
			bb := orb.Bound{Min: orb.Point{96.19, 16.86}, Max: orb.Point{96.1952, 16.8662}}
			for b.Loop() {
				IntersectsBound(g, bb)
			}
		})
	}
}
