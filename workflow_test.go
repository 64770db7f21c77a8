package concernmap_test

import (
	"testing"
	"time"

	"github.com/concernmap/concernmap"
)

// TestWorkflowTable checks the shape of the table: every status but closed
// can be closed with a reason, closed can be reopened, no move repeats and
// no move stays put.
func TestWorkflowTable(t *testing.T) {
	seen := map[[2]concernmap.Status]bool{}
	for _, m := range concernmap.Workflow {
		k := [2]concernmap.Status{m.From, m.To}
		switch {
		case seen[k]:
			t.Errorf("%s → %s is in the table twice", m.From, m.To)
		case m.From == m.To:
			t.Errorf("%s → %s moves nowhere", m.From, m.To)
		case !m.From.Valid() || !m.To.Valid():
			t.Errorf("%s → %s names an unknown status", m.From, m.To)
		case len(m.Roles) == 0:
			t.Errorf("%s → %s: no role may make it", m.From, m.To)
		}
		seen[k] = true
	}
	for _, s := range concernmap.Statuses {
		if s == concernmap.StatusClosed {
			continue
		}
		m, ok := concernmap.FindMove(s, concernmap.StatusClosed)
		if !ok || !m.NeedsNote || !m.Allows(concernmap.RoleCoordinator) {
			t.Errorf("%s → closed: got %+v, %v; want a coordinator's move with a reason", s, m, ok)
		}
	}
	if m, ok := concernmap.FindMove(concernmap.StatusClosed, concernmap.StatusReported); !ok || !m.Allows(concernmap.RoleCoordinator) {
		t.Errorf("a coordinator cannot reopen a closed concern")
	}
	for _, m := range concernmap.Workflow {
		if m.Allows(concernmap.RoleMember) || m.Allows(concernmap.RoleAdvocate) {
			t.Errorf("%s → %s: members and advocates make no moves", m.From, m.To)
		}
	}
}

func TestDateValidate(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"2026-12-01", true},
		{"2026-02-29", false},
		{"2028-02-29", true},
		{"2026-12-1", false},
		{"1999-12-31", false},
		{"2026-12-01T00:00:00Z", false},
		{"", false},
	}
	for _, tt := range tests {
		err := concernmap.Date(tt.in).Validate("due")
		if got := err == nil; got != tt.ok {
			t.Errorf("Date(%q).Validate: got ok=%v, want %v (%v)", tt.in, got, tt.ok, err)
		}
	}
	// 18:00 UTC is already the next day in Myanmar.
	if got, want := concernmap.DateOf(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC), concernmap.DefaultZone), concernmap.Date("2026-11-26"); got != want {
		t.Errorf("DateOf: got %s, want %s", got, want)
	}
}

func TestPlanNextReview(t *testing.T) {
	tests := []struct {
		name    string
		dates   []concernmap.Date
		reviews []concernmap.Date
		today   concernmap.Date
		next    concernmap.Date
		due     bool
	}{
		{"none", nil, nil, "2026-11-25", "", false},
		{"future", []concernmap.Date{"2026-12-01"}, nil, "2026-11-25", "2026-12-01", false},
		{"today", []concernmap.Date{"2026-12-01", "2026-11-25"}, nil, "2026-11-25", "2026-11-25", true},
		{"missed", []concernmap.Date{"2026-11-01"}, nil, "2026-11-25", "2026-11-01", true},
		{"reviewed late covers it", []concernmap.Date{"2026-11-01", "2027-01-01"}, []concernmap.Date{"2026-11-03"}, "2026-11-25", "2027-01-01", false},
		{"all reviewed", []concernmap.Date{"2026-11-01"}, []concernmap.Date{"2026-11-01"}, "2026-11-25", "", false},
	}
	for _, tt := range tests {
		p := &concernmap.ActionPlan{ReviewDates: tt.dates}
		for _, d := range tt.reviews {
			p.Reviews = append(p.Reviews, concernmap.Review{Date: d})
		}
		if got := p.NextReview(); got != tt.next {
			t.Errorf("%s: NextReview got %q, want %q", tt.name, got, tt.next)
		}
		if got := p.ReviewDue(tt.today); got != tt.due {
			t.Errorf("%s: ReviewDue got %v, want %v", tt.name, got, tt.due)
		}
	}
}
