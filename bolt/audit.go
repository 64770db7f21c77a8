package bolt

import (
	"bytes"
	"context"
	"fmt"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/concernmap/concernmap"
)

// AppendAudit adds events to the log in one transaction. Each must pass
// AuditEvent.Validate: EINVALID otherwise. An ID already in the log is
// ECONFLICT, and then none of the events is added.
func (db *DB) AppendAudit(ctx context.Context, events ...*concernmap.AuditEvent) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, e := range events {
		if err := e.Validate(); err != nil {
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
		e.At = concernmap.StoreTime(e.At)
		if err := b.Put(bytes.Clone(e.ID[:]), appendAuditRecord(nil, &e)); err != nil {
			return err
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
	limit := concernmap.AuditLimit(f.Limit)
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
	case !f.From.IsZero() && e.at.Before(concernmap.StoreTime(f.From)):
		return false
	case !f.To.IsZero() && e.at.After(concernmap.StoreTime(f.To)):
		return false
	}
	return true
}
