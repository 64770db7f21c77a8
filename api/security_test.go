package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/api"
	"github.com/concernmap/concernmap/bolt"
	"github.com/concernmap/concernmap/geo"
	"github.com/concernmap/concernmap/index"
	"github.com/concernmap/concernmap/web"
)

const anonymous = concernmap.Role("")

var allRoles = append([]concernmap.Role{anonymous}, concernmap.Roles...)

// matrix says which roles may call each route. It is written out here,
// apart from the server's own table, so that a mistake in either shows.
var matrix = map[string][]concernmap.Role{
	"GET /healthz": allRoles, "GET /readyz": allRoles, "GET /metrics": allRoles, "GET /*": allRoles, "HEAD /*": allRoles,
	"POST /api/v1/session":         allRoles,
	"GET /api/v1/session":          concernmap.Roles,
	"DELETE /api/v1/session":       concernmap.Roles,
	"GET /api/v1/tokens":           concernmap.Roles,
	"POST /api/v1/tokens":          concernmap.Roles,
	"DELETE /api/v1/tokens/:id":    concernmap.Roles,
	"GET /api/v1/users":            {concernmap.RoleAdmin},
	"POST /api/v1/users":           {concernmap.RoleAdmin},
	"PATCH /api/v1/users/:id":      {concernmap.RoleAdmin},
	"GET /api/v1/audit":            {concernmap.RoleAdmin},
	"GET /api/v1/categories":       allRoles,
	"GET /api/v1/concerns":         concernmap.Roles,
	"POST /api/v1/concerns":        {concernmap.RoleMember, concernmap.RoleCoordinator, concernmap.RoleAdmin},
	"POST /api/v1/concerns/search": concernmap.Roles,
	"GET /api/v1/concerns/:id":     concernmap.Roles,
	"PATCH /api/v1/concerns/:id":   {concernmap.RoleMember, concernmap.RoleCoordinator, concernmap.RoleAdmin},
	"DELETE /api/v1/concerns/:id":  {concernmap.RoleCoordinator, concernmap.RoleAdmin},
	"GET /api/v1/areas":            allRoles,
	"POST /api/v1/areas/import":    {concernmap.RoleAdmin},
	"GET /api/v1/areas/:pcode":     allRoles,
	// Statistics are open to visitors only where the deployment turns the
	// public map on; the matrix holds for the default configuration.
	"GET /api/v1/areas/:pcode/stats": concernmap.Roles,
	"GET /api/v1/stats":              concernmap.Roles,
	"GET /api/v1/hotspots":           concernmap.Roles,

	"GET /api/v1/workflow":                  concernmap.Roles,
	"POST /api/v1/concerns/:id/status":      {concernmap.RoleCoordinator, concernmap.RoleAuthority, concernmap.RoleAdmin},
	"GET /api/v1/concerns/:id/history":      concernmap.Roles,
	"GET /api/v1/requests":                  {concernmap.RoleMember, concernmap.RoleCoordinator, concernmap.RoleAuthority, concernmap.RoleAdmin},
	"POST /api/v1/requests":                 {concernmap.RoleCoordinator, concernmap.RoleAdmin},
	"GET /api/v1/requests/:id":              {concernmap.RoleMember, concernmap.RoleCoordinator, concernmap.RoleAuthority, concernmap.RoleAdmin},
	"POST /api/v1/requests/:id/responses":   {concernmap.RoleAuthority, concernmap.RoleAdmin},
	"GET /api/v1/action-plans":              {concernmap.RoleMember, concernmap.RoleCoordinator, concernmap.RoleAdmin},
	"POST /api/v1/action-plans":             {concernmap.RoleCoordinator, concernmap.RoleAdmin},
	"GET /api/v1/action-plans/:id":          {concernmap.RoleMember, concernmap.RoleCoordinator, concernmap.RoleAdmin},
	"PATCH /api/v1/action-plans/:id":        {concernmap.RoleCoordinator, concernmap.RoleAdmin},
	"POST /api/v1/action-plans/:id/reviews": {concernmap.RoleCoordinator, concernmap.RoleAdmin},
	"GET /api/v1/accountability":            concernmap.Roles,
	"GET /api/v1/config":                    allRoles,
	// Tiles and TileJSON answer visitors only with a public map.
	"GET /tiles/:file":           concernmap.Roles,
	"GET /tiles/:layer/:z/:x/:y": concernmap.Roles,
}

