package storetest

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
)

// Sizes for the benchmarks, which a store package's test binary takes as
// flags, such as -scan.n=1000000 for the size the server is built for.
var (
	scanN         = flag.Int("scan.n", 100_000, "concerns in the store for BenchScanConcerns")
	areasN        = flag.Int("areas.n", 20_000, "areas for BenchUpsertAreas")
	areasVertices = flag.Int("areas.vertices", 200, "vertices of each area for BenchUpsertAreas")
	assignN       = flag.Int("assign.n", 100_000, "concerns for BenchAssignConcernAreas")
)

// Fill writes n random point concerns to s in batches, as a seed does.
func Fill(tb testing.TB, s concernmap.ConcernStore, n int) {
	tb.Helper()
	rnd := rand.New(rand.NewPCG(1, 2))
	const batch = 50_000
	cs := make([]*concernmap.Concern, 0, batch)
	for i := range n {
		c := NewConcern()
		c.Geometry = orb.Point{92 + 9*rnd.Float64(), 10 + 18*rnd.Float64()}
		c.Title = fmt.Sprintf("concern %d", i)
		cs = append(cs, c)
		if len(cs) == batch || i == n-1 {
			if _, err := s.CreateConcerns(context.Background(), cs); err != nil {
				tb.Fatal(err)
			}
			cs = cs[:0]
		}
	}
}

// fillLogged fills s with n concerns and logs how long that took.
func fillLogged(b *testing.B, s concernmap.ConcernStore, n int) {
	b.Helper()
	start := time.Now()
	Fill(b, s, n)
	b.Logf("wrote %d concerns in %v", n, time.Since(start))
}

// BenchScanConcerns measures the start-up load: one full scan of -scan.n
// concerns. Like the other benchmarks here, it calls open for a store on
// new, empty storage, which open makes and registers for removal with
// b.Cleanup; open fails b if it cannot. The benchmark closes the store.
func BenchScanConcerns(b *testing.B, open func(b *testing.B) concernmap.Store) {
	n := *scanN
	s := open(b)
	defer s.Close()
	fillLogged(b, s, n)
	b.ResetTimer()
	for b.Loop() {
		got := 0
		err := s.ScanConcerns(context.Background(), func(*concernmap.Concern) error {
			got++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if got != n {
			b.Fatalf("got %d concerns, want %d", got, n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/concern")
}

// BenchUpsertAreas measures an import of every village tract, -areas.n
// areas of -areas.vertices vertices each: into an empty store ("create"),
// and again over the same pcodes ("update"). Run it with -benchtime 1x.
func BenchUpsertAreas(b *testing.B, open func(b *testing.B) concernmap.Store) {
	areas := NewAreas(*areasN, *areasVertices)
	run := func(b *testing.B, s concernmap.AreaStore, wantCreated int) {
		b.Helper()
		created, updated, err := s.UpsertAreas(context.Background(), areas, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if created != wantCreated || created+updated != len(areas) {
			b.Fatalf("got %d created, %d updated, want %d, %d", created, updated, wantCreated, len(areas)-wantCreated)
		}
	}
	b.Run("create", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			s := open(b)
			b.StartTimer()
			run(b, s, len(areas))
			b.StopTimer()
			s.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/import")
	})
	b.Run("update", func(b *testing.B) {
		s := open(b)
		defer s.Close()
		run(b, s, len(areas))
		b.ResetTimer()
		for b.Loop() {
			run(b, s, 0)
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/import")
	})
}

// BenchAssignConcernAreas measures placing every concern in its area after
// an import, each time a change for every one. Run it with
// -assign.n=1000000 -benchtime 1x for the size the server is built for.
func BenchAssignConcernAreas(b *testing.B, open func(b *testing.B) concernmap.Store) {
	n := *assignN
	s := open(b)
	defer s.Close()
	fillLogged(b, s, n)
	var ids []uuid.UUID
	err := s.ScanConcerns(context.Background(), func(c *concernmap.Concern) error {
		ids = append(ids, c.ID)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	round := 0
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		round++
		areas := make(map[uuid.UUID]string, len(ids))
		for i, id := range ids {
			areas[id] = fmt.Sprintf("MMR%09d.%d", i%20_000, round)
		}
		b.StartTimer()
		changed, err := s.AssignConcernAreas(context.Background(), areas, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if changed != len(ids) {
			b.Fatalf("got %d changed, want %d", changed, len(ids))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ids)), "ns/concern")
}
