package bolt_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/bolt"
	"github.com/concernmap/concernmap/storetest"
)

func TestConcernStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() concernmap.ConcernStore {
		path := filepath.Join(t.TempDir(), "concernmap.db")
		return func() concernmap.ConcernStore {
			return MustOpen(t, path)
		}
	})
}

// MustOpen opens the store at path and fails tb if it cannot. The caller
// closes it.
func MustOpen(tb testing.TB, path string) *bolt.DB {
	tb.Helper()
	db, err := bolt.Open(path)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	return db
}

func TestOpenLocked(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "concernmap.db")
	db := MustOpen(t, path)
	defer db.Close()
	// A second opener must fail, not wait for ever or share the file.
	other, err := bolt.Open(path)
	if err == nil {
		other.Close()
	}
	if !errors.Is(err, bolt.ErrLocked) {
		t.Fatalf("second open: got %v, want ErrLocked", err)
	}
}

func BenchmarkScanConcerns(b *testing.B) { storetest.BenchScanConcerns(b, openFresh) }

// openFresh opens a store on a new file in b's temporary directory.
func openFresh(b *testing.B) concernmap.Store {
	return MustOpen(b, filepath.Join(b.TempDir(), "concernmap.db"))
}