// TestAuthorizationMatrix calls every route as every role. A route the
// server has and the matrix lacks fails the test until it is added.
func TestAuthorizationMatrix(t *testing.T) {
	db, err := bolt.Open(t.TempDir() + "/c.db")
	if err != nil {
		t.Fatal(err)
	}
	c := serve(t, db)
	probe := api.New(api.DefaultConfig(), concernmap.NewService(db, func() concernmap.ConcernIndex { return index.New() }, index.NewAreas()),
		concernmap.NewAuth(db), db, slog.New(slog.DiscardHandler), prometheus.NewRegistry(), web.Handler())
	for _, r := range probe.Routes() {
		if _, ok := matrix[r]; !ok {
			t.Errorf("route %s is not in the authorization matrix: add it", r)
		}
	}
	id := uuid.NewString()
	if r := c.do("POST", "/api/v1/concerns", feature(id, nil)); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	paths := map[string]string{":id": id, ":pcode": "MMR003", ":file": "concerns.json", ":layer": "concerns", ":z": "0", ":x": "0", ":y": "0.mvt"}
	for route, allowed := range matrix {
		method, path, _ := strings.Cut(route, " ")
		for k, v := range paths {
			path = strings.ReplaceAll(path, k, v)
		}
		path = strings.Replace(path, "/*", "/index.html", 1)
		if strings.HasSuffix(route, "/stats") && !strings.Contains(route, ":pcode") {
			path += "?level=township"
		}
		if strings.HasSuffix(route, "/hotspots") {
			path += "?cell=1&bbox=96,15,99,18"
		}
		body := "{}"
		if route == "POST /api/v1/session" {
			body = fmt.Sprintf(`{"username":%q,"password":%q}`, c.users[concernmap.RoleMember].Username, testPassword)
		}
		for _, role := range allRoles {
			r := c.as(role).do(method, path, body, "If-Match", `"1"`)
			denied := r.status == http.StatusUnauthorized || r.status == http.StatusForbidden
			if want := slices.Contains(allowed, role); want == denied {
				t.Errorf("%s as %q: got %d, want allowed=%v: %s", route, role, r.status, want, r.body)
			}
		}
	}
}

