package postgis

import (
	"bytes"
	"context"
	"testing"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/ewkb"

	"github.com/concernmap/concernmap/geo"
	"github.com/concernmap/concernmap/postgis/postgistest"
	"github.com/concernmap/concernmap/storetest"
)

func TestGeomConversion(t *testing.T) {
	tests := []struct {
		name string
		orb  orb.Geometry
		geom geom.T
	}{
		{"Point", orb.Point{96.1, 16.8}, geom.NewPointFlat(geom.XY, []float64{96.1, 16.8}).SetSRID(srid)},
		{"LineString", orb.LineString{{1, 2}, {3, 4}, {5, 6}},
			geom.NewLineStringFlat(geom.XY, []float64{1, 2, 3, 4, 5, 6}).SetSRID(srid)},
		{"Polygon with hole",
			orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 0}}, {{1, 1}, {2, 1}, {2, 2}, {1, 1}}},
			geom.NewPolygonFlat(geom.XY, []float64{0, 0, 4, 0, 4, 4, 0, 0, 1, 1, 2, 1, 2, 2, 1, 1}, []int{8, 16}).SetSRID(srid)},
		{"MultiPoint", orb.MultiPoint{{1, 2}, {3, 4}},
			geom.NewMultiPointFlat(geom.XY, []float64{1, 2, 3, 4}).SetSRID(srid)},
		{"MultiLineString", orb.MultiLineString{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}, {9, 10}}},
			geom.NewMultiLineStringFlat(geom.XY, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, []int{4, 10}).SetSRID(srid)},
		{"MultiPolygon",
			orb.MultiPolygon{
				{{{0, 0}, {4, 0}, {4, 4}, {0, 0}}, {{1, 1}, {2, 1}, {2, 2}, {1, 1}}},
				{{{10, 10}, {11, 10}, {11, 11}, {10, 10}}},
			},
			geom.NewMultiPolygonFlat(geom.XY, []float64{
				0, 0, 4, 0, 4, 4, 0, 0, 1, 1, 2, 1, 2, 2, 1, 1,
				10, 10, 11, 10, 11, 11, 10, 10,
			}, [][]int{{8, 16}, {24}}).SetSRID(srid)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toGeom(tt.orb)
			if err != nil {
				t.Fatalf("toGeom: %v", err)
			}
			gotEWKB, err := ewkb.Marshal(got, ewkb.NDR)
			if err != nil {
				t.Fatal(err)
			}
			wantEWKB, err := ewkb.Marshal(tt.geom, ewkb.NDR)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(gotEWKB, wantEWKB) {
				t.Errorf("toGeom: got %x, want %x", gotEWKB, wantEWKB)
			}
			back, err := fromGeom(tt.geom)
			if err != nil {
				t.Fatalf("fromGeom: %v", err)
			}
			if !orb.Equal(back, tt.orb) {
				t.Errorf("fromGeom: got %v, want %v", back, tt.orb)
			}
		})
	}
}

// TestGeomRoundTrip sends every concern geometry through EWKB and back,
// checking floats bit for bit.
func TestGeomRoundTrip(t *testing.T) {
	for _, g := range storetest.Geometries() {
		t.Run(g.Name, func(t *testing.T) {
			b, err := marshalEWKB(g.Geometry)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			got, err := unmarshalEWKB(b)
			if err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			if !orb.Equal(got, g.Geometry) {
				t.Errorf("got %v, want %v", got, g.Geometry)
			}
		})
	}
}

func TestGeomUnsupported(t *testing.T) {
	tests := []struct {
		name string
		geom geom.T
	}{
		{"empty point", geom.NewPointEmpty(geom.XY)},
		{"collection", geom.NewGeometryCollection()},
		{"empty in multipoint", geom.NewMultiPointFlat(geom.XY, []float64{1, 2}, geom.NewMultiPointFlatOptionWithEnds([]int{0, 2}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := fromGeom(tt.geom); err == nil {
				t.Errorf("fromGeom: got %v, want an error", got)
			}
		})
	}
	for _, g := range []orb.Geometry{orb.Collection{orb.Point{1, 2}}, orb.Bound{}, orb.Ring{{0, 0}, {1, 0}, {0, 1}, {0, 0}}} {
		if got, err := toGeom(g); err == nil {
			t.Errorf("toGeom(%T): got %v, want an error", g, got)
		}
	}
}

// TestGeomThroughPostGIS checks what PostGIS makes of the EWKB we send and
// that what it sends back decodes to the same geometry.
func TestGeomThroughPostGIS(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, postgistest.MustOpenDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wantType := map[string]string{
		"Point": "ST_Point", "LineString": "ST_LineString", "Polygon": "ST_Polygon",
		"MultiPoint": "ST_MultiPoint", "MultiLineString": "ST_MultiLineString", "MultiPolygon": "ST_MultiPolygon",
	}
	for _, g := range storetest.Geometries() {
		t.Run(g.Name, func(t *testing.T) {
			b, err := marshalEWKB(g.Geometry)
			if err != nil {
				t.Fatal(err)
			}
			var (
				back     []byte
				typ      string
				gotSRID  int
				npoints  int
				wantType = wantType[g.Geometry.GeoJSONType()]
			)
			err = db.Pool().QueryRow(ctx, `SELECT ST_AsEWKB(g), GeometryType(g), ST_SRID(g), ST_NPoints(g)
				FROM (SELECT ST_GeomFromEWKB($1) AS g) AS s`, b).Scan(&back, &typ, &gotSRID, &npoints)
			if err != nil {
				t.Fatal(err)
			}
			if "ST_"+titleCase(typ) != wantType {
				t.Errorf("type: got %s, want %s", typ, wantType)
			}
			if gotSRID != srid {
				t.Errorf("srid: got %d, want %d", gotSRID, srid)
			}
			if want := geo.VertexCount(g.Geometry); npoints != want {
				t.Errorf("points: got %d, want %d", npoints, want)
			}
			got, err := unmarshalEWKB(back)
			if err != nil {
				t.Fatal(err)
			}
			if !orb.Equal(got, g.Geometry) {
				t.Errorf("got %v, want %v", got, g.Geometry)
			}
		})
	}
}

// titleCase turns GeometryType's MULTIPOINT into MultiPoint.
func titleCase(s string) string {
	for _, name := range []string{"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"} {
		if bytes.EqualFold([]byte(name), []byte(s)) {
			return name
		}
	}
	return s
}

func BenchmarkUnmarshalEWKB(b *testing.B) {
	for _, g := range storetest.Geometries()[:3] {
		data, err := marshalEWKB(g.Geometry)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(g.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := unmarshalEWKB(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
