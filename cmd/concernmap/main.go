// Command concernmap serves community-security concerns on a map.
//
//	concernmap serve     run the server
//	concernmap migrate   apply database migrations (PostGIS)
//	concernmap seed      write deterministic demo data
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/api"
	"github.com/concernmap/concernmap/bolt"
	"github.com/concernmap/concernmap/demo"
	"github.com/concernmap/concernmap/index"
	"github.com/concernmap/concernmap/postgis"
	"github.com/concernmap/concernmap/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "concernmap:", err)
		os.Exit(1)
	}
}

const usage = `usage: concernmap <command> [flags]

commands:
  serve    run the HTTP server (the default)
  migrate  apply PostGIS migrations
  seed     write deterministic demo data
  import-areas FILE --level LEVEL
           import boundaries (GeoJSON, zipped Shapefile or KML) and assign concerns to them
  user add|list|disable|token
           manage users and API tokens
  healthcheck  exit 0 if the server on --addr is ready (for containers without curl)

Run "concernmap <command> -h" for a command's flags.`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	m := NewMain(stdout, stderr)
	switch cmd {
	case "serve":
		if err := m.ParseFlags(cmd, args); err != nil {
			return err
		}
		if err := m.Run(ctx); err != nil {
			m.Close()
			return err
		}
		<-ctx.Done()
		return m.Close()
	case "migrate":
		if err := m.ParseFlags(cmd, args); err != nil {
			return err
		}
		if m.Config.DatabaseURL == "" {
			return errors.New("migrate needs --database-url or DATABASE_URL; the embedded store needs no migrations")
		}
		if err := postgis.Migrate(ctx, m.Config.DatabaseURL); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "migrations applied")
		return nil
	case "seed":
		if err := m.ParseFlags(cmd, args); err != nil {
			return err
		}
		return m.Seed(ctx)
	case "import-areas":
		return m.ImportAreas(ctx, args)
	case "user":
		return m.Users(ctx, args)
	case "healthcheck":
		if err := m.ParseFlags(cmd, args); err != nil {
			return err
		}
		return m.Healthcheck(ctx)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

// Config is read once from flags and the environment.
type Config struct {
	Addr        string
	DatabaseURL string
	API         api.Config
	// AdminPassword, if set, is the password of the first admin, made at
	// start when there are no users.
	AdminPassword   string
	DataDir         string
	LogLevel        slog.Level
	ShutdownTimeout time.Duration

	SeedCount    int
	SeedVillages int
	SeedValue    uint64
}

// DefaultConfig returns the defaults, which serve the embedded store on
// loopback.
func DefaultConfig() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DataDir:         "data",
		LogLevel:        slog.LevelInfo,
		ShutdownTimeout: 20 * time.Second,
		API:             api.DefaultConfig(),
		SeedCount:       3000,
		SeedVillages:    60,
		SeedValue:       1,
	}
}

// Main is the program: ParseFlags, then Run, then Close.
type Main struct {
	Config Config
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger

	store      concernmap.Store
	service    *concernmap.Service
	server     *api.Server
	listener   net.Listener
	served     chan error
	stopFollow func()
}

// NewMain returns a program with the default configuration.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{Config: DefaultConfig(), stdout: stdout, stderr: stderr,
		log: slog.New(slog.NewJSONHandler(stderr, nil))}
}

