package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/geo"
)

// MaxBodyBytes bounds every request body.
const MaxBodyBytes = 1 << 20

// readBody reads a JSON request body within MaxBodyBytes.
func readBody(c echo.Context) ([]byte, error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if mt, _, _ := strings.Cut(ct, ";"); !jsonMediaTypes[strings.TrimSpace(strings.ToLower(mt))] {
		return nil, concernmap.Errorf(eUnsupportedMedia, "send the body as application/json or application/geo+json, not %q", ct)
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, MaxBodyBytes))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &concernmap.Error{Code: concernmap.ETOOLARGE, Message: "request body too large",
			Fields: []concernmap.FieldError{{Field: "body", Message: fmt.Sprintf("must be at most %d bytes", MaxBodyBytes)}}}
	}
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if !json.Valid(body) {
		return nil, concernmap.Invalid(syntaxPath(body), "malformed JSON")
	}
	return body, nil
}

var jsonMediaTypes = map[string]bool{
	"application/json":             true,
	"application/geo+json":         true,
	"application/merge-patch+json": true,
}

// syntaxPath walks body token by token and returns the dotted path at which
// it stops being valid JSON, so that even a syntax error names a field.
func syntaxPath(body []byte) string {
	type frame struct {
		object bool
		key    string
		index  int
		want   bool // in an object: the next string is a key
	}
	var stack []frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.object {
				if f.key == "" {
					continue
				}
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else {
				fmt.Fprintf(&b, "[%d]", f.index)
			}
		}
		if b.Len() == 0 {
			return "body"
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return path()
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].object && stack[top].want {
			if s, ok := tok.(string); ok {
				stack[top].key, stack[top].want = s, false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, want: true})
			continue
		case json.Delim('['):
			stack = append(stack, frame{index: 0})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:top]
		}
		// A value ended: move to the next member or element.
		if top = len(stack) - 1; top >= 0 {
			if stack[top].object {
				stack[top].want = true
			} else {
				stack[top].index++
			}
		}
	}
}

// members decodes a JSON object, rejecting any key not in allowed.
func members(raw json.RawMessage, path string, allowed ...string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, concernmap.Invalid(pathOr(path), "must be a JSON object")
	}
	for k := range m {
		if !contains(allowed, k) {
			return nil, concernmap.Invalid(join(path, k), "unknown field; allowed: %s", strings.Join(allowed, ", "))
		}
	}
	return m, nil
}

func pathOr(p string) string {
	if p == "" {
		return "body"
	}
	return p
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func decodeString(raw json.RawMessage, field string) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", concernmap.Invalid(field, "must be a string")
	}
	return s, nil
}

func decodeInt(raw json.RawMessage, field string) (int, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, concernmap.Invalid(field, "must be a whole number")
	}
	i, err := strconv.ParseInt(n.String(), 10, 32)
	if err != nil {
		return 0, concernmap.Invalid(field, "must be a whole number")
	}
	return int(i), nil
}

func decodeTime(raw json.RawMessage, field string) (time.Time, error) {
	s, err := decodeString(raw, field)
	if err != nil {
		return time.Time{}, concernmap.Invalid(field, "must be an RFC 3339 time string")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, concernmap.Invalid(field, "must be an RFC 3339 time such as 2026-03-01T18:30:00+06:30")
	}
	return t.UTC().Truncate(time.Microsecond), nil
}

func decodeAffected(raw json.RawMessage, field string) (concernmap.Affected, error) {
	var names []string
	if err := json.Unmarshal(raw, &names); err != nil {
		return 0, concernmap.Invalid(field, "must be a list of group names")
	}
	a, err := concernmap.ParseAffected(names)
	if err != nil {
		return 0, concernmap.Invalid(field, "%v", err)
	}
	return a, nil
}

func decodeWhen(raw json.RawMessage, field string) (concernmap.When, error) {
	m, err := members(raw, field, "kind", "from", "to")
	if err != nil {
		return concernmap.When{}, err
	}
	var w concernmap.When
	kind, err := decodeString(m["kind"], field+".kind")
	if m["kind"] == nil || err != nil {
		return w, concernmap.Invalid(field+".kind", "is required: one of always, day, night, dry_season, rainy_season, window")
	}
	w.Kind = concernmap.WhenKind(kind)
	for _, part := range []struct {
		name string
		dst  *int
	}{{"from", &w.From}, {"to", &w.To}} {
		raw, ok := m[part.name]
		if !ok {
			if w.Kind == concernmap.WhenWindow {
				return w, concernmap.Invalid(field+"."+part.name, "is required for a window, as HH:MM")
			}
			continue
		}
		s, err := decodeString(raw, field+"."+part.name)
		if err != nil {
			return w, err
		}
		if *part.dst, err = concernmap.ParseClock(s); err != nil {
			return w, concernmap.Invalid(field+"."+part.name, "%v", err)
		}
	}
	return w, w.Validate(field)
}

func decodeGeometry(raw json.RawMessage, field string) (orb.Geometry, error) {
	g, err := geo.ParseGeometry(raw)
	if err != nil {
		var ge *geo.Error
		if errors.As(err, &ge) {
			return nil, concernmap.Invalid(join(field, ge.Path), "%s", ge.Message)
		}
		return nil, concernmap.Invalid(field, "%v", err)
	}
	return g, nil
}

func decodeUUID(s, field string) (uuid.UUID, error) {
	// uuid.Parse also takes braces and urn: forms; the API takes one form.
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 || id == uuid.Nil {
		return uuid.Nil, concernmap.Invalid(field, "must be a UUID such as 0b6c9c5e-3f0e-4c1e-9a4e-2a8f5b7d1c3e")
	}
	return id, nil
}

