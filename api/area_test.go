package api_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/paulmach/orb/geojson"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/demo"
	"github.com/concernmap/concernmap/geo"
)

// mimuFile writes areas of one level as a MIMU-style GeoJSON file: codes in
// ST_PCODE/TS_PCODE/VT_PCODE, English names in ST/TS/VT, Burmese in *_MMR.
func mimuFile(t *testing.T, areas []*concernmap.Area, level concernmap.AreaLevel) []byte {
	t.Helper()
	prefix := map[concernmap.AreaLevel]string{concernmap.LevelState: "ST", concernmap.LevelTownship: "TS", concernmap.LevelVillageTract: "VT"}[level]
	parent := map[concernmap.AreaLevel]string{concernmap.LevelTownship: "ST", concernmap.LevelVillageTract: "TS"}[level]
	fc := geojson.NewFeatureCollection()
	for _, a := range areas {
		if a.Level != level {
			continue
		}
		f := geojson.NewFeature(a.Geometry)
		f.Properties[prefix+"_PCODE"] = a.PCode
		f.Properties[prefix] = a.NameEN
		f.Properties[prefix+"_MMR"] = "ကျေးရွာအုပ်စု " + a.PCode[len(a.PCode)-2:]
		if parent != "" {
			f.Properties[parent+"_PCODE"] = a.Parent
		}
		fc.Append(f)
	}
	b, err := json.Marshal(fc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (c *client) upload(name string, data []byte, fields map[string]string) response {
	c.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest("POST", c.url+"/api/v1/areas/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, b}
}

func demoAreas(t *testing.T) []*concernmap.Area {
	t.Helper()
	villages, err := demo.Villages(30, 3)
	if err != nil {
		t.Fatal(err)
	}
	areas, err := demo.Areas(villages)
	if err != nil {
		t.Fatal(err)
	}
	return areas
}

func importLevels(t *testing.T, c *client, areas []*concernmap.Area) {
	t.Helper()
	for _, level := range []concernmap.AreaLevel{concernmap.LevelState, concernmap.LevelTownship, concernmap.LevelVillageTract} {
		r := c.upload(string(level)+".geojson", mimuFile(t, areas, level), map[string]string{"level": string(level)})
		if r.status != 200 {
			t.Fatalf("import %s: got %d: %s", level, r.status, r.body)
		}
	}
}

func TestAreasImportAndQuery(t *testing.T) {
	areas := demoAreas(t)
	var tract *concernmap.Area
	for _, a := range areas {
		if a.Level == concernmap.LevelVillageTract && tract == nil {
			tract = a
		}
	}
	eachStore(t, func(t *testing.T, c *client) {
		// A concern made before the import gets its area when areas arrive.
		inside := geo.RepresentativePoint(tract.Geometry)
		early := uuid.NewString()
		if r := c.do("POST", "/api/v1/concerns", feature(early, func(m map[string]any) {
			m["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{inside[0], inside[1]}}
		})); r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		if got := props(c.do("GET", "/api/v1/concerns/"+early, "").json(t))["area"]; got != nil {
			t.Fatalf("area before import: got %v, want null", got)
		}

		tests := []struct {
			name   string
			c      *client
			status int
		}{
			{"anonymous", c.as(""), http.StatusUnauthorized},
			{"advocate", c.as(concernmap.RoleAdvocate), http.StatusForbidden},
		}
		for _, tt := range tests {
			r := tt.c.upload("s.geojson", mimuFile(t, areas, concernmap.LevelState), map[string]string{"level": "state"})
			if r.status != tt.status {
				t.Errorf("%s: got %d, want %d", tt.name, r.status, tt.status)
			}
		}
		importLevels(t, c, areas)

		got := props(c.do("GET", "/api/v1/concerns/"+early, "").json(t))
		if got["area"] != tract.PCode {
			t.Fatalf("area after import: got %v, want %s", got["area"], tract.PCode)
		}
		// A new concern gets its tract on write.
		late := uuid.NewString()
		c.do("POST", "/api/v1/concerns", feature(late, func(m map[string]any) {
			m["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{inside[0], inside[1]}}
			props(m)["category"] = "unlit_road"
		}))
		if got := props(c.do("GET", "/api/v1/concerns/"+late, "").json(t))["area"]; got != tract.PCode {
			t.Errorf("new concern area: got %v, want %s", got, tract.PCode)
		}
		for _, pcode := range []string{tract.PCode, tract.Parent, tract.PCode[:6]} {
			if n := c.count("area=" + pcode); n != 2 {
				t.Errorf("area=%s: got %d, want 2", pcode, n)
			}
		}
		if r := c.do("GET", "/api/v1/concerns?area=NOPE", ""); r.status != 400 {
			t.Errorf("unknown area: got %d, want 400", r.status)
		}

		r := c.do("GET", "/api/v1/areas?level=village_tract", "")
		fc := r.json(t)
		if n := len(fc["features"].([]any)); n == 0 {
			t.Fatalf("no village tracts listed")
		}
		r = c.do("GET", "/api/v1/areas/"+tract.PCode, "")
		a := r.json(t)
		p := a["properties"].(map[string]any)
		if p["parent"] != tract.Parent || !strings.HasPrefix(p["name_my"].(string), "ကျေးရွာအုပ်စု") || a["geometry"] == nil {
			t.Errorf("area: got %v", p)
		}
		if len(p["neighbors"].([]any)) == 0 {
			t.Errorf("area %s has no neighbours", tract.PCode)
		}

		st := c.do("GET", "/api/v1/areas/"+tract.Parent+"/stats", "").json(t)
		if st["total"] != 2.0 || st["by_category"].(map[string]any)["unlit_road"] != 1.0 {
			t.Errorf("stats: got total %v, by_category %v", st["total"], st["by_category"])
		}
		r = c.do("GET", "/api/v1/stats?level=township&format=csv", "")
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(string(r.body), tract.Parent+",township,") {
			t.Errorf("csv: %d %q\n%s", r.status, r.header.Get("Content-Type"), r.body)
		}
		for _, q := range []string{"level=village_tract", "cell=0.1", "cell=0.1&bbox=97,15,99,18&category=landmine_uxo"} {
			if r := c.do("GET", "/api/v1/hotspots?"+q, ""); r.status != 200 {
				t.Errorf("hotspots %s: got %d: %s", q, r.status, r.body)
			}
		}
		if r := c.do("GET", "/api/v1/hotspots?cell=0.00001", ""); r.status != 400 {
			t.Errorf("too many cells: got %d, want 400", r.status)
		}

		// Re-import updates in place: same pcodes, new names, version 2.
		for _, a := range areas {
			if a.Level == concernmap.LevelVillageTract {
				a.NameEN = "Renamed " + a.NameEN
			}
		}
		importLevels(t, c, areas)
		p = c.do("GET", "/api/v1/areas/"+tract.PCode, "").json(t)["properties"].(map[string]any)
		if p["version"] != 2.0 || !strings.HasPrefix(p["name_en"].(string), "Renamed ") {
			t.Errorf("re-import: got version %v, name %v", p["version"], p["name_en"])
		}
	})
}

func TestAreasImportRejects(t *testing.T) {
	bad := `{"type":"FeatureCollection","features":[
	 {"type":"Feature","properties":{"VT_PCODE":"MMR999001701","VT":"Fine"},"geometry":{"type":"Polygon","coordinates":[[[97,16],[97.1,16],[97.1,16.1],[97,16.1],[97,16]]]}},
	 {"type":"Feature","properties":{"VT_PCODE":"MMR999001702","VT":"Bowtie"},"geometry":{"type":"Polygon","coordinates":[[[97,16],[97.1,16.1],[97.1,16],[97,16.1],[97,16]]]}},
	 {"type":"Feature","properties":{"VT":"No code"},"geometry":{"type":"Polygon","coordinates":[[[98,16],[98.1,16],[98.1,16.1],[98,16]]]}}]}`
	eachStore(t, func(t *testing.T, c *client) {
		r := c.upload("bad.geojson", []byte(bad), map[string]string{"level": "village_tract"})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("got %d, want 422: %s", r.status, r.body)
		}
		var body struct {
			Report struct {
				Problems []struct {
					Feature int
					Fixed   bool
					Reason  string
				}
			}
		}
		json.Unmarshal(r.body, &body)
		rejected := map[int]bool{}
		for _, p := range body.Report.Problems {
			if !p.Fixed {
				rejected[p.Feature] = true
			}
		}
		if !rejected[1] || !rejected[2] || rejected[0] {
			t.Errorf("rejected features: got %v, want 1 and 2: %s", rejected, r.body)
		}
		if n := len(c.do("GET", "/api/v1/areas", "").json(t)["features"].([]any)); n != 0 {
			t.Errorf("after a rejected import: %d areas stored, want 0", n)
		}
	})
}

// TestAreasImportShapefile imports a zipped shapefile that GDAL wrote from
// the MIMU-style GeoJSON, Burmese names and all.
func TestAreasImportShapefile(t *testing.T) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Fatal("ogr2ogr is missing: run: sudo apt-get install -y gdal-bin")
	}
	areas := demoAreas(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "tracts.geojson")
	os.WriteFile(src, mimuFile(t, areas, concernmap.LevelVillageTract), 0o600)
	if out, err := exec.Command("ogr2ogr", "-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", filepath.Join(dir, "tracts.shp"), src).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, out)
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for _, ext := range []string{"shp", "shx", "dbf", "prj", "cpg"} {
		b, err := os.ReadFile(filepath.Join(dir, "tracts."+ext))
		if err != nil {
			continue
		}
		w, _ := zw.Create("mimu/tracts." + ext)
		w.Write(b)
	}
	zw.Close()
	eachStore(t, func(t *testing.T, c *client) {
		r := c.upload("tracts.zip", zbuf.Bytes(), map[string]string{"level": "village_tract"})
		if r.status != 200 {
			t.Fatalf("import: got %d: %s", r.status, r.body)
		}
		fc := c.do("GET", "/api/v1/areas?level=village_tract", "").json(t)
		want := 0
		for _, a := range areas {
			if a.Level == concernmap.LevelVillageTract {
				want++
			}
		}
		features := fc["features"].([]any)
		if len(features) != want {
			t.Fatalf("got %d tracts, want %d", len(features), want)
		}
		p := features[0].(map[string]any)["properties"].(map[string]any)
		if !strings.HasPrefix(p["name_my"].(string), "ကျေးရွာအုပ်စု") {
			t.Errorf("Burmese name: got %q", p["name_my"])
		}
	})
}
