package postgis

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/concernmap/concernmap"
)

// channel is the NOTIFY channel of migration 00002.
const channel = "concernmap_concerns"

var _ concernmap.ConcernNotifier = (*DB)(nil)

// Listen calls fn with the ID of every concern that any instance changes,
// and with uuid.Nil whenever changes may have been missed: once listening
// starts, after every reconnect, and after a bulk write. When fn fails it
// reconnects, so a failed reload is tried again. It reconnects with backoff
// until ctx ends, then returns nil.
func (db *DB) Listen(ctx context.Context, fn func(id uuid.UUID) error) error {
	backoff := 100 * time.Millisecond
	for {
		err := db.listen(ctx, fn, func() { backoff = 100 * time.Millisecond })
		if ctx.Err() != nil {
			return nil
		}
		if db.onListenError != nil {
			db.onListenError(err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (db *DB) listen(ctx context.Context, fn func(uuid.UUID) error, connected func()) error {
	// A connection of its own: a listening connection must not go back to
	// the pool.
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("listen: connect: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if err := fn(uuid.Nil); err != nil {
		return fmt.Errorf("listen: reload: %w", err)
	}
	connected()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("listen: wait: %w", err)
		}
		id, err := uuid.Parse(n.Payload)
		if err != nil {
			id = uuid.Nil // '*', or anything unexpected: reload
		}
		if err := fn(id); err != nil {
			return fmt.Errorf("listen: apply %s: %w", n.Payload, err)
		}
	}
}

// OnListenError sets a function that hears why listening broke before each
// reconnect; the server logs it.
func (db *DB) OnListenError(fn func(error)) { db.onListenError = fn }
