package api

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/concernmap/concernmap/tiles"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	handle   echo.HandlerFunc
}

func newMetrics(reg *prometheus.Registry, concerns Service) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "concernmap_http_requests_total",
			Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "concernmap_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "concernmap_index_concerns",
		Help: "Concerns held in the in-memory index.",
	}, func() float64 { return float64(concerns.IndexLen()) }))
	m.handle = echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return m
}

func (m *metrics) handler(c echo.Context) error { return m.handle(c) }

// middleware counts by route pattern, not raw path, so label values stay
// few.
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		method := c.Request().Method
		m.requests.WithLabelValues(route, method, strconv.Itoa(c.Response().Status)).Inc()
		m.duration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
		return nil
	}
}

// tileCache exports the tile cache's counters.
func (m *metrics) tileCache(reg *prometheus.Registry, c *tiles.Cache) {
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "concernmap_tile_cache_hits_total", Help: "Tiles served from the cache."},
			func() float64 { return float64(c.Hits()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "concernmap_tile_cache_misses_total", Help: "Tiles built because the cache lacked them."},
			func() float64 { return float64(c.Misses()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "concernmap_tile_cache_evictions_total", Help: "Tiles evicted to make room."},
			func() float64 { return float64(c.Evictions()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "concernmap_tile_cache_bytes", Help: "Bytes held by the tile cache."},
			func() float64 { return float64(c.Bytes()) }),
	)
}
