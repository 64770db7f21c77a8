package storetest

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
)

// areaStore returns s as an AreaStore, failing t if it is not one.
func areaStore(t *testing.T, s concernmap.ConcernStore) concernmap.AreaStore {
	t.Helper()
	if w, ok := s.(*store); ok {
		s = w.ConcernStore
	}
	as, ok := s.(concernmap.AreaStore)
	if !ok {
		t.Fatalf("%T does not implement concernmap.AreaStore", s)
	}
	return as
}

// upserted returns what UpsertAreas should make of a: a copy with the ID
// and Version given and UpdatedAt at the store's precision.
func upserted(a *concernmap.Area, id uuid.UUID, version int, at time.Time) *concernmap.Area {
	w := cloneArea(a)
	w.ID, w.Version, w.UpdatedAt = id, version, StoredTime(at)
	return w
}

func mustUpsert(t *testing.T, s concernmap.AreaStore, areas []*concernmap.Area, at time.Time, wantCreated, wantUpdated int) {
	t.Helper()
	created, updated, err := s.UpsertAreas(t.Context(), areas, at)
	if err != nil {
		t.Fatalf("upsert: %v", err)
	}
	if created != wantCreated || updated != wantUpdated {
		t.Errorf("upsert: got %d created, %d updated, want %d, %d", created, updated, wantCreated, wantUpdated)
	}
}

func mustFindArea(t *testing.T, s concernmap.AreaStore, pcode string) *concernmap.Area {
	t.Helper()
	a, err := s.FindAreaByPCode(t.Context(), pcode)
	if err != nil {
		t.Fatalf("find area %s: %v", pcode, err)
	}
	return a
}

func checkAreaNotFound(t *testing.T, s concernmap.AreaStore, pcode string) {
	t.Helper()
	_, err := s.FindAreaByPCode(t.Context(), pcode)
	if code := concernmap.ErrorCode(err); code != concernmap.ENOTFOUND {
		t.Errorf("find area %q: got %v, want code %q", pcode, err, concernmap.ENOTFOUND)
	}
	checkNoLeak(t, err)
}

func scanAreas(t *testing.T, s concernmap.AreaStore) map[string]*concernmap.Area {
	t.Helper()
	got := map[string]*concernmap.Area{}
	err := s.ScanAreas(t.Context(), func(a *concernmap.Area) error {
		if got[a.PCode] != nil {
			t.Errorf("scan areas: %s visited twice", a.PCode)
		}
		got[a.PCode] = a
		return nil
	})
	if err != nil {
		t.Fatalf("scan areas: %v", err)
	}
	return got
}

func checkScanAreas(t *testing.T, s concernmap.AreaStore, want []*concernmap.Area) {
	t.Helper()
	got := scanAreas(t, s)
	if len(got) != len(want) {
		t.Errorf("scan areas: got %d, want %d", len(got), len(want))
	}
	for _, w := range want {
		if g, ok := got[w.PCode]; !ok {
			t.Errorf("scan areas: missing %s", w.PCode)
		} else {
			CheckArea(t, "scan", g, w)
		}
	}
}

func testAreaUpsert(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	as := areaStore(t, s)
	if created, updated, err := as.UpsertAreas(t.Context(), nil, now); created != 0 || updated != 0 || err != nil {
		t.Errorf("no areas: got %d, %d, %v, want 0, 0, nil", created, updated, err)
	}

	areas := []*concernmap.Area{NewArea(), NewArea(), NewArea()}
	// An ID the caller sets is not the store's to keep.
	areas[1].ID = uuid.New()
	sent := make([]*concernmap.Area, len(areas))
	for i, a := range areas {
		sent[i] = cloneArea(a)
	}
	mustUpsert(t, as, areas, now, 3, 0)

	ids := map[uuid.UUID]bool{}
	for i, a := range areas {
		if a.ID == uuid.Nil || a.ID == sent[i].ID || ids[a.ID] {
			t.Errorf("areas[%d]: got ID %v, want a new one of its own", i, a.ID)
		}
		ids[a.ID] = true
		want := upserted(sent[i], a.ID, 1, now)
		CheckArea(t, "upsert", a, want)
		CheckArea(t, "find", mustFindArea(t, as, a.PCode), want)
	}
}

func testAreaUpdate(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	as := areaStore(t, s)
	first := []*concernmap.Area{NewArea(), NewArea()}
	mustUpsert(t, as, first, now, 2, 0)

	later := now.Add(time.Hour)
	again := []*concernmap.Area{NewAreaLike(first[1]), NewAreaLike(first[0])}
	again[0].ID = uuid.New()
	sent := []*concernmap.Area{cloneArea(again[0]), cloneArea(again[1])}
	mustUpsert(t, as, again, later, 0, 2)
	for i, a := range again {
		old := first[1-i]
		want := upserted(sent[i], old.ID, 2, later)
		CheckArea(t, "upsert", a, want)
		CheckArea(t, "find", mustFindArea(t, as, a.PCode), want)
	}

	// The same body again is still a write: the import ran.
	same := []*concernmap.Area{NewAreaLike(first[0])}
	mustUpsert(t, as, same, later, 0, 1)
	if same[0].ID != first[0].ID || same[0].Version != 3 {
		t.Errorf("upsert unchanged: got ID %v version %d, want %v version 3", same[0].ID, same[0].Version, first[0].ID)
	}
}

