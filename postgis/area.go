package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
)

var _ concernmap.AreaStore = (*DB)(nil)

const selectArea = `SELECT id, level, pcode, name_en, name_my, parent, ST_AsEWKB(geom), area_km2,
	neighbors, source, updated_at, version
	FROM areas`

// areaRow receives one row of selectArea. A scan loop reuses one.
type areaRow struct {
	a       concernmap.Area
	id      [16]byte
	level   string
	parent  pgtype.Text
	geom    []byte
	updated time.Time
	version int32
}

func (r *areaRow) dest() []any {
	return []any{
		&r.id, &r.level, &r.a.PCode, &r.a.NameEN, &r.a.NameMY, &r.parent, &r.geom, &r.a.AreaKM2,
		&r.a.Neighbors, &r.a.Source, &r.updated, &r.version,
	}
}

// area returns a new area from the scanned row.
func (r *areaRow) area() (*concernmap.Area, error) {
	g, err := unmarshalEWKB(r.geom)
	if err != nil {
		return nil, fmt.Errorf("area %s: %w", r.a.PCode, err)
	}
	mp, ok := g.(orb.MultiPolygon)
	if !ok {
		return nil, fmt.Errorf("area %s: geometry is a %s, want a MultiPolygon", r.a.PCode, g.GeoJSONType())
	}
	a := r.a
	// Scan fills a slice in place, so a reused row must not hand the next
	// area the slice that this one holds.
	r.a.Neighbors = nil
	a.ID = r.id
	a.Level = concernmap.AreaLevel(r.level)
	a.Parent = r.parent.String
	a.Geometry = mp
	// An empty array reads as an empty slice; the domain says none with nil.
	if len(a.Neighbors) == 0 {
		a.Neighbors = nil
	}
	a.UpdatedAt = r.updated.UTC()
	a.Version = int(r.version)
	return &a, nil
}

