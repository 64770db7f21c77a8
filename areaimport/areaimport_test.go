package areaimport

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/geo"
)

// readFixture returns a file under testdata.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// mimuAreas are the areas of testdata/mimu_vt.geojson: three village
// tracts of one township that share their edges exactly, one a
// MultiPolygon and one with a hole.
func mimuAreas(source string) []*concernmap.Area {
	vt := func(pcode, en, my string, g orb.MultiPolygon) *concernmap.Area {
		return &concernmap.Area{Level: concernmap.LevelVillageTract, PCode: pcode, NameEN: en, NameMY: my,
			Parent: "MMR013001", Geometry: g, AreaKM2: geo.AreaKM2(g), Source: source}
	}
	return []*concernmap.Area{
		vt("MMR013001701", "Ywar Thit", "ရွာသစ်", orb.MultiPolygon{{{
			{96.10, 16.80}, {96.12, 16.80}, {96.12, 16.81}, {96.12, 16.82}, {96.10, 16.82}, {96.10, 16.80}}}}),
		vt("MMR013001702", "Kyun Gyi", "ကျွန်းကြီး", orb.MultiPolygon{
			{{{96.12, 16.80}, {96.14, 16.80}, {96.14, 16.82}, {96.13, 16.82}, {96.12, 16.82}, {96.12, 16.81}, {96.12, 16.80}}},
			{{{96.15, 16.80}, {96.16, 16.80}, {96.16, 16.81}, {96.15, 16.81}, {96.15, 16.80}}},
		}),
		vt("MMR013001703", "Thayet Pin", "သရက်ပင်", orb.MultiPolygon{{
			{{96.10, 16.82}, {96.12, 16.82}, {96.13, 16.82}, {96.14, 16.82}, {96.14, 16.84}, {96.10, 16.84}, {96.10, 16.82}},
			{{96.11, 16.83}, {96.11, 16.835}, {96.115, 16.835}, {96.115, 16.83}, {96.11, 16.83}},
		}}),
	}
}

// checkAreas compares areas field by field, so that a failure names the
// field at fault.
func checkAreas(t *testing.T, got, want []*concernmap.Area) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d areas, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Level != w.Level || g.PCode != w.PCode || g.NameEN != w.NameEN || g.NameMY != w.NameMY || g.Parent != w.Parent || g.Source != w.Source {
			t.Errorf("area %d: got %s %s %q %q parent %q source %q, want %s %s %q %q parent %q source %q", i,
				g.Level, g.PCode, g.NameEN, g.NameMY, g.Parent, g.Source, w.Level, w.PCode, w.NameEN, w.NameMY, w.Parent, w.Source)
		}
		if !reflect.DeepEqual(g.Geometry, w.Geometry) {
			t.Errorf("area %d geometry: got %v, want %v", i, g.Geometry, w.Geometry)
		}
		if g.AreaKM2 != w.AreaKM2 {
			t.Errorf("area %d: got %v km², want %v", i, g.AreaKM2, w.AreaKM2)
		}
		if err := g.Validate(); err != nil {
			t.Errorf("area %d: %v", i, err)
		}
	}
}

