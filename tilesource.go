package concernmap

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap/hotspot"
)

// Class returns the viewer's visibility class, and a viewer that stands for
// the whole class. Tiles are built and cached per class, so the class
// viewer is nobody in particular: it has the role and the scope but no user
// ID, and a reporter's own concerns get no more on a tile than their class
// does. Everyone in a class sees the same tile.
func (v *Viewer) Class() (string, *Viewer) {
	cv := &Viewer{PublicMap: v.PublicMap, K: v.K, scope: v.scope, sensitive: v.sensitive}
	u := v.User
	switch {
	case u == nil && v.PublicMap:
		return "public", cv
	case u == nil || u.Disabled:
		return "none", cv
	}
	cv.User = &User{Role: u.Role, Scope: u.Scope}
	switch u.Role {
	case RoleAdmin, RoleAdvocate:
		// Their visibility does not depend on scope.
		return string(u.Role), cv
	}
	scope := slices.Clone(u.Scope)
	slices.Sort(scope)
	sum := sha256.Sum256([]byte(strings.Join(scope, "\x00")))
	return string(u.Role) + "-" + hex.EncodeToString(sum[:8]), cv
}

// TileClass returns the visibility class of the viewer in ctx, and ctx with
// the class viewer in its place, through which every tile read then goes.
// A visitor gets tiles only where the deployment has a public map.
func (s *Service) TileClass(ctx context.Context) (string, context.Context, error) {
	v := ViewerFrom(ctx)
	if v == nil {
		return "system", ctx, nil
	}
	class, cv := v.Class()
	if class == "none" {
		return "", nil, Errorf(EUNAUTHORIZED, "sign in to see the map")
	}
	return class, WithViewer(ctx, cv), nil
}

// TileConcerns calls fn for each concern meeting b that the viewer in ctx
// may see as a point. Concerns it may see only as a number are left out:
// they count in the area layer, where small numbers are suppressed.
func (s *Service) TileConcerns(ctx context.Context, b orb.Bound, f StatsFilter, fn func(*ConcernAttrs)) error {
	f, err := forViewer(ctx, f)
	if err != nil {
		return err
	}
	s.idx().EachIn(f.concernFilter(), b, func(a *ConcernAttrs) {
		if a.Visibility >= SeeNoReporter {
			fn(a)
		}
	})
	return nil
}

// TileConcernPoints calls fn with the point and category of each concern
// whose point lies in b and that the viewer in ctx may see as a point: what
// a cluster counts.
func (s *Service) TileConcernPoints(ctx context.Context, b orb.Bound, f StatsFilter, fn func(p orb.Point, category string)) error {
	f, err := forViewer(ctx, f)
	if err != nil {
		return err
	}
	s.idx().EachPoint(f.concernFilter(), b, func(p orb.Point, category string, vis Visibility) {
		if vis >= SeeNoReporter {
			fn(p, category)
		}
	})
	return nil
}

// AreaTileStats is what an area tile shows of an area: its count (perhaps
// suppressed), its density per km² (nil when suppressed) and its Gi* class.
type AreaTileStats struct {
	Count   Count
	Density *float64
	Hotspot hotspot.Class
}

// TileAreaStats returns the statistics of every area of a level for the
// viewer in ctx, as the area layer shows them. key names the class and the
// filter; the result is kept until the next change to the index.
func (s *Service) TileAreaStats(ctx context.Context, level AreaLevel, f StatsFilter, key string) (map[string]AreaTileStats, error) {
	v, err := s.memo.get("areas|"+string(level)+"|"+key, s.gen.Load(), func() (any, error) {
		stats, err := s.LevelStats(ctx, level, f)
		if err != nil {
			return nil, err
		}
		spots, err := s.AreaHotspots(ctx, level, f)
		if err != nil {
			return nil, err
		}
		out := make(map[string]AreaTileStats, len(stats))
		for _, st := range stats {
			out[st.PCode] = AreaTileStats{Count: st.Total, Density: st.DensityPerKM2, Hotspot: hotspot.NotSignificant}
		}
		for _, h := range spots {
			x := out[h.PCode]
			x.Hotspot = h.Class
			out[h.PCode] = x
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(map[string]AreaTileStats), nil
}

// TileGridHotspots returns Gi* over a grid of cell degrees across every
// area, for the viewer in ctx; key as for TileAreaStats. With no areas
// there is no study area and no cells.
func (s *Service) TileGridHotspots(ctx context.Context, cell float64, f StatsFilter, key string) ([]Hotspot, error) {
	bound, ok := s.AreasBound()
	if !ok {
		return nil, nil
	}
	v, err := s.memo.get("grid|"+key, s.gen.Load(), func() (any, error) {
		return s.GridHotspots(ctx, bound, cell, f)
	})
	if err != nil {
		return nil, err
	}
	return v.([]Hotspot), nil
}

// memo keeps results computed from the whole index until it changes: the
// area statistics and hotspots that every area tile of a class shares.
type memo struct {
	mu sync.Mutex
	m  map[string]*memoEntry
}

type memoEntry struct {
	gen  uint64
	once sync.Once
	val  any
	err  error
}

// maxMemo bounds the results kept: classes × filters × levels in use.
const maxMemo = 256

// get returns the value for key at generation gen, computing it once
// however many callers ask at the same time. A failure is not kept.
func (m *memo) get(key string, gen uint64, compute func() (any, error)) (any, error) {
	m.mu.Lock()
	if m.m == nil {
		m.m = map[string]*memoEntry{}
	}
	e := m.m[key]
	if e == nil || e.gen != gen {
		if len(m.m) >= maxMemo {
			clear(m.m)
		}
		e = &memoEntry{gen: gen}
		m.m[key] = e
	}
	m.mu.Unlock()
	e.once.Do(func() { e.val, e.err = compute() })
	if e.err != nil {
		m.mu.Lock()
		if m.m[key] == e {
			delete(m.m, key)
		}
		m.mu.Unlock()
	}
	return e.val, e.err
}
