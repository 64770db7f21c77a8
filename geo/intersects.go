package geo

import (
	"github.com/paulmach/orb"
)

// location is where a point lies relative to an area.
type location int

const (
	outside location = iota
	boundary
	inside
)

// locateRing finds p relative to the area a ring encloses, by counting
// crossings of the ray from p towards +x with exact orientation tests. The
// ring need not repeat its first position at the end.
func locateRing(p orb.Point, r []orb.Point) location {
	n := len(r)
	crossings := 0
	for i := range n {
		a, b := r[i], r[(i+1)%n]
		if p[1] < min(a[1], b[1]) || p[1] > max(a[1], b[1]) || p[0] > max(a[0], b[0]) {
			continue
		}
		o := orient(a, b, p)
		if o == 0 && p[0] >= min(a[0], b[0]) {
			return boundary
		}
		// Half-open in y, so that a ray through a vertex counts it once.
		if (a[1] > p[1]) != (b[1] > p[1]) && (o > 0) == (b[1] > a[1]) {
			crossings++
		}
	}
	if crossings%2 == 1 {
		return inside
	}
	return outside
}

// locatePolygon finds p relative to a polygon with holes.
func locatePolygon(p orb.Point, pg orb.Polygon) location {
	if len(pg) == 0 {
		return outside
	}
	switch locateRing(p, pg[0]) {
	case outside:
		return outside
	case boundary:
		return boundary
	}
	for _, h := range pg[1:] {
		switch locateRing(p, h) {
		case inside:
			return outside
		case boundary:
			return boundary
		}
	}
	return inside
}

func inBound(p orb.Point, b orb.Bound) bool {
	return p[0] >= b.Min[0] && p[0] <= b.Max[0] && p[1] >= b.Min[1] && p[1] <= b.Max[1]
}

func boundsMeet(a, b orb.Bound) bool {
	return a.Min[0] <= b.Max[0] && b.Min[0] <= a.Max[0] && a.Min[1] <= b.Max[1] && b.Min[1] <= a.Max[1]
}

// IntersectsBound reports whether g intersects the closed rectangle b, as
// PostGIS ST_Intersects(geom, ST_MakeEnvelope(...)) does in planar lon/lat:
// a point on an edge of b intersects, a polygon that holds all of b
// intersects, and a b that lies inside a hole does not. A b with a minimum
// above its maximum is empty and meets nothing. A b of zero width or height
// is the segment or point it covers; there PostGIS differs, since
// ST_MakeEnvelope makes a collapsed, invalid polygon of it, on which GEOS
// answers inconsistently (a line crossing it does not intersect it).
func IntersectsBound(g orb.Geometry, b orb.Bound) bool {
	if !(b.Min[0] <= b.Max[0] && b.Min[1] <= b.Max[1]) {
		return false
	}
	switch g := g.(type) {
	case orb.Point:
		return inBound(g, b)
	case orb.MultiPoint:
		for _, p := range g {
			if inBound(p, b) {
				return true
			}
		}
		return false
	case orb.LineString:
		return lineMeetsBound(g, b)
	case orb.MultiLineString:
		for _, l := range g {
			if lineMeetsBound(l, b) {
				return true
			}
		}
		return false
	case orb.Polygon:
		return polygonMeetsBound(g, b)
	case orb.MultiPolygon:
		for _, pg := range g {
			if polygonMeetsBound(pg, b) {
				return true
			}
		}
		return false
	}
	return Intersects(g, b.ToPolygon())
}

func lineMeetsBound(l orb.LineString, b orb.Bound) bool {
	if len(l) == 1 {
		return inBound(l[0], b)
	}
	for i := 1; i < len(l); i++ {
		if segmentMeetsBound(l[i-1], l[i], b) {
			return true
		}
	}
	return false
}

func polygonMeetsBound(pg orb.Polygon, b orb.Bound) bool {
	if len(pg) == 0 || len(pg[0]) == 0 {
		return false
	}
	if !boundsMeet(pg[0].Bound(), b) {
		return false
	}
	for _, r := range pg {
		for i := range r {
			if segmentMeetsBound(r[i], r[(i+1)%len(r)], b) {
				return true
			}
		}
	}
	// No boundary meets b, so b lies wholly in one face: test any point.
	return locatePolygon(b.Min, pg) != outside
}

