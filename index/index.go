// Package index holds every live concern in memory, in an R-tree, and
// answers the spatial and attribute queries that lists and tiles make.
package index

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"sync"

	"github.com/google/uuid"
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/geo"
)

// entry is what the index keeps of a concern: the exact geometry, the
// attributes filters need, packed small, and the GeoJSON that lists send.
type entry struct {
	id       uuid.UUID
	reporter uuid.UUID // uuid.Nil for an anonymous report
	geom     orb.Geometry
	observed int64 // unix microseconds
	doc      []byte
	version  int32
	area     uint32 // interned pcode; 0 for none
	category uint16
	affected concernmap.Affected
	status   uint8
	severity uint8
	when     uint8
	point    bool
}

// leaf is what the R-tree holds of a concern: its entry, and the category
// and area that clustering and visibility need, so that a low-zoom tile
// over a few hundred thousand concerns reads them from the tree's own
// memory without following the pointer to each entry.
type leaf struct {
	e        *entry
	category uint16
	area     uint32
}

func (e *entry) leaf() leaf { return leaf{e, e.category, e.area} }

// Index is an in-memory spatial index of concerns. It is safe for
// concurrent use: queries share a read lock, and writes hold the lock only
// to swap entries, since encoding happens before.
type Index struct {
	mu         sync.RWMutex
	tree       rtree.RTreeGN[float32, leaf]
	byID       map[uuid.UUID]*entry
	tombstones map[uuid.UUID]int32 // versions of deleted concerns
	categories map[string]uint16
	catNames   []string
	areas      map[string]uint32
	areaNames  []string // areaNames[0] is "", no area
}

var _ concernmap.ConcernIndex = (*Index)(nil)

// New returns an empty index.
func New() *Index {
	return &Index{
		byID:       make(map[uuid.UUID]*entry),
		tombstones: make(map[uuid.UUID]int32),
		categories: make(map[string]uint16),
		areas:      map[string]uint32{"": 0},
		areaNames:  []string{""},
	}
}

// Len returns the number of concerns in the index.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.byID)
}

