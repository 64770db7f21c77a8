package tiles

import (
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

func entry(n int) *Entry {
	return &Entry{Body: make([]byte, n), ETag: `"e"`}
}

func sizeOf(k Key, e *Entry) int64 {
	return int64(len(e.Body)+len(e.ETag)+len(k.Layer)+len(k.Filter)+len(k.Class)) + entryOverhead
}

// checkCache walks the cache's lists and indexes and fails if they
// disagree with one another or with its counters.
func checkCache(t *testing.T, c *Cache) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	n, bytes := 0, int64(0)
	for x := c.lru.next; x != &c.lru; x = x.next {
		if x.next.prev != x {
			t.Fatalf("got a broken LRU link at %v", x.key)
		}
		if c.items[x.key] != x {
			t.Fatalf("got %v on the LRU list but not in the map", x.key)
		}
		n++
		bytes += x.size
	}
	indexed := 0
	for name, li := range c.layers {
		for z, m := range li.zooms {
			for tile, head := range m {
				if head == nil {
					t.Fatalf("got an empty tile list for %s %v", name, tile)
				}
				for x := head; x != nil; x = x.sib {
					if x.key.Layer != name || x.key.Tile != tile || int(tile.Z) != z || c.items[x.key] != x {
						t.Fatalf("got %v indexed under %s %v", x.key, name, tile)
					}
					indexed++
				}
			}
		}
	}
	if n != len(c.items) || indexed != n || bytes != c.bytes || c.bytes > c.max {
		t.Fatalf("got %d on the list, %d in the map, %d indexed, %d bytes counted of %d (max %d)",
			n, len(c.items), indexed, bytes, c.bytes, c.max)
	}
}

func TestCacheLRU(t *testing.T) {
	key := func(x uint32) Key { return Key{Layer: "concerns", Tile: maptile.New(x, 0, 5)} }
	size := sizeOf(key(0), entry(1000))
	c := NewCache(3 * size)
	for x := range uint32(3) {
		c.Put(key(x), entry(1000))
	}
	if _, ok := c.Get(key(0)); !ok {
		t.Fatal("got a miss for tile 0, want a hit")
	}
	// Tile 1 is now the least recently used.
	c.Put(key(3), entry(1000))
	for x, want := range []bool{true, false, true, true} {
		if _, ok := c.Get(key(uint32(x))); ok != want {
			t.Errorf("tile %d: got cached %v, want %v", x, ok, want)
		}
	}
	if got, want := c.Len(), 3; got != want {
		t.Errorf("got Len %d, want %d", got, want)
	}
	if got, want := c.Bytes(), 3*size; got != want {
		t.Errorf("got Bytes %d, want %d", got, want)
	}
	if got, want := c.Evictions(), uint64(1); got != want {
		t.Errorf("got %d evictions, want %d", got, want)
	}
	if got, want := c.Hits(), uint64(4); got != want {
		t.Errorf("got %d hits, want %d", got, want)
	}
	if got, want := c.Misses(), uint64(1); got != want {
		t.Errorf("got %d misses, want %d", got, want)
	}

	// A bigger tile under a cached key replaces it and evicts to fit.
	c.Put(key(3), entry(1500))
	if e, ok := c.Get(key(3)); !ok || len(e.Body) != 1500 {
		t.Errorf("got %v, %v, want the 1500-byte tile", e, ok)
	}
	if got, want := c.Len(), 2; got != want {
		t.Errorf("got Len %d after replacing, want %d", got, want)
	}
	// A tile bigger than the cache, or deeper than MaxZoom, is not kept.
	c.Put(key(9), entry(int(3*size)))
	c.Put(Key{Layer: "concerns", Tile: maptile.New(0, 0, MaxZoom+1)}, entry(10))
	if got, want := c.Len(), 2; got != want {
		t.Errorf("got Len %d, want %d", got, want)
	}
	// Replacing one of several entries of a tile keeps the others.
	older := Key{Layer: "concerns", Tile: maptile.New(5, 5, 5), Class: "public"}
	newer := Key{Layer: "concerns", Tile: maptile.New(5, 5, 5), Class: "full"}
	c.Put(older, entry(10))
	c.Put(newer, entry(10))
	c.Put(older, entry(20))
	if _, ok := c.Get(newer); !ok {
		t.Errorf("got %v dropped by replacing %v", newer, older)
	}
	checkCache(t, c)
	// An empty tile is cached like any other.
	c.Put(key(7), &Entry{})
	if e, ok := c.Get(key(7)); !ok || e.Body != nil {
		t.Errorf("got %v, %v, want the empty tile", e, ok)
	}
	checkCache(t, c)
}

