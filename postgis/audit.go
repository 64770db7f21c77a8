package postgis

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/concernmap/concernmap"
)

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
	return []any{pgtype.UUID{Bytes: e.ID, Valid: true}, concernmap.StoreTime(e.At), user, e.Action, e.Entity, e.EntityID,
		e.Before, e.After, e.RequestID}
}

// AppendAudit adds events to the log in one transaction. Each must pass
// AuditEvent.Validate: EINVALID otherwise. An ID already in the log is
// ECONFLICT, and then none of the events is added.
func (db *DB) AppendAudit(ctx context.Context, events ...*concernmap.AuditEvent) error {
	for _, e := range events {
		if err := e.Validate(); err != nil {
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
		add("at >= $%d", concernmap.StoreTime(f.From))
	}
	if !f.To.IsZero() {
		add("at <= $%d", concernmap.StoreTime(f.To))
	}
	if f.Before != uuid.Nil {
		add("id < $%d", pgtype.UUID{Bytes: f.Before, Valid: true})
	}
	q := `SELECT id, at, user_id, action, entity, entity_id, before, after, request_id FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	args = append(args, concernmap.AuditLimit(f.Limit))
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
