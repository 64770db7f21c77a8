package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/project"

	"github.com/concernmap/concernmap"
)

// tileAt returns the tile of zoom z holding p.
func tileAt(p [2]float64, z maptile.Zoom) maptile.Tile {
	return maptile.At(orb.Point{p[0], p[1]}, z)
}

func tilePath(layer string, t maptile.Tile, query string) string {
	path := fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layer, t.Z, t.X, t.Y)
	if query != "" {
		path += "?" + query
	}
	return path
}

// getTile fetches a tile and decodes it; an empty tile (204) gives nil.
func (c *client) getTile(layer string, t maptile.Tile, query string) (mvt.Layers, response) {
	c.t.Helper()
	r := c.do("GET", tilePath(layer, t, query), "", "Accept-Encoding", "gzip")
	switch r.status {
	case http.StatusNoContent:
		return nil, r
	case http.StatusOK:
	default:
		return nil, r
	}
	raw := r.body
	if r.header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			c.t.Fatalf("gunzip tile: %v", err)
		}
		if raw, err = io.ReadAll(zr); err != nil {
			c.t.Fatalf("gunzip tile: %v", err)
		}
	}
	layers, err := mvt.Unmarshal(raw)
	if err != nil {
		c.t.Fatalf("decode tile %s: %v", tilePath(layer, t, query), err)
	}
	return layers, r
}

