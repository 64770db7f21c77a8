package bolt

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/concernmap/concernmap"
)

var _ concernmap.WorkflowStore = (*DB)(nil)

// docBucket is a bucket of JSON documents, and what errors call one of
// them.
type docBucket struct {
	bucket []byte
	name   string // in errors
}

var (
	requestDocs = docBucket{bucket: bucketRequests, name: "request"}
	planDocs    = docBucket{bucket: bucketPlans, name: "action plan"}
)

// docBuckets finds the bucket of a WorkflowDoc's entity.
var docBuckets = map[string]docBucket{"request": requestDocs, "action_plan": planDocs}

// WriteWorkflow applies w in one write transaction: the moves in their
// order, then the request, then the plan. bbolt has a single writer, so no
// one can slip in between a check and its write. On success it sets the
// Version of w's request and plan to the stored one.
func (db *DB) WriteWorkflow(ctx context.Context, w *concernmap.WorkflowWrite) ([]*concernmap.Concern, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := w.Validate(); err != nil {
		return nil, fmt.Errorf("write workflow: %w", err)
	}
	docs := w.Docs()
	if len(w.Moves) == 0 && len(docs) == 0 {
		return nil, nil
	}
	var out []*concernmap.Concern
	err := db.db.Update(func(tx *bbolt.Tx) error {
		for _, m := range w.Moves {
			c, err := move(ctx, tx, m)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		for _, d := range docs {
			if err := putDoc(ctx, tx, d, w.Now); err != nil {
				return err
			}
		}
		return nil
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

// move applies m to its concern in tx, records it and logs concern.move
// with the concern before and after, as change does for an edit.
func move(ctx context.Context, tx *bbolt.Tx, m *concernmap.ConcernMove) (*concernmap.Concern, error) {
	c, err := get(tx, m.ConcernID)
	if err != nil {
		return nil, err
	}
	if err := m.Check(c); err != nil {
		return nil, err
	}
	before := c.AppendFeature(nil, true)
	c.Status, c.UpdatedAt = m.To, concernmap.StoreTime(m.At)
	c.Version++
	rec, err := appendConcern(nil, c)
	if err != nil {
		return nil, err
	}
	if err := tx.Bucket(bucketConcerns).Put(c.ID[:], rec); err != nil {
		return nil, err
	}

	stored := *m
	stored.At = concernmap.StoreTime(m.At)
	val, err := json.Marshal(&stored)
	if err != nil {
		return nil, err
	}
	moves := tx.Bucket(bucketMoves)
	// The sequence grows with every move of any concern, so a concern's
	// keys sort in the order its moves were made.
	seq, err := moves.NextSequence()
	if err != nil {
		return nil, err
	}
	key := binary.BigEndian.AppendUint64(bytes.Clone(m.ConcernID[:]), seq)
	if err := moves.Put(key, val); err != nil {
		return nil, err
	}
	if err := putAudit(tx, concernmap.NewConcernAuditEvent(ctx, m.At, "concern.move", before, c)); err != nil {
		return nil, err
	}
	return c, nil
}

// putDoc creates d at version 1, or replaces it under its version check,
// and logs d's action with the document before and after.
func putDoc(ctx context.Context, tx *bbolt.Tx, d concernmap.WorkflowDoc, now time.Time) error {
	b := tx.Bucket(docBuckets[d.Entity].bucket)
	old := b.Get(d.ID[:])
	// The document as stored is its AuditJSON.
	var before []byte
	switch {
	case d.Version == 0 && old != nil:
		return conflict("id", "is taken")
	case d.Version == 0:
	case old == nil:
		return concernmap.Errorf(concernmap.ENOTFOUND, "%s %s not found", d.Name, d.ID)
	default:
		var stored struct {
			Version int `json:"version"`
		}
		if err := json.Unmarshal(old, &stored); err != nil {
			return fmt.Errorf("%w: %s %s: %w", errCorrupt, d.Name, d.ID, err)
		}
		if stored.Version != d.Version {
			return concernmap.Errorf(concernmap.EPRECONDITION, "%s %s is at version %d, not %d", d.Name, d.ID, stored.Version, d.Version)
		}
		before = bytes.Clone(old)
	}
	if err := b.Put(bytes.Clone(d.ID[:]), d.JSON); err != nil {
		return err
	}
	return putAudit(tx, concernmap.NewAuditEvent(ctx, now, d.Action, d.Entity, d.ID.String(), before, d.JSON))
}

// FindConcernMoves returns a concern's moves, oldest first; ENOTFOUND if
// there is no such concern.
func (db *DB) FindConcernMoves(ctx context.Context, id uuid.UUID) ([]*concernmap.ConcernMove, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*concernmap.ConcernMove
	err := db.db.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketConcerns).Get(id[:]) == nil {
			return concernmap.Errorf(concernmap.ENOTFOUND, "concern %s not found", id)
		}
		cur := tx.Bucket(bucketMoves).Cursor()
		for k, v := cur.Seek(id[:]); k != nil && bytes.HasPrefix(k, id[:]); k, v = cur.Next() {
			m := new(concernmap.ConcernMove)
			if err := json.Unmarshal(v, m); err != nil {
				return fmt.Errorf("%w: move %x: %w", errCorrupt, k, err)
			}
			// The time went in as StoreTime made it and comes out in UTC.
			m.At = m.At.UTC()
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find moves of concern %s: %w", id, err)
	}
	return out, nil
}

// FindRequest returns one request; ENOTFOUND if none.
func (db *DB) FindRequest(ctx context.Context, id uuid.UUID) (*concernmap.Request, error) {
	r, err := findDoc[concernmap.Request](ctx, db, requestDocs, id)
	if err != nil {
		return nil, fmt.Errorf("find request %s: %w", id, err)
	}
	return r, nil
}

// FindRequests returns every request, oldest (by CreatedAt to the
// microsecond, then ID) first, as the postgis store sorts them.
func (db *DB) FindRequests(ctx context.Context) ([]*concernmap.Request, error) {
	rs, err := findDocs[concernmap.Request](ctx, db, requestDocs)
	if err != nil {
		return nil, fmt.Errorf("find requests: %w", err)
	}
	slices.SortFunc(rs, func(a, b *concernmap.Request) int { return oldestFirst(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	return rs, nil
}

// FindActionPlan returns one action plan; ENOTFOUND if none.
func (db *DB) FindActionPlan(ctx context.Context, id uuid.UUID) (*concernmap.ActionPlan, error) {
	p, err := findDoc[concernmap.ActionPlan](ctx, db, planDocs, id)
	if err != nil {
		return nil, fmt.Errorf("find action plan %s: %w", id, err)
	}
	return p, nil
}

// FindActionPlans returns every action plan, oldest (by CreatedAt to the
// microsecond, then ID) first, as the postgis store sorts them.
func (db *DB) FindActionPlans(ctx context.Context) ([]*concernmap.ActionPlan, error) {
	ps, err := findDocs[concernmap.ActionPlan](ctx, db, planDocs)
	if err != nil {
		return nil, fmt.Errorf("find action plans: %w", err)
	}
	slices.SortFunc(ps, func(a, b *concernmap.ActionPlan) int { return oldestFirst(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	return ps, nil
}

// oldestFirst orders documents by creation to the microsecond, then by ID
// byte by byte, as PostgreSQL orders a timestamptz and a uuid.
func oldestFirst(at1 time.Time, id1 uuid.UUID, at2 time.Time, id2 uuid.UUID) int {
	return cmp.Or(concernmap.StoreTime(at1).Compare(concernmap.StoreTime(at2)), bytes.Compare(id1[:], id2[:]))
}

// findDoc reads the document id of d's bucket into a new T.
func findDoc[T any](ctx context.Context, db *DB, d docBucket, id uuid.UUID) (*T, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v := new(T)
	err := db.db.View(func(tx *bbolt.Tx) error {
		doc := tx.Bucket(d.bucket).Get(id[:])
		if doc == nil {
			return concernmap.Errorf(concernmap.ENOTFOUND, "%s %s not found", d.name, id)
		}
		if err := json.Unmarshal(doc, v); err != nil {
			return fmt.Errorf("%w: %s %s: %w", errCorrupt, d.name, id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// findDocs reads every document of d's bucket, in key order. There are
// thousands, not millions, so the caller sorts them in memory.
func findDocs[T any](ctx context.Context, db *DB, d docBucket) ([]*T, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*T
	err := db.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(d.bucket).ForEach(func(k, doc []byte) error {
			v := new(T)
			if err := json.Unmarshal(doc, v); err != nil {
				return fmt.Errorf("%w: %s %x: %w", errCorrupt, d.name, k, err)
			}
			out = append(out, v)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
