package demo_test

import (
	"testing"

	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/demo"
)

func generate(t *testing.T, n int) []*concernmap.Concern {
	t.Helper()
	villages, err := demo.Villages(60, 1)
	if err != nil {
		t.Fatal(err)
	}
	g := demo.NewGenerator(villages, 1)
	out := make([]*concernmap.Concern, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}

func TestDeterministic(t *testing.T) {
	a, b := generate(t, 200), generate(t, 200)
	for i := range a {
		if a[i].ID != b[i].ID || !orb.Equal(a[i].Geometry, b[i].Geometry) || a[i].Title != b[i].Title {
			t.Fatalf("concern %d differs between runs: %v vs %v", i, a[i].ID, b[i].ID)
		}
	}
}

// TestRealistic checks that the demo data is valid, covers every category
// and geometry kind, and lies in southeast Myanmar.
func TestRealistic(t *testing.T) {
	states, err := demo.States()
	if err != nil {
		t.Fatal(err)
	}
	area := states.Features[0].Geometry.Bound().Union(states.Features[1].Geometry.Bound()).Pad(0.3)
	categories, shapes, statuses := map[string]int{}, map[string]int{}, map[concernmap.Status]int{}
	anonymous := 0
	for _, c := range generate(t, 3000) {
		if err := c.Validate(); err != nil {
			t.Fatalf("invalid demo concern %v: %v", c.ID, err)
		}
		if !area.Contains(c.Geometry.Bound().Center()) {
			t.Errorf("concern %v at %v is outside Kayin and Mon", c.ID, c.Geometry.Bound().Center())
		}
		categories[c.Category]++
		shapes[c.Geometry.GeoJSONType()]++
		statuses[c.Status]++
		if c.Reporter == nil {
			anonymous++
		}
	}
	for _, cat := range concernmap.DefaultCategories {
		if categories[cat.Key] == 0 {
			t.Errorf("no concern of category %s", cat.Key)
		}
	}
	for _, s := range []string{"Point", "LineString", "Polygon"} {
		if shapes[s] == 0 {
			t.Errorf("no %s", s)
		}
	}
	if len(statuses) != len(concernmap.Statuses) {
		t.Errorf("statuses: got %d kinds, want %d", len(statuses), len(concernmap.Statuses))
	}
	if anonymous < 500 || anonymous > 1500 {
		t.Errorf("anonymous: got %d of 3000, want about a third", anonymous)
	}
}

func TestAreas(t *testing.T) {
	villages, err := demo.Villages(60, 1)
	if err != nil {
		t.Fatal(err)
	}
	areas, err := demo.Areas(villages)
	if err != nil {
		t.Fatal(err)
	}
	byPCode := map[string]*concernmap.Area{}
	levels := map[concernmap.AreaLevel]int{}
	for _, a := range areas {
		if err := a.Validate(); err != nil {
			t.Errorf("%s: %v", a.PCode, err)
		}
		if byPCode[a.PCode] != nil {
			t.Errorf("pcode %s twice", a.PCode)
		}
		byPCode[a.PCode] = a
		levels[a.Level]++
		if a.AreaKM2 <= 0 {
			t.Errorf("%s: area %v km²", a.PCode, a.AreaKM2)
		}
	}
	for _, a := range areas {
		if a.Parent != "" && byPCode[a.Parent] == nil {
			t.Errorf("%s: parent %s missing", a.PCode, a.Parent)
		}
		if a.Level != concernmap.LevelState && a.Source != demo.SyntheticSource {
			t.Errorf("%s is not labelled synthetic", a.PCode)
		}
	}
	if levels[concernmap.LevelState] != 2 || levels[concernmap.LevelTownship] < 8 || levels[concernmap.LevelVillageTract] < 50 {
		t.Errorf("levels: got %v, want 2 states, >= 8 townships, >= 50 tracts", levels)
	}
	// Tracts tile their township without overlap; clipping drops the odd
	// sliver that comes out invalid, so they cover most of it, not all.
	sum := map[string]float64{}
	var tracts, townships float64
	for _, a := range areas {
		switch a.Level {
		case concernmap.LevelVillageTract:
			sum[a.Parent] += a.AreaKM2
			tracts += a.AreaKM2
		case concernmap.LevelTownship:
			townships += a.AreaKM2
		}
	}
	for pcode, km2 := range sum {
		if want := byPCode[pcode].AreaKM2; km2 > want*1.001 {
			t.Errorf("tracts of %s cover %.1f km², more than the township's %.1f km²", pcode, km2, want)
		}
	}
	if tracts < 0.9*townships {
		t.Errorf("tracts cover %.0f km² of the townships' %.0f km², want at least 90%%", tracts, townships)
	}
}
