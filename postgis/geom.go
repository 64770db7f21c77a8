package postgis

import (
	"errors"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/ewkb"
)

// Geometry crosses into PostGIS as EWKB. orb is the domain's model; go-geom
// is used only here, at the boundary, because it speaks EWKB with an SRID.

// srid is WGS84, the only coordinate system concerns are stored in.
const srid = 4326

// errEmpty reports an empty geometry, which no concern has.
var errEmpty = errors.New("postgis: empty geometry")

// marshalEWKB encodes g as little-endian EWKB with SRID 4326.
func marshalEWKB(g orb.Geometry) ([]byte, error) {
	t, err := toGeom(g)
	if err != nil {
		return nil, err
	}
	return ewkb.Marshal(t, ewkb.NDR)
}

// unmarshalEWKB decodes EWKB, as ST_AsEWKB writes it, into an orb geometry.
func unmarshalEWKB(b []byte) (orb.Geometry, error) {
	t, err := ewkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("decode ewkb: %w", err)
	}
	return fromGeom(t)
}

// toGeom converts an orb geometry to go-geom, in the XY layout with SRID
// 4326. It takes the six types a concern may have.
func toGeom(g orb.Geometry) (geom.T, error) {
	switch g := g.(type) {
	case orb.Point:
		return geom.NewPointFlat(geom.XY, []float64{g[0], g[1]}).SetSRID(srid), nil
	case orb.LineString:
		return geom.NewLineStringFlat(geom.XY, appendFlat(nil, g)).SetSRID(srid), nil
	case orb.Polygon:
		flat, ends := appendRings(nil, nil, g)
		return geom.NewPolygonFlat(geom.XY, flat, ends).SetSRID(srid), nil
	case orb.MultiPoint:
		return geom.NewMultiPointFlat(geom.XY, appendFlat(nil, g)).SetSRID(srid), nil
	case orb.MultiLineString:
		var flat []float64
		var ends []int
		for _, ls := range g {
			flat = appendFlat(flat, ls)
			ends = append(ends, len(flat))
		}
		return geom.NewMultiLineStringFlat(geom.XY, flat, ends).SetSRID(srid), nil
	case orb.MultiPolygon:
		var flat []float64
		endss := make([][]int, len(g))
		for i, p := range g {
			flat, endss[i] = appendRings(flat, nil, p)
		}
		return geom.NewMultiPolygonFlat(geom.XY, flat, endss).SetSRID(srid), nil
	default:
		return nil, fmt.Errorf("postgis: unsupported geometry type %T", g)
	}
}

func appendFlat[P ~[]orb.Point](flat []float64, ps P) []float64 {
	for _, p := range ps {
		flat = append(flat, p[0], p[1])
	}
	return flat
}

func appendRings(flat []float64, ends []int, p orb.Polygon) ([]float64, []int) {
	for _, r := range p {
		flat = appendFlat(flat, r)
		ends = append(ends, len(flat))
	}
	return flat, ends
}

// fromGeom converts a go-geom geometry to orb, keeping X and Y of any layout.
func fromGeom(t geom.T) (orb.Geometry, error) {
	switch t.(type) {
	case *geom.Point, *geom.LineString, *geom.Polygon, *geom.MultiPoint, *geom.MultiLineString, *geom.MultiPolygon:
	default:
		// Checked first: a GeometryCollection panics on FlatCoords.
		return nil, fmt.Errorf("postgis: unsupported geometry type %T", t)
	}
	stride, flat := t.Stride(), t.FlatCoords()
	if stride < 2 {
		return nil, errEmpty
	}
	switch t := t.(type) {
	case *geom.Point:
		if t.Empty() {
			return nil, errEmpty
		}
		return orb.Point{flat[0], flat[1]}, nil
	case *geom.LineString:
		return orb.LineString(points(flat, stride)), nil
	case *geom.Polygon:
		return polygon(points(flat, stride), t.Ends(), stride, 0), nil
	case *geom.MultiPoint:
		// An EMPTY member shows as an end equal to the one before.
		prev := 0
		for _, end := range t.Ends() {
			if end == prev {
				return nil, errEmpty
			}
			prev = end
		}
		return orb.MultiPoint(points(flat, stride)), nil
	case *geom.MultiLineString:
		return orb.MultiLineString(split[orb.LineString](points(flat, stride), t.Ends(), stride, 0)), nil
	case *geom.MultiPolygon:
		ps := points(flat, stride)
		mp := make(orb.MultiPolygon, 0, len(t.Endss()))
		start := 0
		for _, ends := range t.Endss() {
			mp = append(mp, polygon(ps, ends, stride, start))
			if len(ends) > 0 {
				start = ends[len(ends)-1]
			}
		}
		return mp, nil
	default:
		return nil, fmt.Errorf("postgis: unsupported geometry type %T", t)
	}
}

// points makes one slice for every point of a geometry; rings and lines are
// cut from it, so a polygon costs two allocations, not one per ring.
func points(flat []float64, stride int) []orb.Point {
	ps := make([]orb.Point, len(flat)/stride)
	for i := range ps {
		ps[i] = orb.Point{flat[i*stride], flat[i*stride+1]}
	}
	return ps
}

func polygon(ps []orb.Point, ends []int, stride, start int) orb.Polygon {
	return orb.Polygon(split[orb.Ring](ps, ends, stride, start))
}

// split cuts ps at ends, which count flat coordinates from the start of the
// geometry; start is where the first part begins. The parts' capacities end
// at their lengths, so appending to one cannot overwrite the next.
func split[S ~[]orb.Point](ps []orb.Point, ends []int, stride, start int) []S {
	parts := make([]S, len(ends))
	for i, end := range ends {
		parts[i] = S(ps[start/stride : end/stride : end/stride])
		start = end
	}
	return parts
}
