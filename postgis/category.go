package postgis

import (
	"context"
	"fmt"

	"github.com/concernmap/concernmap"
)

// seedCategories inserts concernmap.DefaultCategories, the one source of
// truth, if the table is empty. Instances racing here insert them once: the
// loser's rows conflict and are skipped.
func (db *DB) seedCategories(ctx context.Context) error {
	n := len(concernmap.DefaultCategories)
	keys, en, my, icons, colors := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	sensitive, positions := make([]bool, n), make([]int32, n)
	for i, c := range concernmap.DefaultCategories {
		keys[i], en[i], my[i], icons[i], colors[i] = c.Key, c.NameEN, c.NameMY, c.Icon, c.Color
		sensitive[i], positions[i] = c.Sensitive, int32(i)
	}
	_, err := db.pool.Exec(ctx, `
		INSERT INTO categories (key, name_en, name_my, icon, color, sensitive, position)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::int[])
		WHERE NOT EXISTS (SELECT 1 FROM categories)
		ON CONFLICT (key) DO NOTHING`,
		keys, en, my, icons, colors, sensitive, positions)
	return err
}

// FindCategories returns every category in seed order.
func (db *DB) FindCategories(ctx context.Context) ([]*concernmap.Category, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT key, name_en, name_my, icon, color, sensitive
		FROM categories ORDER BY position, key`)
	if err != nil {
		return nil, fmt.Errorf("find categories: %w", err)
	}
	defer rows.Close()
	var out []*concernmap.Category
	for rows.Next() {
		var c concernmap.Category
		if err := rows.Scan(&c.Key, &c.NameEN, &c.NameMY, &c.Icon, &c.Color, &c.Sensitive); err != nil {
			return nil, fmt.Errorf("find categories: %w", err)
		}
		out = append(out, &c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find categories: %w", err)
	}
	return out, nil
}