func TestReadGeoJSONMIMU(t *testing.T) {
	areas, rep, err := Read(readFixture(t, "mimu_vt.geojson"), FormatGeoJSON,
		Options{Level: concernmap.LevelVillageTract, Source: "mimu_vt.geojson"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Format != FormatGeoJSON || rep.Features != 3 || len(rep.Problems) != 0 {
		t.Errorf("got report %+v, want 3 geojson features and no problems", rep)
	}
	checkAreas(t, areas, mimuAreas("mimu_vt.geojson"))
}

// TestReadBroken checks the report on a file with one fault per feature:
// three repaired, the rest rejected, so that nothing is imported.
func TestReadBroken(t *testing.T) {
	areas, rep, err := Read(readFixture(t, "broken.geojson"), FormatGeoJSON, Options{Level: concernmap.LevelVillageTract})
	if areas != nil {
		t.Errorf("got %d areas, want none", len(areas))
	}
	if concernmap.ErrorCode(err) != concernmap.EINVALID || !strings.Contains(err.Error(), "7 of 11 features were rejected") {
		t.Errorf("got error %v, want EINVALID saying 7 of 11 features were rejected", err)
	}
	want := []Problem{
		{0, "MMR013001711", true, "ring 0 was not closed; closed it"},
		{1, "MMR013001712", true, "ring 0 was clockwise; reversed it, as outer rings go counterclockwise"},
		{2, "MMR013001713", true, "ring 0 had 1 repeated position; dropped it"},
		{3, "MMR013001714", false, "ring 0 self-intersects at (96.065, 16.005)"},
		{4, "MMR013001715", false, "empty geometry"},
		{5, "MMR013001716", false, "coordinates are not lon/lat (x=612345): reproject to EPSG:4326, e.g. ogr2ogr -s_srs EPSG:<its code> -t_srs EPSG:4326 out.geojson in.geojson"},
		{6, "", false, "no pcode: VT_PCODE is empty; set --code-field"},
		{7, "MMR013001711", false, "duplicate pcode MMR013001711: feature 0 has it too"},
		{8, "MMR013001717", false, "unsupported geometry type Point: only Polygon and MultiPolygon are areas"},
		{9, "MMR013001718", true, "no English name in VT; used the pcode"},
		{10, "MMR013001719", false, "ring 1: hole lies outside the shell"},
	}
	if rep == nil {
		t.Fatal("got no report")
	}
	if rep.Features != 11 || rep.Rejected() != 7 {
		t.Errorf("got %d features, %d rejected, want 11, 7", rep.Features, rep.Rejected())
	}
	if !reflect.DeepEqual(rep.Problems, want) {
		got, _ := json.MarshalIndent(rep.Problems, "", "  ")
		t.Errorf("got problems %s", got)
	}
}

// TestRepair checks the repairs and rejections of single geometries.
func TestRepair(t *testing.T) {
	sq := orb.Ring{{96, 16}, {96.01, 16}, {96.01, 16.01}, {96, 16.01}, {96, 16}}
	hole := orb.Ring{{96.002, 16.002}, {96.002, 16.004}, {96.004, 16.004}, {96.004, 16.002}, {96.002, 16.002}}
	rev := func(r orb.Ring) orb.Ring {
		c := r.Clone()
		reverse(c)
		return c
	}
	tests := []struct {
		name  string
		g     orb.Geometry
		want  orb.MultiPolygon
		notes []string
		bad   string
	}{
		{name: "valid", g: orb.Polygon{sq, hole}, want: orb.MultiPolygon{{sq, hole}}},
		{name: "hole counterclockwise", g: orb.Polygon{sq, rev(hole)}, want: orb.MultiPolygon{{sq, hole}},
			notes: []string{"ring 1 was counterclockwise; reversed it, as holes go clockwise"}},
		{name: "in a multipolygon", g: orb.MultiPolygon{{sq}, {rev(orb.Ring{{97, 16}, {97.01, 16}, {97.01, 16.01}, {97, 16}})}},
			want:  orb.MultiPolygon{{sq}, {{{97, 16}, {97.01, 16}, {97.01, 16.01}, {97, 16}}}},
			notes: []string{"polygon 1 ring 0 was clockwise; reversed it, as outer rings go counterclockwise"}},
		{name: "open with repeats", g: orb.Polygon{{{96, 16}, {96, 16}, {96.01, 16}, {96.01, 16.01}, {96.01, 16.01}, {96, 16.01}}},
			want:  orb.MultiPolygon{{sq}},
			notes: []string{"ring 0 had 2 repeated positions; dropped them", "ring 0 was not closed; closed it"}},
		{name: "too few positions", g: orb.Polygon{{{96, 16}, {96.01, 16}, {96, 16}}}, bad: "ring 0 has 3 positions after repair; a ring needs at least 4"},
		{name: "nil", g: nil, bad: "empty geometry"},
		{name: "no rings", g: orb.Polygon{}, bad: "empty geometry"},
		{name: "empty member", g: orb.MultiPolygon{{sq}, {}}, bad: "polygon 1 is empty"},
		{name: "empty hole", g: orb.Polygon{sq, {}}, bad: "ring 1 is empty"},
		{name: "line", g: orb.LineString{{96, 16}, {97, 17}}, bad: "unsupported geometry type LineString: only Polygon and MultiPolygon are areas"},
		{name: "latitude out of range", g: orb.Polygon{{{96, 1.6e6}, {96.01, 1.6e6}, {96.01, 16.01}, {96, 16}}},
			bad: "coordinates are not lon/lat (y=1600000): HINT"},
		{name: "swapped", g: orb.Polygon{{{16, 96}, {16, 96.01}, {16.01, 96.01}, {16, 96}}},
			bad: "coordinates are not lon/lat (y=96): are longitude and latitude swapped?"},
		{name: "not finite", g: orb.Polygon{{{math.NaN(), 16}, {96.01, 16}, {96.01, 16.01}, {96, 16}}}, bad: "coordinates are not finite numbers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, notes, bad := repair(tt.g, "HINT")
			if bad != tt.bad {
				t.Fatalf("got rejection %q, want %q", bad, tt.bad)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(notes, tt.notes) {
				t.Errorf("got notes %q, want %q", notes, tt.notes)
			}
		})
	}
}

// TestReadOptions checks that explicit field names override MIMU
// detection, whatever their case.
func TestReadOptions(t *testing.T) {
	data := []byte(`{"type":"Feature","properties":{"VT_PCODE":"WRONG","VT":"Wrong","VT_MMR":"မှား","TS_PCODE":"WRONG_TS",
		"Code":"MMR013001701","En":"Ywar Thit","My":"ရွာသစ်","Up":"MMR013001","n":7},
		"geometry":{"type":"Polygon","coordinates":[[[96,16],[96.01,16],[96.01,16.01],[96,16.01],[96,16]]]}}`)
	tests := []struct {
		name string
		opt  Options
		want concernmap.Area
	}{
		{"detected", Options{}, concernmap.Area{PCode: "WRONG", NameEN: "Wrong", NameMY: "မှား", Parent: "WRONG_TS"}},
		{"explicit", Options{CodeField: "code", NameField: "EN", NameMYField: "my", ParentCodeField: "up"},
			concernmap.Area{PCode: "MMR013001701", NameEN: "Ywar Thit", NameMY: "ရွာသစ်", Parent: "MMR013001"}},
		{"number as name", Options{NameField: "n"}, concernmap.Area{PCode: "WRONG", NameEN: "7", NameMY: "မှား", Parent: "WRONG_TS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opt.Level = concernmap.LevelVillageTract
			areas, _, err := Read(data, FormatGeoJSON, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			a := areas[0]
			if a.PCode != tt.want.PCode || a.NameEN != tt.want.NameEN || a.NameMY != tt.want.NameMY || a.Parent != tt.want.Parent {
				t.Errorf("got %q %q %q parent %q, want %q %q %q parent %q",
					a.PCode, a.NameEN, a.NameMY, a.Parent, tt.want.PCode, tt.want.NameEN, tt.want.NameMY, tt.want.Parent)
			}
		})
	}
}

// TestReadLevels checks that each level reads its own MIMU fields from a
// file that has those of every level.
func TestReadLevels(t *testing.T) {
	data := []byte(`{"type":"Feature","properties":{"ST_PCODE":"MMR013","ST":"Yangon","ST_MMR":"ရန်ကုန်",
		"DT_PCODE":"MMR013D001","DT":"South","TS_PCODE":"MMR013001","TS":"Thanlyin",
		"VT_PCODE":"MMR013001701","VT":"Ywar Thit","VILL_PCODE":"150001","VILLAGE":"Ywar Ma","VILL_MMR":"ရွာမ"},
		"geometry":{"type":"Polygon","coordinates":[[[96,16],[96.01,16],[96.01,16.01],[96,16.01],[96,16]]]}}`)
	tests := []struct {
		level                        concernmap.AreaLevel
		pcode, nameEN, nameMY, paren string
	}{
		{concernmap.LevelState, "MMR013", "Yangon", "ရန်ကုန်", ""},
		{concernmap.LevelDistrict, "MMR013D001", "South", "", "MMR013"},
		{concernmap.LevelTownship, "MMR013001", "Thanlyin", "", "MMR013D001"},
		{concernmap.LevelVillageTract, "MMR013001701", "Ywar Thit", "", "MMR013001"},
		{concernmap.LevelVillage, "150001", "Ywar Ma", "ရွာမ", "MMR013001701"},
	}
	for _, tt := range tests {
		t.Run(string(tt.level), func(t *testing.T) {
			areas, _, err := Read(data, FormatGeoJSON, Options{Level: tt.level})
			if err != nil {
				t.Fatal(err)
			}
			a := areas[0]
			if a.Level != tt.level || a.PCode != tt.pcode || a.NameEN != tt.nameEN || a.NameMY != tt.nameMY || a.Parent != tt.paren {
				t.Errorf("got %s %q %q %q parent %q, want %s %q %q %q parent %q",
					a.Level, a.PCode, a.NameEN, a.NameMY, a.Parent, tt.level, tt.pcode, tt.nameEN, tt.nameMY, tt.paren)
			}
		})
	}
}

// TestReadFileProblems checks the faults that reject a whole file with one
// problem for feature -1.
func TestReadFileProblems(t *testing.T) {
	square := `"geometry":{"type":"Polygon","coordinates":[[[96,16],[96.01,16],[96.01,16.01],[96,16.01],[96,16]]]}`
	tests := []struct {
		name   string
		data   string
		opt    Options
		reason string
	}{
		{"no features", `{"type":"FeatureCollection","features":[]}`, Options{}, "the file has no features"},
		{"no code field", `{"type":"Feature","properties":{"NAME":"x","ID":1},` + square + `}`, Options{},
			"no pcode: the file has no VT_PCODE or PCODE field; set --code-field to one of NAME, ID"},
		{"explicit field missing", `{"type":"Feature","properties":{"VT_PCODE":"MMR013001701"},` + square + `}`, Options{NameField: "VT_NAME"},
			`--name-field "VT_NAME" is not a field of the file; its fields are VT_PCODE`},
		{"projected crs", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32647"}},
			"features":[{"type":"Feature","properties":{"VT_PCODE":"MMR013001701"},` + square + `}]}`, Options{},
			"the file's crs is urn:ogc:def:crs:EPSG::32647, not lon/lat: reproject to EPSG:4326, e.g. ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opt.Level = concernmap.LevelVillageTract
			areas, rep, err := Read([]byte(tt.data), FormatGeoJSON, tt.opt)
			if areas != nil || concernmap.ErrorCode(err) != concernmap.EINVALID {
				t.Fatalf("got %d areas and error %v, want none and EINVALID", len(areas), err)
			}
			want := []Problem{{Feature: -1, Reason: tt.reason}}
			if !reflect.DeepEqual(rep.Problems, want) {
				t.Errorf("got %+v, want %+v", rep.Problems, want)
			}
		})
	}
}

// TestReadUnreadable checks files that give no report at all.
func TestReadUnreadable(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		format Format
		level  concernmap.AreaLevel
		code   string
	}{
		{"not json", `{"type":`, FormatGeoJSON, concernmap.LevelTownship, concernmap.EINVALID},
		{"array", `[]`, FormatGeoJSON, concernmap.LevelTownship, concernmap.EINVALID},
		{"bare geometry", `{"type":"Polygon","coordinates":[]}`, FormatGeoJSON, concernmap.LevelTownship, concernmap.EINVALID},
		{"not xml", `<kml><Placemark>`, FormatKML, concernmap.LevelTownship, concernmap.EINVALID},
		{"not utf-8", `<?xml version="1.0" encoding="ISO-8859-1"?><kml/>`, FormatKML, concernmap.LevelTownship, concernmap.EINVALID},
		{"not zip", `PK`, FormatShapefile, concernmap.LevelTownship, concernmap.EINVALID},
		{"no level", `{}`, FormatGeoJSON, "", concernmap.EINVALID},
		{"unknown format", `{}`, "gpx", concernmap.LevelTownship, concernmap.EINVALID},
		{"too many features", `{"type":"FeatureCollection","features":[` + strings.Repeat(`{},`, MaxFeatures) + `{}]}`,
			FormatGeoJSON, concernmap.LevelTownship, concernmap.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			areas, rep, err := Read([]byte(tt.data), tt.format, Options{Level: tt.level})
			if areas != nil || rep != nil || concernmap.ErrorCode(err) != tt.code {
				t.Errorf("got %v, %v, %v, want no areas, no report and %s", areas, rep, err, tt.code)
			}
		})
	}
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name string
		head string
		want Format // "" for an error
	}{
		{"tracts.zip", "PK\x03\x04\x14\x00", FormatShapefile},
		{"tracts.geojson", "\xef\xbb\xbf\n  {\"type\"", FormatGeoJSON},
		{"tracts.json", "{", FormatGeoJSON},
		{"upload", `<?xml version="1.0"?><kml>`, FormatKML},
		{"tracts.kml", "\n<kml xmlns=", FormatKML},
		{"tracts.kml", "", FormatKML},
		{"tracts.ZIP", "", FormatShapefile},
		{"tracts.geojson", "PK\x03\x04", FormatShapefile}, // the bytes win
		{"tracts.kmz", "PK\x03\x04", ""},
		{"tracts.shp", "\x00\x00\x27\x0a", ""},
		{"tracts.csv", "pcode,name", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectFormat(tt.name, []byte(tt.head))
			if got != tt.want || (err != nil) != (tt.want == "") {
				t.Errorf("got %q, %v, want %q", got, err, tt.want)
			}
			if err != nil && concernmap.ErrorCode(err) != concernmap.EINVALID {
				t.Errorf("got code %s, want %s", concernmap.ErrorCode(err), concernmap.EINVALID)
			}
		})
	}
}

func TestGeometryReason(t *testing.T) {
	tests := []struct {
		at, msg string
		multi   bool
		want    string
	}{
		{"coordinates[0][1]", "ring self-intersects at (97.1, 16.200000000000003)", false, "ring 1 self-intersects at (97.1, 16.2)"},
		{"coordinates[2][0]", "ring crosses ring 1 at (1e-07, 2)", true, "polygon 2 ring 0 crosses ring 1 at (0.0000001, 2)"},
		{"coordinates[1]", "polygon overlaps polygon 0", true, "polygon 1 overlaps polygon 0"},
		{"coordinates[0]", "polygon interior is disconnected", false, "polygon interior is disconnected"},
		{"coordinates[0][1]", "hole lies outside the shell", false, "ring 1: hole lies outside the shell"},
		{"", "has 600000 vertices", true, "has 600000 vertices"},
	}
	for _, tt := range tests {
		if got := geometryReason(tt.at, tt.msg, tt.multi); got != tt.want {
			t.Errorf("geometryReason(%q, %q): got %q, want %q", tt.at, tt.msg, got, tt.want)
		}
	}
}

// TestReadFeatureProblems checks single GeoJSON features that are rejected
// or repaired for reasons the other tests do not cover.
func TestReadFeatureProblems(t *testing.T) {
	const square = `{"type":"Polygon","coordinates":[[[96,16],[96.01,16],[96.01,16.01],[96,16.01],[96,16]]]}`
	tests := []struct {
		name    string
		feature string
		want    Problem
	}{
		{"own parent", `{"type":"Feature","properties":{"VT_PCODE":"A1","VT":"x","TS_PCODE":"A1"},"geometry":` + square + `}`,
			Problem{0, "A1", false, "the parent pcode in TS_PCODE is the area's own"}},
		{"bad pcode", `{"type":"Feature","properties":{"VT_PCODE":"A 1","VT":"x"},"geometry":` + square + `}`,
			Problem{0, "A 1", false, "pcode: must be 1-40 letters, digits, dots, dashes or underscores"}},
		{"long name", `{"type":"Feature","properties":{"VT_PCODE":"A1","VT":"` + strings.Repeat("x", 401) + `"},"geometry":` + square + `}`,
			Problem{0, "A1", false, "name_en: must be at most 400 bytes"}},
		{"not an object", `[1,2]`, Problem{0, "", false, "not a GeoJSON Feature object"}},
		{"wrong type", `{"type":"Polygon","properties":{"VT_PCODE":"A1"}}`, Problem{0, "", false, `type is "Polygon", want Feature`}},
		{"properties not an object", `{"type":"Feature","properties":[1],"geometry":` + square + `}`, Problem{0, "", false, "properties must be an object"}},
		{"unknown geometry", `{"type":"Feature","properties":{"VT_PCODE":"A1"},"geometry":{"type":"Circle"}}`,
			Problem{0, "A1", false, `unknown geometry type "Circle"`}},
		{"collection", `{"type":"Feature","properties":{"VT_PCODE":"A1"},"geometry":{"type":"GeometryCollection","geometries":[]}}`,
			Problem{0, "A1", false, "unsupported geometry type GeometryCollection: only Polygon and MultiPolygon are areas"}},
		{"short position", `{"type":"Feature","properties":{"VT_PCODE":"A1"},"geometry":{"type":"Polygon","coordinates":[[[96]]]}}`,
			Problem{0, "A1", false, "geometry position [96] needs longitude and latitude"}},
		{"string coordinates", `{"type":"Feature","properties":{"VT_PCODE":"A1"},"geometry":{"type":"MultiPolygon","coordinates":[[[["96","16"]]]]}}`,
			Problem{0, "A1", false, "geometry coordinates must be nested arrays of numbers"}},
		{"no coordinates", `{"type":"Feature","properties":{"VT_PCODE":"A1"},"geometry":{"type":"Polygon"}}`,
			Problem{0, "A1", false, "empty geometry"}},
		{"too few positions", `{"type":"Feature","properties":{"VT_PCODE":"A1"},"geometry":{"type":"Polygon","coordinates":[[[96,16],[97,16],[96,16]]]}}`,
			Problem{0, "A1", false, "ring 0 has 3 positions after repair; a ring needs at least 4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A second, valid feature gives the file its fields.
			data := `{"type":"FeatureCollection","features":[` + tt.feature +
				`,{"type":"Feature","properties":{"VT_PCODE":"B1","VT":"y","TS_PCODE":"T"},"geometry":` + square + `}]}`
			areas, rep, err := Read([]byte(data), FormatGeoJSON, Options{Level: concernmap.LevelVillageTract})
			if areas != nil || concernmap.ErrorCode(err) != concernmap.EINVALID {
				t.Fatalf("got %d areas and error %v, want none and EINVALID", len(areas), err)
			}
			if want := []Problem{tt.want}; !reflect.DeepEqual(rep.Problems, want) {
				t.Errorf("got %+v, want %+v", rep.Problems, want)
			}
		})
	}
}