// Put adds, replaces or (for a deleted concern) removes c.
func (x *Index) Put(c *concernmap.Concern) {
	var e *entry
	if !c.Deleted() {
		e = &entry{
			id:       c.ID,
			geom:     c.Geometry,
			observed: c.ObservedAt.UnixMicro(),
			doc:      encode(c),
			version:  int32(c.Version),
			affected: c.Affected,
			status:   uint8(c.Status.Ordinal()),
			severity: uint8(c.Severity),
			when:     uint8(c.WhenDangerous.Kind.Ordinal()),
		}
		if c.Reporter != nil {
			e.reporter = *c.Reporter
		}
		_, e.point = c.Geometry.(orb.Point)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if v, ok := x.tombstones[c.ID]; ok && v >= int32(c.Version) {
		return
	}
	if old, ok := x.byID[c.ID]; ok {
		if old.version >= int32(c.Version) {
			return
		}
		min, max := bounds(old.geom)
		x.tree.Delete(min, max, old.leaf())
		delete(x.byID, c.ID)
	}
	if e == nil {
		x.tombstones[c.ID] = int32(c.Version)
		return
	}
	e.category = x.categoryID(c.Category)
	e.area = x.areaID(c.Area)
	x.byID[c.ID] = e
	min, max := bounds(e.geom)
	x.tree.Insert(min, max, e.leaf())
}

var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// encode returns c's GeoJSON in a slice of exactly its length: encoding
// into a pooled buffer and copying once beats growing a fresh one, and
// leaves no spare capacity in the million documents the index holds.
func encode(c *concernmap.Concern) []byte {
	bp := scratch.Get().(*[]byte)
	b := c.AppendFeature((*bp)[:0], false)
	doc := make([]byte, len(b))
	copy(doc, b)
	if cap(b) <= 1<<20 {
		*bp = b
		scratch.Put(bp)
	}
	return doc
}

func (x *Index) categoryID(key string) uint16 {
	id, ok := x.categories[key]
	if !ok {
		id = uint16(len(x.catNames))
		x.categories[key] = id
		x.catNames = append(x.catNames, key)
	}
	return id
}

func (x *Index) areaID(pcode string) uint32 {
	id, ok := x.areas[pcode]
	if !ok {
		id = uint32(len(x.areaNames))
		x.areas[pcode] = id
		x.areaNames = append(x.areaNames, pcode)
	}
	return id
}

// bounds returns g's bound as float32, rounded outward so that a float32 box
// never misses an item.
func bounds(g orb.Geometry) (min, max [2]float32) {
	b := g.Bound()
	return [2]float32{down(b.Min[0]), down(b.Min[1])}, [2]float32{up(b.Max[0]), up(b.Max[1])}
}

func down(f float64) float32 {
	r := float32(f)
	if float64(r) > f {
		r = math.Nextafter32(r, float32(math.Inf(-1)))
	}
	return r
}

func up(f float64) float32 {
	r := float32(f)
	if float64(r) < f {
		r = math.Nextafter32(r, float32(math.Inf(1)))
	}
	return r
}

// matcher is a filter compiled against the index's category table.
type matcher struct {
	f          *concernmap.ConcernFilter
	categories []bool // by category id
	anyCat     bool
	statuses   uint16
	anyStatus  bool
	minSev     uint8
	maxSev     uint8
	from, to   int64
	after      uuid.UUID
	hasAfter   bool
	areas      []bool // by area id; nil for any area
	viewer     *concernmap.Viewer
	catNames   []string
	areaNames  []string
}

// visibility is what the filter's viewer may see of e.
func (m *matcher) visibility(e *entry) concernmap.Visibility {
	if m.viewer == nil {
		return concernmap.SeeFull
	}
	return m.viewer.Visibility(m.catNames[e.category], m.areaNames[e.area], e.reporter)
}

func (x *Index) compile(f *concernmap.ConcernFilter) matcher {
	m := matcher{f: f, anyCat: len(f.Categories) == 0, anyStatus: len(f.Statuses) == 0,
		minSev: 0, maxSev: 255, from: math.MinInt64, to: math.MaxInt64,
		after: f.After, hasAfter: f.After != uuid.Nil,
		viewer: f.Viewer, catNames: x.catNames, areaNames: x.areaNames}
	if !m.anyCat {
		m.categories = make([]bool, len(x.catNames))
		for _, c := range f.Categories {
			if id, ok := x.categories[c]; ok {
				m.categories[id] = true
			}
		}
	}
	for _, s := range f.Statuses {
		if o := s.Ordinal(); o >= 0 {
			m.statuses |= 1 << o
		}
	}
	if f.AreaIn != nil {
		m.areas = make([]bool, len(x.areaNames))
		for _, pcode := range f.AreaIn {
			if id, ok := x.areas[pcode]; ok {
				m.areas[id] = true
			}
		}
	}
	if f.MinSeverity != 0 {
		m.minSev = uint8(f.MinSeverity)
	}
	if f.MaxSeverity != 0 {
		m.maxSev = uint8(f.MaxSeverity)
	}
	if !f.From.IsZero() {
		m.from = f.From.UnixMicro()
	}
	if !f.To.IsZero() {
		m.to = f.To.UnixMicro()
	}
	return m
}

// onlyCategories reports whether the filter holds no attribute test but
// the categories.
func (m *matcher) onlyCategories() bool {
	return m.anyStatus && m.minSev == 0 && m.maxSev == 255 && m.from == math.MinInt64 && m.to == math.MaxInt64 &&
		m.f.Affected == 0 && m.areas == nil && !m.hasAfter
}

// attrs checks everything but geometry: the cheap part, done first.
func (m *matcher) attrs(e *entry) bool {
	return (m.anyCat || m.categories[e.category]) &&
		(m.anyStatus || m.statuses&(1<<e.status) != 0) &&
		e.severity >= m.minSev && e.severity <= m.maxSev &&
		e.observed >= m.from && e.observed <= m.to &&
		(m.f.Affected == 0 || e.affected&m.f.Affected != 0) &&
		(m.areas == nil || m.areas[e.area]) &&
		(!m.hasAfter || bytes.Compare(e.id[:], m.after[:]) > 0)
}

// hit is a match with its sort key: the first 8 bytes of its ID, so that
// sorting compares integers and falls back to bytes only on a tie.
type hit struct {
	key uint64
	e   *entry
}

func compareHits(a, b hit) int {
	if a.key != b.key {
		if a.key < b.key {
			return -1
		}
		return 1
	}
	return bytes.Compare(a.e.id[8:], b.e.id[8:])
}

// Find returns one page of matches in ID order.
func (x *Index) Find(f *concernmap.ConcernFilter) concernmap.ConcernPage {
	x.mu.RLock()
	defer x.mu.RUnlock()
	m := x.compile(f)
	// Most list queries cover a map view of a few thousand concerns; start
	// there rather than grow the slice a dozen times.
	hits := make([]hit, 0, 1024)
	add := func(e *entry) {
		if m.viewer != nil && m.visibility(e) < concernmap.SeeNoReporter {
			return
		}
		hits = append(hits, hit{binary.BigEndian.Uint64(e.id[:8]), e})
	}
	switch {
	case f.BBox != nil:
		b := *f.BBox
		min, max := [2]float32{down(b.Min[0]), down(b.Min[1])}, [2]float32{up(b.Max[0]), up(b.Max[1])}
		x.tree.Search(min, max, func(emin, emax [2]float32, l leaf) bool {
			if e := l.e; m.attrs(e) && (within(emin, emax, b) || inBound(e, b)) {
				add(e)
			}
			return true
		})
	case f.Near != nil:
		boxes := geo.RadiusBounds(*f.Near, f.Radius)
		for i, b := range boxes {
			min, max := [2]float32{down(b.Min[0]), down(b.Min[1])}, [2]float32{up(b.Max[0]), up(b.Max[1])}
			x.tree.Search(min, max, func(_, _ [2]float32, l leaf) bool {
				e := l.e
				// An entry in two boxes is counted in the first only.
				if i > 0 && boxesHold(boxes[:i], e) {
					return true
				}
				if m.attrs(e) && geo.DistanceWithin(e.geom, *f.Near, f.Radius) {
					add(e)
				}
				return true
			})
		}
	case f.Intersects != nil:
		b := f.Intersects.Bound()
		min, max := [2]float32{down(b.Min[0]), down(b.Min[1])}, [2]float32{up(b.Max[0]), up(b.Max[1])}
		x.tree.Search(min, max, func(_, _ [2]float32, l leaf) bool {
			if e := l.e; m.attrs(e) && geo.Intersects(e.geom, f.Intersects) {
				add(e)
			}
			return true
		})
	default:
		for _, e := range x.byID {
			if m.attrs(e) {
				add(e)
			}
		}
	}
	p := page(hits, f.Limit)
	if f.Viewer != nil {
		for _, h := range hits[:len(p.Features)] {
			if f.Viewer.Sensitive(x.catNames[h.e.category]) {
				p.Sensitive = append(p.Sensitive, h.e.id)
			}
		}
	}
	return p
}

// Each calls fn with the attributes of every concern that matches f's
// attribute filters, in no order; statistics and hotspots count these.
func (x *Index) Each(f *concernmap.ConcernFilter, fn func(*concernmap.ConcernAttrs)) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	m := x.compile(f)
	m.hasAfter = false
	var a concernmap.ConcernAttrs
	for _, e := range x.byID {
		if !m.attrs(e) {
			continue
		}
		if a.Visibility = m.visibility(e); a.Visibility == concernmap.SeeNothing {
			continue
		}
		x.fill(&a, e, true)
		fn(&a)
	}
}