// tileIDs returns the concern IDs in a concerns tile.
func tileIDs(layers mvt.Layers) []string {
	var ids []string
	for _, l := range layers {
		for _, f := range l.Features {
			if id, ok := f.Properties["id"].(string); ok {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// TestTilesVisibility fetches the concern and area tiles over four concerns
// as every role: a concern reaches a role's tile as a point only if the
// role may see it as one, and an area count that holds concerns the role
// may not see exactly is "<5".
func TestTilesVisibility(t *testing.T) {
	areas := demoAreas(t)
	eachStore(t, func(t *testing.T, c *client) {
		importLevels(t, c, areas)
		inKayin, inMon := tractIn(areas, "MMR003"), tractIn(areas, "MMR011")
		cs := []struct {
			name, category string
			at             [2]float64
		}{
			{"A sensitive in scope", "domestic_violence", inKayin},
			{"B sensitive out of scope", "alcohol_harm", inMon},
			{"C open in scope", "unlit_road", [2]float64{inKayin[0] + 1e-4, inKayin[1]}},
			{"D open out of scope", "landmine_uxo", [2]float64{inMon[0] + 1e-4, inMon[1]}},
		}
		ids := map[string]string{}
		for _, cc := range cs {
			id := uuid.NewString()
			r := c.as(concernmap.RoleMember).do("POST", "/api/v1/concerns", feature(id, func(m map[string]any) {
				m["geometry"] = map[string]any{"type": "Point", "coordinates": cc.at[:]}
				props(m)["category"] = cc.category
			}))
			if r.status != 201 {
				t.Fatalf("%s: %d %s", cc.name, r.status, r.body)
			}
			ids[cc.name] = id
		}
		// The member reported B, out of their scope: on a tile, which is
		// built for everyone of the member's class, B is not theirs.
		see := map[concernmap.Role][]string{
			concernmap.RoleAdmin:       {"A sensitive in scope", "B sensitive out of scope", "C open in scope", "D open out of scope"},
			concernmap.RoleCoordinator: {"A sensitive in scope", "C open in scope", "D open out of scope"},
			concernmap.RoleMember:      {"A sensitive in scope", "C open in scope", "D open out of scope"},
			concernmap.RoleAuthority:   {"C open in scope"},
			concernmap.RoleAdvocate:    {"C open in scope", "D open out of scope"},
		}
		for _, role := range allRoles {
			cl := c.as(role)
			var got []string
			for _, z := range []maptile.Zoom{12, 16} {
				for _, p := range [][2]float64{inKayin, inMon} {
					layers, r := cl.getTile("concerns", tileAt(p, z), "")
					if role == anonymous {
						if r.status != http.StatusUnauthorized {
							t.Errorf("visitor gets a tile: %d", r.status)
						}
						continue
					}
					if r.status != 200 && r.status != 204 {
						t.Fatalf("%q tile: %d %s", role, r.status, r.body)
					}
					got = append(got, tileIDs(layers)...)
				}
			}
			var want []string
			for _, name := range see[role] {
				want = append(want, ids[name], ids[name])
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%q sees on tiles %v, want %v", role, names(got, ids), names(want, ids))
			}
		}
		// Below the cluster zoom the advocate gets counts of what it may see
		// as points, never the sensitive ones.
		layers, _ := c.as(concernmap.RoleAdvocate).getTile("concerns", tileAt(inKayin, 8), "")
		total := 0
		for _, l := range layers {
			for _, f := range l.Features {
				if f.Properties["cluster"] != true {
					t.Errorf("z8 feature is not a cluster: %v", f.Properties)
				}
				if _, ok := f.Properties["n_domestic_violence"]; ok {
					t.Errorf("advocate's cluster counts a sensitive concern: %v", f.Properties)
				}
				n, _ := f.Properties["count"].(float64)
				total += int(n)
			}
		}
		if total != 1 {
			t.Errorf("advocate's z8 clusters over Kayin count %d concerns, want 1 (C)", total)
		}
		// The advocate's area tile: A's tract holds a sensitive concern it
		// may see only as a number, so its count is suppressed.
		layers, r := c.as(concernmap.RoleAdvocate).getTile("areas", tileAt(inKayin, 12), "level=village_tract")
		if r.status != 200 {
			t.Fatalf("areas tile: %d %s", r.status, r.body)
		}
		tract := props(c.do("GET", "/api/v1/concerns/"+ids["A sensitive in scope"], "").json(t))["area"].(string)
		found := false
		for _, l := range layers {
			for _, f := range l.Features {
				if f.Properties["pcode"] != tract {
					continue
				}
				found = true
				if f.Properties["count_text"] != "<5" || f.Properties["count"] != nil || f.Properties["density"] != nil {
					t.Errorf("advocate's tract with a sensitive concern: %v, want count_text <5 and no count or density", f.Properties)
				}
				if f.Properties["name"] == "" || f.Properties["hotspot"] == "" {
					t.Errorf("area feature lacks name or hotspot: %v", f.Properties)
				}
			}
		}
		if !found {
			t.Errorf("tract %s not in the areas tile", tract)
		}
	})
}

func names(got []string, ids map[string]string) []string {
	var out []string
	for _, id := range got {
		for name, v := range ids {
			if v == id {
				out = append(out, name)
			}
		}
	}
	return out
}

// TestTilesHTTP checks the tile protocol: 204 for an empty tile, gzip, an
// ETag answered with 304, Cache-Control, filters, TileJSON, and bad input.
func TestTilesHTTP(t *testing.T) {
	eachStore(t, func(t *testing.T, c *client) {
		id := uuid.NewString()
		if r := c.do("POST", "/api/v1/concerns", feature(id, nil)); r.status != 201 {
			t.Fatalf("create: %d", r.status)
		}
		at := tileAt([2]float64{97.6, 16.9}, 14)
		layers, r := c.getTile("concerns", at, "")
		if r.status != 200 || r.header.Get("Content-Encoding") != "gzip" || r.header.Get("ETag") == "" ||
			!strings.Contains(r.header.Get("Cache-Control"), "private") || r.header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
			t.Fatalf("tile: %d %v", r.status, r.header)
		}
		if got := tileIDs(layers); !slices.Equal(got, []string{id}) {
			t.Errorf("tile ids: got %v, want [%s]", got, id)
		}
		f := layers[0].Features[0]
		for _, k := range []string{"category", "severity", "status", "when"} {
			if f.Properties[k] == nil {
				t.Errorf("tile feature lacks %s: %v", k, f.Properties)
			}
		}
		if r2 := c.do("GET", tilePath("concerns", at, ""), "", "If-None-Match", r.header.Get("ETag")); r2.status != 304 {
			t.Errorf("If-None-Match: got %d, want 304", r2.status)
		}
		if r3 := c.do("GET", tilePath("concerns", at, ""), "", "Accept-Encoding", "identity"); r3.status != 200 || r3.header.Get("Content-Encoding") != "" {
			t.Errorf("without gzip: %d %v", r3.status, r3.header)
		} else if _, err := mvt.Unmarshal(r3.body); err != nil {
			t.Errorf("plain tile does not decode: %v", err)
		}
		if _, r := c.getTile("concerns", at, "category=flooding"); r.status != 204 {
			t.Errorf("filtered out: got %d, want 204", r.status)
		}
		if _, r := c.getTile("concerns", maptile.New(0, 0, 14), ""); r.status != 204 {
			t.Errorf("empty tile: got %d, want 204", r.status)
		}
		bad := []struct{ path, field string }{
			{"/tiles/concerns/21/0/0.mvt", "z"},
			{"/tiles/concerns/2/4/0.mvt", "x"},
			{"/tiles/concerns/2/0/-1.mvt", "y"},
			{"/tiles/concerns/a/0/0.mvt", "z"},
			{"/tiles/concerns/2/0/0.mvt?from=yesterday", "from"},
			{"/tiles/concerns/2/0/0.mvt?bbox=1,2,3,4", "bbox"},
			{"/tiles/areas/2/0/0.mvt?level=planet", "level"},
		}
		for _, tt := range bad {
			r := c.do("GET", tt.path, "")
			if r.status != 400 || !strings.Contains(string(r.body), `"field":"`+tt.field+`"`) {
				t.Errorf("%s: got %d %s, want 400 naming %s", tt.path, r.status, r.body, tt.field)
			}
		}
		if r := c.do("GET", "/tiles/roads/2/0/0.mvt", ""); r.status != 404 {
			t.Errorf("unknown layer: got %d, want 404", r.status)
		}
		for _, layer := range []string{"concerns", "areas", "hotspots"} {
			tj := c.do("GET", "/tiles/"+layer+".json?category=landmine_uxo", "").json(t)
			tilesURL := tj["tiles"].([]any)[0].(string)
			if tj["tilejson"] != "3.0.0" || !strings.HasSuffix(tilesURL, "/tiles/"+layer+"/{z}/{x}/{y}.mvt?category=landmine_uxo") ||
				len(tj["vector_layers"].([]any)) != 1 || tj["vector_layers"].([]any)[0].(map[string]any)["id"] != layer {
				t.Errorf("TileJSON %s: %v", layer, tj)
			}
		}
	})
}

// TestTileCacheInvalidation checks that a write drops the cached tiles it
// touches, at every zoom, and keeps the others.
func TestTileCacheInvalidation(t *testing.T) {
	eachStore(t, func(t *testing.T, c *client) {
		here, far := [2]float64{97.6, 16.9}, [2]float64{98.5, 12.5}
		for _, p := range [][2]float64{here, far} {
			if r := c.do("POST", "/api/v1/concerns", feature(uuid.NewString(), func(m map[string]any) {
				m["geometry"] = map[string]any{"type": "Point", "coordinates": p[:]}
			})); r.status != 201 {
				t.Fatalf("create: %d", r.status)
			}
		}
		zooms := []maptile.Zoom{6, 9, 12, 15}
		for _, z := range zooms {
			for _, p := range [][2]float64{here, far} {
				c.getTile("concerns", tileAt(p, z), "")
			}
		}
		hits, misses := c.tileCacheCounts()
		for _, z := range zooms {
			c.getTile("concerns", tileAt(far, z), "")
		}
		if h, m := c.tileCacheCounts(); h-hits != len(zooms) || m != misses {
			t.Fatalf("warm fetches: %d hits, %d misses; want %d, 0", h-hits, m-misses, len(zooms))
		}
		id := uuid.NewString()
		if r := c.do("POST", "/api/v1/concerns", feature(id, func(m map[string]any) {
			m["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{here[0] + 1e-4, here[1]}}
		})); r.status != 201 {
			t.Fatalf("create: %d", r.status)
		}
		hits, misses = c.tileCacheCounts()
		for _, z := range zooms {
			c.getTile("concerns", tileAt(far, z), "")
		}
		if h, m := c.tileCacheCounts(); h-hits != len(zooms) || m != misses {
			t.Errorf("far tiles after a write here: %d hits, %d misses; want %d, 0", h-hits, m-misses, len(zooms))
		}
		hits, misses = c.tileCacheCounts()
		for _, z := range zooms {
			layers, _ := c.getTile("concerns", tileAt(here, z), "")
			if z >= 11 && !slices.Contains(tileIDs(layers), id) {
				t.Errorf("z%d tile here lacks the new concern", z)
			}
			if z < 11 {
				n := 0
				for _, l := range layers {
					for _, f := range l.Features {
						x, _ := f.Properties["count"].(float64)
						n += int(x)
					}
				}
				if n != 2 {
					t.Errorf("z%d clusters here count %d, want 2", z, n)
				}
			}
		}
		if h, m := c.tileCacheCounts(); h != hits || m-misses != len(zooms) {
			t.Errorf("tiles here after a write: %d hits, %d misses; want 0, %d", h-hits, m-misses, len(zooms))
		}
	})
}

var pointRE = regexp.MustCompile(`POINT \(([-0-9.]+) ([-0-9.]+)\)`)

var cacheMetricRE = regexp.MustCompile(`(?m)^concernmap_tile_cache_(hits|misses)_total ([0-9.e+]+)$`)

// tileCacheCounts reads the tile cache's hits and misses from /metrics.
func (c *client) tileCacheCounts() (hits, misses int) {
	c.t.Helper()
	body := string(c.do("GET", "/metrics", "").body)
	for _, m := range cacheMetricRE.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.ParseFloat(m[2], 64)
		if m[1] == "hits" {
			hits = int(n)
		} else {
			misses = int(n)
		}
	}
	return hits, misses
}

// TestTilesReadByGDAL fetches tiles of every layer from the running server
// and reads them with GDAL's MVT driver.
func TestTilesReadByGDAL(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Fatal("ogrinfo not found: install gdal-bin (make test does, as root)")
	}
	areas := demoAreas(t)
	eachStore(t, func(t *testing.T, c *client) {
		importLevels(t, c, areas)
		at := tractIn(areas, "MMR003")
		ids := map[string]bool{}
		for i := range 3 {
			id := uuid.NewString()
			ids[id] = true
			if r := c.do("POST", "/api/v1/concerns", feature(id, func(m map[string]any) {
				m["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{at[0] + float64(i)*1e-4, at[1]}}
			})); r.status != 201 {
				t.Fatalf("create: %d", r.status)
			}
		}
		dir := t.TempDir()
		for _, tt := range []struct {
			layer string
			z     maptile.Zoom
			want  string // a field GDAL must report
		}{
			{"concerns", 14, "category"},
			{"concerns", 8, "count"},
			{"areas", 12, "pcode"},
			{"hotspots", 9, "class"},
		} {
			tile := tileAt(at, tt.z)
			r := c.do("GET", tilePath(tt.layer, tile, ""), "")
			if r.status != 200 {
				t.Fatalf("%s z%d: %d", tt.layer, tt.z, r.status)
			}
			// GDAL finds a tile's place from a z/x/y.pbf path.
			path := filepath.Join(dir, tt.layer, fmt.Sprint(tile.Z), fmt.Sprint(tile.X), fmt.Sprintf("%d.pbf", tile.Y))
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, r.body, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("ogrinfo", "-ro", "-al", path).CombinedOutput()
			if err != nil {
				t.Fatalf("ogrinfo %s: %v\n%s", path, err, out)
			}
			text := string(out)
			if !strings.Contains(text, "Layer name: "+tt.layer) || !strings.Contains(text, tt.want+" (") {
				t.Errorf("ogrinfo of %s z%d lacks layer %s or field %s:\n%s", tt.layer, tt.z, tt.layer, tt.want, text)
			}
			if tt.layer == "concerns" && tt.z == 14 {
				n := 0
				for id := range ids {
					if strings.Contains(text, id) {
						n++
					}
				}
				// GDAL gives Web Mercator metres; a z14 tile's grid is 0.6 m.
				want := project.WGS84.ToMercator(orb.Point{at[0], at[1]})
				near := false
				for _, m := range pointRE.FindAllStringSubmatch(text, -1) {
					x, _ := strconv.ParseFloat(m[1], 64)
					y, _ := strconv.ParseFloat(m[2], 64)
					near = near || math.Abs(x-want[0]) < 2 && math.Abs(y-want[1]) < 2
				}
				if n != 3 || !near {
					t.Errorf("ogrinfo read %d of 3 concerns, or none within 2 m of %v:\n%s", n, want, text)
				}
			}
		}
	})
}

// TestTilesDense checks the bound on a tile: where more concerns lie in a
// detail tile than it may carry one by one, it carries fine clusters that
// count them all, and stays under 500 KB.
func TestTilesDense(t *testing.T) {
	eachStore(t, func(t *testing.T, c *client) {
		tile := maptile.New(12660, 7480, 14)
		b := tile.Bound()
		const n = 6000
		cs := make([]*concernmap.Concern, n)
		at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		for i := range cs {
			dx, dy := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
			p := orb.Point{b.Min[0] + dx*(float64(i%100)+0.5)/100, b.Min[1] + dy*(float64(i/100)+0.5)/60}
			cs[i] = &concernmap.Concern{ID: uuid.New(), Category: "landmine_uxo", Geometry: p, Title: "dense", Severity: 3,
				Status: concernmap.StatusReported, WhenDangerous: concernmap.When{Kind: concernmap.WhenAlways},
				ObservedAt: at, ReportedAt: at, UpdatedAt: at, Version: 1}
		}
		if _, err := c.store.CreateConcerns(context.Background(), cs); err != nil {
			t.Fatal(err)
		}
		if err := c.svc.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
		layers, r := c.getTile("concerns", tile, "")
		if r.status != 200 {
			t.Fatalf("tile: %d", r.status)
		}
		raw := r.body // gzipped; the bound is on the tile as sent, and as decoded below
		plain, _ := mvt.Marshal(layers)
		total := 0
		for _, l := range layers {
			for _, f := range l.Features {
				if f.Properties["cluster"] != true {
					t.Fatalf("a dense tile carries a concern one by one: %v", f.Properties)
				}
				x, _ := f.Properties["count"].(float64)
				total += int(x)
			}
		}
		if total != n || len(raw) > 500_000 || len(plain) > 500_000 {
			t.Errorf("dense tile: clusters count %d of %d concerns, %d bytes gzipped, %d plain (bound 500 KB)", total, n, len(raw), len(plain))
		}
	})
}
