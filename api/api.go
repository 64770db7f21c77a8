// Package api serves concernmap over HTTP: the REST and GeoJSON API under
// /api/v1, health checks, metrics and the web app.
package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/concernmap/concernmap"
)

// Service is what the API needs of the domain; *concernmap.Service is one.
type Service interface {
	CreateConcern(ctx context.Context, c *concernmap.Concern) (*concernmap.Concern, bool, error)
	FindConcernByID(ctx context.Context, id uuid.UUID) (*concernmap.Concern, error)
	FindConcerns(ctx context.Context, f concernmap.ConcernFilter, cursor string) (concernmap.ConcernPage, error)
	UpdateConcern(ctx context.Context, id uuid.UUID, upd concernmap.ConcernUpdate, ifVersion int) (*concernmap.Concern, error)
	DeleteConcern(ctx context.Context, id uuid.UUID, ifVersion int) (*concernmap.Concern, error)
	FindCategories(ctx context.Context) ([]*concernmap.Category, error)
	Ready(ctx context.Context) error
	IndexLen() int

	FindAreas(ctx context.Context, f concernmap.AreaFilter) ([]*concernmap.Area, error)
	FindArea(ctx context.Context, pcode string) (*concernmap.Area, error)
	ImportAreas(ctx context.Context, areas []*concernmap.Area) (concernmap.ImportResult, error)
	AreaStats(ctx context.Context, pcode string, f concernmap.StatsFilter) (concernmap.AreaStats, error)
	LevelStats(ctx context.Context, level concernmap.AreaLevel, f concernmap.StatsFilter) ([]concernmap.AreaStats, error)
	AreaHotspots(ctx context.Context, level concernmap.AreaLevel, f concernmap.StatsFilter) ([]concernmap.Hotspot, error)
	GridHotspots(ctx context.Context, bound orb.Bound, cell float64, f concernmap.StatsFilter) ([]concernmap.Hotspot, error)
	AreasBound() (orb.Bound, bool)
	NewViewer(u *concernmap.User, publicMap bool, k int) *concernmap.Viewer

	MoveConcern(ctx context.Context, id uuid.UUID, to concernmap.Status, note string, ifVersion int) (*concernmap.Concern, error)
	ConcernHistory(ctx context.Context, id uuid.UUID) ([]*concernmap.ConcernMove, error)
	FileRequest(ctx context.Context, r *concernmap.Request) (*concernmap.Request, error)
	RespondToRequest(ctx context.Context, id uuid.UUID, to concernmap.RequestStatus, message string, scheduledFor concernmap.Date, ifVersion int) (*concernmap.Request, error)
	FindRequest(ctx context.Context, id uuid.UUID) (*concernmap.Request, error)
	FindRequests(ctx context.Context, q concernmap.RequestQuery) (concernmap.RequestList, error)
	CreatePlan(ctx context.Context, p *concernmap.ActionPlan) (*concernmap.ActionPlan, error)
	UpdatePlan(ctx context.Context, id uuid.UUID, upd concernmap.PlanUpdate, ifVersion int) (*concernmap.ActionPlan, error)
	ReviewPlan(ctx context.Context, id uuid.UUID, note string, ifVersion int) (*concernmap.ActionPlan, error)
	FindPlan(ctx context.Context, id uuid.UUID) (*concernmap.ActionPlan, error)
	FindPlans(ctx context.Context, q concernmap.PlanQuery) ([]*concernmap.ActionPlan, error)
	Accountability(ctx context.Context, q concernmap.AccountabilityQuery) ([]concernmap.AccountabilityRow, error)
	Today() concernmap.Date

	OnChange(fn func(concernmap.Change))
	TileClass(ctx context.Context) (string, context.Context, error)
	TileConcerns(ctx context.Context, b orb.Bound, f concernmap.StatsFilter, fn func(*concernmap.ConcernAttrs)) error
	TileConcernPoints(ctx context.Context, b orb.Bound, f concernmap.StatsFilter, fn func(p orb.Point, category string)) error
	TileAreaStats(ctx context.Context, level concernmap.AreaLevel, f concernmap.StatsFilter, key string) (map[string]concernmap.AreaTileStats, error)
	TileGridHotspots(ctx context.Context, cell float64, f concernmap.StatsFilter, key string) ([]concernmap.Hotspot, error)
}

// Config holds the server's settings.
type Config struct {
	// PublicMap lets visitors who have not signed in see area aggregates.
	PublicMap bool
	// K is the count under which an aggregate holding concerns the viewer
	// may not see exactly is shown as "<K".
	K int
	// SecureCookies marks the session cookie Secure; set it behind HTTPS.
	SecureCookies bool
	// BasemapURL is a raster tile URL template for the web map's basemap;
	// empty shows none. BasemapAttribution credits it.
	BasemapURL         string
	BasemapAttribution string
	// ClusterBelowZoom is the zoom under which concern tiles carry counts
	// per grid cell rather than concerns.
	ClusterBelowZoom int
	// TileCacheBytes bounds the memory of cached tiles.
	TileCacheBytes int64
}

