package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
)

// asActor returns a context that carries a new actor, as the API makes for
// a signed-in request.
func asActor(t *testing.T) (context.Context, concernmap.Actor) {
	id := uuid.New()
	a := concernmap.Actor{UserID: &id, RequestID: "req-" + uuid.NewString()[:8]}
	return concernmap.WithActor(t.Context(), a), a
}

func findAudit(t *testing.T, s concernmap.UserStore, f concernmap.AuditFilter) []*concernmap.AuditEvent {
	t.Helper()
	got, err := s.FindAudit(t.Context(), f)
	if err != nil {
		t.Fatalf("find audit %+v: %v", f, err)
	}
	return got
}

// history returns the events of one entity, newest first.
func history(t *testing.T, s concernmap.UserStore, entity, id string) []*concernmap.AuditEvent {
	t.Helper()
	return findAudit(t, s, concernmap.AuditFilter{Entity: entity, EntityID: id, Limit: 1000})
}

// newest returns the newest of events, which come newest first.
func newest(events []*concernmap.AuditEvent) []*concernmap.AuditEvent {
	return events[:min(len(events), 1)]
}

// wantEvent is an event the suite expects of a write. A zero at means a
// time from the store's own clock.
type wantEvent struct {
	action, entity, entityID string
	before, after            []byte
	at                       time.Time
}

// checkEvents checks that got holds exactly the events of want, in any
// order, each by actor; times from the store's clock must lie after since.
func checkEvents(t *testing.T, what string, got []*concernmap.AuditEvent, actor concernmap.Actor, since time.Time, want ...wantEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d events, want %d", what, len(got), len(want))
		for _, e := range got {
			t.Logf("\tgot %s %s %s", e.Action, e.Entity, e.EntityID)
		}
		return
	}
	byKey := map[string]wantEvent{}
	for _, w := range want {
		byKey[w.action+" "+w.entity+" "+w.entityID] = w
	}
	for _, e := range got {
		key := e.Action + " " + e.Entity + " " + e.EntityID
		w, ok := byKey[key]
		if !ok {
			t.Errorf("%s: got an unexpected event %s", what, key)
			continue
		}
		delete(byKey, key)
		if e.ID.Version() != 7 {
			t.Errorf("%s %s: got ID %v, want a UUIDv7", what, key, e.ID)
		}
		if w.at.IsZero() {
			checkNow(t, what+" "+key+" at", e.At, since)
		} else if e.At != StoredTime(w.at) {
			t.Errorf("%s %s: got at %v, want %v", what, key, e.At, StoredTime(w.at))
		}
		if !sameUser(e.UserID, actor.UserID) || e.RequestID != actor.RequestID {
			t.Errorf("%s %s: got actor %s %q, want %s %q", what, key, fmtReporter(e.UserID), e.RequestID,
				fmtReporter(actor.UserID), actor.RequestID)
		}
		if !jsonEqual(e.Before, w.before) {
			t.Errorf("%s %s: before:\n\tgot  %s\n\twant %s", what, key, e.Before, w.before)
		}
		if !jsonEqual(e.After, w.after) {
			t.Errorf("%s %s: after:\n\tgot  %s\n\twant %s", what, key, e.After, w.after)
		}
	}
}

func sameUser(a, b *uuid.UUID) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// jsonEqual reports whether a and b hold the same JSON value; nil equals
// only nil. A store may keep JSON in another form (jsonb reorders keys).
func jsonEqual(a, b []byte) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func feature(c *concernmap.Concern) []byte { return c.AppendFeature(nil, true) }

func countJSON(n int) []byte { return fmt.Appendf(nil, `{"count":%d}`, n) }

// areaJSON is the contract's JSON of an area in the log: no boundary.
func areaJSON(a *concernmap.Area) []byte {
	var parent any
	if a.Parent != "" {
		parent = a.Parent
	}
	return mustMarshal(map[string]any{"id": a.ID, "pcode": a.PCode, "level": a.Level, "name_en": a.NameEN,
		"name_my": a.NameMY, "parent": parent, "source": a.Source, "updated_at": a.UpdatedAt, "version": a.Version})
}

