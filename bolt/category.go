package bolt

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"go.etcd.io/bbolt"

	"github.com/concernmap/concernmap"
)

// categoryRecord is a category as stored; Position keeps the seed order,
// which lists show.
type categoryRecord struct {
	concernmap.Category
	Position int `json:"position"`
}

func putCategory(b *bbolt.Bucket, c *concernmap.Category, position int) error {
	v, err := json.Marshal(categoryRecord{Category: *c, Position: position})
	if err != nil {
		return err
	}
	return b.Put([]byte(c.Key), v)
}

// FindCategories returns every category in seed order.
func (db *DB) FindCategories(ctx context.Context) ([]*concernmap.Category, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var recs []categoryRecord
	err := db.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketCategories).ForEach(func(k, v []byte) error {
			var r categoryRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode category %q: %w", k, err)
			}
			recs = append(recs, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("find categories: %w", err)
	}
	slices.SortFunc(recs, func(a, b categoryRecord) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.Key, b.Key))
	})
	out := make([]*concernmap.Category, len(recs))
	for i := range recs {
		out[i] = &recs[i].Category
	}
	return out, nil
}

// checkCategory fails with EINVALID unless the category exists; it runs in
// the writing transaction, so the category cannot vanish before the commit.
func checkCategory(tx *bbolt.Tx, key string) error {
	if tx.Bucket(bucketCategories).Get([]byte(key)) == nil {
		return concernmap.Invalid("properties.category", "unknown category %q", key)
	}
	return nil
}
