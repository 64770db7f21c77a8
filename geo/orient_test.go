package geo

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// ratOrient is orient in exact rational arithmetic, as a reference.
func ratOrient(a, b, c orb.Point) int {
	r := func(f float64) *big.Rat { return new(big.Rat).SetFloat64(f) }
	dx1 := new(big.Rat).Sub(r(b[0]), r(a[0]))
	dy1 := new(big.Rat).Sub(r(b[1]), r(a[1]))
	dx2 := new(big.Rat).Sub(r(c[0]), r(a[0]))
	dy2 := new(big.Rat).Sub(r(c[1]), r(a[1]))
	return new(big.Rat).Mul(dx1, dy2).Cmp(new(big.Rat).Mul(dy1, dx2))
}

func TestOrient(t *testing.T) {
	tests := []struct {
		name    string
		a, b, c orb.Point
		want    int
	}{
		{"left", orb.Point{0, 0}, orb.Point{1, 0}, orb.Point{0, 1}, 1},
		{"right", orb.Point{0, 0}, orb.Point{1, 0}, orb.Point{0, -1}, -1},
		{"on the line", orb.Point{0, 0}, orb.Point{1, 1}, orb.Point{0.1, 0.1}, 0},
		{"beyond the end", orb.Point{0, 0}, orb.Point{1, 1}, orb.Point{7, 7}, 0},
		{"repeated point", orb.Point{3, 4}, orb.Point{3, 4}, orb.Point{5, 6}, 0},
		{"horizontal edge", orb.Point{96.1, 16.8}, orb.Point{96.3, 16.8}, orb.Point{96.2, 16.8}, 0},
		{"vertical edge", orb.Point{180, -10}, orb.Point{180, 10}, orb.Point{180, 90}, 0},
		// 0.1 and 0.3 are not exactly representable: 3 × 0.1 > 0.3 in
		// binary, so c is just left of the line through (0,0) and (3,1).
		{"decimal near miss", orb.Point{0, 0}, orb.Point{3, 1}, orb.Point{0.3, 0.1}, 1},
		{"far from the origin", orb.Point{96.19510000000001, 16.8661}, orb.Point{96.1953, 16.8663}, orb.Point{96.1952, 16.8662}, ratOrient(orb.Point{96.19510000000001, 16.8661}, orb.Point{96.1953, 16.8663}, orb.Point{96.1952, 16.8662})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := orient(tt.a, tt.b, tt.c); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

// TestOrientExact compares orient with exact arithmetic on nearly
// collinear points: the grid of Kettner et al., "Classroom examples of
// robustness problems in geometric computations", where a plain float64
// determinant gets many signs wrong, and random nearly collinear triples.
func TestOrientExact(t *testing.T) {
	wrongFloat := 0
	check := func(a, b, c orb.Point) {
		t.Helper()
		want := ratOrient(a, b, c)
		if got := orient(a, b, c); got != want {
			t.Fatalf("orient(%v, %v, %v): got %d, want %d", a, b, c, got, want)
		}
		naive := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
		if sign(naive) != want {
			wrongFloat++
		}
	}
	const u = 1.0 / (1 << 53)
	for i := range 64 {
		for j := range 64 {
			check(orb.Point{0.5 + float64(i)*u, 0.5 + float64(j)*u}, orb.Point{12, 12}, orb.Point{24, 24})
		}
	}
	if wrongFloat == 0 {
		t.Errorf("got no wrong float64 signs on the Kettner grid, want some: the test lost its teeth")
	}
	rng := rand.New(rand.NewPCG(testSeed(t), 2))
	for range 20000 {
		a := orb.Point{rng.Float64()*360 - 180, rng.Float64()*180 - 90}
		b := orb.Point{a[0] + rng.NormFloat64()*1e-3, a[1] + rng.NormFloat64()*1e-3}
		s := rng.Float64()*3 - 1
		c := orb.Point{a[0] + s*(b[0]-a[0]), a[1] + s*(b[1]-a[1])}
		// Nudge c by an ulp, or not at all.
		c[0] = math.Nextafter(c[0], c[0]+float64(rng.IntN(3)-1))
		check(a, b, c)
	}
	t.Logf("a plain float64 determinant got %d signs wrong", wrongFloat)
}

func TestMeet(t *testing.T) {
	tests := []struct {
		name       string
		a, b, c, d orb.Point
		want       contact
		at         orb.Point
	}{
		{"crossing", orb.Point{0, 0}, orb.Point{2, 2}, orb.Point{0, 2}, orb.Point{2, 0}, crossing, orb.Point{}},
		{"disjoint", orb.Point{0, 0}, orb.Point{1, 1}, orb.Point{2, 0}, orb.Point{3, -1}, disjoint, orb.Point{}},
		{"lines cross beyond the ends", orb.Point{0, 0}, orb.Point{1, 1}, orb.Point{3, 0}, orb.Point{2, 1}, disjoint, orb.Point{}},
		{"parallel", orb.Point{0, 0}, orb.Point{2, 0}, orb.Point{0, 1}, orb.Point{2, 1}, disjoint, orb.Point{}},
		{"shared end", orb.Point{0, 0}, orb.Point{1, 1}, orb.Point{1, 1}, orb.Point{2, 0}, touching, orb.Point{1, 1}},
		{"T junction", orb.Point{0, 0}, orb.Point{2, 0}, orb.Point{1, 0}, orb.Point{1, 5}, touching, orb.Point{1, 0}},
		{"T junction the other way", orb.Point{1, 0}, orb.Point{1, 5}, orb.Point{0, 0}, orb.Point{2, 0}, touching, orb.Point{1, 0}},
		{"collinear overlap", orb.Point{0, 0}, orb.Point{2, 0}, orb.Point{1, 0}, orb.Point{3, 0}, overlapping, orb.Point{}},
		{"collinear containment", orb.Point{0, 0}, orb.Point{4, 4}, orb.Point{3, 3}, orb.Point{1, 1}, overlapping, orb.Point{}},
		{"collinear end to end", orb.Point{0, 0}, orb.Point{1, 0}, orb.Point{2, 0}, orb.Point{1, 0}, touching, orb.Point{1, 0}},
		{"collinear apart", orb.Point{0, 0}, orb.Point{1, 0}, orb.Point{2, 0}, orb.Point{3, 0}, disjoint, orb.Point{}},
		{"vertical collinear overlap", orb.Point{180, -1}, orb.Point{180, 1}, orb.Point{180, 0}, orb.Point{180, 5}, overlapping, orb.Point{}},
		{"zero-length on segment", orb.Point{0, 0}, orb.Point{2, 2}, orb.Point{1, 1}, orb.Point{1, 1}, touching, orb.Point{1, 1}},
		{"zero-length off segment", orb.Point{0, 0}, orb.Point{2, 2}, orb.Point{1, 0}, orb.Point{1, 0}, disjoint, orb.Point{}},
		{"both zero-length and equal", orb.Point{1, 1}, orb.Point{1, 1}, orb.Point{1, 1}, orb.Point{1, 1}, touching, orb.Point{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, at := meet(tt.a, tt.b, tt.c, tt.d)
			if got != tt.want || got == touching && at != tt.at {
				t.Errorf("got %v at %v, want %v at %v", got, at, tt.want, tt.at)
			}
		})
	}
}