// userJSON is the contract's JSON of a user in the log: no password hash.
func userJSON(u *concernmap.User) []byte {
	scope := u.Scope
	if scope == nil {
		scope = []string{}
	}
	return mustMarshal(map[string]any{"id": u.ID, "username": u.Username, "name": u.Name, "role": u.Role,
		"organisation": u.Organisation, "language": u.Language, "scope": scope, "disabled": u.Disabled,
		"created_at": u.CreatedAt, "updated_at": u.UpdatedAt, "version": u.Version})
}

// tokenJSON is the contract's JSON of an API token in the log: no hash.
func tokenJSON(tok *concernmap.APIToken) []byte {
	var revoked any
	if !tok.RevokedAt.IsZero() {
		revoked = tok.RevokedAt
	}
	return mustMarshal(map[string]any{"id": tok.ID, "user_id": tok.UserID, "name": tok.Name,
		"created_at": tok.CreatedAt, "revoked_at": revoked})
}

func testAuditConcern(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	us := userStore(t, s)
	ctx, actor := asActor(t)
	since := time.Now()

	c := NewConcern()
	id := c.ID.String()
	created, _, err := s.CreateConcern(ctx, c)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	checkEvents(t, "create", history(t, us, "concern", id), actor, since,
		wantEvent{action: "concern.create", entity: "concern", entityID: id, after: feature(created)})

	// A retry writes nothing, so it logs nothing.
	if _, isNew, err := s.CreateConcern(ctx, NewConcernWithID(c.ID)); err != nil || isNew {
		t.Fatalf("create again: got %v, %v, want false, nil", isNew, err)
	}
	if n := len(history(t, us, "concern", id)); n != 1 {
		t.Errorf("create again: got %d events, want 1", n)
	}

	title := "ညဘက် မီးမရှိ"
	updated, err := s.UpdateConcern(ctx, c.ID, concernmap.ConcernUpdate{Title: &title}, created.Version, now)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	checkEvents(t, "update", newest(history(t, us, "concern", id)), actor, since,
		wantEvent{action: "concern.update", entity: "concern", entityID: id, before: feature(created), after: feature(updated), at: now})

	// Failed writes log nothing.
	failures := []struct {
		name string
		fn   func() error
	}{
		{"stale update", func() error {
			_, err := s.UpdateConcern(ctx, c.ID, concernmap.ConcernUpdate{Title: &title}, created.Version, now)
			return err
		}},
		{"invalid update", func() error {
			_, err := s.UpdateConcern(ctx, c.ID, concernmap.ConcernUpdate{Severity: ptr(0)}, 0, now)
			return err
		}},
		{"unknown category", func() error {
			_, err := s.UpdateConcern(ctx, c.ID, concernmap.ConcernUpdate{Category: ptr("no_such_category")}, 0, now)
			return err
		}},
		{"stale delete", func() error { _, err := s.DeleteConcern(ctx, c.ID, created.Version, now); return err }},
		{"invalid create", func() error {
			bad := NewConcern()
			bad.Severity = 0
			_, _, err := s.CreateConcern(ctx, bad)
			return err
		}},
	}
	for _, f := range failures {
		if err := f.fn(); err == nil {
			t.Fatalf("%s: got nil error", f.name)
		}
	}
	if n := len(findAudit(t, us, concernmap.AuditFilter{UserID: actor.UserID})); n != 2 {
		t.Errorf("after failed writes: got %d events of the actor, want 2", n)
	}

	later := now.Add(time.Hour)
	deleted, err := s.DeleteConcern(ctx, c.ID, updated.Version, later)
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	checkEvents(t, "delete", newest(history(t, us, "concern", id)), actor, since,
		wantEvent{action: "concern.delete", entity: "concern", entityID: id, before: feature(updated), after: feature(deleted), at: later})
	if _, err := s.UpdateConcern(ctx, c.ID, concernmap.ConcernUpdate{Title: &title}, 0, later); concernmap.ErrorCode(err) != concernmap.EGONE {
		t.Fatalf("update deleted: got %v, want code %q", err, concernmap.EGONE)
	}
	if got := history(t, us, "concern", id); len(got) != 3 {
		t.Errorf("history: got %d events, want 3", len(got))
	} else if got[0].Action != "concern.delete" || got[1].Action != "concern.update" || got[2].Action != "concern.create" {
		t.Errorf("history: got %s, %s, %s, want newest first", got[0].Action, got[1].Action, got[2].Action)
	}

	// A write with no actor in its context is the system's.
	sys := mustCreate(t, s, NewConcern())
	checkEvents(t, "system create", history(t, us, "concern", sys.ID.String()), concernmap.Actor{}, since,
		wantEvent{action: "concern.create", entity: "concern", entityID: sys.ID.String(), after: feature(sys)})
}

