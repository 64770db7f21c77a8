package concernmap

import (
	"context"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Role is what a user may do and see.
type Role string

// The roles of the community security process.
const (
	RoleMember      Role = "cswg_member"      // a villager in a Community Security Working Group
	RoleCoordinator Role = "cswg_coordinator" // leads a CSWG: verifies, prioritises, plans, requests
	RoleAuthority   Role = "authority"        // answers requests for their jurisdiction
	RoleAdvocate    Role = "advocate"         // shows patterns to decision makers
	RoleAdmin       Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RoleMember, RoleCoordinator, RoleAuthority, RoleAdvocate, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if v == r {
			return true
		}
	}
	return false
}

// User is a person who signs in.
type User struct {
	ID           uuid.UUID
	Username     string
	Name         string
	Role         Role
	Organisation string
	Language     string // "en" or "my"
	// Scope lists area pcodes: a CSWG's villages, an authority's
	// jurisdiction. A township covers its tracts.
	Scope        []string
	PasswordHash string // argon2id, PHC string format
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

// Validate checks a user's fields.
func (u *User) Validate() error {
	var fe fieldErrors
	if u.ID == uuid.Nil {
		fe.add("id", "must be a non-nil UUID")
	}
	if !usernameRE.MatchString(u.Username) {
		fe.add("username", "must be 3-64 lower-case letters, digits, dots, dashes or underscores")
	}
	validateText(&fe, "name", u.Name, 1, 200)
	validateText(&fe, "organisation", u.Organisation, 0, 200)
	if !u.Role.Valid() {
		fe.add("role", "must be one of cswg_member, cswg_coordinator, authority, advocate, admin")
	}
	if u.Language != "en" && u.Language != "my" {
		fe.add("language", "must be en or my")
	}
	for _, p := range u.Scope {
		if !pcodeRE.MatchString(p) {
			fe.add("scope", "holds a malformed pcode %q", p)
			break
		}
	}
	if u.PasswordHash == "" {
		fe.add("password", "is required")
	}
	return fe.err("user")
}

// Session is a signed-in browser. The store keeps only a hash of its token.
type Session struct {
	TokenHash []byte
	UserID    uuid.UUID
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// MaxHashLen bounds the hash of a session's token or an API token's secret;
// a SHA-256 takes 32 bytes.
const MaxHashLen = 64

// Validate checks what a store needs of a session: a token hash of 1 to
// MaxHashLen bytes. It returns an EINVALID error naming "token_hash".
func (s *Session) Validate() error {
	return validateHash("token_hash", s.TokenHash)
}

// APIToken lets a script or GIS client act as a user. The store keeps only
// a hash of the secret.
type APIToken struct {
	ID         uuid.UUID
	UserID     uuid.UUID
	Name       string
	Hash       []byte
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// Validate checks an API token's fields: a non-nil ID, a name of 1-200 bytes
// of UTF-8 and a hash of 1 to MaxHashLen bytes. It returns an EINVALID error
// naming the first field at fault.
func (t *APIToken) Validate() error {
	if t.ID == uuid.Nil {
		return Invalid("id", "must be a non-nil UUID")
	}
	if !utf8.ValidString(t.Name) || t.Name == "" || len(t.Name) > 200 {
		return Invalid("name", "must be 1-200 bytes of UTF-8")
	}
	return validateHash("hash", t.Hash)
}

func validateHash(field string, h []byte) error {
	if len(h) == 0 || len(h) > MaxHashLen {
		return Invalid(field, "must be 1-%d bytes", MaxHashLen)
	}
	return nil
}

// AuditEvent records a write, or a read of sensitive data. The log is
// append-only.
type AuditEvent struct {
	ID        uuid.UUID
	At        time.Time
	UserID    *uuid.UUID // nil for an anonymous or system action
	Action    string     // e.g. concern.create, concern.read_sensitive, user.login_failed
	Entity    string     // e.g. concern, area, user
	EntityID  string
	Before    []byte // JSON, or nil
	After     []byte // JSON, or nil
	RequestID string
}

// AuditFilter selects audit events; zero fields match all.
type AuditFilter struct {
	UserID   *uuid.UUID
	Entity   string
	EntityID string
	From, To time.Time
	Limit    int
	Before   uuid.UUID // page: events older than this one
}

// UserStore holds users, sessions, API tokens and the audit log.
type UserStore interface {
	// CreateUser inserts u; ECONFLICT if the username is taken.
	CreateUser(ctx context.Context, u *User) error
	// UpdateUser replaces u's fields under the version rule of concerns.
	UpdateUser(ctx context.Context, u *User, ifVersion int) error
	FindUserByID(ctx context.Context, id uuid.UUID) (*User, error)
	FindUserByUsername(ctx context.Context, username string) (*User, error)
	FindUsers(ctx context.Context) ([]*User, error)

	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns a session that has not expired; ENOTFOUND if none.
	FindSession(ctx context.Context, tokenHash []byte, now time.Time) (*Session, error)
	DeleteSession(ctx context.Context, tokenHash []byte) error

	CreateAPIToken(ctx context.Context, t *APIToken) error
	// FindAPIToken returns a token that is not revoked; ENOTFOUND if none.
	FindAPIToken(ctx context.Context, hash []byte) (*APIToken, error)
	FindAPITokens(ctx context.Context, userID uuid.UUID) ([]*APIToken, error)
	RevokeAPIToken(ctx context.Context, id uuid.UUID, now time.Time) error

	// AppendAudit adds events; nothing can change or remove them after.
	AppendAudit(ctx context.Context, events ...*AuditEvent) error
	// FindAudit returns events newest first.
	FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEvent, error)
}

// Actor is who makes a request, carried in the context down to the stores,
// which write the audit event in the same transaction as the change.
type Actor struct {
	UserID    *uuid.UUID // nil for anonymous and system actions
	RequestID string
}

type actorKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, or the zero Actor (the system).
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// NewAuditEvent builds an event for the actor in ctx. before and after are
// JSON snapshots, nil where there is none.
func NewAuditEvent(ctx context.Context, now time.Time, action, entity, entityID string, before, after []byte) *AuditEvent {
	a := ActorFrom(ctx)
	return &AuditEvent{ID: uuid.Must(uuid.NewV7()), At: now, UserID: a.UserID, Action: action,
		Entity: entity, EntityID: entityID, Before: before, After: after, RequestID: a.RequestID}
}
