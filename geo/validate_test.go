package geo

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// box returns a closed counterclockwise ring.
func box(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// reversed returns r clockwise, as holes are drawn.
func reversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

func TestValidateValid(t *testing.T) {
	tests := []struct {
		name string
		g    orb.Geometry
	}{
		{"point", orb.Point{96.1951, 16.8661}},
		{"point at the corners of the world", orb.MultiPoint{{-180, -90}, {180, 90}}},
		{"duplicate points", orb.MultiPoint{{1, 1}, {1, 1}}},
		{"line", orb.LineString{{0, 0}, {1, 1}}},
		{"line with repeated position", orb.LineString{{0, 0}, {0, 0}, {1, 1}}},
		{"self-crossing line is simple enough", orb.LineString{{0, 0}, {2, 2}, {2, 0}, {0, 2}}},
		{"multiline", orb.MultiLineString{{{0, 0}, {1, 1}}, {{0, 1}, {1, 0}}}},
		{"square", orb.Polygon{box(0, 0, 1, 1)}},
		{"clockwise shell", orb.Polygon{reversed(box(0, 0, 1, 1))}},
		{"repeated positions", orb.Polygon{{{0, 0}, {1, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}, {0, 0}}}},
		{"collinear vertex on an edge", orb.Polygon{{{0, 0}, {1, 0}, {2, 0}, {2, 2}, {0, 2}, {0, 0}}}},
		{"hole", orb.Polygon{box(0, 0, 10, 10), reversed(box(2, 2, 4, 4))}},
		{"hole touching the shell at a point", orb.Polygon{box(0, 0, 10, 10), {{0, 5}, {3, 3}, {3, 7}, {0, 5}}}},
		{"hole vertex on a shell edge", orb.Polygon{box(0, 0, 10, 10), {{5, 0}, {6, 3}, {4, 3}, {5, 0}}}},
		{"two holes touching at a point", orb.Polygon{box(0, 0, 10, 10), box(2, 2, 4, 4), box(4, 4, 6, 6)}},
		{"three holes meeting at one point", orb.Polygon{box(0, 0, 10, 10), box(2, 2, 5, 5), box(5, 5, 8, 8), {{5, 5}, {8, 2}, {8, 4}, {5, 5}}}},
		{"shell touching itself is not allowed, but a hole may pinch", orb.Polygon{box(0, 0, 10, 10), {{1, 1}, {5, 1}, {3, 3}, {1, 1}}}},
		{"members touching at a point", orb.MultiPolygon{{box(0, 0, 1, 1)}, {box(1, 1, 2, 2)}}},
		{"island in a lake", orb.MultiPolygon{{box(0, 0, 10, 10), box(2, 2, 8, 8)}, {box(4, 4, 6, 6)}}},
		{"island touching its lake", orb.MultiPolygon{{box(0, 0, 10, 10), box(2, 2, 8, 8)}, {{{2, 2}, {6, 4}, {4, 6}, {2, 2}}}}},
		{"antimeridian and pole edges", orb.Polygon{box(179, 89, 180, 90)}},
		{"metre-sized polygon", orb.Polygon{{{96.19510, 16.86610}, {96.19511, 16.86610}, {96.19511, 16.86611}, {96.19510, 16.86610}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Validate(tt.g, 10000); err != nil {
				t.Errorf("got %v, want nil", err)
			}
		})
	}
}

func TestValidateInvalid(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	sq := box(0, 0, 10, 10)
	tests := []struct {
		name string
		g    orb.Geometry
		max  int
		path string
		msg  string // a substring of the message
	}{
		{"nil", nil, 0, "", "is missing"},
		{"collection", orb.Collection{orb.Point{1, 2}}, 0, "type", "unsupported geometry type GeometryCollection"},
		{"ring", box(0, 0, 1, 1), 0, "type", "unsupported geometry type Ring"},
		{"bound", orb.Bound{}, 0, "type", "unsupported geometry type Bound"},
		{"too many vertices", orb.Polygon{box(0, 0, 1, 1)}, 4, "", "has 5 vertices, more than the limit 4"},
		{"empty line", orb.LineString{}, 0, "coordinates", "must not be empty"},
		{"empty polygon", orb.Polygon{}, 0, "coordinates", "must not be empty"},
		{"empty hole", orb.Polygon{sq, {}}, 0, "coordinates[1]", "must not be empty"},
		{"empty multipoint", orb.MultiPoint{}, 0, "coordinates", "must not be empty"},
		{"empty multiline", orb.MultiLineString{}, 0, "coordinates", "must not be empty"},
		{"empty member line", orb.MultiLineString{{{0, 0}, {1, 1}}, {}}, 0, "coordinates[1]", "must not be empty"},
		{"empty multipolygon", orb.MultiPolygon{}, 0, "coordinates", "must not be empty"},
		{"empty member polygon", orb.MultiPolygon{{}}, 0, "coordinates[0]", "must not be empty"},
		{"empty member ring", orb.MultiPolygon{{sq}, {{}}}, 0, "coordinates[1][0]", "must not be empty"},
		{"NaN longitude", orb.Point{nan, 0}, 0, "coordinates", "longitude NaN is not a finite number"},
		{"infinite latitude", orb.LineString{{0, 0}, {0, inf}}, 0, "coordinates[1]", "latitude +Inf is not a finite number"},
		{"longitude out of range", orb.Point{180.0001, 0}, 0, "coordinates", "longitude 180.0001 is out of range [-180, 180]"},
		{"latitude out of range", orb.MultiPoint{{0, 0}, {0, -90.5}}, 0, "coordinates[1]", "latitude -90.5 is out of range [-90, 90]"},
		{"bad position in a ring", orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {nan, 1}, {0, 0}}}, 0, "coordinates[0][3]", "longitude NaN"},
		{"bad position in a member", orb.MultiPolygon{{sq}, {sq, {{1, 1}, {2, 1}, {2, 95}, {1, 1}}}}, 0, "coordinates[1][1][2]", "latitude 95"},
		{"one-point line", orb.LineString{{1, 1}}, 0, "coordinates", "must have at least 2 distinct positions"},
		{"line of one repeated point", orb.MultiLineString{{{0, 0}, {1, 1}}, {{1, 1}, {1, 1}}}, 0, "coordinates[1]", "must have at least 2 distinct positions"},
		{"unclosed ring", orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}, 0, "coordinates[0]", "ring is not closed"},
		{"unclosed hole", orb.Polygon{sq, {{1, 1}, {2, 1}, {2, 2}, {1, 2}}}, 0, "coordinates[1]", "ring is not closed"},
		{"three positions", orb.Polygon{{{0, 0}, {1, 0}, {0, 0}}}, 0, "coordinates[0]", "ring has 3 positions; it needs at least 4"},
		{"two distinct positions", orb.Polygon{{{0, 0}, {1, 0}, {1, 0}, {0, 0}}}, 0, "coordinates[0]", "ring needs at least 3 distinct positions"},
		{"back and forth", orb.Polygon{{{0, 0}, {1, 0}, {0, 0}, {1, 0}, {0, 0}}}, 0, "coordinates[0]", "ring self-intersects"},
		{"collinear ring", orb.Polygon{{{0, 0}, {1, 0}, {2, 0}, {0, 0}}}, 0, "coordinates[0]", "ring self-intersects"},
		{"bowtie", orb.Polygon{{{0, 0}, {2, 2}, {2, 0}, {0, 2}, {0, 0}}}, 0, "coordinates[0]", "ring self-intersects at (1, 1)"},
		{"figure eight touching at a vertex", orb.Polygon{{{0, 0}, {2, 0}, {1, 1}, {2, 2}, {0, 2}, {1, 1}, {0, 0}}}, 0, "coordinates[0]", "ring self-intersects at (1, 1)"},
		{"vertex on its own edge", orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {2, 0}, {0, 4}, {0, 0}}}, 0, "coordinates[0]", "ring self-intersects at (2, 0)"},
		{"spike", orb.Polygon{{{0, 0}, {2, 0}, {2, 2}, {2, 3}, {2, 1}, {0, 2}, {0, 0}}}, 0, "coordinates[0]", "ring self-intersects"},
		{"hole crossing the shell", orb.Polygon{sq, box(8, 8, 12, 12)}, 0, "coordinates[1]", "ring crosses ring 0"},
		{"hole sharing a shell edge", orb.Polygon{sq, box(0, 2, 4, 4)}, 0, "coordinates[1]", "ring crosses ring 0"},
		{"hole outside the shell", orb.Polygon{sq, box(20, 20, 30, 30)}, 0, "coordinates[1]", "hole lies outside the shell"},
		{"hole touching from outside", orb.Polygon{sq, {{10, 5}, {12, 4}, {12, 6}, {10, 5}}}, 0, "coordinates[1]", "hole lies outside the shell"},
		{"hole crossing at shell vertices", orb.Polygon{sq, {{10, 10}, {5, 5}, {10, 0}, {15, 5}, {10, 10}}}, 0, "coordinates[1]", "ring crosses ring 0 at (10, "},
		{"hole crossing at its own vertices", orb.Polygon{sq, {{10, 5}, {5, 5}, {10, 3}, {12, 4}, {10, 5}}}, 0, "coordinates[1]", "ring crosses ring 0 at (10, "},
		{"hole touching the shell twice", orb.Polygon{sq, {{0, 5}, {5, 4}, {10, 5}, {5, 6}, {0, 5}}}, 0, "coordinates", "polygon interior is disconnected"},
		{"holes sharing an edge", orb.Polygon{sq, box(2, 2, 4, 4), {{4, 2}, {6, 3}, {4, 4}, {4, 2}}}, 0, "coordinates[2]", "ring crosses ring 1"},
		{"holes touching twice", orb.Polygon{sq, box(2, 2, 4, 4), {{4, 2}, {6, 3}, {4, 4}, {5, 3}, {4, 2}}}, 0, "coordinates", "polygon interior is disconnected"},
		{"holes touching in a cycle", orb.Polygon{sq, {{2, 2}, {4, 2}, {3, 4}, {2, 2}}, {{4, 2}, {6, 2}, {5, 4}, {4, 2}}, {{3, 4}, {5, 4}, {4, 6}, {3, 4}}}, 0, "coordinates", "polygon interior is disconnected"},
		{"nested holes", orb.Polygon{sq, box(1, 1, 9, 9), box(2, 2, 3, 3)}, 0, "coordinates[2]", "hole lies inside hole 1"},
		{"overlapping members", orb.MultiPolygon{{box(0, 0, 2, 2)}, {box(1, 1, 3, 3)}}, 0, "coordinates[1]", "polygon overlaps polygon 0: their boundaries cross"},
		{"member inside another", orb.MultiPolygon{{box(0, 0, 10, 10)}, {box(2, 2, 3, 3)}}, 0, "coordinates[1]", "polygon overlaps polygon 0"},
		{"member around another", orb.MultiPolygon{{box(2, 2, 3, 3)}, {box(0, 0, 10, 10)}}, 0, "coordinates[1]", "polygon overlaps polygon 0"},
		{"members sharing an edge", orb.MultiPolygon{{box(0, 0, 1, 1)}, {box(1, 0, 2, 1)}}, 0, "coordinates[1]", "polygon overlaps polygon 0"},
		{"same member twice", orb.MultiPolygon{{sq}, {sq}}, 0, "coordinates[1]", "polygon overlaps polygon 0"},
		{"members crossing at a vertex", orb.MultiPolygon{{box(0, 0, 2, 2)}, {{{2, 2}, {1, 3}, {1, 1}, {3, 1}, {2, 2}}}}, 0, "coordinates[1]", "polygon overlaps polygon 0"},
		{"unclosed ring in a member", orb.MultiPolygon{{sq}, {{{20, 20}, {21, 20}, {21, 21}, {20, 21}}}}, 0, "coordinates[1][0]", "ring is not closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.g, tt.max)
			if err == nil {
				t.Fatalf("got nil, want an error at %q", tt.path)
			}
			wantError(t, err, tt.path, "")
			if !strings.Contains(err.(*Error).Message, tt.msg) {
				t.Errorf("got message %q, want it to contain %q", err.(*Error).Message, tt.msg)
			}
		})
	}
}