func testAuditCreateMany(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	us := userStore(t, s)
	existing := mustCreate(t, s, NewConcern())
	since := time.Now()

	ctx, actor := asActor(t)
	batch := []*concernmap.Concern{NewConcern(), NewConcern(), NewConcernWithID(existing.ID), NewConcern()}
	repeat := NewConcernWithID(batch[0].ID)
	batch = append(batch, repeat)
	if n, err := s.CreateConcerns(ctx, batch); err != nil || n != 3 {
		t.Fatalf("create: got %d, %v, want 3, nil", n, err)
	}
	var want []wantEvent
	for _, c := range []*concernmap.Concern{batch[0], batch[1], batch[3]} {
		want = append(want, wantEvent{action: "concern.create", entity: "concern", entityID: c.ID.String(), after: feature(Stored(c))})
	}
	checkEvents(t, "small batch", findAudit(t, us, concernmap.AuditFilter{UserID: actor.UserID}), actor, since, want...)

	// A batch that fails logs nothing.
	bad := []*concernmap.Concern{NewConcern(), NewConcern()}
	bad[1].Category = "no_such_category"
	if _, err := s.CreateConcerns(ctx, bad); concernmap.ErrorCode(err) != concernmap.EINVALID {
		t.Fatalf("bad batch: got %v, want code %q", err, concernmap.EINVALID)
	}
	if n := len(findAudit(t, us, concernmap.AuditFilter{UserID: actor.UserID})); n != 3 {
		t.Errorf("bad batch: got %d events, want 3", n)
	}

	// Up to 1000 new concerns are logged one by one; more, as one count.
	for _, size := range []int{1000, 1001} {
		ctx, actor := asActor(t)
		cs := make([]*concernmap.Concern, size)
		for i := range cs {
			cs[i] = NewConcern()
			cs[i].Geometry = orb.Point{92 + float64(i)/200, 16}
		}
		// One existing ID, which is not new, does not count.
		cs = append(cs, NewConcernWithID(existing.ID))
		if n, err := s.CreateConcerns(ctx, cs); err != nil || n != size {
			t.Fatalf("create %d: got %d, %v, want %d, nil", size, n, err, size)
		}
		got := findAudit(t, us, concernmap.AuditFilter{UserID: actor.UserID, Limit: 1000})
		if size <= 1000 {
			if len(got) != size {
				t.Errorf("create %d: got %d events, want one a concern", size, len(got))
			}
			for _, e := range got[:min(len(got), 5)] {
				if e.Action != "concern.create" || e.Entity != "concern" || e.After == nil {
					t.Errorf("create %d: got %s %s with after %s, want concern.create with the concern", size, e.Action, e.Entity, e.After)
				}
			}
			continue
		}
		checkEvents(t, fmt.Sprintf("create %d", size), got, actor, since,
			wantEvent{action: "concern.bulk_create", entity: "concern", after: countJSON(size)})
	}
}

