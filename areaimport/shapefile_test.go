package areaimport

import (
	"archive/zip"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concernmap/concernmap"
)

// ogr2ogr runs GDAL's converter. The shapefile tests need it to make real
// shapefiles, so without it they fail rather than skip.
func ogr2ogr(t *testing.T, args ...string) {
	t.Helper()
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Fatal("ogr2ogr is missing: run: sudo apt-get install -y gdal-bin")
	}
	out, err := exec.Command("ogr2ogr", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ogr2ogr %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// shapefileZip converts a GeoJSON fixture to a UTF-8 shapefile with
// ogr2ogr, passing extra arguments such as -t_srs, and zips its files as a
// user would upload them.
func shapefileZip(t *testing.T, fixture string, extra ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	args := append([]string{"-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8"}, extra...)
	ogr2ogr(t, append(args, filepath.Join(dir, "tracts.shp"), filepath.Join("testdata", fixture))...)
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create("tracts/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReadShapefileMIMU checks that a shapefile made from mimu_vt.geojson
// imports exactly as the GeoJSON does, Burmese names and all.
func TestReadShapefileMIMU(t *testing.T) {
	data := shapefileZip(t, "mimu_vt.geojson")
	if f, err := DetectFormat("tracts.zip", data[:8]); f != FormatShapefile {
		t.Fatalf("got format %q, %v, want %q", f, err, FormatShapefile)
	}
	areas, rep, err := Read(data, FormatShapefile, Options{Level: concernmap.LevelVillageTract, Source: "mimu_vt.geojson"})
	if err != nil {
		t.Fatalf("%v; report %+v", err, rep)
	}
	if rep.Format != FormatShapefile || rep.Features != 3 || len(rep.Problems) != 0 {
		t.Errorf("got report %+v, want 3 shapefile features and no problems", rep)
	}
	checkAreas(t, areas, mimuAreas("mimu_vt.geojson"))
}

// TestReadShapefileProjected checks that a shapefile in UTM is rejected as
// a whole, with the command that converts it.
func TestReadShapefileProjected(t *testing.T) {
	data := shapefileZip(t, "mimu_vt.geojson", "-t_srs", "EPSG:32647")
	areas, rep, err := Read(data, FormatShapefile, Options{Level: concernmap.LevelVillageTract})
	if areas != nil || concernmap.ErrorCode(err) != concernmap.EINVALID {
		t.Fatalf("got %d areas and error %v, want none and EINVALID", len(areas), err)
	}
	if !strings.Contains(err.Error(), "all 3 features") {
		t.Errorf("got error %q, want it to say all 3 features were rejected", err)
	}
	if len(rep.Problems) != 1 || rep.Rejected() != 1 {
		t.Fatalf("got problems %+v, want one", rep.Problems)
	}
	p := rep.Problems[0]
	const want = `the .prj is "WGS_1984_UTM_Zone_47N", not WGS 84 lon/lat: reproject to EPSG:4326, e.g. ogr2ogr -t_srs EPSG:4326 out.shp in.shp`
	if p.Feature != -1 || p.Fixed || p.Reason != want {
		t.Errorf("got %+v, want feature -1 unfixed: %s", p, want)
	}
}

// TestReadShapefileNoPRJ checks that, without a .prj to say so, projected
// coordinates are caught feature by feature.
func TestReadShapefileNoPRJ(t *testing.T) {
	data := shapefileZip(t, "mimu_vt.geojson", "-t_srs", "EPSG:32647")
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".prj") {
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	_, rep, err := Read(buf.Bytes(), FormatShapefile, Options{Level: concernmap.LevelVillageTract})
	if concernmap.ErrorCode(err) != concernmap.EINVALID || rep.Rejected() != 3 {
		t.Fatalf("got error %v and %d rejected, want EINVALID and 3", err, rep.Rejected())
	}
	for _, p := range rep.Problems {
		if !strings.HasPrefix(p.Reason, "coordinates are not lon/lat (x=") ||
			!strings.HasSuffix(p.Reason, "ogr2ogr -s_srs EPSG:<its code> -t_srs EPSG:4326 out.shp in.shp") {
			t.Errorf("feature %d: got %q, want the reprojection hint", p.Feature, p.Reason)
		}
	}
}
