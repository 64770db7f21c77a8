package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// vec3 is a vector in 3-space; points on the unit sphere are unit vectors.
type vec3 [3]float64

func unitVec(lat, lon float64) vec3 {
	sinLat, cosLat := math.Sincos(lat)
	sinLon, cosLon := math.Sincos(lon)
	return vec3{cosLat * cosLon, cosLat * sinLon, sinLat}
}

func (v vec3) add(w vec3) vec3      { return vec3{v[0] + w[0], v[1] + w[1], v[2] + w[2]} }
func (v vec3) sub(w vec3) vec3      { return vec3{v[0] - w[0], v[1] - w[1], v[2] - w[2]} }
func (v vec3) scale(k float64) vec3 { return vec3{v[0] * k, v[1] * k, v[2] * k} }
func (v vec3) dot(w vec3) float64   { return v[0]*w[0] + v[1]*w[1] + v[2]*w[2] }
func (v vec3) norm() float64        { return math.Sqrt(v.dot(v)) }
func (v vec3) cross(w vec3) vec3 {
	return vec3{v[1]*w[2] - v[2]*w[1], v[2]*w[0] - v[0]*w[2], v[0]*w[1] - v[1]*w[0]}
}

// unit scales v to length 1; a (nearly) zero vector becomes zero, as in
// PostGIS, rather than NaN.
func (v vec3) unit() vec3 {
	d := v.norm()
	if math.Abs(d) <= fpTolerance {
		return vec3{}
	}
	return v.scale(1 / d)
}

// latLon returns the latitude and longitude, in radians, of unit vector v.
func (v vec3) latLon() (lat, lon float64) {
	return math.Asin(math.Max(-1, math.Min(1, v[2]))), math.Atan2(v[1], v[0])
}

// fpTolerance is PostGIS's FP_TOLERANCE, its threshold for equal angles.
const fpTolerance = 1e-12

// gpoint is a position as PostGIS geography computes with it: geodetic
// latitude and longitude in radians, used directly as coordinates on a
// sphere for nearest-point searches.
type gpoint struct{ lat, lon float64 }

func toGpoint(p orb.Point) gpoint {
	g := gpoint{lat: math.Pi * p[1] / 180, lon: math.Pi * p[0] / 180}
	if g.lon == -math.Pi {
		g.lon = math.Pi
	}
	return g
}

func (g gpoint) vec() vec3 { return unitVec(g.lat, g.lon) }

func (g gpoint) near(h gpoint) bool {
	return math.Abs(g.lat-h.lat) <= fpTolerance && math.Abs(g.lon-h.lon) <= fpTolerance
}

// sphereDistance is the angle between two points on the unit sphere, by
// the atan2 form that stays accurate for small and nearly antipodal pairs.
func sphereDistance(s, e gpoint) float64 {
	dLon := e.lon - s.lon
	sinDLon, cosDLon := math.Sincos(dLon)
	sinLatE, cosLatE := math.Sincos(e.lat)
	sinLatS, cosLatS := math.Sincos(s.lat)
	x := cosLatE * sinDLon
	y := cosLatS*sinLatE - sinLatS*cosLatE*cosDLon
	return math.Atan2(math.Sqrt(x*x+y*y), sinLatS*sinLatE+cosLatS*cosLatE*cosDLon)
}

// normal returns the cross product of p and q as unit vectors, computed
// from half sums and differences of their angles so that it keeps its
// precision for points metres apart, where the plain cross product of
// two nearly equal vectors loses most of its digits.
func normal(p, q gpoint) vec3 {
	m := -(p.lon + q.lon) / 2
	h := (q.lon - p.lon) / 2
	sinD, sinS := math.Sin(p.lat-q.lat), math.Sin(p.lat+q.lat)
	sinM, cosM := math.Sincos(m)
	sinH, cosH := math.Sincos(h)
	return vec3{
		sinD*sinM*cosH - sinS*cosM*sinH,
		sinD*cosM*cosH + sinS*sinM*sinH,
		math.Cos(p.lat) * math.Cos(q.lat) * math.Sin(q.lon-p.lon),
	}
}

// inCone reports whether p lies within the wedge from the centre of the
// sphere through the arc s–e; with p on the arc's great circle, that is
// whether p lies on the arc itself.
func inCone(s, e, p vec3) bool {
	if s == e.scale(-1) {
		return true
	}
	mid := s.add(e).unit()
	ds, dp := s.dot(mid), p.dot(mid)
	// The tolerance lets points at the very ends count as on the arc.
	return dp > ds || math.Abs(dp-ds) < 2e-16
}

// arcNearest returns the point of the great-circle arc s–e nearest to p,
// and its angular distance: the foot of the perpendicular from p to the
// arc's great circle if that lies on the arc, else the nearer end. sv, ev
// and pv are s, e and p as vectors. It follows PostGIS's
// edge_distance_to_point step by step, so that both pick the same point.
func arcNearest(s, e gpoint, sv, ev vec3, p gpoint, pv vec3) (gpoint, float64) {
	if s.near(e) {
		return s, sphereDistance(s, p)
	}
	n := normal(s, e).unit()
	k := pv.sub(n.scale(pv.dot(n))).unit()
	best, d := gpoint{}, math.Inf(1)
	if k != (vec3{}) {
		lat, lon := k.latLon()
		if foot := (gpoint{lat, lon}); inCone(sv, ev, foot.vec()) {
			best, d = foot, sphereDistance(p, foot)
		}
	}
	if ds := sphereDistance(p, s); ds < d {
		best, d = s, ds
	}
	if de := sphereDistance(p, e); de < d {
		best, d = e, de
	}
	return best, d
}