func testAuditArea(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	us := userStore(t, s)
	as := areaStore(t, s)
	ctx, actor := asActor(t)
	since := time.Now()

	first := []*concernmap.Area{NewArea(), NewArea()}
	first[1].Level, first[1].Parent = concernmap.LevelState, ""
	if _, _, err := as.UpsertAreas(ctx, first, now); err != nil {
		t.Fatalf("upsert: %v", err)
	}
	for _, a := range first {
		checkEvents(t, "create", history(t, us, "area", a.PCode), actor, since,
			wantEvent{action: "area.create", entity: "area", entityID: a.PCode, after: areaJSON(a), at: now})
	}

	later := now.Add(time.Hour)
	again := []*concernmap.Area{NewAreaLike(first[0]), NewArea()}
	if _, _, err := as.UpsertAreas(ctx, again, later); err != nil {
		t.Fatalf("upsert again: %v", err)
	}
	checkEvents(t, "update", newest(history(t, us, "area", first[0].PCode)), actor, since,
		wantEvent{action: "area.update", entity: "area", entityID: first[0].PCode, before: areaJSON(first[0]), after: areaJSON(again[0]), at: later})
	checkEvents(t, "create in a mixed batch", history(t, us, "area", again[1].PCode), actor, since,
		wantEvent{action: "area.create", entity: "area", entityID: again[1].PCode, after: areaJSON(again[1]), at: later})
	for _, e := range findAudit(t, us, concernmap.AuditFilter{Entity: "area"}) {
		if bytes.Contains(e.After, []byte("coordinates")) || bytes.Contains(e.Before, []byte("coordinates")) {
			t.Errorf("%s %s: the event holds the boundary", e.Action, e.EntityID)
		}
	}

	invalid := []*concernmap.Area{NewAreaLike(first[1]), NewArea()}
	invalid[1].NameEN = ""
	if _, _, err := as.UpsertAreas(ctx, invalid, later); concernmap.ErrorCode(err) != concernmap.EINVALID {
		t.Fatalf("invalid upsert: got %v, want code %q", err, concernmap.EINVALID)
	}
	if n := len(findAudit(t, us, concernmap.AuditFilter{Entity: "area"})); n != 4 {
		t.Errorf("invalid upsert: got %d area events, want 4", n)
	}

	moved, same := mustCreate(t, s, NewConcern()), mustCreate(t, s, NewConcern())
	at := later.Add(time.Hour)
	if n, err := as.AssignConcernAreas(ctx, map[uuid.UUID]string{moved.ID: "MMR013001799", same.ID: same.Area, uuid.New(): "x"}, at); err != nil || n != 1 {
		t.Fatalf("assign: got %d, %v, want 1, nil", n, err)
	}
	// Assigning what is there changes nothing, and logs nothing.
	if n, err := as.AssignConcernAreas(ctx, map[uuid.UUID]string{same.ID: same.Area}, at); err != nil || n != 0 {
		t.Fatalf("assign unchanged: got %d, %v, want 0, nil", n, err)
	}
	checkEvents(t, "assign", findAudit(t, us, concernmap.AuditFilter{UserID: actor.UserID, Entity: "concern"}), actor, since,
		wantEvent{action: "concern.assign_areas", entity: "concern", after: countJSON(1), at: at})
}

func testAuditUser(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	us := userStore(t, s)
	ctx, actor := asActor(t)
	since := time.Now()

	u := NewUser()
	if err := us.CreateUser(ctx, u); err != nil {
		t.Fatalf("create: %v", err)
	}
	created := storedUser(u, 1)
	id := u.ID.String()
	checkEvents(t, "create", history(t, us, "user", id), actor, since,
		wantEvent{action: "user.create", entity: "user", entityID: id, after: userJSON(created)})

	edit := storedUser(created, 1)
	edit.Role, edit.Scope, edit.PasswordHash = concernmap.RoleAdmin, nil, PasswordHash+"x"
	if err := us.UpdateUser(ctx, edit, 1); err != nil {
		t.Fatalf("update: %v", err)
	}
	checkEvents(t, "update", newest(history(t, us, "user", id)), actor, since,
		wantEvent{action: "user.update", entity: "user", entityID: id, before: userJSON(created), after: userJSON(storedUser(edit, 2))})
	if err := us.UpdateUser(ctx, edit, 1); concernmap.ErrorCode(err) != concernmap.EPRECONDITION {
		t.Fatalf("stale update: got %v, want code %q", err, concernmap.EPRECONDITION)
	}
	if n := len(history(t, us, "user", id)); n != 2 {
		t.Errorf("stale update: got %d events, want 2", n)
	}

	base := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	tok := &concernmap.APIToken{ID: uuid.New(), UserID: u.ID, Name: "QGIS", Hash: newHash(), CreatedAt: base}
	if err := us.CreateAPIToken(ctx, tok); err != nil {
		t.Fatalf("create token: %v", err)
	}
	if err := us.RevokeAPIToken(ctx, tok.ID, base.Add(time.Hour)); err != nil {
		t.Fatalf("revoke token: %v", err)
	}
	if err := us.RevokeAPIToken(ctx, tok.ID, base.Add(2*time.Hour)); err != nil {
		t.Fatalf("revoke token again: %v", err)
	}
	revoked := *tok
	revoked.RevokedAt = base.Add(time.Hour)
	checkEvents(t, "token", history(t, us, "api_token", tok.ID.String()), actor, since,
		wantEvent{action: "token.create", entity: "api_token", entityID: tok.ID.String(), after: tokenJSON(tok)},
		wantEvent{action: "token.revoke", entity: "api_token", entityID: tok.ID.String(), before: tokenJSON(tok),
			after: tokenJSON(&revoked), at: revoked.RevokedAt})

	// Secrets and their hashes stay out of the log.
	for _, e := range findAudit(t, us, concernmap.AuditFilter{UserID: actor.UserID}) {
		for _, b := range [][]byte{e.Before, e.After} {
			if bytes.Contains(b, []byte("argon2id")) || bytes.Contains(b, []byte("password")) || bytes.Contains(b, []byte(`"hash"`)) {
				t.Errorf("%s: the event shows a secret: %s", e.Action, b)
			}
		}
	}
}

