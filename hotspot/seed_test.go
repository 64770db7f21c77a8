package hotspot

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// testSeed returns the seed for a randomized test: HOTSPOT_SEED if set, else
// the time. It logs the seed so that a failure can be replayed.
func testSeed(t testing.TB) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("HOTSPOT_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("HOTSPOT_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("seed %d (set HOTSPOT_SEED to replay)", seed)
	return seed
}
