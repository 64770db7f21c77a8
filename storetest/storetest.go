// Package storetest is the one contract test suite for
// concernmap.ConcernStore, and for concernmap.AreaStore,
// concernmap.UserStore and concernmap.WorkflowStore, which every store must
// also implement. Every store package runs it from its own tests:
//
//	func TestConcernStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) func() concernmap.ConcernStore {
//			path := filepath.Join(t.TempDir(), "concernmap.db")
//			return func() concernmap.ConcernStore {
//				db, err := bolt.Open(path)
//				if err != nil {
//					t.Fatal(err)
//				}
//				return db
//			}
//		})
//	}
//
// Beyond the interface's doc comments, the contract is:
//   - Times are kept to the microsecond (truncated) and returned in UTC.
//   - CreateConcern stores a live concern at Version 1 and returns what
//     FindConcernByID would return. For an ID that exists, deleted or not, it
//     returns the stored concern with created=false, whatever the new body.
//   - An unknown category is EINVALID with a FieldError for
//     "properties.category"; the check and the write are one transaction.
//   - CreateConcerns validates each concern and checks every category, even
//     that of a concern whose ID exists, and on any error writes none.
//   - A write that fails changes nothing.
//   - UpdateConcern and DeleteConcern check, in order: ENOTFOUND, EGONE,
//     EPRECONDITION. DeleteConcern sets UpdatedAt as well as DeletedAt.
//   - ScanConcerns wraps fn's error, so errors.Is finds it.
//   - FindCategories returns the categories in seed order.
//   - Secret is at least 32 random bytes, the same for the life of the data.
//   - Client-visible errors never carry database text.
//   - UpsertAreas checks every area with Area.Validate, and rejects a pcode
//     given twice, before it writes anything: EINVALID, with each field
//     named from the slice, such as "areas[3].pcode" or "areas[1]" for nil.
//   - UpsertAreas gives a new area an ID of the store's making, whatever the
//     caller set, and Version 1; a match keeps its ID and gets Version+1,
//     even if nothing else changed. UpdatedAt is now. It fills these in on
//     the caller's areas only when it succeeds.
//   - An area with no neighbours comes back with nil Neighbors.
//   - AssignConcernAreas counts only the concerns it changed; an ID with no
//     concern is ignored, and an empty area clears the concern's.
//   - CreateUser stores the user at Version 1, keeping CreatedAt and
//     UpdatedAt (now if zero). UpdateUser keeps CreatedAt, bumps Version and
//     sets UpdatedAt from the store's clock. Both fill these in on the
//     caller's user only when they succeed, and check in order: EINVALID
//     (User.Validate), ENOTFOUND, EPRECONDITION, ECONFLICT with a FieldError
//     for "username" (or "id" on create). Usernames match exactly.
//   - FindUsers lists every user by username in byte order. A user with no
//     scope has nil Scope.
//   - FindSession finds a session only while now is before ExpiresAt.
//     DeleteSession of a session that is not there is not an error.
//   - CreateSession and CreateAPIToken need an existing user (EINVALID for
//     "user_id") and a hash of 1-64 bytes; a hash or ID taken is ECONFLICT
//     naming "token_hash", "hash" or "id". An API token needs a name of
//     1-200 bytes.
//   - FindAPITokens lists a user's tokens oldest first, revoked ones too. A
//     revoked token's hash stays taken. Revoking again keeps the first
//     RevokedAt; revoking an unknown token is ENOTFOUND.
//   - Every write to a concern, area, user or API token adds its audit
//     events in its own transaction, with the actor of its context
//     (concernmap.ActorFrom; none is the system), at the write's now or, for
//     a method without one, the store's clock. A write that fails or changes
//     nothing (a retried create, an assignment with nothing to change, a
//     second revoke) adds none. The events, by action:
//     concern.create (after: the concern's Feature, reporter included),
//     concern.update and concern.delete (before and after), one
//     concern.create per new concern of CreateConcerns, or for more than
//     1000 new ones one concern.bulk_create with no entity ID and after
//     {"count":N}, one concern.assign_areas with {"count":N}, area.create and
//     area.update by pcode (id, pcode, level, name_en, name_my, parent,
//     source, updated_at, version: no boundary), user.create and user.update
//     (every field but the password hash), token.create and token.revoke
//     (every field but the hash and last use).
//   - AppendAudit refuses, with EINVALID and adding none, an event without
//     a UUIDv7 ID, a time, an action or an entity, with Before or After not
//     JSON, or with text that is not UTF-8 or holds NUL. An ID that is in the
//     log already is ECONFLICT: nothing is ever written over.
//   - FindAudit returns events newest (greatest ID) first. From and To are
//     inclusive and compare At; Before pages by ID. A Limit of 0 or less is
//     100, and more than 1000 is 1000. Times come back to the microsecond in
//     UTC, and Before and After as the same JSON values, not necessarily the
//     same bytes.
//   - WriteWorkflow checks w before it reads anything: each move's To must
//     be a known status, its Note UTF-8 of at most concernmap.MaxNoteLen
//     bytes and its At set, and the request and plan must pass Validate;
//     EINVALID names the field, such as "moves[0].to" or "ask". It then
//     applies the moves in order, each checked as WorkflowStore says, then
//     the request, then the plan. A move sees the moves before it in the
//     write, even of its own concern. It returns one concern per move, as
//     that move left it, and on any error writes nothing and logs nothing.
//   - A request or plan at version 0 is created at Version 1, and an ID that
//     is taken is ECONFLICT naming "id". At any other version it must exist
//     (ENOTFOUND) at that version (EPRECONDITION), and it is replaced whole
//     at Version+1. The caller's Version is set only on success. Requests
//     and plans come back exactly as they were written, as JSON: times keep
//     their nanoseconds and zones.
//   - FindConcernMoves returns a concern's moves in the order they were
//     made, whatever their times, with At to the microsecond in UTC and
//     IfVersion 0. A concern with none has none, a deleted one keeps its
//     moves, and an unknown one is ENOTFOUND. FindRequests and
//     FindActionPlans sort by CreatedAt to the microsecond, then by ID
//     byte by byte.
//   - WriteWorkflow logs concern.move for each move (before and after: the
//     concern's Feature) at the move's At, and the request and plan with
//     their action, entity "request" or "action_plan", their ID and the
//     document before (none on create) and after, as AuditJSON, at w.Now.
//   - Of writers racing on one concern or document at one version, exactly
//     one wins; the others fail with EPRECONDITION or ECONFLICT, never by
//     deadlock, whatever order they move concerns in.
package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
)

