package storetest

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/concernmap/concernmap"
)

// userStore returns s as a UserStore, failing t if it is not one.
func userStore(t *testing.T, s concernmap.ConcernStore) concernmap.UserStore {
	t.Helper()
	if w, ok := s.(*store); ok {
		s = w.ConcernStore
	}
	us, ok := s.(concernmap.UserStore)
	if !ok {
		t.Fatalf("%T does not implement concernmap.UserStore", s)
	}
	return us
}

// usernames numbers the users NewUser makes, so that each has its own
// username.
var usernames atomic.Int64

// PasswordHash is the hash NewUser gives every user. The audit log must
// never show it.
const PasswordHash = "$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHRzb21lc2FsdA$0123456789abcdefghijklmnopqrstuvwxyzABCDE"

// NewUser returns a valid user with a new ID and username and every field
// set, its times at a precision that a store must truncate.
func NewUser() *concernmap.User {
	created := time.Date(2025, 4, 2, 9, 30, 0, 123456789, yangon)
	return &concernmap.User{
		ID:           uuid.New(),
		Username:     fmt.Sprintf("coordinator.%04d", usernames.Add(1)),
		Name:         "ဒေါ်ခင်မျိုး",
		Role:         concernmap.RoleCoordinator,
		Organisation: "CSWG Kyauk Ta Lone",
		Language:     "my",
		Scope:        []string{"MMR013001701", "MMR013001702"},
		PasswordHash: PasswordHash,
		CreatedAt:    created,
		UpdatedAt:    created,
	}
}

// storedUser returns u as a store keeps it at version.
func storedUser(u *concernmap.User, version int) *concernmap.User {
	s := *u
	s.Scope = slices.Clone(u.Scope)
	if len(s.Scope) == 0 {
		s.Scope = nil
	}
	s.CreatedAt, s.UpdatedAt, s.Version = StoredTime(u.CreatedAt), StoredTime(u.UpdatedAt), version
	return &s
}

// CheckUser fails t for every field in which got differs from want. Times
// must be equal and in UTC, and no scope must be nil.
func CheckUser(t testing.TB, what string, got, want *concernmap.User) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got nil user, want %s", what, want.ID)
		return
	}
	// == also compares the times' zones, which must be UTC.
	same := got.ID == want.ID && got.Username == want.Username && got.Name == want.Name && got.Role == want.Role &&
		got.Organisation == want.Organisation && got.Language == want.Language &&
		slices.Equal(got.Scope, want.Scope) && (got.Scope == nil) == (want.Scope == nil) &&
		got.PasswordHash == want.PasswordHash && got.Disabled == want.Disabled &&
		got.CreatedAt == want.CreatedAt && got.UpdatedAt == want.UpdatedAt && got.Version == want.Version
	if !same {
		t.Errorf("%s %s:\n\tgot  %+v\n\twant %+v", what, want.ID, *got, *want)
	}
}

// CheckSession fails t unless got equals want.
func CheckSession(t testing.TB, what string, got, want *concernmap.Session) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got nil session, want one", what)
		return
	}
	if !bytes.Equal(got.TokenHash, want.TokenHash) || got.UserID != want.UserID || got.CSRFToken != want.CSRFToken ||
		got.CreatedAt != want.CreatedAt || got.ExpiresAt != want.ExpiresAt {
		t.Errorf("%s:\n\tgot  %+v\n\twant %+v", what, *got, *want)
	}
}

// CheckToken fails t unless got equals want.
func CheckToken(t testing.TB, what string, got, want *concernmap.APIToken) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got nil token, want %s", what, want.ID)
		return
	}
	if got.ID != want.ID || got.UserID != want.UserID || got.Name != want.Name || !bytes.Equal(got.Hash, want.Hash) ||
		got.CreatedAt != want.CreatedAt || got.LastUsedAt != want.LastUsedAt || got.RevokedAt != want.RevokedAt {
		t.Errorf("%s %s:\n\tgot  %+v\n\twant %+v", what, want.ID, *got, *want)
	}
}

