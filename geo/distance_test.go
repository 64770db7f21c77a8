package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// geodesic is the WGS84 distance between two lon/lat points in degrees.
func geodesic(p, q orb.Point) float64 {
	return wgs84.inverse(p[1]*rad, p[0]*rad, q[1]*rad, q[0]*rad)
}

func TestDistance(t *testing.T) {
	yangon := orb.Point{96.1951, 16.8661}
	// On the sphere the edge from (0, 60) to (10, 60) bulges north, to
	// this latitude at its middle.
	bulge := math.Atan(math.Tan(60*rad)/math.Cos(5*rad)) / rad
	sq := orb.Polygon{box(0, 0, 0.01, 0.01)}
	donut := orb.Polygon{box(0, 0, 0.01, 0.01), reversed(box(0.003, 0.003, 0.007, 0.007))}
	tests := []struct {
		name string
		g    orb.Geometry
		c    orb.Point
		want float64
		tol  float64
	}{
		{"point to point", orb.Point{96.2, 16.87}, yangon, geodesic(orb.Point{96.2, 16.87}, yangon), 1e-8},
		{"same point", yangon, yangon, 0, 0},
		{"foot inside an edge", orb.LineString{{0, 0}, {1, 0}}, orb.Point{0.5, 0.001}, geodesic(orb.Point{0.5, 0.001}, orb.Point{0.5, 0}), 1e-6},
		{"beyond an edge's end", orb.LineString{{0, 0}, {1, 0}}, orb.Point{1.001, 0}, 0.001 * rad * wgs84.a, 1e-6},
		{"edges bulge along great circles", orb.LineString{{0, 60}, {10, 60}}, orb.Point{5, 60.05}, geodesic(orb.Point{5, 60.05}, orb.Point{5, bulge}), 1e-4},
		{"inside a polygon", sq, orb.Point{0.005, 0.005}, 0, 0},
		{"on a polygon's edge", sq, orb.Point{0.01, 0.005}, 0, 0},
		{"inside on the sphere only", orb.Polygon{{{0, 50}, {10, 50}, {10, 60}, {0, 60}, {0, 50}}}, orb.Point{5, 60.05}, 0, 0},
		{"in a hole", donut, orb.Point{0.005, 0.0055}, geodesic(orb.Point{0.005, 0.0055}, orb.Point{0.005, 0.007}), 1e-6},
		{"outside a polygon", sq, orb.Point{0.005, 0.02}, geodesic(orb.Point{0.005, 0.02}, orb.Point{0.005, 0.01}), 1e-3},
		{"in the second member", orb.MultiPolygon{{box(5, 5, 6, 6)}, sq}, orb.Point{0.005, 0.005}, 0, 0},
		{"nearest of several points", orb.MultiPoint{{1, 1}, {0.001, 0}, {-1, 0}}, orb.Point{0, 0}, 0.001 * rad * wgs84.a, 1e-6},
		{"across the antimeridian", orb.Point{179.9999, 0}, orb.Point{-179.9999, 0}, 0.0002 * rad * wgs84.a, 1e-6},
		{"line ending on lon 180", orb.LineString{{179.9, 0}, {180, 0}}, orb.Point{-179.999, 0}, 0.001 * rad * wgs84.a, 1e-6},
		{"from the north pole", orb.Point{123, 89.999}, orb.Point{0, 90}, meridian(90) - meridian(89.999), 1e-6},
		{"edge over the pole", orb.LineString{{0, 89.99}, {180, 89.99}}, orb.Point{45, 90}, 0, 1e-6},
		{"near the south pole", orb.LineString{{-10, -89.9}, {10, -89.9}}, orb.Point{0, -90}, geodesic(orb.Point{0, -90}, orb.Point{0, -(math.Atan(math.Tan(89.9*rad)/math.Cos(10*rad)) / rad)}), 1e-4},
		{"empty", orb.LineString{}, yangon, math.Inf(1), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Distance(tt.g, tt.c)
			if !(math.Abs(got-tt.want) <= tt.tol) && got != tt.want {
				t.Errorf("got %.9f, want %.9f", got, tt.want)
			}
			if math.IsInf(tt.want, 1) {
				return
			}
			if !DistanceWithin(tt.g, tt.c, got) {
				t.Errorf("DistanceWithin(%v): got false, want true", got)
			}
			if got > 0 && DistanceWithin(tt.g, tt.c, math.Nextafter(got, 0)) {
				t.Errorf("DistanceWithin(%v): got true, want false", math.Nextafter(got, 0))
			}
		})
	}
}

