package web_test

// Browser tests: Debian's chromium, headless, driven by chromedp against the
// real server (the real API, tiles and embedded bundle) on each store.
// Screenshots go to testoutput/browser at the repository root (git-ignored)
// for review.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/api"
	"github.com/concernmap/concernmap/bolt"
	"github.com/concernmap/concernmap/demo"
	"github.com/concernmap/concernmap/index"
	"github.com/concernmap/concernmap/postgis"
	"github.com/concernmap/concernmap/postgis/postgistest"
	"github.com/concernmap/concernmap/web"
)

func TestMain(m *testing.M) { postgistest.Main(m) }

const password = "a long browser test password"

// site is a running server with demo areas, concerns and one user per
// role, and a place in the member's scope to report at.
type site struct {
	t      *testing.T
	url    string
	tokens map[concernmap.Role]string
	users  map[concernmap.Role]*concernmap.User
	svc    *concernmap.Service
	// at is a point inside a Kayin village tract; tract its pcode.
	at    [2]float64
	tract string
}

var stores = []struct {
	name string
	open func(t *testing.T) concernmap.Store
}{
	{"bolt", func(t *testing.T) concernmap.Store {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "concernmap.db"))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}},
	{"postgis", func(t *testing.T) concernmap.Store {
		db, err := postgis.Open(context.Background(), postgistest.MustOpenDB(t))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}},
}

// eachStore runs fn in a browser against a fresh site on each store.
func eachStore(t *testing.T, fn func(t *testing.T, s *site, ctx context.Context)) {
	chromium := findChromium(t)
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := newSite(t, st.open(t))
			ctx := newBrowser(t, chromium)
			fn(t, s, ctx)
		})
	}
}

func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: install the chromium package (make test does, as root)")
	return ""
}

func newSite(t *testing.T, store concernmap.Store) *site {
	t.Helper()
	if _, err := os.Stat("static/assets/app.js"); err != nil {
		t.Fatal("the web bundle is not built: run make web (make test does)")
	}
	ctx := context.Background()
	svc := concernmap.NewService(store, func() concernmap.ConcernIndex { return index.New() }, index.NewAreas())
	if err := svc.Load(ctx); err != nil {
		t.Fatal(err)
	}
	villages, err := demo.Villages(40, 7)
	if err != nil {
		t.Fatal(err)
	}
	areas, err := demo.Areas(villages)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ImportAreas(ctx, areas); err != nil {
		t.Fatal(err)
	}
	gen := demo.NewGenerator(villages, 7)
	var cs []*concernmap.Concern
	for range 400 {
		c := gen.Next()
		c.Area = svc.LocateArea(c.Geometry)
		cs = append(cs, c)
	}
	if _, err := store.CreateConcerns(ctx, cs); err != nil {
		t.Fatal(err)
	}
	if err := svc.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := api.DefaultConfig()
	cfg.BasemapURL = "" // no network here; the app must work without one
	auth := concernmap.NewAuth(store)
	srv := httptest.NewServer(api.New(cfg, svc, auth, store, slog.New(slog.NewJSONHandler(io.Discard, nil)), prometheus.NewRegistry(), web.Handler()))
	t.Cleanup(func() {
		srv.Close()
		store.Close()
	})
	s := &site{t: t, url: srv.URL, tokens: map[concernmap.Role]string{}, users: map[concernmap.Role]*concernmap.User{}, svc: svc}
	for _, role := range concernmap.Roles {
		u, err := concernmap.NewUser("browser-"+strings.ReplaceAll(string(role), "_", "-"), "Browser "+string(role), role, password)
		if err != nil {
			t.Fatal(err)
		}
		u.Scope = []string{"MMR003"}
		if err := store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		_, secret, err := auth.CreateToken(ctx, u, "browser test")
		if err != nil {
			t.Fatal(err)
		}
		s.tokens[role], s.users[role] = secret, u
	}
	for _, a := range areas {
		if a.Level == concernmap.LevelVillageTract && strings.HasPrefix(a.PCode, "MMR003") {
			p := a.Geometry.Bound().Center()
			if svc.LocateArea(p) == a.PCode {
				s.at, s.tract = [2]float64{p[0], p[1]}, a.PCode
				break
			}
		}
	}
	if s.tract == "" {
		t.Fatal("no Kayin tract holds its own centre")
	}
	return s
}

