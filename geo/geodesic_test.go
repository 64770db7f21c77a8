package geo

import (
	"math"
	"testing"
)

const rad = math.Pi / 180

// dms converts degrees, minutes and seconds, all of one sign, to degrees.
func dms(d, m, s float64) float64 { return d + m/60 + s/3600 }

// TestVincentyPublished checks the inverse solution against published
// geodesics: the Flinders Peak–Buninyong example of the Geocentric Datum of
// Australia technical manual; the test lines (a)–(e) of Vincenty (1975),
// "Direct and inverse solutions of geodesics on the ellipsoid with
// application of nested equations", Survey Review 23(176); and the worked
// examples of Karney (2013), "Algorithms for geodesics", J. Geodesy 87,
// and of the GeographicLib GeodSolve documentation.
func TestVincentyPublished(t *testing.T) {
	grs80 := ellipsoid{a: 6378137, f: 1 / 298.257222101}
	bessel := ellipsoid{a: 6377397.155, f: 1 / 299.1528128}
	intl := ellipsoid{a: 6378388, f: 1 / 297.0}
	nan := math.NaN()
	tests := []struct {
		name                   string
		e                      ellipsoid
		lat1, lon1, lat2, lon2 float64 // degrees
		s                      float64 // metres
		sTol                   float64
		az1, az2               float64 // degrees, forward azimuths; NaN: not published
		azTol                  float64
	}{
		{"Flinders Peak to Buninyong", grs80,
			-dms(37, 57, 3.72030), dms(144, 25, 29.52440), -dms(37, 39, 10.15610), dms(143, 55, 35.38390),
			54972.271, 0.001, dms(306, 52, 5.37) - 360, dms(127, 10, 25.07) - 180, 0.01 / 3600},
		{"Vincenty (a)", bessel, dms(55, 45, 0), 0, -dms(33, 26, 0), dms(108, 13, 0),
			14110526.170, 0.001, dms(96, 36, 8.79960), dms(137, 52, 22.01454), 0.0001 / 3600},
		{"Vincenty (b)", intl, dms(37, 19, 54.95367), 0, dms(26, 7, 42.83946), dms(41, 28, 35.50729),
			4085966.703, 0.001, dms(95, 27, 59.63089), dms(118, 5, 58.96161), 0.0001 / 3600},
		{"Vincenty (c)", intl, dms(35, 16, 11.24862), 0, dms(67, 22, 14.77638), dms(137, 47, 28.31435),
			8084823.839, 0.001, dms(15, 44, 23.74850), dms(144, 55, 39.92147), 0.0001 / 3600},
		// Near the antipodes azimuths are ill-conditioned: the rounding of
		// the published positions to 0.00001" moves them by about 0.001".
		{"Vincenty (d)", intl, 1, 0, -dms(0, 59, 53.83076), dms(179, 17, 48.02997),
			19960000.000, 0.001, 89, dms(91, 0, 6.11733), 0.005 / 3600},
		{"Vincenty (e)", intl, 1, 0, dms(1, 1, 15.18952), dms(179, 46, 17.84244),
			19780006.558, 0.001, dms(4, 59, 59.99995), dms(174, 59, 59.88481), 0.005 / 3600},
		{"Karney direct example", wgs84, 40, 0, 41.79331020506, 137.84490004377,
			10000000, 0.0001, 30, 149.09016931807, 1e-9},
		{"GeodSolve JFK to LHR", wgs84, 40.6, -73.8, 51.6, -0.5,
			5551759.400, 0.001, 51.198882845, 107.821776735, 1e-8},
		// Nearly antipodal: Vincenty's iteration fails here, so this checks
		// the fallback.
		{"Karney inverse example", wgs84, -30, 0, 29.9, 179.8,
			19989832.82761, 0.0001, nan, nan, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.e.inverse(tt.lat1*rad, tt.lon1*rad, tt.lat2*rad, tt.lon2*rad)
			if math.Abs(s-tt.s) > tt.sTol {
				t.Errorf("got %.5f m, want %.5f m", s, tt.s)
			}
			if math.IsNaN(tt.az1) {
				return
			}
			_, az1, az2, ok := tt.e.vincenty(tt.lat1*rad, tt.lon1*rad, tt.lat2*rad, tt.lon2*rad)
			if !ok {
				t.Fatalf("got no convergence, want azimuths")
			}
			if d := math.Abs(az1/rad - tt.az1); d > tt.azTol {
				t.Errorf("got azimuth %.10f°, want %.10f°", az1/rad, tt.az1)
			}
			if d := math.Abs(az2/rad - tt.az2); d > tt.azTol {
				t.Errorf("got back azimuth %.10f°, want %.10f°", az2/rad, tt.az2)
			}
		})
	}
}

