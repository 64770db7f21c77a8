package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// RepresentativePoint returns one point that stands for g when a single
// place is needed, such as which village tract holds a road: a point
// itself; the first member of a MultiPoint; the point halfway along a line
// (by length, on the line); for a polygon a point inside it: the centroid
// when the polygon holds it, else the middle of the widest run inside the
// polygon along the centroid's latitude. Multi forms use their largest
// member (longest line, largest polygon).
func RepresentativePoint(g orb.Geometry) orb.Point {
	switch g := g.(type) {
	case orb.Point:
		return g
	case orb.MultiPoint:
		if len(g) > 0 {
			return g[0]
		}
	case orb.LineString:
		return midLine(g)
	case orb.MultiLineString:
		best, bestLen := -1, -1.0
		for i, ls := range g {
			if l := planar.Length(ls); l > bestLen {
				best, bestLen = i, l
			}
		}
		if best >= 0 {
			return midLine(g[best])
		}
	case orb.Polygon:
		return insidePoint(g)
	case orb.MultiPolygon:
		best, bestArea := -1, -1.0
		for i, p := range g {
			if a := math.Abs(planar.Area(p)); a > bestArea {
				best, bestArea = i, a
			}
		}
		if best >= 0 {
			return insidePoint(g[best])
		}
	}
	return g.Bound().Center()
}

func midLine(ls orb.LineString) orb.Point {
	if len(ls) == 0 {
		return orb.Point{}
	}
	half := planar.Length(ls) / 2
	for i := 1; i < len(ls); i++ {
		d := planar.Distance(ls[i-1], ls[i])
		if d >= half && d > 0 {
			t := half / d
			return orb.Point{ls[i-1][0] + t*(ls[i][0]-ls[i-1][0]), ls[i-1][1] + t*(ls[i][1]-ls[i-1][1])}
		}
		half -= d
	}
	return ls[len(ls)-1]
}

func insidePoint(p orb.Polygon) orb.Point {
	if len(p) == 0 || len(p[0]) == 0 {
		return orb.Point{}
	}
	c, _ := planar.CentroidArea(p)
	if planar.PolygonContains(p, c) {
		return c
	}
	// Crossings of the centroid's latitude with every ring, paired into
	// runs that lie inside; the widest run's middle is inside.
	var xs []float64
	for _, r := range p {
		for i := 1; i < len(r); i++ {
			a, b := r[i-1], r[i]
			if (a[1] > c[1]) != (b[1] > c[1]) {
				xs = append(xs, a[0]+(c[1]-a[1])/(b[1]-a[1])*(b[0]-a[0]))
			}
		}
	}
	slices.Sort(xs)
	best, width := orb.Point(p[0][0]), -1.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > width {
			best, width = orb.Point{(xs[i] + xs[i+1]) / 2, c[1]}, w
		}
	}
	return best
}
