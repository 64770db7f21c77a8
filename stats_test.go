package concernmap_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/bolt"
	"github.com/concernmap/concernmap/index"
)

// grid2x2 is a township split into four 1°×1° village tracts.
func grid2x2() []*concernmap.Area {
	sq := func(x, y float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, y}, {x + 1, y}, {x + 1, y + 1}, {x, y + 1}, {x, y}}}}
	}
	areas := []*concernmap.Area{{Level: concernmap.LevelTownship, PCode: "T1", NameEN: "Township", Geometry: sq(0, 0)}}
	areas[0].Geometry = orb.MultiPolygon{{{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {0, 0}}}}
	for i, xy := range [][2]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
		areas = append(areas, &concernmap.Area{Level: concernmap.LevelVillageTract, PCode: "T1V" + strconv.Itoa(i+1),
			Parent: "T1", NameEN: "Tract", Geometry: sq(xy[0], xy[1]), AreaKM2: 100})
	}
	return areas
}

func newService(t *testing.T) *concernmap.Service {
	t.Helper()
	db, err := bolt.Open(t.TempDir() + "/c.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := concernmap.NewService(db, func() concernmap.ConcernIndex { return index.New() }, index.NewAreas())
	if err := svc.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestStatsMatchBruteForce counts random concerns in the service and by
// hand; every number must agree, and small counts must be suppressed.
func TestStatsMatchBruteForce(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	if _, err := svc.ImportAreas(ctx, grid2x2()); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	cats := []string{"landmine_uxo", "unlit_road", "domestic_violence"}
	type rec struct {
		tract, category string
		status          concernmap.Status
		month           string
	}
	var recs []rec
	for range 400 {
		x, y := r.Float64()*2, r.Float64()*2
		c := &concernmap.Concern{ID: uuid.New(), Category: cats[r.IntN(3)], Geometry: orb.Point{x, y}, Title: "t",
			Severity: 1 + r.IntN(5), Status: concernmap.Statuses[r.IntN(len(concernmap.Statuses))],
			ObservedAt: time.Date(2026, time.Month(1+r.IntN(6)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)}
		got, _, err := svc.CreateConcern(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec{got.Area, got.Category, got.Status, got.ObservedAt.Format("2006-01")})
	}
	all, err := svc.LevelStats(ctx, concernmap.LevelVillageTract, concernmap.StatsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 {
		t.Fatalf("got %d tracts, want 4", len(all))
	}
	for _, st := range all {
		want := map[string]int{}
		total, resolved := 0, 0
		for _, rc := range recs {
			if rc.tract != st.PCode {
				continue
			}
			total++
			want["cat:"+rc.category]++
			want["status:"+string(rc.status)]++
			want["month:"+rc.month]++
			if rc.status == concernmap.StatusResolved {
				resolved++
			}
		}
		if st.Total.N != total {
			t.Errorf("%s total: got %d, want %d", st.PCode, st.Total.N, total)
		}
		for _, c := range cats {
			if got := st.ByCategory[c].N; got != want["cat:"+c] {
				t.Errorf("%s %s: got %d, want %d", st.PCode, c, got, want["cat:"+c])
			}
		}
		for _, s := range concernmap.Statuses {
			if got := st.ByStatus[s].N; got != want["status:"+string(s)] {
				t.Errorf("%s %s: got %d, want %d", st.PCode, s, got, want["status:"+string(s)])
			}
		}
		for _, m := range st.Monthly {
			if m.Count.N != want["month:"+m.Month] {
				t.Errorf("%s %s: got %d, want %d", st.PCode, m.Month, m.Count.N, want["month:"+m.Month])
			}
		}
		if got, want := *st.DensityPerKM2, float64(total)/100; got != want {
			t.Errorf("%s density: got %v, want %v", st.PCode, got, want)
		}
		if got, want := *st.ShareResolved, float64(resolved)/float64(total); got != want {
			t.Errorf("%s share resolved: got %v, want %v", st.PCode, got, want)
		}
	}
	// The township counts everything in its tracts.
	town, err := svc.AreaStats(ctx, "T1", concernmap.StatsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if town.Total.N != len(recs) {
		t.Errorf("township total: got %d, want %d", town.Total.N, len(recs))
	}

	// An advocate sees domestic violence only as a number: with k = 1000,
	// every count that holds such concerns shows as "<1000", and counts
	// of open categories alone stay exact.
	advocate := &concernmap.User{ID: uuid.New(), Role: concernmap.RoleAdvocate}
	town, _ = svc.AreaStats(concernmap.WithViewer(ctx, svc.NewViewer(advocate, false, 1000)), "T1", concernmap.StatsFilter{})
	if town.ByCategory["unlit_road"].Suppressed || !town.ByCategory["domestic_violence"].Suppressed {
		t.Errorf("by category: got %v", town.ByCategory)
	}
	b, _ := json.Marshal(town)
	var m map[string]any
	json.Unmarshal(b, &m)
	if m["total"] != "<1000" || m["density_per_km2"] != nil {
		t.Errorf("suppressed: got total %v, density %v", m["total"], m["density_per_km2"])
	}
}

func TestAreaHotspotsOnGrid(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	// A 5×5 grid of tracts with a cluster of concerns in one corner.
	var areas []*concernmap.Area
	for row := range 5 {
		for col := range 5 {
			x, y := float64(col), float64(row)
			areas = append(areas, &concernmap.Area{Level: concernmap.LevelVillageTract, PCode: "V" + strconv.Itoa(row*5+col),
				NameEN: "v", Geometry: orb.MultiPolygon{{{{x, y}, {x + 1, y}, {x + 1, y + 1}, {x, y + 1}, {x, y}}}}})
		}
	}
	if _, err := svc.ImportAreas(ctx, areas); err != nil {
		t.Fatal(err)
	}
	for _, cell := range [][2]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
		for range 30 {
			c := &concernmap.Concern{ID: uuid.New(), Category: "landmine_uxo", Geometry: orb.Point{cell[0] + 0.5, cell[1] + 0.5},
				Title: "t", Severity: 5, ObservedAt: time.Now().Add(-time.Hour)}
			if _, _, err := svc.CreateConcern(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	hs, err := svc.AreaHotspots(ctx, concernmap.LevelVillageTract, concernmap.StatsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	classes := map[string]string{}
	for _, h := range hs {
		classes[h.PCode] = string(h.Class)
	}
	if classes["V0"] != "hot_99" || classes["V24"] != "not_significant" {
		t.Errorf("classes: got V0 %s, V24 %s; want hot_99 and not_significant", classes["V0"], classes["V24"])
	}
	for _, a := range areas {
		if a.PCode == "V6" && len(a.Neighbors) != 8 {
			t.Errorf("V6 neighbours: got %v, want 8 (queen)", a.Neighbors)
		}
	}
}
