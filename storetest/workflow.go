package storetest

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/concernmap/concernmap"
)

// workflowStore returns s as a WorkflowStore, failing t if it is not one.
func workflowStore(t *testing.T, s concernmap.ConcernStore) concernmap.WorkflowStore {
	t.Helper()
	if w, ok := s.(*store); ok {
		s = w.ConcernStore
	}
	ws, ok := s.(concernmap.WorkflowStore)
	if !ok {
		t.Fatalf("%T does not implement concernmap.WorkflowStore", s)
	}
	return ws
}

// NewRequest returns a valid request, sent and not yet answered, about the
// given concerns, or one new concern ID if none is given. Every field is
// set, and its times carry nanoseconds and a zone, which a store must keep.
func NewRequest(concerns ...uuid.UUID) *concernmap.Request {
	if len(concerns) == 0 {
		concerns = []uuid.UUID{uuid.New()}
	}
	by := uuid.New()
	created := time.Date(2025, 6, 2, 9, 15, 0, 123456789, yangon)
	return &concernmap.Request{
		ID:        uuid.New(),
		Area:      "MMR013001701",
		Concerns:  concerns,
		Ask:       "ကျောင်းသွားလမ်းတွင် လမ်းမီးများ တပ်ဆင်ပေးပါ။\nPlease light the path to the school before the rains.",
		Due:       concernmap.Date("2026-12-01"),
		Status:    concernmap.RequestSent,
		RoutedTo:  []uuid.UUID{uuid.New(), uuid.New()},
		CreatedBy: &by,
		CreatedAt: created,
		UpdatedAt: created,
	}
}

// NewActionPlan returns a valid action plan about the given concerns, with
// every field set but its reviews. Its indicators need every bit of a
// float64, and its times carry nanoseconds and a zone.
func NewActionPlan(concerns ...uuid.UUID) *concernmap.ActionPlan {
	by := uuid.New()
	created := time.Date(2025, 6, 4, 16, 0, 0, 987654321, yangon)
	return &concernmap.ActionPlan{
		ID:      uuid.New(),
		Area:    "MMR013001701",
		Title:   "လမ်းမီး — Light the path to the school",
		Problem: "ညဘက် ကျောင်းသွားလမ်း မှောင်နေသည်။\nThe path to the school is dark at night, and two girls were followed there.",
		Steps:   []string{"Meet the village tract administrator", "ရန်ပုံငွေ စုဆောင်းရန်"},
		Tasks: []concernmap.Task{
			{Title: "Ask the township for solar lights", Assignee: uuid.New(), Due: "2026-08-15"},
		},
		Objectives: []concernmap.Objective{{
			Text: "Light the whole path",
			Indicators: []concernmap.Indicator{
				{Name: "lights working", Unit: "lights", Baseline: 0, Target: 12, Current: 0.30000000000000004},
				{Name: "girls who feel safe", Unit: "%", Baseline: 12.5, Target: 90, Current: 1e-7},
			},
		}},
		ReviewDates: []concernmap.Date{"2026-07-01", "2026-10-01"},
		Concerns:    concerns,
		CreatedBy:   &by,
		CreatedAt:   created,
		UpdatedAt:   created,
	}
}

// checkJSON fails t unless got and want marshal to the same bytes: a
// request or a plan must come back exactly as it was written.
func checkJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	if g, w := mustMarshal(got), mustMarshal(want); !bytes.Equal(g, w) {
		t.Errorf("%s:\n\tgot  %s\n\twant %s", what, g, w)
	}
}

func mustWrite(t *testing.T, ctx context.Context, s concernmap.WorkflowStore, w *concernmap.WorkflowWrite) []*concernmap.Concern {
	t.Helper()
	moved, err := s.WriteWorkflow(ctx, w)
	if err != nil {
		t.Fatalf("write workflow: %v", err)
	}
	return moved
}

func findMoves(t *testing.T, s concernmap.WorkflowStore, id uuid.UUID) []*concernmap.ConcernMove {
	t.Helper()
	got, err := s.FindConcernMoves(t.Context(), id)
	if err != nil {
		t.Fatalf("find moves of %s: %v", id, err)
	}
	return got
}

// movedBy returns c as a store leaves it after m.
func movedBy(c *concernmap.Concern, m *concernmap.ConcernMove) *concernmap.Concern {
	w := cloneConcern(c)
	w.Status, w.Version, w.UpdatedAt = m.To, c.Version+1, StoredTime(m.At)
	return w
}

// checkMoved checks that a write returned want, in order, and that the
// store holds the last of each concern.
func checkMoved(t *testing.T, s concernmap.ConcernStore, got []*concernmap.Concern, want ...*concernmap.Concern) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d moved concerns, want %d", len(got), len(want))
	}
	last := map[uuid.UUID]*concernmap.Concern{}
	for i := range want {
		CheckConcern(t, fmt.Sprint("moved ", i), got[i], want[i])
		last[want[i].ID] = want[i]
	}
	for _, c := range last {
		checkUnchanged(t, s, c)
	}
}