// TestNoLeaks runs a realistic scenario and searches every response each
// role gets for what it must not see: reporters' IDs, and the exact places
// of sensitive concerns outside its right.
func TestNoLeaks(t *testing.T) {
	areas := demoAreas(t)
	eachStore(t, func(t *testing.T, c *client) {
		importLevels(t, c, areas)
		inKayin, inMon := tractIn(areas, "MMR003"), tractIn(areas, "MMR011")
		reporter := c.users[concernmap.RoleMember]
		type concern struct {
			name, category string
			at             [2]float64
			byReporter     bool
		}
		cs := []concern{
			{"A sensitive in scope", "domestic_violence", inKayin, true},
			{"B sensitive out of scope", "alcohol_harm", inMon, false},
			{"C open in scope", "unlit_road", [2]float64{inKayin[0] + 1e-5, inKayin[1]}, true},
			{"D open out of scope", "landmine_uxo", [2]float64{inMon[0] + 1e-5, inMon[1]}, true},
		}
		ids := map[string]string{}
		for _, cc := range cs {
			id := uuid.NewString()
			as := c.as(concernmap.RoleCoordinator)
			if cc.byReporter {
				as = c.as(concernmap.RoleMember)
			}
			r := as.do("POST", "/api/v1/concerns", feature(id, func(m map[string]any) {
				m["geometry"] = map[string]any{"type": "Point", "coordinates": cc.at[:]}
				props(m)["category"] = cc.category
			}))
			if r.status != 201 {
				t.Fatalf("%s: %d %s", cc.name, r.status, r.body)
			}
			ids[cc.name] = id
		}
		// The workflow runs over them: a coordinator verifies C, files a
		// request and writes a plan for A and C, and the authority answers.
		tract := props(c.do("GET", "/api/v1/concerns/"+ids["C open in scope"], "").json(t))["area"].(string)
		coord := c.as(concernmap.RoleCoordinator)
		if r := coord.move(ids["C open in scope"], "verified", "seen"); r.status != 200 {
			t.Fatalf("verify: %d %s", r.status, r.body)
		}
		linked, _ := json.Marshal([]string{ids["A sensitive in scope"], ids["C open in scope"]})
		r := coord.do("POST", "/api/v1/requests", fmt.Sprintf(`{"area":%q,"concerns":%s,"ask":"Help","due":"2199-01-01"}`, tract, linked))
		if r.status != 201 {
			t.Fatalf("file request: %d %s", r.status, r.body)
		}
		request := r.json(t)["id"].(string)
		if r := c.as(concernmap.RoleAuthority).do("POST", "/api/v1/requests/"+request+"/responses", `{"status":"acknowledged","message":"On it"}`); r.status != 200 {
			t.Fatalf("acknowledge: %d %s", r.status, r.body)
		}
		r = coord.do("POST", "/api/v1/action-plans", fmt.Sprintf(`{"area":%q,"title":"Plan","problem":"Unsafe","concerns":%s,"review_dates":["2199-01-01"]}`, tract, linked))
		if r.status != 201 {
			t.Fatalf("create plan: %d %s", r.status, r.body)
		}
		plan := r.json(t)["id"].(string)

		// What each role may see: the place of each concern, and whether
		// the reporter shows.
		type right struct{ place, reporter map[string]bool }
		all := map[string]bool{"A sensitive in scope": true, "B sensitive out of scope": true, "C open in scope": true, "D open out of scope": true}
		rights := map[concernmap.Role]right{
			concernmap.RoleAdmin:       {all, map[string]bool{"A sensitive in scope": true, "C open in scope": true, "D open out of scope": true}},
			concernmap.RoleCoordinator: {map[string]bool{"A sensitive in scope": true, "B sensitive out of scope": true, "C open in scope": true, "D open out of scope": true}, map[string]bool{"A sensitive in scope": true, "C open in scope": true}},
			concernmap.RoleAuthority:   {map[string]bool{"C open in scope": true}, nil},
			concernmap.RoleAdvocate:    {map[string]bool{"C open in scope": true, "D open out of scope": true}, nil},
			anonymous:                  {nil, nil},
		}
		for role, want := range rights {
			cl := c.as(role)
			var seen bytes.Buffer
			for _, path := range []string{"/api/v1/concerns?limit=1000", "/api/v1/stats?level=village_tract",
				"/api/v1/hotspots?level=village_tract", "/api/v1/hotspots?cell=0.05", "/api/v1/areas/MMR003/stats"} {
				seen.Write(cl.do("GET", path, "").body)
			}
			seen.Write(cl.do("POST", "/api/v1/concerns/search", `{"type":"Polygon","coordinates":[[[90,10],[100,10],[100,20],[90,20],[90,10]]]}`).body)
			for _, id := range ids {
				seen.Write(cl.do("GET", "/api/v1/concerns/"+id, "").body)
				seen.Write(cl.do("GET", "/api/v1/concerns/"+id+"/history", "").body)
			}
			for _, path := range []string{"/api/v1/requests", "/api/v1/requests?inbox=1", "/api/v1/requests/" + request,
				"/api/v1/action-plans", "/api/v1/action-plans/" + plan, "/api/v1/accountability", "/api/v1/accountability?format=csv"} {
				seen.Write(cl.do("GET", path, "").body)
			}
			text := seen.String()
			for _, cc := range cs {
				place := coordText(cc.at)
				if got := strings.Contains(text, place); got != want.place[cc.name] {
					t.Errorf("%q sees the place of %s: got %v, want %v", role, cc.name, got, want.place[cc.name])
				}
			}
			if got, wantRep := strings.Contains(text, reporter.ID.String()), len(want.reporter) > 0 && (want.reporter["A sensitive in scope"] || want.reporter["C open in scope"]); got != wantRep {
				t.Errorf("%q sees the member's reporter id: got %v, want %v", role, got, wantRep)
			}
		}
	})
}