// ParseFlags reads the command's flags, with environment variables as
// defaults.
func (m *Main) ParseFlags(cmd string, args []string) error {
	c := &m.Config
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	if cmd != "healthcheck" {
		fs.StringVar(&c.DatabaseURL, "database-url", env("DATABASE_URL", c.DatabaseURL), "PostgreSQL/PostGIS URL; empty uses the embedded store (env DATABASE_URL)")
	}
	if cmd != "migrate" && cmd != "healthcheck" {
		fs.StringVar(&c.DataDir, "data-dir", env("CONCERNMAP_DATA_DIR", c.DataDir), "directory of the embedded store (env CONCERNMAP_DATA_DIR)")
	}
	if cmd == "serve" || cmd == "healthcheck" {
		fs.StringVar(&c.Addr, "addr", env("CONCERNMAP_ADDR", c.Addr), "address to listen on (env CONCERNMAP_ADDR)")
	}
	if cmd == "serve" {
		fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long SIGTERM waits for in-flight requests")
		fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error")
		fs.BoolVar(&c.API.PublicMap, "public-map", envBool("CONCERNMAP_PUBLIC_MAP"), "let visitors who have not signed in see area aggregates (env CONCERNMAP_PUBLIC_MAP)")
		fs.IntVar(&c.API.K, "k", c.API.K, "aggregates of concerns a viewer may not see exactly show as \"<k\" below this")
		fs.BoolVar(&c.API.SecureCookies, "secure-cookies", envBool("CONCERNMAP_SECURE_COOKIES"), "mark the session cookie Secure; set it behind HTTPS (env CONCERNMAP_SECURE_COOKIES)")
		fs.StringVar(&c.API.BasemapURL, "basemap-url", env("CONCERNMAP_BASEMAP_URL", c.API.BasemapURL), "raster basemap tile URL template with {z}/{x}/{y}; empty shows no basemap (env CONCERNMAP_BASEMAP_URL)")
		fs.StringVar(&c.API.BasemapAttribution, "basemap-attribution", env("CONCERNMAP_BASEMAP_ATTRIBUTION", c.API.BasemapAttribution), "attribution shown for the basemap")
		fs.IntVar(&c.API.ClusterBelowZoom, "cluster-below-zoom", c.API.ClusterBelowZoom, "below this zoom, concern tiles carry counts per grid cell, not concerns")
		fs.Int64Var(&c.API.TileCacheBytes, "tile-cache-bytes", c.API.TileCacheBytes, "memory for cached vector tiles")
		c.AdminPassword = os.Getenv("CONCERNMAP_ADMIN_PASSWORD")
	}
	if cmd == "seed" {
		// The demo credentials show a curl against the server's address.
		c.Addr = env("CONCERNMAP_ADDR", c.Addr)
		fs.IntVar(&c.SeedCount, "count", c.SeedCount, "number of demo concerns")
		fs.IntVar(&c.SeedVillages, "villages", c.SeedVillages, "number of synthetic villages")
		fs.Uint64Var(&c.SeedValue, "seed", c.SeedValue, "random seed; the same seed gives the same data")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", cmd, fs.Arg(0))
	}
	return nil
}

