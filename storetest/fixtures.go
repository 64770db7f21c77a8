package storetest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
)

// Yangon keeps Myanmar time, UTC+06:30; a fixed zone needs no tz database.
var yangon = time.FixedZone("MMT", 6*3600+1800)

// now is the clock the suite passes to updates and deletes. Its nanoseconds
// and zone check that stores truncate to microseconds and return UTC.
var now = time.Date(2025, 6, 1, 19, 45, 30, 123456789, yangon)

// Geometry is a named geometry for table tests.
type Geometry struct {
	Name     string
	Geometry orb.Geometry
}

// Geometries returns one valid WGS84 geometry of each type a concern may
// have, with coordinates that need every bit of a float64.
func Geometries() []Geometry {
	// Exterior rings run counter-clockwise and holes clockwise (RFC 7946).
	shell := orb.Ring{{96.1, 16.8}, {96.2, 16.8}, {96.2, 16.9}, {96.1, 16.9}, {96.1, 16.8}}
	hole := orb.Ring{{96.13, 16.83}, {96.13, 16.87}, {96.17, 16.87}, {96.17, 16.83}, {96.13, 16.83}}
	far := orb.Ring{{97.3, 19.7}, {97.4, 19.7}, {97.35, 19.8}, {97.3, 19.7}}
	return []Geometry{
		{"Point", orb.Point{96.19512345678901, 16.866123456789012}},
		{"LineString", orb.LineString{{96.1, 16.8}, {96.150000000000006, 16.85}, {96.2, 16.800000000000001}}},
		{"Polygon with hole", orb.Polygon{shell, hole}},
		{"MultiPoint", orb.MultiPoint{{96.1, 16.8}, {96.30000000000001, 16.9}, {101.1, 28.5}}},
		{"MultiLineString", orb.MultiLineString{{{96.1, 16.8}, {96.2, 16.9}}, {{97.1, 19.8}, {97.2, 19.9}, {97.3, 19.85}}}},
		{"MultiPolygon", orb.MultiPolygon{{shell, hole}, {far}}},
	}
}

// NewConcern returns a valid concern with a new ID and every field set,
// including a reporter, an area and a night-time window.
func NewConcern() *concernmap.Concern {
	reporter := uuid.New()
	reported := time.Date(2025, 5, 30, 21, 15, 0, 999999999, yangon)
	return &concernmap.Concern{
		ID:            uuid.New(),
		Category:      "night_route",
		Geometry:      orb.Point{96.19512345678901, 16.866123456789012},
		Title:         "ညအချိန် အန္တရာယ်ရှိသော လမ်းကြောင်း",
		Description:   "The path to the rubber plantation is unlit.\nTwo people were robbed here.",
		Severity:      4,
		Status:        concernmap.StatusVerified,
		Affected:      concernmap.AffectedWomen | concernmap.AffectedGirls | concernmap.AffectedLGBTI,
		WhenDangerous: concernmap.When{Kind: concernmap.WhenWindow, From: 18 * 60, To: 6 * 60},
		ObservedAt:    time.Date(2025, 5, 28, 5, 30, 12, 345678912, yangon),
		ReportedAt:    reported,
		UpdatedAt:     reported,
		Reporter:      &reporter,
		Area:          "MMR013001701",
	}
}

// NewConcernWithID returns a NewConcern with the given ID and a different
// title, as a retried or conflicting request would carry.
func NewConcernWithID(id uuid.UUID) *concernmap.Concern {
	c := NewConcern()
	c.ID, c.Title = id, "sent again"
	return c
}

// Stored returns c as a store returns it after CreateConcern: times
// truncated to microseconds in UTC, Version 1 and not deleted.
func Stored(c *concernmap.Concern) *concernmap.Concern {
	s := cloneConcern(c)
	s.ObservedAt = StoredTime(c.ObservedAt)
	s.ReportedAt = StoredTime(c.ReportedAt)
	s.UpdatedAt = StoredTime(c.UpdatedAt)
	s.DeletedAt = time.Time{}
	s.Version = 1
	return s
}

// StoredTime returns t as a store returns it: truncated to microseconds, in
// UTC. The zero time stays zero.
func StoredTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.Truncate(time.Microsecond).UTC()
}

func cloneConcern(c *concernmap.Concern) *concernmap.Concern {
	s := *c
	if c.Reporter != nil {
		r := *c.Reporter
		s.Reporter = &r
	}
	if c.Geometry != nil {
		s.Geometry = orb.Clone(c.Geometry)
	}
	return &s
}

