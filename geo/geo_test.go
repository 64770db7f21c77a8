package geo

import (
	"errors"
	"testing"

	"github.com/paulmach/orb"
)

func TestErrorString(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"path", &Error{Path: "coordinates[0][3]", Message: "latitude 95 is out of range [-90, 90]"}, "geo: coordinates[0][3]: latitude 95 is out of range [-90, 90]"},
		{"whole geometry", &Error{Message: "has 5 vertices, more than the limit 4"}, "geo: has 5 vertices, more than the limit 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestVertexCount(t *testing.T) {
	square := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}
	tests := []struct {
		name string
		g    orb.Geometry
		want int
	}{
		{"point", orb.Point{1, 2}, 1},
		{"line", orb.LineString{{0, 0}, {1, 1}, {2, 2}}, 3},
		{"polygon counts closing positions", orb.Polygon{square, square}, 10},
		{"multipoint", orb.MultiPoint{{0, 0}, {1, 1}}, 2},
		{"multiline", orb.MultiLineString{{{0, 0}, {1, 1}}, {{0, 0}, {1, 1}, {2, 2}}}, 5},
		{"multipolygon", orb.MultiPolygon{{square}, {square, square}}, 15},
		{"empty", orb.LineString{}, 0},
		{"nil", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VertexCount(tt.g); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

// wantError checks that err is an *Error with the given path, and, if msg
// is not empty, that message.
func wantError(t *testing.T, err error, path, msg string) {
	t.Helper()
	var ge *Error
	if !errors.As(err, &ge) {
		t.Fatalf("got error %v (%T), want *Error at %q", err, err, path)
	}
	if ge.Path != path {
		t.Errorf("got path %q, want %q (message %q)", ge.Path, path, ge.Message)
	}
	if msg != "" && ge.Message != msg {
		t.Errorf("got message %q, want %q", ge.Message, msg)
	}
}