// newBrowser starts a headless chromium at a phone's width.
func newBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.WindowSize(412, 860),
		chromedp.NoSandbox, // CI runs as root, where chromium's sandbox cannot start
		chromedp.Flag("disable-gpu", true),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// api calls the server as role, outside the browser, to set up and check.
func (s *site) api(role concernmap.Role, method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// signIn loads the app and signs in as role.
func (s *site) signIn(role concernmap.Role) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(css("#signin-form")),
		chromedp.SetValue(css("#signin-username"), s.users[role].Username),
		chromedp.SetValue(css("#signin-password"), password),
		chromedp.Click(css("#signin-submit")),
		chromedp.WaitNotVisible(css("#signin-form")),
		void(chromedp.Poll[bool](`!!(window.concernmapDebug && window.concernmapDebug.map)`)),
	)
}

func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// void drops an action's value, to run it among steps.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

// eval runs JavaScript and returns its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		screenshot(t, ctx, "failed")
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// screenshot saves the page for review.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	dir := filepath.Join("..", "testoutput", "browser")
	os.MkdirAll(dir, 0o755)
	name = strings.NewReplacer("/", "-", " ", "-").Replace(t.Name() + "-" + name)
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Errorf("save screenshot: %v", err)
	}
}

func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		screenshot(t, ctx, "failed")
		t.Fatalf("%s: %v", what, err)
	}
}

// concernIDs returns the IDs of the concerns with title, as the admin sees.
func (s *site) concernIDs(title string) []string {
	s.t.Helper()
	_, fc := s.api(concernmap.RoleAdmin, "GET", fmt.Sprintf("/api/v1/concerns?bbox=%f,%f,%f,%f&limit=1000",
		s.at[0]-0.05, s.at[1]-0.05, s.at[0]+0.05, s.at[1]+0.05), nil)
	var ids []string
	features, _ := fc["features"].([]any)
	for _, f := range features {
		m := f.(map[string]any)
		if m["properties"].(map[string]any)["title"] == title {
			ids = append(ids, m["id"].(string))
		}
	}
	return ids
}

// TestBrowserMemberReports signs in as a CSWG member, adds a landmine point
// and an unlit-road line through the form, and sees both drawn from the
// concerns tile layer.
func TestBrowserMemberReports(t *testing.T) {
	eachStore(t, func(t *testing.T, s *site, ctx context.Context) {
		run(t, ctx, "sign in", s.signIn(concernmap.RoleMember))
		eval[any](t, ctx, fmt.Sprintf(`concernmapDebug.map.setView([%f, %f], 16); null`, s.at[1], s.at[0]))
		report := func(category, title string, place string) {
			t.Helper()
			run(t, ctx, "report "+title,
				void(chromedp.Evaluate[any](place+"; null")),
				chromedp.WaitVisible(css("#concern-form")),
				chromedp.Click(css(fmt.Sprintf(`input[name=category][value=%s]`, category))),
				chromedp.SetValue(css("#f-title"), title),
				chromedp.SetValue(css("#f-description"), "Seen from the path at dawn."),
				chromedp.Click(css("#f-submit")),
				chromedp.WaitNotVisible(css("#concern-form")),
			)
		}
		report("landmine_uxo", "Mine by the school path", fmt.Sprintf(`concernmapDebug.placeAt(%f, %f)`, s.at[0], s.at[1]))
		report("unlit_road", "Dark road to the plantation", fmt.Sprintf(`concernmapDebug.drawLine([[%f, %f], [%f, %f]])`,
			s.at[0]-0.001, s.at[1]+0.0005, s.at[0]+0.001, s.at[1]+0.0008))
		mine, road := s.concernIDs("Mine by the school path"), s.concernIDs("Dark road to the plantation")
		if len(mine) != 1 || len(road) != 1 {
			t.Fatalf("stored concerns: mine %v, road %v; want one each", mine, road)
		}
		var drawn []string
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			drawn = eval[[]string](t, ctx, `concernmapDebug.drawnConcernIds()`)
			if slices.Contains(drawn, mine[0]) && slices.Contains(drawn, road[0]) {
				break
			}
			time.Sleep(250 * time.Millisecond)
		}
		if !slices.Contains(drawn, mine[0]) || !slices.Contains(drawn, road[0]) {
			t.Errorf("drawn from tiles: %v; want the mine %s and the road %s", drawn, mine[0], road[0])
		}
		screenshot(t, ctx, "reported")
	})
}

