package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/hotspot"
	"github.com/concernmap/concernmap/tiles"
)

// The tile layers.
const (
	layerConcerns = "concerns"
	layerAreas    = "areas"
	layerHotspots = "hotspots"
)

// layerMaxZoom is the deepest zoom each layer is built for; clients
// overzoom beyond it.
var layerMaxZoom = map[string]int{layerConcerns: tiles.MaxZoom, layerAreas: 16, layerHotspots: 12}

// clusterPixels is the side of a cluster cell in the 256-pixel tile space.
const clusterPixels = 16

// tileParams are the filters a tile takes: those of the list, and for the
// area layer its level.
var tileParams = []string{"category", "status", "from", "to", "affected", "level"}

// tileServer builds, caches and serves vector tiles.
type tileServer struct {
	s     *Server
	cache *tiles.Cache
}

func newTileServer(s *Server) *tileServer {
	return &tileServer{s: s, cache: tiles.NewCache(s.cfg.TileCacheBytes)}
}

// invalidate drops the cached tiles a change touched: concern tiles where
// the concern was and is, hotspot cells around it, and area tiles over
// every area whose counts it changed, up to the state.
func (ts *tileServer) invalidate(ch concernmap.Change) {
	if ch.All {
		for _, l := range []string{layerConcerns, layerAreas, layerHotspots} {
			ts.cache.InvalidateLayer(l)
		}
		return
	}
	ts.cache.Invalidate(layerConcerns, ch.Bounds)
	// A hotspot cell's class depends on its neighbours, up to 1.5 cells
	// away; the widest cell is maxCell degrees.
	around := make([]orb.Bound, len(ch.Bounds))
	for i, b := range ch.Bounds {
		around[i] = b.Pad(2 * maxCell)
	}
	ts.cache.Invalidate(layerHotspots, around)
	var areas []orb.Bound
	for _, p := range ch.Areas {
		for p != "" {
			a, err := ts.s.svc.FindArea(context.Background(), p)
			if err != nil {
				break
			}
			areas = append(areas, a.Geometry.Bound())
			p = a.Parent
		}
	}
	ts.cache.Invalidate(layerAreas, areas)
}

// tileFilter reads a tile's filters and returns them with a canonical key,
// so that the same filters in another order share a cache entry.
func tileFilter(c echo.Context) (concernmap.StatsFilter, concernmap.AreaLevel, string, error) {
	q, err := strictQuery(c, tileParams)
	if err != nil {
		return concernmap.StatsFilter{}, "", "", err
	}
	level := concernmap.AreaLevel(q.Get("level"))
	if level != "" && level.Depth() < 0 {
		return concernmap.StatsFilter{}, "", "", concernmap.Invalid("level", "must be one of state, district, township, village_tract, village")
	}
	f, _, err := parseStatsFilter(c, tileParams)
	if err != nil {
		return concernmap.StatsFilter{}, "", "", err
	}
	for _, vs := range q {
		slices.Sort(vs)
	}
	return f, level, q.Encode(), nil
}

// areaLevelFor picks the area level a zoom shows by default.
func areaLevelFor(z uint32) concernmap.AreaLevel {
	switch {
	case z < 6:
		return concernmap.LevelState
	case z < 9:
		return concernmap.LevelTownship
	}
	return concernmap.LevelVillageTract
}

// hotspotCell is the grid cell, in degrees, of the hotspot layer at zoom z:
// about 16 cells across a tile, never finer than zoom 12's.
func hotspotCell(z uint32) float64 {
	z = min(max(z, 4), 12)
	return 360.0 / float64(uint32(1)<<z) / 16
}

// maxCell is the widest hotspot cell.
var maxCell = hotspotCell(0)