// Run runs the contract suite. For each test it calls fresh, which makes new,
// empty storage (a file, a database), registers its removal with t.Cleanup
// and returns open. Each call of open opens a store on that same storage and
// fails t if it cannot, so a test can close a store and open the data again.
// The suite closes every store it opens.
func Run(t *testing.T, fresh func(t *testing.T) (open func() concernmap.ConcernStore)) {
	tests := []struct {
		name string
		fn   func(t *testing.T, fresh freshFunc)
	}{
		{"Categories", testCategories},
		{"CreateFind", testCreateFind},
		{"CreateIdempotent", testCreateIdempotent},
		{"CreateUnknownCategory", testCreateUnknownCategory},
		{"CreateInvalid", testCreateInvalid},
		{"CreateDeletedID", testCreateDeletedID},
		{"CreateMany", testCreateMany},
		{"CreateManyInvalid", testCreateManyInvalid},
		{"FindUnknown", testFindUnknown},
		{"Update", testUpdate},
		{"UpdateConcurrent", testUpdateConcurrent},
		{"Delete", testDelete},
		{"Scan", testScan},
		{"ScanStops", testScanStops},
		{"Secret", testSecret},
		{"Reopen", testReopen},
		{"Ping", testPing},
		{"AreaUpsert", testAreaUpsert},
		{"AreaUpdate", testAreaUpdate},
		{"AreaUpsertMixed", testAreaUpsertMixed},
		{"AreaUpsertInvalid", testAreaUpsertInvalid},
		{"AreaRoundTrip", testAreaRoundTrip},
		{"AreaScan", testAreaScan},
		{"AreaFindUnknown", testAreaFindUnknown},
		{"AreaReopen", testAreaReopen},
		{"AssignConcernAreas", testAssignConcernAreas},
		{"UserCreateFind", testUserCreateFind},
		{"UserConflict", testUserConflict},
		{"UserInvalid", testUserInvalid},
		{"UserUpdate", testUserUpdate},
		{"UserList", testUserList},
		{"Sessions", testSessions},
		{"APITokens", testAPITokens},
		{"AuditConcern", testAuditConcern},
		{"AuditCreateMany", testAuditCreateMany},
		{"AuditArea", testAuditArea},
		{"AuditUser", testAuditUser},
		{"AuditFind", testAuditFind},
		{"AuditPages", testAuditPages},
		{"AuditAppend", testAuditAppend},
		{"AuditReopen", testAuditReopen},
		{"WorkflowMoves", testWorkflowMoves},
		{"WorkflowMoveErrors", testWorkflowMoveErrors},
		{"WorkflowRequest", testWorkflowRequest},
		{"WorkflowPlan", testWorkflowPlan},
		{"WorkflowAtomic", testWorkflowAtomic},
		{"WorkflowAudit", testWorkflowAudit},
		{"WorkflowConcurrent", testWorkflowConcurrent},
		{"WorkflowReopen", testWorkflowReopen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, fresh)
		})
	}
}

