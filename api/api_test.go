package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/api"
	"github.com/concernmap/concernmap/bolt"
	"github.com/concernmap/concernmap/index"
	"github.com/concernmap/concernmap/postgis"
	"github.com/concernmap/concernmap/postgis/postgistest"
	"github.com/concernmap/concernmap/web"
)

func TestMain(m *testing.M) { postgistest.Main(m) }

// stores opens each store kind afresh for one test.
var stores = []struct {
	name string
	open func(t *testing.T) concernmap.Store
}{
	{"bolt", func(t *testing.T) concernmap.Store {
		t.Helper()
		db, err := bolt.Open(filepath.Join(t.TempDir(), "concernmap.db"))
		if err != nil {
			t.Fatalf("open bolt: %v", err)
		}
		return db
	}},
	{"postgis", func(t *testing.T) concernmap.Store {
		t.Helper()
		db, err := postgis.Open(context.Background(), postgistest.MustOpenDB(t))
		if err != nil {
			t.Fatalf("open postgis: %v", err)
		}
		return db
	}},
}

// client talks to a real server over HTTP, as one user: its bearer API
// token goes with every request. tokens holds one per role.
type client struct {
	t      *testing.T
	url    string
	token  string
	tokens map[concernmap.Role]string
	users  map[concernmap.Role]*concernmap.User
	svc    *concernmap.Service // to set its clock
	store  concernmap.Store    // to write many concerns at once
}

// as returns a client that acts as a user of role, or anonymously for "".
func (c *client) as(role concernmap.Role) *client {
	cp := *c
	cp.token = c.tokens[role]
	return &cp
}

// serve starts the whole HTTP stack on a store and returns a client.
func serve(t *testing.T, store concernmap.Store) *client {
	t.Helper()
	svc := concernmap.NewService(store, func() concernmap.ConcernIndex { return index.New() }, index.NewAreas())
	if err := svc.Load(context.Background()); err != nil {
		t.Fatalf("load: %v", err)
	}
	auth := concernmap.NewAuth(store)
	srv := httptest.NewServer(api.New(api.DefaultConfig(), svc, auth, store, slog.New(slog.NewJSONHandler(io.Discard, nil)), prometheus.NewRegistry(), web.Handler()))
	t.Cleanup(func() {
		srv.Close()
		store.Close()
	})
	c := &client{t: t, url: srv.URL, tokens: map[concernmap.Role]string{}, users: map[concernmap.Role]*concernmap.User{}, svc: svc, store: store}
	ctx := context.Background()
	for _, role := range concernmap.Roles {
		u, err := concernmap.NewUser("test-"+strings.ReplaceAll(string(role), "_", "-"), "Test "+string(role), role, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		u.Scope = []string{"MMR003"}
		if err := store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		_, secret, err := auth.CreateToken(ctx, u, "test")
		if err != nil {
			t.Fatal(err)
		}
		c.tokens[role], c.users[role] = secret, u
	}
	c.token = c.tokens[concernmap.RoleAdmin]
	return c
}

// testPassword is every test user's password.
const testPassword = "a long test password"

// eachStore runs fn against a fresh server on each store.
func eachStore(t *testing.T, fn func(t *testing.T, c *client)) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) { fn(t, serve(t, s.open(t))) })
	}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return m
}

func (c *client) do(method, path, body string, header ...string) response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/geo+json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("read body: %v", err)
	}
	return response{res.StatusCode, res.Header, b}
}

func (c *client) count(query string) int {
	c.t.Helper()
	r := c.do("GET", "/api/v1/concerns?limit=1000&"+query, "")
	if r.status != 200 {
		c.t.Fatalf("list: got status %d: %s", r.status, r.body)
	}
	return len(r.json(c.t)["features"].([]any))
}