// TestBrowserAuthorityInbox files a request as a coordinator and has the
// authority acknowledge it from the inbox in two taps.
func TestBrowserAuthorityInbox(t *testing.T) {
	eachStore(t, func(t *testing.T, s *site, ctx context.Context) {
		id := uuid.NewString()
		code, _ := s.api(concernmap.RoleMember, "POST", "/api/v1/concerns", map[string]any{"type": "Feature", "id": id,
			"geometry": map[string]any{"type": "Point", "coordinates": s.at[:]},
			"properties": map[string]any{"category": "landmine_uxo", "title": "Mine by the well", "severity": 5,
				"observed_at": time.Now().UTC().Format(time.RFC3339)}})
		if code != 201 {
			t.Fatalf("create: %d", code)
		}
		if code, body := s.api(concernmap.RoleCoordinator, "POST", "/api/v1/concerns/"+id+"/status", map[string]any{"status": "verified", "note": "seen"}); code != 200 {
			t.Fatalf("verify: %d %v", code, body)
		}
		code, req := s.api(concernmap.RoleCoordinator, "POST", "/api/v1/requests", map[string]any{"area": s.tract,
			"concerns": []string{id}, "ask": "Please clear the mine by the well", "due": string(s.svc.Today())})
		if code != 201 {
			t.Fatalf("file request: %d %v", code, req)
		}
		rid := req["id"].(string)
		item := fmt.Sprintf(`#inbox-list [data-request-id="%s"]`, rid)
		run(t, ctx, "sign in", s.signIn(concernmap.RoleAuthority))
		run(t, ctx, "inbox", chromedp.WaitVisible(css(item)))
		screenshot(t, ctx, "inbox")
		run(t, ctx, "acknowledge",
			chromedp.Click(css(item+` [data-answer="acknowledged"]`)),
			chromedp.WaitVisible(css(item+` [data-confirm]`)),
			chromedp.Click(css(item+` [data-confirm]`)),
		)
		deadline := time.Now().Add(10 * time.Second)
		status := ""
		for time.Now().Before(deadline) && status != "acknowledged" {
			_, got := s.api(concernmap.RoleAdmin, "GET", "/api/v1/requests/"+rid, nil)
			status, _ = got["status"].(string)
			time.Sleep(200 * time.Millisecond)
		}
		if status != "acknowledged" {
			t.Errorf("request status after two taps: %q, want acknowledged", status)
		}
		screenshot(t, ctx, "acknowledged")
	})
}

// TestBrowserAdvocate sees the choropleth and the hotspot layer come from
// the tiles, and switches to Burmese.
func TestBrowserAdvocate(t *testing.T) {
	eachStore(t, func(t *testing.T, s *site, ctx context.Context) {
		run(t, ctx, "sign in", s.signIn(concernmap.RoleAdvocate))
		run(t, ctx, "advocate panel", chromedp.WaitVisible(css("#advocate-panel")))
		eval[any](t, ctx, fmt.Sprintf(`concernmapDebug.map.setView([%f, %f], 9); null`, s.at[1], s.at[0]))
		run(t, ctx, "hotspots on", chromedp.Click(css("#layer-hotspots")), chromedp.Sleep(2*time.Second),
			chromedp.WaitVisible(css("#legend")), chromedp.WaitVisible(css("#tract-table")))
		// The browser's own record of what it fetched: tiles of both
		// layers, answered 200.
		for _, layer := range []string{"areas", "hotspots"} {
			n := eval[int](t, ctx, fmt.Sprintf(`performance.getEntriesByType('resource').filter(e => e.name.includes('/tiles/%s/') && e.responseStatus === 200).length`, layer))
			if n == 0 {
				t.Errorf("no %s tile was loaded", layer)
			}
		}
		screenshot(t, ctx, "english")
		run(t, ctx, "switch to Burmese", chromedp.Click(css("#lang-toggle")), chromedp.Sleep(500*time.Millisecond))
		lang := eval[string](t, ctx, `document.documentElement.lang`)
		button := eval[string](t, ctx, `document.querySelector('#print-button').textContent`)
		legend := eval[string](t, ctx, `document.querySelector('#legend').textContent`)
		if lang != "my" || !burmese(button) || !burmese(legend) {
			t.Errorf("after switching: lang %q, print button %q, legend %q; want my and Burmese text", lang, button, legend)
		}
		screenshot(t, ctx, "burmese")
	})
}