// freshFunc is the type of Run's fresh.
type freshFunc = func(t *testing.T) (open func() concernmap.ConcernStore)

// store makes Close safe to call twice, so a test may close a store itself
// and still leave the cleanup to close it.
type store struct {
	concernmap.ConcernStore
	once sync.Once
	err  error
}

func (s *store) Close() error {
	s.once.Do(func() { s.err = s.ConcernStore.Close() })
	return s.err
}

// start makes fresh storage and opens a store on it. The returned reopen
// opens another store on the same storage.
func start(t *testing.T, fresh freshFunc) (s concernmap.ConcernStore, reopen func() concernmap.ConcernStore) {
	t.Helper()
	open := fresh(t)
	reopen = func() concernmap.ConcernStore {
		t.Helper()
		s := &store{ConcernStore: open()}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		return s
	}
	return reopen(), reopen
}

func testCategories(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	checkCategories(t, s)
}

func checkCategories(t *testing.T, s concernmap.ConcernStore) {
	t.Helper()
	got, err := s.FindCategories(t.Context())
	if err != nil {
		t.Fatalf("find categories: %v", err)
	}
	if len(got) != len(concernmap.DefaultCategories) {
		t.Fatalf("got %d categories, want %d", len(got), len(concernmap.DefaultCategories))
	}
	for i, want := range concernmap.DefaultCategories {
		if *got[i] != want {
			t.Errorf("category %d: got %+v, want %+v", i, *got[i], want)
		}
	}
}

func testCreateFind(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	tests := []struct {
		name   string
		modify func(c *concernmap.Concern)
	}{
		{"anonymous", func(c *concernmap.Concern) { c.Reporter = nil }},
		{"no area", func(c *concernmap.Concern) { c.Area = "" }},
		{"no groups", func(c *concernmap.Concern) { c.Affected = 0 }},
		{"all groups", func(c *concernmap.Concern) { c.Affected = 1<<len(concernmap.AffectedGroups) - 1 }},
		{"always", func(c *concernmap.Concern) { c.WhenDangerous = concernmap.When{Kind: concernmap.WhenAlways} }},
		{"sensitive category", func(c *concernmap.Concern) { c.Category = "domestic_violence" }},
		{"empty description", func(c *concernmap.Concern) { c.Description = "" }},
		{"no updated_at", func(c *concernmap.Concern) { c.UpdatedAt = time.Time{} }},
	}
	for _, g := range Geometries() {
		tests = append(tests, struct {
			name   string
			modify func(c *concernmap.Concern)
		}{g.Name, func(c *concernmap.Concern) { c.Geometry = g.Geometry }})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConcern()
			tt.modify(c)
			want := Stored(c)

			got, created, err := s.CreateConcern(t.Context(), c)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if !created {
				t.Errorf("got created=false, want true")
			}
			CheckConcern(t, "create", got, want)

			found, err := s.FindConcernByID(t.Context(), c.ID)
			if err != nil {
				t.Fatalf("find: %v", err)
			}
			CheckConcern(t, "find", found, want)
		})
	}
}

func testCreateIdempotent(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	first := mustCreate(t, s, NewConcern())

	// A retry from an offline phone may carry an edited body; the first wins.
	again := NewConcern()
	again.ID = first.ID
	again.Title = "a different title"
	again.Category = "flooding"
	again.Geometry = orb.Point{97, 20}
	again.Reporter = nil
	got, created, err := s.CreateConcern(t.Context(), again)
	if err != nil {
		t.Fatalf("create again: %v", err)
	}
	if created {
		t.Errorf("got created=true, want false")
	}
	CheckConcern(t, "create again", got, first)
	checkUnchanged(t, s, first)
}

