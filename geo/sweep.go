package geo

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
)

// seg is one segment of a ring or line, tagged with where it came from.
type seg struct {
	a, b       orb.Point
	minX, maxX float64
	minY, maxY float64
	set        int // which input set: ring number in Validate, 0 or 1 in Intersects
	i          int // index of a in its ring or line
}

func newSeg(a, b orb.Point, set, i int) seg {
	return seg{
		a: a, b: b,
		minX: min(a[0], b[0]), maxX: max(a[0], b[0]),
		minY: min(a[1], b[1]), maxY: max(a[1], b[1]),
		set: set, i: i,
	}
}

// sweep calls fn for every pair of segments whose bounding boxes meet, until
// fn returns false. Sorting by minimum x and keeping only the segments whose
// x-range still reaches the sweep line makes it O(n log n + k) for rings
// whose segments are short, as real boundaries are, instead of O(n²).
// Pairs come with the earlier segment in sweep order first. It reorders segs.
func sweep(segs []seg, fn func(s, t *seg) bool) {
	slices.SortFunc(segs, func(s, t seg) int {
		if c := cmp.Compare(s.minX, t.minX); c != 0 {
			return c
		}
		// Ties in a stable order keep error messages deterministic.
		if c := cmp.Compare(s.set, t.set); c != 0 {
			return c
		}
		return cmp.Compare(s.i, t.i)
	})
	active := make([]*seg, 0, 64)
	for k := range segs {
		s := &segs[k]
		n := 0
		for _, t := range active {
			if t.maxX >= s.minX {
				active[n] = t
				n++
			}
		}
		active = active[:n]
		for _, t := range active {
			if t.minY <= s.maxY && s.minY <= t.maxY {
				if !fn(t, s) {
					return
				}
			}
		}
		active = append(active, s)
	}
}
