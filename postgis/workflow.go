package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/concernmap/concernmap"
)

var _ concernmap.WorkflowStore = (*DB)(nil)

// docTable is a table of JSON documents, and what errors call one of them.
type docTable struct {
	table string
	name  string // in errors
}

var (
	requestTable = docTable{table: "requests", name: "request"}
	planTable    = docTable{table: "action_plans", name: "action plan"}
)

// docTables finds the table of a WorkflowDoc's entity.
var docTables = map[string]docTable{"request": requestTable, "action_plan": planTable}

// WriteWorkflow applies w in one transaction: the moves in their order,
// then the request, then the plan. It locks every moved concern in ID order
// before it checks any, so that two writes moving the same concerns in
// different orders wait for each other rather than deadlock; each move then
// reads its concern as change does. On success it sets the Version of w's
// request and plan to the stored one.
func (db *DB) WriteWorkflow(ctx context.Context, w *concernmap.WorkflowWrite) ([]*concernmap.Concern, error) {
	if err := w.Validate(); err != nil {
		return nil, fmt.Errorf("write workflow: %w", err)
	}
	docs := w.Docs()
	if len(w.Moves) == 0 && len(docs) == 0 {
		return nil, nil
	}
	var out []*concernmap.Concern
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if err := lockConcerns(ctx, tx, w.Moves); err != nil {
			return err
		}
		moves := make([][]any, 0, len(w.Moves))
		events := make([]*concernmap.AuditEvent, 0, len(w.Moves)+len(docs))
		for _, m := range w.Moves {
			c, err := findConcern(ctx, tx, m.ConcernID, ` FOR UPDATE`)
			if err != nil {
				return err
			}
			if err := m.Check(c); err != nil {
				return err
			}
			before := c.AppendFeature(nil, true)
			c.Status, c.UpdatedAt = m.To, concernmap.StoreTime(m.At)
			c.Version++
			args, err := concernArgs(c)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, updateConcern, args...); err != nil {
				return err
			}
			out = append(out, c)
			moves = append(moves, moveArgs(m))
			events = append(events, concernmap.NewConcernAuditEvent(ctx, m.At, "concern.move", before, c))
		}
		if err := insertMoves(ctx, tx, moves); err != nil {
			return err
		}
		for _, d := range docs {
			ev, err := putDoc(ctx, tx, d, w.Now)
			if err != nil {
				return err
			}
			events = append(events, ev)
		}
		return insertAudit(ctx, tx, events...)
	})
	if err != nil {
		return nil, fmt.Errorf("write workflow: %w", err)
	}
	if w.Request != nil {
		w.Request.Version = w.RequestVersion + 1
	}
	if w.Plan != nil {
		w.Plan.Version = w.PlanVersion + 1
	}
	return out, nil
}

// lockConcerns locks the rows of the moved concerns in ID order.
func lockConcerns(ctx context.Context, tx pgx.Tx, moves []*concernmap.ConcernMove) error {
	if len(moves) < 2 {
		return nil
	}
	ids := make([]pgtype.UUID, len(moves))
	for i, m := range moves {
		ids[i] = pgtype.UUID{Bytes: m.ConcernID, Valid: true}
	}
	_, err := tx.Exec(ctx, `SELECT 1 FROM concerns WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
	return err
}

// moveColumns lists the columns of concern_moves in the order of moveArgs;
// id numbers the rows in the order they come.
var moveColumns = []string{"concern_id", "from_status", "to_status", "note", "by", "at", "request", "plan"}

// moveArgs returns m as query arguments in moveColumns order.
func moveArgs(m *concernmap.ConcernMove) []any {
	return []any{pgtype.UUID{Bytes: m.ConcernID, Valid: true}, string(m.From), string(m.To), m.Note,
		nullUUID(m.By), concernmap.StoreTime(m.At), nullUUID(m.Request), nullUUID(m.Plan)}
}

// insertMoves records moves in tx: one by INSERT, more by COPY, which keeps
// the order of rows and so of the ids.
func insertMoves(ctx context.Context, tx pgx.Tx, rows [][]any) error {
	var err error
	switch len(rows) {
	case 0:
	case 1:
		_, err = tx.Exec(ctx, `INSERT INTO concern_moves (concern_id, from_status, to_status, note, by, at, request, plan)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, rows[0]...)
	default:
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"concern_moves"}, moveColumns, pgx.CopyFromRows(rows))
	}
	return err
}

// putDoc creates d at version 1, or replaces it under its version check,
// and returns the event to log. FOR UPDATE holds the row from the check to
// the commit, as change does for a concern.
func putDoc(ctx context.Context, tx pgx.Tx, d concernmap.WorkflowDoc, now time.Time) (*concernmap.AuditEvent, error) {
	id := pgtype.UUID{Bytes: d.ID, Valid: true}
	created := concernmap.StoreTime(d.Created)
	// The document as stored is its AuditJSON.
	var before []byte
	if d.Version == 0 {
		tag, err := tx.Exec(ctx, `INSERT INTO `+docTables[d.Entity].table+` (id, version, area, doc, created_at)
			VALUES ($1, 1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`, id, d.Area, d.JSON, created)
		if err != nil {
			return nil, err
		}
		if tag.RowsAffected() == 0 {
			return nil, conflict("id", "is taken")
		}
	} else {
		var version int32
		err := tx.QueryRow(ctx, `SELECT version, doc FROM `+docTables[d.Entity].table+` WHERE id = $1 FOR UPDATE`, id).Scan(&version, &before)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return nil, concernmap.Errorf(concernmap.ENOTFOUND, "%s %s not found", d.Name, d.ID)
		case err != nil:
			return nil, err
		case int(version) != d.Version:
			return nil, concernmap.Errorf(concernmap.EPRECONDITION, "%s %s is at version %d, not %d", d.Name, d.ID, version, d.Version)
		}
		_, err = tx.Exec(ctx, `UPDATE `+docTables[d.Entity].table+` SET version = $2, area = $3, doc = $4, created_at = $5 WHERE id = $1`,
			id, int32(d.Version+1), d.Area, d.JSON, created)
		if err != nil {
			return nil, err
		}
	}
	return concernmap.NewAuditEvent(ctx, now, d.Action, d.Entity, d.ID.String(), before, d.JSON), nil
}

