package tiles

import (
	"math"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/sync/singleflight"
)

// Key names one encoded tile: the layer, the tile, the canonical filter
// query and the visibility class of the viewer, since two viewers of
// different classes may see different tiles.
type Key struct {
	Layer  string
	Tile   maptile.Tile
	Filter string
	Class  string
}

// Entry is a cached tile. Only the gzipped body is kept: nearly every
// client accepts gzip, and the rare one that does not costs a Gunzip,
// which is cheaper than holding every tile twice. A nil Body is an empty
// tile, cached like any other so that its 204 is cheap too. An Entry is
// shared by every reader and must not be changed once cached.
type Entry struct {
	Body []byte // gzipped MVT, as Gzip returns
	ETag string
}

// entryOverhead approximates what the cache spends on an entry besides its
// bytes: the node, the Entry and two map slots.
const entryOverhead = 256

// Cache is an LRU of encoded tiles bounded by their total size. Writes
// drop only the tiles they touch, with Invalidate. It is safe for
// concurrent use.
type Cache struct {
	mu     sync.Mutex
	max    int64
	bytes  int64
	items  map[Key]*node
	layers map[string]*layerIndex
	lru    node // sentinel: lru.next is the most recently used

	flight                  singleflight.Group
	hits, misses, evictions atomic.Uint64
}

// node is one entry, on the LRU list and on the list of the entries that
// share its layer and tile (every filter and class), which is what
// Invalidate drops together.
type node struct {
	key        Key
	entry      *Entry
	size       int64
	prev, next *node // LRU list
	sib        *node // next entry of the same layer and tile
}

// layerIndex finds a layer's tiles by zoom and tile, so that Invalidate
// looks at the tiles near a write instead of at every entry.
type layerIndex struct {
	// epoch counts the invalidations of the layer, so that a tile built
	// from the index before a write is not cached after it.
	epoch uint64
	zooms [MaxZoom + 1]map[maptile.Tile]*node
}

// NewCache returns an empty cache holding at most maxBytes of tiles and
// their keys.
func NewCache(maxBytes int64) *Cache {
	c := &Cache{
		max:    maxBytes,
		items:  make(map[Key]*node),
		layers: make(map[string]*layerIndex),
	}
	c.lru.prev, c.lru.next = &c.lru, &c.lru
	return c
}