func (ts *tileServer) serveTile(c echo.Context) error {
	layer := c.Param("layer")
	if _, ok := layerMaxZoom[layer]; !ok {
		return concernmap.Errorf(concernmap.ENOTFOUND, "no tile layer %q; there are concerns, areas and hotspots", layer)
	}
	y, ok := strings.CutSuffix(c.Param("y"), ".mvt")
	if !ok {
		return concernmap.Errorf(concernmap.ENOTFOUND, "tiles end in .mvt")
	}
	t, err := tiles.Parse(c.Param("z"), c.Param("x"), y)
	if err != nil {
		return tileError(err)
	}
	f, level, fkey, err := tileFilter(c)
	if err != nil {
		return err
	}
	class, ctx, err := ts.s.svc.TileClass(c.Request().Context())
	if err != nil {
		return err
	}
	key := tiles.Key{Layer: layer, Tile: t, Filter: fkey, Class: class}
	// The build is shared by every request waiting for this tile, so one
	// client hanging up must not fail it for the others.
	bctx := context.WithoutCancel(ctx)
	e, err := ts.cache.Load(key, func() (*tiles.Entry, error) {
		return ts.build(bctx, layer, t, f, level, class+"|"+fkey)
	})
	if err != nil {
		return err
	}
	return writeTile(c, e, class)
}

// tileError names the field of a malformed z/x/y.
func tileError(err error) error {
	var te *tiles.Error
	if errors.As(err, &te) {
		return concernmap.Invalid(te.Field, "%s", te.Message)
	}
	return concernmap.Invalid("tile", "%v", err)
}

// build makes one tile: its features, encoded, gzipped, with an ETag. An
// empty tile is an entry with no body.
func (ts *tileServer) build(ctx context.Context, layer string, t maptile.Tile, f concernmap.StatsFilter, level concernmap.AreaLevel, key string) (*tiles.Entry, error) {
	var features []*geojson.Feature
	var err error
	switch layer {
	case layerConcerns:
		features, err = ts.concernFeatures(ctx, t, f)
	case layerAreas:
		if level == "" {
			level = areaLevelFor(uint32(t.Z))
		}
		features, err = ts.areaFeatures(ctx, t, f, level, key)
	case layerHotspots:
		features, err = ts.hotspotFeatures(ctx, t, f, key)
	}
	if err != nil {
		return nil, err
	}
	raw, err := tiles.Encode(t, []tiles.Layer{{Name: layer, Features: features}})
	if errors.Is(err, tiles.ErrTruncated) {
		// A tile over the bound still serves what fits; the clusters and
		// cell sizes keep real tiles far under it.
		ts.s.log.WarnContext(ctx, "tile truncated", "layer", layer, "z", t.Z, "x", t.X, "y", t.Y)
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("encode tile %s %d/%d/%d: %w", layer, t.Z, t.X, t.Y, err)
	}
	if raw == nil {
		return &tiles.Entry{}, nil
	}
	return &tiles.Entry{Body: tiles.Gzip(raw), ETag: tiles.ETag(raw)}, nil
}

func (ts *tileServer) concernFeatures(ctx context.Context, t maptile.Tile, f concernmap.StatsFilter) ([]*geojson.Feature, error) {
	if int(t.Z) < ts.s.cfg.ClusterBelowZoom {
		return ts.clusters(ctx, t, f, clusterPixels)
	}
	// Counting is cheap and building features is not: a tile too dense to
	// carry its concerns one by one goes straight to fine clusters.
	n := 0
	err := ts.s.svc.TileConcernPoints(ctx, tiles.Bound(t), f, func(orb.Point, string) { n++ })
	if err != nil {
		return nil, err
	}
	if n > maxDetailFeatures {
		return ts.clusters(ctx, t, f, denseClusterPixels)
	}
	var out []*geojson.Feature
	err = ts.s.svc.TileConcerns(ctx, tiles.BufferedBound(t, tiles.Buffer), f, func(a *concernmap.ConcernAttrs) {
		if len(out) > maxDetailFeatures {
			return
		}
		ft := geojson.NewFeature(a.Geometry)
		ft.Properties = geojson.Properties{"id": a.ID.String(), "category": a.Category, "severity": a.Severity,
			"status": string(a.Status), "when": string(a.When)}
		out = append(out, ft)
	})
	if err != nil || len(out) <= maxDetailFeatures {
		return out, err
	}
	// The buffer and long lines took it over the bound after all.
	return ts.clusters(ctx, t, f, denseClusterPixels)
}