func mustCreateUser(t *testing.T, s concernmap.UserStore, u *concernmap.User) *concernmap.User {
	t.Helper()
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	return storedUser(u, 1)
}

func mustFindUser(t *testing.T, s concernmap.UserStore, id uuid.UUID) *concernmap.User {
	t.Helper()
	u, err := s.FindUserByID(t.Context(), id)
	if err != nil {
		t.Fatalf("find user %s: %v", id, err)
	}
	return u
}

func checkCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := concernmap.ErrorCode(err); got != code {
		t.Errorf("%s: got code %q (%v), want %q", what, got, err, code)
	}
	checkNoLeak(t, err)
}

// checkConflict checks that err is ECONFLICT naming field.
func checkConflict(t *testing.T, err error, field string) {
	t.Helper()
	checkCode(t, "conflict", err, concernmap.ECONFLICT)
	fields := concernmap.ErrorFields(err)
	if !slices.ContainsFunc(fields, func(f concernmap.FieldError) bool { return f.Field == field }) {
		t.Errorf("got fields %+v, want one for %q", fields, field)
	}
}

func newHash() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}

func testUserCreateFind(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	us := userStore(t, s)
	tests := []struct {
		name   string
		modify func(u *concernmap.User)
	}{
		{"every field", func(u *concernmap.User) {}},
		{"no scope", func(u *concernmap.User) { u.Scope = nil }},
		{"empty scope", func(u *concernmap.User) { u.Scope = []string{} }},
		{"disabled", func(u *concernmap.User) { u.Disabled = true }},
		{"no organisation", func(u *concernmap.User) { u.Organisation = "" }},
		{"admin", func(u *concernmap.User) { u.Role, u.Language = concernmap.RoleAdmin, "en" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := NewUser()
			tt.modify(u)
			u.Version = 7 // the store's to set
			want := storedUser(u, 1)
			if err := us.CreateUser(t.Context(), u); err != nil {
				t.Fatalf("create: %v", err)
			}
			if u.Version != 1 || u.CreatedAt != want.CreatedAt || u.UpdatedAt != want.UpdatedAt {
				t.Errorf("filled in: got version %d, %v, %v, want 1, %v, %v", u.Version, u.CreatedAt, u.UpdatedAt, want.CreatedAt, want.UpdatedAt)
			}
			CheckUser(t, "find by ID", mustFindUser(t, us, u.ID), want)
			got, err := us.FindUserByUsername(t.Context(), u.Username)
			if err != nil {
				t.Fatalf("find by username: %v", err)
			}
			CheckUser(t, "find by username", got, want)
		})
	}

	t.Run("zero times", func(t *testing.T) {
		u := NewUser()
		u.CreatedAt, u.UpdatedAt = time.Time{}, time.Time{}
		before := time.Now()
		if err := us.CreateUser(t.Context(), u); err != nil {
			t.Fatalf("create: %v", err)
		}
		got := mustFindUser(t, us, u.ID)
		checkNow(t, "created_at", got.CreatedAt, before)
		if got.UpdatedAt != got.CreatedAt || u.CreatedAt != got.CreatedAt {
			t.Errorf("got updated_at %v and filled in %v, want %v", got.UpdatedAt, u.CreatedAt, got.CreatedAt)
		}
	})

	t.Run("unknown", func(t *testing.T) {
		_, err := us.FindUserByID(t.Context(), uuid.New())
		checkCode(t, "by ID", err, concernmap.ENOTFOUND)
		for _, name := range []string{"no.such.user", "", "COORDINATOR.0001"} {
			_, err := us.FindUserByUsername(t.Context(), name)
			checkCode(t, fmt.Sprintf("by username %q", name), err, concernmap.ENOTFOUND)
		}
	})
}

// checkNow checks that a time the store took from its clock lies between
// since and now, truncated and in UTC.
func checkNow(t *testing.T, what string, got, since time.Time) {
	t.Helper()
	if got.Location() != time.UTC || got.Before(since.Truncate(time.Microsecond)) || got.After(time.Now()) || got.Nanosecond()%1000 != 0 {
		t.Errorf("%s: got %v, want a UTC time to the microsecond since %v", what, got, since)
	}
}

