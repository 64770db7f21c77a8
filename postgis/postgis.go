// Package postgis is the PostgreSQL/PostGIS store: concernmap.ConcernStore,
// AreaStore, UserStore and WorkflowStore on pgx. Any number of instances may
// share one database; each write is one transaction, with its audit events,
// and the version check is made under a row lock.
//
// Times are kept to the microsecond, PostgreSQL's precision, and returned in
// UTC. Geometries cross the boundary as EWKB with SRID 4326.
package postgis

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/migrations"
)

// migrateLockID names the advisory lock that serialises migrations, so that
// instances starting together do not race to create the schema.
const migrateLockID = 0x636f6e636d6170 // "concmap"

const secretLen = 32

// DB is a concern store on a PostgreSQL database with PostGIS.
type DB struct {
	pool          *pgxpool.Pool
	secret        []byte
	onListenError func(error)
}

var _ concernmap.ConcernStore = (*DB)(nil)

// Open connects to databaseURL, migrates the schema, seeds the categories if
// there are none and makes the secret if there is none. Instances that open
// one database at the same time agree on all of it.
func Open(ctx context.Context, databaseURL string) (*DB, error) {
	pool, err := connect(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	db := &DB{pool: pool}
	if err := db.init(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) init(ctx context.Context) error {
	if err := migrate(ctx, db.pool); err != nil {
		return err
	}
	if err := db.seedCategories(ctx); err != nil {
		return fmt.Errorf("seed categories: %w", err)
	}
	secret := make([]byte, secretLen)
	rand.Read(secret)
	// Whoever inserts first wins; everyone then reads the winner's.
	if _, err := db.pool.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('secret', $1) ON CONFLICT (key) DO NOTHING`, secret); err != nil {
		return fmt.Errorf("make secret: %w", err)
	}
	if err := db.pool.QueryRow(ctx, `SELECT value FROM settings WHERE key = 'secret'`).Scan(&db.secret); err != nil {
		return fmt.Errorf("read secret: %w", err)
	}
	return nil
}

// Migrate brings the schema at databaseURL up to date; the migrate
// subcommand runs it. Running it again changes nothing.
func Migrate(ctx context.Context, databaseURL string) error {
	pool, err := connect(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	return migrate(ctx, pool)
}

func connect(ctx context.Context, databaseURL string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		// pgx leaves the password out of this error.
		return nil, fmt.Errorf("postgis: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgis: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgis: connect: %w", err)
	}
	return pool, nil
}

// migrate applies the embedded migrations with goose, holding an advisory
// lock. The lock lives in a transaction on a connection of its own, outside
// the pool, so it is released however migrate ends, and a pool of one
// connection still has one for goose.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("migrate: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLockID)); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		sqlDB := stdlib.OpenDBFromPool(pool)
		defer sqlDB.Close()
		p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS, goose.WithDisableGlobalRegistry(true))
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := p.Up(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	})
}

// Pool returns the connection pool, for benchmarks and tests that need
// plain SQL.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Close closes every connection.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgis: ping: %w", err)
	}
	return nil
}

// Secret returns the random key shared by every instance on the database.
func (db *DB) Secret(ctx context.Context) ([]byte, error) {
	return append([]byte(nil), db.secret...), nil
}

// stream runs q and calls fn with each row in turn: Scan fills dest, and
// next makes the value for fn from it. It stops at fn's first error and
// returns it. The rows are never all in memory, however many there are.
func stream[T any](ctx context.Context, pool *pgxpool.Pool, q string, dest []any, next func() (T, error), fn func(T) error) error {
	// Cancelling drops the connection instead of reading the rest of what
	// may be a million rows when fn stops early.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := pool.Query(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		v, err := next()
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			cancel()
			return err
		}
	}
	return rows.Err()
}

// pgCode returns the SQLSTATE of a PostgreSQL error, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// pgConstraint returns the constraint that a PostgreSQL error names, or "".
func pgConstraint(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName
	}
	return ""
}

const (
	foreignKeyViolation = "23503"
	uniqueViolation     = "23505"
)
