package shapefile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// The tests make their shapefiles with GDAL, the reference writer, and
// never skip without it.
const missingGDAL = "ogr2ogr is missing: run: sudo apt-get install -y gdal-bin"

// shapeSet is the paths of one shapefile that ogr2ogr wrote.
type shapeSet struct{ shp, dbf, shx, prj, cpg string }

// ogr2ogr converts the GeoJSON file src to a shapefile named name in a
// temporary directory, passing args before the file names. The .dbf date
// is fixed so that the bytes do not change from day to day.
func ogr2ogr(tb testing.TB, src, name string, args ...string) shapeSet {
	tb.Helper()
	bin, err := exec.LookPath("ogr2ogr")
	if err != nil {
		tb.Fatal(missingGDAL)
	}
	stem := filepath.Join(tb.TempDir(), name)
	argv := append([]string{"-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", "-lco", "DBF_DATE_LAST_UPDATE=2024-01-01"}, args...)
	argv = append(argv, stem+".shp", src)
	if out, err := exec.Command(bin, argv...).CombinedOutput(); err != nil {
		tb.Fatalf("ogr2ogr %s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return shapeSet{stem + ".shp", stem + ".dbf", stem + ".shx", stem + ".prj", stem + ".cpg"}
}

func mustReadFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// readSet reads a shapefile set from disk with Read, passing nil for a
// side file that ogr2ogr did not write.
func readSet(tb testing.TB, s shapeSet) (*File, error) {
	tb.Helper()
	// A missing part must be a nil io.Reader, not a nil *bytes.Reader.
	var parts [4]io.Reader
	for i, p := range []string{s.shp, s.dbf, s.prj, s.cpg} {
		if b, err := os.ReadFile(p); err == nil {
			parts[i] = bytes.NewReader(b)
		}
	}
	return Read(parts[0], parts[1], parts[2], parts[3])
}

// geoFeature is a GeoJSON feature of a test fixture, with the numbers kept
// as their text.
type geoFeature struct {
	Properties map[string]any `json:"properties"`
	Geometry   *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

func loadFixture(tb testing.TB, path string) []geoFeature {
	tb.Helper()
	var fc struct {
		Features []geoFeature `json:"features"`
	}
	d := json.NewDecoder(bytes.NewReader(mustReadFile(tb, path)))
	d.UseNumber()
	if err := d.Decode(&fc); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return fc.Features
}

// wantGeometry is what Read should return for a fixture geometry: Z
// dropped, rings in RFC 7946 orientation, a MultiPolygon of one polygon
// as a Polygon and an empty one as nil.
func wantGeometry(tb testing.TB, f geoFeature) orb.Geometry {
	tb.Helper()
	if f.Geometry == nil {
		return nil
	}
	var polys [][][][]float64
	switch f.Geometry.Type {
	case "Polygon":
		var p [][][]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
			tb.Fatal(err)
		}
		if len(p) > 0 {
			polys = append(polys, p)
		}
	case "MultiPolygon":
		if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
			tb.Fatal(err)
		}
	default:
		tb.Fatalf("fixture geometry %s", f.Geometry.Type)
	}
	var mp orb.MultiPolygon
	for _, p := range polys {
		var poly orb.Polygon
		for i, coords := range p {
			r := make(orb.Ring, len(coords))
			for j, c := range coords {
				r[j] = orb.Point{c[0], c[1]}
			}
			if outer := i == 0; (signedArea(r) < 0) == outer {
				r.Reverse()
			}
			poly = append(poly, r)
		}
		mp = append(mp, poly)
	}
	switch len(mp) {
	case 0:
		return nil
	case 1:
		return mp[0]
	}
	return mp
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// checkProperties compares a feature's attributes with the fixture's:
// text exactly, numbers by value, dates in dBase's YYYYMMDD form, and null
// as "".
func checkProperties(t *testing.T, got map[string]string, want map[string]any) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d properties %v, want %d", len(got), got, len(want))
	}
	for k, v := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: missing", k)
			continue
		}
		switch v := v.(type) {
		case nil:
			if g != "" {
				t.Errorf("%s: got %q, want \"\"", k, g)
			}
		case json.Number:
			gf, err := strconv.ParseFloat(g, 64)
			wf, _ := v.Float64()
			if err != nil || gf != wf {
				t.Errorf("%s: got %q, want %s", k, g, v)
			}
		case string:
			if isoDate.MatchString(v) {
				v = strings.ReplaceAll(v, "-", "")
			}
			if g != v {
				t.Errorf("%s: got %q, want %q", k, g, v)
			}
		default:
			t.Fatalf("%s: fixture value %T", k, v)
		}
	}
}

