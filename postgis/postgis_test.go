package postgis_test

import (
	"context"
	"fmt"
	"io/fs"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/migrations"
	"github.com/concernmap/concernmap/postgis"
	"github.com/concernmap/concernmap/postgis/postgistest"
	"github.com/concernmap/concernmap/storetest"
)

func TestMain(m *testing.M) {
	postgistest.Main(m)
}

func TestConcernStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() concernmap.ConcernStore {
		url := postgistest.MustOpenDB(t)
		return func() concernmap.ConcernStore {
			return MustOpen(t, url)
		}
	})
}

// MustOpen opens the store at url and fails tb if it cannot. The caller
// closes it.
func MustOpen(tb testing.TB, url string) *postgis.DB {
	tb.Helper()
	db, err := postgis.Open(context.Background(), url)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	return db
}

func TestMigrateIdempotent(t *testing.T) {
	url := postgistest.MustOpenDB(t)
	for i := range 3 {
		if err := postgis.Migrate(t.Context(), url); err != nil {
			t.Fatalf("migrate %d: %v", i+1, err)
		}
	}
	db := MustOpen(t, url)
	defer db.Close()
	var applied int
	if err := db.Pool().QueryRow(t.Context(), `SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if applied != len(files) {
		t.Errorf("got %d migrations applied, want %d", applied, len(files))
	}
	checkSeeded(t, db)
}

// TestOpenRace starts instances on one new database at once, as a
// deployment of several does: they must all open, and agree.
func TestOpenRace(t *testing.T) {
	url := postgistest.MustOpenDB(t)
	const n = 4
	dbs := make([]*postgis.DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = postgis.Open(t.Context(), url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	want, err := dbs[0].Secret(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i, db := range dbs[1:] {
		got, err := db.Secret(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("instance %d: got secret %x, want %x", i+1, got, want)
		}
	}
	checkSeeded(t, dbs[0])
}

// checkSeeded checks that the default categories are there exactly once.
func checkSeeded(t *testing.T, db *postgis.DB) {
	t.Helper()
	var n int
	if err := db.Pool().QueryRow(t.Context(), `SELECT count(*) FROM categories`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := len(concernmap.DefaultCategories); n != want {
		t.Errorf("got %d categories, want %d", n, want)
	}
}

// TestNoSeedOverAdminEdits checks that categories are seeded only into an
// empty table, so a category an admin removed stays removed.
func TestNoSeedOverAdminEdits(t *testing.T) {
	url := postgistest.MustOpenDB(t)
	db := MustOpen(t, url)
	if _, err := db.Pool().Exec(t.Context(), `DELETE FROM categories WHERE key = 'other'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = MustOpen(t, url)
	defer db.Close()
	cats, err := db.FindCategories(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(cats), len(concernmap.DefaultCategories)-1; got != want {
		t.Errorf("got %d categories, want %d", got, want)
	}
}

func BenchmarkScanConcerns(b *testing.B) { storetest.BenchScanConcerns(b, openFresh) }

// openFresh opens a store on a new database.
func openFresh(b *testing.B) concernmap.Store {
	return MustOpen(b, postgistest.MustOpenDB(b))
}

func TestScanStopsEarly(t *testing.T) {
	db := MustOpen(t, postgistest.MustOpenDB(t))
	defer db.Close()
	storetest.Fill(t, db, 20_000)
	stop := fmt.Errorf("stop")
	start := time.Now()
	err := db.ScanConcerns(t.Context(), func(*concernmap.Concern) error { return stop })
	if err == nil {
		t.Fatalf("got nil, want %v", stop)
	}
	t.Logf("stopped in %v", time.Since(start))
	// The pool must still work after the scan dropped its connection.
	if err := db.Ping(t.Context()); err != nil {
		t.Errorf("ping after early stop: %v", err)
	}
	if _, err := db.FindCategories(t.Context()); err != nil {
		t.Errorf("query after early stop: %v", err)
	}
}

// TestListen checks the notices: a reload at start, each changed ID, a
// reload after a bulk write, and a reload after the connection is cut.
func TestListen(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	db := MustOpen(t, postgistest.MustOpenDB(t))
	defer db.Close()
	notices := make(chan uuid.UUID, 100)
	done := make(chan error, 1)
	go func() {
		done <- db.Listen(ctx, func(id uuid.UUID) error { notices <- id; return nil })
	}()
	next := func(what string) uuid.UUID {
		t.Helper()
		select {
		case id := <-notices:
			return id
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no notice in 5 s", what)
			return uuid.Nil
		}
	}
	if got := next("start"); got != uuid.Nil {
		t.Fatalf("start: got %v, want a reload (uuid.Nil)", got)
	}

	c := storetest.NewConcern()
	if _, _, err := db.CreateConcern(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got := next("create"); got != c.ID {
		t.Errorf("create: got %v, want %v", got, c.ID)
	}
	if _, err := db.DeleteConcern(ctx, c.ID, 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := next("delete"); got != c.ID {
		t.Errorf("delete: got %v, want %v", got, c.ID)
	}

	var bulk []*concernmap.Concern
	for range 1001 {
		bulk = append(bulk, storetest.NewConcern())
	}
	if _, err := db.CreateConcerns(ctx, bulk); err != nil {
		t.Fatal(err)
	}
	if got := next("bulk write"); got != uuid.Nil {
		t.Errorf("bulk write: got %v, want a reload", got)
	}

	if _, err := db.Pool().Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN concernmap_concerns'`); err != nil {
		t.Fatal(err)
	}
	if got := next("reconnect"); got != uuid.Nil {
		t.Errorf("reconnect: got %v, want a reload", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Listen after cancel: got %v, want nil", err)
	}
}
