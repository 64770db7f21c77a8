package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/concernmap/concernmap/postgis/postgistest"
)

func TestMain(m *testing.M) { postgistest.Main(m) }

// binary builds the command once per test run.
func binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "concernmap")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is a running server; token, if set, goes with every request.
type process struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
	token  string
}

// mkToken adds an admin through the command line and returns an API token
// for it, as an operator would.
func mkToken(t *testing.T, bin string, args []string) string {
	t.Helper()
	name := "tester-" + strings.ToLower(uuid.NewString()[:8])
	for _, cmd := range [][]string{
		{"user", "add", "--username", name, "--name", "Tester", "--role", "admin", "--password", "a long test password"},
		{"user", "token", "--username", name},
	} {
		c := exec.Command(bin, append(cmd, args...)...)
		c.Env = append(os.Environ(), "DATABASE_URL=")
		out, err := c.Output()
		if err != nil {
			t.Fatalf("%v: %v", cmd, err)
		}
		if cmd[1] == "token" {
			return strings.TrimSpace(string(out))
		}
	}
	return ""
}

// get fetches path from the server with its token.
func (p *process) get(t *testing.T, path string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", p.url+path, nil)
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

var servingRE = regexp.MustCompile(`at (http://\S+)`)

func start(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "DATABASE_URL=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read first line: %v\nstderr: %s", err, p.stderr)
	}
	m := servingRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first line %q names no URL", line)
	}
	p.url = m[1]
	go io.Copy(io.Discard, stdout)
	return p
}

// stop sends SIGTERM and checks a clean exit.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\nstderr: %s", err, p.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no exit 20 s after SIGTERM")
	}
	if !strings.Contains(p.stderr.String(), `"msg":"stopped"`) {
		t.Errorf("log has no stopped line:\n%s", p.stderr)
	}
}

func TestServeSeedRestart(t *testing.T) {
	bin := binary(t)
	for _, store := range []string{"bolt", "postgis"} {
		t.Run(store, func(t *testing.T) {
			var args []string
			if store == "bolt" {
				args = []string{"--data-dir", t.TempDir()}
			} else {
				args = []string{"--database-url", postgistest.MustOpenDB(t)}
			}
			seed := exec.Command(bin, append([]string{"seed", "--count", "500"}, args...)...)
			seed.Env = append(os.Environ(), "DATABASE_URL=")
			if out, err := seed.CombinedOutput(); err != nil {
				t.Fatalf("seed: %v\n%s", err, out)
			}
			token := mkToken(t, bin, args)
			p := start(t, bin, args...)
			p.token = token
			if code, _ := (&process{url: p.url}).get(t, "/api/v1/concerns"); code != 401 {
				t.Errorf("without a token: got %d, want 401", code)
			}
			for _, path := range []string{"/healthz", "/readyz"} {
				if code, _ := p.get(t, path); code != 200 {
					t.Errorf("%s: got %d, want 200", path, code)
				}
			}
			code, fc := p.get(t, "/api/v1/concerns?bbox=97,16,98,17&limit=1000")
			if code != 200 {
				t.Fatalf("bbox list: got %d", code)
			}
			seeded := len(fc["features"].([]any))
			if seeded == 0 {
				t.Fatalf("no demo concerns in 97,16,98,17")
			}

			id := uuid.NewString()
			body := fmt.Sprintf(`{"type":"Feature","id":%q,"geometry":{"type":"Point","coordinates":[97.5,16.5]},
				"properties":{"category":"damaged_bridge","title":"Bridge planks missing","severity":3}}`, id)
			req, _ := http.NewRequest("POST", p.url+"/api/v1/concerns", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/geo+json")
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := http.DefaultClient.Do(req)
			if err != nil || res.StatusCode != 201 {
				t.Fatalf("create: %v %v", err, res)
			}
			res.Body.Close()
			p.stop(t)

			// Everything is still there after a restart, index included.
			p = start(t, bin, args...)
			p.token = token
			if code, _ := p.get(t, "/api/v1/concerns/"+id); code != 200 {
				t.Errorf("after restart: get %s: %d", id, code)
			}
			_, fc = p.get(t, "/api/v1/concerns?bbox=97,16,98,17&limit=1000")
			if got := len(fc["features"].([]any)); got != seeded+1 {
				t.Errorf("after restart: got %d in bbox, want %d", got, seeded+1)
			}

			// Seeding again adds nothing: the demo IDs are deterministic.
			p.stop(t)
			seed = exec.Command(bin, append([]string{"seed", "--count", "500"}, args...)...)
			seed.Env = append(os.Environ(), "DATABASE_URL=")
			out, err := seed.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "(0 new)") {
				t.Errorf("second seed: %v: %s", err, out)
			}
		})
	}
}

