package shapefile

import "testing"

func TestIsWGS84(t *testing.T) {
	const esri = `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`
	tests := []struct {
		name         string
		prj          string
		wgs84, known bool
	}{
		{"no .prj", "", false, false},
		{"blank .prj", " \r\n", false, false},
		{"ESRI WKT", esri, true, true},
		{"ESRI WKT with BOM and newline", "\uFEFF" + esri + "\r\n", true, true},
		{"OGC WKT", `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]`, true, true},
		{"WKT2", `GEOGCRS["WGS 84",DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563]],CS[ellipsoidal,2],ID["EPSG",4326]]`, true, true},
		{"parentheses and spaces", `GEOGCS ( "WGS 84", DATUM("WGS_1984"))`, true, true},
		{"UTM 47N on WGS 84", `PROJCS["WGS_1984_UTM_Zone_47N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],UNIT["Meter",1.0]]`, false, true},
		{"Indian 1954", `GEOGCS["GCS_Indian_1954",DATUM["D_Indian_1954",SPHEROID["Everest_Adjustment_1937",6377276.345,300.8017]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`, false, true},
		{"WGS 72", `GEOGCS["WGS 72",DATUM["WGS_1972"]]`, false, true},
		{"compound with a projection", `COMPD_CS["x",PROJCS["y"],VERT_CS["z"]]`, false, true},
		{"unnamed", `GEOGCS[DATUM["D_WGS_1984"]]`, false, false},
		{"old Arc/Info style", "Projection GEOGRAPHIC\nDatum WGS84\nUnits DD\n", false, false},
		{"not WKT", "hello", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wgs84, known := IsWGS84(tt.prj)
			if wgs84 != tt.wgs84 || known != tt.known {
				t.Errorf("got %v, %v, want %v, %v", wgs84, known, tt.wgs84, tt.known)
			}
		})
	}
}