// testAuditFind checks FindAudit against a brute-force filter of the events
// it was given.
func testAuditFind(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	us := userStore(t, s)
	if got := findAudit(t, us, concernmap.AuditFilter{}); len(got) != 0 {
		t.Fatalf("empty store: got %d events, want 0", len(got))
	}

	rnd := rand.New(rand.NewPCG(seed(t), 0))
	u1, u2 := uuid.New(), uuid.New()
	users := []*uuid.UUID{&u1, &u2, nil}
	targets := []struct{ entity, id string }{
		{"concern", uuid.NewString()}, {"concern", uuid.NewString()}, {"area", "MMR013001701"},
		{"user", u1.String()}, {"user", "someone.typed.this"}, {"concern", ""},
	}
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	var events []*concernmap.AuditEvent
	for i := range 60 {
		tg := targets[rnd.IntN(len(targets))]
		ctx := concernmap.WithActor(t.Context(), concernmap.Actor{UserID: users[rnd.IntN(len(users))], RequestID: fmt.Sprint("req-", i)})
		// Times that do not follow the IDs' order, as a clock passed in
		// need not.
		at := base.Add(time.Duration(rnd.IntN(24*60)) * time.Minute)
		events = append(events, concernmap.NewAuditEvent(ctx, at, "test.event", tg.entity, tg.id, nil, fmt.Appendf(nil, `{"i":%d}`, i)))
	}
	if err := us.AppendAudit(t.Context(), events...); err != nil {
		t.Fatalf("append: %v", err)
	}
	newestFirst := slices.Clone(events)
	slices.SortFunc(newestFirst, func(a, b *concernmap.AuditEvent) int { return bytes.Compare(b.ID[:], a.ID[:]) })

	mid, early := newestFirst[len(events)/2], base.Add(6*time.Hour)
	filters := []struct {
		name string
		f    concernmap.AuditFilter
	}{
		{"all", concernmap.AuditFilter{}},
		{"user", concernmap.AuditFilter{UserID: &u1}},
		{"other user", concernmap.AuditFilter{UserID: &u2}},
		{"unknown user", concernmap.AuditFilter{UserID: ptr(uuid.New())}},
		{"entity", concernmap.AuditFilter{Entity: "concern"}},
		{"entity and ID", concernmap.AuditFilter{Entity: "concern", EntityID: targets[0].id}},
		{"ID alone", concernmap.AuditFilter{EntityID: u1.String()}},
		{"from", concernmap.AuditFilter{From: early}},
		{"to", concernmap.AuditFilter{To: early}},
		{"from and to at an event", concernmap.AuditFilter{From: mid.At, To: mid.At}},
		{"from and to", concernmap.AuditFilter{From: early, To: early.Add(6 * time.Hour)}},
		{"from in another zone", concernmap.AuditFilter{From: early.In(yangon)}},
		{"limit", concernmap.AuditFilter{Limit: 7}},
		{"before", concernmap.AuditFilter{Before: mid.ID}},
		{"before the oldest", concernmap.AuditFilter{Before: newestFirst[len(events)-1].ID}},
		{"before an unknown ID", concernmap.AuditFilter{Before: uuid.Must(uuid.NewV7())}},
		{"everything", concernmap.AuditFilter{UserID: &u1, Entity: "concern", From: early, Limit: 3, Before: mid.ID}},
	}
	for _, tt := range filters {
		t.Run(tt.name, func(t *testing.T) {
			got := findAudit(t, us, tt.f)
			limit := tt.f.Limit
			if limit == 0 {
				limit = 100
			}
			var want []*concernmap.AuditEvent
			for _, e := range newestFirst {
				if matchAudit(e, tt.f) && len(want) < limit {
					want = append(want, e)
				}
			}
			if !slices.EqualFunc(got, want, func(g, w *concernmap.AuditEvent) bool { return g.ID == w.ID }) {
				t.Fatalf("got %s, want %s", eventIDs(got), eventIDs(want))
			}
			for i := range got {
				checkEvent(t, got[i], want[i])
			}
		})
	}
}

