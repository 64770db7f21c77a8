package geo

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Validate checks that g is fit to store: one of the six supported types;
// at most maxVertices positions in all (no limit if maxVertices <= 0); no
// empty part; every position finite with longitude in [-180, 180] and
// latitude in [-90, 90]; every line with 2 distinct positions; and every
// polygon valid in the OGC sense: rings closed, of 4 or more positions,
// not self-intersecting, not crossing each other, touching only at single
// points that leave the interior connected, holes inside the shell and not
// nested. The members of a MultiPolygon must not overlap, though they may
// touch at points. An unclosed ring is an error, not something to repair.
//
// It returns an *Error whose Path points into the GeoJSON geometry object.
func Validate(g orb.Geometry, maxVertices int) error {
	switch g.(type) {
	case orb.Point, orb.LineString, orb.Polygon, orb.MultiPoint, orb.MultiLineString, orb.MultiPolygon:
	case nil:
		return errorf("", "is missing")
	default:
		return errorf("type", "unsupported geometry type %s", typeName(g))
	}
	// Count first, so that an oversized geometry costs nothing more.
	if n := VertexCount(g); maxVertices > 0 && n > maxVertices {
		return errorf("", "has %d vertices, more than the limit %d", n, maxVertices)
	}
	switch g := g.(type) {
	case orb.Point:
		return checkPosition(g, "coordinates")
	case orb.MultiPoint:
		if len(g) == 0 {
			return errorf("coordinates", "must not be empty")
		}
		for i, p := range g {
			if err := checkPosition(p, path("coordinates", i)); err != nil {
				return err
			}
		}
	case orb.LineString:
		return checkLine(g, "coordinates")
	case orb.MultiLineString:
		if len(g) == 0 {
			return errorf("coordinates", "must not be empty")
		}
		for i, l := range g {
			if err := checkLine(l, path("coordinates", i)); err != nil {
				return err
			}
		}
	case orb.Polygon:
		return checkPolygons([]orb.Polygon{g}, false)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return errorf("coordinates", "must not be empty")
		}
		return checkPolygons(g, true)
	}
	return nil
}

func typeName(g orb.Geometry) string {
	switch g.(type) {
	case orb.Ring:
		return "Ring"
	case orb.Bound:
		return "Bound"
	case orb.Collection:
		return "GeometryCollection"
	}
	return fmt.Sprintf("%T", g)
}

func checkPosition(p orb.Point, at string) error {
	switch {
	case math.IsNaN(p[0]) || math.IsInf(p[0], 0):
		return errorf(at, "longitude %v is not a finite number", p[0])
	case math.IsNaN(p[1]) || math.IsInf(p[1], 0):
		return errorf(at, "latitude %v is not a finite number", p[1])
	case p[0] < -180 || p[0] > 180:
		return errorf(at, "longitude %v is out of range [-180, 180]", p[0])
	case p[1] < -90 || p[1] > 90:
		return errorf(at, "latitude %v is out of range [-90, 90]", p[1])
	}
	return nil
}

func checkLine(l orb.LineString, at string) error {
	if len(l) == 0 {
		return errorf(at, "must not be empty")
	}
	for i, p := range l {
		if err := checkPosition(p, path(at, i)); err != nil {
			return err
		}
	}
	for _, p := range l[1:] {
		if p != l[0] {
			return nil
		}
	}
	return errorf(at, "must have at least 2 distinct positions")
}

// vring is a ring under validation, without repeated consecutive positions,
// so that no segment has zero length.
type vring struct {
	pts  []orb.Point // closed: pts[0] == pts[len-1]
	poly int         // member of the MultiPolygon, 0 for a Polygon
	idx  int         // 0 for the shell, then the holes
	path string
}

func (r *vring) segs() int { return len(r.pts) - 1 }

// around returns the neighbours of p along r, where p lies on segment i:
// the two ends of the segment, or the vertices either side of p if p is one.
func (r *vring) around(i int, p orb.Point) (orb.Point, orb.Point) {
	m := r.segs()
	switch p {
	case r.pts[i]:
		return r.pts[(i-1+m)%m], r.pts[i+1]
	case r.pts[i+1]:
		return r.pts[i], r.pts[(i+2)%m]
	}
	return r.pts[i], r.pts[i+1]
}

// incidence records that a ring of a polygon passes through a point where
// it touches another ring of the same polygon.
type incidence struct {
	p    orb.Point
	ring int
}

