package hotspot

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func bound(x0, y0, x1, y1 float64) orb.Bound {
	return orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}
}

func TestNewGrid(t *testing.T) {
	tests := []struct {
		name       string
		b          orb.Bound
		size       float64
		cols, rows int
	}{
		{"whole cells", bound(0, 0, 4, 2), 1, 4, 2},
		{"partial last cell", bound(0, 0, 4.5, 2.1), 1, 5, 3},
		// 90.2 − 90 is 0.20000000000000284 in float64, whose ceil in
		// tenths is 3, but 90 + 2·0.1 already reaches 90.2.
		{"rounding up by one too many", bound(90, 16, 90.2, 16.1), 0.1, 2, 1},
		// 97.3 + 16·0.1 is 98.89999999999999, so a 17th column holds 98.9.
		{"rounding down by one too few", bound(97.3, 15.1, 98.9, 18.3), 0.1, 17, 32},
		{"point", bound(97, 16, 97, 16), 0.1, 1, 1},
		{"line", bound(97, 16, 98, 16), 0.25, 4, 1},
		{"largest", bound(0, 0, 1000, 1000), 1, 1000, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := NewGrid(tt.b, tt.size)
			if err != nil {
				t.Fatal(err)
			}
			want := Grid{MinX: tt.b.Min[0], MinY: tt.b.Min[1], Size: tt.size, Cols: tt.cols, Rows: tt.rows}
			if g != want {
				t.Errorf("got %+v, want %+v", g, want)
			}
			// The far corner is in the grid.
			if _, _, ok := g.Cell(tt.b.Max); !ok {
				t.Errorf("Cell(%v): got outside, want inside", tt.b.Max)
			}
		})
	}
}

func TestNewGridErrors(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		b    orb.Bound
		size float64
	}{
		{"zero size", bound(0, 0, 1, 1), 0},
		{"negative size", bound(0, 0, 1, 1), -0.1},
		{"NaN size", bound(0, 0, 1, 1), nan},
		{"infinite size", bound(0, 0, 1, 1), math.Inf(1)},
		{"inverted bound", bound(1, 1, 0, 0), 0.1},
		{"NaN bound", bound(nan, 0, 1, 1), 0.1},
		{"infinite bound", bound(0, 0, math.Inf(1), 1), 0.1},
		{"one column too many", bound(0, 0, 1000.5, 1000), 1},
		{"tiny cells", bound(92, 9, 102, 29), 1e-300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := NewGrid(tt.b, tt.size)
			if err == nil {
				t.Fatalf("got %+v, want an error", g)
			}
			if !errors.Is(err, ErrInvalidGrid) || !strings.HasPrefix(err.Error(), "hotspot: ") {
				t.Errorf("got %q, want an ErrInvalidGrid starting %q", err, "hotspot: ")
			}
		})
	}
}

func TestGridCell(t *testing.T) {
	g := Grid{MinX: 10, MinY: 20, Size: 0.5, Cols: 4, Rows: 2} // [10, 12] × [20, 21]
	tests := []struct {
		name     string
		p        orb.Point
		col, row int
		ok       bool
	}{
		{"origin", orb.Point{10, 20}, 0, 0, true},
		{"inside", orb.Point{11.2, 20.7}, 2, 1, true},
		{"grid line belongs to the cell above", orb.Point{10.5, 20.5}, 1, 1, true},
		{"far corner belongs to the last cell", orb.Point{12, 21}, 3, 1, true},
		{"far edge", orb.Point{12, 20.2}, 3, 0, true},
		{"left of the grid", orb.Point{9.999, 20.5}, 0, 0, false},
		{"below the grid", orb.Point{11, 19.999}, 0, 0, false},
		{"right of the grid", orb.Point{12.001, 20.5}, 0, 0, false},
		{"above the grid", orb.Point{11, 21.001}, 0, 0, false},
		{"NaN", orb.Point{math.NaN(), 20.5}, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col, row, ok := g.Cell(tt.p)
			if col != tt.col || row != tt.row || ok != tt.ok {
				t.Errorf("got (%d, %d, %v), want (%d, %d, %v)", col, row, ok, tt.col, tt.row, tt.ok)
			}
		})
	}
	if got, want := g.Bound(2, 1), bound(11, 20.5, 11.5, 21); got != want {
		t.Errorf("Bound(2, 1): got %v, want %v", got, want)
	}
}

