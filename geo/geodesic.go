package geo

import (
	"math"
)

// ellipsoid is a reference ellipsoid: semi-major axis a in metres and
// flattening f.
type ellipsoid struct{ a, f float64 }

// wgs84 is the ellipsoid of EPSG:4326, the one PostGIS geography uses.
var wgs84 = ellipsoid{a: 6378137, f: 1 / 298.257223563}

// inverse solves the inverse geodesic problem: the length in metres of the
// shortest path on e between two points given as geodetic latitude and
// longitude in radians. It uses Vincenty's (1975) iteration, which agrees
// with Karney's algorithm (GeographicLib, as PostGIS uses) to well under a
// millimetre; for nearly antipodal points, where that iteration fails to
// converge, it falls back to minimizing over where the path must cross a
// curve that separates the two points.
func (e ellipsoid) inverse(lat1, lon1, lat2, lon2 float64) float64 {
	if s, _, _, ok := e.vincenty(lat1, lon1, lat2, lon2); ok {
		return s
	}
	return e.antipodal(lat1, lon1, lat2, lon2)
}

// vincenty is Vincenty's inverse method. It returns the distance and the
// forward azimuths at both ends, in radians clockwise from north; ok is
// false when the longitude on the auxiliary sphere does not converge, which
// happens only for nearly antipodal points.
func (e ellipsoid) vincenty(lat1, lon1, lat2, lon2 float64) (s, az1, az2 float64, ok bool) {
	a, f := e.a, e.f
	b := a * (1 - f)
	L := math.Remainder(lon2-lon1, 2*math.Pi)
	// Reduced latitudes, from sin and cos so that the poles are exact.
	sinU1, cosU1 := reduced(lat1, f)
	sinU2, cosU2 := reduced(lat2, f)

	lambda := L
	var sinSigma, cosSigma, sigma, cos2Alpha, cos2SigmaM, sinLambda, cosLambda float64
	converged := false
	for range 200 {
		sinLambda, cosLambda = math.Sincos(lambda)
		t1 := cosU2 * sinLambda
		t2 := cosU1*sinU2 - sinU1*cosU2*cosLambda
		sinSigma = math.Hypot(t1, t2)
		if sinSigma == 0 {
			return 0, 0, 0, true // the same point
		}
		cosSigma = sinU1*sinU2 + cosU1*cosU2*cosLambda
		sigma = math.Atan2(sinSigma, cosSigma)
		sinAlpha := cosU1 * cosU2 * sinLambda / sinSigma
		cos2Alpha = 1 - sinAlpha*sinAlpha
		cos2SigmaM = 0 // an equatorial line
		if cos2Alpha != 0 {
			cos2SigmaM = cosSigma - 2*sinU1*sinU2/cos2Alpha
		}
		C := f / 16 * cos2Alpha * (4 + f*(4-3*cos2Alpha))
		prev := lambda
		lambda = L + (1-C)*f*sinAlpha*(sigma+C*sinSigma*(cos2SigmaM+C*cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)))
		if math.Abs(lambda) > math.Pi {
			return 0, 0, 0, false
		}
		if math.Abs(lambda-prev) <= 1e-14 {
			converged = true
			break
		}
	}
	if !converged {
		return 0, 0, 0, false
	}
	uSq := cos2Alpha * (a*a - b*b) / (b * b)
	A := 1 + uSq/16384*(4096+uSq*(-768+uSq*(320-175*uSq)))
	B := uSq / 1024 * (256 + uSq*(-128+uSq*(74-47*uSq)))
	c2 := cos2SigmaM * cos2SigmaM
	dSigma := B * sinSigma * (cos2SigmaM + B/4*(cosSigma*(-1+2*c2)-B/6*cos2SigmaM*(-3+4*sinSigma*sinSigma)*(-3+4*c2)))
	s = b * A * (sigma - dSigma)
	az1 = math.Atan2(cosU2*sinLambda, cosU1*sinU2-sinU1*cosU2*cosLambda)
	az2 = math.Atan2(cosU1*sinLambda, -sinU1*cosU2+cosU1*sinU2*cosLambda)
	return s, az1, az2, true
}

// reduced returns the sine and cosine of the reduced latitude of lat.
func reduced(lat, f float64) (sinU, cosU float64) {
	sin, cos := math.Sincos(lat)
	y, x := (1-f)*sin, cos
	h := math.Hypot(x, y)
	return y / h, x / h
}

// antipodal finds the geodesic distance between nearly antipodal points.
// Identify the ellipsoid with the unit sphere by geodetic latitude and
// longitude. The great circle of points equidistant (on the sphere) from
// the two unit vectors separates them, so the shortest path crosses it at
// some Q, and the distance is the least d(P1, Q) + d(Q, P2) over Q on that
// circle. Both legs are about a quarter of the globe, where Vincenty's
// method converges, so this is a one-dimensional minimization: sample the
// circle, then refine the best bracket by golden-section search.
func (e ellipsoid) antipodal(lat1, lon1, lat2, lon2 float64) float64 {
	v1, v2 := unitVec(lat1, lon1), unitVec(lat2, lon2)
	n := v1.sub(v2).unit()
	// Any unit vector not parallel to n seeds a basis of the circle.
	seed := vec3{1, 0, 0}
	if math.Abs(n[0]) > 0.5 {
		seed = vec3{0, 1, 0}
	}
	e1 := n.cross(seed).unit()
	e2 := n.cross(e1)
	length := func(t float64) float64 {
		sin, cos := math.Sincos(t)
		q := e1.scale(cos).add(e2.scale(sin))
		lat, lon := q.latLon()
		s1, _, _, ok1 := e.vincenty(lat1, lon1, lat, lon)
		s2, _, _, ok2 := e.vincenty(lat, lon, lat2, lon2)
		if !ok1 || !ok2 {
			return math.Inf(1)
		}
		return s1 + s2
	}
	const samples = 90
	step := 2 * math.Pi / samples
	best, bestT := math.Inf(1), 0.0
	for i := range samples {
		t := float64(i) * step
		if s := length(t); s < best {
			best, bestT = s, t
		}
	}
	// Golden-section search on [bestT-step, bestT+step].
	const invPhi = 0.6180339887498949
	lo, hi := bestT-step, bestT+step
	x1, x2 := hi-invPhi*(hi-lo), lo+invPhi*(hi-lo)
	f1, f2 := length(x1), length(x2)
	for range 100 {
		if hi-lo < 1e-13 {
			break
		}
		if f1 < f2 {
			hi, x2, f2 = x2, x1, f1
			x1 = hi - invPhi*(hi-lo)
			f1 = length(x1)
		} else {
			lo, x1, f1 = x1, x2, f2
			x2 = lo + invPhi*(hi-lo)
			f2 = length(x2)
		}
	}
	return min(best, f1, f2)
}
