package tiles

import (
	"flag"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

var seed = flag.Uint64("seed", 0, "seed of the random cluster tests; 0 picks one from the clock")

func rng(t testing.TB) *rand.Rand {
	t.Helper()
	s := *seed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", s, s)
	return rand.New(rand.NewPCG(s, s))
}

var categories = []string{"landmine_uxo", "unlit_road", "night_route", "flooding"}

// randomPoints returns n points spread over the tiles around t, beyond
// them by a tile on each side.
func randomPoints(r *rand.Rand, t maptile.Tile, n int) []Point {
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = Point{
			P:        at(t, r.Float64()*3-1, r.Float64()*3-1),
			Category: categories[r.IntN(len(categories))],
		}
	}
	return pts
}

// bruteCells counts the points of each cell of t the slow way, through
// maptile.Fraction: cell → category → count, with "" for the total.
func bruteCells(t maptile.Tile, pts []Point, n int) map[[2]int]map[string]int {
	out := make(map[[2]int]map[string]int)
	for _, p := range pts {
		f := maptile.Fraction(p.P, t.Z)
		if f[0] < 0 || f[1] < 0 || uint32(math.Floor(f[0])) != t.X || uint32(math.Floor(f[1])) != t.Y {
			continue
		}
		c := [2]int{int((f[0] - float64(t.X)) * float64(n)), int((f[1] - float64(t.Y)) * float64(n))}
		if out[c] == nil {
			out[c] = make(map[string]int)
		}
		out[c][""]++
		out[c][p.Category]++
	}
	return out
}

// cellOf returns the cell of t that the cluster feature f lies in.
func cellOf(t *testing.T, tile maptile.Tile, f *geojson.Feature, n int) [2]int {
	t.Helper()
	p := f.Geometry.(orb.Point)
	fr := maptile.Fraction(p, tile.Z)
	gx, gy := (fr[0]-float64(tile.X))*float64(n), (fr[1]-float64(tile.Y))*float64(n)
	// A mean that was clamped sits on the cell's far edge: nudge it in.
	c := [2]int{int(math.Min(gx, float64(n)-1e-9)), int(math.Min(gy, float64(n)-1e-9))}
	if c[0] < 0 || c[1] < 0 || c[0] >= n || c[1] >= n {
		t.Fatalf("got cluster at %v, outside tile %v", p, tile)
	}
	return c
}

func TestClusterMatchesBruteForce(t *testing.T) {
	r := rng(t)
	for _, tt := range []struct {
		name       string
		tile       maptile.Tile
		cellPixels int
		cells      int // a side
	}{
		{"z8 32px", maptile.At(orb.Point{96.16, 16.8}, 8), 32, 8},
		{"z3 64px", maptile.At(orb.Point{96.16, 16.8}, 3), 64, 4},
		{"z12 48px rounds to 5 cells", maptile.At(orb.Point{96.16, 16.8}, 12), 48, 5},
		{"z5 whole tile", maptile.At(orb.Point{-70, -40}, 5), 256, 1},
		{"z10 1px", maptile.At(orb.Point{10, 60}, 10), 1, 256},
		{"z2 0px is 1px", maptile.New(1, 1, 2), 0, 256},
		{"z20", maptile.At(orb.Point{96.16, 16.8}, 20), 16, 16},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pts := randomPoints(r, tt.tile, 5000)
			want := bruteCells(tt.tile, pts, tt.cells)
			got := make(map[[2]int]map[string]int)
			for _, f := range Cluster(tt.tile, pts, tt.cellPixels) {
				c := cellOf(t, tt.tile, f, tt.cells)
				if got[c] != nil {
					t.Fatalf("got two clusters in cell %v", c)
				}
				if f.Properties["cluster"] != true {
					t.Errorf("got cluster=%v, want true", f.Properties["cluster"])
				}
				got[c] = map[string]int{"": f.Properties["count"].(int)}
				for _, cat := range categories {
					if v, ok := f.Properties["n_"+cat]; ok {
						got[c][cat] = v.(int)
					}
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got cells %v, want %v", got, want)
			}
		})
	}
}

