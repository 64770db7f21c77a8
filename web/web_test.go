package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func testHandler(t *testing.T) *handler {
	t.Helper()
	js := strings.Repeat("console.log('concernmap');\n", 100)
	h, err := newHandler(fstest.MapFS{
		"index.html":                       {Data: []byte("<!doctype html><title>concernmap</title>")},
		"assets/app.js":                    {Data: []byte(js)},
		"assets/chunks/draw-KXRKTECI.js":   {Data: []byte(js)},
		"assets/files/font-ZHWIMGWJ.woff2": {Data: []byte{0, 1, 2, 3}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHandler(t *testing.T) {
	h := testHandler(t)
	tests := []struct {
		name, path, encoding string
		status               int
		ctype, cache, gzip   string
	}{
		{name: "index", path: "/", status: 200, ctype: "text/html; charset=utf-8", cache: "no-cache"},
		{name: "fixed name", path: "/assets/app.js", encoding: "gzip, deflate", status: 200, ctype: "text/javascript; charset=utf-8", cache: "no-cache", gzip: "gzip"},
		{name: "gzip refused", path: "/assets/app.js", encoding: "gzip;q=0", status: 200, ctype: "text/javascript; charset=utf-8", cache: "no-cache"},
		{name: "hashed chunk", path: "/assets/chunks/draw-KXRKTECI.js", encoding: "gzip", status: 200, ctype: "text/javascript; charset=utf-8", cache: "public, max-age=31536000, immutable", gzip: "gzip"},
		{name: "font", path: "/assets/files/font-ZHWIMGWJ.woff2", encoding: "gzip", status: 200, ctype: "font/woff2", cache: "public, max-age=31536000, immutable"},
		{name: "missing", path: "/assets/nothing.js", status: 404},
		{name: "escape", path: "/../web.go", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tt.path, nil)
			if tt.encoding != "" {
				r.Header.Set("Accept-Encoding", tt.encoding)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Fatalf("status: got %d, want %d", w.Code, tt.status)
			}
			if got := w.Header().Get("Content-Security-Policy"); got != ContentSecurityPolicy {
				t.Errorf("Content-Security-Policy: got %q, want %q", got, ContentSecurityPolicy)
			}
			if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options: got %q, want nosniff", got)
			}
			if tt.status != 200 {
				return
			}
			for _, hd := range []struct{ name, want string }{
				{"Content-Type", tt.ctype}, {"Cache-Control", tt.cache}, {"Content-Encoding", tt.gzip},
			} {
				if got := w.Header().Get(hd.name); got != hd.want {
					t.Errorf("%s: got %q, want %q", hd.name, got, hd.want)
				}
			}
			if tt.gzip != "" {
				zr, err := gzip.NewReader(bytes.NewReader(w.Body.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(zr)
				if !bytes.HasPrefix(body, []byte("console.log")) {
					t.Errorf("gunzipped body: got %q…", body[:min(len(body), 20)])
				}
			}
		})
	}
}

// A phone that has the file sends its ETag back and gets 304, for each
// encoding separately.
func TestHandlerRevalidates(t *testing.T) {
	h := testHandler(t)
	for _, enc := range []string{"", "gzip"} {
		r := httptest.NewRequest(http.MethodGet, "/assets/app.js", nil)
		r.Header.Set("Accept-Encoding", enc)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		etag := w.Header().Get("ETag")
		if etag == "" {
			t.Fatalf("encoding %q: no ETag", enc)
		}
		r = httptest.NewRequest(http.MethodGet, "/assets/app.js", nil)
		r.Header.Set("Accept-Encoding", enc)
		r.Header.Set("If-None-Match", etag)
		w = httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusNotModified {
			t.Errorf("encoding %q: got %d, want 304", enc, w.Code)
		}
	}
}

func TestHandlerRefusesWrites(t *testing.T) {
	w := httptest.NewRecorder()
	testHandler(t).ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("got %d, want 405", w.Code)
	}
}

// The embedded tree always holds index.html, built bundle or not.
func TestEmbeddedIndex(t *testing.T) {
	w := httptest.NewRecorder()
	Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `src="/assets/app.js"`) {
		t.Errorf("got %d %q…, want index.html loading /assets/app.js", w.Code, w.Body.String()[:min(w.Body.Len(), 80)])
	}
}
