// Package geo is the geometry of concernmap: strict GeoJSON parsing and
// encoding, validation for storage, planar predicates in lon/lat that agree
// with PostGIS geometry, and geodesic distance on the WGS84 spheroid that
// agrees with PostGIS geography. It knows nothing of HTTP, SQL or concerns.
//
// Six geometry types are supported: Point, LineString, Polygon, MultiPoint,
// MultiLineString and MultiPolygon, as the orb types of the same names.
package geo

import (
	"fmt"

	"github.com/paulmach/orb"
)

// Error is a geometry problem at a path inside the GeoJSON geometry object,
// such as "coordinates[0][3]" or "type"; Path is "" for the whole geometry.
type Error struct {
	Path    string
	Message string
}

// Error returns "geo: <path>: <message>", or "geo: <message>" when the
// problem is with the whole geometry.
func (e *Error) Error() string {
	if e.Path == "" {
		return "geo: " + e.Message
	}
	return "geo: " + e.Path + ": " + e.Message
}

func errorf(path, format string, args ...any) *Error {
	return &Error{Path: path, Message: fmt.Sprintf(format, args...)}
}

// VertexCount returns the number of positions in g, counting the closing
// position of every ring.
func VertexCount(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Point:
		return 1
	case orb.MultiPoint:
		return len(g)
	case orb.LineString:
		return len(g)
	case orb.Ring:
		return len(g)
	case orb.Polygon:
		n := 0
		for _, r := range g {
			n += len(r)
		}
		return n
	case orb.MultiLineString:
		n := 0
		for _, l := range g {
			n += len(l)
		}
		return n
	case orb.MultiPolygon:
		n := 0
		for _, p := range g {
			n += VertexCount(p)
		}
		return n
	case orb.Bound:
		return 5
	case orb.Collection:
		n := 0
		for _, m := range g {
			n += VertexCount(m)
		}
		return n
	}
	return 0
}

// path builds "coordinates[i][j]..." paths for errors.
func path(base string, idx ...int) string {
	b := []byte(base)
	for _, i := range idx {
		b = fmt.Appendf(b, "[%d]", i)
	}
	return string(b)
}

// parts splits g into its points, lines and polygons, so that predicates
// need one case per pair of dimensions instead of one per pair of types.
type parts struct {
	points []orb.Point
	lines  []orb.LineString
	polys  []orb.Polygon
}

func split(g orb.Geometry) parts {
	var p parts
	p.add(g)
	return p
}

func (p *parts) add(g orb.Geometry) {
	switch g := g.(type) {
	case orb.Point:
		p.points = append(p.points, g)
	case orb.MultiPoint:
		p.points = append(p.points, g...)
	case orb.LineString:
		// A one-position line (never valid) still has a point to meet.
		switch {
		case len(g) == 1:
			p.points = append(p.points, g[0])
		case len(g) > 1:
			p.lines = append(p.lines, g)
		}
	case orb.MultiLineString:
		for _, l := range g {
			p.add(l)
		}
	case orb.Ring:
		p.add(orb.Polygon{g})
	case orb.Polygon:
		if len(g) > 0 && len(g[0]) > 0 {
			p.polys = append(p.polys, g)
		}
	case orb.MultiPolygon:
		for _, pg := range g {
			p.add(pg)
		}
	case orb.Bound:
		p.add(g.ToPolygon())
	case orb.Collection:
		for _, m := range g {
			p.add(m)
		}
	}
}

func (p *parts) empty() bool {
	return len(p.points) == 0 && len(p.lines) == 0 && len(p.polys) == 0
}

// bound returns the lon/lat bounds of the parts; ok is false when empty.
func (p *parts) bound() (b orb.Bound, ok bool) {
	ext := func(q orb.Point) {
		if !ok {
			b, ok = orb.Bound{Min: q, Max: q}, true
			return
		}
		b = b.Extend(q)
	}
	for _, q := range p.points {
		ext(q)
	}
	for _, l := range p.lines {
		for _, q := range l {
			ext(q)
		}
	}
	for _, pg := range p.polys {
		// Holes lie inside the shell of a valid polygon, but an invalid
		// one must not make a predicate miss.
		for _, r := range pg {
			for _, q := range r {
				ext(q)
			}
		}
	}
	return b, ok
}
