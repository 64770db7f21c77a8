package concernmap_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
)

func valid() *concernmap.Concern {
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	reporter := uuid.MustParse("0b6c9c5e-3f0e-4c1e-9a4e-2a8f5b7d1c3e")
	return &concernmap.Concern{
		ID:            uuid.MustParse("5f0c7c3e-8a51-4d0e-9a8e-7b1f6f2c9d41"),
		Category:      "night_route",
		Geometry:      orb.LineString{{97.62, 16.93}, {97.63, 16.94}},
		Title:         "Route to the rubber plantation",
		Description:   "Tappers leave at 2 a.m.",
		Severity:      4,
		Status:        concernmap.StatusReported,
		Affected:      concernmap.AffectedWomen | concernmap.AffectedGirls,
		WhenDangerous: concernmap.When{Kind: concernmap.WhenWindow, From: 18 * 60, To: 6 * 60},
		ObservedAt:    at,
		ReportedAt:    at.Add(time.Hour),
		UpdatedAt:     at.Add(time.Hour),
		Reporter:      &reporter,
		Version:       1,
	}
}

func TestConcernValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(c *concernmap.Concern)
		field string // "" means valid
	}{
		{"valid", func(c *concernmap.Concern) {}, ""},
		{"nil id", func(c *concernmap.Concern) { c.ID = uuid.Nil }, "id"},
		{"bad category key", func(c *concernmap.Concern) { c.Category = "Land Mine" }, "properties.category"},
		{"no geometry", func(c *concernmap.Concern) { c.Geometry = nil }, "geometry"},
		{"geometry out of range", func(c *concernmap.Concern) { c.Geometry = orb.Point{181, 0} }, "geometry"},
		{"empty title", func(c *concernmap.Concern) { c.Title = "" }, "properties.title"},
		{"long title", func(c *concernmap.Concern) { c.Title = strings.Repeat("မ", 100) }, "properties.title"},
		{"invalid UTF-8", func(c *concernmap.Concern) { c.Description = "\xff" }, "properties.description"},
		{"severity 0", func(c *concernmap.Concern) { c.Severity = 0 }, "properties.severity"},
		{"severity 6", func(c *concernmap.Concern) { c.Severity = 6 }, "properties.severity"},
		{"unknown status", func(c *concernmap.Concern) { c.Status = "done" }, "properties.status"},
		{"unknown group", func(c *concernmap.Concern) { c.Affected = 1 << 12 }, "properties.affected"},
		{"window without span", func(c *concernmap.Concern) { c.WhenDangerous.To = c.WhenDangerous.From }, "properties.when_dangerous.to"},
		{"window past midnight", func(c *concernmap.Concern) { c.WhenDangerous.From = 24 * 60 }, "properties.when_dangerous.from"},
		{"times on a non-window", func(c *concernmap.Concern) { c.WhenDangerous.Kind = concernmap.WhenNight }, "properties.when_dangerous.from"},
		{"unknown when", func(c *concernmap.Concern) { c.WhenDangerous = concernmap.When{Kind: "monsoon"} }, "properties.when_dangerous.kind"},
		{"observed after reported", func(c *concernmap.Concern) { c.ObservedAt = c.ReportedAt.Add(time.Hour) }, "properties.observed_at"},
		{"no observed time", func(c *concernmap.Concern) { c.ObservedAt = time.Time{} }, "properties.observed_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.edit(c)
			err := c.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if got := concernmap.ErrorCode(err); got != concernmap.EINVALID {
				t.Fatalf("code: got %q, want %q (%v)", got, concernmap.EINVALID, err)
			}
			fields := concernmap.ErrorFields(err)
			if len(fields) == 0 || !strings.HasPrefix(fields[0].Field, tt.field) {
				t.Errorf("fields: got %v, want first %q", fields, tt.field)
			}
		})
	}
}

// TestAppendFeature checks the hand-written encoder against encoding/json's
// reading of it.
func TestAppendFeature(t *testing.T) {
	c := valid()
	c.Title = "<script>alert(\"x\")</script> & \u2028 ညလမ်း \x01"
	var f struct {
		Type       string
		ID         string
		Geometry   struct{ Type string }
		Properties map[string]any
	}
	for _, withReporter := range []bool{false, true} {
		b := c.AppendFeature(nil, withReporter)
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, b)
		}
		if strings.Contains(string(b), "<script>") {
			t.Errorf("< and > not escaped: %s", b)
		}
		checks := []struct {
			name      string
			got, want any
		}{
			{"type", f.Type, "Feature"},
			{"id", f.ID, c.ID.String()},
			{"geometry", f.Geometry.Type, "LineString"},
			{"title", f.Properties["title"], c.Title},
			{"severity", f.Properties["severity"], 4.0},
			{"when", f.Properties["when_dangerous"], map[string]any{"kind": "window", "from": "18:00", "to": "06:00"}},
			{"observed_at", f.Properties["observed_at"], "2026-11-01T00:00:00Z"},
			{"area", f.Properties["area"], nil},
		}
		for _, ch := range checks {
			if !equal(ch.got, ch.want) {
				t.Errorf("%s: got %v, want %v", ch.name, ch.got, ch.want)
			}
		}
		if _, has := f.Properties["reporter"]; has != withReporter {
			t.Errorf("reporter present: got %v, want %v", has, withReporter)
		}
	}
}

func equal(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// FuzzAppendJSONString checks that any string, valid UTF-8 or not, encodes
// to JSON that decodes to the same text.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `"quoted" \ back`, "<b>&</b>", "\u2028\u2029", "မိုင်း", "\xff\xfe", "\x00\x1f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := concernmap.AppendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q encodes to invalid JSON %s: %v", s, b, err)
		}
		// Each invalid byte becomes one U+FFFD.
		var want strings.Builder
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			want.WriteRune(r)
			i += size
		}
		if got != want.String() {
			t.Fatalf("round trip: got %q, want %q", got, want.String())
		}
	})
}

func TestParseClock(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"00:00", 0, true}, {"18:30", 18*60 + 30, true}, {"23:59", 23*60 + 59, true},
		{"24:00", 0, false}, {"7:00", 0, false}, {"07:60", 0, false}, {"-1:00", 0, false}, {"07-00", 0, false}, {"", 0, false},
	}
	for _, tt := range tests {
		got, err := concernmap.ParseClock(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseClock(%q): got %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestFeatureTimes checks that times are written as RFC 3339 in UTC to the
// microsecond, the stores' precision, whatever the input's zone and digits.
func TestFeatureTimes(t *testing.T) {
	c := valid()
	zone := time.FixedZone("MMT", 6*3600+1800)
	for i := range 2000 {
		at := time.Unix(int64(i)*7919*3607, int64(i)*104729%1e9).In(zone)
		c.ObservedAt = at
		var f struct {
			Properties struct {
				ObservedAt string `json:"observed_at"`
			}
		}
		if err := json.Unmarshal(c.AppendFeature(nil, false), &f); err != nil {
			t.Fatal(err)
		}
		if want := at.UTC().Truncate(time.Microsecond).Format(concernmap.TimeFormat); f.Properties.ObservedAt != want {
			t.Fatalf("got %s, want %s", f.Properties.ObservedAt, want)
		}
	}
}