func TestClusterNeighboursShareNoCell(t *testing.T) {
	r := rng(t)
	mid := maptile.At(orb.Point{96.16, 16.8}, 9)
	pts := randomPoints(r, mid, 20000)
	// Points on shared edges, which exactly one tile must take: the
	// corner of four tiles, a vertical and a horizontal edge.
	pts = append(pts,
		Point{P: at(mid, 1, 1), Category: "flooding"},
		Point{P: at(mid, 0, 0.5), Category: "flooding"},
		Point{P: at(mid, 0.5, 1), Category: "flooding"},
	)
	total := 0
	seen := make(map[orb.Point]maptile.Tile)
	for dx := -1; dx <= 1; dx++ {
		for dy := -1; dy <= 1; dy++ {
			tile := maptile.New(uint32(int(mid.X)+dx), uint32(int(mid.Y)+dy), mid.Z)
			b := Bound(tile)
			for _, f := range Cluster(tile, pts, 32) {
				p := f.Geometry.(orb.Point)
				if !b.Contains(p) {
					t.Errorf("tile %v: got cluster at %v, outside the tile %v", tile, p, b)
				}
				if other, ok := seen[p]; ok {
					t.Errorf("tiles %v and %v: got clusters at the same place %v", other, tile, p)
				}
				seen[p] = tile
				total += f.Properties["count"].(int)
			}
		}
	}
	// Every point lies within the 3×3 block but for the outer margin
	// randomPoints draws in, which is exactly the block.
	if total != len(pts) {
		t.Errorf("got %d points counted over the 3×3 block, want %d", total, len(pts))
	}
}

func TestClusterCounts(t *testing.T) {
	tile := maptile.At(orb.Point{96.16, 16.8}, 10)
	in := func(fx, fy float64, cat string) Point { return Point{P: at(tile, fx, fy), Category: cat} }
	pts := []Point{
		in(0.1, 0.1, "landmine_uxo"),
		in(0.2, 0.2, "landmine_uxo"),
		in(0.2, 0.1, "unlit_road"),
		in(0.3, 0.3, ""),
		in(0.9, 0.9, "flooding"),
		in(1.5, 0.5, "flooding"), // the next tile's
	}
	got := Cluster(tile, pts, 128)
	want := []geojson.Properties{
		{"cluster": true, "count": 4, "n_landmine_uxo": 2, "n_unlit_road": 1},
		{"cluster": true, "count": 1, "n_flooding": 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d clusters, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i].Properties, want[i]) {
			t.Errorf("cluster %d: got %v, want %v", i, got[i].Properties, want[i])
		}
	}
	// The first cluster sits at the mean of its four points.
	var mean orb.Point
	for _, p := range pts[:4] {
		mean[0] += p.P[0] / 4
		mean[1] += p.P[1] / 4
	}
	if p := got[0].Geometry.(orb.Point); math.Abs(p[0]-mean[0]) > 1e-12 || math.Abs(p[1]-mean[1]) > 1e-12 {
		t.Errorf("got cluster at %v, want %v", p, mean)
	}
	if got := Cluster(tile, nil, 32); len(got) != 0 {
		t.Errorf("got %d clusters of no points, want 0", len(got))
	}
}

func TestClusterManyCategories(t *testing.T) {
	// Past 16 categories the lookup switches to a map; the counts must not
	// notice.
	tile := maptile.New(0, 0, 0)
	var pts []Point
	want := geojson.Properties{"cluster": true}
	for i := range 40 {
		want["n_"+catName(i)] = i + 1
	}
	// Round-robin, so that each lookup is of a category seen before.
	for round := range 40 {
		for i := round; i < 40; i++ {
			pts = append(pts, Point{P: orb.Point{10, 10}, Category: catName(i)})
		}
	}
	want["count"] = len(pts)
	got := Cluster(tile, pts, 256)
	if len(got) != 1 || !reflect.DeepEqual(got[0].Properties, want) {
		t.Errorf("got %v, want one cluster with %v", got, want)
	}
}

func catName(i int) string { return string(rune('a'+i%26)) + string(rune('0'+i/26)) }

func TestClusterPoles(t *testing.T) {
	// Beyond web mercator's ±85.05° a point belongs to the outermost row,
	// and its cluster is kept inside the tile.
	pts := []Point{{P: orb.Point{10, 89}}, {P: orb.Point{10, -89}}, {P: orb.Point{180, 0}}}
	for _, tt := range []struct {
		tile maptile.Tile
		want int
	}{
		{maptile.New(1, 0, 1), 1},
		{maptile.New(1, 1, 1), 2}, // 180° is the last column, as maptile.At says of 85°
		{maptile.New(0, 0, 1), 0},
	} {
		got := Cluster(tt.tile, pts, 256)
		n := 0
		for _, f := range got {
			n += f.Properties["count"].(int)
			if b := Bound(tt.tile); !b.Contains(f.Geometry.(orb.Point)) {
				t.Errorf("tile %v: got cluster at %v, outside %v", tt.tile, f.Geometry, b)
			}
		}
		if n != tt.want {
			t.Errorf("tile %v: got %d points, want %d", tt.tile, n, tt.want)
		}
	}
}
