package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/concernmap/concernmap"
)

// concernColumns lists the columns in the order of concernRow.dest and
// concernArgs.
const concernColumns = `id, category, geom, title, description, severity, status, affected,
	when_kind, when_from, when_to, observed_at, reported_at, updated_at, reporter, area, version, deleted_at`

const selectConcern = `SELECT id, category, ST_AsEWKB(geom), title, description, severity, status, affected,
	when_kind, when_from, when_to, observed_at, reported_at, updated_at, reporter, area, version, deleted_at
	FROM concerns`

const insertConcern = `INSERT INTO concerns (` + concernColumns + `)
	VALUES ($1, $2, ST_GeomFromEWKB($3), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
	ON CONFLICT (id) DO NOTHING`

const updateConcern = `UPDATE concerns SET category = $2, geom = ST_GeomFromEWKB($3), title = $4,
	description = $5, severity = $6, status = $7, affected = $8, when_kind = $9, when_from = $10,
	when_to = $11, observed_at = $12, reported_at = $13, updated_at = $14, reporter = $15, area = $16,
	version = $17, deleted_at = $18
	WHERE id = $1`

// concernArgs returns c as query arguments in concernColumns order.
func concernArgs(c *concernmap.Concern) ([]any, error) {
	g, err := marshalEWKB(c.Geometry)
	if err != nil {
		return nil, err
	}
	var reporter pgtype.UUID
	if c.Reporter != nil {
		reporter = pgtype.UUID{Bytes: *c.Reporter, Valid: true}
	}
	return []any{
		pgtype.UUID{Bytes: c.ID, Valid: true}, c.Category, g, c.Title, c.Description,
		int16(c.Severity), string(c.Status), int16(c.Affected),
		string(c.WhenDangerous.Kind), int16(c.WhenDangerous.From), int16(c.WhenDangerous.To),
		c.ObservedAt, c.ReportedAt, c.UpdatedAt, reporter,
		pgtype.Text{String: c.Area, Valid: c.Area != ""}, int32(c.Version),
		pgtype.Timestamptz{Time: c.DeletedAt, Valid: !c.DeletedAt.IsZero()},
	}, nil
}

// concernRow receives one row of selectConcern. A scan loop reuses one, so
// the destinations are set up once.
type concernRow struct {
	c                       concernmap.Concern
	id                      [16]byte
	geom                    []byte
	status, whenKind        string
	severity, affected      int16
	whenFrom, whenTo        int16
	reporter                pgtype.UUID
	area                    pgtype.Text
	version                 int32
	deletedAt               pgtype.Timestamptz
	observed, reported, upd time.Time
}

func (r *concernRow) dest() []any {
	return []any{
		&r.id, &r.c.Category, &r.geom, &r.c.Title, &r.c.Description, &r.severity, &r.status, &r.affected,
		&r.whenKind, &r.whenFrom, &r.whenTo, &r.observed, &r.reported, &r.upd, &r.reporter, &r.area,
		&r.version, &r.deletedAt,
	}
}

// concern returns a new concern from the scanned row.
func (r *concernRow) concern() (*concernmap.Concern, error) {
	g, err := unmarshalEWKB(r.geom)
	if err != nil {
		return nil, fmt.Errorf("concern %x: %w", r.id, err)
	}
	c := r.c
	c.ID = r.id
	c.Geometry = g
	c.Severity = int(r.severity)
	c.Status = concernmap.Status(r.status)
	c.Affected = concernmap.Affected(uint16(r.affected))
	c.WhenDangerous = concernmap.When{Kind: concernmap.WhenKind(r.whenKind), From: int(r.whenFrom), To: int(r.whenTo)}
	// pgx returns local time; the contract is UTC.
	c.ObservedAt, c.ReportedAt, c.UpdatedAt = r.observed.UTC(), r.reported.UTC(), r.upd.UTC()
	c.Reporter = nil
	if r.reporter.Valid {
		id := uuid.UUID(r.reporter.Bytes)
		c.Reporter = &id
	}
	c.Area = r.area.String
	c.Version = int(r.version)
	c.DeletedAt = time.Time{}
	if r.deletedAt.Valid {
		c.DeletedAt = r.deletedAt.Time.UTC()
	}
	return &c, nil
}