// nearest is the running nearest point of a geometry to p on the sphere.
type nearest struct {
	p     gpoint
	pv    vec3
	g     gpoint
	d     float64 // radians
	sinD  float64 // sin(d) while d is less than a right angle, else 1
	chord float64 // 2 sin(d/2), the straight-line distance in 3-space
	vecs  []vec3  // scratch
}

func newNearest(p gpoint) nearest {
	return nearest{p: p, pv: p.vec(), d: math.Inf(1), sinD: 1, chord: 2}
}

func (n *nearest) offer(g gpoint, d float64) {
	if d < n.d {
		n.g, n.d, n.sinD = g, d, 1
		if d < math.Pi/2 {
			n.sinD = math.Sin(d)
		}
		n.chord = 2 * math.Sin(min(d, math.Pi)/2)
	}
}

// far reports whether the arc between unit vectors s and e certainly lies
// farther from p than the best so far, by two bounds that need no
// trigonometry, so that the edge can be skipped. The bounds hold for exact
// arithmetic; the margins cover the rounding in them and in arcNearest,
// whose foot points, found by asin, lose precision near the poles. There,
// and for long edges, which can pass near a pole, it never skips.
func (n *nearest) far(s, e vec3) bool {
	const rel, abs = 1e-9, 1e-14
	if n.sinD >= 1 || math.Abs(s[2]) > 0.999 || math.Abs(e[2]) > 0.999 {
		return false
	}
	diff := s.sub(e).norm()
	if diff > 0.01 {
		return false
	}
	// An arc is no nearer than its great circle, at sine |p·m|/|m|. The
	// plain cross product m of nearby vectors is accurate only to about
	// 1e-16 absolute, hence the margin outside the product with |m|.
	m := s.cross(e)
	mm := m.norm()
	if mm == 0 {
		return false
	}
	if math.Abs(n.pv.dot(m)) > (n.sinD*(1+rel)+abs)*mm+abs {
		return true
	}
	// Nor nearer, in 3-space, than its midpoint less the chord from the
	// midpoint to its ends: |s-e| / (2 cos(L/4)) for an arc of length L,
	// where cos(L/2) = |s+e|/2. Chords order points as angles do.
	sum := s.add(e)
	sn := sum.norm()
	reach := diff / (2 * math.Sqrt((1+sn/2)/2))
	return n.pv.sub(sum.scale(1/sn)).norm()-reach > n.chord*(1+rel)+abs
}

func (n *nearest) line(l []orb.Point) {
	if len(l) == 1 {
		g := toGpoint(l[0])
		n.offer(g, sphereDistance(n.p, g))
		return
	}
	// Start from the nearest vertex, found by dot products, so that the
	// bounds in far skip as many edges as they can.
	n.vecs = n.vecs[:0]
	best, bestDot := 0, math.Inf(-1)
	for i, q := range l {
		v := toGpoint(q).vec()
		n.vecs = append(n.vecs, v)
		if d := v.dot(n.pv); d > bestDot {
			best, bestDot = i, d
		}
	}
	g := toGpoint(l[best])
	n.offer(g, sphereDistance(n.p, g))
	s := toGpoint(l[0])
	for i, q := range l[1:] {
		e := toGpoint(q)
		sv, ev := n.vecs[i], n.vecs[i+1]
		if !n.far(sv, ev) {
			n.offer(arcNearest(s, e, sv, ev, n.p, n.pv))
		}
		s = e
	}
}

// sphereNearest returns the point of q nearest to p along great circles.
func (q *parts) sphereNearest(p gpoint) nearest {
	n := newNearest(p)
	for _, r := range q.points {
		g := toGpoint(r)
		n.offer(g, sphereDistance(p, g))
	}
	for _, l := range q.lines {
		n.line(l)
	}
	for _, pg := range q.polys {
		for _, r := range pg {
			n.line(r)
		}
	}
	return n
}

// sphereCovers reports whether a polygon of q covers c, with edges along
// great circles as PostGIS geography has them. It works in the gnomonic
// projection centred on c, which maps great circles to straight lines, so
// a planar point-in-polygon test at the origin decides it exactly. A
// polygon with a vertex 90° or more from c cannot be projected; for those,
// far larger than any this project stores, it falls back to a planar test
// in lon/lat.
func (q *parts) sphereCovers(c orb.Point) bool {
	if len(q.polys) == 0 {
		return false
	}
	g := toGpoint(c)
	sinLat, cosLat := math.Sincos(g.lat)
	sinLon, cosLon := math.Sincos(g.lon)
	centre := vec3{cosLat * cosLon, cosLat * sinLon, sinLat}
	east := vec3{-sinLon, cosLon, 0}
	north := vec3{-sinLat * cosLon, -sinLat * sinLon, cosLat}
	var buf []orb.Point
	project := func(r orb.Ring) ([]orb.Point, bool) {
		buf = buf[:0]
		for _, p := range r {
			v := toGpoint(p).vec()
			w := v.dot(centre)
			if w <= 1e-9 {
				return nil, false
			}
			buf = append(buf, orb.Point{v.dot(east) / w, v.dot(north) / w})
		}
		return buf, true
	}
	origin := orb.Point{}
polygons:
	for _, pg := range q.polys {
		shell, ok := project(pg[0])
		if !ok {
			if locatePolygon(c, pg) != outside {
				return true
			}
			continue
		}
		switch locateRing(origin, shell) {
		case outside:
			continue
		case boundary:
			return true
		}
		for _, h := range pg[1:] {
			hole, ok := project(h)
			if !ok {
				if locatePolygon(c, pg) != outside {
					return true
				}
				continue polygons
			}
			switch locateRing(origin, hole) {
			case inside:
				continue polygons
			case boundary:
				return true
			}
		}
		return true
	}
	return false
}