func testCreateUnknownCategory(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	c := NewConcern()
	c.Category = "no_such_category"
	_, _, err := s.CreateConcern(t.Context(), c)
	checkInvalid(t, err, "properties.category")
	checkNotFound(t, s, c.ID)
}

func testCreateInvalid(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	tests := []struct {
		name   string
		modify func(c *concernmap.Concern)
		field  string
	}{
		{"no title", func(c *concernmap.Concern) { c.Title = "" }, "properties.title"},
		{"severity", func(c *concernmap.Concern) { c.Severity = 9 }, "properties.severity"},
		{"status", func(c *concernmap.Concern) { c.Status = "lost" }, "properties.status"},
		{"no geometry", func(c *concernmap.Concern) { c.Geometry = nil }, "geometry"},
		{"window", func(c *concernmap.Concern) { c.WhenDangerous.To = c.WhenDangerous.From }, "properties.when_dangerous.to"},
		{"malformed category", func(c *concernmap.Concern) { c.Category = "Not A Key" }, "properties.category"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConcern()
			tt.modify(c)
			_, _, err := s.CreateConcern(t.Context(), c)
			checkInvalid(t, err, tt.field)
			checkNotFound(t, s, c.ID)
		})
	}
}

func testCreateDeletedID(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	c := mustCreate(t, s, NewConcern())
	deleted, err := s.DeleteConcern(t.Context(), c.ID, c.Version, now)
	if err != nil {
		t.Fatalf("delete: %v", err)
	}

	// The service turns this into a conflict; the store must not revive it.
	got, created, err := s.CreateConcern(t.Context(), NewConcernWithID(c.ID))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if created {
		t.Errorf("got created=true, want false")
	}
	CheckConcern(t, "create", got, deleted)
	checkUnchanged(t, s, deleted)
}

func testCreateMany(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	if n, err := s.CreateConcerns(t.Context(), nil); n != 0 || err != nil {
		t.Errorf("no concerns: got %d, %v, want 0, nil", n, err)
	}

	live := mustCreate(t, s, NewConcern())
	deleted := mustCreate(t, s, NewConcern())
	deleted, err := s.DeleteConcern(t.Context(), deleted.ID, 0, now)
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	var batch []*concernmap.Concern
	for _, g := range Geometries() {
		c := NewConcern()
		c.Geometry = g.Geometry
		batch = append(batch, c)
	}
	anonymous := NewConcern()
	anonymous.Reporter, anonymous.Area = nil, ""
	batch = append(batch, anonymous)
	// Existing IDs, deleted or not, and a repeat in the batch are left as
	// they are; the first of a repeat wins.
	repeat := NewConcern()
	repeat.ID, repeat.Title = batch[0].ID, "repeated"
	batch = append(batch, NewConcernWithID(live.ID), NewConcernWithID(deleted.ID), repeat)

	n, err := s.CreateConcerns(t.Context(), batch)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if want := len(Geometries()) + 1; n != want {
		t.Errorf("got %d created, want %d", n, want)
	}
	want := map[uuid.UUID]*concernmap.Concern{live.ID: live}
	for _, c := range batch[:len(Geometries())+1] {
		want[c.ID] = Stored(c)
		checkUnchanged(t, s, want[c.ID])
	}
	checkUnchanged(t, s, live)
	checkUnchanged(t, s, deleted)
	checkScan(t, s, want)
}

func testCreateManyInvalid(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	existing := mustCreate(t, s, NewConcern())
	tests := []struct {
		name   string
		modify func(c *concernmap.Concern)
		field  string
	}{
		{"unknown category", func(c *concernmap.Concern) { c.Category = "no_such_category" }, "properties.category"},
		{"unknown category on an existing id", func(c *concernmap.Concern) {
			c.ID, c.Category = existing.ID, "no_such_category"
		}, "properties.category"},
		{"invalid", func(c *concernmap.Concern) { c.Severity = 0 }, "properties.severity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			batch := []*concernmap.Concern{NewConcern(), NewConcern(), NewConcern()}
			tt.modify(batch[1])
			n, err := s.CreateConcerns(t.Context(), batch)
			checkInvalid(t, err, tt.field)
			if n != 0 {
				t.Errorf("got %d created, want 0", n)
			}
			// One bad concern stops the whole batch.
			for _, c := range batch {
				if c.ID != existing.ID {
					checkNotFound(t, s, c.ID)
				}
			}
			checkUnchanged(t, s, existing)
		})
	}
}

