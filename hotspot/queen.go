package hotspot

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// QueenContiguity returns the queen-contiguity weights of polygons of one
// level: two polygons are neighbours when their boundaries (outer rings and
// holes of any member) come within tol degrees of each other, so sharing a
// single corner is enough. tol bridges the small gaps and slivers of real
// boundaries; 1e-7 suits boundaries that share vertices exactly. A negative
// tol counts as 0 and polygons without points have no neighbours. Neighbour
// lists are symmetric and sorted. It is meant to run once, at import.
func QueenContiguity(polys []orb.MultiPolygon, tol float64) Weights {
	if !(tol > 0) {
		tol = 0
	}
	bounds := make([]orb.Bound, len(polys))
	empty := make([]bool, len(polys))
	var tr rtree.RTreeGN[float64, int]
	for i, mp := range polys {
		b, ok := pointBound(mp)
		if !ok {
			empty[i] = true
			continue
		}
		bounds[i] = b
		tr.Insert(b.Min, b.Max, i)
	}

	nb := make([][]int, len(polys))
	var cands []int
	var nt nearTester
	for i := range polys {
		if empty[i] {
			continue
		}
		bi := bounds[i].Pad(tol)
		cands = cands[:0]
		tr.Search(bi.Min, bi.Max, func(_, _ [2]float64, j int) bool {
			if j > i {
				cands = append(cands, j)
			}
			return true
		})
		// In ascending order, every list comes out sorted: the i < j found
		// earlier from j's side precede the j > i appended here.
		slices.Sort(cands)
		for _, j := range cands {
			if nt.near(polys[i], polys[j], overlap(bi, bounds[j].Pad(tol)), tol) {
				nb[i] = append(nb[i], j)
				nb[j] = append(nb[j], i)
			}
		}
	}
	return Weights{Neighbors: nb}
}

// pointBound is the bound of every ring point of mp, holes included, and
// false when mp has no points.
func pointBound(mp orb.MultiPolygon) (orb.Bound, bool) {
	var b orb.Bound
	ok := false
	for _, p := range mp {
		for _, r := range p {
			for _, pt := range r {
				if !ok {
					b, ok = orb.Bound{Min: pt, Max: pt}, true
					continue
				}
				b = b.Extend(pt)
			}
		}
	}
	return b, ok
}

// overlap is the intersection of two bounds that meet.
func overlap(a, b orb.Bound) orb.Bound {
	return orb.Bound{
		Min: orb.Point{max(a.Min[0], b.Min[0]), max(a.Min[1], b.Min[1])},
		Max: orb.Point{min(a.Max[0], b.Max[0]), min(a.Max[1], b.Max[1])},
	}
}

// seg is one boundary segment, with its extent along the sweep axis (lo,
// hi) and across it (vlo, vhi), and which of the two polygons under test it
// belongs to.
type seg struct {
	a, b     orb.Point
	lo, hi   float64
	vlo, vhi float64
	side     int
}

// sweepKey orders segments for the sweep. Sorting these small keys moves
// far less memory than sorting whole segments, and sorting was most of the
// time QueenContiguity took.
type sweepKey struct {
	lo float64
	i  int32
}

// nearTester tests pairs of polygons, keeping its scratch space between
// tests.
type nearTester struct {
	segs   []seg
	keys   []sweepKey
	active [2][]int32
}

// near reports whether the boundaries of p and q come within tol of each
// other. Only segments whose boxes meet box, the overlap of the two padded
// bounds, can do so: a point of p within tol of q lies in q's bound padded
// by tol.
func (nt *nearTester) near(p, q orb.MultiPolygon, box orb.Bound, tol float64) bool {
	// Sweep along the longer side of box: neighbours' boxes are thin
	// strips along the shared boundary, and a sweep across a strip would
	// keep most of it active at once.
	axis := 0
	if box.Max[1]-box.Min[1] > box.Max[0]-box.Min[0] {
		axis = 1
	}
	nt.segs = appendSegs(nt.segs[:0], p, box, tol, 0, axis)
	n0 := len(nt.segs)
	nt.segs = appendSegs(nt.segs, q, box, 0, 1, axis)
	if n0 == 0 || len(nt.segs) == n0 {
		return false
	}
	return nt.sweep(tol)
}