// checkMoves checks that the store recorded exactly want of concern id,
// in order, as it returns them: At to the microsecond in UTC and no
// IfVersion.
func checkMoves(t *testing.T, s concernmap.WorkflowStore, id uuid.UUID, want ...*concernmap.ConcernMove) {
	t.Helper()
	got := findMoves(t, s, id)
	if len(got) != len(want) {
		t.Errorf("moves of %s: got %d, want %d", id, len(got), len(want))
		return
	}
	for i, g := range got {
		w := *want[i]
		w.At, w.IfVersion = StoredTime(w.At), 0
		if g.ConcernID != w.ConcernID || g.From != w.From || g.To != w.To || g.Note != w.Note ||
			!sameUser(g.By, w.By) || g.At != w.At || !sameUser(g.Request, w.Request) ||
			!sameUser(g.Plan, w.Plan) || g.IfVersion != 0 {
			t.Errorf("move %d of %s:\n\tgot  %s\n\twant %s", i, id, fmtMove(g), fmtMove(&w))
		}
	}
}

func fmtMove(m *concernmap.ConcernMove) string {
	id := func(p *uuid.UUID) string {
		if p == nil {
			return "none"
		}
		return p.String()
	}
	return fmt.Sprintf("%s %s→%s note %q by %s at %v request %s plan %s if-version %d",
		m.ConcernID, m.From, m.To, m.Note, id(m.By), m.At, id(m.Request), id(m.Plan), m.IfVersion)
}

func testWorkflowMoves(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	ws := workflowStore(t, s)
	a := mustCreate(t, s, NewConcern())
	// b at version 2, so that a move checked against it names a version
	// other than the first.
	b := mustCreate(t, s, NewConcern())
	b = mustUpdate(t, s, b.ID, concernmap.ConcernUpdate{Severity: ptr(5)}, 0)
	if got := findMoves(t, ws, a.ID); len(got) != 0 {
		t.Errorf("before any move: got %d moves, want 0", len(got))
	}

	req := NewRequest(a.ID, b.ID)
	by := uuid.New()
	at := time.Date(2025, 6, 3, 8, 0, 0, 987654321, yangon)
	sent := []*concernmap.ConcernMove{
		{ConcernID: a.ID, From: concernmap.StatusVerified, To: concernmap.StatusRequested,
			Note: "မြို့နယ်သို့ တောင်းဆိုပြီး — asked the township", By: &by, At: at, Request: &req.ID, IfVersion: a.Version},
		// Unconditional, by the system, with no note.
		{ConcernID: b.ID, From: concernmap.StatusVerified, To: concernmap.StatusRequested, At: at, Request: &req.ID},
	}
	got := mustWrite(t, t.Context(), ws, &concernmap.WorkflowWrite{Moves: sent, Request: req,
		RequestAction: "request.create", Now: now})
	a, b = movedBy(a, sent[0]), movedBy(b, sent[1])
	checkMoved(t, s, got, a, b)

	// Moves are kept in the order they were made, whatever their times say.
	plan := NewActionPlan(a.ID)
	started := &concernmap.ConcernMove{ConcernID: a.ID, From: concernmap.StatusRequested, To: concernmap.StatusInProgress,
		At: at.Add(time.Hour), Plan: &plan.ID, IfVersion: a.Version}
	got = mustWrite(t, t.Context(), ws, &concernmap.WorkflowWrite{Moves: []*concernmap.ConcernMove{started},
		Plan: plan, PlanAction: "plan.create", Now: now})
	a = movedBy(a, started)
	checkMoved(t, s, got, a)
	resolved := &concernmap.ConcernMove{ConcernID: a.ID, From: concernmap.StatusInProgress, To: concernmap.StatusResolved,
		Note: "lights installed", By: &by, At: at.Add(-time.Hour), Request: &req.ID, Plan: &plan.ID}
	got = mustWrite(t, t.Context(), ws, &concernmap.WorkflowWrite{Moves: []*concernmap.ConcernMove{resolved}, Now: now})
	a = movedBy(a, resolved)
	checkMoved(t, s, got, a)
	checkMoves(t, ws, a.ID, sent[0], started, resolved)
	checkMoves(t, ws, b.ID, sent[1])

	// A later move in one write sees the earlier ones, even of its concern.
	c := mustCreate(t, s, NewConcern())
	twice := []*concernmap.ConcernMove{
		{ConcernID: c.ID, From: concernmap.StatusVerified, To: concernmap.StatusPrioritised, At: at, IfVersion: c.Version},
		{ConcernID: c.ID, From: concernmap.StatusPrioritised, To: concernmap.StatusActionPlanned, At: at.Add(time.Minute), IfVersion: c.Version + 1},
	}
	got = mustWrite(t, t.Context(), ws, &concernmap.WorkflowWrite{Moves: twice, Now: now})
	first := movedBy(c, twice[0])
	checkMoved(t, s, got, first, movedBy(first, twice[1]))
	checkMoves(t, ws, c.ID, twice...)

	// A deleted concern keeps its moves; an unknown one has none to find.
	if _, err := s.DeleteConcern(t.Context(), b.ID, 0, now); err != nil {
		t.Fatalf("delete: %v", err)
	}
	checkMoves(t, ws, b.ID, sent[1])
	if _, err := ws.FindConcernMoves(t.Context(), uuid.New()); concernmap.ErrorCode(err) != concernmap.ENOTFOUND {
		t.Errorf("moves of an unknown concern: got %v, want code %q", err, concernmap.ENOTFOUND)
	}
	// A write of nothing is no error.
	if got, err := ws.WriteWorkflow(t.Context(), &concernmap.WorkflowWrite{Now: now}); err != nil || len(got) != 0 {
		t.Errorf("empty write: got %d, %v, want none, nil", len(got), err)
	}
}

