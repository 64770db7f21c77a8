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
	// binary search instead of a logarithm. Neighbouring tiles compute
	// their shared edge from the same global index, to the same float.
	edges := make([]float64, n+1)
	for j := range edges {
		edges[j] = cellLat(y0+int64(j), scale)
	}
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
	var (
		names  []string
		counts []int32 // category-major: counts[c*n*n+i] for category c, cell i
		byName map[string]int
		prev   = -1
	)
	nonEmpty := 0
	category := func(s string) int {
		if prev >= 0 && names[prev] == s {
			return prev
		}
		// A tile has a handful of categories: a linear search beats a map
		// until there are many.
		if byName == nil {
			for i, name := range names {
				if name == s {
					prev = i
					return i
				}
			}
		} else if i, ok := byName[s]; ok {
			prev = i
			return i
		}
		names = append(names, s)
		counts = append(counts, make([]int32, n*n)...)
		prev = len(names) - 1
		if len(names) > 16 {
			if byName == nil {
				byName = make(map[string]int, 2*len(names))
				for i, name := range names {
					byName[name] = i
				}
			}
			byName[s] = prev
		}
		return prev
	}

	for i := range pts {
		p := &pts[i]
		lon, lat := p.P[0], p.P[1]
		if lat > edges[0] || lat <= edges[n] || math.IsNaN(lon) || math.IsNaN(lat) {
			continue
		}
		gx := int64(math.Floor((lon/360 + 0.5) * scale))
		gx = min(max(gx, 0), last) - x0
		if gx < 0 || gx >= int64(n) {
			continue
		}
		// Find row j with edges[j+1] < lat <= edges[j].
		lo, hi := 0, n-1
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if lat > edges[mid+1] {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		k := lo*n + int(gx)
		c := &cells[k]
		c.lon += lon
		c.lat += lat
		if c.count++; c.count == 1 {
			nonEmpty++
		}
		if p.Category != "" {
			counts[category(p.Category)*n*n+k]++
		}
	}

	keys := make([]string, len(names))
	for i, name := range names {
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
		props := make(geojson.Properties, 2+len(names))
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

// cellLon is the longitude of the west edge of global cell column g.
func cellLon(g int64, scale float64) float64 {
	return float64(g)/scale*360 - 180
}

// cellLat is the latitude of the north edge of global cell row g, the
// inverse of web mercator.
func cellLat(g int64, scale float64) float64 {
	return math.Atan(math.Sinh(math.Pi*(1-2*float64(g)/scale))) * 180 / math.Pi
}