// feature returns a valid concern Feature; edit replaces parts of it.
func feature(id string, edit func(m map[string]any)) string {
	m := map[string]any{
		"type":     "Feature",
		"id":       id,
		"geometry": map[string]any{"type": "Point", "coordinates": []float64{97.6, 16.9}},
		"properties": map[string]any{
			"category":       "landmine_uxo",
			"title":          "Mine beside the path to the school",
			"description":    "Seen by a farmer at dawn.",
			"severity":       5,
			"affected":       []string{"boys", "girls"},
			"when_dangerous": map[string]any{"kind": "always"},
			"observed_at":    "2026-11-01T06:30:00+06:30",
		},
	}
	if edit != nil {
		edit(m)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func props(m map[string]any) map[string]any { return m["properties"].(map[string]any) }

func TestConcernLifecycle(t *testing.T) {
	eachStore(t, func(t *testing.T, c *client) {
		id := uuid.NewString()
		body := feature(id, nil)

		r := c.do("POST", "/api/v1/concerns", body)
		if r.status != http.StatusCreated {
			t.Fatalf("create: got %d, want 201: %s", r.status, r.body)
		}
		if got, want := r.header.Get("Location"), "/api/v1/concerns/"+id; got != want {
			t.Errorf("Location: got %q, want %q", got, want)
		}
		if got, want := r.header.Get("ETag"), `"1"`; got != want {
			t.Errorf("ETag: got %q, want %q", got, want)
		}
		created := r.json(t)
		if got, want := props(created)["observed_at"], "2026-11-01T00:00:00Z"; got != want {
			t.Errorf("observed_at: got %v, want %v", got, want)
		}

		// An offline phone retries: same answer, no duplicate.
		r = c.do("POST", "/api/v1/concerns", body)
		if r.status != http.StatusOK {
			t.Fatalf("retry: got %d, want 200: %s", r.status, r.body)
		}
		if got, want := c.count("bbox=97,16,98,17"), 1; got != want {
			t.Fatalf("after retry: got %d concerns, want %d", got, want)
		}

		r = c.do("GET", "/api/v1/concerns/"+id, "")
		if r.status != 200 || r.header.Get("Content-Type") != "application/geo+json" {
			t.Fatalf("get: got %d %q", r.status, r.header.Get("Content-Type"))
		}
		if got := c.do("GET", "/api/v1/concerns/"+id, "", "If-None-Match", `"1"`).status; got != http.StatusNotModified {
			t.Errorf("If-None-Match: got %d, want 304", got)
		}

		patch := `{"properties":{"severity":3,"description":null},"geometry":{"type":"LineString","coordinates":[[97.6,16.9],[97.61,16.91]]}}`
		if got := c.do("PATCH", "/api/v1/concerns/"+id, patch).status; got != http.StatusPreconditionRequired {
			t.Errorf("PATCH without If-Match: got %d, want 428", got)
		}
		r = c.do("PATCH", "/api/v1/concerns/"+id, patch, "If-Match", `"1"`)
		if r.status != 200 {
			t.Fatalf("patch: got %d: %s", r.status, r.body)
		}
		if got, want := r.header.Get("ETag"), `"2"`; got != want {
			t.Errorf("ETag after patch: got %q, want %q", got, want)
		}
		updated := r.json(t)
		if got := props(updated)["severity"]; got != 3.0 {
			t.Errorf("severity: got %v, want 3", got)
		}
		if got := props(updated)["description"]; got != "" {
			t.Errorf("description: got %q, want empty", got)
		}
		if got := c.count("near=97.61,16.91&radius=10"); got != 1 {
			t.Errorf("index after patch: got %d near the line's end, want 1", got)
		}

		r = c.do("PATCH", "/api/v1/concerns/"+id, `{"properties":{"severity":1}}`, "If-Match", `"1"`)
		if r.status != http.StatusPreconditionFailed {
			t.Errorf("stale If-Match: got %d, want 412", r.status)
		}
		if got := props(c.do("GET", "/api/v1/concerns/"+id, "").json(t))["severity"]; got != 3.0 {
			t.Errorf("after stale patch: severity %v, want 3", got)
		}

		if got := c.do("DELETE", "/api/v1/concerns/"+id, "", "If-Match", `"1"`).status; got != http.StatusPreconditionFailed {
			t.Errorf("stale delete: got %d, want 412", got)
		}
		if got := c.do("DELETE", "/api/v1/concerns/"+id, "", "If-Match", `"2"`).status; got != http.StatusNoContent {
			t.Fatalf("delete: got %d, want 204", got)
		}
		if got := c.do("GET", "/api/v1/concerns/"+id, "").status; got != http.StatusGone {
			t.Errorf("get deleted: got %d, want 410", got)
		}
		if got := c.count("bbox=97,16,98,17"); got != 0 {
			t.Errorf("list after delete: got %d, want 0", got)
		}
		if got := c.do("POST", "/api/v1/concerns", body).status; got != http.StatusConflict {
			t.Errorf("re-create deleted id: got %d, want 409", got)
		}
	})
}

func TestListAndSearch(t *testing.T) {
	eachStore(t, func(t *testing.T, c *client) {
		type seed struct {
			lon, lat float64
			category string
			severity int
			affected []string
		}
		seeds := []seed{
			{97.1, 16.1, "landmine_uxo", 5, []string{"boys"}},
			{97.2, 16.2, "unlit_road", 2, []string{"women"}},
			{97.3, 16.3, "unlit_road", 4, []string{"women", "girls"}},
			{98.5, 17.5, "flooding", 3, []string{"older_people"}},
		}
		for _, s := range seeds {
			body := feature(uuid.NewString(), func(m map[string]any) {
				m["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{s.lon, s.lat}}
				p := props(m)
				p["category"], p["severity"], p["affected"] = s.category, s.severity, s.affected
			})
			if r := c.do("POST", "/api/v1/concerns", body); r.status != 201 {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
		}
		tests := []struct {
			query string
			want  int
		}{
			{"", 4},
			{"bbox=97,16,97.25,16.25", 2},
			{"bbox=97,16,98,17&category=unlit_road", 2},
			{"category=unlit_road,flooding", 3},
			{"category=unlit_road&category=flooding", 3},
			{"min_severity=3&max_severity=4", 2},
			{"affected=women", 2},
			{"affected=girls,older_people", 2},
			{"status=reported", 4},
			{"status=resolved", 0},
			{"near=97.1,16.1&radius=100", 1},
			{"near=97.15,16.15&radius=10000", 2},
			{"from=2026-11-01&to=2026-11-01", 4},
			{"to=2026-10-31", 0},
		}
		for _, tt := range tests {
			if got := c.count(tt.query); got != tt.want {
				t.Errorf("%q: got %d, want %d", tt.query, got, tt.want)
			}
		}

		// Pages of one, followed by cursor, give each concern once.
		seen := map[string]bool{}
		next := "/api/v1/concerns?limit=1"
		for next != "" {
			r := c.do("GET", next, "")
			if r.status != 200 {
				t.Fatalf("page: got %d: %s", r.status, r.body)
			}
			m := r.json(t)
			for _, f := range m["features"].([]any) {
				seen[f.(map[string]any)["id"].(string)] = true
			}
			next = ""
			for _, l := range m["links"].([]any) {
				if l.(map[string]any)["rel"] == "next" {
					next = l.(map[string]any)["href"].(string)
				}
			}
		}
		if len(seen) != 4 {
			t.Errorf("paging: got %d distinct concerns, want 4", len(seen))
		}

		poly := `{"type":"Polygon","coordinates":[[[97,16],[97.25,16],[97.25,16.25],[97,16.25],[97,16]]]}`
		r := c.do("POST", "/api/v1/concerns/search?category=unlit_road", poly)
		if r.status != 200 {
			t.Fatalf("search: got %d: %s", r.status, r.body)
		}
		if got := len(r.json(t)["features"].([]any)); got != 1 {
			t.Errorf("search: got %d, want 1", got)
		}

		r = c.do("GET", "/api/v1/categories", "")
		cats := r.json(t)["categories"].([]any)
		if len(cats) != len(concernmap.DefaultCategories) {
			t.Errorf("categories: got %d, want %d", len(cats), len(concernmap.DefaultCategories))
		}
	})
}

// TestBadInput checks that each kind of bad input gets a 4xx problem that
// names the field, and that nothing is written.
func TestBadInput(t *testing.T) {
	big := strings.Repeat("x", api.MaxBodyBytes)
	ring := func(n int) []any {
		var pts []any
		for i := range n {
			a := float64(i) / float64(n) * 6.283185307179586
			pts = append(pts, []float64{97 + 0.01*math.Cos(a), 16 + 0.01*math.Sin(a)})
		}
		return append(pts, pts[0])
	}
	geom := func(g any) func(m map[string]any) { return func(m map[string]any) { m["geometry"] = g } }
	prop := func(k string, v any) func(m map[string]any) { return func(m map[string]any) { props(m)[k] = v } }
	tests := []struct {
		name, method, path, body string
		status                   int
		field                    string
	}{
		{"malformed JSON", "POST", "/api/v1/concerns", `{"type":"Feature","id":`, 400, "id"},
		{"malformed JSON in properties", "POST", "/api/v1/concerns", `{"type":"Feature","properties":{"severity":5,}}`, 400, "properties.severity"},
		{"unknown field", "POST", "/api/v1/concerns", feature(uuid.NewString(), func(m map[string]any) { m["colour"] = "red" }), 400, "colour"},
		{"unknown property", "POST", "/api/v1/concerns", feature(uuid.NewString(), prop("reporter", "me")), 400, "properties.reporter"},
		{"wrong type severity", "POST", "/api/v1/concerns", feature(uuid.NewString(), prop("severity", "high")), 400, "properties.severity"},
		{"wrong type title", "POST", "/api/v1/concerns", feature(uuid.NewString(), prop("title", 7)), 400, "properties.title"},
		{"wrong type coordinates", "POST", "/api/v1/concerns", feature(uuid.NewString(), geom(map[string]any{"type": "Point", "coordinates": "97,16"})), 400, "geometry.coordinates"},
		{"body over 1 MiB", "POST", "/api/v1/concerns", feature(uuid.NewString(), prop("description", big)), 413, "body"},
		{"too many vertices", "POST", "/api/v1/concerns", feature(uuid.NewString(), geom(map[string]any{"type": "Polygon", "coordinates": []any{ring(10001)}})), 400, "geometry"},
		{"longitude out of range", "POST", "/api/v1/concerns", feature(uuid.NewString(), geom(map[string]any{"type": "Point", "coordinates": []float64{197, 16}})), 400, "geometry"},
		{"latitude out of range", "POST", "/api/v1/concerns", feature(uuid.NewString(), geom(map[string]any{"type": "Point", "coordinates": []float64{97, -91}})), 400, "geometry"},
		{"NaN coordinate", "POST", "/api/v1/concerns", strings.Replace(feature(uuid.NewString(), nil), "97.6", "NaN", 1), 400, "geometry.coordinates"},
		{"infinite coordinate", "POST", "/api/v1/concerns", strings.Replace(feature(uuid.NewString(), nil), "97.6", "1e400", 1), 400, "geometry"},
		{"unclosed ring", "POST", "/api/v1/concerns", feature(uuid.NewString(), geom(map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{97, 16}, {97.1, 16}, {97.1, 16.1}, {97, 16.1}}}})), 400, "geometry"},
		{"self-intersecting polygon", "POST", "/api/v1/concerns", feature(uuid.NewString(), geom(map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{97, 16}, {97.1, 16.1}, {97.1, 16}, {97, 16.1}, {97, 16}}}})), 400, "geometry"},
		{"empty geometry", "POST", "/api/v1/concerns", feature(uuid.NewString(), geom(map[string]any{"type": "LineString", "coordinates": []any{}})), 400, "geometry"},
		{"unsupported geometry type", "POST", "/api/v1/concerns", feature(uuid.NewString(), geom(map[string]any{"type": "GeometryCollection", "geometries": []any{}})), 400, "geometry"},
		{"bad UUID", "POST", "/api/v1/concerns", feature("not-a-uuid", nil), 400, "id"},
		{"bad UUID in path", "GET", "/api/v1/concerns/1234", "", 400, "id"},
		{"unknown category", "POST", "/api/v1/concerns", feature(uuid.NewString(), prop("category", "tigers")), 400, "properties.category"},
		{"severity 0", "POST", "/api/v1/concerns", feature(uuid.NewString(), prop("severity", 0)), 400, "properties.severity"},
		{"severity 6", "POST", "/api/v1/concerns", feature(uuid.NewString(), prop("severity", 6)), 400, "properties.severity"},
		{"severity fraction", "POST", "/api/v1/concerns", feature(uuid.NewString(), prop("severity", 2.5)), 400, "properties.severity"},
		{"bad window", "POST", "/api/v1/concerns", feature(uuid.NewString(), prop("when_dangerous", map[string]any{"kind": "window", "from": "25:00", "to": "06:00"})), 400, "properties.when_dangerous.from"},
		{"unknown group", "POST", "/api/v1/concerns", feature(uuid.NewString(), prop("affected", []string{"cats"})), 400, "properties.affected"},
		{"not JSON media type", "POST", "/api/v1/concerns", "", 415, ""},
		{"bbox min > max", "GET", "/api/v1/concerns?bbox=98,16,97,17", "", 400, "bbox"},
		{"bbox three numbers", "GET", "/api/v1/concerns?bbox=97,16,98", "", 400, "bbox"},
		{"radius zero", "GET", "/api/v1/concerns?near=97,16&radius=0", "", 400, "radius"},
		{"radius negative", "GET", "/api/v1/concerns?near=97,16&radius=-5", "", 400, "radius"},
		{"radius over 100 km", "GET", "/api/v1/concerns?near=97,16&radius=100001", "", 400, "radius"},
		{"limit zero", "GET", "/api/v1/concerns?limit=0", "", 400, "limit"},
		{"limit over 1000", "GET", "/api/v1/concerns?limit=1001", "", 400, "limit"},
		{"forged cursor", "GET", "/api/v1/concerns?cursor=AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCk", "", 400, "cursor"},
		{"garbage cursor", "GET", "/api/v1/concerns?cursor=%%%", "", 400, "cursor"},
		{"unknown parameter", "GET", "/api/v1/concerns?bbx=1,2,3,4", "", 400, "bbx"},
		{"unknown status", "GET", "/api/v1/concerns?status=done", "", 400, "status"},
	}
	eachStore(t, func(t *testing.T, c *client) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var r response
				if tt.name == "not JSON media type" {
					r = c.do(tt.method, tt.path, feature(uuid.NewString(), nil), "Content-Type", "text/plain")
				} else {
					r = c.do(tt.method, tt.path, tt.body)
				}
				if r.status != tt.status {
					t.Fatalf("status: got %d, want %d: %s", r.status, tt.status, r.body)
				}
				if got := r.header.Get("Content-Type"); got != "application/problem+json" {
					t.Errorf("Content-Type: got %q, want application/problem+json", got)
				}
				p := r.json(t)
				if got := p["status"]; got != float64(tt.status) {
					t.Errorf("problem status: got %v, want %d", got, tt.status)
				}
				if got, _ := p["field"].(string); !strings.HasPrefix(got, tt.field) || (tt.field == "" && got != "") {
					t.Errorf("field: got %q, want prefix %q (%s)", got, tt.field, r.body)
				}
				if got := c.count(""); got != 0 {
					t.Errorf("something was written: %d concerns", got)
				}
			})
		}
	})
}