// maxDetailFeatures bounds the concerns a tile carries one by one; a denser
// tile carries fine clusters instead, which keeps it near or under 500 KB.
// Above it the points would overlap on screen anyway.
const maxDetailFeatures = 5000

// denseClusterPixels is the cell of a dense tile's clusters: 64 × 64 cells.
const denseClusterPixels = 4

// clusters counts, per grid cell of cell pixels, the concerns whose point
// lies in the tile: each counts in one tile only, so no cell is counted
// twice across tiles.
func (ts *tileServer) clusters(ctx context.Context, t maptile.Tile, f concernmap.StatsFilter, cell int) ([]*geojson.Feature, error) {
	bp := points.Get().(*[]tiles.Point)
	defer points.Put(bp)
	pts := (*bp)[:0]
	err := ts.s.svc.TileConcernPoints(ctx, tiles.Bound(t), f, func(p orb.Point, category string) {
		pts = append(pts, tiles.Point{P: p, Category: category})
	})
	*bp = pts
	if err != nil {
		return nil, err
	}
	return tiles.Cluster(t, pts, cell), nil
}

// points recycles the point slices of cluster tiles, which at low zoom hold
// hundreds of thousands.
var points = sync.Pool{New: func() any { return new([]tiles.Point) }}

func (ts *tileServer) areaFeatures(ctx context.Context, t maptile.Tile, f concernmap.StatsFilter, level concernmap.AreaLevel, key string) ([]*geojson.Feature, error) {
	stats, err := ts.s.svc.TileAreaStats(ctx, level, f, key)
	if err != nil {
		return nil, err
	}
	b := tiles.BufferedBound(t, tiles.Buffer)
	areas, err := ts.s.svc.FindAreas(ctx, concernmap.AreaFilter{Level: level, BBox: &b})
	if err != nil {
		return nil, err
	}
	out := make([]*geojson.Feature, 0, len(areas))
	for _, a := range areas {
		st, ok := stats[a.PCode]
		if !ok {
			st = concernmap.AreaTileStats{Count: concernmap.Count{}, Hotspot: hotspot.NotSignificant}
		}
		ft := geojson.NewFeature(a.Geometry)
		ft.Properties = geojson.Properties{"pcode": a.PCode, "level": string(a.Level), "name": a.NameEN,
			"name_my": a.NameMY, "count_text": strings.Trim(st.Count.String(), `"`), "hotspot": string(st.Hotspot)}
		if !st.Count.Suppressed {
			ft.Properties["count"] = st.Count.N
		}
		if st.Density != nil {
			ft.Properties["density"] = *st.Density
		}
		out = append(out, ft)
	}
	return out, nil
}

func (ts *tileServer) hotspotFeatures(ctx context.Context, t maptile.Tile, f concernmap.StatsFilter, key string) ([]*geojson.Feature, error) {
	cell := hotspotCell(uint32(t.Z))
	spots, err := ts.s.svc.TileGridHotspots(ctx, cell, f, fmt.Sprintf("%s|%g", key, cell))
	if err != nil {
		return nil, err
	}
	b := tiles.BufferedBound(t, tiles.Buffer)
	var out []*geojson.Feature
	for _, h := range spots {
		if h.Bound == nil || !h.Bound.Intersects(b) || h.Count.N == 0 && h.Class == hotspot.NotSignificant {
			continue
		}
		ft := geojson.NewFeature(h.Bound.ToPolygon())
		ft.Properties = geojson.Properties{"class": string(h.Class), "z": h.Z, "count_text": strings.Trim(h.Count.String(), `"`)}
		out = append(out, ft)
	}
	return out, nil
}