func envBool(key string) bool {
	v := strings.ToLower(os.Getenv(key))
	return v == "1" || v == "true" || v == "yes"
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

// openStore opens PostGIS when a URL is set, else the embedded file.
func (m *Main) openStore(ctx context.Context) error {
	if m.Config.DatabaseURL != "" {
		db, err := postgis.Open(ctx, m.Config.DatabaseURL)
		if err != nil {
			return fmt.Errorf("open postgis: %w", err)
		}
		m.store = db
		return nil
	}
	if err := os.MkdirAll(m.Config.DataDir, 0o700); err != nil {
		return fmt.Errorf("make data dir: %w", err)
	}
	db, err := bolt.Open(filepath.Join(m.Config.DataDir, "concernmap.db"))
	if err != nil {
		return fmt.Errorf("open embedded store: %w", err)
	}
	m.store = db
	return nil
}

// Run opens the store, loads the index and starts serving. It returns once
// the server accepts connections.
func (m *Main) Run(ctx context.Context) error {
	m.log = slog.New(slog.NewJSONHandler(m.stderr, &slog.HandlerOptions{Level: m.Config.LogLevel}))
	if err := m.openStore(ctx); err != nil {
		return err
	}
	m.service = concernmap.NewService(m.store, newIndex, index.NewAreas())
	m.service.SetLogger(m.log)
	if err := m.loadIndex(ctx); err != nil {
		return err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := m.firstAdmin(ctx); err != nil {
		return err
	}
	auth := concernmap.NewAuth(m.store)
	auth.SetLogger(m.log)
	m.server = api.New(m.Config.API, m.service, auth, m.store, m.log, reg, web.Handler())
	l, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	m.listener = l
	m.served = make(chan error, 1)
	go func() { m.served <- m.server.Serve(l) }()
	fmt.Fprintf(m.stdout, "concernmap is serving %d concerns at %s\n", m.service.IndexLen(), m.URL())
	return nil
}

func newIndex() concernmap.ConcernIndex { return index.New() }

// loadIndex fills the index. On a shared store it also follows the other
// instances' writes until Close.
func (m *Main) loadIndex(ctx context.Context) error {
	n, shared := m.store.(concernmap.ConcernNotifier)
	if !shared {
		start := time.Now()
		if err := m.service.Load(ctx); err != nil {
			return fmt.Errorf("load index: %w", err)
		}
		m.log.Info("index loaded", slog.Int("concerns", m.service.IndexLen()), slog.Float64("seconds", time.Since(start).Seconds()))
		return nil
	}
	if db, ok := m.store.(*postgis.DB); ok {
		db.OnListenError(func(err error) { m.log.Warn("listen for changes; reconnecting", slog.Any("err", err)) })
	}
	followCtx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	m.stopFollow = func() {
		cancel()
		<-done
	}
	go func() {
		done <- m.service.Follow(followCtx, n, ready)
	}()
	select {
	case <-ready:
		return nil
	case err := <-done:
		done <- err
		return fmt.Errorf("follow store: %w", err)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// URL returns the address the server listens on.
func (m *Main) URL() string {
	if m.listener == nil {
		return ""
	}
	return "http://" + m.listener.Addr().String()
}

// Close drains in-flight requests, then closes the store.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
		defer cancel()
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shut down http: %w", err))
		}
		if err := <-m.served; err != nil {
			errs = append(errs, fmt.Errorf("serve: %w", err))
		}
		m.server = nil
	}
	if m.stopFollow != nil {
		m.stopFollow()
		m.stopFollow = nil
	}
	if m.store != nil {
		if err := m.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
		m.store = nil
	}
	m.log.Info("stopped")
	return errors.Join(errs...)
}

// Seed writes the demo data. Seeding twice writes nothing new, since the
// generator makes the same IDs.
func (m *Main) Seed(ctx context.Context) error {
	if err := m.openStore(ctx); err != nil {
		return err
	}
	defer func() {
		m.store.Close()
		m.store = nil
	}()
	villages, err := demo.Villages(m.Config.SeedVillages, m.Config.SeedValue)
	if err != nil {
		return err
	}
	svc := concernmap.NewService(m.store, newIndex, index.NewAreas())
	if err := svc.Load(ctx); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if all, _ := svc.FindAreas(ctx, concernmap.AreaFilter{}); len(all) == 0 {
		areas, err := demo.Areas(villages)
		if err != nil {
			return err
		}
		if _, err := svc.ImportAreas(ctx, areas); err != nil {
			return fmt.Errorf("seed areas: %w", err)
		}
		fmt.Fprintf(m.stdout, "seeded %d synthetic areas in Kayin and Mon\n", len(areas))
	}
	if err := m.demoUsers(ctx); err != nil {
		return err
	}
	gen := demo.NewGenerator(villages, m.Config.SeedValue)
	batch := make([]*concernmap.Concern, 0, 1000)
	created := 0
	flush := func() error {
		n, err := m.store.CreateConcerns(ctx, batch)
		created += n
		batch = batch[:0]
		return err
	}
	for range m.Config.SeedCount {
		c := gen.Next()
		c.Area = svc.LocateArea(c.Geometry)
		batch = append(batch, c)
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return fmt.Errorf("seed: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(m.stdout, "seeded %d demo concerns around %d synthetic villages (%d new)\n", m.Config.SeedCount, len(villages), created)
	return m.demoWorkflow(ctx, svc)
}

// Healthcheck asks the server on Config.Addr whether it is ready.
func (m *Main) Healthcheck(ctx context.Context) error {
	host, port, err := net.SplitHostPort(m.Config.Addr)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/readyz", nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s", res.Status)
	}
	return nil
}
