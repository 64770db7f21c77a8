package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// How geography distance is computed, after PostGIS (liblwgeom's
// lwgeodetic.c and lwgeodetic_tree.c), so that results agree with it:
//
//   - Positions are unit vectors on a sphere from their geodetic latitude
//     and longitude, and edges are great-circle arcs between them.
//   - The point of g nearest to c is found on that sphere: for each edge the
//     foot of the perpendicular from c if it falls on the arc, else the
//     nearer end; the least over every part of g. This is what PostGIS's
//     cached path (a tree over g, taken for every row after the first when
//     the query point is a constant) does. Its uncached path instead takes,
//     for a multi-part g, the least of each part's spheroid distance; the
//     two differ only when two parts lie within about 1% of the same
//     distance and the radius falls between them.
//   - The distance is then the spheroid geodesic from c to that point.
//     PostGIS uses Karney's algorithm (GeographicLib); this package uses
//     Vincenty's, which agrees to micrometres at the distances used here,
//     with a fallback for nearly antipodal points (see ellipsoid.inverse).
//   - A point on or in a polygon, with great-circle edges, is at distance
//     0. PostGIS decides this on the sphere with a stab line; this package
//     decides it exactly in a gnomonic projection (see sphereCovers).
//   - ST_DWithin's tree path compares with a tolerance of 1e-12 m; this
//     package compares exactly.

// Radii of curvature of WGS84 that bound how far a path of given length can
// move: no radius of curvature is smaller than b²/a (the meridian at the
// equator) or larger than a²/b (at the poles).
var (
	wgs84B   = wgs84.a * (1 - wgs84.f)
	minCurve = wgs84B * wgs84B / wgs84.a
	maxCurve = wgs84.a * wgs84.a / wgs84B
)

// Distance returns the geodesic distance in metres on the WGS84 spheroid
// from c to g, as PostGIS ST_Distance(g::geography, c::geography) computes
// it: 0 if c is on or in a polygon of g (with great-circle edges); else it
// finds the point of g nearest to c on the sphere, along great-circle
// edges, and returns the spheroid distance from c to that point. It is +Inf
// for an empty g.
func Distance(g orb.Geometry, c orb.Point) float64 {
	q := split(g)
	if q.empty() {
		return math.Inf(1)
	}
	if q.sphereCovers(c) {
		return 0
	}
	p := toGpoint(c)
	n := q.sphereNearest(p)
	return spheroidDistance(p, n.g)
}

// DistanceWithin reports whether Distance(g, c) <= meters, matching PostGIS
// ST_DWithin(g::geography, c::geography, meters) with use_spheroid true.
// The spheroid distance is computed only when bounds from the sphere
// distance cannot decide.
func DistanceWithin(g orb.Geometry, c orb.Point, meters float64) bool {
	if !(meters >= 0) {
		return false
	}
	q := split(g)
	if q.empty() {
		return false
	}
	p := toGpoint(c)
	n := q.sphereNearest(p)
	// The spheroid path along the same arc is at most maxCurve per radian.
	if n.d*maxCurve*(1+1e-9) <= meters {
		return true
	}
	if q.sphereCovers(c) {
		return true
	}
	// And the shortest spheroid path covers at least minCurve per radian.
	if n.d*minCurve*(1-1e-9) > meters {
		return false
	}
	return spheroidDistance(p, n.g) <= meters
}

func spheroidDistance(a, b gpoint) float64 {
	if a.near(b) {
		return 0
	}
	return wgs84.inverse(a.lat, a.lon, b.lat, b.lon)
}

// maxEdge is the longest edge, in metres, for which RadiusBounds allows
// room: a great-circle edge bulges poleward of its ends, so the point of an
// edge nearest c can lie outside the lon/lat box of the edge's vertices,
// by up to about maxEdge²·tan(lat)/8R. Geometries here have edges of metres
// to a few kilometres.
const maxEdge = 20_000

// RadiusBounds returns one or two lon/lat boxes that together hold every
// point within meters of c on the spheroid, for an R-tree search of
// geometry bounds before DistanceWithin. The boxes are conservative: they
// use the extreme radii of curvature of the spheroid, allow for the
// poleward bulge of great-circle edges up to maxEdge long, are split at
// the antimeridian, are clamped at the poles, and cover all longitudes
// when the circle reaches a pole. It returns nil for a negative or NaN
// radius.
func RadiusBounds(c orb.Point, meters float64) []orb.Bound {
	if !(meters >= 0) || !finite(c) {
		return nil
	}
	if math.IsInf(meters, 1) {
		return []orb.Bound{{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}}
	}
	const deg = 180 / math.Pi
	// Slack for rounding in the conversions below: about 0.1 mm.
	const slack = 1e-9
	lat := c[1] / deg
	dLat := meters / minCurve
	theta := maxEdge / minCurve
	top := math.Min(math.Pi/2, math.Abs(lat)+dLat+theta)
	bulge := top - math.Asin(math.Sin(top)*math.Cos(theta/2))
	minLat := (lat-dLat-bulge)*deg - slack
	maxLat := (lat+dLat+bulge)*deg + slack
	if minLat <= -90 || maxLat >= 90 {
		return []orb.Bound{{Min: orb.Point{-180, math.Max(minLat, -90)}, Max: orb.Point{180, math.Min(maxLat, 90)}}}
	}
	// A path of length d changes longitude by at most d/(N cos lat), and N,
	// the prime-vertical radius, is never less than a.
	reach := math.Max(math.Abs(minLat), math.Abs(maxLat)) / deg
	dLon := meters/(wgs84.a*math.Cos(reach))*deg + slack
	if dLon >= 180 {
		return []orb.Bound{{Min: orb.Point{-180, minLat}, Max: orb.Point{180, maxLat}}}
	}
	minLon, maxLon := c[0]-dLon, c[0]+dLon
	switch {
	case minLon < -180:
		return []orb.Bound{
			{Min: orb.Point{-180, minLat}, Max: orb.Point{maxLon, maxLat}},
			{Min: orb.Point{minLon + 360, minLat}, Max: orb.Point{180, maxLat}},
		}
	case maxLon > 180:
		return []orb.Bound{
			{Min: orb.Point{minLon, minLat}, Max: orb.Point{180, maxLat}},
			{Min: orb.Point{-180, minLat}, Max: orb.Point{maxLon - 360, maxLat}},
		}
	}
	return []orb.Bound{{Min: orb.Point{minLon, minLat}, Max: orb.Point{maxLon, maxLat}}}
}

func finite(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsInf(p[0], 0) && !math.IsNaN(p[1]) && !math.IsInf(p[1], 0)
}
