package concernmap

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Bounds on a page of the audit log: AuditFilter.Limit is clamped to them.
const (
	DefaultAuditLimit = 100
	MaxAuditLimit     = 1000
)

// MaxAuditedCreates is the most new concerns that a store's CreateConcerns
// logs one by one; a larger import is logged as one concern.bulk_create
// event with its count, which keeps a million-concern seed from doubling
// the store.
const MaxAuditedCreates = 1000

// AuditLimit returns the page size for an AuditFilter's Limit: the default
// for 0 or less, and at most MaxAuditLimit.
func AuditLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultAuditLimit
	case n > MaxAuditLimit:
		return MaxAuditLimit
	}
	return n
}

// Validate checks an event that comes to a store from outside, as through
// AppendAudit; the stores' own events are right by construction. It returns
// an EINVALID error naming the first field at fault.
func (e *AuditEvent) Validate() error {
	switch {
	case e == nil:
		return Invalid("events", "holds nil")
	case e.ID.Version() != 7 || e.ID.Variant() != uuid.RFC4122:
		return Invalid("id", "must be a UUIDv7")
	case e.At.IsZero():
		return Invalid("at", "is required")
	case e.Action == "":
		return Invalid("action", "is required")
	case e.Entity == "":
		return Invalid("entity", "is required")
	case e.Before != nil && !json.Valid(e.Before):
		return Invalid("before", "must be JSON")
	case e.After != nil && !json.Valid(e.After):
		return Invalid("after", "must be JSON")
	}
	for _, f := range []struct{ field, s string }{
		{"action", e.Action}, {"entity", e.Entity}, {"entity_id", e.EntityID}, {"request_id", e.RequestID},
	} {
		// A PostgreSQL text column takes neither. Refusing them here names
		// the field for the client, rather than an internal error, and keeps
		// every store accepting the same events.
		if !utf8.ValidString(f.s) || strings.IndexByte(f.s, 0) >= 0 {
			return Invalid(f.field, "must be UTF-8 text without NUL")
		}
	}
	return nil
}

// NewConcernAuditEvent returns the event of a write to c, for the actor in
// ctx, with c's Feature after it; before is the Feature of c before the
// write, or nil. Both include the reporter.
func NewConcernAuditEvent(ctx context.Context, now time.Time, action string, before []byte, c *Concern) *AuditEvent {
	return NewAuditEvent(ctx, now, action, "concern", c.ID.String(), before, c.AppendFeature(nil, true))
}

// NewCountAuditEvent returns the event of one write to n entities, which
// says only how many: {"count":n}, with no entity ID.
func NewCountAuditEvent(ctx context.Context, now time.Time, action, entity string, n int) *AuditEvent {
	after := strconv.AppendInt([]byte(`{"count":`), int64(n), 10)
	return NewAuditEvent(ctx, now, action, entity, "", nil, append(after, '}'))
}

// auditArea is an area as the audit log shows it: without the boundary,
// which would make each event the size of the area.
type auditArea struct {
	ID        uuid.UUID `json:"id"`
	PCode     string    `json:"pcode"`
	Level     string    `json:"level"`
	NameEN    string    `json:"name_en"`
	NameMY    string    `json:"name_my"`
	Parent    *string   `json:"parent"`
	Source    string    `json:"source"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
}

// AuditJSON returns a as the audit log shows it: every field but Geometry,
// AreaKM2 and Neighbors, with no parent as null.
func (a *Area) AuditJSON() []byte {
	v := auditArea{ID: a.ID, PCode: a.PCode, Level: string(a.Level), NameEN: a.NameEN, NameMY: a.NameMY,
		Source: a.Source, UpdatedAt: a.UpdatedAt, Version: a.Version}
	if a.Parent != "" {
		v.Parent = &a.Parent
	}
	return mustJSON(v)
}

// auditUser is a user as the audit log shows it: without the password
// hash, which must not spread beyond the store's users.
type auditUser struct {
	ID           uuid.UUID `json:"id"`
	Username     string    `json:"username"`
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	Organisation string    `json:"organisation"`
	Language     string    `json:"language"`
	Scope        []string  `json:"scope"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Version      int       `json:"version"`
}

// AuditJSON returns u as the audit log shows it: every field but the
// password hash, with no scope as [].
func (u *User) AuditJSON() []byte {
	scope := u.Scope
	if scope == nil {
		scope = []string{}
	}
	return mustJSON(auditUser{ID: u.ID, Username: u.Username, Name: u.Name, Role: string(u.Role),
		Organisation: u.Organisation, Language: u.Language, Scope: scope, Disabled: u.Disabled,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, Version: u.Version})
}

// auditToken is an API token as the audit log shows it: without the hash
// of its secret.
type auditToken struct {
	ID        uuid.UUID  `json:"id"`
	UserID    uuid.UUID  `json:"user_id"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// AuditJSON returns t as the audit log shows it: every field but the hash
// and the last use, with a token not revoked as a null revoked_at.
func (t *APIToken) AuditJSON() []byte {
	v := auditToken{ID: t.ID, UserID: t.UserID, Name: t.Name, CreatedAt: t.CreatedAt}
	if !t.RevokedAt.IsZero() {
		v.RevokedAt = &t.RevokedAt
	}
	return mustJSON(v)
}

// mustJSON marshals v, which holds nothing that can fail to marshal.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("concernmap: audit json: %v", err))
	}
	return b
}