// EachIn is Each for the concerns whose geometry meets b: what a vector
// tile holds. It walks the R-tree, so a tile costs what it holds, not what
// the index holds.
func (x *Index) EachIn(f *concernmap.ConcernFilter, b orb.Bound, fn func(*concernmap.ConcernAttrs)) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	m := x.compile(f)
	m.hasAfter = false
	var a concernmap.ConcernAttrs
	min, max := [2]float32{down(b.Min[0]), down(b.Min[1])}, [2]float32{up(b.Max[0]), up(b.Max[1])}
	x.tree.Search(min, max, func(emin, emax [2]float32, l leaf) bool {
		e := l.e
		if !m.attrs(e) || !within(emin, emax, b) && !inBound(e, b) {
			return true
		}
		if a.Visibility = m.visibility(e); a.Visibility == concernmap.SeeNothing {
			return true
		}
		// A tile draws the geometry itself; finding a representative
		// point for each line and polygon would cost more than the rest.
		x.fill(&a, e, false)
		fn(&a)
		return true
	})
}

// EachPoint is EachIn for clustering: it gives each concern's point (the
// centre of the box the R-tree holds, rounded outward to float32: a point's
// own place within a metre), its category and what the filter's viewer may
// see of it, and nothing else. A low-zoom tile walks hundreds of thousands
// of concerns, so with no filter but categories, and a viewer that stands
// for a class, it never leaves the tree's leaves.
func (x *Index) EachPoint(f *concernmap.ConcernFilter, b orb.Bound, fn func(p orb.Point, category string, vis concernmap.Visibility)) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	m := x.compile(f)
	m.hasAfter = false
	// Only the attributes beyond the category need the entry, and the
	// reporter only a viewer who is someone in particular.
	needEntry := !m.onlyCategories()
	needReporter := m.viewer != nil && m.viewer.User != nil && m.viewer.User.ID != uuid.Nil
	min, max := [2]float32{down(b.Min[0]), down(b.Min[1])}, [2]float32{up(b.Max[0]), up(b.Max[1])}
	x.tree.Search(min, max, func(emin, emax [2]float32, l leaf) bool {
		if !m.anyCat && !m.categories[l.category] || needEntry && !m.attrs(l.e) {
			return true
		}
		p := orb.Point{(float64(emin[0]) + float64(emax[0])) / 2, (float64(emin[1]) + float64(emax[1])) / 2}
		if !b.Contains(p) {
			return true
		}
		vis := concernmap.SeeFull
		if m.viewer != nil {
			var reporter uuid.UUID
			if needReporter {
				reporter = l.e.reporter
			}
			if vis = m.viewer.Visibility(x.catNames[l.category], x.areaNames[l.area], reporter); vis == concernmap.SeeNothing {
				return true
			}
		}
		fn(p, x.catNames[l.category], vis)
		return true
	})
}

