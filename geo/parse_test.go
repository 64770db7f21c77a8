package geo

import (
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestParseGeometry(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want orb.Geometry
	}{
		{"point", `{"type":"Point","coordinates":[100.5,16.75]}`, orb.Point{100.5, 16.75}},
		{"altitude is dropped", `{"type":"Point","coordinates":[100.5,16.75,250]}`, orb.Point{100.5, 16.75}},
		{"coordinates before type", `{"coordinates":[1,2],"type":"Point"}`, orb.Point{1, 2}},
		{"bbox is allowed", `{"type":"Point","bbox":[1,2,1,2],"coordinates":[1,2]}`, orb.Point{1, 2}},
		{"3D bbox", `{"type":"Point","bbox":[1,2,0,1,2,0],"coordinates":[1,2,0]}`, orb.Point{1, 2}},
		{"whitespace", " {\n\t\"type\" : \"Point\" ,\r\n \"coordinates\" : [ 1 , 2 ] } \n", orb.Point{1, 2}},
		{"escaped member name", `{"typ\u0065":"Point","coordinates":[1,2]}`, orb.Point{1, 2}},
		{"exponents and negative zero", `{"type":"Point","coordinates":[-0,1.5E+1]}`, orb.Point{0, 15}},
		{"underflow is zero", `{"type":"Point","coordinates":[1e-400,0]}`, orb.Point{0, 0}},
		{"linestring", `{"type":"LineString","coordinates":[[0,0],[1,1,5]]}`, orb.LineString{{0, 0}, {1, 1}}},
		{"empty linestring parses", `{"type":"LineString","coordinates":[]}`, orb.LineString{}},
		{"polygon", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`,
			orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}},
		{"multipoint", `{"type":"MultiPoint","coordinates":[[0,0],[1,1]]}`, orb.MultiPoint{{0, 0}, {1, 1}}},
		{"multilinestring", `{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2],[3,3]]]}`,
			orb.MultiLineString{{{0, 0}, {1, 1}}, {{2, 2}, {3, 3}}}},
		{"multipolygon", `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}`,
			orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, {{{5, 5}, {6, 5}, {6, 6}, {5, 5}}}}},
		{"empty multipolygon parses", `{"type":"MultiPolygon","coordinates":[]}`, orb.MultiPolygon{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseGeometry([]byte(tt.in))
			if err != nil {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestParseGeometryErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		path string
		msg  string // "" to check only the path; else a substring
	}{
		{"geometry collection", `{"type":"GeometryCollection","geometries":[]}`, "type", `unsupported geometry type "GeometryCollection"`},
		{"feature", `{"type":"Feature","geometry":null,"properties":{}}`, "type", `unsupported geometry type "Feature"`},
		{"lower-case type", `{"type":"point","coordinates":[1,2]}`, "type", "unsupported geometry type"},
		{"type not a string", `{"type":1,"coordinates":[1,2]}`, "type", "must be a string"},
		{"type missing", `{"coordinates":[1,2]}`, "type", "is required"},
		{"type twice", `{"type":"Point","type":"Point","coordinates":[1,2]}`, "type", "is given twice"},
		{"coordinates missing", `{"type":"Point"}`, "coordinates", "is required"},
		{"coordinates twice", `{"type":"Point","coordinates":[1,2],"coordinates":[1,2]}`, "coordinates", "is given twice"},
		{"unknown member", `{"type":"Point","coordinates":[1,2],"crs":{}}`, "", `unknown member "crs"`},
		{"foreign member", `{"type":"Point","title":"x","coordinates":[1,2]}`, "", `unknown member "title"`},
		{"point not an array", `{"type":"Point","coordinates":"1,2"}`, "coordinates", "must be an array, not a string"},
		{"point null", `{"type":"Point","coordinates":null}`, "coordinates", "must be an array, not null"},
		{"point one number", `{"type":"Point","coordinates":[1]}`, "coordinates", "must be a position of 2 or 3 numbers, not 1"},
		{"point four numbers", `{"type":"Point","coordinates":[1,2,3,4]}`, "coordinates", "must be a position of 2 or 3 numbers, not 4"},
		{"point empty", `{"type":"Point","coordinates":[]}`, "coordinates", "must be a position of 2 or 3 numbers, not 0"},
		{"number as string", `{"type":"Point","coordinates":[1,"2"]}`, "coordinates[1]", "must be a number, not a string"},
		{"position not an array", `{"type":"LineString","coordinates":[[0,0],"a"]}`, "coordinates[1]", "must be an array, not a string"},
		{"null number", `{"type":"LineString","coordinates":[[0,0],[1,null]]}`, "coordinates[1][1]", "must be a number, not null"},
		{"boolean in ring", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0,0],true]]}`, "coordinates[1][1]", "must be an array, not a boolean"},
		{"object in multipolygon", `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0],[1,0],[1,1],{}]]]}`, "coordinates[1][0][3]", "must be an array, not an object"},
		{"rings not arrays", `{"type":"Polygon","coordinates":[1]}`, "coordinates[0]", "must be an array, not a number"},
		{"overflow", `{"type":"Point","coordinates":[1e400,0]}`, "coordinates[0]", "must be a finite number"},
		{"negative overflow in altitude", `{"type":"Point","coordinates":[0,0,-1e400]}`, "coordinates[2]", "must be a finite number"},
		{"bbox too short", `{"type":"Point","bbox":[1,2,3],"coordinates":[1,2]}`, "bbox", "must have 4 or 6 numbers, not 3"},
		{"bbox not an array", `{"type":"Point","bbox":"x","coordinates":[1,2]}`, "bbox", "must be an array"},
		{"bbox overflow", `{"type":"Point","bbox":[1,2,3,1e999],"coordinates":[1,2]}`, "bbox[3]", "must be a finite number"},
		{"not an object", `[1,2]`, "", "must be a JSON object"},
		{"null", `null`, "", "must be a JSON object"},
		{"empty input", ``, "", "invalid JSON"},
		{"empty object", `{}`, "type", "is required"},
		{"unterminated", `{"type":"Point","coordinates":[1,2]`, "", "invalid JSON"},
		{"trailing data", `{"type":"Point","coordinates":[1,2]} {}`, "", "invalid JSON"},
		{"trailing comma", `{"type":"Point","coordinates":[1,2],}`, "", "invalid JSON"},
		{"trailing comma in array", `{"type":"Point","coordinates":[1,2,]}`, "", "invalid JSON"},
		{"leading zero", `{"type":"Point","coordinates":[01,2]}`, "", "invalid JSON"},
		{"NaN literal", `{"type":"Point","coordinates":[NaN,2]}`, "", "invalid JSON"},
		{"plus sign", `{"type":"Point","coordinates":[+1,2]}`, "", "invalid JSON"},
		{"bare point", `{"type":"Point","coordinates":[1.,2]}`, "", "invalid JSON"},
		{"single quotes", `{'type':'Point'}`, "", "invalid JSON"},
		{"bad escape", `{"type":"Po\int","coordinates":[1,2]}`, "", "invalid JSON"},
		{"control character", "{\"type\":\"Po\nint\",\"coordinates\":[1,2]}", "", "invalid JSON"},
		{"invalid UTF-8", "{\"type\xff\":\"Point\",\"coordinates\":[1,2]}", "", "not valid UTF-8"},
		{"too deep", `{"type":"Point","coordinates":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, "", "nested more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := ParseGeometry([]byte(tt.in))
			if err == nil {
				t.Fatalf("got %v, want an error at %q", g, tt.path)
			}
			wantError(t, err, tt.path, "")
			if !strings.Contains(err.(*Error).Message, tt.msg) {
				t.Errorf("got message %q, want it to contain %q", err.(*Error).Message, tt.msg)
			}
		})
	}
}

// TestParseGeometryRoundTrip checks that what ParseGeometry reads,
// AppendGeoJSON writes back, and the result parses to the same geometry.
func TestParseGeometryRoundTrip(t *testing.T) {
	tests := []string{
		`{"type":"Point","coordinates":[96.1951,16.8661]}`,
		`{"type":"Point","coordinates":[-180,-90]}`,
		`{"type":"Point","coordinates":[0.1,0.30000000000000004]}`,
		`{"type":"Point","coordinates":[1e-7,-5e-324]}`,
		`{"type":"LineString","coordinates":[[96.1,16.8],[96.2,16.9]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[2,2],[2,4],[4,4],[2,2]]]}`,
		`{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}`,
		`{"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[[5,6],[7,8]]]}`,
		`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}`,
	}
	for _, in := range tests {
		g, err := ParseGeometry([]byte(in))
		if err != nil {
			t.Fatalf("parse %s: %v", in, err)
		}
		out := AppendGeoJSON(nil, g)
		if string(out) != in {
			t.Errorf("got %s, want %s", out, in)
		}
		g2, err := ParseGeometry(out)
		if err != nil {
			t.Fatalf("parse %s: %v", out, err)
		}
		if !reflect.DeepEqual(g2, g) {
			t.Errorf("got %v, want %v", g2, g)
		}
	}
}

// FuzzParseGeometry checks that ParseGeometry never panics, fails only with
// *Error, and that what it accepts round-trips through AppendGeoJSON, and
// that Validate never panics on it.
func FuzzParseGeometry(f *testing.F) {
	f.Add([]byte(`{"type":"Point","coordinates":[100.5,16.75]}`))
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ParseGeometry(data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("got error %T %v, want *Error", err, err)
			}
			return
		}
		_ = Validate(g, 100)
		out := AppendGeoJSON(nil, g)
		g2, err := ParseGeometry(out)
		if err != nil {
			t.Fatalf("reparse %s: %v", out, err)
		}
		if !reflect.DeepEqual(g2, g) {
			t.Fatalf("got %v after round trip, want %v", g2, g)
		}
		if out2 := AppendGeoJSON(nil, g2); string(out2) != string(out) {
			t.Fatalf("got %s on second encoding, want %s", out2, out)
		}
	})
}