func TestDistanceWithin(t *testing.T) {
	c := orb.Point{96.1951, 16.8661}
	pg := orb.Polygon{box(96.19, 16.86, 96.2, 16.87)}
	tests := []struct {
		name   string
		g      orb.Geometry
		meters float64
		want   bool
	}{
		{"point within", orb.Point{96.1952, 16.8661}, 11, true},
		{"point beyond", orb.Point{96.1952, 16.8661}, 10, false},
		{"inside a polygon, zero radius", pg, 0, true},
		{"negative radius", c, -1, false},
		{"NaN radius", c, math.NaN(), false},
		{"infinite radius", orb.Point{-96, -16}, math.Inf(1), true},
		{"empty", orb.MultiPoint{}, 1000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DistanceWithin(tt.g, c, tt.meters); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestNormal checks the well-conditioned cross product against the plain
// one where both are accurate.
func TestNormal(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 5))
	for range 1000 {
		p := gpoint{(rng.Float64()*180 - 90) * rad, (rng.Float64()*360 - 180) * rad}
		q := gpoint{(rng.Float64()*180 - 90) * rad, (rng.Float64()*360 - 180) * rad}
		got, want := normal(p, q), p.vec().cross(q.vec())
		if got.sub(want).norm() > 1e-12 {
			t.Fatalf("normal(%v, %v): got %v, want %v", p, q, got, want)
		}
	}
}

// local returns a position dx, dy metres east and north of c, roughly,
// folded back over the poles and wrapped at the antimeridian.
func local(c orb.Point, dx, dy float64) orb.Point {
	lat := c[1] + dy/111000
	lon := c[0] + dx/(111000*math.Max(math.Cos(c[1]*rad), 1e-3))
	if lat > 90 {
		lat, lon = 180-lat, lon+180
	} else if lat < -90 {
		lat, lon = -180-lat, lon+180
	}
	lon = math.Remainder(lon, 360)
	return orb.Point{lon, lat}
}

// randomCentre returns a place anywhere, but often near a pole or the
// antimeridian.
func randomCentre(rng *rand.Rand) orb.Point {
	switch rng.IntN(4) {
	case 0:
		return orb.Point{rng.Float64()*360 - 180, math.Copysign(89.9+rng.Float64()*0.1, rng.Float64()-0.5)}
	case 1:
		return orb.Point{math.Copysign(179.9+rng.Float64()*0.1, rng.Float64()-0.5), rng.Float64()*170 - 85}
	}
	return orb.Point{rng.Float64()*360 - 180, rng.Float64()*180 - 90}
}

// randomSmallGeometry makes a geometry of edges up to a few kilometres
// around c that does not cross the antimeridian.
func randomSmallGeometry(rng *rand.Rand, c orb.Point) orb.Geometry {
	for {
		size := math.Pow(10, 1+rng.Float64()*2.5) // 10 m to 3 km
		pt := func(r float64) orb.Point {
			p := local(c, (rng.Float64()*2-1)*r, (rng.Float64()*2-1)*r)
			return p
		}
		var g orb.Geometry
		switch rng.IntN(4) {
		case 0:
			g = orb.MultiPoint{pt(size), pt(size)}
		case 1:
			g = orb.LineString{pt(size), pt(size), pt(size)}
		default:
			// A star-shaped ring around c.
			n := 3 + rng.IntN(6)
			r := make(orb.Ring, 0, n+1)
			for i := range n {
				a := 2 * math.Pi * (float64(i) + rng.Float64()*0.8) / float64(n)
				d := size * (0.3 + rng.Float64())
				r = append(r, local(c, d*math.Cos(a), d*math.Sin(a)))
			}
			g = orb.Polygon{append(r, r[0])}
		}
		b := g.Bound()
		if Validate(g, 0) == nil && b.Max[0]-b.Min[0] < 90 {
			return g
		}
	}
}

// bruteDistance samples g densely along its great-circle edges and refines
// the best sample, for the least spheroid distance to c.
func bruteDistance(g orb.Geometry, c orb.Point) float64 {
	q := split(g)
	best := math.Inf(1)
	dist := func(v vec3) float64 {
		// atan2 keeps its precision near the poles, where asin does not.
		lat, lon := math.Atan2(v[2], math.Hypot(v[0], v[1])), math.Atan2(v[1], v[0])
		return wgs84.inverse(c[1]*rad, c[0]*rad, lat, lon)
	}
	for _, p := range q.points {
		best = min(best, geodesic(p, c))
	}
	edge := func(a, b orb.Point) {
		va, vb := toGpoint(a).vec(), toGpoint(b).vec()
		at := func(s float64) vec3 { return va.scale(1 - s).add(vb.scale(s)).unit() }
		const n = 64
		bi, bd := 0, math.Inf(1)
		for i := 0; i <= n; i++ {
			if d := dist(at(float64(i) / n)); d < bd {
				bi, bd = i, d
			}
		}
		lo, hi := math.Max(0, float64(bi-1)/n), math.Min(1, float64(bi+1)/n)
		for range 60 {
			m1, m2 := lo+(hi-lo)/3, hi-(hi-lo)/3
			if dist(at(m1)) < dist(at(m2)) {
				hi = m2
			} else {
				lo = m1
			}
		}
		best = min(best, bd, dist(at((lo+hi)/2)))
	}
	for _, l := range q.lines {
		for i := 1; i < len(l); i++ {
			edge(l[i-1], l[i])
		}
	}
	for _, pg := range q.polys {
		for _, r := range pg {
			for i := 1; i < len(r); i++ {
				edge(r[i-1], r[i])
			}
		}
	}
	return best
}

// TestDistanceBruteForce checks Distance against dense sampling, that
// DistanceWithin agrees with Distance at and around the distance, and
// that RadiusBounds never misses a geometry DistanceWithin accepts.
func TestDistanceBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 6))
	worst, n := 0.0, 2000
	if testing.Short() {
		n = 200
	}
	for range n {
		centre := randomCentre(rng)
		g := randomSmallGeometry(rng, centre)
		c := local(centre, rng.NormFloat64()*3000, rng.NormFloat64()*3000)
		d := Distance(g, c)
		if pg, ok := g.(orb.Polygon); ok && math.Abs(c[1]) < 80 {
			// Away from the poles a few-kilometre polygon's great-circle
			// edges stray from straight lon/lat lines by centimetres, so
			// the plane must agree unless c is that close to the boundary.
			onSphere, inPlane := d == 0, locatePolygon(c, pg) != outside
			if onSphere != inPlane && bruteDistance(orb.LineString(pg[0]), c) > 1 {
				t.Fatalf("Distance(%s, %v): got %v, but the plane says inside=%v", AppendGeoJSON(nil, g), c, d, inPlane)
			}
		}
		if d > 0 {
			brute := bruteDistance(g, c)
			// PostGIS measures to the point nearest on the sphere, which is
			// at least as far as the nearest on the spheroid, and at most
			// maxCurve/minCurve times as far, when two parts of g are at
			// nearly the same distance. Like PostGIS, Distance finds the
			// foot of a perpendicular by asin, which near a pole is off by
			// micrometres.
			if d < brute-1e-4 || d > brute*maxCurve/minCurve+1e-4 {
				t.Fatalf("Distance(%s, %v): got %.6f, want about %.6f", AppendGeoJSON(nil, g), c, d, brute)
			}
			worst = max(worst, (d-brute)/brute)
		}
		for _, m := range []float64{d, d * (1 + 1e-12), d * (1 - 1e-9), d * 0.999, d * 1.001, d - 0.001, d + 0.001, rng.Float64() * 10000} {
			want := d <= m
			if got := DistanceWithin(g, c, m); got != want {
				t.Fatalf("DistanceWithin(%s, %v, %v): got %v, want %v (distance %v)", AppendGeoJSON(nil, g), c, m, got, want, d)
			}
			if !want {
				continue
			}
			met := false
			for _, b := range RadiusBounds(c, m) {
				met = met || boundsMeet(g.Bound(), b)
			}
			if !met {
				t.Fatalf("RadiusBounds(%v, %v) = %v misses %s at %v m", c, m, RadiusBounds(c, m), AppendGeoJSON(nil, g), d)
			}
		}
	}
	t.Logf("worst relative excess over the sampled spheroid distance: %.2g", worst)
}

