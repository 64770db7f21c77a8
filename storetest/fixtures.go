package storetest

import (
	"fmt"
	"strings"
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