// CheckConcern fails t for every field in which got differs from want.
// Geometries must match exactly, float for float, and times must be equal
// and in UTC.
func CheckConcern(t testing.TB, what string, got, want *concernmap.Concern) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got nil concern, want %s", what, want.ID)
		return
	}
	if d := DiffConcern(got, want); d != "" {
		t.Errorf("%s %s:\n%s", what, want.ID, d)
	}
}

// DiffConcern describes how got differs from want, one field a line, or
// returns "" if they are equal.
func DiffConcern(got, want *concernmap.Concern) string {
	var b strings.Builder
	diff := func(field string, g, w any) {
		fmt.Fprintf(&b, "\t%s: got %v, want %v\n", field, g, w)
	}
	if got.ID != want.ID {
		diff("ID", got.ID, want.ID)
	}
	if got.Category != want.Category {
		diff("Category", got.Category, want.Category)
	}
	if !sameGeometry(got.Geometry, want.Geometry) {
		diff("Geometry", got.Geometry, want.Geometry)
	}
	if got.Title != want.Title {
		diff("Title", got.Title, want.Title)
	}
	if got.Description != want.Description {
		diff("Description", got.Description, want.Description)
	}
	if got.Severity != want.Severity {
		diff("Severity", got.Severity, want.Severity)
	}
	if got.Status != want.Status {
		diff("Status", got.Status, want.Status)
	}
	if got.Affected != want.Affected {
		diff("Affected", got.Affected.Names(), want.Affected.Names())
	}
	if got.WhenDangerous != want.WhenDangerous {
		diff("WhenDangerous", got.WhenDangerous, want.WhenDangerous)
	}
	times := []struct {
		field     string
		got, want time.Time
	}{
		{"ObservedAt", got.ObservedAt, want.ObservedAt},
		{"ReportedAt", got.ReportedAt, want.ReportedAt},
		{"UpdatedAt", got.UpdatedAt, want.UpdatedAt},
		{"DeletedAt", got.DeletedAt, want.DeletedAt},
	}
	for _, tt := range times {
		// == also compares the zone, which must be UTC.
		if tt.got != tt.want {
			diff(tt.field, tt.got, tt.want)
		}
	}
	switch {
	case got.Reporter == nil && want.Reporter == nil:
	case got.Reporter == nil || want.Reporter == nil || *got.Reporter != *want.Reporter:
		diff("Reporter", fmtReporter(got.Reporter), fmtReporter(want.Reporter))
	}
	if got.Area != want.Area {
		diff("Area", got.Area, want.Area)
	}
	if got.Version != want.Version {
		diff("Version", got.Version, want.Version)
	}
	return b.String()
}

// sameGeometry compares type and every coordinate exactly.
func sameGeometry(a, b orb.Geometry) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return orb.Equal(a, b)
}

func fmtReporter(r *uuid.UUID) string {
	if r == nil {
		return "anonymous"
	}
	return r.String()
}

// pcodes numbers the areas NewArea makes, so that each has its own pcode.
var pcodes atomic.Int64

// NewArea returns a valid village tract with a new pcode and every field
// set but those a store fills in: a MultiPolygon with a hole, Burmese names,
// a parent and neighbours.
func NewArea() *concernmap.Area {
	return &concernmap.Area{
		Level:     concernmap.LevelVillageTract,
		PCode:     fmt.Sprintf("MMR013%06d", pcodes.Add(1)),
		NameEN:    "Kyauk Ta Lone",
		NameMY:    "ကျောက်တလုံး",
		Parent:    "MMR013001",
		Geometry:  Geometries()[5].Geometry.(orb.MultiPolygon),
		AreaKM2:   12.345678901234567,
		Neighbors: []string{"MMR013001702", "MMR013001703"},
		Source:    "MIMU 9.4",
	}
}

// NewAreaLike returns a NewArea with a's pcode and every other field
// different, as a re-import of a redrawn boundary would carry.
func NewAreaLike(a *concernmap.Area) *concernmap.Area {
	n := NewArea()
	n.PCode = a.PCode
	n.Level = concernmap.LevelTownship
	n.NameEN, n.NameMY = "Redrawn "+a.NameEN, a.NameMY+" (ပြင်)"
	n.Parent = "MMR013"
	n.Geometry = orb.MultiPolygon{{{{97.3, 19.7}, {97.4, 19.7}, {97.35, 19.800000000000001}, {97.3, 19.7}}}}
	n.AreaKM2 = 0.30000000000000004
	n.Neighbors = []string{"MMR013001704"}
	n.Source = "synthetic"
	return n
}

