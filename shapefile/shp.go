package shapefile

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// The .shp layout, from the ESRI Shapefile Technical Description (1998).
const (
	fileCode   = 9994
	headerSize = 100
	// A polygon record holds its shape type, box, part and point counts
	// before the part indices.
	polygonHead = 44

	typeNull     = 0
	typePolygon  = 5
	typePolygonZ = 15
	typePolygonM = 25
)

// maxWork bounds the edge visits spent assigning holes in one record, so a
// crafted record of many nested rings cannot take minutes.
const maxWork = 100_000_000

var shapeNames = map[int32]string{
	0: "Null", 1: "Point", 3: "PolyLine", 5: "Polygon", 8: "MultiPoint",
	11: "PointZ", 13: "PolyLineZ", 15: "PolygonZ", 18: "MultiPointZ",
	21: "PointM", 23: "PolyLineM", 25: "PolygonM", 28: "MultiPointM",
	31: "MultiPatch",
}

func shapeName(t int32) string {
	if n, ok := shapeNames[t]; ok {
		return fmt.Sprintf("%d (%s)", t, n)
	}
	return fmt.Sprint(t)
}

func isPolygon(t int32) bool {
	return t == typePolygon || t == typePolygonZ || t == typePolygonM
}

// parseSHP returns the geometry of every record in file order, nil for a
// Null record or an empty polygon.
func parseSHP(data []byte, b *budget) ([]orb.Geometry, error) {
	if len(data) < headerSize {
		return nil, fmt.Errorf("%w: .shp header is %d bytes, want %d", ErrCorrupt, len(data), headerSize)
	}
	if code := int32(binary.BigEndian.Uint32(data)); code != fileCode {
		return nil, fmt.Errorf("%w: .shp file code %d, want %d", ErrCorrupt, code, fileCode)
	}
	// The file length counts 16-bit words, the header included. Bytes past
	// it are ignored, as some writers pad the file.
	size := int64(binary.BigEndian.Uint32(data[24:])) * 2
	if size < headerSize || size > int64(len(data)) {
		return nil, fmt.Errorf("%w: .shp header gives %d bytes, file has %d", ErrCorrupt, size, len(data))
	}
	if t := int32(binary.LittleEndian.Uint32(data[32:])); t != typeNull && !isPolygon(t) {
		return nil, fmt.Errorf("%w %s: want Polygon, PolygonZ or PolygonM", ErrShapeType, shapeName(t))
	}
	data = data[headerSize:size]
	var geoms []orb.Geometry
	for len(data) > 0 {
		rec := len(geoms) + 1
		if len(data) < 8 {
			return nil, fmt.Errorf("%w: .shp record %d: header cut short", ErrCorrupt, rec)
		}
		if num := int32(binary.BigEndian.Uint32(data)); num != int32(rec) {
			return nil, fmt.Errorf("%w: .shp record %d: numbered %d", ErrCorrupt, rec, num)
		}
		n := int64(binary.BigEndian.Uint32(data[4:])) * 2
		if n < 4 || n > int64(len(data)-8) {
			return nil, fmt.Errorf("%w: .shp record %d: content of %d bytes, %d left", ErrCorrupt, rec, n, len(data)-8)
		}
		g, err := parseRecord(data[8:8+n], rec, b)
		if err != nil {
			return nil, err
		}
		geoms = append(geoms, g)
		data = data[8+n:]
	}
	return geoms, nil
}

// parseRecord decodes one record's content. Z and M values follow the
// points and are not read.
func parseRecord(c []byte, rec int, b *budget) (orb.Geometry, error) {
	t := int32(binary.LittleEndian.Uint32(c))
	if t == typeNull {
		return nil, nil
	}
	if !isPolygon(t) {
		return nil, fmt.Errorf("%w %s in .shp record %d", ErrShapeType, shapeName(t), rec)
	}
	if len(c) < polygonHead {
		return nil, fmt.Errorf("%w: .shp record %d: %d bytes, too short for a polygon", ErrCorrupt, rec, len(c))
	}
	nParts := int64(binary.LittleEndian.Uint32(c[36:]))
	nPoints := int64(binary.LittleEndian.Uint32(c[40:]))
	if nPoints > MaxPoints {
		return nil, fmt.Errorf("%w: .shp record %d has %d points, over %d", ErrTooLarge, rec, nPoints, MaxPoints)
	}
	if nParts == 0 && nPoints == 0 {
		return nil, nil
	}
	if nParts == 0 || nPoints == 0 || nParts > nPoints {
		return nil, fmt.Errorf("%w: .shp record %d: %d parts of %d points", ErrCorrupt, rec, nParts, nPoints)
	}
	if need := polygonHead + 4*nParts + 16*nPoints; need > int64(len(c)) {
		return nil, fmt.Errorf("%w: .shp record %d: %d parts and %d points need %d bytes, record has %d",
			ErrCorrupt, rec, nParts, nPoints, need, len(c))
	}
	// Each ring may gain a closing point, and costs a slice header in its
	// ring and in its polygon.
	if err := b.take(16*(nPoints+nParts) + 48*nParts); err != nil {
		return nil, err
	}
	starts := c[polygonHead : polygonHead+4*nParts]
	pts := c[polygonHead+4*nParts:]
	rings := make([]orb.Ring, nParts)
	for i := range rings {
		start := int64(binary.LittleEndian.Uint32(starts[4*i:]))
		end := nPoints
		if i+1 < len(rings) {
			end = int64(binary.LittleEndian.Uint32(starts[4*i+4:]))
		}
		if (i == 0 && start != 0) || start >= end || end > nPoints {
			return nil, fmt.Errorf("%w: .shp record %d: part %d spans points %d to %d of %d",
				ErrCorrupt, rec, i, start, end, nPoints)
		}
		r := make(orb.Ring, end-start, end-start+1)
		for j := range r {
			p := pts[16*(start+int64(j)):]
			r[j] = orb.Point{
				math.Float64frombits(binary.LittleEndian.Uint64(p)),
				math.Float64frombits(binary.LittleEndian.Uint64(p[8:])),
			}
		}
		// Rings should be closed; close the odd one that is not, rather
		// than hand the caller an invalid GeoJSON ring.
		if r[0] != r[len(r)-1] {
			r = append(r, r[0])
		}
		rings[i] = r
	}
	return assemble(rings, rec)
}