// fill caches, for each layer, filter and class, the tiles at every zoom
// around centre and a few far away, and returns their keys.
func fill(c *Cache, r *rand.Rand, centre orb.Point, perZoom int) []Key {
	var keys []Key
	for z := range maptile.Zoom(MaxZoom + 1) {
		for range perZoom {
			// Most tiles near centre, some anywhere in the world.
			p := orb.Point{centre[0] + r.NormFloat64()*0.05, centre[1] + r.NormFloat64()*0.05}
			if r.IntN(10) == 0 {
				p = orb.Point{r.Float64()*360 - 180, r.Float64()*170 - 85}
			}
			tile := maptile.At(p, z)
			for _, layer := range []string{"concerns", "areas"} {
				for _, filter := range []string{"", "category=flooding"} {
					for _, class := range []string{"public", "full"} {
						k := Key{Layer: layer, Tile: tile, Filter: filter, Class: class}
						c.Put(k, entry(10))
						keys = append(keys, k)
					}
				}
			}
		}
	}
	return keys
}

func TestCacheInvalidate(t *testing.T) {
	r := rng(t)
	centre := orb.Point{96.16, 16.8}
	for _, tt := range []struct {
		name    string
		perZoom int
		bounds  func() []orb.Bound
	}{
		{"a point", 50, func() []orb.Bound {
			return []orb.Bound{orb.Point{centre[0] + r.NormFloat64()*0.01, centre[1] + r.NormFloat64()*0.01}.Bound()}
		}},
		{"a point on a tile edge", 50, func() []orb.Bound {
			return []orb.Bound{at(maptile.At(centre, 14), 1, 0.5).Bound()}
		}},
		{"a point just inside the buffer of the east neighbour", 50, func() []orb.Bound {
			return []orb.Bound{at(maptile.At(centre, 16), 0.99, 0.5).Bound()}
		}},
		{"before and after a move", 50, func() []orb.Bound {
			return []orb.Bound{centre.Bound(), orb.Point{centre[0] + 0.3, centre[1] - 0.2}.Bound()}
		}},
		{"a village polygon", 50, func() []orb.Bound {
			return []orb.Bound{orb.Bound{Min: centre, Max: orb.Point{centre[0] + 0.02, centre[1] + 0.015}}}
		}},
		{"a township, scanned at deep zooms", 100, func() []orb.Bound {
			return []orb.Bound{orb.Bound{Min: orb.Point{centre[0] - 0.3, centre[1] - 0.3}, Max: orb.Point{centre[0] + 0.3, centre[1] + 0.2}}}
		}},
		{"split at the antimeridian", 20, func() []orb.Bound {
			return []orb.Bound{
				{Min: orb.Point{179.9, -17}, Max: orb.Point{180, -16.9}},
				{Min: orb.Point{-180, -17}, Max: orb.Point{-179.9, -16.9}},
			}
		}},
		{"nothing", 20, func() []orb.Bound { return nil }},
		{"empty and NaN bounds", 20, func() []orb.Bound {
			return []orb.Bound{{Min: orb.Point{1, 1}, Max: orb.Point{0, 0}}, orb.Point{math.NaN(), 0}.Bound()}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for range 5 {
				c := NewCache(1 << 30)
				keys := fill(c, r, centre, tt.perZoom)
				bounds := tt.bounds()
				gone := make(map[Key]bool)
				for _, k := range keys {
					if k.Layer != "concerns" {
						continue
					}
					for _, b := range bounds {
						// orb's Intersects takes a NaN bound to meet
						// everything; Invalidate ignores it instead of
						// dropping the layer.
						if !math.IsNaN(b.Min[0]) && BufferedBound(k.Tile, Buffer).Intersects(b) {
							gone[k] = true
						}
					}
				}
				before := c.Len()
				got := c.Invalidate("concerns", bounds)
				if got != len(gone) {
					t.Errorf("got %d dropped, want %d", got, len(gone))
				}
				if c.Len() != before-got {
					t.Errorf("got Len %d after dropping %d of %d", c.Len(), got, before)
				}
				for _, k := range keys {
					if _, ok := c.Get(k); ok == gone[k] {
						t.Fatalf("%v: got cached %v, want %v", k, ok, !gone[k])
					}
				}
				checkCache(t, c)
			}
		})
	}
}