// FindConcernMoves returns a concern's moves, oldest first; ENOTFOUND if
// there is no such concern.
func (db *DB) FindConcernMoves(ctx context.Context, id uuid.UUID) ([]*concernmap.ConcernMove, error) {
	moves, err := db.findMoves(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("find moves of concern %s: %w", id, err)
	}
	return moves, nil
}

func (db *DB) findMoves(ctx context.Context, id uuid.UUID) ([]*concernmap.ConcernMove, error) {
	cid := pgtype.UUID{Bytes: id, Valid: true}
	rows, err := db.pool.Query(ctx, `SELECT from_status, to_status, note, by, at, request, plan
		FROM concern_moves WHERE concern_id = $1 ORDER BY id`, cid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*concernmap.ConcernMove
	for rows.Next() {
		var (
			from, to          string
			by, request, plan pgtype.UUID
		)
		m := &concernmap.ConcernMove{ConcernID: id}
		if err := rows.Scan(&from, &to, &m.Note, &by, &m.At, &request, &plan); err != nil {
			return nil, err
		}
		// pgx returns local time; the contract is UTC.
		m.From, m.To, m.At = concernmap.Status(from), concernmap.Status(to), m.At.UTC()
		m.By, m.Request, m.Plan = uuidPtr(by), uuidPtr(request), uuidPtr(plan)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) > 0 {
		return out, nil
	}
	// Concerns are never removed, so no moves needs telling from no concern.
	var exists bool
	if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM concerns WHERE id = $1)`, cid).Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		return nil, concernmap.Errorf(concernmap.ENOTFOUND, "concern %s not found", id)
	}
	return nil, nil
}

// FindRequest returns one request; ENOTFOUND if none.
func (db *DB) FindRequest(ctx context.Context, id uuid.UUID) (*concernmap.Request, error) {
	r, err := findDoc[concernmap.Request](ctx, db, requestTable, id)
	if err != nil {
		return nil, fmt.Errorf("find request %s: %w", id, err)
	}
	return r, nil
}

// FindRequests returns every request, oldest (by CreatedAt, then ID) first.
func (db *DB) FindRequests(ctx context.Context) ([]*concernmap.Request, error) {
	rs, err := findDocs[concernmap.Request](ctx, db, requestTable)
	if err != nil {
		return nil, fmt.Errorf("find requests: %w", err)
	}
	return rs, nil
}

// FindActionPlan returns one action plan; ENOTFOUND if none.
func (db *DB) FindActionPlan(ctx context.Context, id uuid.UUID) (*concernmap.ActionPlan, error) {
	p, err := findDoc[concernmap.ActionPlan](ctx, db, planTable, id)
	if err != nil {
		return nil, fmt.Errorf("find action plan %s: %w", id, err)
	}
	return p, nil
}

// FindActionPlans returns every action plan, oldest (by CreatedAt, then ID)
// first.
func (db *DB) FindActionPlans(ctx context.Context) ([]*concernmap.ActionPlan, error) {
	ps, err := findDocs[concernmap.ActionPlan](ctx, db, planTable)
	if err != nil {
		return nil, fmt.Errorf("find action plans: %w", err)
	}
	return ps, nil
}

// findDoc reads the document id of d's table into a new T.
func findDoc[T any](ctx context.Context, db *DB, d docTable, id uuid.UUID) (*T, error) {
	var doc []byte
	err := db.pool.QueryRow(ctx, `SELECT doc FROM `+d.table+` WHERE id = $1`, pgtype.UUID{Bytes: id, Valid: true}).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, concernmap.Errorf(concernmap.ENOTFOUND, "%s %s not found", d.name, id)
	} else if err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(doc, v); err != nil {
		return nil, fmt.Errorf("decode %s: %w", d.name, err)
	}
	return v, nil
}

// findDocs reads every document of d's table, oldest first. created_at is
// the document's CreatedAt to the microsecond, as the bolt store sorts.
func findDocs[T any](ctx context.Context, db *DB, d docTable) ([]*T, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, doc FROM `+d.table+` ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		out []*T
		id  [16]byte
		doc []byte
	)
	for rows.Next() {
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, err
		}
		v := new(T)
		if err := json.Unmarshal(doc, v); err != nil {
			return nil, fmt.Errorf("decode %s %s: %w", d.name, uuid.UUID(id), err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// nullUUID returns id as a uuid argument, NULL if nil.
func nullUUID(id *uuid.UUID) pgtype.UUID {
	if id == nil {
		return pgtype.UUID{}
	}
	return pgtype.UUID{Bytes: *id, Valid: true}
}

// uuidPtr returns a scanned uuid as a pointer, nil for NULL.
func uuidPtr(u pgtype.UUID) *uuid.UUID {
	if !u.Valid {
		return nil
	}
	id := uuid.UUID(u.Bytes)
	return &id
}
