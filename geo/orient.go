package geo

import (
	"math"
	"math/big"

	"github.com/paulmach/orb"
)

// ccwErrBound bounds the rounding error of the float64 determinant in
// orient relative to the sum of its two products (Shewchuk's bound A).
const ccwErrBound = (3 + 16*epsilon) * epsilon

const epsilon = 1.0 / (1 << 53)

// orient returns +1 if c lies to the left of the directed line a→b, -1 if to
// the right and 0 if the three points are collinear. The sign is exact: a
// float64 determinant decides whenever its error bound allows, and exact
// rational arithmetic decides the rest, so that touching and collinear cases
// come out the same as in GEOS.
func orient(a, b, c orb.Point) int {
	detL := (a[0] - c[0]) * (b[1] - c[1])
	detR := (a[1] - c[1]) * (b[0] - c[0])
	det := detL - detR
	bound := ccwErrBound * (math.Abs(detL) + math.Abs(detR))
	if det > bound {
		return 1
	}
	if -det > bound {
		return -1
	}
	return orientSlow(a, b, c)
}

func orientSlow(a, b, c orb.Point) int {
	// When one factor of a product is exactly zero the determinant is a
	// single product, and the sign of a float difference is always exact.
	// This settles the axis-aligned and shared-vertex cases without big.Rat.
	switch {
	case a == b || a == c || b == c:
		return 0
	case a[1] == c[1] || b[0] == c[0]:
		return sign(a[0]-c[0]) * sign(b[1]-c[1])
	case a[0] == c[0] || b[1] == c[1]:
		return -sign(a[1]-c[1]) * sign(b[0]-c[0])
	case a[1] == b[1]:
		return sign(a[1]-c[1]) * sign(a[0]-b[0])
	case a[0] == b[0]:
		return sign(a[0]-c[0]) * sign(b[1]-a[1])
	}
	var ax, ay, bx, by, cx, cy, l, r big.Rat
	ax.SetFloat64(a[0])
	ay.SetFloat64(a[1])
	bx.SetFloat64(b[0])
	by.SetFloat64(b[1])
	cx.SetFloat64(c[0])
	cy.SetFloat64(c[1])
	ax.Sub(&ax, &cx)
	by.Sub(&by, &cy)
	ay.Sub(&ay, &cy)
	bx.Sub(&bx, &cx)
	l.Mul(&ax, &by)
	r.Mul(&ay, &bx)
	return l.Cmp(&r)
}

func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// less orders points lexicographically; along one line it orders them by
// position, exactly.
func less(p, q orb.Point) bool {
	return p[0] < q[0] || p[0] == q[0] && p[1] < q[1]
}

// contact is how two closed segments meet.
type contact int

const (
	disjoint    contact = iota
	crossing            // one point, interior to both segments
	touching            // one point, an end of at least one segment
	overlapping         // collinear, sharing a stretch of positive length
)

// meet classifies how segments ab and cd meet. For touching it also returns
// the point they share, which is always one of the four inputs.
func meet(a, b, c, d orb.Point) (contact, orb.Point) {
	// Cheap rejection on the bounding boxes first.
	if max(a[0], b[0]) < min(c[0], d[0]) || max(c[0], d[0]) < min(a[0], b[0]) ||
		max(a[1], b[1]) < min(c[1], d[1]) || max(c[1], d[1]) < min(a[1], b[1]) {
		return disjoint, orb.Point{}
	}
	return meetBoxed(a, b, c, d)
}

// meetBoxed is meet for segments whose bounding boxes are known to meet.
func meetBoxed(a, b, c, d orb.Point) (contact, orb.Point) {
	o1, o2 := orient(a, b, c), orient(a, b, d)
	if o1*o2 > 0 {
		return disjoint, orb.Point{}
	}
	o3, o4 := orient(c, d, a), orient(c, d, b)
	if o3*o4 > 0 {
		return disjoint, orb.Point{}
	}
	if o1 == 0 && o2 == 0 && o3 == 0 && o4 == 0 {
		// Collinear (or degenerate): compare positions along the line.
		if less(b, a) {
			a, b = b, a
		}
		if less(d, c) {
			c, d = d, c
		}
		lo, hi := a, b
		if less(lo, c) {
			lo = c
		}
		if less(d, hi) {
			hi = d
		}
		switch {
		case less(hi, lo):
			return disjoint, orb.Point{}
		case lo == hi:
			return touching, lo
		}
		return overlapping, orb.Point{}
	}
	switch {
	case o1 == 0:
		return touching, c
	case o2 == 0:
		return touching, d
	case o3 == 0:
		return touching, a
	case o4 == 0:
		return touching, b
	}
	return crossing, orb.Point{}
}

// onSegment reports whether p lies on the closed segment ab.
func onSegment(p, a, b orb.Point) bool {
	if p[0] < min(a[0], b[0]) || p[0] > max(a[0], b[0]) ||
		p[1] < min(a[1], b[1]) || p[1] > max(a[1], b[1]) {
		return false
	}
	return orient(a, b, p) == 0
}

// crossingPoint approximates where two crossing segments meet, for error
// messages only.
func crossingPoint(a, b, c, d orb.Point) orb.Point {
	den := (b[0]-a[0])*(d[1]-c[1]) - (b[1]-a[1])*(d[0]-c[0])
	if den == 0 {
		return a
	}
	t := ((c[0]-a[0])*(d[1]-c[1]) - (c[1]-a[1])*(d[0]-c[0])) / den
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}