func cloneArea(a *concernmap.Area) *concernmap.Area {
	c := *a
	c.Geometry = a.Geometry.Clone()
	c.Neighbors = slices.Clone(a.Neighbors)
	return &c
}

// CheckArea fails t for every field in which got differs from want.
// Geometries must match exactly, and times must be equal and in UTC.
func CheckArea(t testing.TB, what string, got, want *concernmap.Area) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got nil area, want %s", what, want.PCode)
		return
	}
	if d := DiffArea(got, want); d != "" {
		t.Errorf("%s %s:\n%s", what, want.PCode, d)
	}
}

// DiffArea describes how got differs from want, one field a line, or
// returns "" if they are equal. No neighbours may be nil or empty.
func DiffArea(got, want *concernmap.Area) string {
	var b strings.Builder
	diff := func(field string, g, w any) {
		fmt.Fprintf(&b, "\t%s: got %v, want %v\n", field, g, w)
	}
	if got.ID != want.ID {
		diff("ID", got.ID, want.ID)
	}
	if got.Level != want.Level {
		diff("Level", got.Level, want.Level)
	}
	if got.PCode != want.PCode {
		diff("PCode", got.PCode, want.PCode)
	}
	if got.NameEN != want.NameEN {
		diff("NameEN", got.NameEN, want.NameEN)
	}
	if got.NameMY != want.NameMY {
		diff("NameMY", got.NameMY, want.NameMY)
	}
	if got.Parent != want.Parent {
		diff("Parent", got.Parent, want.Parent)
	}
	if !sameGeometry(got.Geometry, want.Geometry) {
		diff("Geometry", got.Geometry, want.Geometry)
	}
	// Compared as bits: the area must come back exactly.
	if math.Float64bits(got.AreaKM2) != math.Float64bits(want.AreaKM2) {
		diff("AreaKM2", got.AreaKM2, want.AreaKM2)
	}
	if !slices.Equal(got.Neighbors, want.Neighbors) {
		diff("Neighbors", got.Neighbors, want.Neighbors)
	}
	if got.Source != want.Source {
		diff("Source", got.Source, want.Source)
	}
	// == also compares the zone, which must be UTC.
	if got.UpdatedAt != want.UpdatedAt {
		diff("UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	}
	if got.Version != want.Version {
		diff("Version", got.Version, want.Version)
	}
	return b.String()
}

// NewAreas returns n valid village tracts for benchmarks, each a regular
// polygon of the given number of vertices in its own cell of a grid over
// Myanmar, with the neighbouring cells as its neighbours. They are the same
// on every call.
func NewAreas(n, vertices int) []*concernmap.Area {
	side := int(math.Ceil(math.Sqrt(float64(n))))
	// Myanmar lies within 92-101.2°E, 9.5-28.6°N.
	w, h := 9.2/float64(side), 19.1/float64(side)
	pcode := func(i int) string { return fmt.Sprintf("MMR%09d", i) }
	areas := make([]*concernmap.Area, n)
	for i := range areas {
		row, col := i/side, i%side
		cx, cy := 92+(float64(col)+0.5)*w, 9.5+(float64(row)+0.5)*h
		ring := make(orb.Ring, vertices+1)
		for v := range vertices {
			θ := 2 * math.Pi * float64(v) / float64(vertices)
			ring[v] = orb.Point{cx + 0.45*w*math.Cos(θ), cy + 0.45*h*math.Sin(θ)}
		}
		ring[vertices] = ring[0]
		var neighbors []string
		for dr := -1; dr <= 1; dr++ {
			for dc := -1; dc <= 1; dc++ {
				r, c := row+dr, col+dc
				if j := r*side + c; (dr != 0 || dc != 0) && r >= 0 && c >= 0 && c < side && j < n {
					neighbors = append(neighbors, pcode(j))
				}
			}
		}
		areas[i] = &concernmap.Area{
			Level:     concernmap.LevelVillageTract,
			PCode:     pcode(i),
			NameEN:    fmt.Sprintf("Village tract %d", i),
			NameMY:    "ကျေးရွာအုပ်စု",
			Parent:    fmt.Sprintf("MMR%06d", i/50),
			Geometry:  orb.MultiPolygon{{ring}},
			AreaKM2:   math.Pi * 0.45 * w * 0.45 * h * 111 * 111,
			Neighbors: neighbors,
			Source:    "synthetic",
		}
	}
	return areas
}