// assemble groups a record's rings into polygons. Shapefiles draw outer
// rings clockwise and holes counter-clockwise, in any order. Each hole goes
// to the smallest outer ring that contains it; a hole that no outer ring
// contains becomes a polygon of its own, as GDAL does, so no area is lost.
// The result follows RFC 7946: outer rings counter-clockwise, holes
// clockwise. Rings of zero area count as outer rings, and are kept for the
// caller's validation to judge.
func assemble(rings []orb.Ring, rec int) (orb.Geometry, error) {
	area := make([]float64, len(rings))
	var outers, holes []int
	for i, r := range rings {
		area[i] = signedArea(r)
		if area[i] > 0 {
			holes = append(holes, i)
		} else {
			outers = append(outers, i)
		}
	}
	owner := make([]int, len(rings))
	for i := range owner {
		owner[i] = -1
	}
	switch {
	case len(outers) == 1:
		// One outer ring owns every hole. This is the common case, and
		// needs no containment test, as in GDAL.
		for _, h := range holes {
			owner[h] = outers[0]
		}
	case len(outers) > 1 && len(holes) > 0:
		bounds := make([]orb.Bound, len(rings))
		for i, r := range rings {
			bounds[i] = r.Bound()
		}
		work := 0
		for _, h := range holes {
			best := -1
			for _, o := range outers {
				if !bounds[o].Contains(bounds[h].Min) || !bounds[o].Contains(bounds[h].Max) {
					continue
				}
				if best >= 0 && -area[o] >= -area[best] {
					continue
				}
				in, ok := ringInRing(rings[h], rings[o], &work)
				if !ok {
					return nil, fmt.Errorf("%w: .shp record %d: too many nested rings", ErrTooLarge, rec)
				}
				if in {
					best = o
				}
			}
			owner[h] = best
		}
	}
	slot := make([]int, len(rings))
	var mp orb.MultiPolygon
	for i, r := range rings {
		if area[i] <= 0 || owner[i] < 0 {
			if area[i] < 0 {
				r.Reverse()
			}
			slot[i] = len(mp)
			mp = append(mp, orb.Polygon{r})
		}
	}
	for _, h := range holes {
		if o := owner[h]; o >= 0 {
			rings[h].Reverse()
			mp[slot[o]] = append(mp[slot[o]], rings[h])
		}
	}
	if len(mp) == 1 {
		return mp[0], nil
	}
	return mp, nil
}

// signedArea is twice the area of a closed ring, positive when the ring is
// counter-clockwise. Coordinates are taken relative to the first point to
// keep the products small.
func signedArea(r orb.Ring) float64 {
	var s float64
	o := r[0]
	for i := 1; i+1 < len(r); i++ {
		s += (r[i][0]-o[0])*(r[i+1][1]-o[1]) - (r[i+1][0]-o[0])*(r[i][1]-o[1])
	}
	return s
}

// ringInRing reports whether ring h lies inside ring o, judged by the first
// vertex of h that is not on o's boundary. A ring entirely on o's boundary
// counts as inside. It adds the edges it visits to work, and gives up with
// ok false once work passes maxWork.
func ringInRing(h, o orb.Ring, work *int) (in, ok bool) {
	for _, p := range h {
		if *work += len(o); *work > maxWork {
			return false, false
		}
		switch pointInRing(p, o) {
		case 1:
			return true, true
		case -1:
			return false, true
		}
	}
	return true, true
}

// pointInRing returns 1 if p is inside the closed ring r, -1 if outside and
// 0 if on its boundary, by counting crossings of a ray towards +x.
func pointInRing(p orb.Point, r orb.Ring) int {
	in := false
	for i := 1; i < len(r); i++ {
		a, c := r[i-1], r[i]
		cross := (c[0]-a[0])*(p[1]-a[1]) - (c[1]-a[1])*(p[0]-a[0])
		if cross == 0 && min(a[0], c[0]) <= p[0] && p[0] <= max(a[0], c[0]) &&
			min(a[1], c[1]) <= p[1] && p[1] <= max(a[1], c[1]) {
			return 0
		}
		if (a[1] > p[1]) != (c[1] > p[1]) {
			if x := a[0] + (p[1]-a[1])*(c[0]-a[0])/(c[1]-a[1]); p[0] < x {
				in = !in
			}
		}
	}
	if in {
		return 1
	}
	return -1
}
