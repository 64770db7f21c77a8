package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// band is the exact area in km² on the WGS84 ellipsoid between two
// parallels and two meridians (Snyder, "Map Projections: A Working
// Manual", eq. 3-12 and 14-19); a polygon along them differs only by the
// slivers between each parallel and the geodesic that replaces it.
func band(lon1, lon2, lat1, lat2 float64) float64 {
	rad := math.Pi / 180
	return wgs84A * wgs84A * (lon2 - lon1) * rad * (authalicQ(math.Sin(lat2*rad)) - authalicQ(math.Sin(lat1*rad))) / 2 / 1e6
}

func cell(lon1, lon2, lat1, lat2 float64) orb.Ring {
	return orb.Ring{{lon1, lat1}, {lon2, lat1}, {lon2, lat2}, {lon1, lat2}, {lon1, lat1}}
}

func TestAreaKM2(t *testing.T) {
	ccw := cell(96.10, 96.14, 16.82, 16.84)
	cw := ccw.Clone()
	reverse(cw)
	hole := cell(96.11, 96.115, 16.83, 16.835)
	reverse(hole)
	tests := []struct {
		name      string
		g         orb.MultiPolygon
		want, tol float64
	}{
		// The geodesic along the 1° parallel bulges 4.2 m poleward at
		// its middle, adding a sliver of 0.312 km² to the band of
		// 12308.464 km²: GeographicLib's Planimeter gives 12308.78.
		{"1° cell at the equator", orb.MultiPolygon{{cell(0, 1, 0, 1)}}, 12308.464 + 0.312, 0.002},
		// Slivers of 4.793 km² at 17° and 4.565 km² at 16°.
		{"1° cell in Myanmar", orb.MultiPolygon{{cell(96, 97, 16, 17)}}, band(96, 97, 16, 17) + 4.793 - 4.565, 0.005},
		// Small enough for the slivers to vanish.
		{"village tract", orb.MultiPolygon{{ccw}}, band(96.10, 96.14, 16.82, 16.84), 1e-6},
		{"clockwise", orb.MultiPolygon{{cw}}, band(96.10, 96.14, 16.82, 16.84), 1e-6},
		{"hole", orb.MultiPolygon{{ccw, hole}}, band(96.10, 96.14, 16.82, 16.84) - band(96.11, 96.115, 16.83, 16.835), 1e-6},
		{"two members", orb.MultiPolygon{{ccw}, {cell(96.15, 96.16, 16.80, 16.81)}},
			band(96.10, 96.14, 16.82, 16.84) + band(96.15, 96.16, 16.80, 16.81), 1e-6},
		{"southern hemisphere", orb.MultiPolygon{{cell(-70, -69, -34, -33)}}, band(-70, -69, -34, -33), 0.05},
		// Longitudes wrap: 1° wide, not 359°; the slivers differ a little.
		{"across the antimeridian", orb.MultiPolygon{{cell(179.5, -179.5, 10, 10.01)}}, band(0, 1, 10, 10.01), 0.005},
		{"empty", nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AreaKM2(tt.g); math.Abs(got-tt.want) > tt.tol {
				t.Errorf("got %.6f km², want %.6f ± %g", got, tt.want, tt.tol)
			}
		})
	}
}

// TestAuthalicRadius checks the sphere of the ellipsoid's surface area.
func TestAuthalicRadius(t *testing.T) {
	if got, want := authalicR, 6371007.181; math.Abs(got-want) > 0.001 {
		t.Errorf("got %.3f m, want %.3f", got, want)
	}
}

// reverse flips a ring's direction in place.
func reverse(r orb.Ring) {
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
}
