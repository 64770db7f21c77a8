package bolt

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/concernmap/concernmap"
)

// CreateConcern inserts c at version 1 and logs concern.create. If c.ID
// exists, deleted or not, it returns the stored concern and created=false
// and writes nothing.
func (db *DB) CreateConcern(ctx context.Context, c *concernmap.Concern) (*concernmap.Concern, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if err := c.Validate(); err != nil {
		return nil, false, fmt.Errorf("create concern %s: %w", c.ID, err)
	}
	// A retry finds its concern without taking the write lock or an fsync.
	if got, err := db.FindConcernByID(ctx, c.ID); err == nil {
		return got, false, nil
	} else if concernmap.ErrorCode(err) != concernmap.ENOTFOUND {
		return nil, false, err
	}

	stored := c.Normalized()
	stored.Version = 1
	stored.DeletedAt = time.Time{}
	rec, err := appendConcern(nil, stored)
	if err != nil {
		return nil, false, fmt.Errorf("create concern %s: %w", c.ID, err)
	}
	ev := concernmap.NewConcernAuditEvent(ctx, time.Now().UTC(), "concern.create", nil, stored)
	var existing *concernmap.Concern
	err = db.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketConcerns)
		// Another writer may have created it since the look-up above.
		if v := b.Get(c.ID[:]); v != nil {
			var err error
			existing, err = new(decoder).decode(c.ID[:], v)
			return err
		}
		if err := checkCategory(tx, stored.Category); err != nil {
			return err
		}
		if err := b.Put(c.ID[:], rec); err != nil {
			return err
		}
		return putAudit(tx, ev)
	})
	switch {
	case err != nil:
		return nil, false, fmt.Errorf("create concern %s: %w", c.ID, err)
	case existing != nil:
		return existing, false, nil
	}
	return stored, true, nil
}

