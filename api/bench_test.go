package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/api"
	"github.com/concernmap/concernmap/bolt"
	"github.com/concernmap/concernmap/demo"
	"github.com/concernmap/concernmap/geo"
	"github.com/concernmap/concernmap/index"
	"github.com/concernmap/concernmap/postgis"
	"github.com/concernmap/concernmap/postgis/postgistest"
	"github.com/concernmap/concernmap/web"
)

// benchClients is how many clients post at once.
const benchClients = 8

// benchStores open a fresh store for each run of BenchmarkCreateConcern.
// bolt fsyncs every commit; the PostGIS test cluster runs with fsync off,
// so bolt-tmpfs, on a RAM file system where fsync costs nothing, is the
// like-for-like comparison.
var benchStores = []struct {
	name string
	open func(b *testing.B) concernmap.Store
}{
	{"bolt", func(b *testing.B) concernmap.Store { return openBolt(b, b.TempDir()) }},
	{"bolt-tmpfs", func(b *testing.B) concernmap.Store {
		dir, err := os.MkdirTemp("/dev/shm", "concernmap-bench-")
		if err != nil {
			b.Skipf("no tmpfs at /dev/shm: %v", err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		return openBolt(b, dir)
	}},
	{"postgis", func(b *testing.B) concernmap.Store {
		db, err := postgis.Open(context.Background(), postgistest.MustOpenDB(b))
		if err != nil {
			b.Fatalf("open postgis: %v", err)
		}
		return db
	}},
}

func openBolt(b *testing.B, dir string) concernmap.Store {
	db, err := bolt.Open(filepath.Join(dir, "concernmap.db"))
	if err != nil {
		b.Fatalf("open bolt: %v", err)
	}
	return db
}

var (
	bodiesOnce sync.Once
	bodies     []featureBody
)

// featureBody is a POST body around its id, which every request fills with
// a new UUID.
type featureBody struct{ head, tail []byte }

func (f featureBody) with(id uuid.UUID) []byte {
	b := make([]byte, 0, len(f.head)+36+len(f.tail))
	b = append(b, f.head...)
	b = append(b, id.String()...)
	return append(b, f.tail...)
}

// demoBodies returns 4,096 POST bodies of demo concerns, as a phone sends
// them: the writable properties only.
func demoBodies(tb testing.TB) []featureBody {
	bodiesOnce.Do(func() {
		villages, err := demo.Villages(60, 1)
		if err != nil {
			tb.Fatal(err)
		}
		gen := demo.NewGenerator(villages, 1)
		for range 4096 {
			c := gen.Next()
			var t []byte
			t = append(t, `","geometry":`...)
			t = geo.AppendGeoJSON(t, c.Geometry)
			t = append(t, `,"properties":{"category":`...)
			t = concernmap.AppendJSONString(t, c.Category)
			t = append(t, `,"title":`...)
			t = concernmap.AppendJSONString(t, c.Title)
			t = append(t, `,"description":`...)
			t = concernmap.AppendJSONString(t, c.Description)
			t = append(t, `,"severity":`...)
			t = strconv.AppendInt(t, int64(c.Severity), 10)
			t = append(t, `,"affected":[`...)
			for i, n := range c.Affected.Names() {
				if i > 0 {
					t = append(t, ',')
				}
				t = concernmap.AppendJSONString(t, n)
			}
			t = append(t, `],"when_dangerous":{"kind":`...)
			t = concernmap.AppendJSONString(t, string(c.WhenDangerous.Kind))
			if c.WhenDangerous.Kind == concernmap.WhenWindow {
				t = fmt.Appendf(t, `,"from":%q,"to":%q`, concernmap.FormatClock(c.WhenDangerous.From), concernmap.FormatClock(c.WhenDangerous.To))
			}
			t = append(t, `}}}`...)
			bodies = append(bodies, featureBody{head: []byte(`{"type":"Feature","id":"`), tail: t})
		}
	})
	return bodies
}

// BenchmarkCreateConcern measures POST /api/v1/concerns through real HTTP
// and the whole stack, with 8 clients at once, on a fresh store of each
// kind. It reports requests per second.
func BenchmarkCreateConcern(b *testing.B) {
	for _, s := range benchStores {
		b.Run("store="+s.name, func(b *testing.B) {
			bodies := demoBodies(b)
			store := s.open(b)
			svc := concernmap.NewService(store, func() concernmap.ConcernIndex { return index.New() }, index.NewAreas())
			if err := svc.Load(context.Background()); err != nil {
				b.Fatal(err)
			}
			auth := concernmap.NewAuth(store)
			srv := httptest.NewServer(api.New(api.DefaultConfig(), svc, auth, store, slog.New(slog.NewJSONHandler(io.Discard, nil)), prometheus.NewRegistry(), web.Handler()))
			b.Cleanup(func() {
				srv.Close()
				store.Close()
			})
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}}
			defer client.CloseIdleConnections()
			url := srv.URL + "/api/v1/concerns"
			// A CSWG member's API token, as a phone would send.
			u, err := concernmap.NewUser("bench-member", "Bench member", concernmap.RoleMember, "a long bench password")
			if err != nil {
				b.Fatal(err)
			}
			if err := store.CreateUser(context.Background(), u); err != nil {
				b.Fatal(err)
			}
			_, token, err := auth.CreateToken(context.Background(), u, "bench")
			if err != nil {
				b.Fatal(err)
			}

			var next sync.Mutex
			i := 0
			// RunParallel starts parallelism × GOMAXPROCS goroutines.
			b.SetParallelism((benchClients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					next.Lock()
					body := bodies[i%len(bodies)]
					i++
					next.Unlock()
					req, _ := http.NewRequest("POST", url, bytes.NewReader(body.with(uuid.New())))
					req.Header.Set("Content-Type", "application/geo+json")
					req.Header.Set("Authorization", "Bearer "+token)
					res, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusCreated {
						b.Errorf("status %d", res.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}
