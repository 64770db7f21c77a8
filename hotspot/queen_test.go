package hotspot

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// square is the polygon [x0, x1] × [y0, y1], counter-clockwise and closed.
func square(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

// checkWeights compares neighbour lists, treating nil and empty alike.
func checkWeights(t *testing.T, got, want Weights) {
	t.Helper()
	if len(got.Neighbors) != len(want.Neighbors) {
		t.Fatalf("got %d units, want %d", len(got.Neighbors), len(want.Neighbors))
	}
	for i := range want.Neighbors {
		if !slices.Equal(got.Neighbors[i], want.Neighbors[i]) {
			t.Errorf("unit %d: got %v, want %v", i, got.Neighbors[i], want.Neighbors[i])
		}
	}
}

// kingWeights is the 8-neighbourhood of a cols × rows grid of units
// numbered row by row.
func kingWeights(cols, rows int) Weights {
	nb := make([][]int, cols*rows)
	for r := range rows {
		for c := range cols {
			for dr := -1; dr <= 1; dr++ {
				for dc := -1; dc <= 1; dc++ {
					cc, rr := c+dc, r+dr
					if (dc != 0 || dr != 0) && cc >= 0 && cc < cols && rr >= 0 && rr < rows {
						nb[r*cols+c] = append(nb[r*cols+c], rr*cols+cc)
					}
				}
			}
		}
	}
	return Weights{Neighbors: nb}
}

func TestQueenContiguityGrid(t *testing.T) {
	var polys []orb.MultiPolygon
	for r := range 3 {
		for c := range 3 {
			x, y := 97+0.1*float64(c), 16+0.1*float64(r)
			polys = append(polys, orb.MultiPolygon{square(x, y, x+0.1, y+0.1)})
		}
	}
	got := QueenContiguity(polys, 1e-7)
	checkWeights(t, got, kingWeights(3, 3))
	if n := len(got.Neighbors[4]); n != 8 {
		t.Errorf("centre: got %d neighbours, want 8", n)
	}
	for _, i := range []int{0, 2, 6, 8} {
		if n := len(got.Neighbors[i]); n != 3 {
			t.Errorf("corner %d: got %d neighbours, want 3", i, n)
		}
	}
}

func TestQueenContiguityPairs(t *testing.T) {
	mp := func(ps ...orb.Polygon) orb.MultiPolygon { return orb.MultiPolygon(ps) }
	unit := mp(square(0, 0, 1, 1))
	withHole := orb.Polygon{square(0, 0, 3, 3)[0], {{1, 1}, {1, 2}, {2, 2}, {2, 1}, {1, 1}}}
	notch := mp(orb.Polygon{{{0, 0}, {3, 0}, {3, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}}})
	tests := []struct {
		name string
		a, b orb.MultiPolygon
		tol  float64
		want bool
	}{
		{"shared edge", unit, mp(square(1, 0, 2, 1)), 1e-7, true},
		{"one corner only", unit, mp(square(1, 1, 2, 2)), 1e-7, true},
		{"one corner, tol 0", unit, mp(square(1, 1, 2, 2)), 0, true},
		{"corner on the other's edge", unit, mp(square(1, 0.5, 2, 1.5)), 0, true},
		{"gap larger than tol", unit, mp(square(1.001, 0, 2, 1)), 1e-7, false},
		{"gap smaller than tol", unit, mp(square(1+5e-8, 0, 2, 1)), 1e-7, true},
		{"diagonal gap smaller than tol", unit, mp(square(1+5e-8, 1+5e-8, 2, 2)), 1e-7, true},
		// The padded boxes meet, but the corners are √2·1e-7 apart.
		{"diagonal gap larger than tol", unit, mp(square(1+1e-7, 1+1e-7, 2, 2)), 1e-7, false},
		{"negative tol counts as 0", unit, mp(square(1, 1, 2, 2)), -1, true},
		{"boundaries cross away from vertices", mp(square(0, 0, 2, 2)), mp(square(1, -1, 3, 3)), 0, true},
		{"enclave in a hole", mp(withHole), mp(square(1, 1, 2, 2)), 1e-7, true},
		{"inside without touching", mp(square(0, 0, 3, 3)), mp(square(1, 1, 2, 2)), 1e-7, false},
		{"boxes overlap, boundaries apart", notch, mp(square(1.5, 1.5, 2.5, 2.5)), 1e-7, false},
		{"second member touches", mp(square(-5, 0, -4, 1), square(0, 0, 1, 1)), mp(square(1, 0, 2, 1)), 1e-7, true},
		{"members all apart", mp(square(-5, 0, -4, 1), square(0, 0, 1, 1)), mp(square(2, 0, 3, 1)), 1e-7, false},
		{"touching only the missing closing edge", mp(orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}), mp(square(-1, 0, 0, 1)), 0, true},
		{"empty multipolygon", mp(), unit, 1e-7, false},
		{"polygon with no rings", mp(orb.Polygon{}), unit, 1e-7, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := Weights{Neighbors: [][]int{nil, nil}}
			if tt.want {
				want = Weights{Neighbors: [][]int{{1}, {0}}}
			}
			checkWeights(t, QueenContiguity([]orb.MultiPolygon{tt.a, tt.b}, tt.tol), want)
			// Order must not matter.
			checkWeights(t, QueenContiguity([]orb.MultiPolygon{tt.b, tt.a}, tt.tol), want)
		})
	}
}

