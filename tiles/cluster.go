package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// Point is one concern as aggregation sees it: a position in WGS84 lon/lat
// and a category key.
type Point struct {
	P        orb.Point
	Category string
}

// TileSize is the nominal size of a tile in pixels, the unit of Cluster's
// cells.
const TileSize = 256

// Cluster aggregates the points that fall in t into a square grid of cells
// about cellPixels pixels wide, for the zooms at which single points would
// make a tile too big. The grid divides the tile into TileSize/cellPixels
// cells a side (at least 1), so it lines up with the global pixel grid at
// zoom t.Z: a cell never straddles two tiles, a point is counted by one
// tile only, and points outside t, as a buffered query returns, are
// ignored. A point exactly on an edge belongs to the cell east or south of
// it.
//
// Each cell with points gives one Point feature at the mean position of
// its points, kept inside the cell, with properties "cluster" (true),
// "count" (int) and "n_<category>" (int) for each category present; a
// point with an empty category is in count only. Features come in row-major
// cell order, so the same points always make the same tile.
func Cluster(t maptile.Tile, pts []Point, cellPixels int) []*geojson.Feature {
	cellPixels = min(max(cellPixels, 1), TileSize)
	n := TileSize / cellPixels
	z := uint32(t.Z)
	// Global cell coordinates: the world is n<<z cells a side, and t's
	// first cell is (x0, y0).
	scale := float64(uint64(n) << z)
	last := int64(uint64(n)<<z) - 1
	x0, y0 := int64(t.X)*int64(n), int64(t.Y)*int64(n)

	// Row edges as latitudes, north to south, so that a point costs a
	// few comparisons instead of a logarithm. Neighbouring tiles compute
	// their shared edge from the same global index, to the same float.
	edges := make([]float64, n+1)
	for j := range edges {
		edges[j] = cellLat(y0+int64(j), scale)
	}
	top := edges[0]
	rowsPerDegree := float64(n) / (top - edges[n])
	if t.Y == 0 {
		// Web mercator stops at ±85.05°; nearer the poles a point belongs
		// to the outermost row, as maptile.At does.
		edges[0] = math.Inf(1)
	}
	if int64(t.Y) == int64(uint64(1)<<z)-1 {
		edges[n] = math.Inf(-1)
	}

	type cell struct {
		lon, lat float64
		count    int32
	}
	cells := make([]cell, n*n)
	var cats categoryIndex
	var counts []int32 // category-major: counts[c*n*n+i] for category c, cell i
	nonEmpty := 0
	// Cells across the world per degree of longitude; every tile of a zoom
	// computes a point's column with the same product, so tiles agree.
	perDegree := scale / 360
	for i := range pts {
		p := &pts[i]
		lon, lat := p.P[0], p.P[1]
		// Negated, so that NaN fails too.
		if !(lon >= -180 && lon <= 180) || !(lat <= edges[0] && lat > edges[n]) {
			continue
		}
		// Truncation is floor here: negatives clamp to 0 all the same.
		gx := min(max(int64((lon+180)*perDegree), 0), last) - x0
		if gx < 0 || gx >= int64(n) {
			continue
		}
		// Find row j with edges[j+1] < lat <= edges[j]. Within a tile
		// latitude is nearly linear in rows, so a guess is right or one
		// off, and the steps that fix it are predictable branches, unlike
		// a binary search's.
		j := min(max(int((top-lat)*rowsPerDegree), 0), n-1)
		for j > 0 && lat > edges[j] {
			j--
		}
		for j < n-1 && lat <= edges[j+1] {
			j++
		}
		k := j*n + int(gx)
		c := &cells[k]
		c.lon += lon
		c.lat += lat
		if c.count++; c.count == 1 {
			nonEmpty++
		}
		if p.Category == "" {
			continue
		}
		ci, ok := cats.find(p.Category)
		if !ok {
			counts = append(counts, make([]int32, n*n)...)
		}
		counts[ci*n*n+k]++
	}

	keys := make([]string, len(cats.names))
	for i, name := range cats.names {
		keys[i] = "n_" + name
	}
	out := make([]*geojson.Feature, 0, nonEmpty)
	for k := range cells {
		c := &cells[k]
		if c.count == 0 {
			continue
		}
		row, col := k/n, k%n
		west := cellLon(x0+int64(col), scale)
		east := cellLon(x0+int64(col)+1, scale)
		north := cellLat(y0+int64(row), scale)
		south := cellLat(y0+int64(row)+1, scale)
		// The mean of points in a cell is in it but for rounding, and for
		// points beyond ±85.05° that the outermost rows take in.
		at := orb.Point{
			min(max(c.lon/float64(c.count), west), east),
			min(max(c.lat/float64(c.count), south), north),
		}
		props := make(geojson.Properties, 2+len(keys))
		props["cluster"] = true
		props["count"] = int(c.count)
		for ci, key := range keys {
			if m := counts[ci*n*n+k]; m > 0 {
				props[key] = int(m)
			}
		}
		out = append(out, &geojson.Feature{Type: "Feature", Geometry: at, Properties: props})
	}
	return out
}

// categoryIndex numbers the categories of a tile in the order met.
type categoryIndex struct {
	names  []string
	byName map[string]int // once there are many
	prev   int
}

// find returns the number of category s, and false if s is new.
func (x *categoryIndex) find(s string) (int, bool) {
	// Points often come in runs of one category.
	if x.prev < len(x.names) && x.names[x.prev] == s {
		return x.prev, true
	}
	if x.byName != nil {
		if i, ok := x.byName[s]; ok {
			x.prev = i
			return i, true
		}
	} else {
		// A tile has a handful of categories, and a linear search beats
		// a map until there are many.
		for i, name := range x.names {
			if name == s {
				x.prev = i
				return i, true
			}
		}
	}
	x.prev = len(x.names)
	x.names = append(x.names, s)
	if x.byName != nil {
		x.byName[s] = x.prev
	} else if len(x.names) > 16 {
		x.byName = make(map[string]int, 2*len(x.names))
		for i, name := range x.names {
			x.byName[name] = i
		}
	}
	return x.prev, false
}

// cellLon is the longitude of the west edge of global cell column g.
func cellLon(g int64, scale float64) float64 {
	return float64(g)/scale*360 - 180
}

// cellLat is the latitude of the north edge of global cell row g, the
// inverse of web mercator.
func cellLat(g int64, scale float64) float64 {
	return math.Atan(math.Sinh(math.Pi*(1-2*float64(g)/scale))) * 180 / math.Pi
}
