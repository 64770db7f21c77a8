package tiles

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/klauspost/compress/gzip"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"
)

// MaxFeatures bounds the features of one tile, over all its layers. It is
// a backstop, not the budget: the caller aggregates at low zooms (Cluster)
// so that a tile stays under about 500 KB, which at some 65 bytes a
// concern point (BenchmarkEncode) is under 8,000 points.
const MaxFeatures = 50000

// ErrTruncated is returned together with a valid tile when more than
// MaxFeatures features were left after clipping: the tile holds the first
// MaxFeatures, in layer order, and the caller should serve it and log.
var ErrTruncated = errors.New("tiles: tile truncated at MaxFeatures features")

// tolerance is one pixel of a 256-pixel tile, in tile units: the finest
// detail a screen shows, so Douglas-Peucker at this tolerance is invisible.
const tolerance = Extent / 256

// clipBound is the tile and its buffer in tile coordinates.
var clipBound = orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}

// Layer is one named layer of a tile: features in WGS84 lon/lat, with
// properties best kept to strings, numbers and booleans. Encode never
// changes them.
type Layer struct {
	Name     string
	Features []*geojson.Feature
}

// Encode returns t as an uncompressed Mapbox Vector Tile (spec 2.1) of the
// given layers. Each feature is projected to tile coordinates, clipped to
// the tile and its Buffer, simplified to about a pixel and dropped if
// nothing but a degenerate shape is left; a layer left empty is dropped.
// Polygon rings are wound as the spec requires whatever their input
// orientation. Properties are made MVT values: nil is dropped, integers
// and floats are written as int64 and float64, times as RFC 3339 strings,
// other named types by their kind, and slices or maps as their JSON.
//
// Encode returns nil, nil when no feature is left, and the tile with
// ErrTruncated when MaxFeatures is reached.
func Encode(t maptile.Tile, layers []Layer) ([]byte, error) {
	// Drop features outside the buffered bound before copying them; the
	// same bound decides invalidation, so the two agree exactly.
	keep := BufferedBound(t, Buffer)
	simplifier := simplify.DouglasPeucker(tolerance)
	out := make(mvt.Layers, 0, len(layers))
	names := make(map[string]bool, len(layers))
	total := 0
	truncated := false
	for _, l := range layers {
		if names[l.Name] {
			return nil, fmt.Errorf("tiles: layer %q given twice", l.Name)
		}
		names[l.Name] = true
		if truncated {
			continue
		}
		ml := &mvt.Layer{Name: l.Name, Version: 2, Extent: Extent}
		for i, f := range l.Features {
			if f == nil || f.Geometry == nil || !keep.Intersects(f.Geometry.Bound()) {
				continue
			}
			if _, ok := f.Geometry.(orb.Collection); ok {
				return nil, fmt.Errorf("tiles: layer %q feature %d: geometry collections are not supported", l.Name, i)
			}
			props, err := mvtProperties(f.Properties)
			if err != nil {
				return nil, fmt.Errorf("tiles: layer %q feature %d: %w", l.Name, i, err)
			}
			g := f.Geometry
			if b, ok := g.(orb.Bound); ok {
				g = b.ToPolygon()
			} else {
				// Projection, clipping and simplification all work in place.
				g = orb.Clone(g)
			}
			ml.Features = append(ml.Features, &geojson.Feature{ID: f.ID, Geometry: g, Properties: props})
		}
		ml.ProjectToTile(t)
		n := 0
		for _, f := range ml.Features {
			g := tidy(clip.Geometry(clipBound, f.Geometry))
			if g != nil && g.Dimensions() > 0 {
				// Simplify only what tidy has checked: orb's simplifier
				// assumes every polygon still has its exterior.
				g = tidy(simplifier.Simplify(g))
			}
			if g == nil {
				continue
			}
			if total == MaxFeatures {
				truncated = true
				break
			}
			f.Geometry = g
			ml.Features[n] = f
			n++
			total++
		}
		clear(ml.Features[n:])
		ml.Features = ml.Features[:n]
		if n > 0 {
			out = append(out, ml)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	b, err := mvt.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("tiles: marshal: %w", err)
	}
	if truncated {
		return b, ErrTruncated
	}
	return b, nil
}

// mvtProperties returns p with every value one MVT can hold, copying p
// only when some value needs converting.
func mvtProperties(p geojson.Properties) (geojson.Properties, error) {
	ok := true
	for _, v := range p {
		switch v.(type) {
		case string, bool, int, int64, float64:
		default:
			ok = false
		}
	}
	if ok {
		return p, nil
	}
	q := make(geojson.Properties, len(p))
	for k, v := range p {
		switch v := v.(type) {
		case nil:
			// MVT has no null; a missing key says the same.
			continue
		case string, bool, int64, float64:
			q[k] = v
			continue
		case time.Time:
			q[k] = v.UTC().Format(time.RFC3339Nano)
			continue
		case fmt.Stringer:
			q[k] = v.String()
			continue
		}
		// Named types such as a category key go by their kind, so that
		// they stay strings and numbers rather than JSON text.
		switch r := reflect.ValueOf(v); r.Kind() {
		case reflect.String:
			q[k] = r.String()
		case reflect.Bool:
			q[k] = r.Bool()
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			q[k] = r.Int()
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			if u := r.Uint(); u <= math.MaxInt64 {
				q[k] = int64(u)
			} else {
				q[k] = float64(u)
			}
		case reflect.Float32, reflect.Float64:
			q[k] = r.Float()
		default:
			b, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("property %q: %w", k, err)
			}
			q[k] = string(b)
		}
	}
	return q, nil
}

