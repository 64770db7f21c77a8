package geo

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
)

func TestAppendGeoJSON(t *testing.T) {
	ring := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 0}}
	tests := []struct {
		name string
		g    orb.Geometry
		want string
	}{
		{"point", orb.Point{96.1951, 16.8661}, `{"type":"Point","coordinates":[96.1951,16.8661]}`},
		{"negative and integral", orb.Point{-180, -0.5}, `{"type":"Point","coordinates":[-180,-0.5]}`},
		{"tiny uses an exponent", orb.Point{1e-7, 2.5e-10}, `{"type":"Point","coordinates":[1e-7,2.5e-10]}`},
		{"huge uses an exponent", orb.Point{1e21, 0}, `{"type":"Point","coordinates":[1e+21,0]}`},
		{"non-finite is null", orb.Point{math.NaN(), math.Inf(1)}, `{"type":"Point","coordinates":[null,null]}`},
		{"linestring", orb.LineString{{0, 0}, {1, 1}}, `{"type":"LineString","coordinates":[[0,0],[1,1]]}`},
		{"empty linestring", orb.LineString{}, `{"type":"LineString","coordinates":[]}`},
		{"polygon", orb.Polygon{ring}, `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`},
		{"multipoint", orb.MultiPoint{{1, 2}}, `{"type":"MultiPoint","coordinates":[[1,2]]}`},
		{"multilinestring", orb.MultiLineString{{{0, 0}, {1, 1}}, {{2, 2}, {3, 3}}}, `{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2],[3,3]]]}`},
		{"multipolygon", orb.MultiPolygon{{ring}, {ring}}, `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0],[1,0],[1,1],[0,0]]]]}`},
		{"ring as polygon", ring, `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`},
		{"collection", orb.Collection{orb.Point{1, 2}}, `{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]}]}`},
		{"nil", nil, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(AppendGeoJSON([]byte("x"), tt.g))
			if got != "x"+tt.want {
				t.Errorf("got %s, want x%s", got, tt.want)
			}
			if !json.Valid([]byte(tt.want)) {
				t.Errorf("got invalid JSON %s", tt.want)
			}
		})
	}
}

// TestAppendFloatRoundTrip checks shortest round-trip output over random
// bit patterns and decimal-looking values.
func TestAppendFloatRoundTrip(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range 200000 {
		var f float64
		if i%2 == 0 {
			f = math.Float64frombits(rng.Uint64())
		} else {
			f = math.Round((rng.Float64()*360-180)*1e7) / 1e7
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		b := appendFloat(nil, f)
		if !json.Valid(b) {
			t.Fatalf("got invalid JSON %s for %v", b, f)
		}
		got, err := strconv.ParseFloat(string(b), 64)
		if err != nil || got != f || math.Signbit(got) != math.Signbit(f) {
			t.Fatalf("got %v (%v) from %s, want %v", got, err, b, f)
		}
	}
}

func BenchmarkAppendGeoJSON(b *testing.B) {
	pg := orb.Polygon{{{96.1, 16.8}, {96.1012345, 16.8}, {96.1012345, 16.8012345}, {96.1, 16.8012345}, {96.1, 16.8}}}
	buf := make([]byte, 0, 256)
	for b.Loop() {
		buf = AppendGeoJSON(buf[:0], pg)
	}
}
