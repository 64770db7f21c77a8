package concernmap

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap/hotspot"
)

// Count is a number shown to a person. Counts below a threshold k can be
// suppressed, because a small number in a small area can identify who
// reported; a suppressed count is written as "<k".
type Count struct {
	N          int
	Suppressed bool
	K          int
}

// MarshalJSON writes the number, or "<k" when suppressed.
func (c Count) MarshalJSON() ([]byte, error) {
	return []byte(c.String()), nil
}

// String returns the count as shown: a number or "<k" (quoted for JSON).
func (c Count) String() string {
	if c.Suppressed {
		return `"<` + strconv.Itoa(c.K) + `"`
	}
	return strconv.Itoa(c.N)
}

// count is the one function every shown count goes through. With k > 0, a
// count from 1 to k-1 is suppressed; 0 is shown, as it reveals no one.
func count(n, k int) Count {
	if k > 0 && n > 0 && n < k {
		return Count{N: n, Suppressed: true, K: k}
	}
	return Count{N: n}
}

// StatsFilter selects the concerns that statistics count.
type StatsFilter struct {
	Categories []string
	Statuses   []Status
	From, To   time.Time
	Affected   Affected
	// K suppresses, under it, counts that hold concerns the viewer may
	// see only as a number. The service sets it and Viewer from the
	// request's viewer.
	K      int
	Viewer *Viewer
}

func (f StatsFilter) concernFilter() *ConcernFilter {
	return &ConcernFilter{Categories: f.Categories, Statuses: f.Statuses, From: f.From, To: f.To, Affected: f.Affected, Viewer: f.Viewer}
}

// forViewer applies the request's viewer to f.
func forViewer(ctx context.Context, f StatsFilter) (StatsFilter, error) {
	if v := ViewerFrom(ctx); v != nil {
		if v.Visibility("", "", uuid.Nil) == SeeNothing && v.User == nil {
			return f, Errorf(EUNAUTHORIZED, "sign in to see statistics")
		}
		f.Viewer, f.K = v, v.K
	}
	return f, nil
}

// AreaStats are the counts for one area and everything in it.
type AreaStats struct {
	PCode         string             `json:"pcode"`
	Level         AreaLevel          `json:"level"`
	NameEN        string             `json:"name_en"`
	NameMY        string             `json:"name_my"`
	AreaKM2       float64            `json:"area_km2"`
	Total         Count              `json:"total"`
	DensityPerKM2 *float64           `json:"density_per_km2"` // nil when the total is suppressed
	ShareResolved *float64           `json:"share_resolved"`  // resolved ÷ total; nil when suppressed or empty
	ByCategory    map[string]Count   `json:"by_category"`
	ByStatus      map[Status]Count   `json:"by_status"`
	BySeverity    map[string]Count   `json:"by_severity"`
	ByAffected    map[string]Count   `json:"by_affected"`
	ByWhen        map[WhenKind]Count `json:"by_when_dangerous"`
	Monthly       []MonthCount       `json:"monthly"`
	raw           *tally
}

// MonthCount is the number of concerns observed in one month.
type MonthCount struct {
	Month string `json:"month"` // 2026-03
	Count Count  `json:"count"`
}

// bucket counts concerns, and among them those the viewer may see only
// as a number; a bucket with any of those is suppressed when small.
type bucket struct{ n, hidden int }

func (b *bucket) add(hidden bool) {
	b.n++
	if hidden {
		b.hidden++
	}
}

// shown turns a bucket into a Count through count, suppressing it under k
// only when it holds concerns the viewer cannot see exactly.
func (b bucket) shown(k int) Count {
	if b.hidden == 0 {
		k = 0
	}
	return count(b.n, k)
}

// tally accumulates raw numbers before they are turned into Counts.
type tally struct {
	total, resolved bucket
	category        map[string]*bucket
	status          map[Status]*bucket
	severity        [MaxSeverity + 1]bucket
	affected        [16]bucket
	when            map[WhenKind]*bucket
	month           map[string]*bucket
}

func newTally() *tally {
	return &tally{category: map[string]*bucket{}, status: map[Status]*bucket{}, when: map[WhenKind]*bucket{}, month: map[string]*bucket{}}
}

func inc[K comparable](m map[K]*bucket, k K, hidden bool) {
	b := m[k]
	if b == nil {
		b = &bucket{}
		m[k] = b
	}
	b.add(hidden)
}

