package areaimport

import (
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/geo"
)

// repair returns g as a MultiPolygon with its unambiguous faults repaired,
// and a note on each repair; or a reason to reject it. It closes open
// rings, drops consecutive repeated positions and orients rings as RFC 7946
// asks, outer rings counterclockwise and holes clockwise. Faults with more
// than one plausible repair, such as a self-intersection, are left for
// Area.Validate to reject; hint says how to reproject coordinates that are
// not lon/lat.
func repair(g orb.Geometry, hint string) (mp orb.MultiPolygon, notes []string, bad string) {
	multi := false
	switch g := g.(type) {
	case nil:
		return nil, nil, "empty geometry"
	case orb.Polygon:
		mp = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		mp, multi = g, true
	default:
		return nil, nil, fmt.Sprintf("unsupported geometry type %s: only Polygon and MultiPolygon are areas", g.GeoJSONType())
	}
	n := geo.VertexCount(mp)
	if n == 0 {
		return nil, nil, "empty geometry"
	}
	if n > concernmap.MaxAreaVertices {
		return nil, nil, fmt.Sprintf("geometry has %d vertices, more than the limit %d", n, concernmap.MaxAreaVertices)
	}
	if bad := checkLonLat(mp, hint); bad != "" {
		return nil, nil, bad
	}
	out := make(orb.MultiPolygon, len(mp))
	for pi, p := range mp {
		if len(p) == 0 {
			return nil, nil, fmt.Sprintf("polygon %d is empty", pi)
		}
		out[pi] = make(orb.Polygon, len(p))
		for ri, r := range p {
			name := ringName(pi, ri, multi)
			if len(r) == 0 {
				return nil, nil, name + " is empty"
			}
			// Copy, so that the caller's geometry is left as it was.
			fixed := make(orb.Ring, 0, len(r)+1)
			for _, q := range r {
				if len(fixed) == 0 || q != fixed[len(fixed)-1] {
					fixed = append(fixed, q)
				}
			}
			if d := len(r) - len(fixed); d > 0 {
				notes = append(notes, fmt.Sprintf("%s had %s; dropped %s", name, plural(d, "repeated position"), pronoun(d)))
			}
			if len(fixed) > 1 && fixed[0] != fixed[len(fixed)-1] {
				fixed = append(fixed, fixed[0])
				notes = append(notes, name+" was not closed; closed it")
			}
			if len(fixed) < 4 {
				return nil, nil, fmt.Sprintf("%s has %s after repair; a ring needs at least 4", name, plural(len(fixed), "position"))
			}
			switch a := signedArea(fixed); {
			case ri == 0 && a < 0:
				reverse(fixed)
				notes = append(notes, name+" was clockwise; reversed it, as outer rings go counterclockwise")
			case ri > 0 && a > 0:
				reverse(fixed)
				notes = append(notes, name+" was counterclockwise; reversed it, as holes go clockwise")
			}
			out[pi][ri] = fixed
		}
	}
	return out, notes, ""
}

// checkLonLat rejects positions that cannot be longitude and latitude,
// which almost always means projected coordinates, such as UTM's metres.
func checkLonLat(mp orb.MultiPolygon, hint string) string {
	for _, p := range mp {
		for _, r := range p {
			for _, q := range r {
				x, y := q[0], q[1]
				switch {
				case math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0):
					return "coordinates are not finite numbers"
				case x < -180 || x > 180:
					return fmt.Sprintf("coordinates are not lon/lat (x=%s): %s", num(x), hint)
				case y < -90 || y > 90:
					if math.Abs(x) <= 90 && math.Abs(y) <= 180 {
						return fmt.Sprintf("coordinates are not lon/lat (y=%s): are longitude and latitude swapped?", num(y))
					}
					return fmt.Sprintf("coordinates are not lon/lat (y=%s): %s", num(y), hint)
				}
			}
		}
	}
	return ""
}

// signedArea returns twice the planar area of a closed ring in lon/lat,
// positive when counterclockwise. Offsets from the first position keep the
// products small, so the sign is right even for rings a few metres across.
func signedArea(r orb.Ring) float64 {
	var sum float64
	o := r[0]
	for i := 1; i+1 < len(r); i++ {
		ax, ay := r[i][0]-o[0], r[i][1]-o[1]
		bx, by := r[i+1][0]-o[0], r[i+1][1]-o[1]
		sum += ax*by - ay*bx
	}
	return sum
}

func reverse(r orb.Ring) {
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func num(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
