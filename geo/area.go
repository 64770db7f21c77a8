package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// The WGS84 ellipsoid and its authalic (equal-area) sphere.
const (
	wgs84A = 6378137.0
	wgs84F = 1 / 298.257223563
)

var (
	wgs84E2 = wgs84F * (2 - wgs84F)
	wgs84E  = math.Sqrt(wgs84E2)
	// qPole is q(90°), the authalic function at the pole.
	qPole = authalicQ(1)
	// authalicR is the radius of the sphere with the ellipsoid's surface
	// area, 6371007.2 m.
	authalicR = wgs84A * math.Sqrt(qPole/2)
)

// authalicQ is the function q of Snyder's "Map Projections: A Working
// Manual" (eq. 3-12) at sin φ.
func authalicQ(sinPhi float64) float64 {
	es := wgs84E * sinPhi
	return (1 - wgs84E2) * (sinPhi/(1-es*es) - 1/(2*wgs84E)*math.Log((1-es)/(1+es)))
}

// AreaKM2 returns the area of mp on the WGS84 ellipsoid in km².
//
// It maps each latitude to its authalic latitude, which carries the
// ellipsoid onto the sphere of equal surface area while preserving the
// area of every latitude-longitude band, and sums exact spherical excesses
// there, taking the edges as great circles of that sphere. Only the shape
// of the edges differs from the ellipsoid's geodesics, and little: for a
// 1°×1° cell the result is within 0.001 km² of Karney's geodesic polygon
// area (GeographicLib, PostGIS ST_Area on geography), and the short edges
// of real boundaries differ far less. Karney's series would be exact but
// are several hundred lines for no difference an area in km² can show.
func AreaKM2(mp orb.MultiPolygon) float64 {
	var sum float64
	for _, p := range mp {
		for i, r := range p {
			a := math.Abs(ringExcess(r))
			if i == 0 {
				sum += a
			} else {
				sum -= a
			}
		}
	}
	return max(sum, 0) * authalicR * authalicR / 1e6
}

// ringExcess returns the signed spherical excess of a closed ring of
// lon/lat positions, in steradians on the authalic sphere, positive for
// counterclockwise. Each edge contributes the excess of the quadrilateral
// between it and the equator (Karney 2013, "Algorithms for geodesics",
// eq. 62), so the sum needs no reference point inside the ring.
func ringExcess(r orb.Ring) float64 {
	var sum float64
	for i := 1; i < len(r); i++ {
		t1 := math.Tan(authalicLat(r[i-1][1]) / 2)
		t2 := math.Tan(authalicLat(r[i][1]) / 2)
		dl := math.Remainder(r[i][0]-r[i-1][0], 360) * math.Pi / 180
		sum += 2 * math.Atan2(math.Tan(dl/2)*(t1+t2), 1+t1*t2)
	}
	return sum
}

// authalicLat returns the authalic latitude, in radians, of a geodetic
// latitude in degrees.
func authalicLat(lat float64) float64 {
	s := math.Sin(lat * math.Pi / 180)
	return math.Asin(max(-1, min(1, authalicQ(s)/qPole)))
}
