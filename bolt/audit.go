package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/concernmap/concernmap"
)

// Bounds on a page of the audit log.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

// maxAuditedBulk is the most new concerns that CreateConcerns logs one by
// one; a larger import is logged as one concern.bulk_create event with its
// count, which keeps a million-concern seed from doubling the file.
const maxAuditedBulk = 1000

// AppendAudit adds events to the log in one transaction. An event needs a
// UUIDv7 ID, a time, an action and an entity, and JSON or nil in Before and
// After: EINVALID otherwise. An ID already in the log is ECONFLICT, and then
// none of the events is added.
func (db *DB) AppendAudit(ctx context.Context, events ...*concernmap.AuditEvent) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, e := range events {
		if err := checkEvent(e); err != nil {
			return fmt.Errorf("append audit: %w", err)
		}
	}
	if len(events) == 0 {
		return nil
	}
	if err := db.db.Update(func(tx *bbolt.Tx) error { return putAudit(tx, events...) }); err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// putAudit adds events to the log in tx. It is the only code that writes to
// the audit bucket, and it never overwrites: an ID that is there already is
// ECONFLICT. Nothing in this package deletes from the bucket.
func putAudit(tx *bbolt.Tx, events ...*concernmap.AuditEvent) error {
	b := tx.Bucket(bucketAudit)
	// Keys are UUIDv7s, which grow with time: a new one lands at the end,
	// so pages may be filled rather than left room for inserts.
	b.FillPercent = 1
	for _, e := range events {
		if b.Get(e.ID[:]) != nil {
			return concernmap.Errorf(concernmap.ECONFLICT, "audit event %s exists", e.ID)
		}
		e := *e
		e.At = micro(e.At)
		if err := b.Put(bytes.Clone(e.ID[:]), appendAuditRecord(nil, &e)); err != nil {
			return err
		}
	}
	return nil
}

// checkEvent checks an event from outside the store; the store's own are
// right by construction.
func checkEvent(e *concernmap.AuditEvent) error {
	switch {
	case e == nil:
		return concernmap.Invalid("events", "holds nil")
	case e.ID.Version() != 7 || e.ID.Variant() != uuid.RFC4122:
		return concernmap.Invalid("id", "must be a UUIDv7")
	case e.At.IsZero():
		return concernmap.Invalid("at", "is required")
	case e.Action == "":
		return concernmap.Invalid("action", "is required")
	case e.Entity == "":
		return concernmap.Invalid("entity", "is required")
	case e.Before != nil && !json.Valid(e.Before):
		return concernmap.Invalid("before", "must be JSON")
	case e.After != nil && !json.Valid(e.After):
		return concernmap.Invalid("after", "must be JSON")
	}
	for _, f := range []struct{ field, s string }{
		{"action", e.Action}, {"entity", e.Entity}, {"entity_id", e.EntityID}, {"request_id", e.RequestID},
	} {
		// PostgreSQL takes neither; the two stores accept the same events.
		if !utf8.ValidString(f.s) || strings.IndexByte(f.s, 0) >= 0 {
			return concernmap.Invalid(f.field, "must be UTF-8 text without NUL")
		}
	}
	return nil
}

// FindAudit returns the events that match f, newest (greatest ID) first.
// It walks the log back from f.Before, or from the end, reading each
// record's header only, so a filter that matches little reads much of the
// log.
func (db *DB) FindAudit(ctx context.Context, f concernmap.AuditFilter) ([]*concernmap.AuditEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limit := auditLimit(f.Limit)
	var out []*concernmap.AuditEvent
	err := db.db.View(func(tx *bbolt.Tx) error {
		cur := tx.Bucket(bucketAudit).Cursor()
		var k, v []byte
		if f.Before == uuid.Nil {
			k, v = cur.Last()
		} else if k, v = cur.Seek(f.Before[:]); k == nil {
			k, v = cur.Last()
		} else {
			// Seek stopped at the first key at or after Before.
			k, v = cur.Prev()
		}
		for n := 1; k != nil && len(out) < limit; k, v = cur.Prev() {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if len(k) != len(uuid.UUID{}) {
				return fmt.Errorf("%w: audit key of %d bytes", errCorrupt, len(k))
			}
			e, err := parseAudit(v)
			if err != nil {
				return fmt.Errorf("decode audit event %x: %w", k, err)
			}
			if matchAudit(&e, &f) {
				out = append(out, e.event(k))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find audit: %w", err)
	}
	return out, nil
}

func matchAudit(e *auditView, f *concernmap.AuditFilter) bool {
	switch {
	case f.UserID != nil && (e.user == nil || uuid.UUID(e.user) != *f.UserID):
		return false
	case f.Entity != "" && string(e.entity) != f.Entity:
		return false
	case f.EntityID != "" && string(e.entityID) != f.EntityID:
		return false
	case !f.From.IsZero() && e.at.Before(micro(f.From)):
		return false
	case !f.To.IsZero() && e.at.After(micro(f.To)):
		return false
	}
	return true
}

// auditLimit returns the page size for a filter's Limit.
func auditLimit(n int) int {
	switch {
	case n <= 0:
		return defaultAuditLimit
	case n > maxAuditLimit:
		return maxAuditLimit
	}
	return n
}

// concernEvent returns the event of a write to c, with c after it; before
// is the JSON of c before the write, or nil.
func concernEvent(ctx context.Context, now time.Time, action string, before []byte, c *concernmap.Concern) *concernmap.AuditEvent {
	return concernmap.NewAuditEvent(ctx, now, action, "concern", c.ID.String(), before, c.AppendFeature(nil, true))
}

// countEvent returns the event of a write to many entities, which says
// only how many.
func countEvent(ctx context.Context, now time.Time, action, entity string, n int) *concernmap.AuditEvent {
	after := strconv.AppendInt([]byte(`{"count":`), int64(n), 10)
	return concernmap.NewAuditEvent(ctx, now, action, entity, "", nil, append(after, '}'))
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

func areaJSON(a *concernmap.Area) []byte {
	v := auditArea{ID: a.ID, PCode: a.PCode, Level: string(a.Level), NameEN: a.NameEN, NameMY: a.NameMY,
		Source: a.Source, UpdatedAt: a.UpdatedAt, Version: a.Version}
	if a.Parent != "" {
		v.Parent = &a.Parent
	}
	return mustJSON(v)
}

// auditUser is a user as the audit log shows it: without the password
// hash, which must not spread beyond the users bucket.
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

func userJSON(u *concernmap.User) []byte {
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

func tokenJSON(t *concernmap.APIToken) []byte {
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
		panic(fmt.Sprintf("bolt: audit json: %v", err))
	}
	return b
}
