package index_test

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/geo"
	"github.com/concernmap/concernmap/index"
)

// seed returns the random seed for a test, printed so that a failure can
// be replayed with INDEX_SEED.
func seed(t testing.TB) uint64 {
	t.Helper()
	s := uint64(time.Now().UnixNano())
	if v := os.Getenv("INDEX_SEED"); v != "" {
		var err error
		if s, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("INDEX_SEED: %v", err)
		}
	}
	t.Logf("seed %d (set INDEX_SEED to replay)", s)
	return s
}

func concern(id uuid.UUID, g orb.Geometry) *concernmap.Concern {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return &concernmap.Concern{ID: id, Category: "landmine_uxo", Geometry: g, Title: "t", Severity: 3,
		Status: concernmap.StatusReported, WhenDangerous: concernmap.When{Kind: concernmap.WhenAlways},
		ObservedAt: at, ReportedAt: at, UpdatedAt: at, Version: 1}
}

// all pages through a query and returns every ID it yields.
func all(t *testing.T, x *index.Index, f concernmap.ConcernFilter) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	for {
		p := x.Find(&f)
		for _, doc := range p.Features {
			ids = append(ids, uuid.MustParse(string(doc[len(`{"type":"Feature","id":"`):][:36])))
		}
		if !p.More {
			return ids
		}
		f.After = p.Last
	}
}

func TestFindMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(seed(t), 1))
	x := index.New()
	var cs []*concernmap.Concern
	for range 5000 {
		var g orb.Geometry = orb.Point{r.Float64()*20 + 90, r.Float64()*20 + 5}
		if r.IntN(4) == 0 {
			p := g.(orb.Point)
			g = orb.LineString{p, {p[0] + r.Float64()*0.5, p[1] + r.Float64()*0.5}}
		}
		c := concern(uuid.New(), g)
		c.Severity = 1 + r.IntN(5)
		c.Category = []string{"landmine_uxo", "unlit_road", "flooding"}[r.IntN(3)]
		c.Affected = concernmap.Affected(1 << r.IntN(8))
		c.ObservedAt = c.ObservedAt.Add(time.Duration(r.IntN(1000)) * time.Hour)
		cs = append(cs, c)
		x.Put(c)
	}
	for i := range 300 {
		minX, minY := r.Float64()*20+90, r.Float64()*20+5
		b := orb.Bound{Min: orb.Point{minX, minY}, Max: orb.Point{minX + r.Float64()*3, minY + r.Float64()*3}}
		f := concernmap.ConcernFilter{BBox: &b, Limit: 1 + r.IntN(concernmap.MaxLimit)}
		if i%3 == 0 {
			f.Categories = []string{"unlit_road"}
			f.MinSeverity = 2
			f.Affected = concernmap.AffectedWomen | concernmap.AffectedGirls
			f.From = cs[0].ObservedAt.Add(100 * time.Hour)
		}
		var want []uuid.UUID
		for _, c := range cs {
			if f.Match(c) && geo.IntersectsBound(c.Geometry, b) {
				want = append(want, c.ID)
			}
		}
		slices.SortFunc(want, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
		got := all(t, x, f)
		if !slices.Equal(got, want) {
			t.Fatalf("query %d (%v): got %d ids, want %d", i, b, len(got), len(want))
		}
	}
}

func TestPutVersions(t *testing.T) {
	id := uuid.New()
	here, there := orb.Point{97, 16}, orb.Point{98, 17}
	box := func(p orb.Point) *orb.Bound { b := p.Bound().Pad(0.01); return &b }
	tests := []struct {
		name      string
		puts      []func() *concernmap.Concern
		wantHere  int
		wantThere int
	}{
		{"insert", []func() *concernmap.Concern{func() *concernmap.Concern { return concern(id, here) }}, 1, 0},
		{"move", []func() *concernmap.Concern{
			func() *concernmap.Concern { return concern(id, here) },
			func() *concernmap.Concern { c := concern(id, there); c.Version = 2; return c },
		}, 0, 1},
		{"stale put ignored", []func() *concernmap.Concern{
			func() *concernmap.Concern { c := concern(id, there); c.Version = 2; return c },
			func() *concernmap.Concern { return concern(id, here) },
		}, 0, 1},
		{"delete", []func() *concernmap.Concern{
			func() *concernmap.Concern { return concern(id, here) },
			func() *concernmap.Concern { c := concern(id, here); c.Version = 2; c.DeletedAt = time.Now(); return c },
		}, 0, 0},
		{"stale put after delete ignored", []func() *concernmap.Concern{
			func() *concernmap.Concern { c := concern(id, here); c.Version = 3; c.DeletedAt = time.Now(); return c },
			func() *concernmap.Concern { c := concern(id, here); c.Version = 2; return c },
		}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := index.New()
			for _, put := range tt.puts {
				x.Put(put())
			}
			for _, q := range []struct {
				at   orb.Point
				want int
			}{{here, tt.wantHere}, {there, tt.wantThere}} {
				f := concernmap.ConcernFilter{BBox: box(q.at), Limit: 10}
				if got := len(x.Find(&f).Features); got != q.want {
					t.Errorf("at %v: got %d, want %d", q.at, got, q.want)
				}
			}
			if got, want := x.Len(), tt.wantHere+tt.wantThere; got != want {
				t.Errorf("Len: got %d, want %d", got, want)
			}
		})
	}
}