// TestGridRoundTrip checks on decimal sizes, whose grid lines do not fall
// on round numbers, that Cell and Bound agree exactly.
func TestGridRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 3))
	for range 20 {
		size := []float64{0.1, 0.05, 0.01, 0.003, 1.0 / 3}[rng.IntN(5)]
		x0, y0 := 92+10*rng.Float64(), 9+20*rng.Float64()
		g, err := NewGrid(bound(x0, y0, x0+rng.Float64()*3, y0+rng.Float64()*3), size)
		if err != nil {
			t.Fatal(err)
		}
		for range 500 {
			c, r := rng.IntN(g.Cols), rng.IntN(g.Rows)
			b := g.Bound(c, r)
			for _, p := range []orb.Point{b.Min, b.Center(), {b.Min[0], b.Max[1] - size/2}} {
				if col, row, ok := g.Cell(p); col != c || row != r || !ok {
					t.Fatalf("%+v: Cell(%v) in Bound(%d, %d): got (%d, %d, %v), want (%d, %d, true)", g, p, c, r, col, row, ok, c, r)
				}
			}
			p := orb.Point{x0 + rng.Float64()*float64(g.Cols)*size, y0 + rng.Float64()*float64(g.Rows)*size}
			col, row, ok := g.Cell(p)
			if !ok {
				t.Fatalf("%+v: Cell(%v): got outside, want inside", g, p)
			}
			// Half-open: the lower edges belong to the cell, the upper ones
			// to the next, except on the far edges of the grid.
			b = g.Bound(col, row)
			if p[0] < b.Min[0] || p[1] < b.Min[1] ||
				p[0] >= b.Max[0] && col < g.Cols-1 || p[1] >= b.Max[1] && row < g.Rows-1 {
				t.Fatalf("%+v: %v in cell (%d, %d) with bound %v", g, p, col, row, b)
			}
		}
	}
}

// allCells lists every cell of g, row by row.
func allCells(g Grid) [][2]int {
	var cells [][2]int
	for r := range g.Rows {
		for c := range g.Cols {
			cells = append(cells, [2]int{c, r})
		}
	}
	return cells
}

func TestDistanceBandCounts(t *testing.T) {
	g := Grid{MinX: 97, MinY: 16, Size: 0.01, Cols: 5, Rows: 5}
	cells := allCells(g)
	const centre, corner, edge = 12, 0, 2 // (2, 2), (0, 0), (2, 0)
	tests := []struct {
		name                 string
		band                 float64
		centre, corner, edge int
	}{
		{"below one cell", 0.99, 0, 0, 0},
		{"rook", 1, 4, 2, 3},
		{"queen", 1.5, 8, 3, 5},
		{"exactly √2", math.Sqrt2, 8, 3, 5},
		{"two cells", 2, 12, 5, 8},
		{"√5", math.Sqrt(5), 20, 7, 12},
		{"whole grid", 10, 24, 24, 24},
		{"zero", 0, 0, 0, 0},
		{"NaN", math.NaN(), 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := g.DistanceBand(cells, tt.band)
			for _, c := range []struct {
				name      string
				i, got, n int
			}{
				{"centre", centre, len(w.Neighbors[centre]), tt.centre},
				{"corner", corner, len(w.Neighbors[corner]), tt.corner},
				{"edge", edge, len(w.Neighbors[edge]), tt.edge},
			} {
				if c.got != c.n {
					t.Errorf("%s: got %d neighbours, want %d", c.name, c.got, c.n)
				}
			}
		})
	}
	if got, want := g.DistanceBand(cells, 1.5).Neighbors[centre], []int{6, 7, 8, 11, 13, 16, 17, 18}; !slices.Equal(got, want) {
		t.Errorf("centre: got %v, want %v", got, want)
	}
}

func TestDistanceBandSparse(t *testing.T) {
	g := Grid{MinX: 0, MinY: 0, Size: 1, Cols: 4, Rows: 4}
	cells := [][2]int{
		{1, 1},  // 0
		{3, 3},  // 1: far from the rest
		{2, 2},  // 2: diagonal to 0
		{1, 2},  // 3
		{1, 1},  // 4: a repeat of 0
		{-1, 0}, // 5: outside the grid
		{4, 1},  // 6: outside the grid
		{2, 1},  // 7
	}
	got := g.DistanceBand(cells, 1.5)
	want := Weights{Neighbors: [][]int{{2, 3, 7}, {2}, {0, 1, 3, 7}, {0, 2, 7}, nil, nil, nil, {0, 2, 3}}}
	checkWeights(t, got, want)
}

// TestDistanceBandBrute compares DistanceBand with the distance between
// every pair of listed cells.
func TestDistanceBandBrute(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 4))
	for range 50 {
		g := Grid{Size: 0.02, Cols: 1 + rng.IntN(30), Rows: 1 + rng.IntN(30)}
		var cells [][2]int
		for _, c := range allCells(g) {
			if rng.Float64() < 0.6 {
				cells = append(cells, c)
			}
		}
		band := 4 * rng.Float64()
		want := make([][]int, len(cells))
		for i, a := range cells {
			for j, b := range cells {
				if i != j && math.Hypot(float64(a[0]-b[0]), float64(a[1]-b[1])) <= band {
					want[i] = append(want[i], j)
				}
			}
		}
		checkWeights(t, g.DistanceBand(cells, band), Weights{Neighbors: want})
	}
}
