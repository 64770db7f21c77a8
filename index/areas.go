package index

import (
	"slices"
	"strings"
	"sync"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/geo"
)

// Areas holds administrative boundaries in an R-tree, to say which area
// holds a concern, and the hierarchy, to widen a township to its tracts.
// It is safe for concurrent use.
type Areas struct {
	mu       sync.RWMutex
	tree     rtree.RTreeGN[float32, *concernmap.Area]
	byPCode  map[string]*concernmap.Area
	children map[string][]string
}

var _ concernmap.AreaIndex = (*Areas)(nil)

// NewAreas returns an empty area index.
func NewAreas() *Areas {
	return &Areas{byPCode: map[string]*concernmap.Area{}, children: map[string][]string{}}
}

// Put adds or replaces areas, matched by pcode.
func (x *Areas) Put(areas ...*concernmap.Area) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, a := range areas {
		if old, ok := x.byPCode[a.PCode]; ok {
			min, max := bounds(old.Geometry)
			x.tree.Delete(min, max, old)
			x.children[old.Parent] = slices.DeleteFunc(x.children[old.Parent], func(s string) bool { return s == old.PCode })
		}
		x.byPCode[a.PCode] = a
		x.children[a.Parent] = append(x.children[a.Parent], a.PCode)
		min, max := bounds(a.Geometry)
		x.tree.Insert(min, max, a)
	}
}

// Len returns the number of areas.
func (x *Areas) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.byPCode)
}

// Locate returns the pcode of the area that holds g, or "". The rule: take
// g's representative point (geo.RepresentativePoint); among the areas whose
// closed boundary holds it (as PostGIS ST_Intersects decides, see
// pointInMulti), the deepest level
// wins, so a concern gets its village tract where tracts exist and its
// township where they do not; a point on a boundary shared by two areas of
// that level goes to the smaller pcode.
func (x *Areas) Locate(g orb.Geometry) string {
	p := geo.RepresentativePoint(g)
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.locate(p)
}

func (x *Areas) locate(p orb.Point) string {
	var best *concernmap.Area
	min, max := bounds(p)
	x.tree.Search(min, max, func(_, _ [2]float32, a *concernmap.Area) bool {
		if best != nil {
			d, bd := a.Level.Depth(), best.Level.Depth()
			if d < bd || d == bd && a.PCode > best.PCode {
				return true
			}
		}
		if pointInMulti(a.Geometry, p) >= 0 {
			best = a
		}
		return true
	})
	if best == nil {
		return ""
	}
	return best.PCode
}

// pointInMulti returns 1 if p is inside mp, 0 on its boundary and -1
// outside. It is the winding-number test that PostGIS's ST_Intersects uses
// for a point and a polygon, in the same double-precision arithmetic, so
// that a point a rounding error away from a shared edge lands in the same
// area in both: an exact test would disagree with PostGIS there.
func pointInMulti(mp orb.MultiPolygon, p orb.Point) int {
	result := -1
	for _, poly := range mp {
		if len(poly) == 0 {
			continue
		}
		in := pointInRing(poly[0], p)
		if in == -1 {
			continue
		}
		if in == 0 {
			return 0
		}
		result = in
		for _, hole := range poly[1:] {
			switch pointInRing(hole, p) {
			case 1:
				result = -1
			case 0:
				return 0
			}
			if result == -1 {
				break
			}
		}
		if result != -1 {
			return result
		}
	}
	return result
}

func pointInRing(r orb.Ring, p orb.Point) int {
	wn := 0
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if a == b {
			continue
		}
		// The explicit conversions round each product, as C does, and
		// stop the compiler fusing them into one multiply-add.
		side := float64((b[0]-a[0])*(p[1]-a[1])) - float64((p[0]-a[0])*(b[1]-a[1]))
		if side == 0 && min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1]) {
			return 0
		}
		if a[1] <= p[1] && p[1] < b[1] && side > 0 {
			wn++
		} else if b[1] <= p[1] && p[1] < a[1] && side < 0 {
			wn--
		}
	}
	if wn == 0 {
		return -1
	}
	return 1
}

// Find returns one area.
func (x *Areas) Find(pcode string) (*concernmap.Area, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	a, ok := x.byPCode[pcode]
	return a, ok
}

// Within returns pcode and the pcodes of every area below it.
func (x *Areas) Within(pcode string) []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := []string{pcode}
	for i := 0; i < len(out); i++ {
		out = append(out, x.children[out[i]]...)
	}
	return out
}

// Ancestor returns the pcode of pcode's area or its ancestor at level, or
// "" if it has none there.
func (x *Areas) Ancestor(pcode string, level concernmap.AreaLevel) string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	for seen := 0; pcode != "" && seen < len(concernmap.AreaLevels)+1; seen++ {
		a, ok := x.byPCode[pcode]
		if !ok {
			return ""
		}
		if a.Level == level {
			return pcode
		}
		pcode = a.Parent
	}
	return ""
}

// List returns the areas that match f, ordered by pcode.
func (x *Areas) List(f concernmap.AreaFilter) []*concernmap.Area {
	x.mu.RLock()
	defer x.mu.RUnlock()
	q := strings.ToLower(f.Query)
	var out []*concernmap.Area
	match := func(a *concernmap.Area) {
		if (f.Level == "" || a.Level == f.Level) && (f.Parent == "" || a.Parent == f.Parent) &&
			(q == "" || strings.Contains(strings.ToLower(a.NameEN), q) || strings.Contains(a.NameMY, f.Query)) &&
			(f.BBox == nil || geo.IntersectsBound(a.Geometry, *f.BBox)) {
			out = append(out, a)
		}
	}
	if f.BBox != nil {
		min, max := [2]float32{down(f.BBox.Min[0]), down(f.BBox.Min[1])}, [2]float32{up(f.BBox.Max[0]), up(f.BBox.Max[1])}
		x.tree.Search(min, max, func(_, _ [2]float32, a *concernmap.Area) bool { match(a); return true })
	} else {
		for _, a := range x.byPCode {
			match(a)
		}
	}
	slices.SortFunc(out, func(a, b *concernmap.Area) int { return strings.Compare(a.PCode, b.PCode) })
	return out
}