func testUserConflict(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	us := userStore(t, s)
	first := mustCreateUser(t, us, NewUser())
	events := len(findAudit(t, us, concernmap.AuditFilter{}))

	sameName := NewUser()
	sameName.Username = first.Username
	checkConflict(t, us.CreateUser(t.Context(), sameName), "username")
	_, err := us.FindUserByID(t.Context(), sameName.ID)
	checkCode(t, "loser", err, concernmap.ENOTFOUND)

	sameID := NewUser()
	sameID.ID = first.ID
	checkConflict(t, us.CreateUser(t.Context(), sameID), "id")
	_, err = us.FindUserByUsername(t.Context(), sameID.Username)
	checkCode(t, "loser's username", err, concernmap.ENOTFOUND)

	CheckUser(t, "first", mustFindUser(t, us, first.ID), first)
	if got := len(findAudit(t, us, concernmap.AuditFilter{})); got != events {
		t.Errorf("got %d audit events, want %d: a failed write logs nothing", got, events)
	}
}

func testUserInvalid(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	us := userStore(t, s)
	tests := []struct {
		name   string
		modify func(u *concernmap.User)
		field  string
	}{
		{"nil ID", func(u *concernmap.User) { u.ID = uuid.Nil }, "id"},
		{"upper-case username", func(u *concernmap.User) { u.Username = "Daw.Khin" }, "username"},
		{"short username", func(u *concernmap.User) { u.Username = "ab" }, "username"},
		{"no name", func(u *concernmap.User) { u.Name = "" }, "name"},
		{"role", func(u *concernmap.User) { u.Role = "root" }, "role"},
		{"language", func(u *concernmap.User) { u.Language = "fr" }, "language"},
		{"scope", func(u *concernmap.User) { u.Scope = []string{"MMR 01"} }, "scope"},
		{"no password", func(u *concernmap.User) { u.PasswordHash = "" }, "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := NewUser()
			tt.modify(u)
			checkInvalid(t, us.CreateUser(t.Context(), u), tt.field)
			if u.ID != uuid.Nil {
				_, err := us.FindUserByID(t.Context(), u.ID)
				checkCode(t, "find", err, concernmap.ENOTFOUND)
			}
			if u.Version != 0 {
				t.Errorf("got version %d filled in, want 0", u.Version)
			}
		})
	}
	if got := findAudit(t, us, concernmap.AuditFilter{}); len(got) != 0 {
		t.Errorf("got %d audit events, want none: a failed write logs nothing", len(got))
	}
}

