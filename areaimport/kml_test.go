package areaimport

import (
	"reflect"
	"testing"

	"github.com/concernmap/concernmap"
)

// TestReadKMLMIMU reads the village tracts of mimu_vt.geojson as KML, with
// typed and untyped ExtendedData and a <name> fallback, into the same
// areas.
func TestReadKMLMIMU(t *testing.T) {
	areas, rep, err := Read(readFixture(t, "mimu_vt.kml"), FormatKML,
		Options{Level: concernmap.LevelVillageTract, Source: "mimu_vt.kml"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Format != FormatKML || rep.Features != 3 || len(rep.Problems) != 0 {
		t.Errorf("got report %+v, want 3 kml features and no problems", rep)
	}
	checkAreas(t, areas, mimuAreas("mimu_vt.kml"))
}

func TestReadKML(t *testing.T) {
	const code = `<ExtendedData><Data name="VT_PCODE"><value>MMR1</value></Data></ExtendedData>`
	const square = `<Polygon><outerBoundaryIs><LinearRing><coordinates>96,16 96.01,16 96.01,16.01 96,16.01 96,16</coordinates></LinearRing></outerBoundaryIs></Polygon>`
	tests := []struct {
		name     string
		body     string
		nameEN   string // of the area, if imported
		problems []Problem
	}{
		{"name fallback", `<Placemark><name>Ywar Thit</name>` + code + square + `</Placemark>`, "Ywar Thit", nil},
		{"name field first", `<Placemark><name>Ignored</name><ExtendedData><SchemaData><SimpleData name="vt_pcode">MMR1</SimpleData><SimpleData name="Vt">Ywar Thit</SimpleData></SchemaData></ExtendedData>` + square + `</Placemark>`, "Ywar Thit", nil},
		{"no name", `<Placemark>` + code + square + `</Placemark>`, "MMR1",
			[]Problem{{0, "MMR1", true, "no English name: the file has no VT field; used the pcode"}}},
		{"point", `<Placemark>` + code + `<Point><coordinates>96,16</coordinates></Point></Placemark>`, "",
			[]Problem{{0, "MMR1", false, "unsupported geometry type Point: only Polygon and MultiGeometry of Polygons are areas"}}},
		{"point in a multigeometry", `<Placemark>` + code + `<MultiGeometry>` + square + `<Point><coordinates>96,16</coordinates></Point></MultiGeometry></Placemark>`, "",
			[]Problem{{0, "MMR1", false, "unsupported geometry type Point: only Polygon and MultiGeometry of Polygons are areas"}}},
		{"no geometry", `<Placemark>` + code + `</Placemark>`, "",
			[]Problem{{0, "MMR1", false, "empty geometry"}}},
		{"bad coordinates", `<Placemark>` + code + `<Polygon><outerBoundaryIs><LinearRing><coordinates>96;16 96.01,16</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>`, "",
			[]Problem{{0, "MMR1", false, `coordinates "96;16" are not lon,lat[,alt]`}}},
		{"two outer boundaries", `<Placemark>` + code + `<Polygon><outerBoundaryIs/><outerBoundaryIs/></Polygon></Placemark>`, "",
			[]Problem{{0, "MMR1", false, "a Polygon needs exactly one outerBoundaryIs with one LinearRing"}}},
		{"unclosed and clockwise, nested multigeometry", `<Placemark>` + code + `<MultiGeometry><MultiGeometry>` +
			`<Polygon><outerBoundaryIs><LinearRing><coordinates>96,16 96,16.01 96.01,16.01 96.01,16</coordinates></LinearRing></outerBoundaryIs></Polygon></MultiGeometry></MultiGeometry></Placemark>`, "MMR1",
			[]Problem{{0, "MMR1", true, "polygon 0 ring 0 was not closed; closed it"}, {0, "MMR1", true, "polygon 0 ring 0 was clockwise; reversed it, as outer rings go counterclockwise"}, {0, "MMR1", true, "no English name: the file has no VT field; used the pcode"}}},
		{"projected", `<Placemark>` + code + `<Polygon><outerBoundaryIs><LinearRing><coordinates>612345,1800000 612445,1800000 612445,1800100 612345,1800000</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>`, "",
			[]Problem{{0, "MMR1", false, "coordinates are not lon/lat (x=612345): reproject to EPSG:4326, e.g. ogr2ogr -s_srs EPSG:<its code> -t_srs EPSG:4326 out.kml in.kml"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>` + tt.body + `</Document></kml>`
			areas, rep, err := Read([]byte(doc), FormatKML, Options{Level: concernmap.LevelVillageTract})
			if rep == nil {
				t.Fatalf("got no report: %v", err)
			}
			if (err == nil) != (rep.Rejected() == 0) || (areas == nil) != (err != nil) {
				t.Errorf("got %d areas and error %v with %d rejected", len(areas), err, rep.Rejected())
			}
			if err == nil && areas[0].NameEN != tt.nameEN {
				t.Errorf("got name %q, want %q", areas[0].NameEN, tt.nameEN)
			}
			if tt.problems == nil {
				tt.problems = []Problem{}
			}
			if !reflect.DeepEqual(rep.Problems, tt.problems) {
				t.Errorf("got %+v, want %+v", rep.Problems, tt.problems)
			}
		})
	}
}
