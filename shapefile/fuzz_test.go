package shapefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

var update = flag.Bool("update", false, "rewrite the FuzzRead seed corpus in testdata/fuzz from ogr2ogr output")

// FuzzRead feeds Read a .shp and a .dbf. The seed corpus pairs valid files
// from ogr2ogr with damaged ones, so that mutating one side keeps the other
// valid. Read must not panic, must fail only with its own errors, and must
// decode no more than the input holds.
func FuzzRead(f *testing.F) {
	f.Add(shpFile(typePolygon, polygonContent(box(0, 0, 1, 1, true), box(0.2, 0.2, 0.4, 0.4, false)), nullContent()),
		dbfFile(0, []dbfField{{"VT", 'C', 30}, {"POP", 'N', 5}}, []string{"ကော့ကရိတ်", "12"}, []string{"*Caf\xe9", "*****"}),
		false)
	f.Fuzz(func(t *testing.T, shp, dbf []byte, utf8cpg bool) {
		var cpg io.Reader
		if utf8cpg {
			cpg = strings.NewReader("UTF-8")
		}
		file, err := Read(bytes.NewReader(shp), bytes.NewReader(dbf), nil, cpg)
		if err != nil {
			for _, e := range []error{ErrCorrupt, ErrShapeType, ErrFieldType, ErrCount, ErrTooLarge} {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("got error %v, want one wrapping a shapefile Err value", err)
		}
		checkDecoded(t, file, len(shp))
	})
}

// checkDecoded checks what holds for any File that Read returns from a
// .shp of shpLen bytes: each record took at least 12 bytes and each point
// 16, so neither can outnumber those; rings are closed; every feature has
// every field.
func checkDecoded(t *testing.T, f *File, shpLen int) {
	t.Helper()
	if len(f.Features) > (shpLen-headerSize)/12 {
		t.Fatalf("got %d features from %d bytes", len(f.Features), shpLen)
	}
	points, rings := 0, 0
	last := -1
	for _, ft := range f.Features {
		if ft.Index <= last {
			t.Fatalf("got index %d after %d", ft.Index, last)
		}
		last = ft.Index
		if len(ft.Properties) != len(f.Fields) {
			t.Fatalf("feature %d: got %d properties, want %d", ft.Index, len(ft.Properties), len(f.Fields))
		}
		var polys []orb.Polygon
		switch g := ft.Geometry.(type) {
		case nil:
		case orb.Polygon:
			polys = []orb.Polygon{g}
		case orb.MultiPolygon:
			if len(g) < 2 {
				t.Fatalf("feature %d: got a MultiPolygon of %d", ft.Index, len(g))
			}
			polys = g
		default:
			t.Fatalf("feature %d: got %T", ft.Index, g)
		}
		for _, p := range polys {
			for _, r := range p {
				if len(r) == 0 || !sameBits(r[0], r[len(r)-1]) {
					t.Fatalf("feature %d: got an open ring %v", ft.Index, r)
				}
				points += len(r)
				rings++
			}
		}
	}
	// A ring may gain one closing point.
	if max := (shpLen-headerSize)/16 + rings; points > max {
		t.Fatalf("got %d points from %d bytes", points, shpLen)
	}
}

// sameBits compares points bit for bit, so that NaN equals itself.
func sameBits(a, b orb.Point) bool {
	return math.Float64bits(a[0]) == math.Float64bits(b[0]) && math.Float64bits(a[1]) == math.Float64bits(b[1])
}

// TestFuzzCorpus rewrites testdata/fuzz/FuzzRead with -update. Without it,
// it checks that the committed corpus is there.
func TestFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	if !*update {
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) == 0 {
			t.Fatalf("no seed corpus in %s (%v): run go test ./shapefile -run TestFuzzCorpus -update", dir, err)
		}
		return
	}
	seeds := corpusSeeds(t)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range seeds {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n[]byte(%q)\nbool(%v)\n", s.shp, s.dbf, s.utf8cpg)
		if err := os.WriteFile(filepath.Join(dir, s.name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type seed struct {
	name     string
	shp, dbf []byte
	utf8cpg  bool
}

// corpusSeeds makes the seed corpus: ogr2ogr output for every fixture, and
// copies damaged where the reader checks something.
func corpusSeeds(t *testing.T) []seed {
	t.Helper()
	gdal := func(fixture string, args ...string) (shp, dbf []byte) {
		set := ogr2ogr(t, filepath.Join("testdata", fixture), "seed", args...)
		return mustReadFile(t, set.shp), mustReadFile(t, set.dbf)
	}
	shp, dbf := gdal("villages.geojson")
	zShp, zDbf := gdal("villages_z.geojson")
	mShp, mDbf := gdal("villages.geojson", "-dim", "XYM")
	pShp, pDbf := gdal("points.geojson")
	with := func(b []byte, f func([]byte)) []byte {
		b = bytes.Clone(b)
		f(b)
		return b
	}
	le := func(b []byte, off int, v uint32) []byte {
		return with(b, func(b []byte) { binary.LittleEndian.PutUint32(b[off:], v) })
	}
	headerLen := int(binary.LittleEndian.Uint16(dbf[8:]))
	return []seed{
		{"villages", shp, dbf, true},
		{"villages_no_cpg", shp, dbf, false},
		{"villages_z", zShp, zDbf, true},
		{"villages_m", mShp, mDbf, true},
		{"points", pShp, pDbf, true},
		{"deleted_record", shp, with(dbf, func(b []byte) { b[headerLen] = '*' }), true},
		{"latin1_dbf", nullShp(2), dbfFile(0, []dbfField{{"VT", 'C', 12}, {"AREA", 'F', 8}, {"OK", 'L', 1}, {"ON", 'D', 8}},
			[]string{"Caf\xe9", "1.5", "T", "20190630"}, []string{"na\xefve", "********", "?", "00000000"}), false},
		{"truncated_shp", shp[:len(shp)/2], dbf, true},
		{"truncated_dbf", shp, dbf[:len(dbf)/2], true},
		{"bad_magic", with(shp, func(b []byte) { b[3] ^= 1 }), dbf, true},
		{"part_out_of_range", le(shp, rec1Part1, 1000), dbf, true},
		{"parts_not_increasing", le(shp, rec1Part1, 0), dbf, true},
		{"too_many_points", le(shp, rec1Points, MaxPoints+1), dbf, true},
		{"count_mismatch", shp, zDbf, true},
		{"nested_rings", shpFile(typePolygon, polygonContent(
			box(0, 0, 10, 10, true), box(1, 1, 9, 9, false), box(3, 3, 7, 7, true), box(4, 4, 5, 5, false),
			box(20, 0, 30, 10, true), box(40, 0, 41, 1, false))), dbfFile(0, []dbfField{{"VT", 'C', 4}}, []string{"lake"}), true},
		{"empty", nil, nil, false},
	}
}
