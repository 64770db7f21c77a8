// Package tiles makes Mapbox Vector Tiles: z/x/y maths, projection,
// clipping, simplification and encoding of features, the aggregation that
// keeps low zooms small, and an LRU cache of encoded tiles that writes
// invalidate by area. It knows nothing of HTTP, SQL or the store.
//
// A tile is an orb maptile.Tile; coordinates come in as WGS84 lon/lat.
package tiles

import (
	"fmt"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

const (
	// MaxZoom is the deepest zoom served. At z20 a tile is about 38 m
	// across at the equator, finer than any concern is placed.
	MaxZoom = 20
	// Extent is the size of a tile in tile units, the MVT default.
	Extent = 4096
	// Buffer is how far, in tile units, geometry is kept beyond the tile
	// edge, so that lines and symbols do not break at the seams.
	Buffer = 64
)

// Error is an invalid tile address; Field is "z", "x" or "y".
type Error struct {
	Field   string
	Message string
}

// Error returns "tiles: <field>: <message>".
func (e *Error) Error() string {
	return "tiles: " + e.Field + ": " + e.Message
}

// Parse reads a tile address from the three path segments of
// /{z}/{x}/{y}. Each must be a decimal integer without sign; z at most
// MaxZoom, and x and y below 2^z. Every failure is an *Error naming the
// field.
func Parse(z, x, y string) (maptile.Tile, error) {
	zz, err := strconv.ParseUint(z, 10, 8)
	if err != nil || zz > MaxZoom {
		return maptile.Tile{}, &Error{"z", fmt.Sprintf("must be an integer from 0 to %d", MaxZoom)}
	}
	n := uint64(1) << zz
	xx, err := strconv.ParseUint(x, 10, 32)
	if err != nil || xx >= n {
		return maptile.Tile{}, &Error{"x", fmt.Sprintf("must be an integer from 0 to %d at zoom %d", n-1, zz)}
	}
	yy, err := strconv.ParseUint(y, 10, 32)
	if err != nil || yy >= n {
		return maptile.Tile{}, &Error{"y", fmt.Sprintf("must be an integer from 0 to %d at zoom %d", n-1, zz)}
	}
	return maptile.New(uint32(xx), uint32(yy), maptile.Zoom(zz)), nil
}

// Bound returns the area that t covers, in WGS84 lon/lat.
func Bound(t maptile.Tile) orb.Bound {
	return t.Bound()
}

// BufferedBound returns t's bound grown by units tile units (Extent to a
// tile) on every side, clamped at the poles of web mercator.
// BufferedBound(t, Buffer) is the area whose features Encode keeps, and
// the area a write must touch to invalidate t.
func BufferedBound(t maptile.Tile, units float64) orb.Bound {
	return t.Bound(units / Extent)
}