// seed returns the random seed for a test, printed so that a failure can
// be replayed with STORETEST_SEED.
func seed(t *testing.T) uint64 {
	t.Helper()
	s := uint64(time.Now().UnixNano())
	if v := os.Getenv("STORETEST_SEED"); v != "" {
		var err error
		if s, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("STORETEST_SEED: %v", err)
		}
	}
	t.Logf("seed %d (set STORETEST_SEED to replay)", s)
	return s
}

// matchAudit is the contract of AuditFilter, but for the limit.
func matchAudit(e *concernmap.AuditEvent, f concernmap.AuditFilter) bool {
	return (f.UserID == nil || sameUser(e.UserID, f.UserID)) &&
		(f.Entity == "" || e.Entity == f.Entity) &&
		(f.EntityID == "" || e.EntityID == f.EntityID) &&
		(f.From.IsZero() || !StoredTime(e.At).Before(StoredTime(f.From))) &&
		(f.To.IsZero() || !StoredTime(e.At).After(StoredTime(f.To))) &&
		(f.Before == uuid.Nil || bytes.Compare(e.ID[:], f.Before[:]) < 0)
}

func eventIDs(events []*concernmap.AuditEvent) string {
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID.String()[24:]
	}
	return "[" + strings.Join(ids, " ") + "]"
}

// checkEvent checks that the store gave back what it was given.
func checkEvent(t *testing.T, got, want *concernmap.AuditEvent) {
	t.Helper()
	if got.ID != want.ID || got.At != StoredTime(want.At) || !sameUser(got.UserID, want.UserID) ||
		got.Action != want.Action || got.Entity != want.Entity || got.EntityID != want.EntityID ||
		got.RequestID != want.RequestID || !jsonEqual(got.Before, want.Before) || !jsonEqual(got.After, want.After) {
		t.Errorf("event %s:\n\tgot  %+v\n\twant %+v", want.ID, *got, *want)
	}
}

func testAuditPages(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	us := userStore(t, s)
	const n = 1005
	events := make([]*concernmap.AuditEvent, n)
	for i := range events {
		events[i] = concernmap.NewAuditEvent(t.Context(), now, "test.event", "concern", "", nil, nil)
	}
	if err := us.AppendAudit(t.Context(), events...); err != nil {
		t.Fatalf("append: %v", err)
	}
	for _, tt := range []struct{ limit, want int }{{0, 100}, {-1, 100}, {1, 1}, {1000, 1000}, {5000, 1000}} {
		if got := len(findAudit(t, us, concernmap.AuditFilter{Limit: tt.limit})); got != tt.want {
			t.Errorf("limit %d: got %d events, want %d", tt.limit, got, tt.want)
		}
	}
	for _, limit := range []int{1000, 99} {
		var seen []*concernmap.AuditEvent
		f := concernmap.AuditFilter{Limit: limit}
		for range n {
			page := findAudit(t, us, f)
			if len(page) == 0 {
				break
			}
			seen = append(seen, page...)
			f.Before = page[len(page)-1].ID
		}
		if len(seen) != n {
			t.Errorf("pages of %d: got %d events, want %d", limit, len(seen), n)
		}
		for i := 1; i < len(seen); i++ {
			if bytes.Compare(seen[i-1].ID[:], seen[i].ID[:]) <= 0 {
				t.Fatalf("pages of %d: events %d and %d are not newest first", limit, i-1, i)
			}
		}
	}
}

