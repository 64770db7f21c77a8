package tiles

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

var update = flag.Bool("update", false, "rewrite the golden tiles in testdata")

// base is the z14 tile over central Yangon that the fixture is drawn on.
var base = maptile.At(orb.Point{96.16, 16.80}, 14)

// at returns the point at fraction (fx, fy) of tile t, fx east from its
// west edge and fy south from its north edge; fractions outside [0, 1]
// reach into the neighbours.
func at(t maptile.Tile, fx, fy float64) orb.Point {
	n := float64(uint64(1) << t.Z)
	return orb.Point{
		(float64(t.X)+fx)/n*360 - 180,
		math.Atan(math.Sinh(math.Pi*(1-2*(float64(t.Y)+fy)/n))) * 180 / math.Pi,
	}
}

func rect(t maptile.Tile, fx0, fy0, fx1, fy1 float64) orb.Ring {
	// Counter-clockwise in lon/lat, as RFC 7946 winds an exterior.
	return orb.Ring{at(t, fx0, fy1), at(t, fx1, fy1), at(t, fx1, fy0), at(t, fx0, fy0), at(t, fx0, fy1)}
}

type categoryKey string

// fixture is every kind of feature a tile meets: points with every kind
// of property, a long wiggly line crossing the east edge, a polygon with a
// hole, one wound the wrong way, one too small for low zooms, an area
// bigger than the tile, and features far outside every golden tile.
func fixture() []Layer {
	wiggly := make(orb.LineString, 0, 51)
	for i := range 51 {
		// Wiggles of a twentieth of a pixel at z14: simplification takes
		// them out.
		w := 0.00005 * float64(i%2)
		wiggly = append(wiggly, at(base, 0.5+float64(i)/50, 0.8+0.1*float64(i)/50+w))
	}
	hole := rect(base, 0.2, 0.65, 0.3, 0.8)
	hole.Reverse()
	backwards := orb.Ring{at(base, 0.6, 0.1), at(base, 0.9, 0.1), at(base, 0.75, 0.3), at(base, 0.6, 0.1)}
	if backwards.Orientation() != orb.CW {
		panic("fixture: backwards triangle is not clockwise")
	}
	feature := func(id string, g orb.Geometry, props geojson.Properties) *geojson.Feature {
		f := geojson.NewFeature(g)
		f.Properties = props
		f.Properties["id"] = id
		return f
	}
	return []Layer{
		{Name: "concerns", Features: []*geojson.Feature{
			feature("a", at(base, 0.25, 0.25), geojson.Properties{
				"category": "landmine_uxo",
				"severity": 5,
				"verified": true,
				"score":    0.5,
				"observed": time.Date(2024, 3, 1, 18, 30, 0, 0, time.UTC),
				"reporter": nil,
				"affected": []string{"girls", "boys"},
				"kind":     categoryKey("point"),
			}),
			feature("b", at(base, 0.75, 0.5), geojson.Properties{"category": "unlit_road", "severity": int64(2)}),
			feature("l", wiggly, geojson.Properties{"category": "night_route"}),
			feature("p", orb.Polygon{rect(base, 0.1, 0.55, 0.4, 0.9), hole}, geojson.Properties{"category": "flooding"}),
			feature("q", orb.Polygon{backwards}, geojson.Properties{"category": "armed_actor"}),
			feature("tiny", orb.Polygon{rect(base, 0.45, 0.45, 0.46, 0.46)}, geojson.Properties{"category": "other"}),
			feature("far", at(base, -40, -40), geojson.Properties{"category": "other"}),
		}},
		{Name: "areas", Features: []*geojson.Feature{
			feature("tract", orb.Polygon{rect(base, -0.5, -0.5, 1.8, 1.5)}, geojson.Properties{
				"pcode": "MMR013001001", "name_en": "Bahan", "name_my": "ဗဟန်း",
			}),
		}},
		{Name: "empty", Features: []*geojson.Feature{
			feature("far", orb.LineString{at(base, 40, 40), at(base, 41, 41)}, geojson.Properties{}),
		}},
	}
}

// shape is what a golden tile must hold of a feature: its geometry type
// and, for polygons, the number of rings.
type shape struct {
	typ   string
	rings int
}

var goldens = []struct {
	name string
	tile maptile.Tile
	want map[string]map[string]shape // layer → id → shape
}{
	{"base", base, map[string]map[string]shape{
		"concerns": {
			"a": {"Point", 0}, "b": {"Point", 0}, "l": {"LineString", 0},
			"p": {"Polygon", 2}, "q": {"Polygon", 1}, "tiny": {"Polygon", 1},
		},
		"areas": {"tract": {"Polygon", 1}},
	}},
	{"east neighbour", maptile.New(base.X+1, base.Y, base.Z), map[string]map[string]shape{
		"concerns": {"l": {"LineString", 0}},
		"areas":    {"tract": {"Polygon", 1}},
	}},
	{"z12 parent", base.Parent().Parent(), map[string]map[string]shape{
		// tiny is 10 units across here, under a pixel: gone.
		"concerns": {"a": {"Point", 0}, "b": {"Point", 0}, "l": {"LineString", 0}, "p": {"Polygon", 2}, "q": {"Polygon", 1}},
		"areas":    {"tract": {"Polygon", 1}},
	}},
}