// CreateConcern inserts c at version 1 and logs concern.create. If c.ID
// exists, deleted or not, it returns the stored concern and created=false
// and writes nothing.
func (db *DB) CreateConcern(ctx context.Context, c *concernmap.Concern) (*concernmap.Concern, bool, error) {
	if err := c.Validate(); err != nil {
		return nil, false, fmt.Errorf("create concern %s: %w", c.ID, err)
	}
	stored := c.Normalized()
	stored.Version = 1
	stored.DeletedAt = time.Time{}
	args, err := concernArgs(stored)
	if err != nil {
		return nil, false, fmt.Errorf("create concern %s: %w", c.ID, err)
	}
	ev := concernmap.NewConcernAuditEvent(ctx, time.Now().UTC(), "concern.create", nil, stored)
	var existing *concernmap.Concern
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, insertConcern, args...)
		if pgCode(err) == foreignKeyViolation {
			return unknownCategory(c.Category)
		} else if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			existing, err = findConcern(ctx, tx, c.ID, "")
			return err
		}
		return insertAudit(ctx, tx, ev)
	})
	switch {
	case err != nil:
		return nil, false, fmt.Errorf("create concern %s: %w", c.ID, err)
	case existing != nil:
		return existing, false, nil
	}
	return stored, true, nil
}