func testWorkflowMoveErrors(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	ws := workflowStore(t, s)
	us := userStore(t, s)
	ctx, actor := asActor(t)
	tests := []struct {
		name      string
		deleted   bool
		unknownID bool
		modify    func(m *concernmap.ConcernMove)
		wantCode  string
		field     string
	}{
		{name: "at its version", modify: func(*concernmap.ConcernMove) {}},
		{name: "unconditional", modify: func(m *concernmap.ConcernMove) { m.IfVersion = 0 }},
		{name: "note at the bound", modify: func(m *concernmap.ConcernMove) {
			m.Note = strings.Repeat("က", concernmap.MaxNoteLen/3) + strings.Repeat("a", concernmap.MaxNoteLen%3)
		}},
		{name: "unknown concern", unknownID: true, modify: func(*concernmap.ConcernMove) {}, wantCode: concernmap.ENOTFOUND},
		{name: "deleted, stale and elsewhere", deleted: true, modify: func(m *concernmap.ConcernMove) {
			m.IfVersion, m.From = 1, concernmap.StatusReported
		}, wantCode: concernmap.EGONE},
		{name: "deleted, unconditional", deleted: true, modify: func(m *concernmap.ConcernMove) { m.IfVersion = 0 }, wantCode: concernmap.EGONE},
		{name: "stale and elsewhere", modify: func(m *concernmap.ConcernMove) {
			m.IfVersion, m.From = m.IfVersion-1, concernmap.StatusReported
		}, wantCode: concernmap.EPRECONDITION},
		{name: "future version", modify: func(m *concernmap.ConcernMove) { m.IfVersion++ }, wantCode: concernmap.EPRECONDITION},
		{name: "elsewhere", modify: func(m *concernmap.ConcernMove) { m.From = concernmap.StatusPrioritised }, wantCode: concernmap.ECONFLICT},
		{name: "elsewhere, unconditional", modify: func(m *concernmap.ConcernMove) {
			m.IfVersion, m.From = 0, concernmap.StatusReported
		}, wantCode: concernmap.ECONFLICT},
		{name: "unknown status", modify: func(m *concernmap.ConcernMove) { m.To = "lost" }, wantCode: concernmap.EINVALID, field: "moves[0].to"},
		{name: "no status", modify: func(m *concernmap.ConcernMove) { m.To = "" }, wantCode: concernmap.EINVALID, field: "moves[0].to"},
		{name: "note too long", modify: func(m *concernmap.ConcernMove) {
			m.Note = strings.Repeat("a", concernmap.MaxNoteLen+1)
		}, wantCode: concernmap.EINVALID, field: "moves[0].note"},
		{name: "note not UTF-8", modify: func(m *concernmap.ConcernMove) { m.Note = "bad \xff" }, wantCode: concernmap.EINVALID, field: "moves[0].note"},
		{name: "no time", modify: func(m *concernmap.ConcernMove) { m.At = time.Time{} }, wantCode: concernmap.EINVALID, field: "moves[0].at"},
		// The move is checked before the store is read.
		{name: "invalid and unknown", unknownID: true, modify: func(m *concernmap.ConcernMove) { m.To = "lost" },
			wantCode: concernmap.EINVALID, field: "moves[0].to"},
	}
	succeeded := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCreate(t, s, NewConcern())
			// Take it past version 1, so that "stale" has a version to name.
			c = mustUpdate(t, s, c.ID, concernmap.ConcernUpdate{Severity: ptr(5)}, 0)
			if tt.deleted {
				var err error
				if c, err = s.DeleteConcern(t.Context(), c.ID, 0, now); err != nil {
					t.Fatalf("delete: %v", err)
				}
			}
			id := c.ID
			if tt.unknownID {
				id = uuid.New()
			}
			m := &concernmap.ConcernMove{ConcernID: id, From: concernmap.StatusVerified, To: concernmap.StatusPrioritised,
				Note: "checked with the women's group", At: now, IfVersion: c.Version}
			tt.modify(m)

			got, err := ws.WriteWorkflow(ctx, &concernmap.WorkflowWrite{Moves: []*concernmap.ConcernMove{m}, Now: now})
			if code := concernmap.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("got code %q (%v), want %q", code, err, tt.wantCode)
			}
			if tt.wantCode == "" {
				succeeded++
				checkMoved(t, s, got, movedBy(c, m))
				checkMoves(t, ws, c.ID, m)
				return
			}
			checkNoLeak(t, err)
			if tt.field != "" {
				checkInvalid(t, err, tt.field)
			}
			if got != nil {
				t.Errorf("got %d moved concerns, want none", len(got))
			}
			if tt.unknownID {
				checkNotFound(t, s, id)
			}
			checkUnchanged(t, s, c)
			checkMoves(t, ws, c.ID)
		})
	}
	// Failed moves log nothing.
	if n := len(findAudit(t, us, concernmap.AuditFilter{UserID: actor.UserID})); n != succeeded {
		t.Errorf("got %d events of the actor, want %d, one a move", n, succeeded)
	}
}