func testAreaUpsertMixed(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	as := areaStore(t, s)
	old := []*concernmap.Area{NewArea(), NewArea()}
	mustUpsert(t, as, old, now, 2, 0)

	later := now.Add(time.Minute)
	batch := []*concernmap.Area{NewArea(), NewAreaLike(old[0]), NewArea(), NewAreaLike(old[1])}
	sent := make([]*concernmap.Area, len(batch))
	for i, a := range batch {
		sent[i] = cloneArea(a)
	}
	mustUpsert(t, as, batch, later, 2, 2)
	want := []*concernmap.Area{
		upserted(sent[0], batch[0].ID, 1, later),
		upserted(sent[1], old[0].ID, 2, later),
		upserted(sent[2], batch[2].ID, 1, later),
		upserted(sent[3], old[1].ID, 2, later),
	}
	for i, w := range want {
		CheckArea(t, fmt.Sprintf("upsert areas[%d]", i), batch[i], w)
	}
	checkScanAreas(t, as, want)
}

func testAreaUpsertInvalid(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	as := areaStore(t, s)
	existing := []*concernmap.Area{NewArea()}
	mustUpsert(t, as, existing, now, 1, 0)

	tests := []struct {
		name   string
		modify func(batch []*concernmap.Area)
		field  string
	}{
		{"level", func(b []*concernmap.Area) { b[1].Level = "city" }, "areas[1].level"},
		{"pcode", func(b []*concernmap.Area) { b[1].PCode = "MMR 01" }, "areas[1].pcode"},
		{"no name", func(b []*concernmap.Area) { b[1].NameEN = "" }, "areas[1].name_en"},
		{"parent", func(b []*concernmap.Area) { b[1].Parent = "no/such" }, "areas[1].parent"},
		{"no geometry", func(b []*concernmap.Area) { b[1].Geometry = nil }, "areas[1].geometry"},
		{"open ring", func(b []*concernmap.Area) {
			b[1].Geometry = orb.MultiPolygon{{{{96.1, 16.8}, {96.2, 16.8}, {96.2, 16.9}, {96.1, 16.9}}}}
		}, "areas[1].geometry.coordinates[0][0]"},
		{"nil", func(b []*concernmap.Area) { b[1] = nil }, "areas[1]"},
		{"pcode twice", func(b []*concernmap.Area) { b[2].PCode = b[1].PCode }, "areas[2].pcode"},
		{"existing pcode twice", func(b []*concernmap.Area) { b[2] = NewAreaLike(b[0]) }, "areas[2].pcode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			batch := []*concernmap.Area{NewAreaLike(existing[0]), NewArea(), NewArea()}
			tt.modify(batch)
			created, updated, err := as.UpsertAreas(t.Context(), batch, now.Add(time.Hour))
			checkInvalid(t, err, tt.field)
			if created != 0 || updated != 0 {
				t.Errorf("got %d created, %d updated, want 0, 0", created, updated)
			}
			// One bad area stops the whole batch, and the caller's areas are
			// left as they were.
			CheckArea(t, "existing", mustFindArea(t, as, existing[0].PCode), existing[0])
			for i, a := range batch {
				if a == nil {
					continue
				}
				if a.ID != uuid.Nil || a.Version != 0 || !a.UpdatedAt.IsZero() {
					t.Errorf("areas[%d]: filled in as %v version %d at %v, want untouched", i, a.ID, a.Version, a.UpdatedAt)
				}
				if a.PCode != existing[0].PCode {
					checkAreaNotFound(t, as, a.PCode)
				}
			}
		})
	}
}

func testAreaRoundTrip(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	as := areaStore(t, s)
	// A boundary of a few thousand vertices, every coordinate using all of
	// its float64.
	var circle orb.Ring
	for i := range 4000 {
		θ := 2 * math.Pi * float64(i) / 4000
		circle = append(circle, orb.Point{96.123456789 + 0.3*math.Cos(θ), 19.987654321 + 0.3*math.Sin(θ)})
	}
	circle = append(circle, circle[0])
	tests := []struct {
		name   string
		modify func(a *concernmap.Area)
	}{
		{"hole and two polygons", func(a *concernmap.Area) {}},
		{"state", func(a *concernmap.Area) { a.Level, a.Parent = concernmap.LevelState, "" }},
		{"no neighbours", func(a *concernmap.Area) { a.Neighbors = nil }},
		{"no Burmese name", func(a *concernmap.Area) { a.NameMY = "" }},
		{"no source", func(a *concernmap.Area) { a.Source = "" }},
		{"zero area", func(a *concernmap.Area) { a.AreaKM2 = 0 }},
		{"Burmese with marks", func(a *concernmap.Area) {
			a.NameMY = "ရန်ကုန်တိုင်းဒေသကြီး၊ မြောက်ဥက္ကလာပ"
		}},
		{"many vertices", func(a *concernmap.Area) { a.Geometry = orb.MultiPolygon{{circle}} }},
		{"many neighbours", func(a *concernmap.Area) {
			a.Neighbors = nil
			for i := range 40 {
				a.Neighbors = append(a.Neighbors, fmt.Sprintf("MMR0130017%02d", i))
			}
		}},
	}
	var all []*concernmap.Area
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewArea()
			tt.modify(a)
			sent := cloneArea(a)
			mustUpsert(t, as, []*concernmap.Area{a}, now, 1, 0)
			want := upserted(sent, a.ID, 1, now)
			CheckArea(t, "find", mustFindArea(t, as, a.PCode), want)
			all = append(all, want)
		})
	}
	checkScanAreas(t, as, all)
}