// CreateConcerns inserts cs in one transaction through COPY. A concern whose
// ID exists, or repeats an earlier one in cs, is left as it is. It validates
// every concern and checks every category, and on any error writes nothing.
// It logs concern.create for each new concern, or for more than
// concernmap.MaxAuditedCreates of them one concern.bulk_create with their
// count.
func (db *DB) CreateConcerns(ctx context.Context, cs []*concernmap.Concern) (int, error) {
	rows := make([][]any, 0, len(cs))
	// at finds each concern in cs by ID, for its audit event.
	at := make(map[uuid.UUID]int, len(cs))
	categories := map[string]bool{}
	for i, c := range cs {
		if _, ok := at[c.ID]; ok {
			continue
		}
		at[c.ID] = i
		if err := c.Validate(); err != nil {
			return 0, fmt.Errorf("create concern %s: %w", c.ID, err)
		}
		stored := c.Normalized()
		stored.Version = 1
		stored.DeletedAt = time.Time{}
		args, err := concernArgs(stored)
		if err != nil {
			return 0, fmt.Errorf("create concern %s: %w", c.ID, err)
		}
		rows = append(rows, args)
		categories[c.Category] = true
	}
	if len(rows) == 0 {
		return 0, nil
	}
	keys := make([]string, 0, len(categories))
	for k := range categories {
		keys = append(keys, k)
	}

	var created int
	now := time.Now().UTC()
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		created = 0
		var unknown string
		err := tx.QueryRow(ctx, `SELECT k FROM unnest($1::text[]) AS k
			WHERE NOT EXISTS (SELECT 1 FROM categories WHERE key = k) LIMIT 1`, keys).Scan(&unknown)
		switch {
		case err == nil:
			return unknownCategory(unknown)
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		// COPY cannot call ST_GeomFromEWKB, so the rows land in a scratch
		// table with the geometry as bytea first.
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE concern_import (
			id uuid, category text, geom bytea, title text, description text, severity smallint,
			status text, affected smallint, when_kind text, when_from smallint, when_to smallint,
			observed_at timestamptz, reported_at timestamptz, updated_at timestamptz, reporter uuid,
			area text, version int, deleted_at timestamptz) ON COMMIT DROP`); err != nil {
			return err
		}
		cols := []string{"id", "category", "geom", "title", "description", "severity", "status", "affected",
			"when_kind", "when_from", "when_to", "observed_at", "reported_at", "updated_at", "reporter", "area",
			"version", "deleted_at"}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"concern_import"}, cols, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		res, err := tx.Query(ctx, `INSERT INTO concerns (`+concernColumns+`)
			SELECT id, category, ST_GeomFromEWKB(geom), title, description, severity, status, affected,
				when_kind, when_from, when_to, observed_at, reported_at, updated_at, reporter, area, version, deleted_at
			FROM concern_import
			ON CONFLICT (id) DO NOTHING
			RETURNING id`)
		if err != nil {
			return err
		}
		// Up to one past the most that are logged one by one.
		var news []uuid.UUID
		var id [16]byte
		for res.Next() {
			if err := res.Scan(&id); err != nil {
				res.Close()
				return err
			}
			if created++; created <= concernmap.MaxAuditedCreates+1 {
				news = append(news, id)
			}
		}
		if err := res.Err(); pgCode(err) == foreignKeyViolation {
			return concernmap.Invalid("properties.category", "unknown category")
		} else if err != nil {
			return err
		}
		switch {
		case created > concernmap.MaxAuditedCreates:
			return insertAudit(ctx, tx, concernmap.NewCountAuditEvent(ctx, now, "concern.bulk_create", "concern", created))
		case created > 0:
			events := make([]*concernmap.AuditEvent, len(news))
			for i, id := range news {
				stored := cs[at[id]].Normalized()
				stored.Version, stored.DeletedAt = 1, time.Time{}
				events[i] = concernmap.NewConcernAuditEvent(ctx, now, "concern.create", nil, stored)
			}
			return insertAudit(ctx, tx, events...)
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
	c, err := findConcern(ctx, db.pool, id, "")
	if err != nil {
		return nil, fmt.Errorf("find concern %s: %w", id, err)
	}
	return c, nil
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// findConcern reads one concern; suffix may add a locking clause.
func findConcern(ctx context.Context, q querier, id uuid.UUID, suffix string) (*concernmap.Concern, error) {
	var r concernRow
	err := q.QueryRow(ctx, selectConcern+` WHERE id = $1`+suffix, pgtype.UUID{Bytes: id, Valid: true}).Scan(r.dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, concernmap.Errorf(concernmap.ENOTFOUND, "concern %s not found", id)
	} else if err != nil {
		return nil, err
	}
	return r.concern()
}

// UpdateConcern applies upd under the optimistic version check, validates
// the result, bumps Version, sets UpdatedAt to now and logs concern.update.
func (db *DB) UpdateConcern(ctx context.Context, id uuid.UUID, upd concernmap.ConcernUpdate, ifVersion int, now time.Time) (*concernmap.Concern, error) {
	c, err := db.change(ctx, id, ifVersion, now, "concern.update", func(c *concernmap.Concern) error {
		upd.Apply(c)
		if err := c.Validate(); err != nil {
			return err
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
	c, err := db.change(ctx, id, ifVersion, now, "concern.delete", func(c *concernmap.Concern) error {
		c.UpdatedAt, c.DeletedAt = now, now
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete concern %s: %w", id, err)
	}
	return c, nil
}

// change edits one live concern in a transaction and logs action with the
// concern before and after. SELECT ... FOR UPDATE holds the row from the
// version check to the commit, so of two writers with the same ifVersion
// the second sees the first's version and fails.
func (db *DB) change(ctx context.Context, id uuid.UUID, ifVersion int, now time.Time, action string, edit func(*concernmap.Concern) error) (*concernmap.Concern, error) {
	var out *concernmap.Concern
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		c, err := findConcern(ctx, tx, id, ` FOR UPDATE`)
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
		if err := edit(c); err != nil {
			return err
		}
		c = c.Normalized()
		c.Version++
		args, err := concernArgs(c)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, updateConcern, args...)
		if pgCode(err) == foreignKeyViolation {
			return unknownCategory(c.Category)
		} else if err != nil {
			return err
		}
		out = c
		return insertAudit(ctx, tx, concernmap.NewConcernAuditEvent(ctx, now, action, before, c))
	})
	return out, err
}

// ScanConcerns calls fn for every concern that is not deleted, in no
// particular order. It streams one query's rows, so memory stays flat
// however many there are. It stops at fn's first error and returns it
// wrapped.
func (db *DB) ScanConcerns(ctx context.Context, fn func(*concernmap.Concern) error) error {
	var r concernRow
	if err := stream(ctx, db.pool, selectConcern+` WHERE deleted_at IS NULL`, r.dest(), r.concern, fn); err != nil {
		return fmt.Errorf("scan concerns: %w", err)
	}
	return nil
}

func unknownCategory(key string) error {
	return concernmap.Invalid("properties.category", "unknown category %q", key)
}
