package hotspot

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/paulmach/orb"
)

// hexWeights joins cols × rows units laid out as hexagons, numbered row by
// row, to their 6 neighbours (fewer on the border): about as many as a
// village tract has.
func hexWeights(cols, rows int) Weights {
	nb := make([][]int, cols*rows)
	link := func(c, r, cc, rr int) {
		if cc >= 0 && cc < cols && rr >= 0 && rr < rows {
			nb[r*cols+c] = append(nb[r*cols+c], rr*cols+cc)
		}
	}
	for r := range rows {
		for c := range cols {
			// Odd rows are shifted half a hexagon to the right.
			shift := r % 2
			link(c, r, c-1, r)
			link(c, r, c+1, r)
			for _, dr := range []int{-1, 1} {
				link(c, r, c-1+shift, r+dr)
				link(c, r, c+shift, r+dr)
			}
		}
	}
	return Weights{Neighbors: nb}
}

func counts(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(rng.IntN(5) * rng.IntN(5))
	}
	return x
}

func BenchmarkGiStar(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	grid := Grid{MinX: 96, MinY: 14, Size: 0.01, Cols: 400, Rows: 250}
	cases := []struct {
		name string
		w    Weights
	}{
		{"units=20000/hex", hexWeights(200, 100)},
		{"cells=100000/band=1.5", grid.DistanceBand(allCells(grid), 1.5)},
	}
	for _, c := range cases {
		x := counts(rng, len(c.w.Neighbors))
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := GiStar(x, c.w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDistanceBand(b *testing.B) {
	grid := Grid{MinX: 96, MinY: 14, Size: 0.01, Cols: 400, Rows: 250}
	cells := allCells(grid)
	b.Run("cells=100000/band=1.5", func(b *testing.B) {
		for b.Loop() {
			grid.DistanceBand(cells, 1.5)
		}
	})
}

var (
	tracts     []orb.MultiPolygon
	tractsOnce sync.Once
)

// BenchmarkQueenContiguity runs on 20,000 jittered quads of about 0.02°
// (2 km) with 245 vertices each, about the number and detail of Myanmar's
// village tracts. The tiling is built once per process.
func BenchmarkQueenContiguity(b *testing.B) {
	tractsOnce.Do(func() {
		tracts = tiling(rand.New(rand.NewPCG(1, 2)), 200, 100, 60, 96, 14, 0.02)
	})
	b.Run("polygons=20000", func(b *testing.B) {
		for b.Loop() {
			w := QueenContiguity(tracts, 1e-7)
			if n := len(w.Neighbors[50*200+100]); n != 8 {
				b.Fatalf("interior tract: got %d neighbours, want 8", n)
			}
		}
	})
}