// CreateConcerns inserts cs in one transaction, in ID order, which keeps
// bbolt's pages dense. A concern whose ID exists, or repeats an earlier one in
// cs, is left as it is. It validates every concern and checks every
// category, and on any error writes nothing. It logs concern.create for
// each new concern, or for more than concernmap.MaxAuditedCreates of them
// one concern.bulk_create with their count.
func (db *DB) CreateConcerns(ctx context.Context, cs []*concernmap.Concern) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	type entry struct {
		id  uuid.UUID
		rec []byte
		cat string
		at  int // in cs
	}
	entries := make([]entry, 0, len(cs))
	seen := make(map[uuid.UUID]bool, len(cs))
	for i, c := range cs {
		if seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		if err := c.Validate(); err != nil {
			return 0, fmt.Errorf("create concern %s: %w", c.ID, err)
		}
		stored := c.Normalized()
		stored.Version = 1
		stored.DeletedAt = time.Time{}
		rec, err := appendConcern(nil, stored)
		if err != nil {
			return 0, fmt.Errorf("create concern %s: %w", c.ID, err)
		}
		entries = append(entries, entry{c.ID, rec, c.Category, i})
	}
	slices.SortFunc(entries, func(a, b entry) int { return bytes.Compare(a.id[:], b.id[:]) })

	created := 0
	now := time.Now().UTC()
	err := db.db.Update(func(tx *bbolt.Tx) error {
		created = 0
		b := tx.Bucket(bucketConcerns)
		checked := map[string]bool{}
		// Up to one past the most that are logged one by one.
		var news []int
		for i, e := range entries {
			if i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			// Checked even for an existing ID: an import with an unknown
			// category is wrong as a whole.
			if !checked[e.cat] {
				if err := checkCategory(tx, e.cat); err != nil {
					return fmt.Errorf("create concern %s: %w", e.id, err)
				}
				checked[e.cat] = true
			}
			if b.Get(e.id[:]) != nil {
				continue
			}
			if err := b.Put(e.id[:], e.rec); err != nil {
				return err
			}
			if created++; created <= concernmap.MaxAuditedCreates+1 {
				news = append(news, e.at)
			}
		}
		switch {
		case created > concernmap.MaxAuditedCreates:
			return putAudit(tx, concernmap.NewCountAuditEvent(ctx, now, "concern.bulk_create", "concern", created))
		case created > 0:
			events := make([]*concernmap.AuditEvent, len(news))
			for i, at := range news {
				stored := cs[at].Normalized()
				stored.Version, stored.DeletedAt = 1, time.Time{}
				events[i] = concernmap.NewConcernAuditEvent(ctx, now, "concern.create", nil, stored)
			}
			return putAudit(tx, events...)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("create %d concerns: %w", len(cs), err)
	}
	return created, nil
}

// FindConcernByID returns the concern, deleted or not; ENOTFOUND if none.
func (db *DB) FindConcernByID(ctx context.Context, id uuid.UUID) (*concernmap.Concern, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var c *concernmap.Concern
	err := db.db.View(func(tx *bbolt.Tx) error {
		var err error
		c, err = get(tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find concern %s: %w", id, err)
	}
	return c, nil
}

func get(tx *bbolt.Tx, id uuid.UUID) (*concernmap.Concern, error) {
	v := tx.Bucket(bucketConcerns).Get(id[:])
	if v == nil {
		return nil, concernmap.Errorf(concernmap.ENOTFOUND, "concern %s not found", id)
	}
	return new(decoder).decode(id[:], v)
}

// UpdateConcern applies upd under the optimistic version check, validates
// the result, bumps Version, sets UpdatedAt to now and logs concern.update.
func (db *DB) UpdateConcern(ctx context.Context, id uuid.UUID, upd concernmap.ConcernUpdate, ifVersion int, now time.Time) (*concernmap.Concern, error) {
	c, err := db.change(ctx, id, ifVersion, now, "concern.update", func(tx *bbolt.Tx, c *concernmap.Concern) error {
		upd.Apply(c)
		if err := c.Validate(); err != nil {
			return err
		}
		if upd.Category != nil {
			if err := checkCategory(tx, c.Category); err != nil {
				return err
			}
		}
		c.UpdatedAt = now
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update concern %s: %w", id, err)
	}
	return c, nil
}

// DeleteConcern soft-deletes the concern under the optimistic version check:
// it sets DeletedAt and UpdatedAt to now, bumps Version and logs
// concern.delete.
func (db *DB) DeleteConcern(ctx context.Context, id uuid.UUID, ifVersion int, now time.Time) (*concernmap.Concern, error) {
	c, err := db.change(ctx, id, ifVersion, now, "concern.delete", func(_ *bbolt.Tx, c *concernmap.Concern) error {
		c.UpdatedAt, c.DeletedAt = now, now
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete concern %s: %w", id, err)
	}
	return c, nil
}

// change reads, checks, edits and writes one live concern in one write
// transaction, and logs action with the concern before and after; bbolt
// has a single writer, so no one can slip in between the version check and
// the write.
func (db *DB) change(ctx context.Context, id uuid.UUID, ifVersion int, now time.Time, action string, edit func(*bbolt.Tx, *concernmap.Concern) error) (*concernmap.Concern, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out *concernmap.Concern
	err := db.db.Update(func(tx *bbolt.Tx) error {
		c, err := get(tx, id)
		if err != nil {
			return err
		}
		if c.Deleted() {
			return concernmap.Errorf(concernmap.EGONE, "concern %s was deleted", id)
		}
		if ifVersion != 0 && ifVersion != c.Version {
			return concernmap.Errorf(concernmap.EPRECONDITION, "concern %s is at version %d, not %d", id, c.Version, ifVersion)
		}
		before := c.AppendFeature(nil, true)
		if err := edit(tx, c); err != nil {
			return err
		}
		c = c.Normalized()
		c.Version++
		rec, err := appendConcern(nil, c)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketConcerns).Put(id[:], rec); err != nil {
			return err
		}
		out = c
		return putAudit(tx, concernmap.NewConcernAuditEvent(ctx, now, action, before, c))
	})
	return out, err
}

// ScanConcerns calls fn for every concern that is not deleted, in ID order,
// inside one read transaction; fn must not write to the store. It stops at
// fn's first error and returns it wrapped.
func (db *DB) ScanConcerns(ctx context.Context, fn func(*concernmap.Concern) error) error {
	err := db.db.View(func(tx *bbolt.Tx) error {
		var d decoder
		cur := tx.Bucket(bucketConcerns).Cursor()
		n := 0
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			// Checking the context costs more than decoding; do it now and then.
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if recordDeleted(v) {
				continue
			}
			c, err := d.decode(k, v)
			if err != nil {
				return fmt.Errorf("decode concern %x: %w", k, err)
			}
			if err := fn(c); err != nil {
				return err
			}
		}
		return ctx.Err()
	})
	if err != nil {
		return fmt.Errorf("scan concerns: %w", err)
	}
	return nil
}