func TestCacheInvalidateLayer(t *testing.T) {
	r := rng(t)
	c := NewCache(1 << 30)
	keys := fill(c, r, orb.Point{96.16, 16.8}, 10)
	areas := make(map[Key]bool)
	for _, k := range keys {
		if k.Layer == "areas" {
			areas[k] = true
		}
	}
	if got := c.InvalidateLayer("areas"); got != len(areas) {
		t.Errorf("got %d dropped, want %d", got, len(areas))
	}
	if got := c.InvalidateLayer("nothing"); got != 0 {
		t.Errorf("got %d dropped from a layer never cached, want 0", got)
	}
	for _, k := range keys {
		if _, ok := c.Get(k); ok != (k.Layer == "concerns") {
			t.Fatalf("%v: got cached %v", k, ok)
		}
	}
	checkCache(t, c)
}

func TestCacheLoadBuildsOnce(t *testing.T) {
	c := NewCache(1 << 20)
	k := Key{Layer: "concerns", Tile: maptile.New(1, 1, 2)}
	var builds atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := c.Load(k, func() (*Entry, error) {
				builds.Add(1)
				<-release
				return entry(100), nil
			})
			if err != nil || len(e.Body) != 100 {
				t.Errorf("got %v, %v, want the tile", e, err)
			}
		}()
	}
	close(release)
	wg.Wait()
	// Whether a request joined the flight or came after it, it did not
	// build the tile again.
	if got := builds.Load(); got != 1 {
		t.Errorf("got %d builds, want 1", got)
	}
}

func TestCacheLoadAfterWrite(t *testing.T) {
	c := NewCache(1 << 20)
	k := Key{Layer: "concerns", Tile: maptile.New(1, 1, 2)}
	// A write lands while the tile is being built from the old index.
	e, err := c.Load(k, func() (*Entry, error) {
		c.Invalidate("concerns", []orb.Bound{{Min: orb.Point{-170, 80}, Max: orb.Point{-169, 81}}})
		return entry(100), nil
	})
	if err != nil || e == nil {
		t.Fatalf("got %v, %v, want the tile", e, err)
	}
	if _, ok := c.Get(k); ok {
		t.Errorf("got the tile built before the write cached, want it dropped")
	}
	// The next build starts after the write and is cached.
	if _, err := c.Load(k, func() (*Entry, error) { return entry(100), nil }); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get(k); !ok {
		t.Errorf("got the tile built after the write not cached")
	}
	// A write to another layer does not stop caching.
	k2 := Key{Layer: "concerns", Tile: maptile.New(0, 0, 2)}
	if _, err := c.Load(k2, func() (*Entry, error) {
		c.InvalidateLayer("areas")
		return entry(100), nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get(k2); !ok {
		t.Errorf("got the tile not cached after a write to another layer")
	}
}

func TestCacheLoadError(t *testing.T) {
	c := NewCache(1 << 20)
	k := Key{Layer: "concerns", Tile: maptile.New(0, 0, 0)}
	boom := errors.New("boom")
	if _, err := c.Load(k, func() (*Entry, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("got %v, want %v", err, boom)
	}
	if c.Len() != 0 {
		t.Errorf("got %d cached after an error, want 0", c.Len())
	}
}

func TestFlightKey(t *testing.T) {
	// Free-form parts must not run into each other.
	a := Key{Layer: "a", Filter: "b:c", Tile: maptile.New(1, 2, 3)}
	b := Key{Layer: "a", Filter: "b", Class: "c", Tile: maptile.New(1, 2, 3)}
	c := Key{Layer: "a", Filter: "b:c", Tile: maptile.New(12, 3, 4)}
	if flightKey(a) == flightKey(b) || flightKey(a) == flightKey(c) {
		t.Errorf("got equal flight keys among %q, %q, %q", flightKey(a), flightKey(b), flightKey(c))
	}
}

func TestCacheConcurrent(t *testing.T) {
	r := rng(t)
	c := NewCache(200 * (entryOverhead + 64))
	centre := orb.Point{96.16, 16.8}
	var wg sync.WaitGroup
	for g := range 8 {
		s := r.Uint64()
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(s, uint64(g)))
			for range 2000 {
				p := orb.Point{centre[0] + r.NormFloat64()*0.1, centre[1] + r.NormFloat64()*0.1}
				k := Key{Layer: []string{"concerns", "areas"}[r.IntN(2)], Tile: maptile.At(p, maptile.Zoom(r.IntN(MaxZoom+1))), Class: "public"}
				switch r.IntN(10) {
				case 0:
					c.Invalidate(k.Layer, []orb.Bound{p.Bound()})
				case 1:
					c.InvalidateLayer(k.Layer)
				case 2, 3, 4:
					c.Put(k, entry(r.IntN(64)))
				case 5, 6:
					if _, err := c.Load(k, func() (*Entry, error) { return entry(10), nil }); err != nil {
						t.Error(err)
					}
				default:
					c.Get(k)
				}
				_, _ = c.Len(), c.Bytes()
			}
		}()
	}
	wg.Wait()
	checkCache(t, c)
}