func TestRadiusBounds(t *testing.T) {
	tests := []struct {
		name   string
		c      orb.Point
		meters float64
		want   []orb.Bound // each side rounded to 1e-4 degrees
	}{
		{"equator", orb.Point{0, 0}, 1000, []orb.Bound{{Min: orb.Point{-0.009, -0.009}, Max: orb.Point{0.009, 0.009}}}},
		{"zero radius", orb.Point{10, 20}, 0, []orb.Bound{{Min: orb.Point{10, 20}, Max: orb.Point{10, 20}}}},
		{"east of the antimeridian", orb.Point{179.999, 0}, 1000, []orb.Bound{
			{Min: orb.Point{179.99, -0.009}, Max: orb.Point{180, 0.009}},
			{Min: orb.Point{-180, -0.009}, Max: orb.Point{-179.992, 0.009}},
		}},
		{"on lon -180", orb.Point{-180, 10}, 1000, []orb.Bound{
			{Min: orb.Point{-180, 9.9909}, Max: orb.Point{-179.9909, 10.0091}},
			{Min: orb.Point{179.9909, 9.9909}, Max: orb.Point{180, 10.0091}},
		}},
		// Near a pole the allowance for edge bulge, up to maxEdge/2, dominates.
		{"over the north pole", orb.Point{10, 89.995}, 1000, []orb.Bound{{Min: orb.Point{-180, 89.8955}, Max: orb.Point{180, 90}}}},
		{"over the south pole", orb.Point{10, -89.995}, 1000, []orb.Bound{{Min: orb.Point{-180, -90}, Max: orb.Point{180, -89.8955}}}},
		{"mid latitude, 100 km", orb.Point{96, 60}, 100_000, []orb.Bound{{Min: orb.Point{94.1526, 59.0955}, Max: orb.Point{97.8474, 60.9045}}}},
		{"whole world", orb.Point{0, 0}, 30_000_000, []orb.Bound{{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}}},
		{"infinite", orb.Point{0, 0}, math.Inf(1), []orb.Bound{{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}}},
		{"negative", orb.Point{0, 0}, -1, nil},
		{"NaN", orb.Point{0, 0}, math.NaN(), nil},
		{"NaN centre", orb.Point{math.NaN(), 0}, 10, nil},
	}
	round := func(b orb.Bound) orb.Bound {
		r := func(x float64) float64 { return math.Round(x*1e4) / 1e4 }
		return orb.Bound{Min: orb.Point{r(b.Min[0]), r(b.Min[1])}, Max: orb.Point{r(b.Max[0]), r(b.Max[1])}}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RadiusBounds(tt.c, tt.meters)
			for i := range got {
				got[i] = round(got[i])
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRadiusBoundsCover samples points around random circles, many near
// the poles and the antimeridian, and checks that every point within the
// radius lies in a box.
func TestRadiusBoundsCover(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 7))
	for range 2000 {
		c := randomCentre(rng)
		m := math.Pow(10, rng.Float64()*5) // 1 m to 100 km
		boxes := RadiusBounds(c, m)
		for range 50 {
			a := rng.Float64() * 2 * math.Pi
			r := m * (0.9 + 0.2*rng.Float64())
			p := local(c, r*math.Cos(a), r*math.Sin(a))
			if geodesic(c, p) > m {
				continue
			}
			in := false
			for _, b := range boxes {
				in = in || inBound(p, b)
			}
			if !in {
				t.Fatalf("RadiusBounds(%v, %v) = %v misses %v at %v m", c, m, boxes, p, geodesic(c, p))
			}
		}
	}
}

func BenchmarkDistanceWithin(b *testing.B) {
	c := orb.Point{96.1951, 16.8661}
	for _, bm := range []struct {
		name string
		g    orb.Geometry
	}{
		{"point", orb.Point{96.2, 16.87}},
		{"polygon8", orb.Polygon{circle(96.21, 16.88, 0.001, 8)}},
		{"polygon100", orb.Polygon{circle(96.21, 16.88, 0.001, 100)}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			d := Distance(bm.g, c)
			for b.Loop() {
				// Near the threshold, so that the spheroid distance is needed.
				DistanceWithin(bm.g, c, d)
			}
		})
	}
}