func testFindUnknown(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	checkNotFound(t, s, uuid.New())
	checkNotFound(t, s, uuid.Nil)
}

func testUpdate(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	newTitle := "ညဘက် မီးမရှိ"
	observed := time.Date(2025, 1, 2, 3, 4, 5, 987654321, yangon)
	everything := concernmap.ConcernUpdate{
		Category:      ptr("flooding"),
		Geometry:      Geometries()[2].Geometry,
		Title:         &newTitle,
		Description:   ptr("rises after heavy rain"),
		Severity:      ptr(2),
		Affected:      ptr(concernmap.AffectedOlderPeople | concernmap.AffectedMinorities),
		WhenDangerous: &concernmap.When{Kind: concernmap.WhenRainySeason},
		ObservedAt:    &observed,
	}

	tests := []struct {
		name      string
		deleted   bool
		unknownID bool
		upd       concernmap.ConcernUpdate
		ifVersion func(stored int) int
		wantCode  string
	}{
		{name: "current version", upd: concernmap.ConcernUpdate{Title: &newTitle}, ifVersion: same},
		{name: "unconditional", upd: concernmap.ConcernUpdate{Title: &newTitle}, ifVersion: zero},
		{name: "every field", upd: everything, ifVersion: same},
		{name: "stale version", upd: everything, ifVersion: older, wantCode: concernmap.EPRECONDITION},
		{name: "future version", upd: everything, ifVersion: newer, wantCode: concernmap.EPRECONDITION},
		{name: "unknown id", unknownID: true, upd: everything, ifVersion: zero, wantCode: concernmap.ENOTFOUND},
		{name: "deleted", deleted: true, upd: everything, ifVersion: zero, wantCode: concernmap.EGONE},
		{name: "deleted current version", deleted: true, upd: everything, ifVersion: same, wantCode: concernmap.EGONE},
		{name: "invalid", upd: concernmap.ConcernUpdate{Severity: ptr(0)}, ifVersion: same, wantCode: concernmap.EINVALID},
		{name: "unknown category", upd: concernmap.ConcernUpdate{Category: ptr("no_such_category")}, ifVersion: same, wantCode: concernmap.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stored := mustCreate(t, s, NewConcern())
			// Take it past version 1, so that "older" has a version to name.
			stored = mustUpdate(t, s, stored.ID, concernmap.ConcernUpdate{Severity: ptr(5)}, 0)
			if tt.deleted {
				var err error
				if stored, err = s.DeleteConcern(t.Context(), stored.ID, 0, now); err != nil {
					t.Fatalf("delete: %v", err)
				}
			}
			id := stored.ID
			if tt.unknownID {
				id = uuid.New()
			}

			got, err := s.UpdateConcern(t.Context(), id, tt.upd, tt.ifVersion(stored.Version), now)
			if code := concernmap.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("got code %q (%v), want %q", code, err, tt.wantCode)
			}
			if tt.wantCode != "" {
				checkNoLeak(t, err)
				if tt.unknownID {
					checkNotFound(t, s, id)
				}
				checkUnchanged(t, s, stored)
				return
			}
			want := cloneConcern(stored)
			tt.upd.Apply(want)
			want = Stored(want)
			want.Version = stored.Version + 1
			want.UpdatedAt = StoredTime(now)
			CheckConcern(t, "update", got, want)
			checkUnchanged(t, s, want)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func same(v int) int  { return v }
func zero(int) int    { return 0 }
func older(v int) int { return v - 1 }
func newer(v int) int { return v + 1 }

func testUpdateConcurrent(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	c := mustCreate(t, s, NewConcern())

	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			title := fmt.Sprintf("writer %d", i)
			_, errs[i] = s.UpdateConcern(t.Context(), c.ID, concernmap.ConcernUpdate{Title: &title}, c.Version, now)
		})
	}
	wg.Wait()

	winner := -1
	for i, err := range errs {
		switch concernmap.ErrorCode(err) {
		case "":
			if winner >= 0 {
				t.Errorf("writers %d and %d both succeeded, want exactly one", winner, i)
			}
			winner = i
		case concernmap.EPRECONDITION:
		default:
			t.Errorf("writer %d: got %v, want nil or code %q", i, err, concernmap.EPRECONDITION)
		}
	}
	if winner < 0 {
		t.Fatalf("no writer succeeded, want exactly one")
	}
	got := mustFind(t, s, c.ID)
	if want := c.Version + 1; got.Version != want {
		t.Errorf("got version %d, want %d", got.Version, want)
	}
	if want := fmt.Sprintf("writer %d", winner); got.Title != want {
		t.Errorf("got title %q, want %q", got.Title, want)
	}
}