// segmentMeetsBound reports whether segment ac meets the closed box b. The
// two are convex, so they are disjoint exactly when an axis separates them:
// x, y, or the segment's normal, which separates when all four corners lie
// strictly on one side of the segment's line.
func segmentMeetsBound(a, c orb.Point, b orb.Bound) bool {
	if max(a[0], c[0]) < b.Min[0] || min(a[0], c[0]) > b.Max[0] ||
		max(a[1], c[1]) < b.Min[1] || min(a[1], c[1]) > b.Max[1] {
		return false
	}
	// A zero-length segment got here only if it lies in b.
	if inBound(a, b) || inBound(c, b) {
		return true
	}
	s := orient(a, c, b.Min)
	if s == 0 {
		return true
	}
	for _, q := range [3]orb.Point{{b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}} {
		if orient(a, c, q) != s {
			return true
		}
	}
	return false
}

// Intersects reports whether a and b share at least one point, as planar
// PostGIS ST_Intersects does: boundaries count, holes are not part of a
// polygon, and a geometry wholly inside the other intersects it.
func Intersects(a, b orb.Geometry) bool {
	if p, ok := a.(orb.Point); ok {
		q := split(b)
		return q.covers(p)
	}
	if p, ok := b.(orb.Point); ok {
		q := split(a)
		return q.covers(p)
	}
	pa, pb := split(a), split(b)
	ba, ok := pa.bound()
	if !ok {
		return false
	}
	bb, ok := pb.bound()
	if !ok || !boundsMeet(ba, bb) {
		return false
	}
	for _, p := range pa.points {
		if pb.covers(p) {
			return true
		}
	}
	for _, p := range pb.points {
		if pa.covers(p) {
			return true
		}
	}
	if segmentsMeet(&pa, &pb) {
		return true
	}
	// No lines or boundaries meet, so each line or polygon lies wholly in
	// one face of the other geometry: one vertex of each settles it.
	return pa.insideAreaOf(&pb) || pb.insideAreaOf(&pa)
}

// covers reports whether p lies on or in any part.
func (q *parts) covers(p orb.Point) bool {
	for _, r := range q.points {
		if r == p {
			return true
		}
	}
	for _, l := range q.lines {
		for i := 1; i < len(l); i++ {
			if onSegment(p, l[i-1], l[i]) {
				return true
			}
		}
	}
	for _, pg := range q.polys {
		if locatePolygon(p, pg) != outside {
			return true
		}
	}
	return false
}

// insideAreaOf reports whether the first vertex of any line or polygon of q
// lies on or in a polygon of o.
func (q *parts) insideAreaOf(o *parts) bool {
	if len(o.polys) == 0 {
		return false
	}
	test := func(p orb.Point) bool {
		for _, pg := range o.polys {
			if locatePolygon(p, pg) != outside {
				return true
			}
		}
		return false
	}
	for _, l := range q.lines {
		if test(l[0]) {
			return true
		}
	}
	for _, pg := range q.polys {
		if test(pg[0][0]) {
			return true
		}
	}
	return false
}

// segments appends the segments of the lines and rings of q, tagged set.
func (q *parts) segments(dst []seg, set int) []seg {
	for _, l := range q.lines {
		for i := 1; i < len(l); i++ {
			dst = append(dst, newSeg(l[i-1], l[i], set, i-1))
		}
	}
	for _, pg := range q.polys {
		for _, r := range pg {
			for i := range r {
				dst = append(dst, newSeg(r[i], r[(i+1)%len(r)], set, i))
			}
		}
	}
	return dst
}

// segmentsMeet reports whether any segment of a meets any segment of b.
func segmentsMeet(a, b *parts) bool {
	segs := a.segments(nil, 0)
	na := len(segs)
	segs = b.segments(segs, 1)
	nb := len(segs) - na
	if na*nb <= 256 {
		for i := range segs[:na] {
			for j := na; j < len(segs); j++ {
				s, t := &segs[i], &segs[j]
				if k, _ := meet(s.a, s.b, t.a, t.b); k != disjoint {
					return true
				}
			}
		}
		return false
	}
	found := false
	sweep(segs, func(s, t *seg) bool {
		if s.set != t.set {
			if k, _ := meetBoxed(s.a, s.b, t.a, t.b); k != disjoint {
				found = true
			}
		}
		return !found
	})
	return found
}