// docKind lets one set of tests cover requests and action plans, which a
// store versions, keeps and logs alike.
type docKind[T any] struct {
	entity         string // in the audit log
	create, update string // audit actions
	new            func(concerns ...uuid.UUID) T
	id             func(T) uuid.UUID
	version        func(T) int
	created        func(T) time.Time
	setCreated     func(T, time.Time)
	clone          func(T) T
	// edit changes the document as a later step of the workflow would.
	edit    func(doc T, at time.Time)
	put     func(w *concernmap.WorkflowWrite, doc T, version int, action string)
	find    func(ctx context.Context, s concernmap.WorkflowStore, id uuid.UUID) (T, error)
	findAll func(ctx context.Context, s concernmap.WorkflowStore) ([]T, error)
	// invalid lists changes that Validate refuses, with the field it names.
	invalid []struct {
		name   string
		modify func(T)
		field  string
	}
}

var requestKind = docKind[*concernmap.Request]{
	entity: "request", create: "request.create", update: "request.respond",
	new:        NewRequest,
	id:         func(r *concernmap.Request) uuid.UUID { return r.ID },
	version:    func(r *concernmap.Request) int { return r.Version },
	created:    func(r *concernmap.Request) time.Time { return r.CreatedAt },
	setCreated: func(r *concernmap.Request, at time.Time) { r.CreatedAt, r.UpdatedAt = at, at },
	clone:      (*concernmap.Request).Clone,
	edit: func(r *concernmap.Request, at time.Time) {
		by := uuid.New()
		r.Status = concernmap.RequestScheduled
		r.Responses = append(r.Responses, concernmap.Response{Status: concernmap.RequestScheduled,
			Message: "နောက်လ တပ်ဆင်မည်။ We will install them next month.", ScheduledFor: "2026-08-01", By: &by, At: at})
		r.UpdatedAt, r.AcknowledgedAt = at, &at
	},
	put: func(w *concernmap.WorkflowWrite, r *concernmap.Request, version int, action string) {
		w.Request, w.RequestVersion, w.RequestAction = r, version, action
	},
	find: func(ctx context.Context, s concernmap.WorkflowStore, id uuid.UUID) (*concernmap.Request, error) {
		return s.FindRequest(ctx, id)
	},
	findAll: func(ctx context.Context, s concernmap.WorkflowStore) ([]*concernmap.Request, error) {
		return s.FindRequests(ctx)
	},
	invalid: []struct {
		name   string
		modify func(*concernmap.Request)
		field  string
	}{
		{"nil id", func(r *concernmap.Request) { r.ID = uuid.Nil }, "id"},
		{"area", func(r *concernmap.Request) { r.Area = "Kyauk Ta Lone" }, "area"},
		{"no ask", func(r *concernmap.Request) { r.Ask = "" }, "ask"},
		{"due", func(r *concernmap.Request) { r.Due = "2026-02-30" }, "due"},
		{"no concerns", func(r *concernmap.Request) { r.Concerns = nil }, "concerns"},
		{"repeated concern", func(r *concernmap.Request) { r.Concerns = []uuid.UUID{r.Concerns[0], r.Concerns[0]} }, "concerns[1]"},
		{"status", func(r *concernmap.Request) { r.Status = "lost" }, "status"},
	},
}

var planKind = docKind[*concernmap.ActionPlan]{
	entity: "action_plan", create: "plan.create", update: "plan.review",
	new:        NewActionPlan,
	id:         func(p *concernmap.ActionPlan) uuid.UUID { return p.ID },
	version:    func(p *concernmap.ActionPlan) int { return p.Version },
	created:    func(p *concernmap.ActionPlan) time.Time { return p.CreatedAt },
	setCreated: func(p *concernmap.ActionPlan, at time.Time) { p.CreatedAt, p.UpdatedAt = at, at },
	clone:      (*concernmap.ActionPlan).Clone,
	edit: func(p *concernmap.ActionPlan, at time.Time) {
		by := uuid.New()
		p.Reviews = append(p.Reviews, concernmap.Review{At: at, Date: "2026-07-01", By: &by,
			Note: "အလင်းရောင် ကောင်းသည်။ Four lights work."})
		p.Tasks[0].Done = true
		p.Objectives[0].Indicators[0].Current = 4
		p.UpdatedAt = at
	},
	put: func(w *concernmap.WorkflowWrite, p *concernmap.ActionPlan, version int, action string) {
		w.Plan, w.PlanVersion, w.PlanAction = p, version, action
	},
	find: func(ctx context.Context, s concernmap.WorkflowStore, id uuid.UUID) (*concernmap.ActionPlan, error) {
		return s.FindActionPlan(ctx, id)
	},
	findAll: func(ctx context.Context, s concernmap.WorkflowStore) ([]*concernmap.ActionPlan, error) {
		return s.FindActionPlans(ctx)
	},
	invalid: []struct {
		name   string
		modify func(*concernmap.ActionPlan)
		field  string
	}{
		{"nil id", func(p *concernmap.ActionPlan) { p.ID = uuid.Nil }, "id"},
		{"area", func(p *concernmap.ActionPlan) { p.Area = "" }, "area"},
		{"no title", func(p *concernmap.ActionPlan) { p.Title = "" }, "title"},
		{"no problem", func(p *concernmap.ActionPlan) { p.Problem = "" }, "problem"},
		{"task without assignee", func(p *concernmap.ActionPlan) { p.Tasks[0].Assignee = uuid.Nil }, "tasks[0].assignee"},
		{"NaN target", func(p *concernmap.ActionPlan) { p.Objectives[0].Indicators[1].Target = math.NaN() }, "objectives[0].indicators[1].target"},
		{"review date", func(p *concernmap.ActionPlan) { p.ReviewDates[1] = "2026-13-01" }, "review_dates[1]"},
	},
}

