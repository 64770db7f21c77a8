package bolt_test

import (
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/storetest"
)

// TestOpenAddsAreas opens a file made before areas existed, which has no
// areas bucket: it must open, and take areas.
func TestOpenAddsAreas(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "concernmap.db")
	db := MustOpen(t, path)
	c := storetest.NewConcern()
	if _, _, err := db.CreateConcern(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Update(func(tx *bbolt.Tx) error { return tx.DeleteBucket([]byte("areas")) }); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db = MustOpen(t, path)
	defer db.Close()
	if _, err := db.FindConcernByID(t.Context(), c.ID); err != nil {
		t.Errorf("find concern: %v", err)
	}
	a := storetest.NewArea()
	if _, _, err := db.UpsertAreas(t.Context(), []*concernmap.Area{a}, time.Now()); err != nil {
		t.Fatalf("upsert: %v", err)
	}
	if _, err := db.FindAreaByPCode(t.Context(), a.PCode); err != nil {
		t.Errorf("find area: %v", err)
	}
}

func BenchmarkUpsertAreas(b *testing.B) { storetest.BenchUpsertAreas(b, openFresh) }

func BenchmarkAssignConcernAreas(b *testing.B) { storetest.BenchAssignConcernAreas(b, openFresh) }
