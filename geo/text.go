package geo

import (
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// ParseBBox parses a query-string box, "minLon,minLat,maxLon,maxLat": four
// finite decimal numbers, in range, with each minimum at most its maximum.
// A box across the antimeridian is not supported. Errors are *Error with
// Path "".
func ParseBBox(s string) (orb.Bound, error) {
	v, err := parseNumbers(s, 4, "minLon,minLat,maxLon,maxLat")
	if err != nil {
		return orb.Bound{}, err
	}
	for i, name := range [4]string{"minimum longitude", "minimum latitude", "maximum longitude", "maximum latitude"} {
		if err := checkRange(name, v[i], i%2 == 1); err != nil {
			return orb.Bound{}, err
		}
	}
	if v[0] > v[2] {
		return orb.Bound{}, errorf("", "minimum longitude %v is greater than maximum %v", v[0], v[2])
	}
	if v[1] > v[3] {
		return orb.Bound{}, errorf("", "minimum latitude %v is greater than maximum %v", v[1], v[3])
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

// ParsePoint parses a query-string point, "lon,lat". Errors are *Error with
// Path "".
func ParsePoint(s string) (orb.Point, error) {
	v, err := parseNumbers(s, 2, "lon,lat")
	if err != nil {
		return orb.Point{}, err
	}
	if err := checkRange("longitude", v[0], false); err != nil {
		return orb.Point{}, err
	}
	if err := checkRange("latitude", v[1], true); err != nil {
		return orb.Point{}, err
	}
	return orb.Point{v[0], v[1]}, nil
}

func parseNumbers(s string, n int, form string) ([]float64, error) {
	fields := strings.Split(s, ",")
	if len(fields) != n {
		return nil, errorf("", "must be %d comma-separated numbers, %s", n, form)
	}
	v := make([]float64, n)
	for i, f := range fields {
		f = strings.TrimSpace(f)
		// ParseFloat alone would also take "NaN", "Inf", hex and "1_0".
		if !decimal(f) {
			return nil, errorf("", "%q is not a decimal number; want %s", f, form)
		}
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, errorf("", "%s is not a finite number", f)
		}
		v[i] = x
	}
	return v, nil
}

// decimal reports whether s is [+-]digits[.digits][e[+-]digits], where one
// side of the point may be empty.
func decimal(s string) bool {
	i := 0
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	n := digits()
	if i < len(s) && s[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

func checkRange(name string, x float64, lat bool) error {
	limit := 180.0
	if lat {
		limit = 90
	}
	if x < -limit || x > limit {
		return errorf("", "%s %v is out of range [%v, %v]", name, x, -limit, limit)
	}
	return nil
}