func testWorkflowRequest(t *testing.T, fresh freshFunc) { testWorkflowDoc(t, fresh, requestKind) }

func testWorkflowPlan(t *testing.T, fresh freshFunc) { testWorkflowDoc(t, fresh, planKind) }

// testWorkflowDoc checks the versions, conflicts, validation and order of
// one kind of document.
func testWorkflowDoc[T any](t *testing.T, fresh freshFunc, k docKind[T]) {
	s, _ := start(t, fresh)
	ws := workflowStore(t, s)
	// write and find take the t of the subtest that calls them.
	write := func(t *testing.T, doc T, version int, action string) error {
		t.Helper()
		w := &concernmap.WorkflowWrite{Now: now}
		k.put(w, doc, version, action)
		moved, err := ws.WriteWorkflow(t.Context(), w)
		if len(moved) != 0 {
			t.Errorf("got %d moved concerns, want none", len(moved))
		}
		return err
	}
	find := func(t *testing.T, id uuid.UUID) T {
		t.Helper()
		got, err := k.find(t.Context(), ws, id)
		if err != nil {
			t.Fatalf("find %s: %v", id, err)
		}
		return got
	}
	all := func() []T {
		t.Helper()
		got, err := k.findAll(t.Context(), ws)
		if err != nil {
			t.Fatalf("find all: %v", err)
		}
		return got
	}
	if got := all(); len(got) != 0 {
		t.Errorf("empty store: got %d, want none", len(got))
	}

	stored := k.new()
	if err := write(t, stored, 0, k.create); err != nil {
		t.Fatalf("create: %v", err)
	}
	if v := k.version(stored); v != 1 {
		t.Errorf("create: got version %d, want 1", v)
	}
	checkJSON(t, "create", find(t, k.id(stored)), stored)

	edited := k.clone(stored)
	k.edit(edited, now.Add(time.Hour))
	if err := write(t, edited, 1, k.update); err != nil {
		t.Fatalf("update: %v", err)
	}
	if v := k.version(edited); v != 2 {
		t.Errorf("update: got version %d, want 2", v)
	}
	stored = edited
	checkJSON(t, "update", find(t, k.id(stored)), stored)

	later := now.Add(2 * time.Hour)
	unknown := k.new()
	changed := func() T {
		d := k.clone(stored)
		k.edit(d, later)
		return d
	}
	tests := []struct {
		name     string
		doc      T
		version  int
		wantCode string
		field    string
	}{
		{"id taken", changed(), 0, concernmap.ECONFLICT, "id"},
		{"stale version", changed(), 1, concernmap.EPRECONDITION, ""},
		{"future version", changed(), 3, concernmap.EPRECONDITION, ""},
		{"unknown id", unknown, 1, concernmap.ENOTFOUND, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			version := k.version(tt.doc)
			err := write(t, tt.doc, tt.version, k.update)
			checkCode(t, tt.name, err, tt.wantCode)
			if tt.field != "" {
				checkConflict(t, err, tt.field)
			}
			if got := k.version(tt.doc); got != version {
				t.Errorf("got the caller's version %d, want it left at %d", got, version)
			}
			checkJSON(t, "unchanged", find(t, k.id(stored)), stored)
		})
	}
	if _, err := k.find(t.Context(), ws, k.id(unknown)); concernmap.ErrorCode(err) != concernmap.ENOTFOUND {
		t.Errorf("find unknown: got %v, want code %q", err, concernmap.ENOTFOUND)
	}

	for _, tt := range k.invalid {
		t.Run("invalid "+tt.name, func(t *testing.T) {
			d := k.new()
			tt.modify(d)
			checkInvalid(t, write(t, d, 0, k.create), tt.field)
			if _, err := k.find(t.Context(), ws, k.id(d)); concernmap.ErrorCode(err) != concernmap.ENOTFOUND {
				t.Errorf("find after create: got %v, want code %q", err, concernmap.ENOTFOUND)
			}
			// The document is checked before its version.
			d = changed()
			tt.modify(d)
			checkInvalid(t, write(t, d, 1, k.update), tt.field)
			checkJSON(t, "unchanged", find(t, k.id(stored)), stored)
		})
	}

	// The list runs by CreatedAt to the microsecond, then by ID; the last
	// three share a microsecond.
	base := time.Date(2025, 6, 5, 8, 0, 0, 0, time.UTC)
	want := []T{stored}
	for _, at := range []time.Time{
		base.Add(2 * time.Hour), base, base.Add(time.Hour), base.Add(time.Hour + 500), base.Add(time.Hour + 900).In(yangon),
	} {
		d := k.new()
		k.setCreated(d, at)
		if err := write(t, d, 0, k.create); err != nil {
			t.Fatalf("create at %v: %v", at, err)
		}
		want = append(want, d)
	}
	slices.SortFunc(want, func(a, b T) int {
		ida, idb := k.id(a), k.id(b)
		return cmp.Or(StoredTime(k.created(a)).Compare(StoredTime(k.created(b))), bytes.Compare(ida[:], idb[:]))
	})
	got := all()
	if len(got) != len(want) {
		t.Fatalf("find all: got %d, want %d", len(got), len(want))
	}
	for i := range want {
		checkJSON(t, fmt.Sprint("find all ", i), got[i], want[i])
	}
}