// TestCursorTampering checks that an edited cursor and a cursor from
// another query are refused.
func TestCursorTampering(t *testing.T) {
	eachStore(t, func(t *testing.T, c *client) {
		for i := range 3 {
			body := feature(uuid.NewString(), func(m map[string]any) {
				m["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{97 + float64(i)*0.01, 16}}
			})
			c.do("POST", "/api/v1/concerns", body)
		}
		m := c.do("GET", "/api/v1/concerns?limit=1&bbox=96,15,98,17", "").json(t)
		cursor, _ := m["next_cursor"].(string)
		if cursor == "" {
			t.Fatalf("no cursor in %v", m)
		}
		if got := c.do("GET", "/api/v1/concerns?limit=1&bbox=96,15,98,17&cursor="+cursor, "").status; got != 200 {
			t.Errorf("valid cursor: got %d, want 200", got)
		}
		flipped := []byte(cursor)
		flipped[5] ^= 1
		for name, q := range map[string]string{
			"edited":        "limit=1&bbox=96,15,98,17&cursor=" + string(flipped),
			"other query":   "limit=1&bbox=96,15,98,18&cursor=" + cursor,
			"other filters": "limit=1&bbox=96,15,98,17&category=flooding&cursor=" + cursor,
		} {
			if got := c.do("GET", "/api/v1/concerns?"+q, "").status; got != 400 {
				t.Errorf("%s cursor: got %d, want 400", name, got)
			}
		}
	})
}

func TestHealth(t *testing.T) {
	eachStore(t, func(t *testing.T, c *client) {
		for _, path := range []string{"/healthz", "/readyz", "/metrics", "/"} {
			if got := c.do("GET", path, "").status; got != 200 {
				t.Errorf("%s: got %d, want 200", path, got)
			}
		}
		r := c.do("GET", "/no/such/page", "")
		if r.status != 404 {
			t.Errorf("unknown page: got %d, want 404", r.status)
		}
		r = c.do("PUT", "/api/v1/concerns", "{}")
		if r.status != 405 || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("wrong method: got %d %q, want 405 problem", r.status, r.header.Get("Content-Type"))
		}
	})
}
