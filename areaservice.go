package concernmap

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap/hotspot"
)

// neighbourTolerance bridges the tiny gaps that digitised boundaries leave
// between tracts that do touch: 1e-6° is about 10 cm.
const neighbourTolerance = 1e-6

func (s *Service) loadAreas(ctx context.Context) error {
	var all []*Area
	if err := s.store.ScanAreas(ctx, func(a *Area) error { all = append(all, a); return nil }); err != nil {
		return fmt.Errorf("load areas: %w", err)
	}
	s.areas.Put(all...)
	return nil
}

// FindAreas lists areas.
func (s *Service) FindAreas(ctx context.Context, f AreaFilter) ([]*Area, error) {
	if f.Level != "" && f.Level.Depth() < 0 {
		return nil, Invalid("level", "must be one of state, district, township, village_tract, village")
	}
	return s.areas.List(f), nil
}

// LocateArea returns the pcode of the area that holds g, or "".
func (s *Service) LocateArea(g orb.Geometry) string { return s.areas.Locate(g) }

// FindArea returns one area by pcode.
func (s *Service) FindArea(ctx context.Context, pcode string) (*Area, error) {
	a, ok := s.areas.Find(pcode)
	if !ok {
		return nil, Errorf(ENOTFOUND, "no area has pcode %q", pcode)
	}
	return a, nil
}

// ImportResult says what an import changed.
type ImportResult struct {
	Created int `json:"created"` // of the imported areas, how many were new
	Updated int `json:"updated"` // and how many replaced one with their pcode
	// Neighbours counts other stored areas whose neighbours changed.
	Neighbours int `json:"neighbours_changed"`
	Assigned   int `json:"concerns_reassigned"`
}

// ImportAreas stores areas (matched by pcode, so a re-import updates in
// place and keeps IDs), recomputes which areas of their levels touch, and
// puts every concern in the area that holds it now. The areas are valid and
// linked to their parents already (see areaimport).
func (s *Service) ImportAreas(ctx context.Context, areas []*Area) (ImportResult, error) {
	var res ImportResult
	if err := ValidateAreas(areas); err != nil {
		return res, err
	}
	batch := s.withNeighbours(areas)
	if _, _, err := s.store.UpsertAreas(ctx, batch, s.now().UTC().Truncate(time.Microsecond)); err != nil {
		return res, fmt.Errorf("import areas: %w", err)
	}
	for _, a := range areas {
		if a.Version == 1 {
			res.Created++
		} else {
			res.Updated++
		}
	}
	res.Neighbours = len(batch) - len(areas)
	var err error
	s.areas.Put(batch...)
	if res.Assigned, err = s.reassign(ctx); err != nil {
		return res, err
	}
	// New boundaries change every area tile and the statistics on them.
	s.changedAll()
	return res, nil
}

// withNeighbours returns areas plus every stored area of the same levels,
// with Neighbors recomputed across them; stored areas whose neighbours did
// not change are left out, so the upsert touches only what changed.
func (s *Service) withNeighbours(areas []*Area) []*Area {
	byLevel := map[AreaLevel]map[string]*Area{}
	incoming := map[string]bool{}
	for _, a := range areas {
		if byLevel[a.Level] == nil {
			byLevel[a.Level] = map[string]*Area{}
			for _, old := range s.areas.List(AreaFilter{Level: a.Level}) {
				cp := *old
				byLevel[a.Level][old.PCode] = &cp
			}
		}
		byLevel[a.Level][a.PCode] = a
		incoming[a.PCode] = true
	}
	var out []*Area
	for _, level := range byLevel {
		members := make([]*Area, 0, len(level))
		for _, a := range level {
			members = append(members, a)
		}
		slices.SortFunc(members, func(a, b *Area) int { return compareStrings(a.PCode, b.PCode) })
		polys := make([]orb.MultiPolygon, len(members))
		for i, a := range members {
			polys[i] = a.Geometry
		}
		w := hotspot.QueenContiguity(polys, neighbourTolerance)
		for i, a := range members {
			next := make([]string, len(w.Neighbors[i]))
			for j, n := range w.Neighbors[i] {
				next[j] = members[n].PCode
			}
			if incoming[a.PCode] || !slices.Equal(next, a.Neighbors) {
				a.Neighbors = next
				out = append(out, a)
			}
		}
	}
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// reassign puts every concern in the area that holds it now, writes the
// changes in one transaction, and reloads the index so that lists show the
// new areas.
func (s *Service) reassign(ctx context.Context) (int, error) {
	changes := map[uuid.UUID]string{}
	s.idx().Each(&ConcernFilter{}, func(a *ConcernAttrs) {
		if area := s.areas.Locate(a.Geometry); area != a.Area {
			changes[a.ID] = area
		}
	})
	if len(changes) == 0 {
		return 0, nil
	}
	n, err := s.store.AssignConcernAreas(ctx, changes, s.now().UTC().Truncate(time.Microsecond))
	if err != nil {
		return 0, fmt.Errorf("assign areas: %w", err)
	}
	if err := s.Reload(ctx); err != nil {
		return n, err
	}
	return n, nil
}