var villageFields = []string{"ST", "ST_PCODE", "DT", "DT_PCODE", "TS", "TS_PCODE", "TS_MMR", "VT", "VT_PCODE", "VT_MMR", "AREA_KM2", "POP", "SURVEYED"}

func TestReadGDAL(t *testing.T) {
	tests := []struct {
		name      string
		fixture   string
		args      []string
		shapeType int32
		fields    []string
	}{
		{"polygons", "villages.geojson", nil, typePolygon, villageFields},
		{"3D polygons as PolygonZ", "villages_z.geojson", nil, typePolygonZ, []string{"TS_PCODE", "VT", "VT_PCODE", "VT_MMR"}},
		{"polygons with holes as PolygonZ", "villages.geojson", []string{"-dim", "XYZ"}, typePolygonZ, villageFields},
		{"measured polygons as PolygonM", "villages.geojson", []string{"-dim", "XYM"}, typePolygonM, villageFields},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := filepath.Join("testdata", tt.fixture)
			set := ogr2ogr(t, src, "villages", tt.args...)
			// Check that GDAL wrote the kind of file this case is about.
			if got := int32(binary.LittleEndian.Uint32(mustReadFile(t, set.shp)[32:])); got != tt.shapeType {
				t.Fatalf("ogr2ogr wrote shape type %d, want %d", got, tt.shapeType)
			}
			f, err := readSet(t, set)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.Fields, tt.fields) {
				t.Errorf("got fields %v, want %v", f.Fields, tt.fields)
			}
			if f.Encoding != "UTF-8" {
				t.Errorf("got encoding %q, want UTF-8", f.Encoding)
			}
			if wgs84, known := IsWGS84(f.PRJ); !wgs84 || !known {
				t.Errorf("IsWGS84(%q): got %v, %v, want true, true", f.PRJ, wgs84, known)
			}
			want := loadFixture(t, src)
			if len(f.Features) != len(want) {
				t.Fatalf("got %d features, want %d", len(f.Features), len(want))
			}
			for i, w := range want {
				got := f.Features[i]
				t.Run(strconv.Itoa(i), func(t *testing.T) {
					if got.Index != i {
						t.Errorf("got index %d, want %d", got.Index, i)
					}
					if wg := wantGeometry(t, w); !reflect.DeepEqual(got.Geometry, wg) {
						t.Errorf("got geometry %v, want %v", got.Geometry, wg)
					}
					checkProperties(t, got.Properties, w.Properties)
				})
			}
		})
	}
}

func TestReadGDALDeletedRecord(t *testing.T) {
	set := ogr2ogr(t, filepath.Join("testdata", "villages.geojson"), "villages")
	dbf := mustReadFile(t, set.dbf)
	// Flag the second record deleted, as dBase does.
	headerLen := int(binary.LittleEndian.Uint16(dbf[8:]))
	recLen := int(binary.LittleEndian.Uint16(dbf[10:]))
	dbf[headerLen+recLen] = '*'
	shp := mustReadFile(t, set.shp)
	all, err := Read(bytes.NewReader(shp), bytes.NewReader(mustReadFile(t, set.dbf)), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Read(bytes.NewReader(shp), bytes.NewReader(dbf), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]Feature{all.Features[0]}, all.Features[2:]...)
	if !reflect.DeepEqual(f.Features, want) {
		t.Errorf("got %v, want %v", f.Features, want)
	}
}

func TestReadGDALPointFile(t *testing.T) {
	set := ogr2ogr(t, filepath.Join("testdata", "points.geojson"), "points")
	_, err := readSet(t, set)
	if !errors.Is(err, ErrShapeType) || !strings.Contains(err.Error(), "Point") {
		t.Errorf("got %v, want %v naming Point", err, ErrShapeType)
	}
}

func TestIsWGS84GDAL(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		wgs84 bool
	}{
		{"lon/lat", nil, true},
		{"UTM zone 47N", []string{"-t_srs", "EPSG:32647"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := ogr2ogr(t, filepath.Join("testdata", "villages.geojson"), "villages", tt.args...)
			f, err := readSet(t, set)
			if err != nil {
				t.Fatal(err)
			}
			if wgs84, known := IsWGS84(f.PRJ); wgs84 != tt.wgs84 || !known {
				t.Errorf("IsWGS84(%q): got %v, %v, want %v, true", f.PRJ, wgs84, known, tt.wgs84)
			}
		})
	}
}