func (t *tally) add(a *ConcernAttrs) {
	hidden := a.Visibility == SeeAggregate
	t.total.add(hidden)
	if a.Status == StatusResolved {
		t.resolved.add(hidden)
	}
	inc(t.category, a.Category, hidden)
	inc(t.status, a.Status, hidden)
	if a.Severity >= 0 && a.Severity <= MaxSeverity {
		t.severity[a.Severity].add(hidden)
	}
	for i := range AffectedGroups {
		if a.Affected&(1<<i) != 0 {
			t.affected[i].add(hidden)
		}
	}
	inc(t.when, a.When, hidden)
	inc(t.month, time.UnixMicro(a.ObservedAt).UTC().Format("2006-01"), hidden)
}

func (t *tally) stats(a *Area, k int) AreaStats {
	st := AreaStats{PCode: a.PCode, Level: a.Level, NameEN: a.NameEN, NameMY: a.NameMY, AreaKM2: a.AreaKM2,
		Total: t.total.shown(k), ByCategory: map[string]Count{}, ByStatus: map[Status]Count{},
		BySeverity: map[string]Count{}, ByAffected: map[string]Count{}, ByWhen: map[WhenKind]Count{}}
	// Derived numbers would reveal a suppressed total.
	if !st.Total.Suppressed && a.AreaKM2 > 0 {
		d := float64(t.total.n) / a.AreaKM2
		st.DensityPerKM2 = &d
	}
	if !st.Total.Suppressed && !t.resolved.shown(k).Suppressed && t.total.n > 0 {
		r := float64(t.resolved.n) / float64(t.total.n)
		st.ShareResolved = &r
	}
	for c, b := range t.category {
		st.ByCategory[c] = b.shown(k)
	}
	for s, b := range t.status {
		st.ByStatus[s] = b.shown(k)
	}
	for sev := MinSeverity; sev <= MaxSeverity; sev++ {
		st.BySeverity[strconv.Itoa(sev)] = t.severity[sev].shown(k)
	}
	for i, g := range AffectedGroups {
		st.ByAffected[g] = t.affected[i].shown(k)
	}
	for w, b := range t.when {
		st.ByWhen[w] = b.shown(k)
	}
	months := make([]string, 0, len(t.month))
	for m := range t.month {
		months = append(months, m)
	}
	slices.Sort(months)
	for _, m := range months {
		st.Monthly = append(st.Monthly, MonthCount{Month: m, Count: t.month[m].shown(k)})
	}
	return st
}

// AreaStats counts the concerns in one area and everything below it.
func (s *Service) AreaStats(ctx context.Context, pcode string, f StatsFilter) (AreaStats, error) {
	f, err := forViewer(ctx, f)
	if err != nil {
		return AreaStats{}, err
	}
	a, ok := s.areas.Find(pcode)
	if !ok {
		return AreaStats{}, Errorf(ENOTFOUND, "no area has pcode %q", pcode)
	}
	cf := f.concernFilter()
	cf.AreaIn = s.areas.Within(pcode)
	t := newTally()
	s.idx().Each(cf, t.add)
	return t.stats(a, f.K), nil
}

// LevelStats counts concerns for every area of a level, in pcode order; a
// concern in a village tract counts for its township too.
func (s *Service) LevelStats(ctx context.Context, level AreaLevel, f StatsFilter) ([]AreaStats, error) {
	f, err := forViewer(ctx, f)
	if err != nil {
		return nil, err
	}
	if level.Depth() < 0 {
		return nil, Invalid("level", "must be one of state, district, township, village_tract, village")
	}
	tallies := s.tallyByLevel(level, f)
	areas := s.areas.List(AreaFilter{Level: level})
	out := make([]AreaStats, len(areas))
	for i, a := range areas {
		t := tallies[a.PCode]
		if t == nil {
			t = newTally()
		}
		out[i] = t.stats(a, f.K)
	}
	return out, nil
}

// tallyByLevel makes one pass over the index, counting each concern for its
// area's ancestor at level.
func (s *Service) tallyByLevel(level AreaLevel, f StatsFilter) map[string]*tally {
	up := map[string]string{} // area → its ancestor at level, cached
	tallies := map[string]*tally{}
	s.idx().Each(f.concernFilter(), func(a *ConcernAttrs) {
		anc, ok := up[a.Area]
		if !ok {
			anc = s.areas.Ancestor(a.Area, level)
			up[a.Area] = anc
		}
		if anc == "" {
			return
		}
		t := tallies[anc]
		if t == nil {
			t = newTally()
			tallies[anc] = t
		}
		t.add(a)
	})
	return tallies
}

// Hotspot is one unit's Getis-Ord Gi* result.
type Hotspot struct {
	PCode string        `json:"pcode,omitempty"`
	Cell  *[2]int       `json:"cell,omitempty"` // column, row
	Bound *orb.Bound    `json:"-"`
	Count Count         `json:"count"`
	Z     float64       `json:"z"`
	P     float64       `json:"p"`
	Class hotspot.Class `json:"class"`
}

