package bolt_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"

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

var scanN = flag.Int("scan.n", 100_000, "concerns in the file for BenchmarkScanConcerns")

// BenchmarkScanConcerns measures the start-up load: one full scan. Run it
// with -scan.n=1000000 for the size the server is built for.
func BenchmarkScanConcerns(b *testing.B) {
	db := MustOpen(b, filepath.Join(b.TempDir(), "concernmap.db"))
	defer db.Close()
	fill(b, db, *scanN)
	b.ResetTimer()
	for b.Loop() {
		n := 0
		err := db.ScanConcerns(context.Background(), func(*concernmap.Concern) error {
			n++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if n != *scanN {
			b.Fatalf("got %d concerns, want %d", n, *scanN)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(*scanN), "ns/concern")
}

// fill writes n random point concerns in batches.
func fill(tb testing.TB, db *bolt.DB, n int) {
	tb.Helper()
	rnd := rand.New(rand.NewPCG(1, 2))
	const batch = 50_000
	cs := make([]*concernmap.Concern, 0, batch)
	for i := range n {
		c := storetest.NewConcern()
		c.Geometry = orb.Point{92 + 9*rnd.Float64(), 10 + 18*rnd.Float64()}
		c.Title = fmt.Sprintf("concern %d", i)
		cs = append(cs, c)
		if len(cs) == batch || i == n-1 {
			if _, err := db.CreateConcerns(context.Background(), cs); err != nil {
				tb.Fatal(err)
			}
			cs = cs[:0]
		}
	}
}
