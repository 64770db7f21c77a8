package concernmap

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Sign-in bounds.
const (
	SessionTTL = 12 * time.Hour
	// An account is locked after this many failures in the window, and an
	// address is refused after addressFailures; both clear after the window.
	accountFailures = 5
	addressFailures = 30
	failureWindow   = 15 * time.Minute
	apiTokenPrefix  = "cm_"
)

// errSignIn is the one answer to every failed sign-in, so a guesser learns
// nothing about which usernames exist or which are locked.
var errSignIn = Errorf(EUNAUTHORIZED, "wrong username or password, or too many attempts: wait and try again")

// Throttle counts failures per key in a sliding window. It is per
// instance: several instances multiply the attempts a guesser gets by
// their number, which the window and argon2id's cost still keep small.
type Throttle struct {
	mu    sync.Mutex
	max   int
	seen  map[string][]time.Time
	now   func() time.Time
	limit time.Duration
}

// NewThrottle allows max failures per key in window.
func NewThrottle(max int, window time.Duration) *Throttle {
	return &Throttle{max: max, seen: map[string][]time.Time{}, now: time.Now, limit: window}
}

// Blocked reports whether key has used up its failures.
func (t *Throttle) Blocked(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.recent(key)) >= t.max
}

// Fail records a failure for key.
func (t *Throttle) Fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seen[key] = append(t.recent(key), t.now())
}

// Reset forgets key's failures, after a success.
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.seen, key)
}

func (t *Throttle) recent(key string) []time.Time {
	cut := t.now().Add(-t.limit)
	ts := t.seen[key]
	i := 0
	for i < len(ts) && ts[i].Before(cut) {
		i++
	}
	if i == len(ts) {
		delete(t.seen, key)
		return nil
	}
	return ts[i:]
}

// Auth signs people in and checks their sessions and tokens.
type Auth struct {
	store    UserStore
	now      func() time.Time
	accounts *Throttle
	address  *Throttle
	dummy    string // a hash to check against for unknown users, for even timing
	log      *slog.Logger
}

// NewAuth returns the sign-in service over store.
func NewAuth(store UserStore) *Auth {
	dummy, _ := HashPassword("a password no one has, for timing")
	return &Auth{store: store, now: time.Now, dummy: dummy, log: slog.New(slog.DiscardHandler),
		accounts: NewThrottle(accountFailures, failureWindow), address: NewThrottle(addressFailures, failureWindow)}
}

// SetClock replaces the clock, for tests.
func (a *Auth) SetClock(now func() time.Time) {
	a.now = now
	a.accounts.now, a.address.now = now, now
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SignIn checks a password and opens a session. It returns the session's
// secret token, which only the browser's cookie holds.
func (a *Auth) SignIn(ctx context.Context, username, password, address string) (*User, *Session, string, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if a.accounts.Blocked(username) || a.address.Blocked(address) {
		a.audit(ctx, "user.login_blocked", username)
		return nil, nil, "", errSignIn
	}
	u, err := a.store.FindUserByUsername(ctx, username)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, nil, "", fmt.Errorf("sign in: %w", err)
	}
	hash := a.dummy
	if u != nil {
		hash = u.PasswordHash
	}
	ok := VerifyPassword(hash, password)
	if u == nil || !ok || u.Disabled {
		a.accounts.Fail(username)
		a.address.Fail(address)
		a.audit(ctx, "user.login_failed", username)
		return nil, nil, "", errSignIn
	}
	a.accounts.Reset(username)
	token := randomToken()
	now := a.now().UTC().Truncate(time.Microsecond)
	s := &Session{TokenHash: hashToken(token), UserID: u.ID, CSRFToken: randomToken(), CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}
	if err := a.store.CreateSession(ctx, s); err != nil {
		return nil, nil, "", fmt.Errorf("sign in: %w", err)
	}
	a.audit(WithActor(ctx, Actor{UserID: &u.ID, RequestID: ActorFrom(ctx).RequestID}), "user.login", u.ID.String())
	return u, s, token, nil
}

// audit logs a sign-in event. The typed username is cleaned and cut, since
// it is whatever a stranger sent.
func (a *Auth) audit(ctx context.Context, action, id string) {
	id = strings.ToValidUTF8(strings.ReplaceAll(id, "\x00", ""), "?")
	if len(id) > 64 {
		id = id[:64]
	}
	id = strings.ToValidUTF8(id, "")
	if err := a.store.AppendAudit(ctx, NewAuditEvent(ctx, a.now().UTC(), action, "user", id, nil, nil)); err != nil {
		a.log.Error("audit sign-in", slog.String("action", action), slog.Any("err", err))
	}
}

// SetLogger sets where failures that cannot be returned are reported.
func (a *Auth) SetLogger(l *slog.Logger) { a.log = l }

// Session returns the user and session of a session token.
func (a *Auth) Session(ctx context.Context, token string) (*User, *Session, error) {
	s, err := a.store.FindSession(ctx, hashToken(token), a.now())
	if err != nil {
		return nil, nil, err
	}
	u, err := a.store.FindUserByID(ctx, s.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, Errorf(EUNAUTHORIZED, "this account is disabled")
	}
	return u, s, nil
}

// SignOut ends a session.
func (a *Auth) SignOut(ctx context.Context, token string) error {
	return a.store.DeleteSession(ctx, hashToken(token))
}

// CheckCSRF compares a request's CSRF token with its session's, in constant
// time.
func CheckCSRF(s *Session, token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(s.CSRFToken), []byte(token)) == 1
}

// Token returns the user of an API token.
func (a *Auth) Token(ctx context.Context, secret string) (*User, error) {
	if !strings.HasPrefix(secret, apiTokenPrefix) {
		return nil, Errorf(EUNAUTHORIZED, "not an API token")
	}
	t, err := a.store.FindAPIToken(ctx, hashToken(secret))
	if err != nil {
		return nil, Errorf(EUNAUTHORIZED, "unknown or revoked API token")
	}
	u, err := a.store.FindUserByID(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, Errorf(EUNAUTHORIZED, "this account is disabled")
	}
	return u, nil
}

// CreateToken makes an API token for u and returns its secret, which is
// shown this once: the store keeps only its hash.
func (a *Auth) CreateToken(ctx context.Context, u *User, name string) (*APIToken, string, error) {
	if name = strings.TrimSpace(name); name == "" || len(name) > 100 {
		return nil, "", Invalid("name", "must be 1-100 bytes, e.g. QGIS on the office laptop")
	}
	secret := apiTokenPrefix + randomToken()
	t := &APIToken{ID: uuid.New(), UserID: u.ID, Name: name, Hash: hashToken(secret), CreatedAt: a.now().UTC().Truncate(time.Microsecond)}
	if err := a.store.CreateAPIToken(ctx, t); err != nil {
		return nil, "", fmt.Errorf("create token: %w", err)
	}
	return t, secret, nil
}

// NewUser makes a user with a hashed password.
func NewUser(username, name string, role Role, password string) (*User, error) {
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	u := &User{ID: uuid.New(), Username: strings.ToLower(username), Name: name, Role: role, Language: "en",
		PasswordHash: hash, CreatedAt: now, UpdatedAt: now, Version: 1}
	return u, u.Validate()
}
