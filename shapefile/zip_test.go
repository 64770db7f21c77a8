package shapefile

import (
	"archive/zip"
	"bytes"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// zipOf writes the named entries into a zip in the given order.
func zipOf(tb testing.TB, entries ...zipEntry) *bytes.Reader {
	tb.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, e := range entries {
		f, err := w.Create(e.name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := f.Write(e.data); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return bytes.NewReader(b.Bytes())
}

type zipEntry struct {
	name string
	data []byte
}

func TestReadZip(t *testing.T) {
	set := ogr2ogr(t, filepath.Join("testdata", "villages.geojson"), "villages")
	want, err := readSet(t, set)
	if err != nil {
		t.Fatal(err)
	}
	shp, dbf, shx := mustReadFile(t, set.shp), mustReadFile(t, set.dbf), mustReadFile(t, set.shx)
	prj, cpg := mustReadFile(t, set.prj), mustReadFile(t, set.cpg)
	all := func(dir, stem string) []zipEntry {
		return []zipEntry{
			{dir + stem + ".shp", shp}, {dir + stem + ".shx", shx}, {dir + stem + ".dbf", dbf},
			{dir + stem + ".prj", prj}, {dir + stem + ".cpg", cpg},
		}
	}
	upper := func(es []zipEntry) []zipEntry {
		for i := range es {
			es[i].name = strings.ToUpper(es[i].name)
		}
		return es
	}
	tests := []struct {
		name    string
		entries []zipEntry
		want    error
	}{
		{"at the root", all("", "villages"), nil},
		{"in a sub-folder", append([]zipEntry{{"mimu/", nil}, {"mimu/README.txt", []byte("MIMU village tracts")}}, all("mimu/vt/", "mmr_polbnda_adm4")...), nil},
		{"upper-case names", upper(all("mimu/", "villages")), nil},
		{"with macOS resource forks", append(all("vt/", "villages"),
			zipEntry{"__MACOSX/vt/._villages.shp", []byte("junk")}, zipEntry{"vt/._villages.shp", []byte("junk")}), nil},
		{"no .shp", []zipEntry{{"villages.dbf", dbf}, {"villages.prj", prj}}, ErrNoShp},
		{"two .shp", append(all("a/", "villages"), all("b/", "villages")...), ErrSeveralShp},
		{"no .dbf", []zipEntry{{"villages.shp", shp}, {"villages.shx", shx}, {"other.dbf", dbf}}, ErrNoDBF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := zipOf(t, tt.entries...)
			got, err := ReadZip(r, r.Size())
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if err == nil && !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestReadZipNotZip(t *testing.T) {
	r := bytes.NewReader([]byte("not a zip"))
	if _, err := ReadZip(r, r.Size()); err == nil {
		t.Error("got nil, want an error")
	}
}