func goldenPath(t maptile.Tile) string {
	return filepath.Join("testdata", fmt.Sprintf("%d-%d-%d.mvt", t.Z, t.X, t.Y))
}

func TestEncodeGolden(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			got, err := Encode(g.tile, fixture())
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			checkTile(t, got, g.want)
			path := goldenPath(g.tile)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got %d bytes differing from %s (%d bytes); if the change is meant, run go test -update", len(got), path, len(want))
			}
		})
	}
}

// checkTile decodes b and checks that it holds exactly the features of
// want, with their geometry types, rings wound as MVT requires, and
// coordinates inside the buffer.
func checkTile(t *testing.T, b []byte, want map[string]map[string]shape) {
	t.Helper()
	layers, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatalf("mvt.Unmarshal: %v", err)
	}
	got := make(map[string]map[string]shape)
	for _, l := range layers {
		if l.Extent != Extent || l.Version != 2 {
			t.Errorf("layer %s: got extent %d version %d, want %d and 2", l.Name, l.Extent, l.Version, Extent)
		}
		got[l.Name] = make(map[string]shape)
		for _, f := range l.Features {
			id, _ := f.Properties["id"].(string)
			s := shape{typ: f.Geometry.GeoJSONType()}
			if p, ok := f.Geometry.(orb.Polygon); ok {
				s.rings = len(p)
				for i, r := range p {
					// Decoded rings are in tile coordinates, y down: the
					// spec's exterior has positive area, orb's CCW.
					if wantCCW := i == 0; (r.Orientation() == orb.CCW) != wantCCW {
						t.Errorf("layer %s feature %s ring %d: got orientation %v, want exterior CCW and holes CW", l.Name, id, i, r.Orientation())
					}
				}
			}
			if _, dup := got[l.Name][id]; dup {
				t.Errorf("layer %s: got feature %q twice", l.Name, id)
			}
			got[l.Name][id] = s
			bb := f.Geometry.Bound()
			if bb.Min[0] < -Buffer || bb.Min[1] < -Buffer || bb.Max[0] > Extent+Buffer || bb.Max[1] > Extent+Buffer {
				t.Errorf("layer %s feature %s: got bound %v, want it within the buffer", l.Name, id, bb)
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got features %v, want %v", got, want)
	}
}

func TestEncodeProperties(t *testing.T) {
	b, err := Encode(base, fixture())
	if err != nil {
		t.Fatal(err)
	}
	layers, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	// The decoder reads every number as float64.
	want := geojson.Properties{
		"id":       "a",
		"category": "landmine_uxo",
		"severity": 5.0,
		"verified": true,
		"score":    0.5,
		"observed": "2024-03-01T18:30:00Z",
		"affected": `["girls","boys"]`,
		"kind":     "point",
	}
	for _, f := range layers[0].Features {
		if f.Properties["id"] == "a" {
			if !reflect.DeepEqual(f.Properties, want) {
				t.Errorf("got properties %v, want %v", f.Properties, want)
			}
			return
		}
	}
	t.Fatalf("got no feature a in layer %s", layers[0].Name)
}

func TestEncodeGeometry(t *testing.T) {
	b, err := Encode(base, fixture())
	if err != nil {
		t.Fatal(err)
	}
	layers, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	byID := make(map[string]orb.Geometry)
	for _, f := range layers[0].Features {
		byID[f.Properties["id"].(string)] = f.Geometry
	}
	if got, want := byID["a"], (orb.Point{1024, 1024}); got != want {
		t.Errorf("got a at %v, want %v", got, want)
	}
	// The wiggles are gone, and the line ends where the buffer cuts it.
	l := byID["l"].(orb.LineString)
	if len(l) != 2 {
		t.Errorf("got line of %d points %v, want 2", len(l), l)
	}
	if got := l[len(l)-1][0]; got != Extent+Buffer {
		t.Errorf("got line ending at x=%v, want %v", got, Extent+Buffer)
	}
	p := byID["p"].(orb.Polygon)
	for i, r := range p {
		if len(r) != 5 {
			t.Errorf("got ring %d of %d points, want 5: %v", i, len(r), r)
		}
	}
}

func TestMVTProperties(t *testing.T) {
	type flag bool
	type level uint8
	in := geojson.Properties{
		"s": "x", "b": true, "i": 1, "i64": int64(2), "f": 0.5,
		"i8": int8(-3), "u": uint(4), "u64": uint64(math.MaxUint64), "f32": float32(0.25),
		"named bool": flag(true), "named uint": level(7), "stringer": time.Second,
		"nil": nil, "map": map[string]int{"a": 1},
		"time": time.Date(2024, 3, 1, 18, 30, 0, 5, time.FixedZone("MMT", 23400)),
	}
	want := geojson.Properties{
		"s": "x", "b": true, "i": int64(1), "i64": int64(2), "f": 0.5,
		"i8": int64(-3), "u": int64(4), "u64": float64(math.MaxUint64), "f32": 0.25,
		"named bool": true, "named uint": int64(7), "stringer": "1s",
		"map": `{"a":1}`, "time": "2024-03-01T12:00:00.000000005Z",
	}
	got, err := mvtProperties(in)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, %v, want %v", got, err, want)
	}
	// Properties that need nothing are used as they are.
	ok := geojson.Properties{"s": "x", "n": 1}
	if got, _ := mvtProperties(ok); reflect.ValueOf(got).Pointer() != reflect.ValueOf(ok).Pointer() {
		t.Errorf("got a copy of properties that needed none")
	}
}