// decodeFeature turns a POST body into a concern.
func decodeFeature(body []byte) (*concernmap.Concern, error) {
	m, err := members(body, "", "type", "id", "geometry", "properties", "bbox")
	if err != nil {
		return nil, err
	}
	if t, err := decodeString(m["type"], "type"); err != nil || t != "Feature" {
		return nil, concernmap.Invalid("type", `must be "Feature"`)
	}
	idRaw, ok := m["id"]
	if !ok {
		return nil, concernmap.Invalid("id", "is required: the client chooses a UUID so that retries are safe")
	}
	idStr, err := decodeString(idRaw, "id")
	if err != nil {
		return nil, concernmap.Invalid("id", "must be a UUID string")
	}
	c := &concernmap.Concern{}
	if c.ID, err = decodeUUID(idStr, "id"); err != nil {
		return nil, err
	}
	if raw, ok := m["geometry"]; !ok || isNull(raw) {
		return nil, concernmap.Invalid("geometry", "is required")
	} else if c.Geometry, err = decodeGeometry(raw, "geometry"); err != nil {
		return nil, err
	}
	raw, ok := m["properties"]
	if !ok || isNull(raw) {
		return nil, concernmap.Invalid("properties", "is required")
	}
	props, err := members(raw, "properties", "category", "title", "description", "severity",
		"affected", "when_dangerous", "observed_at", "reported_at", "anonymous")
	if err != nil {
		return nil, err
	}
	if raw, ok := props["anonymous"]; ok {
		if err := json.Unmarshal(raw, &c.Anonymous); err != nil {
			return nil, concernmap.Invalid("properties.anonymous", "must be true or false")
		}
		delete(props, "anonymous")
	}
	for _, req := range []string{"category", "title", "severity"} {
		if _, ok := props[req]; !ok {
			return nil, concernmap.Invalid("properties."+req, "is required")
		}
	}
	if err := applyProperties(props, c, nil); err != nil {
		return nil, err
	}
	return c, nil
}

// applyProperties decodes the writable properties into c (create) or upd
// (patch); exactly one of them is non-nil.
func applyProperties(props map[string]json.RawMessage, c *concernmap.Concern, upd *concernmap.ConcernUpdate) error {
	for key, raw := range props {
		field := "properties." + key
		var err error
		switch key {
		case "category", "title", "description":
			var s string
			if key == "description" && isNull(raw) {
				s = ""
			} else if s, err = decodeString(raw, field); err != nil {
				return err
			}
			if c != nil {
				switch key {
				case "category":
					c.Category = s
				case "title":
					c.Title = s
				default:
					c.Description = s
				}
			} else {
				switch key {
				case "category":
					upd.Category = &s
				case "title":
					upd.Title = &s
				default:
					upd.Description = &s
				}
			}
		case "severity":
			var n int
			if n, err = decodeInt(raw, field); err != nil {
				return err
			}
			if c != nil {
				c.Severity = n
			} else {
				upd.Severity = &n
			}
		case "affected":
			var a concernmap.Affected
			if a, err = decodeAffected(raw, field); err != nil {
				return err
			}
			if c != nil {
				c.Affected = a
			} else {
				upd.Affected = &a
			}
		case "when_dangerous":
			var w concernmap.When
			if w, err = decodeWhen(raw, field); err != nil {
				return err
			}
			if c != nil {
				c.WhenDangerous = w
			} else {
				upd.WhenDangerous = &w
			}
		case "observed_at", "reported_at":
			var t time.Time
			if t, err = decodeTime(raw, field); err != nil {
				return err
			}
			switch {
			case c != nil && key == "observed_at":
				c.ObservedAt = t
			case c != nil:
				c.ReportedAt = t
			default:
				upd.ObservedAt = &t
			}
		}
	}
	return nil
}

// decodePatch turns a PATCH body, a partial Feature, into an update.
func decodePatch(body []byte, id uuid.UUID) (concernmap.ConcernUpdate, error) {
	var upd concernmap.ConcernUpdate
	m, err := members(body, "", "type", "id", "geometry", "properties")
	if err != nil {
		return upd, err
	}
	if raw, ok := m["type"]; ok {
		if t, err := decodeString(raw, "type"); err != nil || t != "Feature" {
			return upd, concernmap.Invalid("type", `must be "Feature"`)
		}
	}
	if raw, ok := m["id"]; ok {
		s, err := decodeString(raw, "id")
		if err != nil || s != id.String() {
			return upd, concernmap.Invalid("id", "must match the concern in the URL, or be left out")
		}
	}
	if raw, ok := m["geometry"]; ok {
		if upd.Geometry, err = decodeGeometry(raw, "geometry"); err != nil {
			return upd, err
		}
	}
	if raw, ok := m["properties"]; ok {
		props, err := members(raw, "properties", "category", "title", "description", "severity",
			"affected", "when_dangerous", "observed_at")
		if err != nil {
			return upd, err
		}
		if err := applyProperties(props, nil, &upd); err != nil {
			return upd, err
		}
	}
	return upd, nil
}

// decodeSearchGeometry takes a GeoJSON geometry, or a Feature holding one.
func decodeSearchGeometry(body []byte) (orb.Geometry, error) {
	var probe struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(body, &probe)
	if probe.Type != "Feature" {
		return decodeGeometry(body, "geometry")
	}
	m, err := members(body, "", "type", "id", "geometry", "properties", "bbox")
	if err != nil {
		return nil, err
	}
	raw, ok := m["geometry"]
	if !ok || isNull(raw) {
		return nil, concernmap.Invalid("geometry", "is required")
	}
	return decodeGeometry(raw, "geometry")
}