func checkPolygons(polys []orb.Polygon, multi bool) error {
	var rings []vring
	for pi, pg := range polys {
		at := "coordinates"
		if multi {
			at = path(at, pi)
		}
		if len(pg) == 0 {
			return errorf(at, "must not be empty")
		}
		for ri, r := range pg {
			rat := path(at, ri)
			pts, err := checkRing(r, rat)
			if err != nil {
				return err
			}
			rings = append(rings, vring{pts: pts, poly: pi, idx: ri, path: rat})
		}
	}
	touches, err := checkCrossings(rings, multi)
	if err != nil {
		return err
	}
	if err := checkConnected(rings, touches, multi); err != nil {
		return err
	}
	return checkNesting(polys, rings, multi)
}

func checkRing(r orb.Ring, at string) ([]orb.Point, error) {
	if len(r) == 0 {
		return nil, errorf(at, "must not be empty")
	}
	for i, p := range r {
		if err := checkPosition(p, path(at, i)); err != nil {
			return nil, err
		}
	}
	if len(r) < 4 {
		return nil, errorf(at, "ring has %d positions; it needs at least 4", len(r))
	}
	if r[0] != r[len(r)-1] {
		return nil, errorf(at, "ring is not closed: its first and last positions differ")
	}
	pts := make([]orb.Point, 0, len(r))
	for _, p := range r {
		if len(pts) == 0 || p != pts[len(pts)-1] {
			pts = append(pts, p)
		}
	}
	if len(pts) < 4 {
		return nil, errorf(at, "ring needs at least 3 distinct positions")
	}
	return pts, nil
}

// checkCrossings finds every place where segments of the rings meet, with
// one sweep over all of them. A ring may meet itself only where consecutive
// segments join. Different rings may only touch at points, and not cross
// there; for the connectivity check it returns, once each, the rings of a
// polygon that pass through each point where two of them touch.
func checkCrossings(rings []vring, multi bool) ([]incidence, error) {
	n := 0
	for i := range rings {
		n += rings[i].segs()
	}
	segs := make([]seg, 0, n)
	for k := range rings {
		p := rings[k].pts
		for i := 1; i < len(p); i++ {
			segs = append(segs, newSeg(p[i-1], p[i], k, i-1))
		}
	}
	// Deduplicated as they come, so that many rings meeting at one point
	// cost memory in proportion to the rings, not to their pairs.
	seen := make(map[incidence]bool)
	var touches []incidence
	var err error
	sweep(segs, func(s, t *seg) bool {
		kind, p := meetBoxed(s.a, s.b, t.a, t.b)
		if kind == disjoint {
			return true
		}
		if s.set == t.set {
			r := &rings[s.set]
			if d := s.i - t.i; kind == touching && (d == 1 || d == -1 || d == r.segs()-1 || d == 1-r.segs()) {
				return true // consecutive segments share their vertex
			}
			err = errorf(r.path, "ring self-intersects at %s", where(kind, p, s, t))
			return false
		}
		if kind == touching {
			// Touching segments may still belong to rings that cross
			// at the shared point: one ring's edges there must not
			// separate the other's.
			r1, r2 := &rings[s.set], &rings[t.set]
			a1, a2 := r1.around(s.i, p)
			b1, b2 := r2.around(t.i, p)
			if inSector(p, a1, a2, b1) == inSector(p, a1, a2, b2) {
				if r1.poly == r2.poly {
					for _, in := range [2]incidence{{p, s.set}, {p, t.set}} {
						if !seen[in] {
							seen[in] = true
							touches = append(touches, in)
						}
					}
				}
				return true
			}
		}
		err = crossError(rings, s.set, t.set, where(kind, p, s, t), multi)
		return false
	})
	return touches, err
}

func crossError(rings []vring, k1, k2 int, at string, multi bool) error {
	r1, r2 := &rings[k1], &rings[k2]
	if r1.poly > r2.poly || r1.poly == r2.poly && r1.idx > r2.idx {
		r1, r2 = r2, r1
	}
	if r1.poly != r2.poly {
		return errorf(path("coordinates", r2.poly), "polygon overlaps polygon %d: their boundaries cross at %s", r1.poly, at)
	}
	return errorf(r2.path, "ring crosses ring %d at %s", r1.idx, at)
}

// where describes a meeting point for a message.
func where(kind contact, p orb.Point, s, t *seg) string {
	switch kind {
	case crossing:
		p = crossingPoint(s.a, s.b, t.a, t.b)
	case overlapping:
		// Some end of one segment lies on the other.
		switch {
		case onSegment(t.a, s.a, s.b):
			p = t.a
		case onSegment(t.b, s.a, s.b):
			p = t.b
		default:
			p = s.a
		}
	}
	return fmt.Sprintf("(%g, %g)", p[0], p[1])
}

