package bolt

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/concernmap/concernmap"
)

var _ concernmap.AreaStore = (*DB)(nil)

// UpsertAreas writes areas in one transaction, in pcode order, matching
// existing ones by pcode. A new area gets a random ID, whatever areas holds;
// a match keeps its own. It logs area.create or area.update for each, by
// pcode and without the boundary. The areas are filled in only once the
// transaction has committed.
func (db *DB) UpsertAreas(ctx context.Context, areas []*concernmap.Area, now time.Time) (created, updated int, err error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	if err := concernmap.ValidateAreas(areas); err != nil {
		return 0, 0, fmt.Errorf("upsert %d areas: %w", len(areas), err)
	}
	if len(areas) == 0 {
		return 0, 0, nil
	}
	now = concernmap.StoreTime(now)
	order := make([]int, len(areas))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return strings.Compare(areas[i].PCode, areas[j].PCode) })

	type result struct {
		id      uuid.UUID
		version int
	}
	results := make([]result, len(areas))
	err = db.db.Update(func(tx *bbolt.Tx) error {
		created, updated = 0, 0
		b := tx.Bucket(bucketAreas)
		events := make([]*concernmap.AuditEvent, 0, len(areas))
		for n, i := range order {
			if n%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			a := areas[i]
			key := []byte(a.PCode)
			res := result{id: uuid.New(), version: 1}
			action, before := "area.create", []byte(nil)
			if v := b.Get(key); v != nil {
				// The old boundary is not read: the log leaves it out.
				old, _, err := decodeAreaFields(key, v)
				if err != nil {
					return fmt.Errorf("decode area %q: %w", a.PCode, err)
				}
				res = result{id: old.ID, version: old.Version + 1}
				action, before = "area.update", old.AuditJSON()
				updated++
			} else {
				created++
			}
			stored := *a
			stored.ID, stored.Version, stored.UpdatedAt = res.id, res.version, now
			// bbolt keeps the value, not a copy, until the commit.
			rec, err := appendArea(nil, &stored)
			if err != nil {
				return fmt.Errorf("encode area %q: %w", a.PCode, err)
			}
			if err := b.Put(key, rec); err != nil {
				return err
			}
			events = append(events, concernmap.NewAuditEvent(ctx, now, action, "area", a.PCode, before, stored.AuditJSON()))
			results[i] = res
		}
		return putAudit(tx, events...)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("upsert %d areas: %w", len(areas), err)
	}
	for i, a := range areas {
		a.ID, a.Version, a.UpdatedAt = results[i].id, results[i].version, now
	}
	return created, updated, nil
}

// ScanAreas calls fn for every area, in pcode order, inside one read
// transaction; fn must not write to the store. It stops at fn's first
// error and returns it wrapped.
func (db *DB) ScanAreas(ctx context.Context, fn func(*concernmap.Area) error) error {
	err := db.db.View(func(tx *bbolt.Tx) error {
		cur := tx.Bucket(bucketAreas).Cursor()
		n := 0
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			if n++; n%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			a, err := decodeArea(k, v)
			if err != nil {
				return fmt.Errorf("decode area %q: %w", k, err)
			}
			if err := fn(a); err != nil {
				return err
			}
		}
		return ctx.Err()
	})
	if err != nil {
		return fmt.Errorf("scan areas: %w", err)
	}
	return nil
}

// FindAreaByPCode returns one area; ENOTFOUND if none.
func (db *DB) FindAreaByPCode(ctx context.Context, pcode string) (*concernmap.Area, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var a *concernmap.Area
	err := db.db.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketAreas).Get([]byte(pcode))
		if v == nil {
			return concernmap.Errorf(concernmap.ENOTFOUND, "area %q not found", pcode)
		}
		var err error
		a, err = decodeArea([]byte(pcode), v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find area %q: %w", pcode, err)
	}
	return a, nil
}

// AssignConcernAreas sets the area of many concerns in one transaction. It
// visits them in ID order, which is key order, so each page is read and
// rewritten once. Deleted concerns, concerns already in their area and IDs
// with no concern are left alone. If any changed, it logs one
// concern.assign_areas event with their count.
func (db *DB) AssignConcernAreas(ctx context.Context, areas map[uuid.UUID]string, now time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if len(areas) == 0 {
		return 0, nil
	}
	ids := make([]uuid.UUID, 0, len(areas))
	for id := range areas {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	now = concernmap.StoreTime(now)

	changed := 0
	err := db.db.Update(func(tx *bbolt.Tx) error {
		changed = 0
		b := tx.Bucket(bucketConcerns)
		var d decoder
		for i, id := range ids {
			if i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			v := b.Get(id[:])
			if v == nil || recordDeleted(v) {
				continue
			}
			c, err := d.decode(id[:], v)
			if err != nil {
				return fmt.Errorf("decode concern %s: %w", id, err)
			}
			area := areas[id]
			if c.Area == area {
				continue
			}
			c.Area = area
			c.Version++
			c.UpdatedAt = now
			// bbolt keeps the value, not a copy, until the commit.
			rec, err := appendConcern(make([]byte, 0, len(v)+len(c.Area)+8), c)
			if err != nil {
				return fmt.Errorf("encode concern %s: %w", id, err)
			}
			if err := b.Put(id[:], rec); err != nil {
				return err
			}
			changed++
		}
		if changed == 0 {
			return nil
		}
		return putAudit(tx, concernmap.NewCountAuditEvent(ctx, now, "concern.assign_areas", "concern", changed))
	})
	if err != nil {
		return 0, fmt.Errorf("assign areas of %d concerns: %w", len(areas), err)
	}
	return changed, nil
}
