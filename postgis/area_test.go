package postgis_test

import (
	"testing"

	"github.com/concernmap/concernmap/storetest"
)

func BenchmarkUpsertAreas(b *testing.B) { storetest.BenchUpsertAreas(b, openFresh) }

func BenchmarkAssignConcernAreas(b *testing.B) { storetest.BenchAssignConcernAreas(b, openFresh) }