// Get returns the tile cached under k, and counts a hit or a miss.
func (c *Cache) Get(k Key) (*Entry, bool) {
	c.mu.Lock()
	n, ok := c.items[k]
	if ok {
		c.unlink(n)
		c.pushFront(n)
	}
	c.mu.Unlock()
	if !ok {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return n.entry, true
}

// Put caches e under k, evicting the least recently used tiles to make
// room. A tile bigger than the whole cache, or with a zoom beyond
// MaxZoom, is not cached. Prefer Load, which does not cache a tile that a
// write made stale while it was being built.
func (c *Cache) Put(k Key, e *Entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.put(k, e)
}

// Load returns the tile cached under k or, on a miss, builds it, caches it
// and returns it. Concurrent Loads of one cold tile build it once and
// share the result, so a burst of requests costs one build. A tile whose
// layer was invalidated while it was being built is returned but not
// cached: call Invalidate after the index has the write, and a build
// that started later sees it. Errors are returned and not cached; since
// every waiter gets the first caller's error, build should not fail just
// because that caller's request was cancelled.
func (c *Cache) Load(k Key, build func() (*Entry, error)) (*Entry, error) {
	if e, ok := c.Get(k); ok {
		return e, nil
	}
	v, err, _ := c.flight.Do(flightKey(k), func() (any, error) {
		c.mu.Lock()
		// A flight for k may have ended between Get and Do.
		if n, ok := c.items[k]; ok {
			c.mu.Unlock()
			return n.entry, nil
		}
		epoch := c.layer(k.Layer).epoch
		c.mu.Unlock()
		e, err := build()
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.layers[k.Layer].epoch == epoch {
			c.put(k, e)
		}
		c.mu.Unlock()
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Entry), nil
}

// flightKey spells k out unambiguously: lengths before the free-form parts.
func flightKey(k Key) string {
	b := make([]byte, 0, 48+len(k.Layer)+len(k.Filter)+len(k.Class))
	for _, s := range [...]string{k.Layer, k.Filter, k.Class} {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
	}
	b = strconv.AppendUint(b, uint64(k.Tile.Z), 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(k.Tile.X), 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(k.Tile.Y), 10)
	return string(b)
}

// Invalidate drops every tile of layer, at every zoom and for every filter
// and class, whose BufferedBound(t, Buffer) intersects one of bounds, and
// returns how many entries it dropped. Pass the bounds of a feature both
// before and after a write, since the tiles that showed it and those that
// will show it both change; bounds split at the antimeridian are fine.
// With 100k tiles cached, a point costs microseconds and a township-sized
// box, which scans the deepest zooms, about a millisecond
// (BenchmarkInvalidate).
func (c *Cache) Invalidate(layer string, bounds []orb.Bound) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	li := c.layers[layer]
	if li == nil {
		return 0
	}
	li.epoch++
	dropped := 0
	for z := range li.zooms {
		m := li.zooms[z]
		for _, b := range bounds {
			if len(m) == 0 {
				break
			}
			if b.IsEmpty() || math.IsNaN(b.Min[0]+b.Min[1]+b.Max[0]+b.Max[1]) {
				continue
			}
			hit := func(t maptile.Tile) bool {
				return BufferedBound(t, Buffer).Intersects(b)
			}
			// Look up the tiles around b when there are fewer of them than
			// cached tiles at this zoom; scan the cached tiles otherwise.
			// The range has a tile of margin for the buffer; hit decides.
			nw, se := tileRange(b, maptile.Zoom(z))
			if uint64(se.X-nw.X+1)*uint64(se.Y-nw.Y+1) <= uint64(len(m)) {
				for x := nw.X; x <= se.X; x++ {
					for y := nw.Y; y <= se.Y; y++ {
						t := maptile.New(x, y, maptile.Zoom(z))
						if head, ok := m[t]; ok && hit(t) {
							dropped += c.dropTile(li, head)
						}
					}
				}
				continue
			}
			for t, head := range m {
				if hit(t) {
					dropped += c.dropTile(li, head)
				}
			}
		}
	}
	return dropped
}

// InvalidateLayer drops every tile of layer and returns how many entries
// it dropped: for the rare write that changes a whole layer, such as an
// import of area boundaries.
func (c *Cache) InvalidateLayer(layer string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	li := c.layers[layer]
	if li == nil {
		return 0
	}
	li.epoch++
	dropped := 0
	for _, m := range li.zooms {
		for _, head := range m {
			dropped += c.dropTile(li, head)
		}
	}
	return dropped
}

// tileRange returns the north-west and south-east corners of the tiles at
// zoom z within a tile of b.
func tileRange(b orb.Bound, z maptile.Zoom) (nw, se maptile.Tile) {
	last := float64(uint64(1)<<z) - 1
	a := maptile.Fraction(orb.Point{b.Min[0], b.Max[1]}, z)
	c := maptile.Fraction(orb.Point{b.Max[0], b.Min[1]}, z)
	clamp := func(f float64) uint32 { return uint32(math.Min(math.Max(f, 0), last)) }
	nw = maptile.New(clamp(math.Floor(a[0])-1), clamp(math.Floor(a[1])-1), z)
	se = maptile.New(clamp(math.Floor(c[0])+1), clamp(math.Floor(c[1])+1), z)
	return nw, se
}

// Len returns the number of cached tiles.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// Bytes returns the size of the cache as it counts it: bodies, ETags and
// keys, and a fixed overhead per entry.
func (c *Cache) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Hits returns how many Gets, Loads included, found their tile.
func (c *Cache) Hits() uint64 { return c.hits.Load() }

// Misses returns how many Gets, Loads included, did not find their tile.
func (c *Cache) Misses() uint64 { return c.misses.Load() }

// Evictions returns how many tiles were dropped to make room, not counting
// those that Invalidate dropped.
func (c *Cache) Evictions() uint64 { return c.evictions.Load() }

// put caches e under k; c.mu is held.
func (c *Cache) put(k Key, e *Entry) {
	if old, ok := c.items[k]; ok {
		c.remove(c.layers[k.Layer], old)
	}
	size := int64(len(e.Body)+len(e.ETag)+len(k.Layer)+len(k.Filter)+len(k.Class)) + entryOverhead
	if size > c.max || k.Tile.Z > MaxZoom {
		return
	}
	for c.bytes+size > c.max && c.lru.prev != &c.lru {
		old := c.lru.prev
		c.remove(c.layers[old.key.Layer], old)
		c.evictions.Add(1)
	}
	n := &node{key: k, entry: e, size: size}
	c.items[k] = n
	c.pushFront(n)
	c.bytes += size
	m := c.layer(k.Layer).zooms[k.Tile.Z]
	if m == nil {
		m = make(map[maptile.Tile]*node)
		c.layers[k.Layer].zooms[k.Tile.Z] = m
	}
	n.sib = m[k.Tile]
	m[k.Tile] = n
}

// layer returns the index of a layer, making it if need be; c.mu is held.
func (c *Cache) layer(name string) *layerIndex {
	li := c.layers[name]
	if li == nil {
		li = &layerIndex{}
		c.layers[name] = li
	}
	return li
}

// dropTile removes head and its siblings, and returns how many; c.mu is
// held.
func (c *Cache) dropTile(li *layerIndex, head *node) int {
	m := li.zooms[head.key.Tile.Z]
	delete(m, head.key.Tile)
	n := 0
	for x := head; x != nil; x = x.sib {
		c.unlink(x)
		delete(c.items, x.key)
		c.bytes -= x.size
		n++
	}
	return n
}

// remove removes one entry; c.mu is held.
func (c *Cache) remove(li *layerIndex, n *node) {
	c.unlink(n)
	delete(c.items, n.key)
	c.bytes -= n.size
	m := li.zooms[n.key.Tile.Z]
	// A tile has an entry per filter and class in use, a short list.
	if head := m[n.key.Tile]; head == n {
		if n.sib == nil {
			delete(m, n.key.Tile)
		} else {
			m[n.key.Tile] = n.sib
		}
	} else {
		for x := head; x != nil; x = x.sib {
			if x.sib == n {
				x.sib = n.sib
				break
			}
		}
	}
	n.sib = nil
}

func (c *Cache) unlink(n *node) {
	n.prev.next = n.next
	n.next.prev = n.prev
	n.prev, n.next = nil, nil
}

func (c *Cache) pushFront(n *node) {
	n.prev = &c.lru
	n.next = c.lru.next
	c.lru.next.prev = n
	c.lru.next = n
}
