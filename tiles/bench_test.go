package tiles

// Benchmarks of the steps of a cold tile, and of the cache. The data are
// drawn from fixed seeds, so runs compare.

import (
	"bytes"
	stdgzip "compress/gzip"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

var statuses = []string{"reported", "verified", "prioritised", "action_planned", "in_progress"}

// concernFeatures returns n point features spread over t and its buffer,
// with the properties the concerns layer carries.
func concernFeatures(t maptile.Tile, n int) []*geojson.Feature {
	r := rand.New(rand.NewPCG(1, 2))
	fs := make([]*geojson.Feature, n)
	for i := range fs {
		fs[i] = &geojson.Feature{
			Type:     "Feature",
			Geometry: at(t, r.Float64()*1.02-0.01, r.Float64()*1.02-0.01),
			Properties: geojson.Properties{
				"id":       fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Int64N(1<<48)),
				"category": categories[r.IntN(len(categories))],
				"severity": 1 + r.IntN(5),
				"status":   statuses[r.IntN(len(statuses))],
				"when":     "night",
			},
		}
	}
	return fs
}

func BenchmarkEncode(b *testing.B) {
	t := maptile.At(orb.Point{96.16, 16.8}, 12)
	layers := []Layer{{Name: "concerns", Features: concernFeatures(t, 800)}}
	var size int
	for b.Loop() {
		raw, err := Encode(t, layers)
		if err != nil {
			b.Fatal(err)
		}
		size = len(raw)
	}
	b.ReportMetric(float64(size), "tile-bytes")
}

func BenchmarkEncodeFixture(b *testing.B) {
	// Lines and polygons: the clipping and simplifying path.
	layers := fixture()
	for b.Loop() {
		if _, err := Encode(base, layers); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCluster(b *testing.B) {
	t := maptile.At(orb.Point{96.16, 16.8}, 8)
	r := rand.New(rand.NewPCG(3, 4))
	pts := make([]Point, 100_000)
	for i := range pts {
		pts[i] = Point{P: at(t, r.Float64(), r.Float64()), Category: categories[r.IntN(len(categories))]}
	}
	for _, cellPixels := range []int{32, 8} {
		b.Run(fmt.Sprintf("%dpx", cellPixels), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if fs := Cluster(t, pts, cellPixels); len(fs) == 0 {
					b.Fatal("got no clusters")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(pts)), "ns/point")
		})
	}
}

// BenchmarkGzip compares the level Gzip uses with its neighbours and with
// the standard library's default, on a typical tile and on one near the
// 500 KB budget. Each reports the compressed size as a share of the input.
func BenchmarkGzip(b *testing.B) {
	t := maptile.At(orb.Point{96.16, 16.8}, 12)
	inputs := []struct {
		name   string
		points int
	}{{"800pts", 800}, {"12000pts", 12000}}
	for _, in := range inputs {
		raw, err := Encode(t, []Layer{{Name: "concerns", Features: concernFeatures(t, in.points)}})
		if err != nil {
			b.Fatal(err)
		}
		run := func(name string, compress func([]byte) []byte) {
			b.Run(in.name+"/"+name, func(b *testing.B) {
				b.SetBytes(int64(len(raw)))
				var out []byte
				for b.Loop() {
					out = compress(raw)
				}
				b.ReportMetric(float64(len(out))/float64(len(raw)), "ratio")
			})
		}
		// Each writer is made once and Reset, as Gzip's pool does, so that
		// the levels compare and not their allocations.
		run("Gzip", Gzip)
		for _, level := range []int{1, 2, gzip.DefaultCompression} {
			var buf bytes.Buffer
			w, _ := gzip.NewWriterLevel(&buf, level)
			run("klauspost-"+levelName(level), func(p []byte) []byte {
				buf.Reset()
				w.Reset(&buf)
				_, _ = w.Write(p)
				_ = w.Close()
				return buf.Bytes()
			})
		}
		for _, level := range []int{stdgzip.BestSpeed, stdgzip.DefaultCompression} {
			var buf bytes.Buffer
			w, _ := stdgzip.NewWriterLevel(&buf, level)
			run("stdlib-"+levelName(level), func(p []byte) []byte {
				buf.Reset()
				w.Reset(&buf)
				_, _ = w.Write(p)
				_ = w.Close()
				return buf.Bytes()
			})
		}
	}
}

func levelName(level int) string {
	if level == gzip.DefaultCompression {
		return "default"
	}
	return fmt.Sprint(level)
}

// benchCache fills a cache with 100k tiles of one layer around Yangon,
// over every zoom, in four filter and class combinations.
func benchCache(b *testing.B) *Cache {
	b.Helper()
	c := NewCache(1 << 32)
	r := rand.New(rand.NewPCG(5, 6))
	centre := orb.Point{96.16, 16.8}
	for c.Len() < 100_000 {
		z := maptile.Zoom(r.IntN(MaxZoom + 1))
		p := orb.Point{centre[0] + r.NormFloat64()*0.5, centre[1] + r.NormFloat64()*0.5}
		for _, filter := range []string{"", "category=flooding"} {
			for _, class := range []string{"public", "full"} {
				c.Put(Key{Layer: "concerns", Tile: maptile.At(p, z), Filter: filter, Class: class}, entry(2000))
			}
		}
	}
	return c
}

func BenchmarkInvalidate(b *testing.B) {
	c := benchCache(b)
	// Bounds beside the cached tiles, so that every run does the same
	// lookups: the cost is finding what to drop. Only the first run drops
	// anything, a few low-zoom tiles.
	tests := []struct {
		name  string
		bound orb.Bound
	}{
		{"point", orb.Point{97.5, 16.8}.Bound()},
		{"village", orb.Bound{Min: orb.Point{97.5, 16.8}, Max: orb.Point{97.52, 16.815}}},
		// Deep zooms scan every cached tile: the worst case.
		{"township", orb.Bound{Min: orb.Point{97.5, 16.5}, Max: orb.Point{98.1, 17.1}}},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				c.Invalidate("concerns", []orb.Bound{tt.bound})
			}
			b.ReportMetric(float64(c.Len()), "cached")
		})
	}
}

func BenchmarkCacheGet(b *testing.B) {
	c := benchCache(b)
	k := c.lru.next.key
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, ok := c.Get(k); !ok {
				b.Error("got a miss")
				return
			}
		}
	})
}