// TestNearestSkipsOnlyLosers checks that the bounds that let sphereNearest
// skip edges never change its answer: it must equal the least distance
// over every vertex and edge.
func TestNearestSkipsOnlyLosers(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 8))
	for i := range 3000 {
		centre := randomCentre(rng)
		g := randomSmallGeometry(rng, centre)
		if i%3 == 0 {
			// Many short edges, where the bounds skip the most.
			n, r := 50+rng.IntN(300), 10+rng.Float64()*3000
			ring := make(orb.Ring, 0, n+1)
			for k := range n {
				a := 2 * math.Pi * float64(k) / float64(n)
				ring = append(ring, local(centre, r*math.Cos(a), r*math.Sin(a)))
			}
			g = orb.Polygon{append(ring, ring[0])}
		}
		c := local(centre, rng.NormFloat64()*3000, rng.NormFloat64()*3000)
		p := toGpoint(c)
		q := split(g)
		want := math.Inf(1)
		for _, r := range q.points {
			want = min(want, sphereDistance(p, toGpoint(r)))
		}
		edges := func(l []orb.Point) {
			for i := 1; i < len(l); i++ {
				s, e := toGpoint(l[i-1]), toGpoint(l[i])
				_, d := arcNearest(s, e, s.vec(), e.vec(), p, p.vec())
				want = min(want, d)
			}
		}
		for _, l := range q.lines {
			edges(l)
		}
		for _, pg := range q.polys {
			for _, r := range pg {
				edges(r)
			}
		}
		if got := q.sphereNearest(p).d; got != want {
			t.Fatalf("sphereNearest(%s, %v): got %v, want %v", AppendGeoJSON(nil, g), c, got, want)
		}
	}
}