// tidy removes repeated points, which flooring to tile units makes, and
// returns nil when the geometry is left degenerate: a line of fewer than 2
// points, a ring of fewer than 4 or of no area, a polygon without its
// exterior. Rings come out as MVT winds them: in tile coordinates, where y
// grows downwards, exteriors have positive area and holes negative.
func tidy(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Point, orb.MultiPoint:
		return g
	case orb.LineString:
		if g = dedupe(g); len(g) < 2 {
			return nil
		}
		return g
	case orb.MultiLineString:
		n := 0
		for _, ls := range g {
			if ls = dedupe(ls); len(ls) >= 2 {
				g[n] = ls
				n++
			}
		}
		if n == 0 {
			return nil
		}
		return g[:n]
	case orb.Ring:
		g2 := orb.Polygon{g}
		if g2 = tidyPolygon(g2); g2 == nil {
			return nil // not a nil Polygon in a non-nil Geometry
		}
		return g2
	case orb.Polygon:
		if g = tidyPolygon(g); g == nil {
			return nil
		}
		return g
	case orb.MultiPolygon:
		n := 0
		for _, p := range g {
			if p = tidyPolygon(p); p != nil {
				g[n] = p
				n++
			}
		}
		if n == 0 {
			return nil
		}
		return g[:n]
	}
	return nil
}

// tidyPolygon tidies p in place, or returns nil if its exterior is gone.
func tidyPolygon(p orb.Polygon) orb.Polygon {
	if len(p) == 0 {
		return nil
	}
	n := 0
	for i, r := range p {
		r = orb.Ring(dedupe(orb.LineString(r)))
		if len(r) > 0 && r[0] != r[len(r)-1] {
			r = append(r, r[0])
		}
		a := signedArea(r)
		if len(r) < 4 || a == 0 {
			if i == 0 {
				return nil
			}
			continue
		}
		if (i == 0) != (a > 0) {
			r.Reverse()
		}
		p[n] = r
		n++
	}
	return p[:n]
}

// signedArea is twice the shoelace area of r, exact for the integer
// coordinates of tile units.
func signedArea(r orb.Ring) float64 {
	a := 0.0
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a
}

// dedupe drops each point equal to the one before it, in place.
func dedupe(ls orb.LineString) orb.LineString {
	if len(ls) < 2 {
		return ls
	}
	n := 1
	for _, p := range ls[1:] {
		if p != ls[n-1] {
			ls[n] = p
			n++
		}
	}
	return ls[:n]
}

// gzipLevel is klauspost's level 2, as BenchmarkGzip chose it on a
// 51 KB tile of 800 points and a 770 KB one of 12,000: 8 to 10 times as
// fast as the standard library's default level, for output 4 to 13 %
// bigger, since MVT's varints and random ids leave the slow levels little
// to find. Level 1 is no faster on the small tile, slower on the large,
// and compresses both worse. A tile is gzipped once, on a cache miss, so
// the first request's latency counts more than the last percent of size.
const gzipLevel = 2

// gzipper is a writer with its buffer, pooled: compressing into a reused
// buffer and copying once beats growing a fresh one, and leaves the cache
// no spare capacity that its byte count would miss.
type gzipper struct {
	buf bytes.Buffer
	w   *gzip.Writer
}

var gzippers = sync.Pool{New: func() any {
	g := new(gzipper)
	g.w, _ = gzip.NewWriterLevel(&g.buf, gzipLevel)
	return g
}}

// Gzip returns b gzipped at a fast level, or nil for an empty b.
func Gzip(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	g := gzippers.Get().(*gzipper)
	defer gzippers.Put(g)
	g.buf.Reset()
	g.w.Reset(&g.buf)
	// Writes to a bytes.Buffer cannot fail.
	_, _ = g.w.Write(b)
	_ = g.w.Close()
	return bytes.Clone(g.buf.Bytes())
}

// Gunzip returns the tile that Gzip compressed into b, for the rare client
// that does not accept gzip.
func Gunzip(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, nil
	}
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("tiles: gunzip: %w", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("tiles: gunzip: %w", err)
	}
	return out, nil
}

// ETag returns a strong entity tag, quotes included, for the uncompressed
// tile b. It is a 64-bit xxhash: stable across instances and restarts, so
// every server behind a load balancer gives a tile the same tag.
func ETag(b []byte) string {
	return `"` + strconv.FormatUint(xxhash.Sum64(b), 16) + `"`
}