// appendSegs appends the segments of mp whose boxes meet box, with boxes
// padded by pad. Padding one side only by tol lets a plain box overlap test
// stand for "boxes within tol".
func appendSegs(buf []seg, mp orb.MultiPolygon, box orb.Bound, pad float64, side, axis int) []seg {
	other := 1 - axis
	add := func(a, b orb.Point) {
		s := seg{
			a: a, b: b,
			lo: min(a[axis], b[axis]) - pad, hi: max(a[axis], b[axis]) + pad,
			vlo: min(a[other], b[other]) - pad, vhi: max(a[other], b[other]) + pad,
			side: side,
		}
		if s.hi < box.Min[axis] || s.lo > box.Max[axis] || s.vhi < box.Min[other] || s.vlo > box.Max[other] {
			return
		}
		buf = append(buf, s)
	}
	for _, poly := range mp {
		for _, r := range poly {
			for k := 1; k < len(r); k++ {
				add(r[k-1], r[k])
			}
			// Rings from real files are not always closed.
			if len(r) == 1 || len(r) > 1 && r[0] != r[len(r)-1] {
				add(r[len(r)-1], r[0])
			}
		}
	}
	return buf
}

// sweep reports whether a segment of side 0 in nt.segs comes within tol of
// one of side 1. Sorting by lo and keeping only the segments whose extent
// still reaches the sweep line tests far fewer pairs than all of them.
func (nt *nearTester) sweep(tol float64) bool {
	nt.keys = nt.keys[:0]
	for i, s := range nt.segs {
		nt.keys = append(nt.keys, sweepKey{s.lo, int32(i)})
	}
	slices.SortFunc(nt.keys, func(a, b sweepKey) int { return cmp.Compare(a.lo, b.lo) })
	nt.active[0], nt.active[1] = nt.active[0][:0], nt.active[1][:0]
	for _, k := range nt.keys {
		s := &nt.segs[k.i]
		other := nt.active[1-s.side]
		n := 0
		for _, j := range other {
			t := &nt.segs[j]
			if t.hi < s.lo {
				continue
			}
			other[n] = j
			n++
			if t.vlo <= s.vhi && s.vlo <= t.vhi && segNear(s.a, s.b, t.a, t.b, tol) {
				return true
			}
		}
		nt.active[1-s.side] = other[:n]
		nt.active[s.side] = append(nt.active[s.side], k.i)
	}
	return false
}

// segNear reports whether segments ab and cd come within tol of each other.
func segNear(a, b, c, d orb.Point, tol float64) bool {
	// Segments that do not cross are closest at an endpoint of one of
	// them, and touching or collinear overlap puts an endpoint at distance 0.
	t2 := tol * tol
	if pointSegDist2(a, c, d) <= t2 || pointSegDist2(b, c, d) <= t2 ||
		pointSegDist2(c, a, b) <= t2 || pointSegDist2(d, a, b) <= t2 {
		return true
	}
	return crosses(a, b, c, d)
}

// crosses reports whether ab and cd cross properly, each splitting the
// other's endpoints.
func crosses(a, b, c, d orb.Point) bool {
	o1, o2 := orient(c, d, a), orient(c, d, b)
	o3, o4 := orient(a, b, c), orient(a, b, d)
	return (o1 > 0 && o2 < 0 || o1 < 0 && o2 > 0) && (o3 > 0 && o4 < 0 || o3 < 0 && o4 > 0)
}

// orient is twice the signed area of triangle abc: positive when c is left
// of ab.
func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// pointSegDist2 is the squared distance from p to segment ab.
func pointSegDist2(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	px, py := p[0]-a[0], p[1]-a[1]
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = (px*dx + py*dy) / l2
	}
	switch {
	case t <= 0:
		return px*px + py*py
	case t >= 1:
		// Measure to b itself: a + 1·(b−a) need not round back to b, and a
		// shared vertex must be at distance exactly 0.
		ex, ey := p[0]-b[0], p[1]-b[1]
		return ex*ex + ey*ey
	}
	ex, ey := px-t*dx, py-t*dy
	return ex*ex + ey*ey
}