func TestPagination(t *testing.T) {
	x := index.New()
	for i := range 2500 {
		x.Put(concern(uuid.New(), orb.Point{97 + float64(i%50)*0.001, 16 + float64(i/50)*0.001}))
	}
	for _, limit := range []int{1, 7, 100, 1000} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			ids := all(t, x, concernmap.ConcernFilter{Limit: limit})
			if len(ids) != 2500 {
				t.Fatalf("got %d ids, want 2500", len(ids))
			}
			if !slices.IsSortedFunc(ids, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) }) {
				t.Errorf("ids not in order")
			}
		})
	}
}

func TestRadiusAcrossAntimeridian(t *testing.T) {
	x := index.New()
	east, west, far := uuid.New(), uuid.New(), uuid.New()
	x.Put(concern(east, orb.Point{179.999, 10}))
	x.Put(concern(west, orb.Point{-179.999, 10}))
	x.Put(concern(far, orb.Point{0, 10}))
	f := concernmap.ConcernFilter{Near: &orb.Point{180, 10}, Radius: 1000, Limit: 10}
	got := all(t, x, f)
	want := []uuid.UUID{east, west}
	slices.SortFunc(want, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func hours(n int) time.Duration { return time.Duration(n) * time.Hour }

// TestEachPoint checks what clustering counts: each concern once, at its
// point or its box's centre, only when that lies in the bound, with the
// attribute filters applied.
func TestEachPoint(t *testing.T) {
	x := index.New()
	pt := concern(uuid.New(), orb.Point{97.5, 16.5})
	line := concern(uuid.New(), orb.LineString{{97.0, 16.0}, {97.2, 16.4}}) // centre 97.1, 16.2
	edge := concern(uuid.New(), orb.LineString{{96.0, 16.0}, {97.1, 16.1}}) // meets the bound, centre outside
	flood := concern(uuid.New(), orb.Point{97.6, 16.6})
	flood.Category = "flooding"
	for _, c := range []*concernmap.Concern{pt, line, edge, flood} {
		x.Put(c)
	}
	b := orb.Bound{Min: orb.Point{97, 16}, Max: orb.Point{98, 17}}
	tests := []struct {
		name string
		f    concernmap.ConcernFilter
		want map[orb.Point]string
	}{
		{"all", concernmap.ConcernFilter{}, map[orb.Point]string{{97.5, 16.5}: pt.Category, {97.1, 16.2}: line.Category, {97.6, 16.6}: "flooding"}},
		{"one category", concernmap.ConcernFilter{Categories: []string{"flooding"}}, map[orb.Point]string{{97.6, 16.6}: "flooding"}},
	}
	for _, tt := range tests {
		got := map[orb.Point]string{}
		x.EachPoint(&tt.f, b, func(p orb.Point, category string, vis concernmap.Visibility) {
			if vis != concernmap.SeeFull {
				t.Errorf("%s: visibility %v without a viewer, want full", tt.name, vis)
			}
			// The R-tree keeps float32 boxes; round the centres to compare.
			p = orb.Point{math.Round(p[0]*1e4) / 1e4, math.Round(p[1]*1e4) / 1e4}
			if _, dup := got[p]; dup {
				t.Errorf("%s: %v given twice", tt.name, p)
			}
			got[p] = category
		})
		if !maps.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