func testWorkflowAtomic(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	ws := workflowStore(t, s)
	us := userStore(t, s)
	existingReq, existingPlan := NewRequest(), NewActionPlan()
	mustWrite(t, t.Context(), ws, &concernmap.WorkflowWrite{Request: existingReq, RequestAction: "request.create",
		Plan: existingPlan, PlanAction: "plan.create", Now: now})
	ctx, actor := asActor(t)

	// Each write moves a, creates a request and a plan, and then fails on
	// what fail adds.
	tests := []struct {
		name     string
		deleteB  bool
		fail     func(w *concernmap.WorkflowWrite, a, b *concernmap.Concern)
		wantCode string
	}{
		{name: "future version", fail: func(w *concernmap.WorkflowWrite, a, b *concernmap.Concern) {
			w.Moves = append(w.Moves, &concernmap.ConcernMove{ConcernID: b.ID, From: concernmap.StatusVerified,
				To: concernmap.StatusRequested, At: now, IfVersion: b.Version + 1})
		}, wantCode: concernmap.EPRECONDITION},
		{name: "elsewhere", fail: func(w *concernmap.WorkflowWrite, a, b *concernmap.Concern) {
			w.Moves = append(w.Moves, &concernmap.ConcernMove{ConcernID: b.ID, From: concernmap.StatusPrioritised,
				To: concernmap.StatusRequested, At: now, IfVersion: b.Version})
		}, wantCode: concernmap.ECONFLICT},
		{name: "deleted", deleteB: true, fail: func(w *concernmap.WorkflowWrite, a, b *concernmap.Concern) {
			w.Moves = append(w.Moves, &concernmap.ConcernMove{ConcernID: b.ID, From: concernmap.StatusVerified,
				To: concernmap.StatusRequested, At: now})
		}, wantCode: concernmap.EGONE},
		{name: "unknown concern", fail: func(w *concernmap.WorkflowWrite, a, b *concernmap.Concern) {
			w.Moves = append(w.Moves, &concernmap.ConcernMove{ConcernID: uuid.New(), From: concernmap.StatusVerified,
				To: concernmap.StatusRequested, At: now})
		}, wantCode: concernmap.ENOTFOUND},
		{name: "the first concern again, from where it was", fail: func(w *concernmap.WorkflowWrite, a, b *concernmap.Concern) {
			w.Moves = append(w.Moves, &concernmap.ConcernMove{ConcernID: a.ID, From: concernmap.StatusVerified,
				To: concernmap.StatusClosed, Note: "duplicate", At: now})
		}, wantCode: concernmap.ECONFLICT},
		{name: "request id taken", fail: func(w *concernmap.WorkflowWrite, a, b *concernmap.Concern) {
			w.Request = existingReq.Clone()
			w.Request.Ask = "asked again"
		}, wantCode: concernmap.ECONFLICT},
		{name: "request at another version", fail: func(w *concernmap.WorkflowWrite, a, b *concernmap.Concern) {
			w.Request, w.RequestVersion, w.RequestAction = existingReq.Clone(), 2, "request.respond"
		}, wantCode: concernmap.EPRECONDITION},
		{name: "unknown request", fail: func(w *concernmap.WorkflowWrite, a, b *concernmap.Concern) {
			w.RequestVersion, w.RequestAction = 1, "request.respond"
		}, wantCode: concernmap.ENOTFOUND},
		{name: "invalid request", fail: func(w *concernmap.WorkflowWrite, a, b *concernmap.Concern) {
			w.Request.Ask = ""
		}, wantCode: concernmap.EINVALID},
		{name: "plan id taken", fail: func(w *concernmap.WorkflowWrite, a, b *concernmap.Concern) {
			w.Plan = existingPlan.Clone()
			w.Plan.Title = "planned again"
		}, wantCode: concernmap.ECONFLICT},
		{name: "plan at another version", fail: func(w *concernmap.WorkflowWrite, a, b *concernmap.Concern) {
			w.Plan, w.PlanVersion, w.PlanAction = existingPlan.Clone(), 3, "plan.update"
		}, wantCode: concernmap.EPRECONDITION},
		{name: "unknown plan", fail: func(w *concernmap.WorkflowWrite, a, b *concernmap.Concern) {
			w.PlanVersion, w.PlanAction = 1, "plan.update"
		}, wantCode: concernmap.ENOTFOUND},
		{name: "invalid plan", fail: func(w *concernmap.WorkflowWrite, a, b *concernmap.Concern) {
			w.Plan.Title = ""
		}, wantCode: concernmap.EINVALID},
		{name: "invalid move", fail: func(w *concernmap.WorkflowWrite, a, b *concernmap.Concern) {
			w.Moves = append(w.Moves, &concernmap.ConcernMove{ConcernID: b.ID, From: concernmap.StatusVerified,
				To: "lost", At: now})
		}, wantCode: concernmap.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := mustCreate(t, s, NewConcern()), mustCreate(t, s, NewConcern())
			if tt.deleteB {
				var err error
				if b, err = s.DeleteConcern(t.Context(), b.ID, 0, now); err != nil {
					t.Fatalf("delete: %v", err)
				}
			}
			req, plan := NewRequest(a.ID), NewActionPlan(a.ID)
			w := &concernmap.WorkflowWrite{
				Moves: []*concernmap.ConcernMove{{ConcernID: a.ID, From: concernmap.StatusVerified,
					To: concernmap.StatusRequested, At: now, Request: &req.ID, IfVersion: a.Version}},
				Request: req, RequestAction: "request.create",
				Plan: plan, PlanAction: "plan.create",
				Now: now,
			}
			tt.fail(w, a, b)
			reqVersion, planVersion := w.Request.Version, w.Plan.Version

			got, err := ws.WriteWorkflow(ctx, w)
			checkCode(t, "write", err, tt.wantCode)
			if got != nil {
				t.Errorf("got %d moved concerns, want none", len(got))
			}
			checkUnchanged(t, s, a)
			checkUnchanged(t, s, b)
			checkMoves(t, ws, a.ID)
			checkMoves(t, ws, b.ID)
			if w.Request.Version != reqVersion || w.Plan.Version != planVersion {
				t.Errorf("got the caller's versions %d and %d, want them left at %d and %d",
					w.Request.Version, w.Plan.Version, reqVersion, planVersion)
			}
			if _, err := ws.FindRequest(t.Context(), req.ID); concernmap.ErrorCode(err) != concernmap.ENOTFOUND {
				t.Errorf("find request: got %v, want code %q", err, concernmap.ENOTFOUND)
			}
			if _, err := ws.FindActionPlan(t.Context(), plan.ID); concernmap.ErrorCode(err) != concernmap.ENOTFOUND {
				t.Errorf("find plan: got %v, want code %q", err, concernmap.ENOTFOUND)
			}
			gotReq, err := ws.FindRequest(t.Context(), existingReq.ID)
			if err != nil {
				t.Fatalf("find request: %v", err)
			}
			checkJSON(t, "existing request", gotReq, existingReq)
			gotPlan, err := ws.FindActionPlan(t.Context(), existingPlan.ID)
			if err != nil {
				t.Fatalf("find plan: %v", err)
			}
			checkJSON(t, "existing plan", gotPlan, existingPlan)
		})
	}
	if got := findAudit(t, us, concernmap.AuditFilter{UserID: actor.UserID}); len(got) != 0 {
		t.Errorf("failed writes: got %d events, want none", len(got))
	}
}