// Bound returns the bound and area of concern id, if the index holds it.
func (x *Index) Bound(id uuid.UUID) (orb.Bound, string, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	e, ok := x.byID[id]
	if !ok {
		return orb.Bound{}, "", false
	}
	return e.geom.Bound(), x.areaNames[e.area], true
}

// fill sets a from e, and a.Point if point is set; otherwise a.Point is
// the zero point for lines and polygons.
func (x *Index) fill(a *concernmap.ConcernAttrs, e *entry, point bool) {
	a.ID, a.Geometry = e.id, e.geom
	a.Category = x.catNames[e.category]
	a.Status = concernmap.Statuses[e.status]
	a.Severity = int(e.severity)
	a.Affected = e.affected
	a.When = concernmap.WhenKinds[e.when]
	a.ObservedAt = e.observed
	a.Area = x.areaNames[e.area]
	switch {
	case e.point:
		a.Point = e.geom.(orb.Point)
	case point:
		a.Point = geo.RepresentativePoint(e.geom)
	default:
		a.Point = orb.Point{}
	}
}

// boxesHold reports whether an earlier candidate box already yielded e.
func boxesHold(boxes []orb.Bound, e *entry) bool {
	min, max := bounds(e.geom)
	for _, b := range boxes {
		bmin, bmax := [2]float32{down(b.Min[0]), down(b.Min[1])}, [2]float32{up(b.Max[0]), up(b.Max[1])}
		if min[0] <= bmax[0] && max[0] >= bmin[0] && min[1] <= bmax[1] && max[1] >= bmin[1] {
			return true
		}
	}
	return false
}

// within reports whether an entry's stored box, rounded outward, lies
// inside b: then its geometry does too, and the exact test can be skipped.
func within(min, max [2]float32, b orb.Bound) bool {
	return float64(min[0]) >= b.Min[0] && float64(min[1]) >= b.Min[1] && float64(max[0]) <= b.Max[0] && float64(max[1]) <= b.Max[1]
}

func inBound(e *entry, b orb.Bound) bool {
	if e.point {
		p := e.geom.(orb.Point)
		return p[0] >= b.Min[0] && p[0] <= b.Max[0] && p[1] >= b.Min[1] && p[1] <= b.Max[1]
	}
	return geo.IntersectsBound(e.geom, b)
}

// page sorts the hits, keeping only the first limit+1 when there are many,
// and builds the page.
func page(hits []hit, limit int) concernmap.ConcernPage {
	if len(hits) > 4*limit {
		hits = smallest(hits, limit+1)
	}
	slices.SortFunc(hits, compareHits)
	var p concernmap.ConcernPage
	if len(hits) > limit {
		hits, p.More = hits[:limit], true
	}
	p.Features = make([][]byte, len(hits))
	for i, h := range hits {
		p.Features[i] = h.e.doc
	}
	if len(hits) > 0 {
		p.Last = hits[len(hits)-1].e.id
	}
	return p
}

// smallest returns the k smallest hits, unordered, by quickselect, so a
// query over the whole map costs O(n) rather than O(n log n).
func smallest(hits []hit, k int) []hit {
	lo, hi := 0, len(hits)-1
	for lo < hi {
		p := hits[(lo+hi)/2]
		i, j := lo, hi
		for i <= j {
			for compareHits(hits[i], p) < 0 {
				i++
			}
			for compareHits(hits[j], p) > 0 {
				j--
			}
			if i <= j {
				hits[i], hits[j] = hits[j], hits[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return hits[:k]
		}
	}
	return hits[:k]
}