// checkConnected rejects polygons whose rings touch in a cycle, twice or
// around a chain of holes, which encloses part of the interior and cuts it
// off. It unions the rings through each touching point in turn; a ring
// already joined to another through an earlier point closes a cycle.
func checkConnected(rings []vring, touches []incidence, multi bool) error {
	slices.SortFunc(touches, func(a, b incidence) int {
		if c := cmp.Compare(a.p[0], b.p[0]); c != 0 {
			return c
		}
		if c := cmp.Compare(a.p[1], b.p[1]); c != 0 {
			return c
		}
		return cmp.Compare(a.ring, b.ring)
	})
	parent := make([]int, len(rings))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := 0; i < len(touches); {
		j := i
		for j < len(touches) && touches[j].p == touches[i].p {
			j++
		}
		// The rings through this point, sorted by number, so that the
		// rings of each polygon, numbered consecutively, come together.
		group := touches[i:j]
		run := 0
		for k := 1; k < len(group); k++ {
			if rings[group[k].ring].poly != rings[group[run].ring].poly {
				run = k
				continue
			}
			r, root := find(group[k].ring), find(group[run].ring)
			if r == root {
				p := touches[i].p
				at := "coordinates"
				if multi {
					at = path(at, rings[group[run].ring].poly)
				}
				return errorf(at, "polygon interior is disconnected: its rings touch in a cycle, last at (%g, %g)", p[0], p[1])
			}
			parent[r] = root
		}
		i = j
	}
	return nil
}

// inSector reports whether the ray from p through r lies strictly inside
// the sector swept counterclockwise from ray p→a1 to ray p→a2.
func inSector(p, a1, a2, r orb.Point) bool {
	switch orient(p, a1, a2) {
	case 1: // convex sector
		return orient(p, a1, r) > 0 && orient(p, r, a2) > 0
	case -1: // reflex: inside unless in the closed convex rest
		return !(orient(p, a2, r) >= 0 && orient(p, r, a1) >= 0)
	}
	// a1 and a2 point opposite ways: a half-plane.
	return orient(p, a1, r) > 0
}

// checkNesting, once no boundaries cross, checks that holes lie inside
// their shell and outside each other, and that no member of a MultiPolygon
// lies in the interior of another.
func checkNesting(polys []orb.Polygon, rings []vring, multi bool) error {
	k := 0
	bounds := make([][]orb.Bound, len(polys))
	for pi := range polys {
		var shell *vring
		for ri := range polys[pi] {
			r := &rings[k]
			k++
			bounds[pi] = append(bounds[pi], orb.Ring(r.pts).Bound())
			if ri == 0 {
				shell = r
				continue
			}
			loc := sample(r.pts, func(p orb.Point) location { return locateRing(p, shell.pts) })
			if loc == outside {
				return errorf(r.path, "hole lies outside the shell")
			}
		}
		holes := rings[k-len(polys[pi])+1 : k]
		for i := range holes {
			for j := range holes {
				if i == j || !contains(bounds[pi][i+1], bounds[pi][j+1]) {
					continue
				}
				if sample(holes[j].pts, func(p orb.Point) location { return locateRing(p, holes[i].pts) }) == inside {
					return errorf(holes[j].path, "hole lies inside hole %d", holes[i].idx)
				}
			}
		}
	}
	if !multi {
		return nil
	}
	for i := range polys {
		for j := range polys {
			if i == j || !boundsMeet(bounds[i][0], bounds[j][0]) {
				continue
			}
			if sample(polys[j][0], func(p orb.Point) location { return locatePolygon(p, polys[i]) }) == inside {
				lo, hi := min(i, j), max(i, j)
				return errorf(path("coordinates", hi), "polygon overlaps polygon %d", lo)
			}
		}
	}
	return nil
}

func contains(outer, inner orb.Bound) bool {
	return outer.Min[0] <= inner.Min[0] && inner.Max[0] <= outer.Max[0] &&
		outer.Min[1] <= inner.Min[1] && inner.Max[1] <= outer.Max[1]
}

// sample locates a ring that crosses no boundary by one of its points off
// the boundary: a vertex, or failing that the middle of a segment.
func sample(pts []orb.Point, locate func(orb.Point) location) location {
	for _, p := range pts {
		if loc := locate(p); loc != boundary {
			return loc
		}
	}
	for i := 1; i < len(pts); i++ {
		mid := orb.Point{(pts[i-1][0] + pts[i][0]) / 2, (pts[i-1][1] + pts[i][1]) / 2}
		if loc := locate(mid); loc != boundary {
			return loc
		}
	}
	return boundary
}