// tractIn returns a point inside a village tract of the state pcode,
// rounded to 7 decimals so it can be searched for as text.
func tractIn(areas []*concernmap.Area, state string) [2]float64 {
	for _, a := range areas {
		if a.Level == concernmap.LevelVillageTract && strings.HasPrefix(a.PCode, state) {
			p := geo.RepresentativePoint(a.Geometry)
			return [2]float64{math.Round(p[0]*1e7) / 1e7, math.Round(p[1]*1e7) / 1e7}
		}
	}
	panic("no tract in " + state)
}

func coordText(p [2]float64) string {
	b, _ := json.Marshal(p)
	return string(b)
}

// TestXSS stores script and HTML in every free-text field and checks they
// come back as data, escaped in JSON.
func TestXSS(t *testing.T) {
	payloads := []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `javascript:alert(1)`, "\u2028<svg/onload=alert(1)>"}
	eachStore(t, func(t *testing.T, c *client) {
		for _, p := range payloads {
			id := uuid.NewString()
			r := c.do("POST", "/api/v1/concerns", feature(id, func(m map[string]any) {
				props(m)["title"], props(m)["description"] = p, p
			}))
			if r.status != 201 {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			for _, body := range [][]byte{r.body, c.do("GET", "/api/v1/concerns/"+id, "").body, c.do("GET", "/api/v1/concerns?limit=1000", "").body} {
				if bytes.Contains(body, []byte("<script")) || bytes.Contains(body, []byte("<img")) || bytes.Contains(body, []byte("<svg")) {
					t.Errorf("raw HTML in a response: %s", body)
				}
			}
			got := props(c.do("GET", "/api/v1/concerns/"+id, "").json(t))
			if got["title"] != p || got["description"] != p {
				t.Errorf("payload not stored as data: got %q", got["title"])
			}
		}
	})
}