func testAreaScan(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	as := areaStore(t, s)
	if got := scanAreas(t, as); len(got) != 0 {
		t.Errorf("empty store: got %d areas, want 0", len(got))
	}
	var areas []*concernmap.Area
	for range 5 {
		areas = append(areas, NewArea())
	}
	mustUpsert(t, as, areas, now, 5, 0)
	checkScanAreas(t, as, areas)

	errStop := errors.New("stop")
	calls := 0
	err := as.ScanAreas(t.Context(), func(*concernmap.Area) error {
		calls++
		if calls == 2 {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Errorf("got %v, want %v", err, errStop)
	}
	if calls != 2 {
		t.Errorf("got %d calls, want 2", calls)
	}
}

func testAreaFindUnknown(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	as := areaStore(t, s)
	mustUpsert(t, as, []*concernmap.Area{NewArea()}, now, 1, 0)
	for _, pcode := range []string{"MMR999999", "", "mmr013000001"} {
		checkAreaNotFound(t, as, pcode)
	}
}

func testAreaReopen(t *testing.T, fresh freshFunc) {
	s, reopen := start(t, fresh)
	as := areaStore(t, s)
	areas := []*concernmap.Area{NewArea(), NewArea()}
	mustUpsert(t, as, areas, now, 2, 0)
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	as = areaStore(t, reopen())
	checkScanAreas(t, as, areas)
	// Upserts go on from where they were.
	again := []*concernmap.Area{NewAreaLike(areas[0])}
	mustUpsert(t, as, again, now, 0, 1)
	if again[0].ID != areas[0].ID || again[0].Version != 2 {
		t.Errorf("upsert after reopen: got ID %v version %d, want %v version 2", again[0].ID, again[0].Version, areas[0].ID)
	}
}

func testAssignConcernAreas(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	as := areaStore(t, s)
	for _, empty := range []map[uuid.UUID]string{nil, {}} {
		if n, err := as.AssignConcernAreas(t.Context(), empty, now); n != 0 || err != nil {
			t.Errorf("no concerns: got %d, %v, want 0, nil", n, err)
		}
	}

	const x, y = "MMR013001701", "MMR013001702"
	moved := mustCreate(t, s, NewConcern())
	none := NewConcern()
	none.Area = ""
	none = mustCreate(t, s, none)
	same := mustCreate(t, s, NewConcern())
	deleted := mustCreate(t, s, NewConcern())
	deleted, err := s.DeleteConcern(t.Context(), deleted.ID, 0, now)
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	untouched := mustCreate(t, s, NewConcern())

	at := now.Add(time.Hour)
	n, err := as.AssignConcernAreas(t.Context(), map[uuid.UUID]string{
		moved.ID:   y,
		none.ID:    x,
		same.ID:    same.Area,
		deleted.ID: y,
		uuid.New(): y, // no such concern
	}, at)
	if err != nil {
		t.Fatalf("assign: %v", err)
	}
	if n != 2 {
		t.Errorf("assign: got %d changed, want 2", n)
	}
	assigned := func(c *concernmap.Concern, area string, at time.Time) *concernmap.Concern {
		w := cloneConcern(c)
		w.Area, w.Version, w.UpdatedAt = area, c.Version+1, StoredTime(at)
		return w
	}
	moved, none = assigned(moved, y, at), assigned(none, x, at)
	for _, c := range []*concernmap.Concern{moved, none, same, deleted, untouched} {
		checkUnchanged(t, s, c)
	}

	// An empty area clears it; assigning what is there changes nothing.
	later := at.Add(time.Hour)
	n, err = as.AssignConcernAreas(t.Context(), map[uuid.UUID]string{moved.ID: "", none.ID: x}, later)
	if err != nil {
		t.Fatalf("clear: %v", err)
	}
	if n != 1 {
		t.Errorf("clear: got %d changed, want 1", n)
	}
	moved = assigned(moved, "", later)
	checkUnchanged(t, s, moved)
	checkUnchanged(t, s, none)
	checkScan(t, s, map[uuid.UUID]*concernmap.Concern{moved.ID: moved, none.ID: none, same.ID: same, untouched.ID: untouched})
}
