package postgis

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/concernmap/concernmap"
)

// Bounds on a page of the audit log.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

// maxAuditedBulk is the most new concerns that CreateConcerns logs one by
// one; a larger import is logged as one concern.bulk_create event with its
// count, which keeps a million-concern seed from doubling the database.
const maxAuditedBulk = 1000

// auditColumns lists the columns of audit_log in the order of auditArgs.
var auditColumns = []string{"id", "at", "user_id", "action", "entity", "entity_id", "before", "after", "request_id"}

const insertAuditSQL = `INSERT INTO audit_log (id, at, user_id, action, entity, entity_id, before, after, request_id)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`

// auditArgs returns e as query arguments in auditColumns order. A nil
// Before or After is NULL.
func auditArgs(e *concernmap.AuditEvent) []any {
	var user pgtype.UUID
	if e.UserID != nil {
		user = pgtype.UUID{Bytes: *e.UserID, Valid: true}
	}
	return []any{pgtype.UUID{Bytes: e.ID, Valid: true}, micro(e.At), user, e.Action, e.Entity, e.EntityID,
		e.Before, e.After, e.RequestID}
}

// AppendAudit adds events to the log in one transaction. An event needs a
// UUIDv7 ID, a time, an action and an entity, and JSON or nil in Before and
// After: EINVALID otherwise. An ID already in the log is ECONFLICT, and then
// none of the events is added.
func (db *DB) AppendAudit(ctx context.Context, events ...*concernmap.AuditEvent) error {
	for _, e := range events {
		if err := checkEvent(e); err != nil {
			return fmt.Errorf("append audit: %w", err)
		}
	}
	if len(events) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error { return insertAudit(ctx, tx, events...) })
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// insertAudit adds events to the log in tx: one by INSERT, more by COPY. The
// triggers of migration 00005 refuse any change to a row once it is in.
func insertAudit(ctx context.Context, tx pgx.Tx, events ...*concernmap.AuditEvent) error {
	var err error
	switch len(events) {
	case 0:
		return nil
	case 1:
		_, err = tx.Exec(ctx, insertAuditSQL, auditArgs(events[0])...)
	default:
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"audit_log"}, auditColumns,
			pgx.CopyFromSlice(len(events), func(i int) ([]any, error) { return auditArgs(events[i]), nil }))
	}
	if pgCode(err) == uniqueViolation {
		return concernmap.Errorf(concernmap.ECONFLICT, "an audit event has an ID that is taken")
	}
	return err
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
		// A text column takes neither; checked here so that the client
		// hears which field, not an internal error.
		if !utf8.ValidString(f.s) || strings.IndexByte(f.s, 0) >= 0 {
			return concernmap.Invalid(f.field, "must be UTF-8 text without NUL")
		}
	}
	return nil
}

// FindAudit returns the events that match f, newest (greatest ID) first.
// Before and After come back as jsonb keeps them: the same JSON values,
// not necessarily the same bytes.
func (db *DB) FindAudit(ctx context.Context, f concernmap.AuditFilter) ([]*concernmap.AuditEvent, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.UserID != nil {
		add("user_id = $%d", pgtype.UUID{Bytes: *f.UserID, Valid: true})
	}
	if f.Entity != "" {
		add("entity = $%d", f.Entity)
	}
	if f.EntityID != "" {
		add("entity_id = $%d", f.EntityID)
	}
	if !f.From.IsZero() {
		add("at >= $%d", micro(f.From))
	}
	if !f.To.IsZero() {
		add("at <= $%d", micro(f.To))
	}
	if f.Before != uuid.Nil {
		add("id < $%d", pgtype.UUID{Bytes: f.Before, Valid: true})
	}
	q := `SELECT id, at, user_id, action, entity, entity_id, before, after, request_id FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	args = append(args, auditLimit(f.Limit))
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))

	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find audit: %w", err)
	}
	defer rows.Close()
	var out []*concernmap.AuditEvent
	for rows.Next() {
		var (
			e    concernmap.AuditEvent
			id   [16]byte
			user pgtype.UUID
		)
		if err := rows.Scan(&id, &e.At, &user, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.RequestID); err != nil {
			return nil, fmt.Errorf("find audit: %w", err)
		}
		e.ID, e.At = id, e.At.UTC()
		if user.Valid {
			u := uuid.UUID(user.Bytes)
			e.UserID = &u
		}
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find audit: %w", err)
	}
	return out, nil
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
// hash, which must not spread beyond the users table.
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
		panic(fmt.Sprintf("postgis: audit json: %v", err))
	}
	return b
}