func testWorkflowAudit(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	ws := workflowStore(t, s)
	us := userStore(t, s)
	a := mustCreate(t, s, NewConcern())
	ctx, actor := asActor(t)
	since := time.Now()

	// The moves log at their own time, the documents at the write's.
	at := time.Date(2025, 6, 3, 8, 0, 0, 987654321, yangon)
	req := NewRequest(a.ID)
	m := &concernmap.ConcernMove{ConcernID: a.ID, From: concernmap.StatusVerified, To: concernmap.StatusRequested,
		At: at, Request: &req.ID, IfVersion: a.Version}
	moved := mustWrite(t, ctx, ws, &concernmap.WorkflowWrite{Moves: []*concernmap.ConcernMove{m},
		Request: req, RequestAction: "request.create", Now: now})
	id := a.ID.String()
	checkEvents(t, "move", history(t, us, "concern", id)[:1], actor, since,
		wantEvent{action: "concern.move", entity: "concern", entityID: id, before: feature(a), after: feature(moved[0]), at: at})
	rid := req.ID.String()
	checkEvents(t, "request", history(t, us, "request", rid), actor, since,
		wantEvent{action: "request.create", entity: "request", entityID: rid, after: req.AuditJSON(), at: now})

	later := now.Add(time.Hour)
	answered := req.Clone()
	requestKind.edit(answered, later)
	plan := NewActionPlan(a.ID)
	mustWrite(t, ctx, ws, &concernmap.WorkflowWrite{Request: answered, RequestVersion: 1, RequestAction: "request.respond",
		Plan: plan, PlanAction: "plan.create", Now: later})
	checkEvents(t, "respond", newest(history(t, us, "request", rid)), actor, since,
		wantEvent{action: "request.respond", entity: "request", entityID: rid, before: req.AuditJSON(), after: answered.AuditJSON(), at: later})
	pid := plan.ID.String()
	checkEvents(t, "plan", history(t, us, "action_plan", pid), actor, since,
		wantEvent{action: "plan.create", entity: "action_plan", entityID: pid, after: plan.AuditJSON(), at: later})

	reviewed := plan.Clone()
	planKind.edit(reviewed, later)
	mustWrite(t, ctx, ws, &concernmap.WorkflowWrite{Plan: reviewed, PlanVersion: 1, PlanAction: "plan.review", Now: later})
	checkEvents(t, "review", newest(history(t, us, "action_plan", pid)), actor, since,
		wantEvent{action: "plan.review", entity: "action_plan", entityID: pid, before: plan.AuditJSON(), after: reviewed.AuditJSON(), at: later})
	if n := len(findAudit(t, us, concernmap.AuditFilter{UserID: actor.UserID})); n != 5 {
		t.Errorf("got %d events of the actor, want 5", n)
	}
}