// DefaultConfig returns the defaults: no public map, k = 5, OpenStreetMap
// as the basemap, clusters below zoom 11 and 256 MiB of tiles.
func DefaultConfig() Config {
	return Config{K: 5, BasemapURL: "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
		BasemapAttribution: "© OpenStreetMap contributors", ClusterBelowZoom: 11, TileCacheBytes: 256 << 20}
}

// Server is the HTTP server.
type Server struct {
	echo  *echo.Echo
	cfg   Config
	svc   Service
	auth  *concernmap.Auth
	users concernmap.UserStore
	// registered holds every route as "METHOD path", so that a route the
	// access table lacks is refused rather than let through.
	registered map[string]bool
	log        *slog.Logger
	metrics    *metrics
	web        http.Handler
	server     *http.Server
	tiles      *tileServer
}

// New returns a server. web serves the front end at /.
func New(cfg Config, svc Service, auth *concernmap.Auth, users concernmap.UserStore, log *slog.Logger, reg *prometheus.Registry, web http.Handler) *Server {
	s := &Server{echo: echo.New(), cfg: cfg, svc: svc, auth: auth, users: users, log: log, web: web}
	s.metrics = newMetrics(reg, svc)
	s.tiles = newTileServer(s)
	svc.OnChange(s.tiles.invalidate)
	s.metrics.tileCache(reg, s.tiles.cache)
	e := s.echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		Generator: func() string { return uuid.NewString() },
	}))
	e.Use(s.logRequests, s.metrics.middleware, middleware.Recover(), s.authenticate, s.authorize)
	s.routes()
	s.registered = map[string]bool{}
	for _, r := range s.Routes() {
		s.registered[r] = true
	}
	return s
}

// routes lists every route on one screen.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler)

	v1 := e.Group("/api/v1")
	v1.POST("/session", s.signIn)
	v1.GET("/session", s.getSession)
	v1.DELETE("/session", s.signOut)
	v1.GET("/tokens", s.listTokens)
	v1.POST("/tokens", s.createToken)
	v1.DELETE("/tokens/:id", s.revokeToken)
	v1.GET("/users", s.listUsers)
	v1.POST("/users", s.createUser)
	v1.PATCH("/users/:id", s.updateUser)
	v1.GET("/audit", s.listAudit)

	v1.GET("/categories", s.listCategories)
	v1.GET("/concerns", s.listConcerns)
	v1.POST("/concerns", s.createConcern)
	v1.POST("/concerns/search", s.searchConcerns)
	v1.GET("/concerns/:id", s.getConcern)
	v1.PATCH("/concerns/:id", s.updateConcern)
	v1.DELETE("/concerns/:id", s.deleteConcern)
	v1.GET("/areas", s.listAreas)
	v1.POST("/areas/import", s.importAreas)
	v1.GET("/areas/:pcode", s.getArea)
	v1.GET("/areas/:pcode/stats", s.areaStats)
	v1.GET("/stats", s.levelStats)
	v1.GET("/hotspots", s.hotspots)

	v1.GET("/workflow", s.getWorkflow)
	v1.POST("/concerns/:id/status", s.moveConcern)
	v1.GET("/concerns/:id/history", s.concernHistory)
	v1.GET("/requests", s.listRequests)
	v1.POST("/requests", s.fileRequest)
	v1.GET("/requests/:id", s.getRequest)
	v1.POST("/requests/:id/responses", s.respondToRequest)
	v1.GET("/action-plans", s.listPlans)
	v1.POST("/action-plans", s.createPlan)
	v1.GET("/action-plans/:id", s.getPlan)
	v1.PATCH("/action-plans/:id", s.updatePlan)
	v1.POST("/action-plans/:id/reviews", s.reviewPlan)
	v1.GET("/accountability", s.accountability)

	v1.GET("/config", s.getConfig)
	e.GET("/tiles/:file", s.tiles.tileJSON)
	e.GET("/tiles/:layer/:z/:x/:y", s.tiles.serveTile)

	e.GET("/*", echo.WrapHandler(s.web))
	// Uptime checks and link checkers ask HEAD of the app's pages.
	e.HEAD("/*", echo.WrapHandler(s.web))
}

// Routes lists every route as "METHOD path", for the authorization test.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.echo.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// ServeHTTP lets tests drive the server without a socket.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Serve accepts connections on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	s.server = &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	if err := s.server.Serve(l); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// Shutdown stops accepting connections and waits for in-flight requests.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.server == nil {
		return nil
	}
	return s.server.Shutdown(ctx)
}

// logRequests writes one slog line per request, with its request id.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		res := c.Response()
		s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
			slog.String("request_id", res.Header().Get(echo.HeaderXRequestID)),
			slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Float64("ms", float64(time.Since(start).Microseconds())/1000))
		return nil
	}
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz tells a load balancer whether this instance can serve: the store
// answers and the index is loaded.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.svc.Ready(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready", slog.Any("err", err))
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "concerns": s.svc.IndexLen()})
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	return enc.Encode(v)
}
