package api

import (
	"encoding/json"
	"testing"

	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
)

func TestSyntaxPath(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{`{"type":"Feature","id":`, "id"},
		{`{"properties":{"severity":5,}}`, "properties.severity"},
		{`{"geometry":{"type":"Point","coordinates":[97,NaN]}}`, "geometry.coordinates[1]"},
		{`{"a":[1,2,{"b":tru}]}`, "a[2].b"},
		{`nope`, "body"},
		{``, "body"},
	}
	for _, tt := range tests {
		if got := syntaxPath([]byte(tt.body)); got != tt.want {
			t.Errorf("syntaxPath(%q): got %q, want %q", tt.body, got, tt.want)
		}
	}
}

// FuzzDecodeFeature checks that no body panics the decoder, and that what
// it accepts and the domain validates survives encoding and decoding again.
func FuzzDecodeFeature(f *testing.F) {
	f.Add([]byte(`{"type":"Feature","id":"5f0c7c3e-8a51-4d0e-9a8e-7b1f6f2c9d41","geometry":{"type":"Point","coordinates":[97.6,16.9]},"properties":{"category":"landmine_uxo","title":"t","severity":5}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			_ = syntaxPath(body)
			return
		}
		c, err := decodeFeature(body)
		if err != nil {
			if concernmap.ErrorCode(err) != concernmap.EINVALID || len(concernmap.ErrorFields(err)) == 0 {
				t.Fatalf("error without a field: %v", err)
			}
			return
		}
		c.Status, c.Version = concernmap.StatusReported, 1
		if c.ReportedAt.IsZero() {
			c.ReportedAt = c.ObservedAt
		}
		if c.WhenDangerous.Kind == "" {
			c.WhenDangerous.Kind = concernmap.WhenAlways
		}
		if c.Validate() != nil {
			return
		}
		// The reporter is not an input, and the encoder writes every field.
		again, err := decodeFeature(trimOutputOnly(t, c.AppendFeature(nil, false)))
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if again.ID != c.ID || again.Title != c.Title || again.Description != c.Description ||
			again.Severity != c.Severity || again.Affected != c.Affected || again.WhenDangerous != c.WhenDangerous ||
			!again.ObservedAt.Equal(c.ObservedAt) || !orb.Equal(again.Geometry, c.Geometry) {
			t.Fatalf("round trip changed the concern:\n got %+v\nwant %+v", again, c)
		}
	})
}

// trimOutputOnly drops the properties the server sets, so that an encoded
// concern is a valid request body again.
func trimOutputOnly(t *testing.T, b []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("encoded feature is not JSON: %v", err)
	}
	props := m["properties"].(map[string]any)
	for _, k := range []string{"status", "updated_at", "area", "version"} {
		delete(props, k)
	}
	out, _ := json.Marshal(m)
	return out
}