func testDelete(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	c := mustCreate(t, s, NewConcern())
	other := mustCreate(t, s, NewConcern())

	if _, err := s.DeleteConcern(t.Context(), c.ID, c.Version+1, now); concernmap.ErrorCode(err) != concernmap.EPRECONDITION {
		t.Fatalf("delete with stale version: got %v, want code %q", err, concernmap.EPRECONDITION)
	}
	checkUnchanged(t, s, c)

	got, err := s.DeleteConcern(t.Context(), c.ID, c.Version, now)
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	want := cloneConcern(c)
	want.Version++
	want.DeletedAt = StoredTime(now)
	want.UpdatedAt = want.DeletedAt
	CheckConcern(t, "delete", got, want)
	if !got.Deleted() {
		t.Errorf("got Deleted()=false, want true")
	}
	// A soft delete keeps the record for audit.
	checkUnchanged(t, s, want)
	if got := scanAll(t, s); len(got) != 1 || got[other.ID] == nil {
		t.Errorf("scan after delete: got %d concerns, want only %s", len(got), other.ID)
	}

	for _, ifVersion := range []int{0, want.Version, c.Version} {
		if _, err := s.DeleteConcern(t.Context(), c.ID, ifVersion, now.Add(time.Hour)); concernmap.ErrorCode(err) != concernmap.EGONE {
			t.Errorf("delete again with version %d: got %v, want code %q", ifVersion, err, concernmap.EGONE)
		}
	}
	checkUnchanged(t, s, want)

	if _, err := s.DeleteConcern(t.Context(), uuid.New(), 0, now); concernmap.ErrorCode(err) != concernmap.ENOTFOUND {
		t.Errorf("delete unknown: got %v, want code %q", err, concernmap.ENOTFOUND)
	}
}

func testScan(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	if got := scanAll(t, s); len(got) != 0 {
		t.Errorf("empty store: got %d concerns, want 0", len(got))
	}

	want := map[uuid.UUID]*concernmap.Concern{}
	for _, g := range Geometries() {
		c := NewConcern()
		c.Geometry = g.Geometry
		c = mustCreate(t, s, c)
		want[c.ID] = c
	}
	for range 2 {
		c := mustCreate(t, s, NewConcern())
		if _, err := s.DeleteConcern(t.Context(), c.ID, 0, now); err != nil {
			t.Fatalf("delete: %v", err)
		}
	}
	checkScan(t, s, want)
}

func checkScan(t *testing.T, s concernmap.ConcernStore, want map[uuid.UUID]*concernmap.Concern) {
	t.Helper()
	got := scanAll(t, s)
	if len(got) != len(want) {
		t.Errorf("scan: got %d concerns, want %d", len(got), len(want))
	}
	for id, w := range want {
		if g, ok := got[id]; !ok {
			t.Errorf("scan: missing %s", id)
		} else {
			CheckConcern(t, "scan", g, w)
		}
	}
}

