package geo

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestParseBBox(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want orb.Bound
	}{
		{"plain", "96.1,16.8,96.2,16.9", orb.Bound{Min: orb.Point{96.1, 16.8}, Max: orb.Point{96.2, 16.9}}},
		{"spaces", " 96.1, 16.8 ,96.2 ,16.9 ", orb.Bound{Min: orb.Point{96.1, 16.8}, Max: orb.Point{96.2, 16.9}}},
		{"whole world", "-180,-90,180,90", orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}},
		{"a point", "1,2,1,2", orb.Bound{Min: orb.Point{1, 2}, Max: orb.Point{1, 2}}},
		{"exponents and signs", "+1e1,-.5,1E+1,5.", orb.Bound{Min: orb.Point{10, -0.5}, Max: orb.Point{10, 5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBBox(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("got %v, %v, want %v", got, err, tt.want)
			}
		})
	}
}

func TestParseBBoxErrors(t *testing.T) {
	tests := []struct {
		name, in, msg string
	}{
		{"empty", "", "must be 4 comma-separated numbers, minLon,minLat,maxLon,maxLat"},
		{"three numbers", "1,2,3", "must be 4 comma-separated numbers"},
		{"five numbers", "1,2,3,4,5", "must be 4 comma-separated numbers"},
		{"empty field", "1,,3,4", `"" is not a decimal number`},
		{"word", "1,2,east,4", `"east" is not a decimal number`},
		{"NaN", "NaN,2,3,4", `"NaN" is not a decimal number`},
		{"Inf", "1,2,Inf,4", `"Inf" is not a decimal number`},
		{"hex", "0x1p1,2,3,4", `"0x1p1" is not a decimal number`},
		{"underscore", "1_0,2,30,4", `"1_0" is not a decimal number`},
		{"overflow", "1,2,3,1e999", "1e999 is not a finite number"},
		{"longitude out of range", "-181,0,0,1", "minimum longitude -181 is out of range [-180, 180]"},
		{"latitude out of range", "0,0,1,90.5", "maximum latitude 90.5 is out of range [-90, 90]"},
		{"longitudes swapped", "98,16,97,17", "minimum longitude 98 is greater than maximum 97"},
		{"latitudes swapped", "96,17,97,16", "minimum latitude 17 is greater than maximum 16"},
		{"across the antimeridian", "179,0,-179,1", "minimum longitude 179 is greater than maximum -179"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ParseBBox(tt.in)
			if err == nil {
				t.Fatalf("got %v, want error %q", b, tt.msg)
			}
			wantError(t, err, "", "")
			if !strings.Contains(err.(*Error).Message, tt.msg) {
				t.Errorf("got %q, want it to contain %q", err.(*Error).Message, tt.msg)
			}
		})
	}
}

func TestParsePoint(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want orb.Point
		msg  string // "" for success
	}{
		{"plain", "96.1951,16.8661", orb.Point{96.1951, 16.8661}, ""},
		{"antimeridian and pole", "-180,90", orb.Point{-180, 90}, ""},
		{"spaces", " 1 , 2 ", orb.Point{1, 2}, ""},
		{"one number", "96.1951", orb.Point{}, "must be 2 comma-separated numbers, lon,lat"},
		{"three numbers", "1,2,3", orb.Point{}, "must be 2 comma-separated numbers"},
		{"lat first out of range", "16.8,96.1", orb.Point{}, "latitude 96.1 is out of range [-90, 90]"},
		{"longitude out of range", "200,0", orb.Point{}, "longitude 200 is out of range [-180, 180]"},
		{"not a number", "x,1", orb.Point{}, `"x" is not a decimal number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePoint(tt.in)
			if tt.msg == "" {
				if err != nil || got != tt.want {
					t.Errorf("got %v, %v, want %v", got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("got %v, want error %q", got, tt.msg)
			}
			wantError(t, err, "", "")
			if !strings.Contains(err.(*Error).Message, tt.msg) {
				t.Errorf("got %q, want it to contain %q", err.(*Error).Message, tt.msg)
			}
		})
	}
}

// FuzzParseBBox checks that ParseBBox never panics, fails only with
// *Error, returns only well-formed boxes, and reads back a box it formats.
func FuzzParseBBox(f *testing.F) {
	f.Add("96.1,16.8,96.2,16.9")
	f.Add("-180,-90,180,90")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBBox(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("got error %T %v, want *Error", err, err)
			}
			return
		}
		for _, x := range [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("got non-finite %v in %v", x, b)
			}
		}
		if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] || b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 {
			t.Fatalf("got ill-formed box %v from %q", b, s)
		}
		f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
		again, err := ParseBBox(f(b.Min[0]) + "," + f(b.Min[1]) + "," + f(b.Max[0]) + "," + f(b.Max[1]))
		if err != nil || again != b {
			t.Fatalf("got %v, %v on reparsing, want %v", again, err, b)
		}
		p, err := ParsePoint(f(b.Min[0]) + "," + f(b.Min[1]))
		if err != nil || p != b.Min {
			t.Fatalf("got %v, %v from ParsePoint, want %v", p, err, b.Min)
		}
	})
}
