package geo

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestRepresentativePoint(t *testing.T) {
	// A U shape whose centroid falls in the gap between its arms.
	u := orb.Polygon{{{0, 0}, {3, 0}, {3, 3}, {2, 3}, {2, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}}}
	tests := []struct {
		name string
		g    orb.Geometry
		want orb.Point
	}{
		{"point", orb.Point{97, 16}, orb.Point{97, 16}},
		{"multipoint", orb.MultiPoint{{1, 2}, {3, 4}}, orb.Point{1, 2}},
		{"line halfway by length", orb.LineString{{0, 0}, {2, 0}, {2, 2}}, orb.Point{2, 0}},
		{"longest member", orb.MultiLineString{{{0, 0}, {1, 0}}, {{5, 5}, {5, 9}}}, orb.Point{5, 7}},
		{"square centroid", orb.Polygon{{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {0, 0}}}, orb.Point{1, 1}},
	}
	for _, tt := range tests {
		if got := RepresentativePoint(tt.g); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := RepresentativePoint(u); !planar.PolygonContains(u, got) {
		t.Errorf("U shape: got %v, which is not inside", got)
	}
	mp := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, u}
	if got := RepresentativePoint(mp); !planar.PolygonContains(u, got) {
		t.Errorf("multipolygon: got %v, not inside the largest member", got)
	}
}