func testUserUpdate(t *testing.T, fresh freshFunc) {
	s, _ := start(t, fresh)
	us := userStore(t, s)
	other := mustCreateUser(t, us, NewUser())

	tests := []struct {
		name      string
		modify    func(u *concernmap.User)
		unknownID bool
		ifVersion func(stored int) int
		wantCode  string
		field     string
	}{
		{name: "current version", modify: func(u *concernmap.User) { u.Name = "Daw Khin Myo" }, ifVersion: same},
		{name: "unconditional", modify: func(u *concernmap.User) { u.Disabled = true }, ifVersion: zero},
		{name: "every field", modify: func(u *concernmap.User) {
			u.Username, u.Name, u.Role, u.Organisation = "renamed."+u.Username, "U Aung", concernmap.RoleAuthority, ""
			u.Language, u.Scope, u.PasswordHash, u.Disabled = "en", nil, "$argon2id$new", true
		}, ifVersion: same},
		{name: "stale version", modify: func(u *concernmap.User) { u.Name = "late" }, ifVersion: older, wantCode: concernmap.EPRECONDITION},
		{name: "future version", modify: func(u *concernmap.User) { u.Name = "early" }, ifVersion: newer, wantCode: concernmap.EPRECONDITION},
		{name: "unknown id", modify: func(u *concernmap.User) {}, unknownID: true, ifVersion: zero, wantCode: concernmap.ENOTFOUND},
		{name: "invalid", modify: func(u *concernmap.User) { u.Role = "root" }, ifVersion: same, wantCode: concernmap.EINVALID, field: "role"},
		{name: "username taken", modify: func(u *concernmap.User) { u.Username = other.Username }, ifVersion: same,
			wantCode: concernmap.ECONFLICT, field: "username"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stored := mustCreateUser(t, us, NewUser())
			// Take it past version 1, so that "older" has a version to name.
			u := storedUser(stored, 1)
			if err := us.UpdateUser(t.Context(), u, 1); err != nil {
				t.Fatalf("first update: %v", err)
			}
			stored = mustFindUser(t, us, u.ID)
			events := len(findAudit(t, us, concernmap.AuditFilter{Entity: "user", EntityID: u.ID.String()}))

			u = storedUser(stored, stored.Version)
			if tt.unknownID {
				u.ID = uuid.New()
			}
			tt.modify(u)
			u.CreatedAt = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) // the store keeps its own
			start := time.Now()
			err := us.UpdateUser(t.Context(), u, tt.ifVersion(stored.Version))
			if code := concernmap.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("got code %q (%v), want %q", code, err, tt.wantCode)
			}
			if tt.wantCode != "" {
				checkNoLeak(t, err)
				if tt.field != "" {
					if fields := concernmap.ErrorFields(err); !slices.ContainsFunc(fields, func(f concernmap.FieldError) bool { return f.Field == tt.field }) {
						t.Errorf("got fields %+v, want one for %q", fields, tt.field)
					}
				}
				CheckUser(t, "unchanged", mustFindUser(t, us, stored.ID), stored)
				CheckUser(t, "other", mustFindUser(t, us, other.ID), other)
				if got := len(findAudit(t, us, concernmap.AuditFilter{Entity: "user", EntityID: stored.ID.String()})); got != events {
					t.Errorf("got %d audit events, want %d: a failed write logs nothing", got, events)
				}
				return
			}
			got := mustFindUser(t, us, u.ID)
			checkNow(t, "updated_at", got.UpdatedAt, start)
			want := storedUser(u, stored.Version+1)
			want.CreatedAt, want.UpdatedAt = stored.CreatedAt, got.UpdatedAt
			CheckUser(t, "update", got, want)
			if u.Version != want.Version || u.CreatedAt != want.CreatedAt || u.UpdatedAt != want.UpdatedAt {
				t.Errorf("filled in: got version %d, %v, %v, want %d, %v, %v", u.Version, u.CreatedAt, u.UpdatedAt,
					want.Version, want.CreatedAt, want.UpdatedAt)
			}
			byName, err := us.FindUserByUsername(t.Context(), u.Username)
			if err != nil {
				t.Fatalf("find by username: %v", err)
			}
			CheckUser(t, "find by username", byName, want)
			if u.Username != stored.Username {
				_, err := us.FindUserByUsername(t.Context(), stored.Username)
				checkCode(t, "old username", err, concernmap.ENOTFOUND)
			}
		})
	}
}

func testUserList(t *testing.T, fresh freshFunc) {
	s, reopen := start(t, fresh)
	us := userStore(t, s)
	if got, err := us.FindUsers(t.Context()); err != nil || len(got) != 0 {
		t.Errorf("empty store: got %d users, %v, want 0, nil", len(got), err)
	}
	var want []*concernmap.User
	// Byte order, whatever the database's collation: '-' < '.' < '0' < '_' < 'a'.
	for _, name := range []string{"zaw.min", "aye-aye", "aye.aye", "aye_aye", "aye0", "ayeaye"} {
		u := NewUser()
		u.Username = name
		u.Disabled = name == "ayeaye"
		want = append(want, mustCreateUser(t, us, u))
	}
	slices.SortFunc(want, func(a, b *concernmap.User) int { return strings.Compare(a.Username, b.Username) })
	check := func(us concernmap.UserStore) {
		t.Helper()
		got, err := us.FindUsers(t.Context())
		if err != nil {
			t.Fatalf("find users: %v", err)
		}
		if len(got) != len(want) {
			t.Fatalf("got %d users, want %d", len(got), len(want))
		}
		for i := range want {
			CheckUser(t, fmt.Sprintf("users[%d]", i), got[i], want[i])
		}
	}
	check(us)
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	check(userStore(t, reopen()))
}