// circle returns a closed ring of n vertices around (x, y).
func circle(x, y, r float64, n int) orb.Ring {
	ring := make(orb.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		ring = append(ring, orb.Point{x + r*math.Cos(a), y + r*math.Sin(a)})
	}
	return append(ring, ring[0])
}

// TestValidateLargeRing checks the sweep stays sub-quadratic: on a
// 10,000-vertex ring it compares a number of segment pairs linear in n, and
// still finds a single self-intersection.
func TestValidateLargeRing(t *testing.T) {
	const n = 10000
	ring := circle(96, 16, 0.01, n-1)
	if err := Validate(orb.Polygon{ring}, n); err != nil {
		t.Fatalf("got %v, want nil", err)
	}
	segs := make([]seg, 0, n)
	for i := 1; i < len(ring); i++ {
		segs = append(segs, newSeg(ring[i-1], ring[i], 0, i-1))
	}
	pairs := 0
	sweep(segs, func(s, t *seg) bool { pairs++; return true })
	if pairs > 10*n {
		t.Errorf("got %d candidate pairs, want at most %d", pairs, 10*n)
	}

	// Swap two neighbouring vertices: their edges now cross.
	bad := append(orb.Ring(nil), ring...)
	bad[5000], bad[5001] = bad[5001], bad[5000]
	start := time.Now()
	err := Validate(orb.Polygon{bad}, n)
	wantError(t, err, "coordinates[0]", "")
	if !strings.Contains(err.Error(), "self-intersects") {
		t.Errorf("got %v, want a self-intersection", err)
	}
	t.Logf("validated %d vertices in %v", n, time.Since(start))
}

func BenchmarkValidate10k(b *testing.B) {
	pg := orb.Polygon{circle(96, 16, 0.01, 9999)}
	for b.Loop() {
		if err := Validate(pg, 10000); err != nil {
			b.Fatal(err)
		}
	}
}