// UpsertAreas writes areas in one transaction, matching existing ones by
// pcode. The rows go through COPY into a scratch table and then one INSERT
// ... ON CONFLICT, which reports for each row whether it was new. A new area
// gets a random ID, whatever areas holds; a match keeps its own. It logs
// area.create or area.update for each, by pcode and without the boundary.
// The areas are filled in only once the transaction has committed.
func (db *DB) UpsertAreas(ctx context.Context, areas []*concernmap.Area, now time.Time) (created, updated int, err error) {
	if err := concernmap.ValidateAreas(areas); err != nil {
		return 0, 0, fmt.Errorf("upsert %d areas: %w", len(areas), err)
	}
	if len(areas) == 0 {
		return 0, 0, nil
	}
	now = concernmap.StoreTime(now)
	rows := make([][]any, len(areas))
	pcodes := make([]string, len(areas))
	at := make(map[string]int, len(areas))
	for i, a := range areas {
		g, err := marshalEWKB(a.Geometry)
		if err != nil {
			return 0, 0, fmt.Errorf("upsert area %s: %w", a.PCode, err)
		}
		neighbors := a.Neighbors
		if neighbors == nil {
			neighbors = []string{}
		}
		rows[i] = []any{
			pgtype.UUID{Bytes: uuid.New(), Valid: true}, string(a.Level), a.PCode, a.NameEN, a.NameMY,
			pgtype.Text{String: a.Parent, Valid: a.Parent != ""}, g, a.AreaKM2, neighbors, a.Source,
		}
		at[a.PCode] = i
		pcodes[i] = a.PCode
	}

	type result struct {
		id      uuid.UUID
		version int
		isNew   bool
	}
	results := make([]result, len(areas))
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		created, updated = 0, 0
		before, err := areasBefore(ctx, tx, pcodes)
		if err != nil {
			return err
		}
		// COPY cannot call ST_GeomFromEWKB, so the geometry lands as bytea.
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE area_import (
			id uuid, level text, pcode text, name_en text, name_my text, parent text, geom bytea,
			area_km2 double precision, neighbors text[], source text) ON COMMIT DROP`); err != nil {
			return err
		}
		cols := []string{"id", "level", "pcode", "name_en", "name_my", "parent", "geom", "area_km2", "neighbors", "source"}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"area_import"}, cols, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		// xmax is 0 only in a row version that no one has yet replaced, so
		// it tells an insert from an update.
		res, err := tx.Query(ctx, `INSERT INTO areas (id, level, pcode, name_en, name_my, parent, geom,
				area_km2, neighbors, source, updated_at, version)
			SELECT id, level, pcode, name_en, name_my, parent, ST_GeomFromEWKB(geom),
				area_km2, neighbors, source, $1, 1
			FROM area_import
			ON CONFLICT (pcode) DO UPDATE SET level = EXCLUDED.level, name_en = EXCLUDED.name_en,
				name_my = EXCLUDED.name_my, parent = EXCLUDED.parent, geom = EXCLUDED.geom,
				area_km2 = EXCLUDED.area_km2, neighbors = EXCLUDED.neighbors, source = EXCLUDED.source,
				updated_at = EXCLUDED.updated_at, version = areas.version + 1
			RETURNING pcode, id, version, xmax = 0`, now)
		if err != nil {
			return err
		}
		defer res.Close()
		var (
			pcode   string
			id      [16]byte
			version int32
			isNew   bool
		)
		for res.Next() {
			if err := res.Scan(&pcode, &id, &version, &isNew); err != nil {
				return err
			}
			i, ok := at[pcode]
			if !ok {
				return fmt.Errorf("postgis: upsert returned pcode %q, which was not sent", pcode)
			}
			results[i] = result{id, int(version), isNew}
			if isNew {
				created++
			} else {
				updated++
			}
		}
		if err := res.Err(); err != nil {
			return err
		}
		if n := created + updated; n != len(areas) {
			return fmt.Errorf("postgis: upsert wrote %d areas, want %d", n, len(areas))
		}
		events := make([]*concernmap.AuditEvent, len(areas))
		for i, a := range areas {
			stored := *a
			stored.ID, stored.Version, stored.UpdatedAt = results[i].id, results[i].version, now
			action := "area.update"
			if results[i].isNew {
				action = "area.create"
			}
			events[i] = concernmap.NewAuditEvent(ctx, now, action, "area", a.PCode, before[a.PCode], stored.AuditJSON())
		}
		return insertAudit(ctx, tx, events...)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("upsert %d areas: %w", len(areas), err)
	}
	for i, a := range areas {
		a.ID, a.Version, a.UpdatedAt = results[i].id, results[i].version, now
	}
	return created, updated, nil
}

// areasBefore returns the audit JSON of the stored areas among pcodes, by
// pcode, and locks their rows, in pcode order so that two imports cannot
// deadlock, until the upsert that follows rewrites them. The boundaries are
// not read: the log leaves them out.
func areasBefore(ctx context.Context, tx pgx.Tx, pcodes []string) (map[string][]byte, error) {
	rows, err := tx.Query(ctx, `SELECT id, level, pcode, name_en, name_my, parent, source, updated_at, version
		FROM areas WHERE pcode = ANY($1) ORDER BY pcode FOR UPDATE`, pcodes)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var (
			a       concernmap.Area
			id      [16]byte
			level   string
			parent  pgtype.Text
			version int32
		)
		if err := rows.Scan(&id, &level, &a.PCode, &a.NameEN, &a.NameMY, &parent, &a.Source, &a.UpdatedAt, &version); err != nil {
			return nil, err
		}
		a.ID, a.Level, a.Parent, a.Version, a.UpdatedAt = id, concernmap.AreaLevel(level), parent.String, int(version), a.UpdatedAt.UTC()
		out[a.PCode] = a.AuditJSON()
	}
	return out, rows.Err()
}

// ScanAreas calls fn for every area, in no particular order. It streams
// one query's rows, and stops at fn's first error and returns it wrapped.
func (db *DB) ScanAreas(ctx context.Context, fn func(*concernmap.Area) error) error {
	var r areaRow
	if err := stream(ctx, db.pool, selectArea, r.dest(), r.area, fn); err != nil {
		return fmt.Errorf("scan areas: %w", err)
	}
	return nil
}

// FindAreaByPCode returns one area; ENOTFOUND if none.
func (db *DB) FindAreaByPCode(ctx context.Context, pcode string) (*concernmap.Area, error) {
	var r areaRow
	err := db.pool.QueryRow(ctx, selectArea+` WHERE pcode = $1`, pcode).Scan(r.dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, concernmap.Errorf(concernmap.ENOTFOUND, "area %q not found", pcode)
	} else if err != nil {
		return nil, fmt.Errorf("find area %q: %w", pcode, err)
	}
	a, err := r.area()
	if err != nil {
		return nil, fmt.Errorf("find area %q: %w", pcode, err)
	}
	return a, nil
}

// AssignConcernAreas sets the area of many concerns in one transaction: the
// pairs go through COPY into a scratch table, then one UPDATE joins it and
// changes only the live concerns whose area differs. An ID with no concern
// is ignored. An empty area clears the column to NULL. If any changed, it
// logs one concern.assign_areas event with their count.
func (db *DB) AssignConcernAreas(ctx context.Context, areas map[uuid.UUID]string, now time.Time) (int, error) {
	if len(areas) == 0 {
		return 0, nil
	}
	now = concernmap.StoreTime(now)
	ids := make([]uuid.UUID, 0, len(areas))
	pcodes := make([]string, 0, len(areas))
	for id, area := range areas {
		ids, pcodes = append(ids, id), append(pcodes, area)
	}
	// Rows are made as COPY asks for them, so a million pairs cost no
	// million-row table in memory.
	rows := pgx.CopyFromSlice(len(ids), func(i int) ([]any, error) {
		return []any{pgtype.UUID{Bytes: ids[i], Valid: true}, pgtype.Text{String: pcodes[i], Valid: pcodes[i] != ""}}, nil
	})
	var changed int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE concern_area (id uuid, area text) ON COMMIT DROP`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"concern_area"}, []string{"id", "area"}, rows); err != nil {
			return err
		}
		// A scratch table has no statistics until analysed; without them a
		// large batch may be joined by a nested loop.
		if _, err := tx.Exec(ctx, `ANALYZE concern_area`); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE concerns SET area = t.area, version = concerns.version + 1, updated_at = $1
			FROM concern_area t
			WHERE concerns.id = t.id AND concerns.deleted_at IS NULL AND concerns.area IS DISTINCT FROM t.area`, now)
		if err != nil {
			return err
		}
		if changed = tag.RowsAffected(); changed == 0 {
			return nil
		}
		return insertAudit(ctx, tx, concernmap.NewCountAuditEvent(ctx, now, "concern.assign_areas", "concern", int(changed)))
	})
	if err != nil {
		return 0, fmt.Errorf("assign areas of %d concerns: %w", len(areas), err)
	}
	return int(changed), nil
}