func testSessions(t *testing.T, fresh freshFunc) {
	s, reopen := start(t, fresh)
	us := userStore(t, s)
	u := mustCreateUser(t, us, NewUser())
	created := time.Date(2025, 6, 1, 8, 0, 0, 123456789, yangon)
	sess := &concernmap.Session{TokenHash: newHash(), UserID: u.ID, CSRFToken: "csrf-" + uuid.NewString(),
		CreatedAt: created, ExpiresAt: created.Add(12 * time.Hour)}
	if err := us.CreateSession(t.Context(), sess); err != nil {
		t.Fatalf("create: %v", err)
	}
	want := *sess
	want.CreatedAt, want.ExpiresAt = StoredTime(sess.CreatedAt), StoredTime(sess.ExpiresAt)

	find := func(us concernmap.UserStore, hash []byte, at time.Time) (*concernmap.Session, error) {
		return us.FindSession(t.Context(), hash, at)
	}
	got, err := find(us, sess.TokenHash, created.Add(time.Hour))
	if err != nil {
		t.Fatalf("find: %v", err)
	}
	CheckSession(t, "find", got, &want)
	got, err = find(us, sess.TokenHash, want.ExpiresAt.Add(-time.Microsecond))
	if err != nil {
		t.Fatalf("find just before expiry: %v", err)
	}
	CheckSession(t, "find just before expiry", got, &want)

	for _, at := range []time.Time{want.ExpiresAt, want.ExpiresAt.Add(time.Hour)} {
		_, err := find(us, sess.TokenHash, at)
		checkCode(t, fmt.Sprintf("find at %v", at), err, concernmap.ENOTFOUND)
	}
	_, err = find(us, newHash(), created)
	checkCode(t, "find unknown", err, concernmap.ENOTFOUND)

	dup := want
	dup.UserID = mustCreateUser(t, us, NewUser()).ID
	checkConflict(t, us.CreateSession(t.Context(), &dup), "token_hash")
	noUser := &concernmap.Session{TokenHash: newHash(), UserID: uuid.New(), CSRFToken: "x", CreatedAt: created, ExpiresAt: created.Add(time.Hour)}
	checkInvalid(t, us.CreateSession(t.Context(), noUser), "user_id")
	noHash := &concernmap.Session{UserID: u.ID, CSRFToken: "x", CreatedAt: created, ExpiresAt: created.Add(time.Hour)}
	checkInvalid(t, us.CreateSession(t.Context(), noHash), "token_hash")

	// Sessions survive a restart, so no one is signed out by a deploy.
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	us = userStore(t, reopen())
	got, err = find(us, sess.TokenHash, created)
	if err != nil {
		t.Fatalf("find after reopen: %v", err)
	}
	CheckSession(t, "find after reopen", got, &want)

	if err := us.DeleteSession(t.Context(), sess.TokenHash); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = find(us, sess.TokenHash, created)
	checkCode(t, "find deleted", err, concernmap.ENOTFOUND)
	if err := us.DeleteSession(t.Context(), sess.TokenHash); err != nil {
		t.Errorf("delete again: got %v, want nil", err)
	}
}

