package hotspot

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// MaxCells is the largest grid NewGrid makes.
const MaxCells = 1_000_000

// ErrInvalidGrid is returned (wrapped) by NewGrid for a bad bound or size.
var ErrInvalidGrid = errors.New("hotspot: invalid grid")

// Grid is a regular lon/lat grid for grid Gi*: cells of Size degrees
// anchored at (MinX, MinY), Cols × Rows. Cell (col, row) covers
// [MinX+col·Size, MinX+(col+1)·Size) × [MinY+row·Size, MinY+(row+1)·Size);
// the last column and row also hold their far edge.
type Grid struct {
	MinX, MinY, Size float64
	Cols, Rows       int
}

// NewGrid returns the smallest grid of cells of size degrees, anchored at
// the bound's minimum, that covers bound. It fails if size is not a positive
// number, the bound is not finite or is empty, or the grid would have more
// than MaxCells cells.
func NewGrid(bound orb.Bound, size float64) (Grid, error) {
	if !(size > 0) || math.IsInf(size, 0) {
		return Grid{}, fmt.Errorf("%w: cell size %v", ErrInvalidGrid, size)
	}
	for _, v := range []float64{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Grid{}, fmt.Errorf("%w: bound %v is not finite", ErrInvalidGrid, bound)
		}
	}
	if bound.Min[0] > bound.Max[0] || bound.Min[1] > bound.Max[1] {
		return Grid{}, fmt.Errorf("%w: bound %v is empty", ErrInvalidGrid, bound)
	}
	// Count in float64 first so that a tiny size cannot overflow int.
	cols := max(1, math.Ceil((bound.Max[0]-bound.Min[0])/size))
	rows := max(1, math.Ceil((bound.Max[1]-bound.Min[1])/size))
	if cols*rows > MaxCells {
		return Grid{}, fmt.Errorf("%w: %v × %v cells exceed %d", ErrInvalidGrid, cols, rows, MaxCells)
	}
	g := Grid{MinX: bound.Min[0], MinY: bound.Min[1], Size: size, Cols: int(cols), Rows: int(rows)}
	// The quotient is rounded, so ceil can be one off either way: make the
	// last grid line, as edge computes it, the first at or past the far edge.
	g.Cols = g.fit(g.Cols, g.MinX, bound.Max[0])
	g.Rows = g.fit(g.Rows, g.MinY, bound.Max[1])
	if g.Cols*g.Rows > MaxCells {
		return Grid{}, fmt.Errorf("%w: %d × %d cells exceed %d", ErrInvalidGrid, g.Cols, g.Rows, MaxCells)
	}
	return g, nil
}

// fit adjusts n, a count of cells from origin, to the fewest (at least 1)
// whose far grid line reaches far.
func (g Grid) fit(n int, origin, far float64) int {
	for n > 1 && g.edge(n-1, origin) >= far {
		n--
	}
	for g.edge(n, origin) < far {
		n++
	}
	return n
}

// edge is the coordinate of grid line k from origin. Cell and Bound both
// use it, so a point on a line that Bound reports is in the cell Cell says.
func (g Grid) edge(k int, origin float64) float64 {
	return origin + float64(k)*g.Size
}

// Cell returns the cell holding p, and false when p is outside the grid.
func (g Grid) Cell(p orb.Point) (col, row int, ok bool) {
	col, ok = g.index(p[0], g.MinX, g.Cols)
	if !ok {
		return 0, 0, false
	}
	row, ok = g.index(p[1], g.MinY, g.Rows)
	if !ok {
		return 0, 0, false
	}
	return col, row, true
}

// index is the cell along one axis holding v, in [0, n).
func (g Grid) index(v, origin float64, n int) (int, bool) {
	// The negated test also rejects NaN.
	if !(v >= origin && v <= g.edge(n, origin)) {
		return 0, false
	}
	k := int(math.Floor((v - origin) / g.Size))
	// The division rounds; step to the cell whose edges, as edge computes
	// them, hold v.
	for k > 0 && v < g.edge(k, origin) {
		k--
	}
	for k < n-1 && v >= g.edge(k+1, origin) {
		k++
	}
	return min(k, n-1), true
}

// Bound returns the bound of cell (col, row).
func (g Grid) Bound(col, row int) orb.Bound {
	return orb.Bound{
		Min: orb.Point{g.edge(col, g.MinX), g.edge(row, g.MinY)},
		Max: orb.Point{g.edge(col+1, g.MinX), g.edge(row+1, g.MinY)},
	}
}

// DistanceBand returns weights over cells, identified by their index in
// cells, in which two cells are neighbours when their centres are at most
// band cell widths apart: band 1 gives the 4 edge neighbours, 1.5 the 8
// queen neighbours. Only the listed cells take part, so a study area can
// leave out cells outside it. A cell outside the grid or listed again has no
// neighbours. Neighbour lists are sorted.
func (g Grid) DistanceBand(cells [][2]int, band float64) Weights {
	nb := make([][]int, len(cells))
	if !(band > 0) || g.Cols <= 0 || g.Rows <= 0 {
		return Weights{Neighbors: nb}
	}
	// Cell ↦ index+1 in a dense table: at most MaxCells entries, and much
	// faster than a map for the dense grids this is for.
	at := make([]int32, g.Cols*g.Rows)
	for i, c := range cells {
		if c[0] < 0 || c[0] >= g.Cols || c[1] < 0 || c[1] >= g.Rows {
			continue
		}
		if k := c[1]*g.Cols + c[0]; at[k] == 0 {
			at[k] = int32(i + 1)
		}
	}
	// A band of √2 or √5 squares to a hair above 2 or 5 or below it; the
	// slack keeps cells exactly on the band inside.
	r2 := band * band * (1 + 1e-12)
	r := int(min(math.Floor(band), float64(max(g.Cols, g.Rows))))
	var offsets [][2]int
	for dr := -r; dr <= r; dr++ {
		for dc := -r; dc <= r; dc++ {
			if (dc != 0 || dr != 0) && float64(dc*dc+dr*dr) <= r2 {
				offsets = append(offsets, [2]int{dc, dr})
			}
		}
	}
	for i, c := range cells {
		if c[0] < 0 || c[0] >= g.Cols || c[1] < 0 || c[1] >= g.Rows || int(at[c[1]*g.Cols+c[0]]) != i+1 {
			continue
		}
		for _, o := range offsets {
			col, row := c[0]+o[0], c[1]+o[1]
			if col < 0 || col >= g.Cols || row < 0 || row >= g.Rows {
				continue
			}
			if j := at[row*g.Cols+col]; j != 0 {
				nb[i] = append(nb[i], int(j-1))
			}
		}
		slices.Sort(nb[i])
	}
	return Weights{Neighbors: nb}
}