// TestSessionCSRFAndThrottle signs in with a cookie, checks that a write
// without the CSRF token is refused and one with it goes through, and that
// repeated wrong passwords lock the account with the same message.
func TestSessionCSRFAndThrottle(t *testing.T) {
	eachStore(t, func(t *testing.T, c *client) {
		jar, _ := cookiejar.New(nil)
		browser := &http.Client{Jar: jar}
		send := func(method, path, body string, header ...string) (int, []byte) {
			req, _ := http.NewRequest(method, c.url+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			res, err := browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, b
		}
		member := c.users[concernmap.RoleMember]
		code, body := send("POST", "/api/v1/session", fmt.Sprintf(`{"username":%q,"password":%q}`, member.Username, testPassword))
		if code != 200 {
			t.Fatalf("sign in: %d %s", code, body)
		}
		var s struct {
			CSRF string `json:"csrf_token"`
		}
		json.Unmarshal(body, &s)
		if code, _ := send("GET", "/api/v1/concerns", ""); code != 200 {
			t.Errorf("read with the cookie: got %d, want 200", code)
		}
		if code, _ := send("POST", "/api/v1/concerns", feature(uuid.NewString(), nil)); code != http.StatusForbidden {
			t.Errorf("write without CSRF token: got %d, want 403", code)
		}
		if code, _ := send("POST", "/api/v1/concerns", feature(uuid.NewString(), nil), "X-CSRF-Token", "forged"); code != http.StatusForbidden {
			t.Errorf("write with a wrong CSRF token: got %d, want 403", code)
		}
		if code, body := send("POST", "/api/v1/concerns", feature(uuid.NewString(), nil), "X-CSRF-Token", s.CSRF); code != 201 {
			t.Errorf("write with the CSRF token: got %d, want 201: %s", code, body)
		}
		if code, _ := send("DELETE", "/api/v1/session", "", "X-CSRF-Token", s.CSRF); code != 204 {
			t.Errorf("sign out: got %d", code)
		}
		if code, _ := send("GET", "/api/v1/concerns", ""); code != 401 {
			t.Errorf("after sign-out: got %d, want 401", code)
		}

		// Wrong passwords: the same answer every time, then a lock that
		// even the right password does not open.
		var first []byte
		for i := range 6 {
			code, body := send("POST", "/api/v1/session", fmt.Sprintf(`{"username":%q,"password":"wrong password %d"}`, member.Username, i))
			if code != 401 {
				t.Fatalf("wrong password: got %d", code)
			}
			var p map[string]any
			json.Unmarshal(body, &p)
			if i == 0 {
				first, _ = json.Marshal(p["detail"])
			} else if d, _ := json.Marshal(p["detail"]); !bytes.Equal(d, first) {
				t.Errorf("failure %d answers differently: %s vs %s", i, d, first)
			}
		}
		if code, _ := send("POST", "/api/v1/session", fmt.Sprintf(`{"username":%q,"password":%q}`, member.Username, testPassword)); code != 401 {
			t.Errorf("right password on a locked account: got %d, want 401", code)
		}
		if code, _ := send("POST", "/api/v1/session", `{"username":"no-such-user","password":"whatever it is"}`); code != 401 {
			t.Errorf("unknown user: got %d, want 401", code)
		}
	})
}

// TestMemberEditsOwnReportOnly checks that a CSWG member may change their
// own report while it is reported, and no one else's.
func TestMemberEditsOwnReportOnly(t *testing.T) {
	eachStore(t, func(t *testing.T, c *client) {
		member, coordinator := c.as(concernmap.RoleMember), c.as(concernmap.RoleCoordinator)
		own, other := uuid.NewString(), uuid.NewString()
		member.do("POST", "/api/v1/concerns", feature(own, nil))
		coordinator.do("POST", "/api/v1/concerns", feature(other, nil))
		patch := `{"properties":{"severity":2}}`
		tests := []struct {
			name string
			c    *client
			id   string
			want int
		}{
			{"member, own report", member, own, 200},
			{"member, another's report", member, other, 403},
			{"coordinator, another's report", coordinator, own, 200},
		}
		for _, tt := range tests {
			version := props(tt.c.do("GET", "/api/v1/concerns/"+tt.id, "").json(t))["version"].(float64)
			r := tt.c.do("PATCH", "/api/v1/concerns/"+tt.id, patch, "If-Match", fmt.Sprintf(`"%d"`, int(version)))
			if r.status != tt.want {
				t.Errorf("%s: got %d, want %d: %s", tt.name, r.status, tt.want, r.body)
			}
		}
		if r := member.do("DELETE", "/api/v1/concerns/"+own, ""); r.status != 403 {
			t.Errorf("member deletes: got %d, want 403", r.status)
		}
	})
}

// TestAuditLog checks that writes and sensitive reads reach the audit log
// with who did them, and that only admins read it.
func TestAuditLog(t *testing.T) {
	eachStore(t, func(t *testing.T, c *client) {
		member, coordinator := c.as(concernmap.RoleMember), c.as(concernmap.RoleCoordinator)
		id := uuid.NewString()
		r := member.do("POST", "/api/v1/concerns", feature(id, func(m map[string]any) { props(m)["category"] = "domestic_violence" }))
		if r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		// Outside every coordinator's scope (no areas here), so only the
		// admin and the reporter see it; the admin's read is logged.
		if r := coordinator.do("GET", "/api/v1/concerns/"+id, ""); r.status != 404 {
			t.Errorf("coordinator out of scope reads a sensitive concern: got %d, want 404", r.status)
		}
		c.do("GET", "/api/v1/concerns/"+id, "")
		if r := coordinator.do("GET", "/api/v1/audit", ""); r.status != 403 {
			t.Errorf("coordinator reads the audit log: got %d, want 403", r.status)
		}
		events := c.do("GET", "/api/v1/audit?entity=concern&entity_id="+id, "").json(t)["events"].([]any)
		got := map[string]string{}
		for _, e := range events {
			ev := e.(map[string]any)
			user, _ := ev["user"].(string)
			got[ev["action"].(string)] = user
			if ev["request_id"] == "" {
				t.Errorf("%s has no request id", ev["action"])
			}
		}
		if got["concern.create"] != c.users[concernmap.RoleMember].ID.String() {
			t.Errorf("concern.create by %q, want the member", got["concern.create"])
		}
		if got["concern.read_sensitive"] != c.users[concernmap.RoleAdmin].ID.String() {
			t.Errorf("concern.read_sensitive by %q, want the admin; events %v", got["concern.read_sensitive"], got)
		}
	})
}