func testAuditAppend(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	us := userStore(t, s)
	if err := us.AppendAudit(t.Context()); err != nil {
		t.Errorf("no events: got %v, want nil", err)
	}
	ctx, _ := asActor(t)
	at := time.Date(2025, 6, 1, 19, 45, 30, 123456789, yangon)
	kept := []*concernmap.AuditEvent{
		concernmap.NewAuditEvent(ctx, at, "concern.read_sensitive", "concern", "", nil, []byte(`{"ids": ["a", "b"]}`)),
		concernmap.NewAuditEvent(t.Context(), at, "user.login_failed", "user", "ဒေါ်ခင်", nil, nil),
		concernmap.NewAuditEvent(ctx, at, "test.json", "x", "1", []byte(`null`), []byte(`[1, "<&>", {"b": 2.5, "a": true}]`)),
	}
	if err := us.AppendAudit(t.Context(), kept...); err != nil {
		t.Fatalf("append: %v", err)
	}
	check := func(what string) {
		t.Helper()
		got := findAudit(t, us, concernmap.AuditFilter{})
		if len(got) != len(kept) {
			t.Fatalf("%s: got %d events, want %d", what, len(got), len(kept))
		}
		for i, e := range got {
			checkEvent(t, e, kept[len(kept)-1-i])
		}
	}
	check("append")

	tests := []struct {
		name   string
		modify func(e *concernmap.AuditEvent)
		field  string
	}{
		{"version 4 ID", func(e *concernmap.AuditEvent) { e.ID = uuid.New() }, "id"},
		{"nil ID", func(e *concernmap.AuditEvent) { e.ID = uuid.Nil }, "id"},
		{"no time", func(e *concernmap.AuditEvent) { e.At = time.Time{} }, "at"},
		{"no action", func(e *concernmap.AuditEvent) { e.Action = "" }, "action"},
		{"no entity", func(e *concernmap.AuditEvent) { e.Entity = "" }, "entity"},
		{"before not JSON", func(e *concernmap.AuditEvent) { e.Before = []byte(`{"a":`) }, "before"},
		{"empty after", func(e *concernmap.AuditEvent) { e.After = []byte{} }, "after"},
		{"entity ID not UTF-8", func(e *concernmap.AuditEvent) { e.EntityID = "user\xff" }, "entity_id"},
		{"NUL in request ID", func(e *concernmap.AuditEvent) { e.RequestID = "a\x00b" }, "request_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A good event with a bad one: neither is added.
			good := concernmap.NewAuditEvent(ctx, at, "test.event", "concern", "", nil, nil)
			bad := concernmap.NewAuditEvent(ctx, at, "test.event", "concern", "", nil, nil)
			tt.modify(bad)
			checkInvalid(t, us.AppendAudit(t.Context(), good, bad), tt.field)
		})
	}
	checkInvalid(t, us.AppendAudit(t.Context(), nil), "events")
	check("invalid events")

	// The log is append-only: an event cannot be written over, alone or in a
	// batch.
	again := *kept[0]
	again.Action, again.After = "concern.create", []byte(`{"forged":true}`)
	checkCode(t, "append again", us.AppendAudit(t.Context(), &again), concernmap.ECONFLICT)
	other := concernmap.NewAuditEvent(ctx, at, "test.event", "concern", "", nil, nil)
	checkCode(t, "append again in a batch", us.AppendAudit(t.Context(), other, &again), concernmap.ECONFLICT)
	twice := concernmap.NewAuditEvent(ctx, at, "test.event", "concern", "", nil, nil)
	checkCode(t, "the same event twice", us.AppendAudit(t.Context(), twice, twice), concernmap.ECONFLICT)
	check("overwrites")
}

func testAuditReopen(t *testing.T, fresh freshFunc) {
	s, reopen := start(t, fresh)
	us := userStore(t, s)
	ctx, actor := asActor(t)
	since := time.Now()
	c, _, err := s.CreateConcern(ctx, NewConcern())
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	u := NewUser()
	if err := us.CreateUser(ctx, u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	before := findAudit(t, us, concernmap.AuditFilter{})
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	s = reopen()
	us = userStore(t, s)
	after := findAudit(t, us, concernmap.AuditFilter{})
	if len(after) != len(before) {
		t.Fatalf("after reopen: got %d events, want %d", len(after), len(before))
	}
	for i := range before {
		checkEvent(t, after[i], before[i])
	}
	checkEvents(t, "after reopen", history(t, us, "concern", c.ID.String()), actor, since,
		wantEvent{action: "concern.create", entity: "concern", entityID: c.ID.String(), after: feature(c)})
	// The log goes on from where it was.
	updated := mustUpdate(t, s, c.ID, concernmap.ConcernUpdate{Severity: ptr(1)}, c.Version)
	got := findAudit(t, us, concernmap.AuditFilter{Limit: 1})
	if len(got) != 1 || got[0].Action != "concern.update" || !jsonEqual(got[0].After, feature(updated)) {
		t.Errorf("newest after reopen: got %+v, want the update", got)
	}
}