// writeTile answers with a cached tile: 204 for an empty one, 304 when the
// client has it, gzip when the client takes it. Tiles differ by class, so
// no shared cache may keep one, unless it is the public map's.
func writeTile(c echo.Context, e *tiles.Entry, class string) error {
	h := c.Response().Header()
	if class == "public" {
		h.Set("Cache-Control", "public, max-age=60")
	} else {
		h.Set("Cache-Control", "private, max-age=60")
	}
	h.Set("Vary", "Accept-Encoding, Authorization, Cookie")
	if e.Body == nil {
		return c.NoContent(http.StatusNoContent)
	}
	h.Set("ETag", e.ETag)
	if match := c.Request().Header.Get("If-None-Match"); match != "" && strings.Contains(match, e.ETag) {
		return c.NoContent(http.StatusNotModified)
	}
	const mvt = "application/vnd.mapbox-vector-tile"
	if strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		return c.Blob(http.StatusOK, mvt, e.Body)
	}
	raw, err := tiles.Gunzip(e.Body)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, mvt, raw)
}

// tileFields are the attributes of each layer, for TileJSON.
var tileFields = map[string]map[string]string{
	layerConcerns: {"id": "String: the concern's UUID (at and above the cluster zoom)", "category": "String",
		"severity": "Number: 1-5", "status": "String", "when": "String: always, day, night, season or window",
		"cluster": "Boolean: a grid cell of counts (below the cluster zoom)", "count": "Number: concerns in the cell",
		"n_<category>": "Number: concerns of that category in the cell"},
	layerAreas: {"pcode": "String", "level": "String", "name": "String: English name", "name_my": "String: Burmese name",
		"count": "Number: concerns; absent when suppressed", "count_text": "String: the count, or \"<k\" when suppressed",
		"density": "Number: concerns per km²; absent when suppressed", "hotspot": "String: Gi* class"},
	layerHotspots: {"class": "String: Gi* class (hot_99 … cold_99)", "z": "Number: Gi* z-score",
		"count_text": "String: concerns in the cell, or \"<k\""},
}

// tileJSON serves TileJSON 3.0.0 for a layer, with the request's filters
// carried into the tile URL.
func (ts *tileServer) tileJSON(c echo.Context) error {
	layer, ok := strings.CutSuffix(c.Param("file"), ".json")
	if _, known := layerMaxZoom[layer]; !ok || !known {
		return concernmap.Errorf(concernmap.ENOTFOUND, "no TileJSON %q; there are concerns.json, areas.json and hotspots.json", c.Param("file"))
	}
	if _, _, _, err := tileFilter(c); err != nil {
		return err
	}
	if _, _, err := ts.s.svc.TileClass(c.Request().Context()); err != nil {
		return err
	}
	scheme := "http"
	if c.Request().TLS != nil || c.Request().Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: c.Request().Host, Path: "/tiles/" + layer + "/{z}/{x}/{y}.mvt", RawQuery: c.Request().URL.RawQuery}
	tileURL, _ := url.PathUnescape(u.String())
	bounds := []float64{-180, -85.0511, 180, 85.0511}
	if b, ok := ts.s.svc.AreasBound(); ok {
		bounds = []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	maxZoom := layerMaxZoom[layer]
	c.Response().Header().Set("Cache-Control", "private, no-cache")
	return c.JSON(http.StatusOK, map[string]any{
		"tilejson": "3.0.0", "name": "concernmap " + layer, "scheme": "xyz",
		"tiles": []string{tileURL}, "minzoom": 0, "maxzoom": maxZoom, "bounds": bounds,
		"vector_layers": []map[string]any{{"id": layer, "fields": tileFields[layer], "minzoom": 0, "maxzoom": maxZoom}},
		"attribution":   "concernmap",
	})
}

// getConfig tells the web app how this deployment is set up.
func (s *Server) getConfig(c echo.Context) error {
	var bounds []float64
	if b, ok := s.svc.AreasBound(); ok {
		bounds = []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	return c.JSON(http.StatusOK, map[string]any{"basemap_url": s.cfg.BasemapURL, "basemap_attribution": s.cfg.BasemapAttribution,
		"public_map": s.cfg.PublicMap, "k": s.cfg.K, "cluster_below_zoom": s.cfg.ClusterBelowZoom, "bounds": bounds})
}