// burmese reports whether s holds Myanmar script.
func burmese(s string) bool {
	for _, r := range s {
		if r >= 0x1000 && r <= 0x109F {
			return true
		}
	}
	return false
}

// TestBrowserXSS opens a concern whose description is HTML and checks that
// it shows as text and runs nothing.
func TestBrowserXSS(t *testing.T) {
	payload := `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`
	eachStore(t, func(t *testing.T, s *site, ctx context.Context) {
		code, _ := s.api(concernmap.RoleMember, "POST", "/api/v1/concerns", map[string]any{"type": "Feature", "id": uuid.NewString(),
			"geometry": map[string]any{"type": "Point", "coordinates": s.at[:]},
			"properties": map[string]any{"category": "flooding", "title": payload, "description": payload, "severity": 2,
				"observed_at": time.Now().UTC().Format(time.RFC3339)}})
		if code != 201 {
			t.Fatalf("create: %d", code)
		}
		run(t, ctx, "sign in", s.signIn(concernmap.RoleMember))
		eval[any](t, ctx, fmt.Sprintf(`concernmapDebug.map.setView([%f, %f], 17); concernmapDebug.map.fire('click', {latlng: concernmapDebug.map.getCenter()}); null`, s.at[1], s.at[0]))
		run(t, ctx, "open the concern", chromedp.WaitVisible(css("#popup-description")))
		text := eval[string](t, ctx, `document.querySelector('#popup-description').textContent`)
		xss := eval[any](t, ctx, `window.__xss === undefined ? null : window.__xss`)
		made := eval[int](t, ctx, `document.querySelectorAll('#popup-description img, #popup-description script').length`)
		if text != payload || xss != nil || made != 0 {
			t.Errorf("description shows %q (want the payload as text), window.__xss = %v, %d elements made from it", text, xss, made)
		}
		screenshot(t, ctx, "popup")
	})
}

// TestBrowserSmallScreenAndLabels signs in as each kind of user on a 360 px
// screen: nothing may spill sideways, and every visible control must have
// a name a screen reader can say, for keyboard and assistive use.
func TestBrowserSmallScreenAndLabels(t *testing.T) {
	eachStore(t, func(t *testing.T, s *site, ctx context.Context) {
		for _, role := range []concernmap.Role{concernmap.RoleMember, concernmap.RoleAuthority, concernmap.RoleAdvocate} {
			run(t, ctx, "narrow", chromedp.EmulateViewport(360, 740))
			run(t, ctx, "sign in as "+string(role), s.signIn(role), chromedp.Sleep(time.Second))
			if w := eval[int](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
				t.Errorf("%s: the page is %d px wider than a 360 px screen", role, w)
			}
			unnamed := eval[[]string](t, ctx, `[...document.querySelectorAll('button, input, select, textarea, a[href]')]
				.filter(e => e.offsetParent !== null && e.type !== 'hidden')
				.filter(e => !(e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.title ||
					(e.labels && e.labels.length) || (e.textContent || '').trim() || e.alt))
				.map(e => e.outerHTML.slice(0, 120))`)
			if len(unnamed) > 0 {
				t.Errorf("%s: controls without a name: %v", role, unnamed)
			}
			if n := eval[int](t, ctx, `[...document.querySelectorAll('button, input, select, textarea')].filter(e => e.offsetParent !== null).length`); n < 3 {
				t.Errorf("%s: only %d visible controls were checked", role, n)
			}
			screenshot(t, ctx, string(role)+"-360")
			run(t, ctx, "sign out", chromedp.Click(css("#signout")), chromedp.WaitVisible(css("#signin-form")))
		}
	})
}