func testWorkflowReopen(t *testing.T, fresh freshFunc) {
	s, reopen := start(t, fresh)
	ws := workflowStore(t, s)
	a := mustCreate(t, s, NewConcern())
	req, plan := NewRequest(a.ID), NewActionPlan(a.ID)
	by := uuid.New()
	first := &concernmap.ConcernMove{ConcernID: a.ID, From: concernmap.StatusVerified, To: concernmap.StatusRequested,
		Note: "asked the township", By: &by, At: now, Request: &req.ID, Plan: &plan.ID, IfVersion: a.Version}
	moved := mustWrite(t, t.Context(), ws, &concernmap.WorkflowWrite{Moves: []*concernmap.ConcernMove{first},
		Request: req, RequestAction: "request.create", Plan: plan, PlanAction: "plan.create", Now: now})
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	s = reopen()
	ws = workflowStore(t, s)
	checkUnchanged(t, s, moved[0])
	checkMoves(t, ws, a.ID, first)
	gotReq, err := ws.FindRequest(t.Context(), req.ID)
	if err != nil {
		t.Fatalf("find request: %v", err)
	}
	checkJSON(t, "request", gotReq, req)
	gotPlan, err := ws.FindActionPlan(t.Context(), plan.ID)
	if err != nil {
		t.Fatalf("find plan: %v", err)
	}
	checkJSON(t, "plan", gotPlan, plan)
	if rs, err := ws.FindRequests(t.Context()); err != nil || len(rs) != 1 {
		t.Errorf("find requests: got %d, %v, want 1, nil", len(rs), err)
	}
	if ps, err := ws.FindActionPlans(t.Context()); err != nil || len(ps) != 1 {
		t.Errorf("find plans: got %d, %v, want 1, nil", len(ps), err)
	}

	// Writes go on from where they were.
	answered := req.Clone()
	requestKind.edit(answered, now.Add(time.Hour))
	second := &concernmap.ConcernMove{ConcernID: a.ID, From: concernmap.StatusRequested, To: concernmap.StatusInProgress,
		At: now.Add(time.Hour), Request: &req.ID, IfVersion: moved[0].Version}
	got := mustWrite(t, t.Context(), ws, &concernmap.WorkflowWrite{Moves: []*concernmap.ConcernMove{second},
		Request: answered, RequestVersion: 1, RequestAction: "request.respond", Now: now.Add(time.Hour)})
	checkMoved(t, s, got, movedBy(moved[0], second))
	checkMoves(t, ws, a.ID, first, second)
	if answered.Version != 2 {
		t.Errorf("answer after reopen: got version %d, want 2", answered.Version)
	}
}

// testWorkflowConcurrent races writers on one concern or document: exactly
// one wins, and the rest fail cleanly, never by deadlock.
func testWorkflowConcurrent(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	ws := workflowStore(t, s)
	const n = 8
	race := func(what, loser string, write func(i int) error) {
		t.Helper()
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = write(i) })
		}
		wg.Wait()
		winners := 0
		for i, err := range errs {
			switch concernmap.ErrorCode(err) {
			case "":
				winners++
			case loser:
			default:
				t.Errorf("%s: writer %d: got %v, want nil or code %q", what, i, err, loser)
			}
		}
		if winners != 1 {
			t.Errorf("%s: got %d winners, want 1", what, winners)
		}
	}

	c := mustCreate(t, s, NewConcern())
	race("move at one version", concernmap.EPRECONDITION, func(i int) error {
		to := []concernmap.Status{concernmap.StatusPrioritised, concernmap.StatusRequested}[i%2]
		_, err := ws.WriteWorkflow(t.Context(), &concernmap.WorkflowWrite{Moves: []*concernmap.ConcernMove{{
			ConcernID: c.ID, From: concernmap.StatusVerified, To: to, At: now, IfVersion: c.Version}}, Now: now})
		return err
	})
	if got := mustFind(t, s, c.ID); got.Version != c.Version+1 {
		t.Errorf("move at one version: got version %d, want %d", got.Version, c.Version+1)
	}
	if got := findMoves(t, ws, c.ID); len(got) != 1 {
		t.Errorf("move at one version: got %d moves, want 1", len(got))
	}

	r := NewRequest()
	mustWrite(t, t.Context(), ws, &concernmap.WorkflowWrite{Request: r, RequestAction: "request.create", Now: now})
	race("answer at one version", concernmap.EPRECONDITION, func(i int) error {
		d := r.Clone()
		requestKind.edit(d, now.Add(time.Duration(i)*time.Minute))
		_, err := ws.WriteWorkflow(t.Context(), &concernmap.WorkflowWrite{Request: d, RequestVersion: 1,
			RequestAction: "request.respond", Now: now})
		return err
	})
	id := uuid.New()
	race("create one ID", concernmap.ECONFLICT, func(int) error {
		d := NewRequest()
		d.ID = id
		_, err := ws.WriteWorkflow(t.Context(), &concernmap.WorkflowWrite{Request: d, RequestAction: "request.create", Now: now})
		return err
	})

	// Writers move the same concerns, each starting at another: the first
	// to lock them wins, and the others find them moved.
	cs := make([]*concernmap.Concern, 4)
	for i := range cs {
		cs[i] = mustCreate(t, s, NewConcern())
	}
	race("move crossing concerns", concernmap.ECONFLICT, func(i int) error {
		moves := make([]*concernmap.ConcernMove, len(cs))
		for j := range cs {
			c := cs[(i+j)%len(cs)]
			moves[j] = &concernmap.ConcernMove{ConcernID: c.ID, From: concernmap.StatusVerified, To: concernmap.StatusPrioritised, At: now}
		}
		_, err := ws.WriteWorkflow(t.Context(), &concernmap.WorkflowWrite{Moves: moves, Now: now})
		return err
	})
	for _, c := range cs {
		if got := findMoves(t, ws, c.ID); len(got) != 1 {
			t.Errorf("move crossing concerns: %s: got %d moves, want 1", c.ID, len(got))
		}
	}
}
