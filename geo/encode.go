package geo

import (
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// AppendGeoJSON appends g to dst as a compact GeoJSON geometry object,
// {"type":...,"coordinates":...}, with every number in the shortest form
// that parses back to the same float64. It uses no reflection, since it
// encodes every feature the index holds. Non-finite numbers, which
// Validate rejects, are written as null to keep the JSON well formed.
func AppendGeoJSON(dst []byte, g orb.Geometry) []byte {
	switch g := g.(type) {
	case orb.Point:
		dst = append(dst, `{"type":"Point","coordinates":`...)
		dst = appendPoint(dst, g)
	case orb.LineString:
		dst = append(dst, `{"type":"LineString","coordinates":`...)
		dst = appendPoints(dst, g)
	case orb.Polygon:
		dst = append(dst, `{"type":"Polygon","coordinates":`...)
		dst = appendPolygon(dst, g)
	case orb.MultiPoint:
		dst = append(dst, `{"type":"MultiPoint","coordinates":`...)
		dst = appendPoints(dst, g)
	case orb.MultiLineString:
		dst = append(dst, `{"type":"MultiLineString","coordinates":[`...)
		for i, l := range g {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendPoints(dst, l)
		}
		dst = append(dst, ']')
	case orb.MultiPolygon:
		dst = append(dst, `{"type":"MultiPolygon","coordinates":[`...)
		for i, pg := range g {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendPolygon(dst, pg)
		}
		dst = append(dst, ']')
	case orb.Ring:
		return AppendGeoJSON(dst, orb.Polygon{g})
	case orb.Bound:
		return AppendGeoJSON(dst, g.ToPolygon())
	case orb.Collection:
		dst = append(dst, `{"type":"GeometryCollection","geometries":[`...)
		for i, m := range g {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendGeoJSON(dst, m)
		}
		return append(dst, "]}"...)
	default:
		return append(dst, "null"...)
	}
	return append(dst, '}')
}

func appendPolygon(dst []byte, pg orb.Polygon) []byte {
	dst = append(dst, '[')
	for i, r := range pg {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendPoints(dst, r)
	}
	return append(dst, ']')
}

func appendPoints(dst []byte, ps []orb.Point) []byte {
	dst = append(dst, '[')
	for i, p := range ps {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendPoint(dst, p)
	}
	return append(dst, ']')
}

func appendPoint(dst []byte, p orb.Point) []byte {
	dst = append(dst, '[')
	dst = appendFloat(dst, p[0])
	dst = append(dst, ',')
	dst = appendFloat(dst, p[1])
	return append(dst, ']')
}

// appendFloat writes f as encoding/json does: plain decimals, but an
// exponent for very small or very large magnitudes, where plain decimals
// would run to hundreds of digits.
func appendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	abs := math.Abs(f)
	if abs == 0 || abs >= 1e-6 && abs < 1e21 {
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	dst = strconv.AppendFloat(dst, f, 'e', -1, 64)
	// Shorten e-07 to e-7.
	if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
		dst[n-2] = dst[n-1]
		dst = dst[:n-1]
	}
	return dst
}