// TestDrain checks that SIGTERM lets requests in flight finish: no response
// that has begun arrives cut short.
func TestDrain(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	seed := exec.Command(bin, "seed", "--count", "3000", "--data-dir", dir)
	seed.Env = append(os.Environ(), "DATABASE_URL=")
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	token := mkToken(t, bin, []string{"--data-dir", dir})
	p := start(t, bin, "--data-dir", dir)
	var (
		mu              sync.Mutex
		done, afterTerm int
		termAt          time.Time
		wg              sync.WaitGroup
	)
	stopping := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			for {
				req, _ := http.NewRequest("GET", p.url+"/api/v1/concerns?limit=1000", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := client.Do(req)
				if err != nil {
					select {
					case <-stopping:
						return // refused once the listener closed: correct
					default:
						t.Errorf("before SIGTERM: %v", err)
						return
					}
				}
				var fc struct{ Features []json.RawMessage }
				err = json.NewDecoder(res.Body).Decode(&fc)
				res.Body.Close()
				if err != nil || res.StatusCode != 200 || len(fc.Features) != 1000 {
					t.Errorf("response cut short: status %d, %d features, %v", res.StatusCode, len(fc.Features), err)
					return
				}
				mu.Lock()
				done++
				if !termAt.IsZero() {
					afterTerm++
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	termAt = time.Now()
	mu.Unlock()
	close(stopping)
	p.stop(t)
	wg.Wait()
	if done == 0 {
		t.Fatalf("no request completed")
	}
	t.Logf("%d complete responses, %d finished after SIGTERM", done, afterTerm)
}

// TestTwoInstances runs two servers on one PostGIS database: what one
// writes, the other's index shows within a second.
func TestTwoInstances(t *testing.T) {
	bin := binary(t)
	args := []string{"--database-url", postgistest.MustOpenDB(t)}
	token := mkToken(t, bin, args)
	a, b := start(t, bin, args...), start(t, bin, args...)
	a.token, b.token = token, token

	count := func(p *process, query string) int {
		t.Helper()
		code, fc := p.get(t, "/api/v1/concerns?limit=1000&"+query)
		if code != 200 {
			t.Fatalf("list on %s: %d", p.url, code)
		}
		return len(fc["features"].([]any))
	}
	// eventually waits up to a second for p's index to show want.
	eventually := func(what string, p *process, query string, want int) {
		t.Helper()
		deadline := time.Now().Add(time.Second)
		for {
			got := count(p, query)
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: got %d after 1 s, want %d", what, got, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	send := func(p *process, method, path, body string, header ...string) int {
		t.Helper()
		req, _ := http.NewRequest(method, p.url+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+p.token)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}

	id := uuid.NewString()
	body := fmt.Sprintf(`{"type":"Feature","id":%q,"geometry":{"type":"Point","coordinates":[97.5,16.5]},
		"properties":{"category":"landmine_uxo","title":"Mine on the path","severity":5}}`, id)
	if code := send(a, "POST", "/api/v1/concerns", body); code != 201 {
		t.Fatalf("create on A: %d", code)
	}
	eventually("B sees A's create", b, "bbox=97,16,98,17", 1)

	move := `{"geometry":{"type":"Point","coordinates":[96.5,15.5]}}`
	if code := send(b, "PATCH", "/api/v1/concerns/"+id, move, "If-Match", `"1"`); code != 200 {
		t.Fatalf("patch on B: %d", code)
	}
	eventually("A sees B's move (old place)", a, "bbox=97,16,98,17", 0)
	eventually("A sees B's move (new place)", a, "bbox=96,15,97,16", 1)

	if code := send(a, "DELETE", "/api/v1/concerns/"+id, "", "If-Match", `"2"`); code != 204 {
		t.Fatalf("delete on A: %d", code)
	}
	eventually("B sees A's delete", b, "", 0)

	// A bulk write (an import) makes both reload rather than refresh rows.
	seed := exec.Command(bin, append([]string{"seed", "--count", "1500"}, args...)...)
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	for _, p := range []*process{a, b} {
		deadline := time.Now().Add(5 * time.Second)
		for {
			_, m := p.get(t, "/readyz")
			if m["concerns"] == 1500.0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: index holds %v after the bulk write, want 1500", p.url, m["concerns"])
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	a.stop(t)
	b.stop(t)
}

// TestImportAreasCommand imports boundaries from the command line on both
// stores: a good file, the same file again (an update in place), and a
// broken file that imports nothing and names the bad feature.
func TestImportAreasCommand(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "tracts.geojson")
	os.WriteFile(good, []byte(`{"type":"FeatureCollection","features":[
	 {"type":"Feature","properties":{"VT_PCODE":"MMR003001701","VT":"Kaw Ka Reik","VT_MMR":"ကော့ကရိတ်"},"geometry":{"type":"Polygon","coordinates":[[[97,16],[97.5,16],[97.5,16.5],[97,16.5],[97,16]]]}},
	 {"type":"Feature","properties":{"VT_PCODE":"MMR003001702","VT":"Second"},"geometry":{"type":"Polygon","coordinates":[[[97.5,16],[98,16],[98,16.5],[97.5,16.5],[97.5,16]]]}}]}`), 0o600)
	bad := filepath.Join(dir, "bad.geojson")
	os.WriteFile(bad, []byte(`{"type":"FeatureCollection","features":[
	 {"type":"Feature","properties":{"VT_PCODE":"MMR003001703","VT":"Bowtie"},"geometry":{"type":"Polygon","coordinates":[[[97,16],[97.1,16.1],[97.1,16],[97,16.1],[97,16]]]}}]}`), 0o600)
	for _, store := range []string{"bolt", "postgis"} {
		t.Run(store, func(t *testing.T) {
			args := []string{"--data-dir", t.TempDir()}
			if store == "postgis" {
				args = []string{"--database-url", postgistest.MustOpenDB(t)}
			}
			run := func(extra ...string) (string, error) {
				cmd := exec.Command(bin, append(extra, args...)...)
				cmd.Env = append(os.Environ(), "DATABASE_URL=")
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			if out, err := run("seed", "--count", "200"); err != nil {
				t.Fatalf("seed: %v\n%s", err, out)
			}
			out, err := run("import-areas", good, "--level", "village_tract")
			if err != nil || !strings.Contains(out, "imported 2 areas (2 new, 0 updated)") {
				t.Fatalf("import: %v\n%s", err, out)
			}
			out, err = run("import-areas", good, "--level", "village_tract")
			if err != nil || !strings.Contains(out, "(0 new, 2 updated)") {
				t.Errorf("re-import: %v\n%s", err, out)
			}
			out, err = run("import-areas", bad, "--level", "village_tract")
			if err == nil || !strings.Contains(out, "feature 0 MMR003001703: rejected") || !strings.Contains(out, "nothing imported") {
				t.Errorf("bad file: %v\n%s", err, out)
			}
			p := start(t, bin, args...)
			code, fc := p.get(t, "/api/v1/areas?level=village_tract")
			if code != 200 {
				t.Fatalf("areas: %d", code)
			}
			// The seed's synthetic tracts and the two imported ones.
			pcodes := map[string]bool{}
			for _, f := range fc["features"].([]any) {
				pcodes[f.(map[string]any)["id"].(string)] = true
			}
			if !pcodes["MMR003001701"] || !pcodes["MMR003001702"] || pcodes["MMR003001703"] {
				t.Errorf("tracts after imports: %v", pcodes)
			}
			p.stop(t)
		})
	}
}
