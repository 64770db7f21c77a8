package postgis_test

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/postgis/postgistest"
	"github.com/concernmap/concernmap/storetest"
)

var (
	areasN        = flag.Int("areas.n", 20_000, "areas for BenchmarkUpsertAreas")
	areasVertices = flag.Int("areas.vertices", 200, "vertices of each area for BenchmarkUpsertAreas")
	assignN       = flag.Int("assign.n", 100_000, "concerns for BenchmarkAssignConcernAreas")
)

// BenchmarkUpsertAreas measures an import of every village tract: into an
// empty database, and again over the same pcodes. Run it with -benchtime 1x.
func BenchmarkUpsertAreas(b *testing.B) {
	areas := storetest.NewAreas(*areasN, *areasVertices)
	run := func(b *testing.B, db concernmap.AreaStore, wantCreated int) {
		b.Helper()
		created, updated, err := db.UpsertAreas(context.Background(), areas, time.Now())
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
			db := MustOpen(b, postgistest.MustOpenDB(b))
			b.StartTimer()
			run(b, db, len(areas))
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/import")
	})
	b.Run("update", func(b *testing.B) {
		db := MustOpen(b, postgistest.MustOpenDB(b))
		defer db.Close()
		run(b, db, len(areas))
		b.ResetTimer()
		for b.Loop() {
			run(b, db, 0)
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/import")
	})
}

// BenchmarkAssignConcernAreas measures placing every concern in its area
// after an import, each time a change for every one. Run it with
// -assign.n=1000000 -benchtime 1x for the size the server is built for.
func BenchmarkAssignConcernAreas(b *testing.B) {
	db := MustOpen(b, postgistest.MustOpenDB(b))
	defer db.Close()
	start := time.Now()
	fill(b, db, *assignN)
	b.Logf("wrote %d concerns in %v", *assignN, time.Since(start))
	var ids []uuid.UUID
	err := db.ScanConcerns(context.Background(), func(c *concernmap.Concern) error {
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
		n, err := db.AssignConcernAreas(context.Background(), areas, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if n != len(ids) {
			b.Fatalf("got %d changed, want %d", n, len(ids))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ids)), "ns/concern")
}