func testAPITokens(t *testing.T, fresh freshFunc) {
	s, reopen := start(t, fresh)
	us := userStore(t, s)
	alice, bob := mustCreateUser(t, us, NewUser()), mustCreateUser(t, us, NewUser())
	base := time.Date(2025, 6, 1, 8, 0, 0, 123456789, yangon)
	newToken := func(user uuid.UUID, name string, created time.Time) *concernmap.APIToken {
		return &concernmap.APIToken{ID: uuid.New(), UserID: user, Name: name, Hash: newHash(), CreatedAt: created}
	}
	stored := func(tok *concernmap.APIToken) *concernmap.APIToken {
		w := *tok
		w.Hash = bytes.Clone(tok.Hash)
		w.CreatedAt, w.LastUsedAt, w.RevokedAt = StoredTime(tok.CreatedAt), StoredTime(tok.LastUsedAt), StoredTime(tok.RevokedAt)
		return &w
	}
	// Made out of order, to check that lists come oldest first.
	laptop := newToken(alice.ID, "QGIS on the office laptop", base.Add(time.Hour))
	script := newToken(alice.ID, "nightly export", base)
	script.LastUsedAt = base.Add(30 * time.Minute)
	phone := newToken(bob.ID, "ဖုန်း", base)
	for _, tok := range []*concernmap.APIToken{laptop, script, phone} {
		if err := us.CreateAPIToken(t.Context(), tok); err != nil {
			t.Fatalf("create %s: %v", tok.Name, err)
		}
	}

	checkList := func(us concernmap.UserStore, user uuid.UUID, want ...*concernmap.APIToken) {
		t.Helper()
		got, err := us.FindAPITokens(t.Context(), user)
		if err != nil {
			t.Fatalf("find tokens: %v", err)
		}
		if len(got) != len(want) {
			t.Fatalf("got %d tokens, want %d", len(got), len(want))
		}
		for i := range want {
			CheckToken(t, fmt.Sprintf("tokens[%d]", i), got[i], want[i])
		}
	}
	for _, tok := range []*concernmap.APIToken{laptop, script, phone} {
		got, err := us.FindAPIToken(t.Context(), tok.Hash)
		if err != nil {
			t.Fatalf("find %s: %v", tok.Name, err)
		}
		CheckToken(t, "find", got, stored(tok))
	}
	checkList(us, alice.ID, stored(script), stored(laptop))
	checkList(us, bob.ID, stored(phone))
	checkList(us, uuid.New())

	revoked := base.Add(2 * time.Hour)
	if err := us.RevokeAPIToken(t.Context(), laptop.ID, revoked); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	_, err := us.FindAPIToken(t.Context(), laptop.Hash)
	checkCode(t, "find revoked", err, concernmap.ENOTFOUND)
	// Revoking again keeps the first time.
	if err := us.RevokeAPIToken(t.Context(), laptop.ID, revoked.Add(time.Hour)); err != nil {
		t.Errorf("revoke again: got %v, want nil", err)
	}
	checkCode(t, "revoke unknown", us.RevokeAPIToken(t.Context(), uuid.New(), revoked), concernmap.ENOTFOUND)
	wantLaptop := stored(laptop)
	wantLaptop.RevokedAt = StoredTime(revoked)
	checkList(us, alice.ID, stored(script), wantLaptop)

	dupHash := newToken(bob.ID, "copy", base)
	dupHash.Hash = bytes.Clone(script.Hash)
	checkConflict(t, us.CreateAPIToken(t.Context(), dupHash), "hash")
	// A revoked token's hash stays taken.
	dupHash.Hash = bytes.Clone(laptop.Hash)
	checkConflict(t, us.CreateAPIToken(t.Context(), dupHash), "hash")
	dupID := newToken(bob.ID, "copy", base)
	dupID.ID = phone.ID
	checkConflict(t, us.CreateAPIToken(t.Context(), dupID), "id")
	checkInvalid(t, us.CreateAPIToken(t.Context(), newToken(uuid.New(), "no user", base)), "user_id")
	noHash := newToken(bob.ID, "no hash", base)
	noHash.Hash = nil
	checkInvalid(t, us.CreateAPIToken(t.Context(), noHash), "hash")
	checkInvalid(t, us.CreateAPIToken(t.Context(), newToken(bob.ID, "", base)), "name")
	noID := newToken(bob.ID, "no ID", base)
	noID.ID = uuid.Nil
	checkInvalid(t, us.CreateAPIToken(t.Context(), noID), "id")
	checkList(us, bob.ID, stored(phone))

	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	us = userStore(t, reopen())
	checkList(us, alice.ID, stored(script), wantLaptop)
	if _, err := us.FindAPIToken(t.Context(), laptop.Hash); concernmap.ErrorCode(err) != concernmap.ENOTFOUND {
		t.Errorf("find revoked after reopen: got %v, want code %q", err, concernmap.ENOTFOUND)
	}
}