func testScanStops(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	for range 5 {
		mustCreate(t, s, NewConcern())
	}
	errStop := errors.New("stop")
	calls := 0
	err := s.ScanConcerns(t.Context(), func(*concernmap.Concern) error {
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

func testSecret(t *testing.T, fresh freshFunc) {
	s, reopen := start(t, fresh)
	first := mustSecret(t, s)
	if len(first) < 32 {
		t.Errorf("got %d bytes, want at least 32", len(first))
	}
	if again := mustSecret(t, s); string(again) != string(first) {
		t.Errorf("second call: got %x, want %x", again, first)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if got := mustSecret(t, reopen()); string(got) != string(first) {
		t.Errorf("after reopen: got %x, want %x", got, first)
	}
	other, _ := start(t, fresh)
	if got := mustSecret(t, other); string(got) == string(first) {
		t.Errorf("another store has the same secret %x, want a random one", got)
	}
}

func testReopen(t *testing.T, fresh freshFunc) {
	s, reopen := start(t, fresh)
	live := map[uuid.UUID]*concernmap.Concern{}
	for _, g := range Geometries() {
		c := NewConcern()
		c.Geometry = g.Geometry
		c = mustCreate(t, s, c)
		live[c.ID] = c
	}
	title := "updated before close"
	var updated *concernmap.Concern
	for _, c := range live {
		updated = mustUpdate(t, s, c.ID, concernmap.ConcernUpdate{Title: &title}, c.Version)
		live[c.ID] = updated
		break
	}
	deleted := mustCreate(t, s, NewConcern())
	deleted, err := s.DeleteConcern(t.Context(), deleted.ID, 0, now)
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	s = reopen()
	checkCategories(t, s)
	for _, c := range live {
		checkUnchanged(t, s, c)
	}
	checkUnchanged(t, s, deleted)
	checkScan(t, s, live)
	// Writes go on from where they were.
	mustUpdate(t, s, updated.ID, concernmap.ConcernUpdate{Title: &title}, updated.Version)
}

func testPing(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("got %v, want nil", err)
	}
}

func mustCreate(t *testing.T, s concernmap.ConcernStore, c *concernmap.Concern) *concernmap.Concern {
	t.Helper()
	got, created, err := s.CreateConcern(t.Context(), c)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if !created {
		t.Fatalf("create %s: got created=false, want true", c.ID)
	}
	return got
}

func mustUpdate(t *testing.T, s concernmap.ConcernStore, id uuid.UUID, upd concernmap.ConcernUpdate, ifVersion int) *concernmap.Concern {
	t.Helper()
	got, err := s.UpdateConcern(t.Context(), id, upd, ifVersion, now)
	if err != nil {
		t.Fatalf("update %s: %v", id, err)
	}
	return got
}

func mustFind(t *testing.T, s concernmap.ConcernStore, id uuid.UUID) *concernmap.Concern {
	t.Helper()
	got, err := s.FindConcernByID(t.Context(), id)
	if err != nil {
		t.Fatalf("find %s: %v", id, err)
	}
	return got
}

func mustSecret(t *testing.T, s concernmap.ConcernStore) []byte {
	t.Helper()
	b, err := s.Secret(t.Context())
	if err != nil {
		t.Fatalf("secret: %v", err)
	}
	return b
}

func scanAll(t *testing.T, s concernmap.ConcernStore) map[uuid.UUID]*concernmap.Concern {
	t.Helper()
	got := map[uuid.UUID]*concernmap.Concern{}
	err := s.ScanConcerns(t.Context(), func(c *concernmap.Concern) error {
		if got[c.ID] != nil {
			t.Errorf("scan: %s visited twice", c.ID)
		}
		got[c.ID] = c
		return nil
	})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return got
}

// checkUnchanged checks that the store still holds want.
func checkUnchanged(t *testing.T, s concernmap.ConcernStore, want *concernmap.Concern) {
	t.Helper()
	CheckConcern(t, "find", mustFind(t, s, want.ID), want)
}

func checkNotFound(t *testing.T, s concernmap.ConcernStore, id uuid.UUID) {
	t.Helper()
	if _, err := s.FindConcernByID(t.Context(), id); concernmap.ErrorCode(err) != concernmap.ENOTFOUND {
		t.Errorf("find %s: got %v, want code %q", id, err, concernmap.ENOTFOUND)
	}
}

func checkInvalid(t *testing.T, err error, field string) {
	t.Helper()
	if code := concernmap.ErrorCode(err); code != concernmap.EINVALID {
		t.Fatalf("got code %q (%v), want %q", code, err, concernmap.EINVALID)
	}
	checkNoLeak(t, err)
	fields := concernmap.ErrorFields(err)
	if !slices.ContainsFunc(fields, func(f concernmap.FieldError) bool { return f.Field == field }) {
		t.Errorf("got fields %+v, want one for %q", fields, field)
	}
}

// checkNoLeak checks that what a client would see of err holds no database
// text.
func checkNoLeak(t *testing.T, err error) {
	t.Helper()
	shown := []string{concernmap.ErrorMessage(err)}
	for _, f := range concernmap.ErrorFields(err) {
		shown = append(shown, f.Message)
	}
	for _, s := range shown {
		for _, bad := range []string{"SQLSTATE", "violates", "constraint", "bolt", "pq:", "pgx"} {
			if strings.Contains(s, bad) {
				t.Errorf("client-visible message %q holds %q", s, bad)
			}
		}
	}
}