func TestSegNear(t *testing.T) {
	p := func(x, y float64) orb.Point { return orb.Point{x, y} }
	tests := []struct {
		name       string
		a, b, c, d orb.Point
		tol        float64
		want       bool
	}{
		{"crossing", p(0, 0), p(2, 2), p(0, 2), p(2, 0), 0, true},
		{"shared endpoint", p(0, 0), p(1, 0), p(1, 0), p(1, 1), 0, true},
		{"endpoint inside the other", p(0, 0), p(2, 0), p(1, 0), p(1, 1), 0, true},
		{"collinear overlap", p(0, 0), p(2, 0), p(1, 0), p(3, 0), 0, true},
		{"collinear apart", p(0, 0), p(1, 0), p(1.5, 0), p(3, 0), 0.4, false},
		{"collinear within tol", p(0, 0), p(1, 0), p(1.5, 0), p(3, 0), 0.5, true},
		{"parallel apart", p(0, 0), p(1, 0), p(0, 1), p(1, 1), 0.5, false},
		{"parallel within tol", p(0, 0), p(1, 0), p(0, 1), p(1, 1), 1, true},
		{"endpoint near the other's middle", p(0, 0), p(2, 0), p(1, 0.3), p(1, 2), 0.3, true},
		{"near-miss of a cross", p(0, 0), p(2, 0), p(1, 0.3), p(1, 2), 0.29, false},
		{"point segments", p(0, 0), p(0, 0), p(0.3, 0.4), p(0.3, 0.4), 0.5, true},
		{"point segments apart", p(0, 0), p(0, 0), p(0.3, 0.4), p(0.3, 0.4), 0.49, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := segNear(tt.a, tt.b, tt.c, tt.d, tt.tol); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if got := segNear(tt.c, tt.d, tt.b, tt.a, tt.tol); got != tt.want {
				t.Errorf("swapped: got %v, want %v", got, tt.want)
			}
			if got := bruteSegDist(tt.a, tt.b, tt.c, tt.d) <= tt.tol; got != tt.want {
				t.Errorf("bruteSegDist: got %v, want %v", got, tt.want)
			}
		})
	}
}

// bruteSegDist is the distance between segments ab and cd, worked out
// differently from segNear: solve for the crossing point, else take the
// nearest of the endpoint-to-segment distances.
func bruteSegDist(a, b, c, d orb.Point) float64 {
	cross := func(u, v orb.Point) float64 { return u[0]*v[1] - u[1]*v[0] }
	sub := func(u, v orb.Point) orb.Point { return orb.Point{u[0] - v[0], u[1] - v[1]} }
	r, s := sub(b, a), sub(d, c)
	if den := cross(r, s); den != 0 {
		t := cross(sub(c, a), s) / den
		u := cross(sub(c, a), r) / den
		if t >= 0 && t <= 1 && u >= 0 && u <= 1 {
			return 0
		}
	}
	toSeg := func(p, a, b orb.Point) float64 {
		ab := sub(b, a)
		l := ab[0]*ab[0] + ab[1]*ab[1]
		if l == 0 {
			return math.Hypot(p[0]-a[0], p[1]-a[1])
		}
		t := math.Max(0, math.Min(1, ((p[0]-a[0])*ab[0]+(p[1]-a[1])*ab[1])/l))
		if t == 1 {
			return math.Hypot(p[0]-b[0], p[1]-b[1])
		}
		return math.Hypot(p[0]-(a[0]+t*ab[0]), p[1]-(a[1]+t*ab[1]))
	}
	return min(toSeg(a, c, d), toSeg(b, c, d), toSeg(c, a, b), toSeg(d, a, b))
}

// bruteQueen is queen contiguity by testing every segment of every pair of
// polygons whose bounds, padded by tol, meet.
func bruteQueen(polys []orb.MultiPolygon, tol float64) Weights {
	segs := make([][][2]orb.Point, len(polys))
	boxes := make([]orb.Bound, len(polys))
	for i, mp := range polys {
		boxes[i] = mp.Bound().Pad(tol)
		for _, poly := range mp {
			for _, r := range poly {
				for k := range r {
					segs[i] = append(segs[i], [2]orb.Point{r[k], r[(k+1)%len(r)]})
				}
			}
		}
	}
	adj := make([][]bool, len(polys))
	for i := range adj {
		adj[i] = make([]bool, len(polys))
	}
	for i := range polys {
		for j := i + 1; j < len(polys); j++ {
			// Only whole polygons far apart are skipped, to keep the
			// test quick.
			if !boxes[i].Intersects(boxes[j]) {
				continue
			}
		pair:
			for _, s := range segs[i] {
				for _, u := range segs[j] {
					if bruteSegDist(s[0], s[1], u[0], u[1]) <= tol {
						adj[i][j], adj[j][i] = true, true
						break pair
					}
				}
			}
		}
	}
	nb := make([][]int, len(polys))
	for i := range adj {
		for j, ok := range adj[i] {
			if ok {
				nb[i] = append(nb[i], j)
			}
		}
	}
	return Weights{Neighbors: nb}
}