func TestInverseSpecialCases(t *testing.T) {
	// The WGS84 quarter meridian, equator to pole, is 10,001,965.729 m.
	quarter := meridian(90)
	if math.Abs(quarter-10001965.729) > 0.001 {
		t.Fatalf("got quarter meridian %.4f, want 10001965.729", quarter)
	}
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want, tol              float64
	}{
		{"same point", 16.8661, 96.1951, 16.8661, 96.1951, 0, 0},
		{"equator to pole", 0, 0, 90, 0, quarter, 0.001},
		{"pole to pole", 90, 0, -90, 0, 2 * quarter, 0.002},
		{"across the pole", 89, 0, 89, 180, 2 * (quarter - meridian(89)), 0.001},
		{"across the antimeridian", 0, 179.9999, 0, -179.9999, 2 * 0.0001 * rad * 6378137, 0.0001},
		{"antipodal on the equator, over a pole", 0, 0, 0, 180, 2 * quarter, 0.002},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wgs84.inverse(tt.lat1*rad, tt.lon1*rad, tt.lat2*rad, tt.lon2*rad)
			if math.Abs(got-tt.want) > tt.tol {
				t.Errorf("got %.4f, want %.4f", got, tt.want)
			}
			back := wgs84.inverse(tt.lat2*rad, tt.lon2*rad, tt.lat1*rad, tt.lon1*rad)
			if math.Abs(back-got) > 1e-6 {
				t.Errorf("reversed: got %.7f, want %.7f", back, got)
			}
		})
	}
}

// meridian is the WGS84 meridian arc in metres from the equator to lat
// degrees, by Simpson's rule over the meridional radius of curvature.
func meridian(lat float64) float64 {
	a, f := wgs84.a, wgs84.f
	e2 := f * (2 - f)
	m := func(phi float64) float64 {
		s := math.Sin(phi)
		return a * (1 - e2) / math.Pow(1-e2*s*s, 1.5)
	}
	const n = 10000
	h := lat * rad / n
	sum := m(0) + m(lat*rad)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * m(float64(i)*h)
	}
	return sum * h / 3
}

// TestAntipodalFallback checks the fallback against Vincenty's method near
// the antipodes, where both work, and that distances are continuous where
// the method changes.
func TestAntipodalFallback(t *testing.T) {
	converged := 0
	for _, lat1 := range []float64{-60, -10, -1, 0, 0.5, 30} {
		for _, dLat := range []float64{-0.7, -0.2, 0, 0.1, 0.5} {
			for _, lon2 := range []float64{178, 179, 179.5, 179.9, 180} {
				lat2 := -lat1 + dLat
				s, _, _, ok := wgs84.vincenty(lat1*rad, 0, lat2*rad, lon2*rad)
				fb := wgs84.antipodal(lat1*rad, 0, lat2*rad, lon2*rad)
				if ok {
					converged++
					if math.Abs(s-fb) > 1e-4 {
						t.Errorf("(%v, 0) to (%v, %v): got %.6f by the fallback, want %.6f", lat1, lat2, lon2, fb, s)
					}
				}
				if got := wgs84.inverse(lat1*rad, 0, lat2*rad, lon2*rad); got > 20003931.46 || got < 19700000 {
					t.Errorf("(%v, 0) to (%v, %v): got %.3f, want about half a meridian", lat1, lat2, lon2, got)
				}
			}
		}
	}
	if converged == 0 {
		t.Errorf("got no converged cases to compare")
	}
}