func TestEncodeBound(t *testing.T) {
	b := orb.Bound{Min: at(base, 0.25, 0.75), Max: at(base, 0.75, 0.25)}
	got, err := Encode(base, []Layer{{Name: "boxes", Features: []*geojson.Feature{{Geometry: b}}}})
	if err != nil {
		t.Fatal(err)
	}
	checkTile(t, got, map[string]map[string]shape{"boxes": {"": {"Polygon", 1}}})
}

func TestEncodeLeavesInputAlone(t *testing.T) {
	in := fixture()
	if _, err := Encode(base, in); err != nil {
		t.Fatal(err)
	}
	// Times do not survive DeepEqual's comparison of locations; compare
	// what they say.
	if got, want := fmt.Sprint(layerDump(in)), fmt.Sprint(layerDump(fixture())); got != want {
		t.Errorf("got input changed to\n%s\nwant\n%s", got, want)
	}
}

func layerDump(ls []Layer) []string {
	var out []string
	for _, l := range ls {
		for _, f := range l.Features {
			keys := make([]string, 0, len(f.Properties))
			for k := range f.Properties {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var b strings.Builder
			fmt.Fprintf(&b, "%s %v", l.Name, f.Geometry)
			for _, k := range keys {
				fmt.Fprintf(&b, " %s=%v", k, f.Properties[k])
			}
			out = append(out, b.String())
		}
	}
	return out
}

func TestEncodeEmpty(t *testing.T) {
	tests := []struct {
		name   string
		tile   maptile.Tile
		layers []Layer
	}{
		{"no layers", base, nil},
		{"empty layer", base, []Layer{{Name: "concerns"}}},
		{"features elsewhere", maptile.New(0, 0, 14), fixture()},
		{"nil feature and geometry", base, []Layer{{Name: "x", Features: []*geojson.Feature{nil, {Properties: geojson.Properties{}}}}}},
		{"only degenerate shapes", base, []Layer{{Name: "x", Features: []*geojson.Feature{
			geojson.NewFeature(orb.LineString{at(base, 0.5, 0.5), at(base, 0.5, 0.5)}),
			geojson.NewFeature(orb.Polygon{{at(base, 0.5, 0.5), at(base, 0.6, 0.6), at(base, 0.5, 0.5)}}),
			geojson.NewFeature(orb.MultiPolygon{{}}),
			geojson.NewFeature(orb.LineString{}),
		}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Encode(tt.tile, tt.layers)
			if got != nil || err != nil {
				t.Errorf("got %d bytes, %v, want nil, nil", len(got), err)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	pt := geojson.NewFeature(at(base, 0.5, 0.5))
	tests := []struct {
		name   string
		layers []Layer
		want   string
	}{
		{"layer twice", []Layer{{Name: "a", Features: []*geojson.Feature{pt}}, {Name: "a"}}, `layer "a" given twice`},
		{"collection", []Layer{{Name: "a", Features: []*geojson.Feature{geojson.NewFeature(orb.Collection{at(base, 0.5, 0.5)})}}}, "feature 0: geometry collections are not supported"},
		{"property that is not JSON", []Layer{{Name: "a", Features: []*geojson.Feature{
			{Geometry: at(base, 0.5, 0.5), Properties: geojson.Properties{"f": func() {}}},
		}}}, `feature 0: property "f"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Encode(base, tt.layers)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %d bytes, %v, want an error containing %q", len(got), err, tt.want)
			}
		})
	}
}

func TestEncodeTruncates(t *testing.T) {
	n := MaxFeatures + 10
	fs := make([]*geojson.Feature, n)
	for i := range fs {
		fs[i] = &geojson.Feature{Geometry: at(base, float64(i%1000)/1000, float64(i/1000)/100)}
	}
	b, err := Encode(base, []Layer{{Name: "concerns", Features: fs}, {Name: "more", Features: fs[:1]}})
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("got error %v, want ErrTruncated", err)
	}
	layers, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 || len(layers[0].Features) != MaxFeatures {
		t.Errorf("got %d layers, the first of %d features, want 1 of %d", len(layers), len(layers[0].Features), MaxFeatures)
	}
}

func TestTidy(t *testing.T) {
	sq := func(x0, y0, x1, y1 float64) orb.Ring {
		// Positive area in tile coordinates: MVT's exterior.
		return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	}
	rev := func(r orb.Ring) orb.Ring { r = slices.Clone(r); r.Reverse(); return r }
	tests := []struct {
		name string
		in   orb.Geometry
		want orb.Geometry
	}{
		{"point", orb.Point{1, 2}, orb.Point{1, 2}},
		{"repeats dropped", orb.LineString{{0, 0}, {0, 0}, {5, 5}, {5, 5}, {9, 9}}, orb.LineString{{0, 0}, {5, 5}, {9, 9}}},
		{"line of one point", orb.LineString{{3, 3}, {3, 3}, {3, 3}}, nil},
		{"empty line", orb.LineString{}, nil},
		{"multiline loses a degenerate part", orb.MultiLineString{{{1, 1}, {1, 1}}, {{0, 0}, {2, 2}}}, orb.MultiLineString{{{0, 0}, {2, 2}}}},
		{"multiline all degenerate", orb.MultiLineString{{{1, 1}}}, nil},
		{"exterior kept", orb.Polygon{sq(0, 0, 10, 10)}, orb.Polygon{sq(0, 0, 10, 10)}},
		{"exterior rewound", orb.Polygon{rev(sq(0, 0, 10, 10))}, orb.Polygon{sq(0, 0, 10, 10)}},
		{"hole rewound", orb.Polygon{sq(0, 0, 10, 10), sq(2, 2, 4, 4)}, orb.Polygon{sq(0, 0, 10, 10), rev(sq(2, 2, 4, 4))}},
		{"open ring closed", orb.Polygon{{{0, 0}, {10, 0}, {10, 10}}}, orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 0}}}},
		{"flat exterior", orb.Polygon{{{0, 0}, {5, 0}, {10, 0}, {0, 0}}}, nil},
		{"collapsed exterior", orb.Polygon{{{0, 0}, {0, 0}, {5, 5}, {0, 0}}}, nil},
		{"collapsed hole dropped", orb.Polygon{sq(0, 0, 10, 10), {{2, 2}, {2, 2}, {2, 2}, {2, 2}}}, orb.Polygon{sq(0, 0, 10, 10)}},
		{"no rings", orb.Polygon{}, nil},
		{"multipolygon loses a part", orb.MultiPolygon{{sq(0, 0, 1, 1)}, {{{5, 5}, {6, 6}, {5, 5}}}}, orb.MultiPolygon{{sq(0, 0, 1, 1)}}},
		{"multipolygon all gone", orb.MultiPolygon{{}}, nil},
		{"ring", sq(0, 0, 3, 3), orb.Polygon{sq(0, 0, 3, 3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tidy(orb.Clone(tt.in))
			if tt.want == nil {
				if got != nil {
					t.Errorf("got %v, want nil", got)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGzip(t *testing.T) {
	raw, err := Encode(base, fixture())
	if err != nil {
		t.Fatal(err)
	}
	z := Gzip(raw)
	if len(z) < 2 || z[0] != 0x1f || z[1] != 0x8b {
		t.Fatalf("got %x..., want a gzip stream", z[:min(len(z), 4)])
	}
	back, err := Gunzip(z)
	if err != nil || !bytes.Equal(back, raw) {
		t.Fatalf("got %d bytes, %v back, want the %d bytes put in", len(back), err, len(raw))
	}
	// The same tile compresses to the same bytes, so cached bodies agree
	// between instances.
	if again := Gzip(raw); !bytes.Equal(again, z) {
		t.Errorf("got different bytes compressing twice")
	}
	if got := Gzip(nil); got != nil {
		t.Errorf("got %x for an empty tile, want nil", got)
	}
	if _, err := Gunzip([]byte("not gzip")); err == nil {
		t.Errorf("got no error from Gunzip of junk")
	}
}

func TestETag(t *testing.T) {
	a, b := ETag([]byte("tile one")), ETag([]byte("tile two"))
	if a == b || a[0] != '"' || a[len(a)-1] != '"' {
		t.Errorf("got %s and %s, want two different quoted tags", a, b)
	}
	if again := ETag([]byte("tile one")); again != a {
		t.Errorf("got %s, want %s again", again, a)
	}
}