// AreaHotspots computes Gi* over the areas of a level, with the queen
// contiguity found at import as weights.
func (s *Service) AreaHotspots(ctx context.Context, level AreaLevel, f StatsFilter) ([]Hotspot, error) {
	f, err := forViewer(ctx, f)
	if err != nil {
		return nil, err
	}
	if level.Depth() < 0 {
		return nil, Invalid("level", "must be one of state, district, township, village_tract, village")
	}
	areas := s.areas.List(AreaFilter{Level: level})
	pos := make(map[string]int, len(areas))
	for i, a := range areas {
		pos[a.PCode] = i
	}
	tallies := s.tallyByLevel(level, f)
	x := make([]float64, len(areas))
	w := hotspot.Weights{Neighbors: make([][]int, len(areas))}
	for i, a := range areas {
		if t := tallies[a.PCode]; t != nil {
			x[i] = float64(t.total.n)
		}
		for _, n := range a.Neighbors {
			if j, ok := pos[n]; ok {
				w.Neighbors[i] = append(w.Neighbors[i], j)
			}
		}
	}
	res, err := hotspot.GiStar(x, w)
	if err != nil {
		return nil, err
	}
	out := make([]Hotspot, len(areas))
	for i, a := range areas {
		var shown Count
		if t := tallies[a.PCode]; t != nil {
			shown = t.total.shown(f.K)
		}
		out[i] = Hotspot{PCode: a.PCode, Count: shown, Z: res[i].Z, P: res[i].P, Class: res[i].Class}
	}
	return out, nil
}

// MaxHotspotCells bounds a grid hotspot query.
const MaxHotspotCells = 250_000

// GridHotspots computes Gi* over a regular grid of cell degrees covering
// bound, with the 8 surrounding cells as neighbours (a distance band of 1.5
// cells). Every cell in the grid takes part, empty ones too, so that the
// mean is over the whole study area. Only concerns the viewer may see as
// points count: sensitive ones it may see only as numbers are left to the
// areas' hotspots.
func (s *Service) GridHotspots(ctx context.Context, bound orb.Bound, cell float64, f StatsFilter) ([]Hotspot, error) {
	f, err := forViewer(ctx, f)
	if err != nil {
		return nil, err
	}
	if !(cell > 0) {
		return nil, Invalid("cell", "must be a positive size in degrees")
	}
	if n := (bound.Max[0] - bound.Min[0]) / cell * (bound.Max[1] - bound.Min[1]) / cell; n > MaxHotspotCells {
		return nil, Invalid("cell", "makes %.0f cells; the limit is %d: use larger cells or a smaller bbox", n, MaxHotspotCells)
	}
	g, err := hotspot.NewGrid(bound, cell)
	if err != nil {
		return nil, Invalid("cell", "%v", err)
	}
	counts := make([]float64, g.Cols*g.Rows)
	buckets := make([]bucket, len(counts))
	s.idx().Each(f.concernFilter(), func(a *ConcernAttrs) {
		// A cell can be small enough to place a concern, so it counts
		// only those the viewer may see as points; the others count in
		// the areas' hotspots, where small numbers are suppressed.
		if a.Visibility < SeeNoReporter {
			return
		}
		if col, row, ok := g.Cell(a.Point); ok {
			counts[row*g.Cols+col]++
			buckets[row*g.Cols+col].add(a.Visibility == SeeAggregate)
		}
	})
	cells := make([][2]int, 0, len(counts))
	for row := range g.Rows {
		for col := range g.Cols {
			cells = append(cells, [2]int{col, row})
		}
	}
	res, err := hotspot.GiStar(counts, g.DistanceBand(cells, 1.5))
	if err != nil {
		return nil, err
	}
	out := make([]Hotspot, 0, len(cells))
	for i, c := range cells {
		b := g.Bound(c[0], c[1])
		out = append(out, Hotspot{Cell: &cells[i], Bound: &b, Count: buckets[i].shown(f.K), Z: res[i].Z, P: res[i].P, Class: res[i].Class})
	}
	return out, nil
}

// AreasBound returns the bound of every area, or false if there are none.
func (s *Service) AreasBound() (orb.Bound, bool) {
	areas := s.areas.List(AreaFilter{Level: LevelState})
	if len(areas) == 0 {
		areas = s.areas.List(AreaFilter{})
	}
	if len(areas) == 0 {
		return orb.Bound{}, false
	}
	b := areas[0].Geometry.Bound()
	for _, a := range areas[1:] {
		b = b.Union(a.Geometry.Bound())
	}
	return b, true
}
