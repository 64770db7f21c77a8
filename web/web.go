// Package web holds the front end, embedded in the binary: index.html, and
// under assets/ the bundle that `make web` builds with esbuild.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"
)

// all: takes the directory even when the bundle is missing, so a tree
// without built assets still compiles and serves index.html, which then
// says the app was not built.
//
//go:embed all:static
var static embed.FS

// ContentSecurityPolicy lets the page run only its own scripts and styles.
// Leaflet and Geoman position elements through element.style, which CSP
// allows without 'unsafe-inline'; the app sets data colours the same way.
// Images may come from any https basemap as well as blob: and data: URLs
// (Leaflet's and Geoman's icons); fonts, tiles and the API are same-origin.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: blob: https:; font-src 'self'; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// hashedName matches the file names esbuild gives chunks, fonts and images:
// name-XXXXXXXX.ext, with eight base32 characters of content hash.
var hashedName = regexp.MustCompile(`-[A-Z2-7]{8}\.[a-z0-9]+$`)

// file is one embedded file, read once, with its gzipped form when that
// is smaller.
type file struct {
	body, gz []byte
	etag     string
	ctype    string
	// immutable marks a content-hashed name: a change makes a new name,
	// so a phone may keep it for a year without asking.
	immutable bool
}

// Handler serves the front end from the embedded files.
func Handler() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	h, err := newHandler(sub)
	if err != nil {
		panic(err) // reading an embed.FS does not fail
	}
	return h
}

type handler struct {
	files map[string]*file
}

// newHandler reads every file of fsys into memory: the app is a few
// hundred kilobytes, and serving from memory lets it gzip each file once.
func newHandler(fsys fs.FS) (*handler, error) {
	h := &handler{files: map[string]*file{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		f := &file{
			body:      body,
			etag:      `"` + hex.EncodeToString(sum[:12]) + `"`,
			ctype:     contentType(name),
			immutable: strings.HasPrefix(name, "assets/") && hashedName.MatchString(name),
		}
		if compressible(f.ctype) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(body)
			zw.Close()
			if buf.Len() < len(body)*9/10 {
				f.gz = buf.Bytes()
			}
		}
		h.files[name] = f
		return nil
	})
	return h, err
}

// ServeHTTP serves index.html for / and the files by their path. Pages and
// the fixed-name bundle (app.js, app.css) are sent with no-cache and an
// ETag, so a phone revalidates them with a small request and never runs a
// stale app.js against a new API; everything they load has a content hash
// in its name and is cached for a year.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", ContentSecurityPolicy)
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	f, ok := h.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hd.Set("Content-Type", f.ctype)
	if f.immutable {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	body, etag := f.body, f.etag
	if f.gz != nil {
		hd.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			body = f.gz
			// A different body is a different representation: its own tag.
			etag = strings.TrimSuffix(f.etag, `"`) + `-gz"`
			hd.Set("Content-Encoding", "gzip")
		}
	}
	hd.Set("ETag", etag)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".woff2":
		return "font/woff2"
	case ".woff":
		return "font/woff"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "svg")
}

// acceptsGzip reports whether the request takes gzip, without q=0.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			return strings.ReplaceAll(strings.TrimSpace(params), " ", "") != "q=0"
		}
	}
	return false
}