// tiling returns a cols × rows jittered grid of quads of size degrees from
// (x0, y0), numbered row by row, whose corners are shared and whose edges
// carry perEdge jagged points, each shared by the two quads on either
// side, much as village tracts share their boundaries.
func tiling(rng *rand.Rand, cols, rows, perEdge int, x0, y0, size float64) []orb.MultiPolygon {
	corner := make([]orb.Point, (cols+1)*(rows+1))
	for r := range rows + 1 {
		for c := range cols + 1 {
			corner[r*(cols+1)+c] = orb.Point{
				x0 + (float64(c)+0.4*(rng.Float64()-0.5))*size,
				y0 + (float64(r)+0.4*(rng.Float64()-0.5))*size,
			}
		}
	}
	at := func(c, r int) orb.Point { return corner[r*(cols+1)+c] }
	edge := func(p, q orb.Point) []orb.Point {
		pts := make([]orb.Point, perEdge)
		dx, dy := q[0]-p[0], q[1]-p[1]
		for k := range pts {
			f := float64(k+1) / float64(perEdge+1)
			off := 0.1 * (rng.Float64() - 0.5)
			pts[k] = orb.Point{p[0] + f*dx - off*dy, p[1] + f*dy + off*dx}
		}
		return pts
	}
	horiz := make([][]orb.Point, cols*(rows+1)) // from (c, r) to (c+1, r)
	for r := range rows + 1 {
		for c := range cols {
			horiz[r*cols+c] = edge(at(c, r), at(c+1, r))
		}
	}
	vert := make([][]orb.Point, (cols+1)*rows) // from (c, r) to (c, r+1)
	for r := range rows {
		for c := range cols + 1 {
			vert[r*(cols+1)+c] = edge(at(c, r), at(c, r+1))
		}
	}
	polys := make([]orb.MultiPolygon, 0, cols*rows)
	for r := range rows {
		for c := range cols {
			ring := make(orb.Ring, 0, 4*perEdge+5)
			ring = append(ring, at(c, r))
			ring = append(ring, horiz[r*cols+c]...)
			ring = append(ring, at(c+1, r))
			ring = append(ring, vert[r*(cols+1)+c+1]...)
			ring = append(ring, at(c+1, r+1))
			ring = append(ring, backward(horiz[(r+1)*cols+c])...)
			ring = append(ring, at(c, r+1))
			ring = append(ring, backward(vert[r*(cols+1)+c])...)
			ring = append(ring, at(c, r))
			polys = append(polys, orb.MultiPolygon{{ring}})
		}
	}
	return polys
}

// backward returns a reversed copy of pts.
func backward(pts []orb.Point) []orb.Point {
	r := slices.Clone(pts)
	slices.Reverse(r)
	return r
}

func TestQueenContiguityTiling(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 2))
	const cols, rows, size = 16, 13, 0.01
	t.Run("shared boundaries", func(t *testing.T) {
		polys := tiling(rng, cols, rows, 8, 97.5, 16.2, size)
		checkWeights(t, QueenContiguity(polys, 1e-7), kingWeights(cols, rows))
	})
	t.Run("brute force", func(t *testing.T) {
		for trial := range 3 {
			polys := tiling(rng, cols, rows, 3, 97.5, 16.2, size)
			for i, mp := range polys {
				switch u := rng.Float64(); {
				case u < 0.3:
					// Shrink towards the first corner by up to 2e-7° at
					// the far side, leaving gaps on both sides of tol.
					f := rng.Float64() * 2e-7 / (1.5 * size)
					o := mp[0][0][0]
					for k, p := range mp[0][0] {
						mp[0][0][k] = orb.Point{p[0] - f*(p[0]-o[0]), p[1] - f*(p[1]-o[1])}
					}
				case u < 0.4:
					// An island far from home, which may fall across others.
					x := 97.5 + rng.Float64()*cols*size
					y := 16.2 + rng.Float64()*rows*size
					polys[i] = append(mp, square(x, y, x+0.2*size, y+0.2*size))
				}
			}
			// 1e-7 bridges some of the shrunk gaps and not others, 0 only
			// shared points, and a tenth of a cell far more than slivers.
			tol := []float64{1e-7, 0, 0.1 * size}[trial]
			got, want := QueenContiguity(polys, tol), bruteQueen(polys, tol)
			pairs := 0
			for _, nb := range want.Neighbors {
				pairs += len(nb)
			}
			t.Logf("tol %v: %d neighbour pairs, %d on the unbroken tiling", tol, pairs/2, (cols-1)*rows+cols*(rows-1)+2*(cols-1)*(rows-1))
			t.Run(fmt.Sprint("tol ", tol), func(t *testing.T) { checkWeights(t, got, want) })
		}
	})
}
