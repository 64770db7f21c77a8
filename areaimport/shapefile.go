package areaimport

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/shapefile"
)

// readShapefile reads a zipped shapefile. A .prj that names any other
// coordinate system than WGS 84 lon/lat, a projection or another datum
// alike, rejects the whole file with one file-level problem, since every
// feature shares it; without a .prj, or with one that cannot be read, the
// coordinates are checked feature by feature.
func readShapefile(data []byte) (*layer, error) {
	sf, err := shapefile.ReadZip(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		code := concernmap.EINVALID
		if errors.Is(err, shapefile.ErrTooLarge) {
			code = concernmap.ETOOLARGE
		}
		return nil, concernmap.Errorf(code, "%v", err)
	}
	if len(sf.Features) > MaxFeatures {
		return nil, tooMany()
	}
	l := &layer{features: make([]feature, len(sf.Features)), hint: reprojectHint("shp", sf.PRJ != "")}
	for _, name := range sf.Fields {
		l.addField(name)
	}
	if wgs84, known := shapefile.IsWGS84(sf.PRJ); known && !wgs84 {
		l.problems = append(l.problems, fmt.Sprintf("the .prj is %s, not WGS 84 lon/lat: reproject to EPSG:4326, e.g. ogr2ogr -t_srs EPSG:4326 out.shp in.shp", prjName(sf.PRJ)))
	}
	for i, sff := range sf.Features {
		f := &l.features[i]
		f.index = sff.Index
		f.geom = sff.Geometry
		// In .dbf field order, so that of names differing only in case
		// the first wins, as in the other formats.
		for _, name := range sf.Fields {
			if v, ok := sff.Properties[name]; ok {
				l.setProp(f, name, v)
			}
		}
	}
	return l, nil
}

// prjName returns the name of the coordinate system in a .prj, the first
// quoted string of its WKT, such as "WGS_1984_UTM_Zone_47N".
func prjName(prj string) string {
	_, rest, ok := strings.Cut(prj, `"`)
	if name, _, ok2 := strings.Cut(rest, `"`); ok && ok2 && name != "" {
		return fmt.Sprintf("%q", clip(name))
	}
	return "another coordinate system"
}
